"""``mou report quarterly`` through the command line: the board's folder, byte for byte."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli
from tests.golden import GOLDEN
from tests.helpers import MINIMAL, milestone_toml, snapshot
from tracker.db import Database

FILES = [
    "summary.csv",
    "milestone_summary.csv",
    "milestones.csv",
    "theme_progress.csv",
    "institution_progress.csv",
    "visits.csv",
    "actions.csv",
    "risks.csv",
    "issues.csv",
    "kpis.csv",
    "changes.csv",
    "milestone_exceptions.csv",
    "commentary.csv",
    "delivery_by_quarter.csv",
]


def test_the_example_report_folder_is_pinned(example_cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = example_cli("report", "quarterly", "--quarter", "FY2026/27 Q3", "--as-of",
                         "2026-11-28", "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result
    assert result.stdout.splitlines() == [
        f"Wrote the FY2026/27 Q3 report (to date, as of 2026-11-28) to {out}:",
        "  summary.csv: 1 row",
        "  milestone_summary.csv: 17 rows",
        "  milestones.csv: 5 rows",
        "  theme_progress.csv: 11 rows",
        "  institution_progress.csv: 5 rows",
        "  visits.csv: 1 row",
        "  actions.csv: 6 rows",
        "  risks.csv: 8 rows",
        "  issues.csv: 2 rows",
        "  kpis.csv: 4 rows",
        # The database was loaded after 28 November: nothing had changed by then.
        "  changes.csv: 0 rows",
        "  milestone_exceptions.csv: 4 rows",
        "  commentary.csv: 0 rows",
        "  delivery_by_quarter.csv: 6 rows",
    ]
    assert sorted(path.name for path in out.iterdir()) == sorted(FILES)  # no temporary files
    golden = GOLDEN / "report_fy2026-27_q3"
    for name in FILES:
        data = (out / name).read_bytes()
        if os.environ.get("MOU_UPDATE_GOLDEN") == "1":
            golden.mkdir(exist_ok=True)
            (golden / name).write_bytes(data)
        assert data == (golden / name).read_bytes(), name
        assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
        assert data.count(b"\r\n") == data.count(b"\n")  # CRLF line ends throughout


def read(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"))))


def test_default_quarter_is_the_latest_ended_and_as_of_its_last_day(
    example_cli: Cli, tmp_path: Path
) -> None:
    from tracker.cli.context import today
    from tracker.periods import Scheme, last_ended_quarter

    expected = last_ended_quarter(today(), Scheme.UK_FY)
    example_cli("report", "quarterly", "--out", str(tmp_path))
    summary = read(tmp_path / "summary.csv")[0]
    assert (summary["period"], summary["as_of"]) == (expected.label, expected.end.isoformat())
    assert (summary["green_tol_days"], summary["red_tol_days"], summary["scheme"]) == (
        "7",
        "30",
        "uk-fy",
    )


@pytest.mark.parametrize(
    ("args", "label", "start", "end"),
    [
        (["--quarter", "AY2025/26 Q3"], "AY2025/26 Q3", "2026-02-01", "2026-04-30"),
        (["--scheme", "calendar", "--quarter", "2026 Q1"], "2026 Q1", "2026-01-01", "2026-03-31"),
        (["--quarter", "fy26/27 q1"], "FY2026/27 Q1", "2026-04-01", "2026-06-30"),
    ],
)
def test_schemes_and_labels(
    example_cli: Cli, tmp_path: Path, args: list[str], label: str, start: str, end: str
) -> None:
    result = example_cli("report", "quarterly", *args, "--out", str(tmp_path))
    assert result.exit_code == 0, result
    summary = read(tmp_path / "summary.csv")[0]
    assert (summary["period"], summary["start"], summary["end"]) == (label, start, end)


def test_the_scheme_setting_is_the_default(example_cli: Cli, tmp_path: Path) -> None:
    example_cli("config", "set", "scheme", "academic")
    example_cli("report", "quarterly", "-q", "previous", "--out", str(tmp_path))
    assert read(tmp_path / "summary.csv")[0]["scheme"] == "academic"


def test_an_existing_report_is_not_overwritten_without_force(
    example_cli: Cli, tmp_path: Path
) -> None:
    args = ["report", "quarterly", "-q", "FY2026/27 Q2", "--out", str(tmp_path)]
    assert example_cli(*args).exit_code == 0
    (tmp_path / "summary.csv").write_text("edited by hand", "utf-8")
    refused = example_cli(*args)
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"error: --out: {tmp_path} already holds {', '.join(FILES)}; use --force to replace them\n"
    )
    assert (tmp_path / "summary.csv").read_text("utf-8") == "edited by hand"
    assert example_cli(*args, "--force").exit_code == 0
    assert read(tmp_path / "summary.csv")[0]["period"] == "FY2026/27 Q2"


def test_formula_cells_are_guarded_and_numbers_stay_numbers(cli: Cli, tmp_path: Path) -> None:
    hostile = MINIMAL.replace('name = "Workstream one"', 'name = "=HYPERLINK(\\"x\\")"')
    programme = tmp_path / "p.toml"
    programme.write_text(
        hostile
        + milestone_toml("M1", due="2026-07-10").replace(
            'title = "Milestone M1"', "title = \"=cmd|' /C calc'!A0\""
        )
        + milestone_toml("M2", due="2026-08-10", forecast="2026-08-01").replace(
            'title = "Milestone M2"', 'title = "+1 for \uff1dSUM(A1)"'
        ),
        "utf-8",
    )
    assert cli("import", str(programme)).exit_code == 0
    out = tmp_path / "out"
    result = cli("report", "quarterly", "-q", "FY2026/27 Q2", "--out", str(out))
    assert result.exit_code == 0, result
    rows = {row["ref"]: row for row in read(out / "milestones.csv")}
    assert rows["M1"]["title"] == "'=cmd|' /C calc'!A0"
    assert rows["M2"]["title"] == "'+1 for \uff1dSUM(A1)"
    assert rows["M2"]["slippage_days"] == "-9"  # a negative number is a number, not a formula
    names = {row["scope"]: row["name"] for row in read(out / "theme_progress.csv")}
    assert names["TOP"] == "Top theme"


def test_terminal_and_json_views(example_cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    # The terminal shows the board pack (tests/test_board_pack.py pins it whole).
    shown = example_cli("report", "quarterly", "-q", "FY2026/27 Q3", "--as-of", "2026-11-28")
    assert shown.exit_code == 0, shown
    assert shown.stdout.splitlines()[1] == (
        "Board pack for FY2026/27 Q3 (2026-10-01 to 2026-12-31), to date, as of 2026-11-28"
    )
    assert "On time means completed within 7 days of due" in " ".join(shown.stdout.split())
    # One section shows as the files hold it, under the report's heading.
    section = example_cli(
        "report", "quarterly", "-q", "FY2026/27 Q3", "--as-of", "2026-11-28", "--section", "kpis"
    )
    assert section.stdout.splitlines()[1] == (
        "Quarterly report FY2026/27 Q3 (2026-10-01 to 2026-12-31), to date, as of 2026-11-28: RED"
    )
    assert section.stdout.splitlines()[5] == "KPIs"
    # Its rows read two at a time, so that every section's read goes on past a batch.
    monkeypatch.setattr("tracker.services.reports._BATCH", 2)
    streamed = example_cli(
        "report", "quarterly", "-q", "FY2026/27 Q3", "--as-of", "2026-11-28", "-f", "json"
    )
    document = json.loads(streamed.stdout)
    assert list(document) == [
        "summary", "milestone_summary", "milestones", "theme_progress",
        "institution_progress", "visits", "actions", "risks", "issues", "kpis", "changes",
        "milestone_exceptions", "commentary", "delivery_by_quarter", "mou",
    ]  # fmt: skip
    assert document["summary"]["pct_on_time"] == 50.0  # to date: of the two due before 28 Nov
    # The same quarter and as-of date as the pinned folder: the same rows, in its order.
    for name in ("milestones", "milestone_exceptions"):
        pinned = read(GOLDEN / "report_fy2026-27_q3" / f"{name}.csv")
        assert [row["ref"] for row in document[name]] == [row["ref"] for row in pinned]
    # The whole document is written as its rows are read; with --section it is built first.
    # Both are the same document.
    built = example_cli(
        "report", "quarterly", "-q", "FY2026/27 Q3", "--as-of", "2026-11-28", "-f", "json",
        "--section", "kpis",
    )  # fmt: skip
    assert built.stdout == streamed.stdout
    assert (document["summary"]["to_date"], document["summary"]["due_rest_of_period"]) == (True, 2)


def _sqlite_path(database: Database) -> str:
    if database.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's locks: PostgreSQL's readers never hold writers back")
    path = database.engine.url.database
    assert path is not None
    return path


def test_the_json_is_written_out_after_the_read_has_ended(
    example_cli: Cli, example_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pager reading a large report slowly must not keep the database read open (on
    SQLite, writers would wait for it): by the time the JSON is written out, another
    connection takes the database's exclusive lock at once."""
    import tracker.cli.render as render

    path = _sqlite_path(example_db)
    write_out = render.write_data
    checked = []

    def locked_at_once(text: Any) -> None:
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")  # "database is locked" while a read is open
        other.execute("ROLLBACK")
        other.close()
        checked.append(path)
        write_out(text)

    monkeypatch.setattr(render, "write_data", locked_at_once)
    result = example_cli("report", "quarterly", "-q", "FY2026/27 Q3", "-f", "json")
    assert result.exit_code == 0, result
    assert checked == [path]
    assert json.loads(result.stdout)["summary"]["period"] == "FY2026/27 Q3"


