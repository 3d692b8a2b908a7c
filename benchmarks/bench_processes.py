"""Benchmark: whole ``mou`` processes, as people run them, against references measured in the
same run on the same machine.

Run with ``make bench`` (after ``bench_status.py``) or ``python benchmarks/bench_processes.py``.

For 1,000, 10,000 and 100,000 milestones, the synthetic programme of ``bench_status.py`` is
written to a programme file (``mou export``'s format). Then, each as its own process:

- ``mou import`` of each file into a new database: wall time and peak memory; at 100,000
  also of the same programme as JSON (the form ``task import`` reads);
- ``mou status`` on each imported database, against the import floor (a Python that imports
  Typer, Rich, SQLModel and dateutil and exits: no command can start faster);
- ``mou report quarterly --format json`` at 1,000 and 100,000, and at 100,000 the least any
  report must do to list its rows: a Python that imports what ``mou status`` imports, runs the
  report's listing SQL (captured from the report itself) with the bare SQLite driver and
  writes each row as a line of JSON;
- ``mou status --recorded-by`` at 100,000 after 1,000 later changes, against plain ``status``;
- ``mou status`` while a 100,000-milestone import is writing to the same database;
- ``mou --help`` against importing ``typer`` and ``rich.console``;
- taskwarrior's ``task import`` and ``task summary`` on the same items, when ``task`` is
  installed (otherwise the benchmark says it was skipped).

Times are medians of several runs (one run for the longest imports); memory is the peak
resident set of the process (``os.wait4``). Every ratio compares figures of this one run,
and the reads a ratio compares are timed in rounds, one run of each in turn, so that a slow
spell of the machine falls on both sides of a ratio.
mou's bytecode is compiled first, as installing mou compiles it.

This process stays small and starts every command itself: Linux counts the memory of the
process a command was started from in the command's own peak, so the work that needs the
project's code (writing the files, making changes) runs in processes of its own.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tables import table

BIN = Path(sys.executable).parent
MOU = str(BIN / "mou")
AS_OF = "2026-11-28"
QUARTER = "FY2026/27 Q2"
LATER_CHANGES = 1_000
FLOOR = "import typer, rich, sqlmodel, dateutil"
HELP_FLOOR = "import typer, rich.console"
# The least any report must do to list its milestones and exceptions: what `mou status`
# imports, the report's own listing statements run with the bare driver, each row written
# as a line of JSON.
LISTING_FLOOR = """
import json, sqlite3, sys
import typer, rich.console, sqlalchemy, dateutil
with open(sys.argv[1], encoding="utf-8") as file:
    statements = json.load(file)
database = sqlite3.connect(sys.argv[2])
encode = json.JSONEncoder(ensure_ascii=False).encode
for sql, parameters in statements:
    cursor = database.execute(sql, parameters)
    names = [column[0] for column in cursor.description]
    for row in cursor:
        sys.stdout.write(encode(dict(zip(names, row))) + "\\n")
