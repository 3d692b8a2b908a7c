"""Safe for a team: no lost writes or leaked passwords on PostgreSQL, no foreign database or
special file touched, no waiting reads. Each test reproduces a way the first release failed,
through the command line, on the backend where it happened.

Concurrency runs real operating-system processes (forked from the test, each running the
``mou`` command line in-process), started together at a barrier.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from tests.conftest import EXAMPLE, TERMINAL_ENV, Cli, CliResult
from tracker.cli.app import app
from tracker.db import Database
from tracker.fields import FieldSpec, FieldType, clean_value
from tracker.migrate import known_revisions, upgrade

SECRET = "Sw0rdf1sh-p4ss"


def run(*args: str, **env: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={**TERMINAL_ENV, **env})
    return result.exit_code, result.stdout, result.stderr


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


# --- concurrency: processes started together ---------------------------------------------


def _worker(url: str, commands: list[list[str]], barrier: Any, results: Any, number: int) -> None:
    barrier.wait()
    cli = Cli(url)
    outcome = []
    for command in commands:
        result = cli(*command)
        outcome.append((result.exit_code, result.stdout, result.stderr))
    results.put((number, outcome))


def together(url: str, per_process: list[list[list[str]]]) -> list[list[CliResult]]:
    """Run each list of commands in its own process, all starting at once; the results in
    process order."""
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(per_process))
    results = context.Queue()
    processes = [
        context.Process(target=_worker, args=(url, commands, barrier, results, number))
        for number, commands in enumerate(per_process)
    ]
    for process in processes:
        process.start()
    gathered = dict(results.get(timeout=300) for _ in processes)
    for process in processes:
        process.join(timeout=60)
    return [[CliResult(*outcome) for outcome in gathered[n]] for n in range(len(processes))]


def test_six_people_adding_milestones_at_once_get_48_distinct_milestones(
    example_db: Database,
) -> None:
    commands = [
        [["add-milestone", f"Proc {p} add {i}", "--workstream", f"WS0{p + 1}", "--due",
          "2027-06-30"] for i in range(8)]
        for p in range(6)
    ]  # fmt: skip
    outcomes = [result for process in together(example_db.url, commands) for result in process]
    assert [result.exit_code for result in outcomes] == [0] * 48, [
        result.stderr for result in outcomes if result.exit_code
    ]
    refs = [result.stdout.split()[2] for result in outcomes]  # "Added milestone MS-33 to ..."
    assert len(set(refs)) == 48
    with example_db.engine.connect() as connection:
        titles = connection.execute(
            sa.text("SELECT title FROM milestone WHERE title LIKE 'Proc %'")
        ).scalars()
        assert len(set(titles)) == 48
        adds = connection.execute(
            sa.text("SELECT count(*) FROM audit_entry WHERE kind = 'milestones' AND action = 'add'"
                    " AND ref IN (SELECT ref FROM milestone WHERE title LIKE 'Proc %')")
        ).scalar()  # fmt: skip
    assert adds == 48  # each recorded as an addition, never as a change of someone else's


def test_eight_people_re_baselining_one_milestone_at_once_all_succeed(
    example_db: Database,
) -> None:
    start = dt.date(2027, 3, 1)
    commands = [
        [["update-milestone", "MS-13", "--due", (start + dt.timedelta(days=p * 10 + i)).isoformat(),
          "--reason", f"Person {p}, change {i}"] for i in range(10)]
        for p in range(8)
    ]  # fmt: skip
    outcomes = [result for process in together(example_db.url, commands) for result in process]
    assert [result.exit_code for result in outcomes] == [0] * 80, [
        result.stderr for result in outcomes if result.exit_code
    ]
    fields = json.loads(Cli(example_db.url)("show", "MS-13", "-f", "json").stdout)["fields"]
    assert len(fields["rebaselines"]) == 80


def test_two_tolerances_set_at_once_never_break_green_below_red(example_db: Database) -> None:
    cli = Cli(example_db.url)
    for _ in range(4):
        assert cli("config", "unset", "green_tol_days").exit_code == 0
        assert cli("config", "unset", "red_tol_days").exit_code == 0
        first, second = together(
            example_db.url,
            [
                [["config", "set", "green_tol_days", "25"]],
                [["config", "set", "red_tol_days", "20"]],
            ],
        )
        codes = sorted([first[0].exit_code, second[0].exit_code])
        assert codes == [0, 1], (first, second)
        assert cli("check").exit_code == 0


def test_three_people_undoing_one_command_at_once_undo_it_once(example_db: Database) -> None:
    cli = Cli(example_db.url)
    assert cli("update-milestone", "MS-13", "--title", "Renamed").exit_code == 0
    outcomes = [process[0] for process in together(example_db.url, [[["undo", "2", "--yes"]]] * 3)]
    assert sorted(result.exit_code for result in outcomes) == [0, 1, 1]
    refused = [result.stderr for result in outcomes if result.exit_code]
    assert refused == ["error: command 2 is already undone (mou redo applies it again)\n"] * 2
    undos = json.loads(cli("log", "-f", "json").stdout)["entries"]
    assert [entry["summary"] for entry in undos].count("undo of command 2") == 1


def test_two_first_imports_at_once_both_succeed_without_raw_errors(db: Database) -> None:
    outcomes = [process[0] for process in together(db.url, [[["import", str(EXAMPLE)]]] * 2)]
    assert [result.exit_code for result in outcomes] == [0, 0], outcomes
    lines = sorted(result.stdout.splitlines()[0].split(": ", 1)[1] for result in outcomes)
    assert lines == ["0 added, 0 changed, 122 unchanged.", "122 added, 0 changed, 0 unchanged."]


def test_two_upgrades_of_an_empty_shared_database_at_once(postgres: Any) -> None:
    url = postgres.create(template="template0")
    outcomes = [process[0] for process in together(url, [[["db", "upgrade"]]] * 2)]
    assert [result.exit_code for result in outcomes] == [0, 0], outcomes
    assert "uq_" not in "".join(result.stderr for result in outcomes)


# --- passwords ------------------------------------------------------------------------------


@pytest.fixture
def secret_url(example_db: Database) -> str:
    """The test's PostgreSQL database, reached with a password in the URL (the server trusts
    local connections, so any password is let in)."""
    if not is_postgres(example_db.url):
        pytest.skip("passwords in URLs: PostgreSQL")
    return str(sa.engine.make_url(example_db.url).set(password=SECRET).render_as_string(False))


def test_no_password_reaches_the_trail_or_any_output(secret_url: str, tmp_path: Path) -> None:
    shown: list[str] = []
    code, out, err = run("--actor", "Jo", "update-milestone", "MS-13", "--title", "X",
                         "--db", secret_url)  # fmt: skip
    assert code == 0, err
    shown += [out, err]
    for args in (["log"], ["log", "--fields"], ["history", "MS-13"]):
        for form in ("table", "json", "csv"):
            code, out, err = run(*args, "-f", form, "--db", secret_url)
            assert code == 0, err
            shown += [out, err]
    result = CliRunner().invoke(app, ["undo", "--db", secret_url], input="n\n", env=TERMINAL_ENV)
    shown += [result.stdout, result.stderr]
    assert "--db postgresql+psycopg://mou:***@" in result.stdout
    code, out, err = run("db", "status", "--db", secret_url)
    shown += [out, err]
    assert not [text for text in shown if SECRET in text]


def test_a_backup_gives_pg_dump_the_password_in_its_environment_only(
    secret_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[list[str], dict[str, str]]] = []
    real_run = subprocess.run

    def recording(command: list[str], **kwargs: Any) -> Any:
        calls.append((list(command), dict(kwargs.get("env") or {})))
        return real_run(command, **kwargs)

    monkeypatch.setattr("tracker.backup.subprocess.run", recording)
    target = tmp_path / "team.dump"
    code, out, err = run("db", "backup", str(target), "--db", secret_url)
    assert code == 0, err
    dump, _listing = calls
    assert SECRET not in " ".join(dump[0])  # what ps would show
    assert dump[1]["PGPASSWORD"] == SECRET
    assert SECRET not in out + err
    engine = sa.create_engine(secret_url)
    with engine.connect() as connection:  # nor in the trail the dump carries
        lines = connection.execute(sa.text("SELECT command FROM audit_command")).scalars().all()
    engine.dispose()
    assert lines and not [line for line in lines if SECRET in line]


def test_passwords_already_in_the_trail_are_removed_by_the_upgrade(database_url: str) -> None:
    before = known_revisions()[known_revisions().index("0005") - 1]
    from tracker.migrate import downgrade

    downgrade(database_url, before)
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO audit_command (id, at, actor, command) VALUES "
                "(1, '2026-11-01 10:00:00', 'jo', :line)"
            ),
            {"line": f"mou status --db postgresql+psycopg://jo:{SECRET}@db/mou?password={SECRET}"},
        )
    engine.dispose()
    upgrade(database_url)
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        line = connection.execute(sa.text("SELECT command FROM audit_command")).scalar()
    engine.dispose()
    assert line == "mou status --db postgresql+psycopg://jo:***@db/mou?password=***"


def test_a_mistyped_url_is_refused_and_never_becomes_a_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run("import", str(EXAMPLE), "--db", f"postgresql+psycopg:/user:{SECRET}@host/db")
    assert code == 1
    assert SECRET not in err
    assert err.startswith("error: --db: expected a database URL such as sqlite:///path/mou.db")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://u:p@h:notaport/db", "expected a database URL"),
        ("mysql://u@h/db", "mou supports sqlite and postgresql URLs; got 'mysql'"),
    ],
)
def test_bad_urls_are_one_line_everywhere(url: str, message: str) -> None:
    for command in (["status"], ["db", "backup"], ["db", "upgrade"], ["import", str(EXAMPLE)]):
        code, _, err = run(*command, "--db", url)
        assert code == 1 and len(err.splitlines()) == 1 and message in err, (command, err)


# --- paths and special files ----------------------------------------------------------------


def test_a_path_is_a_path_whatever_characters_it_holds(tmp_path: Path) -> None:
    path = tmp_path / "team?v2%41#1.db"
    code, _, err = run("import", str(EXAMPLE), "--db", str(path))
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["team?v2%41#1.db"]
    backup = tmp_path / "bk#1?.db"
    code, _, err = run("db", "backup", str(backup), "--db", str(path))
    assert code == 0, err
    assert backup.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bk#1?.db", "team?v2%41#1.db"]


@pytest.mark.parametrize("kind", ["fifo", "device", "folder", "dangling link", "link"])
def test_only_a_regular_file_is_ever_replaced(example_cli: Cli, tmp_path: Path, kind: str) -> None:
    target = tmp_path / "out.toml"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "device":
        if os.geteuid() != 0:
            pytest.skip("making a device node needs root")
        os.mknod(target, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a null device, in tmp
    elif kind == "folder":
        target.mkdir()
    elif kind == "dangling link":
        target.symlink_to(tmp_path / "nowhere")
    else:
        (tmp_path / "real.toml").write_text("kept\n")
        target.symlink_to(tmp_path / "real.toml")
    before = target.lstat()
    for force in ([], ["--force"]):
        result = example_cli("export", "--out", str(target), *force)
        assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1, result
    after = target.lstat()
    assert (stat.S_IFMT(after.st_mode), after.st_ino) == (
        stat.S_IFMT(before.st_mode),
        before.st_ino,
    )
    if kind == "link":
        assert (tmp_path / "real.toml").read_text() == "kept\n"


def test_a_replaced_file_keeps_its_permissions(example_cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "private.toml"
    target.write_text("old\n")
    target.chmod(0o600)
    assert example_cli("export", "--out", str(target), "--force").exit_code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text().startswith("# MoU programme file")


def test_reading_an_empty_file_never_writes_a_schema_into_it(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    code, _, err = run("status", "--db", str(path))
    assert code == 1 and "is an empty file" in err
    assert path.stat().st_size == 0


def test_upgrade_refuses_another_applications_database(tmp_path: Path) -> None:
    path = tmp_path / "accounts.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
    content = path.read_bytes()
    code, _, err = run("db", "upgrade", "--db", str(path))
    assert code == 1
    assert "holds tables that are not mou's (invoices)" in err
    assert path.read_bytes() == content
    assert not (tmp_path / "backups").exists()


def test_restore_refuses_a_newer_schema_and_the_live_database(tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    assert run("import", str(EXAMPLE), "--db", str(live))[0] == 0
    newer = tmp_path / "newer.db"
    newer.write_bytes(live.read_bytes())
    with sqlite3.connect(newer) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    code, _, err = run("db", "restore", str(newer), "--yes", "--db", str(live))
    assert (code, err) == (
        1,
        f"error: {newer} is at revision 9999, which is newer than this mou (it knows up to "
        f"{known_revisions()[-1]}): upgrade mou before restoring it\n",
    )
    code, _, err = run("db", "restore", str(live), "--yes", "--db", str(live))
    assert (code, err) == (
        1,
        f"error: PATH: {live} is the database itself; restore a backup of it instead\n",
    )


def test_a_backup_that_fails_leaves_no_file_and_old_temporaries_are_cleared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = tmp_path / "live.db"
    assert run("import", str(EXAMPLE), "--db", str(live))[0] == 0
    target = tmp_path / "copy.db"
    leftover = tmp_path / ".copy.db.mou-999999999-abcd.tmp"  # from a writer that was killed
    leftover.write_bytes(b"half")

    def failing(source: Any, copy: Any) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr("tracker.backup._sqlite_copy", failing)
    assert leftover.exists()
    code, _, err = run("db", "backup", str(target), "--db", str(live))
    assert code == 1 and "disk I/O error" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["live.db"]


def test_a_postgresql_backup_that_fails_leaves_no_file(
    example_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not is_postgres(example_db.url):
        pytest.skip("pg_dump: PostgreSQL")
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "pg_dump").write_text(
        '#!/bin/sh\nfor a in "$@"; do case $a in --file=*) printf half > "${a#--file=}";; '
        "esac; done\necho 'pg_dump: error: connection lost' >&2\nexit 1\n"
    )
    (fake / "pg_dump").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}:{os.environ['PATH']}")
    target = tmp_path / "team.dump"
    code, _, err = run("db", "backup", str(target), "--db", example_db.url)
    assert (code, err.splitlines()[0].endswith("failed: pg_dump: error: connection lost")) == (
        1,
        True,
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin"]


# --- reads never wait -----------------------------------------------------------------------


def test_a_read_sees_one_moment_while_others_commit(example_db: Database) -> None:
    """Every statement of a read sees the same committed state, even when another command
    commits between two of them (PostgreSQL's default would show each statement the latest:
    an undo's check then read the trail before a concurrent undo and the records after it)."""
    from sqlmodel import func, select

    from tracker import models

    if not is_postgres(example_db.url):
        pytest.skip("SQLite: a commit waits for the reads under way, so a read sees one moment")
    count = select(func.count()).select_from(models.Milestone)
    add = ("add-milestone", "Meanwhile", "-w", "WS01", "--due", "2027-06-30")
    with example_db.reading() as session:
        before = session.exec(count).one()
        added = Cli(example_db.url)(*add)
        assert added.exit_code == 0, added
        assert session.exec(count).one() == before
    with example_db.reading() as session:
        assert session.exec(count).one() == before + 1


def test_a_read_during_a_long_import_does_not_wait_for_it(db: Database) -> None:
    """The import is paused half way through writing (inside its transaction); a status run
    meanwhile reads the last committed state at once instead of waiting for the lock."""
    from tracker.services.importer import import_programme

    if is_postgres(db.url):
        pytest.skip("PostgreSQL readers never wait for writers")
    assert Cli(db.url)("import", str(EXAMPLE)).exit_code == 0
    bigger = EXAMPLE.read_text("utf-8") + "".join(
        f'\n[[milestones]]\nref = "BIG-{n}"\nworkstream = "WS01"\ntitle = "Bulk {n}"\n'
        f"due = 2027-06-30\n"
        for n in range(20_000)
    )
    halfway, finished = threading.Event(), threading.Event()
    seen: dict[str, Any] = {}

    def paused(description: str, done: int, total: int) -> None:
        if description == "Loading milestones":
            halfway.set()
            finished.wait(timeout=60)

    def importer() -> None:
        with db.writing() as session:
            import_programme(bigger, session=session, source="big", progress=paused)

    def reader() -> None:
        halfway.wait(timeout=60)
        seen["status"] = Cli(db.url)("status", "--format", "json")
        finished.set()

    threads = [threading.Thread(target=importer), threading.Thread(target=reader)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    result = seen["status"]
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["overall"]["total"] == 21  # the import not yet committed


# --- rules undo must keep, and status never drops a milestone ------------------------------


def test_undo_never_recreates_a_loop_of_parent_themes(example_cli: Cli) -> None:
    assert example_cli("update-theme", "LIFE-VAX", "--parent", "none").exit_code == 0
    assert example_cli("update-theme", "LIFE", "--parent", "LIFE-VAX").exit_code == 0
    result = example_cli("undo", "2", "--yes")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: cannot undo: theme LIFE-VAX parent: LIFE is LIFE-VAX itself or one of its "
        "sub-themes\n"
    )


def test_status_shows_every_milestone_even_under_a_loop_of_parents(
    example_cli: Cli, example_db: Database
) -> None:
    before = json.loads(example_cli("status", "--as-of", "2026-11-28", "-f", "json").stdout)
    life = next(row for row in before["tables"]["theme"] if row["scope"] == "LIFE")
    # Other tools can write what mou refuses: LIFE and LIFE-VAX made parents of each other.
    with example_db.engine.begin() as connection:
        connection.execute(
            sa.text(
                "UPDATE theme SET parent_id = (SELECT id FROM theme WHERE ref = 'LIFE-VAX') "
                "WHERE ref = 'LIFE'"
            )
        )
    document = json.loads(example_cli("status", "--as-of", "2026-11-28", "-f", "json").stdout)
    themes = {row["scope"]: row for row in document["tables"]["theme"]}
    assert len(themes) == 11  # every theme, those in the loop too
    assert themes["LIFE"]["total"] == life["total"]
    top = ("ACAD", "CHEM", "CLIM", "GROW")
    assert sum(themes[ref]["total"] for ref in (*top, "LIFE")) == document["overall"]["total"]
    assert "parents form a loop" in example_cli("check").stdout


# --- tracebacks that were -------------------------------------------------------------------


@pytest.mark.parametrize("command", [["status"], ["export"], ["list", "milestones"]])
def test_an_ascii_locale_degrades_output_instead_of_crashing(
    example_db: Database, command: list[str]
) -> None:
    if is_postgres(example_db.url):
        pytest.skip("the locale: one backend is enough")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("LC_", "LANG", "PYTHON"))
    }
    env |= {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0", "COLUMNS": "140"}
    result = subprocess.run(
        [sys.executable, "-c", "from tracker.cli.main import main; main()", *command,
         "--db", example_db.url],
        capture_output=True, env=env, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert b"Traceback" not in result.stderr
    if command == ["export"]:
        # Data stays UTF-8 whatever the locale.
        assert "Oxford\u2013Liverpool".encode() in result.stdout


def test_importing_a_device_is_one_line() -> None:
    code, _, err = run("import", "/dev/zero")
    assert (code, err) == (
        1,
        "error: FILE: /dev/zero is not a regular file; expected a programme file\n",
    )


def test_a_json_file_with_a_key_twice_is_refused(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "twice.json"
    path.write_text('{"mou": {"ref": "X", "title": "One", "title": "Two"}}', "utf-8")
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1] == (
        "  file: not valid JSON: the key 'title' appears twice in one object"
    )


def test_a_list_of_100000_partners_is_checked_in_linear_time() -> None:
    spec = FieldSpec("partners", FieldType.REFS, target="institutions")
    refs = [f"I{number}" for number in range(100_000)]
    assert len(clean_value(spec, refs)) == 100_000
    with pytest.raises(Exception, match="I7 listed more than once"):
        clean_value(spec, [*refs, "I7"])
