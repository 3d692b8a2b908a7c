"""``mou db`` and where the data lives."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import TERMINAL_ENV, Cli, PostgresServer
from tracker.cli.app import app
from tracker.db import display_url, resolve_url
from tracker.migrate import HEAD_REVISION


def run(*args: str, **env: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={**TERMINAL_ENV, **env})
    return result.exit_code, result.stdout, result.stderr


def test_db_status_of_a_current_database(cli: Cli) -> None:
    result = cli("db", "status")
    assert result.exit_code == 0, result
    assert result.stdout == (
        f"database: {display_url(cli.url)}\n"
        f"revision: {HEAD_REVISION}\n"
        f"head:     {HEAD_REVISION}\n"
        "state:    up to date\n"
    )


def test_db_upgrade_when_current_says_so(cli: Cli) -> None:
    result = cli("db", "upgrade")
    assert result.exit_code == 0, result
    assert result.stdout == f"{display_url(cli.url)} is already at revision {HEAD_REVISION}.\n"


def test_db_upgrade_creates_a_new_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    code, out, _ = run("db", "status", "--db", str(path))
    assert (code, out.splitlines()[-1]) == (0, "state:    empty: run `mou db upgrade`")
    assert not path.exists()  # looking never creates
    code, out, _ = run("db", "upgrade", "--db", str(path))
    assert code == 0
    assert out == f"Upgraded sqlite:///{path} from an empty database to {HEAD_REVISION}.\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add-institution", "Harwell Campus"), "error: kind: required\n"),
        (
            ("add-milestone", "Beamline access", "--workstream", "WS01", "--due", "2027-01-01"),
            "error: workstream: no workstream with ref 'WS01'\n",
        ),
        (("import", "missing.toml"), "error: FILE: no such file: missing.toml\n"),
    ],
)
def test_a_write_that_fails_leaves_no_new_database_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], message: str
) -> None:
    """A mistyped --db path and a refused command used to leave a new, empty database."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "typo.db"
    code, out, err = run(*args, "--db", str(path))
    assert (code, out, err) == (1, "", message)
    assert sorted(tmp_path.iterdir()) == []


def test_a_database_that_a_command_created_is_kept_once_something_is_written(
    tmp_path: Path,
) -> None:
    path = tmp_path / "new.db"
    code, out, _ = run(
        "add-institution", "Harwell Campus", "--kind", "national_facility", "--db", str(path)
    )
    assert (code, out) == (0, "Added institution I01: Harwell Campus\n")
    code, _, err = run("add-institution", "Daresbury", "--db", str(path))  # refused
    assert (code, err) == (1, "error: kind: required\n")
    assert path.exists()
    code, out, _ = run("list", "institutions", "--format", "csv", "--db", str(path))
    assert (code, out.splitlines()[1].split(",")[:2]) == (0, ["I01", "Harwell Campus"])


def test_an_empty_postgres_database_needs_db_upgrade(postgres: PostgresServer) -> None:
    url = postgres.create(template="template0")
    code, out, err = run("status", MOU_DATABASE_URL=url)
    assert code == 1
    assert (
        err == f"error: database {display_url(url)} has no mou schema yet: run `mou db upgrade`\n"
    )
    code, out, _ = run("db", "upgrade", MOU_DATABASE_URL=url)
    assert (code, out) == (
        0,
        f"Upgraded {display_url(url)} from an empty database to {HEAD_REVISION}.\n",
    )
    code, _, err = run("status", MOU_DATABASE_URL=url)
    assert (
        err == "error: no MoU in this database yet: load a programme with `mou import FILE.toml`\n"
    )


def test_where_the_data_lives(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert resolve_url() == f"sqlite:///{tmp_path / 'data' / 'mou' / 'mou.db'}"
    monkeypatch.setenv("MOU_DB", str(tmp_path / "env.db"))
    assert resolve_url() == f"sqlite:///{tmp_path / 'env.db'}"
    monkeypatch.setenv("MOU_DATABASE_URL", "postgresql+psycopg://u:secret@h/db")
    assert resolve_url() == "postgresql+psycopg://u:secret@h/db"
    assert resolve_url(str(tmp_path / "flag.db")) == f"sqlite:///{tmp_path / 'flag.db'}"


def test_passwords_are_never_shown() -> None:
    assert display_url("postgresql+psycopg://u:secret@h/db") == "postgresql+psycopg://u:***@h/db"


def test_a_bad_url_is_one_line() -> None:
    code, out, err = run("status", "--db", "postgresql+psycopg://u:secret@127.0.0.1:1/nowhere")
    assert code == 1
    assert out == ""
    assert err.startswith("error: database postgresql+psycopg://u:***@127.0.0.1:1/nowhere: ")
    assert "secret" not in err
    assert len(err.splitlines()) == 1


def test_a_malformed_url_is_one_line() -> None:
    code, _, err = run("status", "--db", "nonsense://")
    assert code == 1
    assert (
        err
        == "error: --db: mou supports sqlite and postgresql URLs; got 'nonsense' in 'nonsense://'\n"
    )


def test_postgres_without_its_driver_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    # A None entry makes "import psycopg" fail as if the package were not installed.
    monkeypatch.setitem(sys.modules, "psycopg", None)
    code, out, err = run("status", "--db", "postgresql+psycopg://u@localhost/db")
    assert (code, out) == (1, "")
    assert err == (
        "error: PostgreSQL needs its driver: pip install 'mou[postgres]' (psycopg 3); "
        "use a URL such as postgresql+psycopg://user:password@host/dbname\n"
    )


def test_a_bare_postgresql_url_means_psycopg3() -> None:
    from tracker.db import parse_url

    assert parse_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert parse_url("sqlite:///x.db").drivername == "sqlite"


def test_upgrade_refuses_a_database_that_is_already_damaged(tmp_path: Path) -> None:
    import sqlite3

    from tracker.migrate import known_revisions, upgrade

    path = tmp_path / "old.db"
    url = f"sqlite:///{path}"
    upgrade(url, known_revisions()[-2])
    with sqlite3.connect(path) as connection:  # foreign keys are off in a bare sqlite3 shell
        connection.execute(
            "INSERT INTO milestone_baseline (milestone_id, due, reason, changed) "
            "VALUES (999, '2026-01-01', 'orphan', '2026-01-01')"
        )
    code, out, err = run("db", "upgrade", "--db", str(path))
    assert code == 1
    assert err == (
        "error: the database already has 1 row with broken foreign keys (first: "
        "('milestone_baseline', 1, 'milestone', 0)); see `mou check`, repair them, then upgrade\n"
    )
    assert out.startswith("Backed up revision")