"""
SIZES = (1_000, 10_000, 100_000)  # as bench_status.py
REPEATS = {1_000: 9, 10_000: 7, 100_000: 5}
IMPORT_REPEATS = {1_000: 3, 10_000: 2, 100_000: 1}


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float


@dataclass(frozen=True)
class Measure:
    """The median time of several runs of one command line, and the highest peak memory."""

    ms: float
    peak_mb: float
    runs: int

    @classmethod
    def of(cls, runs: Sequence[Run]) -> Measure:
        return cls(
            statistics.median(run.seconds for run in runs) * 1000,
            max(run.peak_mb for run in runs),
            len(runs),
        )


@dataclass(frozen=True)
class Command:
    """A command line to time, how many times, and its environment (None: this one's)."""

    argv: Sequence[str]
    repeats: int
    env: dict[str, str] | None = None


def run_once(argv: Sequence[str], env: dict[str, str] | None = None) -> Run:
    """One process, to its end: its wall time and peak resident memory. Fails loudly on a
    non-zero exit, so a broken command is never timed as a fast one."""
    _still_small()
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(
            list(argv), stdout=subprocess.DEVNULL, stderr=errors, env=env or os.environ.copy()
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace").strip()
            raise SystemExit(f"{' '.join(argv)} exited {process.returncode}: {message}")
    return Run(seconds, usage.ru_maxrss / 1024)  # ru_maxrss is in KiB on Linux


def measure(argv: Sequence[str], repeats: int, env: dict[str, str] | None = None) -> Measure:
    return Measure.of([run_once(argv, env) for _ in range(repeats)])


def measure_in_turn(commands: dict[str, Command]) -> dict[str, Measure]:
    """Each command's median, measured in rounds: one run of every command in turn, until each
    has had its repeats. A machine that slows down for a while (another process, a cold
    cache) then slows both sides of a ratio alike, where timing one command's runs and then
    the other's would put the slow spell in one side only."""
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    for round_number in range(max(command.repeats for command in commands.values())):
        for name, command in commands.items():
            if round_number < command.repeats:
                runs[name].append(run_once(command.argv, command.env))
    return {name: Measure.of(done) for name, done in runs.items()}


# What this process may grow to: Python and the standard library take about 10 MB.
_OWN_PEAK_MB = 40


def _still_small() -> None:
    """Fail if this process has grown: the peak memory of a command it starts would then
    include this process's own (see the module's docstring), and every figure be too high."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if own > _OWN_PEAK_MB:
        raise SystemExit(
            f"the benchmark's own process grew to {own:.0f} MB: do large work in a helper process"
        )


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def write_programme_file(folder: Path, size: int) -> Path:
    """The synthetic programme at ``size`` milestones as a programme file (in a process of
    its own, like everything that needs the project's code)."""
    path = folder / f"programme-{size}.toml"
    helper = [sys.executable, __file__, "write-file", str(size), str(path)]
    subprocess.run(helper, check=True)
    return path


def _write_file(size: int, path: Path) -> None:
    from bench_status import SEED, Programme

    from tracker.migrate import open_database
    from tracker.services.exporter import export_programme
    from tracker.tomlwriter import dumps

    database = open_database(str(path.with_suffix(".db")))
    try:
        programme = Programme(SEED)
        with database.writing() as session:
            programme.write_skeleton(session)
        with database.writing() as session:
            programme.write_milestones(session, size)
        with database.reading() as session:
            document = export_programme(session=session)
    finally:
        database.dispose()
    path.write_text(dumps(document), "utf-8")


def as_json(folder: Path, database: Path, size: int) -> Path:
    """The same programme as a JSON programme file (``mou export --format json``): the form
    taskwarrior's ``task import`` reads, for a like-for-like comparison."""
    path = folder / f"programme-{size}.json"
    run_once([MOU, "export", "--format", "json", "--out", str(path), "--db", str(database)])
    return path


def imported(folder: Path, programme: Path, size: int) -> tuple[Measure, Path]:
    """``mou import`` into a new database each time; the last one is kept for the reads."""
    runs = []
    for attempt in range(IMPORT_REPEATS[size]):
        target = folder / f"imported-{programme.suffix[1:]}-{size}-{attempt}.db"
        runs.append(run_once([MOU, "import", str(programme), "--db", str(target)]))
    return Measure.of(runs), target


def make_later_changes(database: Path, count: int) -> None:
    """``count`` commands after the moment ``--recorded-by`` goes back to: forecasts slipped on
    as many milestones, each its own command in the audit trail (run in one process, through
    the command line's own entry point, to save a process start per change)."""
    helper = [sys.executable, __file__, "later-changes", str(database), str(count)]
    subprocess.run(helper, check=True)


def _later_changes(database: Path, count: int) -> None:
    from typer.testing import CliRunner

    from tracker.cli.app import app

    runner = CliRunner()
    env = {"MOU_DATABASE_URL": f"sqlite:///{database}", "MOU_DB": None}
    for number in range(1, count + 1):
        result = runner.invoke(
            app,
            ["update-milestone", f"MS-{number * 97:06d}", "--forecast", "2029-03-31"],
            env=env,
        )
        if result.exit_code != 0:
            raise SystemExit(f"change {number}: {result.output}")


def listing_statements(folder: Path, database: Path) -> Path:
    """The SQL (as sent to SQLite, with its parameters) that the quarterly report runs to
    list its milestones and exceptions, captured in a process of its own."""
    path = folder / "listing.json"
    helper = [sys.executable, __file__, "listing-sql", str(database), str(path)]
    subprocess.run(helper, check=True)
    return path


def _listing_sql(database_path: Path, path: Path) -> None:
    import sqlalchemy as sa

    from tracker.migrate import open_database
    from tracker.periods import Scheme, parse_quarter
    from tracker.services.reports import quarterly_report
    from tracker.services.settings import tolerances

    as_of = dt.date.fromisoformat(AS_OF)
    database = open_database(str(database_path))
    captured: list[tuple[str, list[object]]] = []

    def capture(_conn: object, _cursor: object, sql: str, parameters: Any, *_: object) -> None:
        captured.append((sql, list(parameters)))

    try:
        with database.reading_rows() as connection:
            quarter = parse_quarter(QUARTER, scheme=Scheme.UK_FY, today=as_of)
            report = quarterly_report(
                session=connection,
                quarter=quarter,
                as_of=as_of,
                tolerances=tolerances(session=connection),
            )
            sa.event.listen(connection, "before_cursor_execute", capture)
            for section in (report.milestones, report.exceptions):
                for _ in section:
                    pass
    finally:
        database.dispose()
    path.write_text(json.dumps(captured), "utf-8")


def status_during_import(folder: Path, programme: Path, base: Path, repeats: int) -> Measure:
    """``mou status`` on a database (the 1,000-milestone programme) while ``mou import`` of the
    100,000-milestone file is writing to it: started once the import is under way."""
    target = folder / "during.db"
    shutil.copyfile(base, target)
    importer = subprocess.Popen(
        [MOU, "import", str(programme), "--db", str(target)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(2.0)  # past reading and checking the file: the import is writing
        runs = []
        for _ in range(repeats):
            if importer.poll() is not None:
                break
            runs.append(run_once([MOU, "status", "--as-of", AS_OF, "--db", str(target)]))
        still_writing = importer.poll() is None
    finally:
        if importer.wait() != 0:
            raise SystemExit("the import under the reads failed")
    if not runs or not still_writing:
        raise SystemExit("the import ended before the reads: no reading during a write measured")
    return Measure.of(runs)


def taskwarrior(folder: Path, size: int, source: Path) -> tuple[Measure, Command] | None:
    """``task import`` of the same milestones, one task each (project the workstream, due
    date, done or pending), measured; and ``task summary`` of them, to be measured with the
    reads it is compared with. None when taskwarrior is not installed."""
    task = shutil.which("task")
    if task is None:
        return None
    items_path = folder / f"tasks-{size}.json"
    # In a process of its own: the file read whole here would raise the peak memory of every
    # command this process starts afterwards.
    helper = [sys.executable, __file__, "task-items", str(source), str(items_path)]
    subprocess.run(helper, check=True)
    data = folder / f"taskdata-{size}"
    data.mkdir()
    rc = folder / "taskrc"
    rc.write_text(f"data.location={data}\nconfirmation=off\nverbose=nothing\n", "utf-8")
    env = {**os.environ, "TASKRC": str(rc), "TASKDATA": str(data)}
    loaded = Measure.of([run_once([task, "import", str(items_path)], env)])
    return loaded, Command([task, "summary"], REPEATS[size], env)


def _task_items(source: Path, items_path: Path) -> None:
    import tomllib

    document = tomllib.loads(source.read_text("utf-8"))
    workstreams = {ws["ref"]: ws["ref"] for ws in document.get("workstreams", [])}
    items = []
    for milestone in document.get("milestones", []):
        done = milestone.get("status") == "done"
        items.append(
            {
                "description": milestone["title"],
                "project": workstreams.get(milestone["workstream"], milestone["workstream"]),
                "due": f"{milestone['due'].isoformat().replace('-', '')}T000000Z",
                "status": "completed" if done else "pending",
                **({"end": "20261128T000000Z"} if done else {}),
            }
        )
    items_path.write_text(json.dumps(items), "utf-8")


def _compiled_as_installed() -> None:
    """mou's modules with their bytecode written, as installing the wheel writes it (pip
    compiles a package's modules). The libraries of the floor have theirs; a checkout on a
    machine that sets PYTHONDONTWRITEBYTECODE would otherwise compile every mou module from
    source in every process: 60 ms of a status that no installed mou spends."""
    import compileall

    compileall.compile_dir(Path(__file__).resolve().parent.parent / "tracker", quiet=1)


def main() -> None:
    started = time.perf_counter()
    print(f"whole-process benchmark: Python {sys.version.split()[0]}")
    _compiled_as_installed()
    rows: list[tuple[str, str, str, str]] = [("work", "runs", "median ms", "peak MB")]

    def row(name: str, measured: Measure) -> Measure:
        rows.append((name, str(measured.runs), f"{measured.ms:,.0f}", f"{measured.peak_mb:.0f}"))
        print(f"  {name}: {measured.ms:,.0f} ms, {measured.peak_mb:.0f} MB", flush=True)
        return measured

    with tempfile.TemporaryDirectory(prefix="mou-bench-") as name:
        folder = Path(name)
        # The writes first: each import makes the database that reads are then timed on.
        files, databases, imports = {}, {}, {}
        for size in SIZES:
            files[size] = write_programme_file(folder, size)
            imports[size], databases[size] = imported(folder, files[size], size)
            row(f"mou import, {size:,} milestones", imports[size])
        largest = databases[SIZES[-1]]
        json_file = as_json(folder, largest, SIZES[-1])
        json_import = row(
            f"mou import, {SIZES[-1]:,} milestones, JSON", imported(folder, json_file, SIZES[-1])[0]
        )
        tasks = taskwarrior(folder, SIZES[-1], files[SIZES[-1]])
        if tasks is not None:
            row(f"task import, {SIZES[-1]:,}", tasks[0])
        listing = listing_statements(folder, largest)

        # Then every read a ratio compares, in rounds (measure_in_turn).
        report = [MOU, "report", "quarterly", "-q", QUARTER, "--as-of", AS_OF, "--format", "json"]
        reads = {
            f"python -c '{FLOOR}'": Command(python(FLOOR), 9),
            f"python -c '{HELP_FLOOR}'": Command(python(HELP_FLOOR), 9),
            "mou --help": Command([MOU, "--help"], 9),
            **{
                f"mou status, {size:,}": Command(
                    [MOU, "status", "--as-of", AS_OF, "--db", str(databases[size])], REPEATS[size]
                )
                for size in SIZES
            },
            **{
                f"mou report quarterly --format json, {size:,}": Command(
                    [*report, "--db", str(databases[size])], 5
                )
                for size in (SIZES[0], SIZES[-1])
            },
            f"report listing floor, {SIZES[-1]:,}": Command(
                [*python(LISTING_FLOOR), str(listing), str(largest)], 5
            ),
        }
        if tasks is not None:
            reads[f"task summary, {SIZES[-1]:,}"] = tasks[1]
        print(f"  {len(reads)} reads, one run of each in turn …", flush=True)
        read = {name: row(name, measured) for name, measured in measure_in_turn(reads).items()}
        floor, help_floor = read[f"python -c '{FLOOR}'"], read[f"python -c '{HELP_FLOOR}'"]
        helped = read["mou --help"]
        statuses = {size: read[f"mou status, {size:,}"] for size in SIZES}
        reports = {
            size: read[f"mou report quarterly --format json, {size:,}"]
            for size in (SIZES[0], SIZES[-1])
        }
        listing_floor = read[f"report listing floor, {SIZES[-1]:,}"]
        summary = read.get(f"task summary, {SIZES[-1]:,}")

        moment = dt.datetime.now().replace(microsecond=0) + dt.timedelta(seconds=1)
        time.sleep(1.1)  # the later changes are strictly after the moment
        make_later_changes(largest, LATER_CHANGES)
        status = [MOU, "status", "--as-of", AS_OF, "--db", str(largest)]
        after = measure_in_turn(
            {
                "plain": Command(status, 5),
                "recorded": Command([*status, "--recorded-by", moment.isoformat()], 5),
            }
        )
        plain = row(f"mou status, {SIZES[-1]:,}, after the changes", after["plain"])
        recorded = row(f"… --recorded-by before {LATER_CHANGES:,} changes", after["recorded"])
        during = row(
            f"mou status, {SIZES[0]:,}, during a {SIZES[-1]:,} import",
            status_during_import(folder, files[SIZES[-1]], databases[SIZES[0]], 5),
        )

    print()
    print(table(rows))
    print()
    small, large = SIZES[0], SIZES[-1]
    ratios: list[tuple[str, float, float | None]] = [
        ("status 1k / import floor", statuses[small].ms / floor.ms, 1.15),
        ("--help / import typer + rich.console", helped.ms / help_floor.ms, 1.5),
        ("report 100k / status 100k", reports[large].ms / statuses[large].ms, 1.0),
        # For reference: the least a report must do to list its rows, against the status.
        ("report listing floor / status 100k", listing_floor.ms / statuses[large].ms, None),
        ("report 100k / report listing floor", reports[large].ms / listing_floor.ms, None),
        ("status memory 100k / 1k", statuses[large].peak_mb / statuses[small].peak_mb, 1.2),
        ("report memory 100k / 1k", reports[large].peak_mb / reports[small].peak_mb, 1.2),
        ("--recorded-by / plain status, 100k", recorded.ms / plain.ms, 2.0),
        ("status during a 100k import / alone, 1k", during.ms / statuses[small].ms, 3.0),
        ("import 100k seconds / 10 s", imports[large].ms / 10_000, 1.0),
        ("import 100k memory / 150 MB", imports[large].peak_mb / 150, 1.0),
        ("import 100k JSON memory / 150 MB", json_import.peak_mb / 150, 1.0),
    ]
    if tasks is not None and summary is not None:
        ratios.append(("status 100k / task summary", statuses[large].ms / summary.ms, 1.0))
        ratios.append(("import 100k / task import", imports[large].ms / tasks[0].ms, 1.6))
        ratios.append(("import 100k JSON / task import", json_import.ms / tasks[0].ms, 1.6))
    else:
        print("taskwarrior (`task`) is not installed: its import and summary were skipped")
    lines = [("ratio", "measured", "target", "")]
    for name, value, target in ratios:
        verdict = "" if target is None else ("met" if value <= target else "NOT met")
        lines.append((name, f"{value:.2f}", f"≤ {target:.2f}" if target else "", verdict))
    print(table(lines))
    print(f"\ntotal benchmark time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    if sys.argv[1:2] == ["write-file"]:
        _write_file(int(sys.argv[2]), Path(sys.argv[3]))
    elif sys.argv[1:2] == ["listing-sql"]:
        _listing_sql(Path(sys.argv[2]), Path(sys.argv[3]))
    elif sys.argv[1:2] == ["later-changes"]:
        _later_changes(Path(sys.argv[2]), int(sys.argv[3]))
    elif sys.argv[1:2] == ["task-items"]:
        _task_items(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        main()
