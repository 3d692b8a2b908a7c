"""Crash safety, proved from outside the process (docs/guarantees.md).

- ``kill -9`` during a large ``mou import`` leaves the SQLite database holding none of the file
  or all of it, never part, with integrity and foreign keys intact; the same import then
  completes.
- A full disk during ``mou export --out`` or ``mou report quarterly --out`` (simulated with a
  file-size limit in the child, so writes fail with EFBIG) fails with one clear line, exit 1,
  and leaves no partial, temporary or replaced file.

Every ``mou`` that is killed or limited is a real subprocess, so neither hits pytest;
preparing data and re-running an import to completion happen in-process, for speed.
"""

from __future__ import annotations

import errno
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLE, Cli
from tests.helpers import MINIMAL, milestone_toml, snapshot
from tracker import models  # noqa: F401 -- registers every table, so snapshot() sees them all
from tracker.cli.report import files
from tracker.migrate import open_database

MOU = "from tracker.cli.main import main; main()"
EFBIG = os.strerror(errno.EFBIG)  # "File too large"
REPORT_FILES = files()  # in the order they are written
Q3 = "FY2026/27 Q3"
Q2 = "FY2026/27 Q2"


def child_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("MOU_DB", "MOU_DATABASE_URL")}
    env.update(
        {
            "XDG_DATA_HOME": str(home / "xdg-data"),
            "XDG_CONFIG_HOME": str(home / "xdg-config"),
            "COLUMNS": "500",
            "NO_COLOR": "1",
            "TERM": "dumb",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    return env


def mou(
    *args: str,
    home: Path,
    preexec: Callable[[], None] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", MOU, *args],
        capture_output=True,
        text=True,
        env=child_env(home),
        preexec_fn=preexec,
        timeout=timeout,
        check=False,
    )


# --------------------------------------------------------------------------------------------
# 1. kill -9 during a large import
# --------------------------------------------------------------------------------------------

# An import of 600 milestones writes them in one transaction of some 17 statements (bulk
# inserts, an audit entry per record), after about 0.7 s of start-up and validation.
N_MILESTONES = 600
TOTAL_RECORDS = 10 + N_MILESTONES  # 1 mou, 2 institutions, 2 parties, 3 themes, 2 workstreams
CORE_COUNTS = {
    "mou": 1,
    "institution": 2,
    "party": 2,
    "theme": 3,
    "workstream": 2,
    "milestone": N_MILESTONES,
}

# Fault injection for one run: a page cache of 10 pages makes SQLite spill uncommitted pages
# into the database file itself long before the commit, so the kill leaves a hot journal that
# the next open must roll back (with the default 2 MB cache the file is untouched until commit).
SMALL_CACHE = (
    "import sqlalchemy as sa\n"
    "sa.event.listen(sa.engine.Engine, 'connect', "
    "lambda dbapi, _: dbapi.execute('PRAGMA cache_size = 10'))\n"
)


# Fault injection for every run: a pause of 0.1 s after each statement that writes. Unpaused,
# the transaction lasts about 0.1 s, too short for a kill sent from outside to land inside it
# reliably (least of all on a loaded machine); paused, it stays open for about 2 s, so every
# kill below lands where it is meant to, between two of the import's writes.
SLOW_WRITES = (
    "import time\n"
    "import sqlalchemy as sa\n"
    "def pause(_connection, _cursor, statement, *_):\n"
    "    if statement.lstrip()[:6].upper() in ('INSERT', 'UPDATE', 'DELETE'):\n"
    "        time.sleep(0.1)\n"
    "sa.event.listen(sa.engine.Engine, 'after_cursor_execute', pause)\n"
)


@dataclass(frozen=True)
class KillPlan:
    name: str
    when: str  # "start": delay after start; "journal": delay after the journal appears;
    # "spill": once uncommitted pages reach the database file; "commit": once the journal is gone
    delay: float = 0.0
    small_cache: bool = False


PLANS = (
    KillPlan("0.3 s after start", "start", 0.3),
    KillPlan("as the journal appears", "journal"),
    KillPlan("0.4 s into the transaction", "journal", 0.4),
    KillPlan("1 s into the transaction", "journal", 1.0),
    KillPlan("after uncommitted pages reached the db file", "spill", small_cache=True),
    KillPlan("right after the commit", "commit"),
)


@dataclass
class KillRun:
    plan: KillPlan
    killed: bool  # still running when SIGKILL was sent
    returncode: int
    stderr: str
    journal_seen: bool  # the rollback journal existed at some point before the kill
    journal_at_kill: bool
    db_changed_at_kill: bool  # the database file had been written to before the kill
    hot_journal: bool  # the killed process left its journal behind (transaction uncommitted)

    @property
    def expected(self) -> str:
        """In rollback-journal mode the commit point is the deletion of the journal: a journal
        that appeared and is gone means committed; anything else means nothing may show."""
        if not self.killed:
            return "everything" if self.returncode == 0 else "nothing"
        return "everything" if self.journal_seen and not self.hot_journal else "nothing"

    def describe(self) -> str:
        where = (
            "mid-transaction, hot journal left"
            if self.hot_journal
            else "after the commit"
            if self.expected == "everything"
            else "before the transaction wrote"
        )
        if not self.killed:
            where = f"finished before the kill (exit {self.returncode})"
        return f"{self.plan.name}: {self.expected} ({where})"


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


def kill_import(program: Path, path: Path, plan: KillPlan, home: Path) -> KillRun:
    journal = Path(f"{path}-journal")
    before = _stamp(path)
    code = SLOW_WRITES + (SMALL_CACHE if plan.small_cache else "") + MOU
    process = subprocess.Popen(
        [sys.executable, "-c", code, "import", str(program), "--db", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(home),
    )
    try:
        started = time.monotonic()
        fire_at = started + plan.delay if plan.when == "start" else None
        journal_seen = False
        while process.poll() is None:
            now = time.monotonic()
            assert now - started < 90, f"{plan.name}: the import did not finish in 90 s"
            exists = journal.exists()
            if exists and not journal_seen:
                journal_seen = True
                if plan.when == "journal":
                    fire_at = now + plan.delay
            if plan.when == "spill" and exists and _stamp(path) != before:
                fire_at = now
            if plan.when == "commit" and journal_seen and not exists:
                fire_at = now
            if fire_at is not None and now >= fire_at:
                break
            time.sleep(0.001)
        journal_at_kill = journal.exists()
        db_changed = _stamp(path) != before
        killed = process.poll() is None
        if killed:
            process.send_signal(signal.SIGKILL)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    if killed:
        assert process.returncode == -signal.SIGKILL, (plan.name, process.returncode, stderr)
    return KillRun(
        plan=plan,
        killed=killed,
        returncode=process.returncode,
        stderr=stderr,
        journal_seen=journal_seen,
        journal_at_kill=journal_at_kill,
        db_changed_at_kill=db_changed,
        hot_journal=journal.exists(),
    )


def check_database(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Open the database as mou does (rolling back any hot journal), check it and return
    every row."""
    database = open_database(str(path))
    try:
        with database.engine.connect() as connection:
            integrity = connection.exec_driver_sql("PRAGMA integrity_check").fetchall()
            foreign = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.rollback()
        assert integrity == [("ok",)], integrity
        assert foreign == [], foreign
        return snapshot(database)
    finally:
        database.dispose()


def test_kill_9_during_import_leaves_nothing_or_everything(
    on_disk: Path, sqlite_template: Path
) -> None:
    tmp_path = on_disk  # the journal and the kills' timing are those of a disk, not of memory
    program = tmp_path / "large.toml"
    program.write_text(
        "\n".join(
            [MINIMAL]
            + [
                milestone_toml(f"M{i:05d}", due="2026-06-30", workstream=f"W{1 + i % 2}")
                for i in range(N_MILESTONES)
            ]
        ),
        "utf-8",
    )
    runs: list[KillRun] = []

    def summary() -> str:
        tally = Counter(run.expected for run in runs)
        lines = "; ".join(run.describe() for run in runs)
        return (
            f"{len(runs)} kills: {tally['nothing']} ended with nothing, "
            f"{tally['everything']} with everything [{lines}]"
        )

    for number, plan in enumerate(PLANS):
        path = tmp_path / f"kill{number}.db"
        shutil.copyfile(sqlite_template, path)
        baseline = check_database(path)
        run = kill_import(program, path, plan, tmp_path)
        runs.append(run)
        assert "Traceback" not in run.stderr, (plan.name, run.stderr)

        after_kill = check_database(path)
        milestones = 0 if run.expected == "nothing" else N_MILESTONES
        assert len(after_kill["milestone"]) == milestones, (
            f"{plan.name}: {len(after_kill['milestone'])} milestones after the kill, expected "
            f"{milestones} (0 or {N_MILESTONES}): a partial import. {summary()}"
        )
        if run.expected == "nothing":
            assert after_kill == baseline, f"{plan.name}: partial import left. {summary()}"

        # The same import, to completion: it must load everything the kill did not.
        again = Cli(f"sqlite:///{path}")("import", str(program))
        assert again.exit_code == 0, (plan.name, again)
        added, unchanged = (TOTAL_RECORDS, 0) if run.expected == "nothing" else (0, TOTAL_RECORDS)
        assert again.stdout.splitlines()[0] == (
            f"Loaded {program} into MoU T: {added} added, 0 changed, {unchanged} unchanged."
        ), f"{plan.name}: {again.stdout}. {summary()}"
        final = check_database(path)
        counts = {table: len(final[table]) for table in CORE_COUNTS}
        assert counts == CORE_COUNTS, plan.name
        if run.expected == "everything":
            assert after_kill == final, f"{plan.name}: partial import left. {summary()}"

    by_name = {run.plan.name: run for run in runs}
    # The kills that prove something: inside the write transaction, with the journal on disk.
    for name in ("as the journal appears", "after uncommitted pages reached the db file"):
        assert by_name[name].killed and by_name[name].journal_at_kill, summary()
        assert by_name[name].hot_journal, summary()
    spill = by_name["after uncommitted pages reached the db file"]
    assert spill.db_changed_at_kill, (
        f"the database file was not written before the kill. {summary()}"
    )
    assert by_name["0.3 s after start"].expected == "nothing", summary()
    assert by_name["right after the commit"].expected == "everything", summary()
    print(summary())


# --------------------------------------------------------------------------------------------
# 2. a full disk during export and report
# --------------------------------------------------------------------------------------------


def file_size_limit(limit: int) -> Callable[[], None]:
    """In the child: no file may grow beyond ``limit`` bytes, and a write past it fails with
    EFBIG instead of killing the process with SIGXFSZ."""

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    return apply


@dataclass(frozen=True)
class Prepared:
    db: Path
    q3: dict[str, bytes]  # the complete reports and export, written with no limit
    q2: dict[str, bytes]
    export: bytes


def read_folder(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Prepared:
    """The example, loaded once, and the complete outputs it gives with no limit."""
    home = tmp_path_factory.mktemp("full-disk")
    db = home / "example.db"
    shutil.copyfile(sqlite_template, db)
    cli = Cli(f"sqlite:///{db}")  # preparing needs no subprocess: the limits come later
    assert cli("import", str(EXAMPLE)).exit_code == 0
    reports = {}
    for quarter in (Q3, Q2):
        out = home / quarter.replace("/", "-").replace(" ", "-")
        done = cli("report", "quarterly", "--quarter", quarter, "--out", str(out))
        assert done.exit_code == 0, done
        reports[quarter] = read_folder(out)
        assert sorted(reports[quarter]) == sorted(REPORT_FILES)
    exported = cli("export", "--out", str(home / "export.toml"))
    assert exported.exit_code == 0, exported
    export = (home / "export.toml").read_bytes()
    # The reruns below must have something at stake: the Q2 files differ from the Q3 ones.
    for name in ("summary.csv", "milestones.csv", "visits.csv"):
        assert reports[Q2][name] != reports[Q3][name], name
    return Prepared(db, reports[Q3], reports[Q2], export)


@pytest.fixture
def db(prepared: Prepared, tmp_path: Path) -> Path:
    """A copy of the prepared database for one test (the children must only read it)."""
    path = tmp_path / "mou.db"
    shutil.copyfile(prepared.db, path)
    return path


def report_limit(prepared: Prepared, fails_at: str) -> int:
    """A file-size limit under which the report fails first at ``fails_at``: every file before
    it fits, and it does not (so it is half written when the write fails)."""
    sizes = {name: len(data) for name, data in prepared.q3.items()}
    index = REPORT_FILES.index(fails_at)
    room = max((sizes[name] for name in REPORT_FILES[:index]), default=0)
    limit = (room + sizes[fails_at]) // 2
    assert all(sizes[name] <= limit for name in REPORT_FILES[:index]), (sizes, limit)
    assert 0 < limit < sizes[fails_at], (sizes, limit)
    return limit


def assert_fails_writing(
    result: subprocess.CompletedProcess[str], target: Path, db: Path, db_bytes: bytes
) -> None:
    """Exit 1, nothing on stdout, one line on stderr naming the file, no traceback; and the
    database was only read."""
    assert (result.returncode, result.stdout, result.stderr) == (
        1,
        "",
        f"error: could not write {target}: {EFBIG}\n",
    )
    assert db.read_bytes() == db_bytes
    assert not Path(f"{db}-journal").exists()


def inodes(folder: Path) -> dict[str, int]:
    return {path.name: path.stat().st_ino for path in folder.iterdir()}


@pytest.mark.parametrize("fails_at", ["summary.csv", "milestones.csv"])
def test_full_disk_during_report_leaves_no_file(
    prepared: Prepared, db: Path, tmp_path: Path, fails_at: str
) -> None:
    """``fails_at="milestones.csv"``: summary.csv and milestone_summary.csv are written whole
    under their temporary names first; they must be removed, not renamed into place."""
    out = tmp_path / "report"
    db_bytes = db.read_bytes()
    result = mou(
        "report",
        "quarterly",
        "--quarter",
        Q3,
        "--out",
        str(out),
        "--db",
        str(db),
        home=tmp_path,
        preexec=file_size_limit(report_limit(prepared, fails_at)),
    )
    assert_fails_writing(result, out / fails_at, db, db_bytes)
    # No report file, no ".<name>.*.tmp" left: the folder (created first) is empty.
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("fails_at", ["summary.csv", "milestones.csv"])
def test_full_disk_during_forced_report_keeps_the_previous_report(
    prepared: Prepared, db: Path, tmp_path: Path, fails_at: str
) -> None:
    out = tmp_path / "report"
    out.mkdir()
    for name, data in prepared.q2.items():  # a complete earlier report, as mou wrote it
        (out / name).write_bytes(data)
    before = inodes(out)
    db_bytes = db.read_bytes()

    result = mou(
        "report",
        "quarterly",
        "--quarter",
        Q3,
        "--out",
        str(out),
        "--force",
        "--db",
        str(db),
        home=tmp_path,
        preexec=file_size_limit(report_limit(prepared, fails_at)),
    )
    assert_fails_writing(result, out / fails_at, db, db_bytes)
    # The previous report, byte for byte, in the same files (none renamed over), nothing else.
    assert read_folder(out) == prepared.q2
    assert inodes(out) == before


@pytest.mark.parametrize("room", ["2000 bytes", "one byte short"])
def test_full_disk_during_export_leaves_no_file(
    prepared: Prepared, db: Path, tmp_path: Path, room: str
) -> None:
    limit = 2000 if room == "2000 bytes" else len(prepared.export) - 1
    assert 0 < limit < len(prepared.export)
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "programme.toml"
    db_bytes = db.read_bytes()
    result = mou(
        "export",
        "--out",
        str(target),
        "--db",
        str(db),
        home=tmp_path,
        preexec=file_size_limit(limit),
    )
    assert_fails_writing(result, target, db, db_bytes)
    assert list(folder.iterdir()) == []


def test_full_disk_during_forced_export_keeps_the_previous_file(
    prepared: Prepared, db: Path, tmp_path: Path
) -> None:
    target = tmp_path / "programme.toml"
    old = b"# an earlier export, kept as it was\n" + prepared.export
    target.write_bytes(old)
    inode = target.stat().st_ino
    db_bytes = db.read_bytes()
    result = mou(
        "export",
        "--out",
        str(target),
        "--force",
        "--db",
        str(db),
        home=tmp_path,
        preexec=file_size_limit(2000),
    )
    assert_fails_writing(result, target, db, db_bytes)
    assert target.read_bytes() == old
    assert target.stat().st_ino == inode
    assert [
        p.name for p in tmp_path.iterdir() if p.name.startswith(".") or p.name.endswith(".tmp")
    ] == []


def test_written_files_follow_the_umask(prepared: Prepared, db: Path, tmp_path: Path) -> None:
    def umask_022() -> None:
        os.umask(0o022)

    out = tmp_path / "report"
    target = tmp_path / "programme.toml"
    for args in (
        ("report", "quarterly", "--quarter", Q3, "--out", str(out)),
        ("export", "--out", str(target)),
    ):
        result = mou(*args, "--db", str(db), home=tmp_path, preexec=umask_022)
        assert result.returncode == 0, result.stderr
    modes = {path.name: path.stat().st_mode & 0o777 for path in [*out.iterdir(), target]}
    assert modes == dict.fromkeys([*REPORT_FILES, "programme.toml"], 0o644)