def test_a_write_committing_while_the_report_is_made_goes_through(
    example_cli: Cli, example_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What changed since the last quarter is worked out on connections of its own. Were the
    report's read still open then, a writer committing meanwhile would wait for that read,
    and the read's second connection for the writer, until both gave up."""
    import tracker.db
    import tracker.services.changes as changes

    path = _sqlite_path(example_db)
    monkeypatch.setattr(tracker.db, "BUSY_TIMEOUT_MS", 2_000)  # a quick failure, not 30 s
    outcome: list[str] = []

    def write() -> None:  # another command's write transaction, committing meanwhile
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("PRAGMA busy_timeout = 2000")
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE milestone SET title = 'Edited meanwhile' WHERE ref = 'MS-13'")
        try:
            other.execute("COMMIT")
            outcome.append("committed")
        except sqlite3.OperationalError as error:
            outcome.append(str(error))
        other.close()

    worked_out = changes.since_last_quarter

    def with_a_writer(*args: Any, **kwargs: Any) -> Any:
        writer = threading.Thread(target=write)
        writer.start()
        time.sleep(0.3)  # the writer is waiting to commit
        try:
            return worked_out(*args, **kwargs)
        finally:
            writer.join()

    monkeypatch.setattr(changes, "since_last_quarter", with_a_writer)
    result = example_cli(
        "report", "quarterly", "-q", "FY2026/27 Q3", "--as-of", "2026-11-28", "-f", "json"
    )
    assert outcome == ["committed"]
    assert result.exit_code == 0, result


def test_what_changed_goes_no_further_than_the_report_s_read(
    example_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What changed is worked out after the report's read has ended, on reads of its own: it
    goes up to the newest command that read saw, so a command committing in between shows in
    neither the figures nor what changed."""
    import tracker.services.changes as changes

    worked_out = changes.since_last_quarter

    def after_another_command(*args: Any, **kwargs: Any) -> Any:
        added = example_cli("add-milestone", "Added meanwhile", "-w", "WS01", "--due", "2026-12-15")
        assert added.exit_code == 0, added
        return worked_out(*args, **kwargs)

    monkeypatch.setattr(changes, "since_last_quarter", after_another_command)
    document = json.loads(
        example_cli("report", "quarterly", "-q", "FY2026/27 Q3", "-f", "json").stdout
    )
    listed = {line["ref"] for line in document["milestones"]}
    changed = {row["ref"] for row in document["changes"] if row["kind"] == "milestone"}
    monkeypatch.undo()
    again = json.loads(
        example_cli("report", "quarterly", "-q", "FY2026/27 Q3", "-f", "json").stdout
    )
    now_listed = {line["ref"] for line in again["milestones"]}
    now_changed = {row["ref"] for row in again["changes"] if row["kind"] == "milestone"}
    (added,) = now_listed - listed  # the next report has it, in both places
    assert changed == now_changed - {added}


def test_a_completion_after_the_as_of_date_shows_the_status_before_it(
    example_cli: Cli,
) -> None:
    """As of a date before a milestone was completed, its line shows the status it had then
    (read from the trail: here "planned", not the "in_progress" a missing trail gives)."""
    shown = json.loads(example_cli("show", "MS-16", "-f", "json").stdout)
    assert shown["fields"]["status"] == "planned"
    assert example_cli("update-milestone", "MS-16", "--done", "2026-11-29").exit_code == 0
    document = json.loads(
        example_cli(
            "report", "quarterly", "-q", "FY2026/27 Q3", "--as-of", "2026-11-28", "-f", "json"
        ).stdout
    )
    lines = [
        line
        for name in ("milestones", "milestone_exceptions")
        for line in document[name]
        if line["ref"] == "MS-16"
    ]
    assert lines
    assert {(line["status"], line["completed"]) for line in lines} == {("planned", None)}


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["-q", "Q5 2026"], 1, "error: quarter: expected a label such as"),
        (["--scheme", "fiscal"], 1, "error: scheme: expected one of uk-fy, academic, calendar"),
        (["--as-of", "31/02/2026"], 1, "error: --as-of: 31/02/2026 is not a day of the calendar"),
        (["--out", "x", "-f", "json"], 2, "error: --format: the files in --out are always CSV"),
        (
            ["-q", "FY1899/00 Q1"],
            1,
            "error: quarter: FY1899/00 Q1 is outside the years 1900 to 2199\n",
        ),
    ],
)
def test_bad_input(example_cli: Cli, args: list[str], code: int, message: str) -> None:
    result = example_cli("report", "quarterly", *args)
    assert (result.exit_code, result.stdout) == (code, "")
    assert result.stderr.startswith(message)
    assert len(result.stderr.splitlines()) == 1


def test_a_quarter_outside_the_years_is_never_issued(
    example_cli: Cli, example_db: Database
) -> None:
    """report quarterly ran for FY1899/00 Q1 and report issue stored FY2200/01 Q1: both are
    outside the years every date of mou keeps to."""
    before = snapshot(example_db)
    for label in ("FY1899/00 Q1", "FY2200/01 Q1", "FY2199/00 Q4"):
        result = example_cli("report", "issue", "-q", label)
        assert (result.exit_code, result.stdout, result.stderr) == (
            1,
            "",
            f"error: quarter: {label} is outside the years 1900 to 2199\n",
        )
    assert snapshot(example_db) == before
    assert example_cli("report", "quarterly", "-q", "FY2199/00 Q3", "-f", "json").exit_code == 0


def test_out_must_be_a_folder(example_cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "file.csv"
    target.write_text("x", "utf-8")
    result = example_cli("report", "quarterly", "--out", str(target))
    assert result.stderr == f"error: --out: {target} is a file; expected a folder for the report\n"


def test_the_current_quarter_is_reported_to_date_by_default(
    example_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On 29 November, MS-13 (due 4 December) is still to come, not missed.
    monkeypatch.setattr("tracker.cli.context.today", lambda: dt.date(2026, 11, 29))
    result = example_cli("report", "quarterly", "-q", "current", "-f", "json")
    assert result.exit_code == 0, result
    document = json.loads(result.stdout)
    summary = document["summary"]
    assert (summary["as_of"], summary["to_date"]) == ("2026-11-29", True)
    missed = [line["ref"] for line in document["milestones"] if line["missed"]]
    assert "MS-13" not in missed
    assert summary["due_rest_of_period"] == 2
    table = example_cli("report", "quarterly", "-q", "current")
    assert "to date, as of 2026-11-29" in table.stdout
