"""Test fixtures: a fresh database per test, on SQLite always and on PostgreSQL when
MOU_TEST_DATABASE_URL names a server (MOU_REQUIRE_POSTGRES=1 turns a skip into a failure).

Migrating costs far more than copying, so each backend is migrated once per session into a
template, and every test gets a copy: a file copy on SQLite, CREATE DATABASE ... TEMPLATE on
PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from tracker.db import Database, open_database
from tracker.migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "oxford-liverpool.toml"
PG_ENV = "MOU_TEST_DATABASE_URL"
BACKENDS = ["sqlite", "postgresql"]

# Pinned terminal for exact output: fixed width, no colour, no terminal features.
TERMINAL_ENV = {"COLUMNS": "140", "NO_COLOR": "1", "TERM": "dumb", "MOU_DB": None}


@pytest.fixture(autouse=True)
def _no_user_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test may touch a real user's database: point the default somewhere disposable."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("MOU_DB", raising=False)
    monkeypatch.delenv("MOU_DATABASE_URL", raising=False)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


class PostgresServer:
    """Creates throw-away databases on the server named by MOU_TEST_DATABASE_URL."""

    def __init__(self, url: str) -> None:
        self.url = sa.engine.make_url(url)
        self.admin = sa.create_engine(self.url, isolation_level="AUTOCOMMIT")
        self.template = f"mou_template_{uuid.uuid4().hex[:8]}"
        self.created: list[str] = []

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
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[str]:
    """A fresh, migrated, empty database for one test, on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "mou.db"
        shutil.copyfile(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    url = server.create(template=server.template)
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
    from tracker.services.importer import import_programme

    with db.writing() as session:
        import_programme(EXAMPLE.read_text("utf-8"), session=session, source="example")
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
