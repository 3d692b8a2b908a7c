"""Test fixtures: a fresh database per test, on SQLite always and on PostgreSQL when
MOU_TEST_DATABASE_URL names a server (MOU_REQUIRE_POSTGRES=1 turns a skip into a failure).

Migrating and loading the example cost far more than copying, so each backend gets two
templates per session (per xdist worker): migrated and empty, and migrated with the example
loaded. Every test gets its own copy of one of them: a file copy on SQLite, CREATE DATABASE ...
TEMPLATE on PostgreSQL. A test that asks for ``example_db`` or ``example_cli`` gets the loaded
one; ``db`` and ``cli`` in the same test then name that same database.

Hypothesis runs a quick profile by default and a thorough one when ``CI=true``.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import typer.testing
from hypothesis import settings as hypothesis_settings
from typer.testing import CliRunner

import tracker.db
import tracker.migrate
from tracker.db import Database
from tracker.migrate import open_database, upgrade

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "oxford-liverpool.toml"
PG_ENV = "MOU_TEST_DATABASE_URL"
BACKENDS = ["sqlite", "postgresql"]

# A developer's `make test` runs each property a few dozen times; CI (CI=true) runs it thoroughly.
hypothesis_settings.register_profile("dev", max_examples=20, deadline=None)
hypothesis_settings.register_profile("ci", max_examples=150, deadline=None)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") == "true" else "dev")
THOROUGH = os.environ.get("CI") == "true"


def examples(quick: int, thorough: int) -> int:
    """How many examples a costly property runs: few on a developer's machine, many in CI."""
    return thorough if THOROUGH else quick


# CliRunner turns the Typer app into a Click command on every invoke. Tests run `mou` as the
# `mou` program builds it: the root command whose subcommands are made on first use, kept
# for the process (building every command for every test was most of a CLI test's time).
_typer_command = functools.cache(typer.testing._get_command)  # type: ignore[attr-defined]


def _command_of(typer_app: typer.Typer) -> Any:
    from tracker.cli.app import app, command

    return command() if typer_app is app else _typer_command(typer_app)


typer.testing._get_command = _command_of  # type: ignore[attr-defined]

# Every test opens its database with a new engine, as every `mou` process does, and SQLAlchemy
# keeps compiled statements per engine, keyed by its dialect object: each test compiled the
# same statements again, 40 % of a command-line test's time. Within one worker, engines share
# the first engine's dialect (same backend and driver, so the same once initialised) and its
# statement cache, as one long-lived process would; a statement whose cache key left out a
# value it compiles in would now give a wrong answer in the tests rather than pass unseen.
_shared_dialects: dict[tuple[str, str], tuple[Any, Any]] = {}
_make_engine = tracker.db.make_engine


def _engine_sharing_statements(url: str, *, migrating: bool = False) -> sa.engine.Engine:
    engine = _make_engine(url, migrating=migrating)
    key = (engine.dialect.name, engine.dialect.driver)
    if key in _shared_dialects:
        engine.dialect, engine._compiled_cache = _shared_dialects[key]
    else:  # shared once SQLAlchemy has initialised it, on the engine's first connection

        def share(*_: Any) -> None:
            _shared_dialects.setdefault(key, (engine.dialect, engine._compiled_cache))

        sa.event.listen(engine, "first_connect", share)
    return engine


tracker.db.make_engine = _engine_sharing_statements
tracker.migrate.make_engine = _engine_sharing_statements  # type: ignore[attr-defined]

# Test databases live in memory-backed storage where the system has it: every SQLite commit
# waits for the disk (fsync), which is what keeps a user's data safe but is not what any test
# checks, and it was a third of the suite's time. Only when --basetemp is not given.
MEMORY_BACKED = Path("/dev/shm")


def pytest_configure(config: pytest.Config) -> None:
    if config.option.basetemp or hasattr(config, "workerinput"):
        return  # chosen by hand, or a worker of pytest-xdist (its controller chose it)
    if MEMORY_BACKED.is_dir() and os.access(MEMORY_BACKED, os.W_OK):
        folder = MEMORY_BACKED / f"mou-tests-{os.getuid()}-{os.getpid()}"
        config.option.basetemp = str(folder)
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


@pytest.fixture
def on_disk() -> Iterator[Path]:
    """A folder on the system's disk, for tests of what a disk does (journals, fsync and the
    timing of a kill), which memory-backed storage does not show."""
    folder = Path(tempfile.mkdtemp(prefix="mou-disk-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


# Pinned terminal for exact output: fixed width, no colour, no terminal features.
TERMINAL_ENV = {"COLUMNS": "140", "NO_COLOR": "1", "TERM": "dumb", "MOU_DB": None}


@pytest.fixture(autouse=True)
def _no_user_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test may touch a real user's database: point the default somewhere disposable."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("MOU_DB", raising=False)
    monkeypatch.delenv("MOU_DATABASE_URL", raising=False)


LOADED_FIXTURES = frozenset({"example_db", "example_cli"})


def load_example(url: str) -> None:
    from tracker.services.importer import import_programme

    database = open_database(url)
    try:
        with database.writing() as session:
            import_programme(EXAMPLE.read_text("utf-8"), session=session, source="example")
    finally:
        database.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def sqlite_example_template(sqlite_template: Path) -> Path:
    path = sqlite_template.with_name("example.db")
    shutil.copyfile(sqlite_template, path)
    load_example(f"sqlite:///{path}")
    return path


class PostgresServer:
    """Creates throw-away databases on the server named by MOU_TEST_DATABASE_URL."""

    def __init__(self, url: str) -> None:
        self.url = sa.engine.make_url(url)
        self.admin = sa.create_engine(self.url, isolation_level="AUTOCOMMIT")
        self.template = f"mou_template_{uuid.uuid4().hex[:8]}"
        self.created: list[str] = []
        self._example_template: str | None = None

    @property
    def example_template(self) -> str:
        """A template with the example loaded, made on first use."""
        if self._example_template is None:
            url = self.create(template=self.template)
            load_example(url)
            name = sa.engine.make_url(url).database
            assert name is not None
            self._example_template = name
        return self._example_template

    def create(self, template: str | None = None) -> str:
        name = self.template if template is None else f"mou_test_{uuid.uuid4().hex[:12]}"
        clause = f" TEMPLATE {template}" if template else ""
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"{clause}')
        self.created.append(name)
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop(self, name: str) -> None:
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        for name in reversed(self.created):
            self.drop(name)
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    url = os.environ.get(PG_ENV)
    if not url:
        reason = f"PostgreSQL run skipped: set {PG_ENV} to a server URL to run it"
        if os.environ.get("MOU_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"MOU_REQUIRE_POSTGRES=1 but {PG_ENV} is not set")
        pytest.skip(reason)
    server = PostgresServer(url)
    upgrade(server.create())
    yield server
    server.close()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database for one test, on each backend: empty, or with the example
    loaded when the test asks for ``example_db`` or ``example_cli``."""
    loaded = bool(LOADED_FIXTURES & set(request.fixturenames))
    if request.param == "sqlite":
        path = tmp_path / "mou.db"
        template = "sqlite_example_template" if loaded else "sqlite_template"
        shutil.copyfile(request.getfixturevalue(template), path)
        yield f"sqlite:///{path}"
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    url = server.create(template=server.example_template if loaded else server.template)
    yield url
    name = sa.engine.make_url(url).database
    assert name is not None
    server.drop(name)
    server.created.remove(name)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = open_database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def example_db(db: Database) -> Database:
    """The test's database, copied from a template with the example already loaded."""
    return db


class Cli:
    """Runs ``mou`` in-process against one database, with a pinned terminal."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, columns: int = 140) -> CliResult:
        from tracker.cli.app import app

        env = {**TERMINAL_ENV, "MOU_DATABASE_URL": self.url, "COLUMNS": str(columns)}
        result = self.runner.invoke(app, list(args), env=env, input=input)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return CliResult(result.exit_code, result.stdout, result.stderr)


class CliResult:
    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr

    def __repr__(self) -> str:
        return f"CliResult({self.exit_code}, stdout={self.stdout!r}, stderr={self.stderr!r})"


@pytest.fixture
def cli(database_url: str) -> Cli:
    return Cli(database_url)


@pytest.fixture
def example_cli(example_db: Database) -> Cli:
    return Cli(example_db.url)


# The few tests that take many seconds each are handed out first: left where they are
# collected, the last of them kept one worker busy long after the other had finished.
LONGEST_FILES = (
    "test_wheel.py",
    "test_concurrency.py",
    "test_stateful_time.py",
    "test_stateful.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.path.name not in LONGEST_FILES)
