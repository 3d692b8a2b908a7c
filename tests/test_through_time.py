"""The programme through time: as recorded at any moment, reports as issued, trend, and what
changed. Everything through the command line, on both backends."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli
from tests.helpers import MINIMAL, milestone_toml
from tracker.dates import parse_moment
from tracker.services.rag import trend

AS_OF = "2026-11-28"


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def ok(result: Any) -> str:
    assert result.exit_code == 0, result
    return str(result.stdout)


def as_json(result: Any) -> Any:
    return json.loads(ok(result))


# --- as recorded at a moment -----------------------------------------------------------


def test_every_read_command_sees_the_programme_as_recorded(example_cli: Cli) -> None:
    reads = [
        ("status", "--as-of", AS_OF, "-f", "json"),
        ("status", "--as-of", AS_OF, "--tree"),
        ("list", "milestones", "--as-of", AS_OF, "-f", "csv"),
        ("list", "visits", "-f", "json"),
        ("show", "MS-14", "--as-of", AS_OF),
        ("show", "V04", "-f", "json"),
        ("report", "quarterly", "-q", "FY2026/27 Q3", "--as-of", AS_OF, "-f", "json"),
        ("export",),
        ("export", "-f", "json"),
    ]
    before = {read: ok(example_cli(*read)) for read in reads}
    moment = now()
    ok(example_cli("update-milestone", "MS-14", "--done", "2026-11-27"))
    ok(example_cli("remove-visit", "V04", "--cascade"))
    ok(example_cli("add-milestone", "Later", "-w", "WS01", "--due", "2027-06-30"))
    ok(example_cli("config", "set", "green_tol_days", "14"))
    ok(example_cli("update-institution", "OXF", "--name", "Oxford University"))
    for read in reads:
        assert ok(example_cli(*read, "--recorded-by", moment)) == before[read], read
    # And the live data did change.
    assert ok(example_cli("export")) != before[("export",)]


def test_going_back_over_many_changes_to_one_kind(cli: Cli, tmp_path: Path) -> None:
    """More than fifty milestones changed since the moment: the rebuild reads them at once
    and writes their old values with one flush, and the past still reads as it was, with
    a record changed several times, a list (depends_on) changed, one removed, one added."""
    programme = tmp_path / "programme.toml"
    refs = [f"M{number:02d}" for number in range(60)]
    programme.write_text(MINIMAL + "".join(milestone_toml(ref, due="2026-08-03") for ref in refs))
    ok(cli("import", str(programme)))
    ok(cli("update-milestone", "M01", "--depends-on", "M00"))
    reads = [
        ("status", "--as-of", AS_OF, "-f", "json"),
        ("list", "milestones", "--as-of", AS_OF, "-f", "csv"),
        ("show", "M01", "--as-of", AS_OF, "-f", "json"),
        ("export",),
    ]
    before = {read: ok(cli(*read)) for read in reads}
    moment = now()
    # Taken back last: a change to a column alone, written only by the rebuild's last flush.
    ok(cli("update-milestone", "M07", "--title", "Renamed before the import"))
    programme.write_text(
        MINIMAL
        + "".join(
            milestone_toml(ref, due="2026-09-14", forecast="2026-12-07", completed=None)
            for ref in refs
        )
    )
    ok(cli("import", str(programme)))
    ok(cli("update-milestone", "M01", "--depends-on", "M02,M03"))
    ok(cli("update-milestone", "M02", "--forecast", "2027-01-11"))
    ok(cli("update-milestone", "M02", "--done", "2026-11-20"))
    ok(cli("remove-milestone", "M05"))
    ok(cli("add-milestone", "Added later", "-w", "W1", "--due", "2026-10-05"))
    for read in reads:
        assert ok(cli(*read, "--recorded-by", moment)) == before[read], read
    assert ok(cli("export")) != before[("export",)]


def test_the_as_of_date_defaults_to_the_recorded_date(example_cli: Cli) -> None:
    document = as_json(example_cli("status", "-f", "json", "--recorded-by", "2199-12-31"))
    assert document["as_of"] == "2199-12-31"
    explicit = as_json(
        example_cli("status", "-f", "json", "--recorded-by", "2199-12-31", "--as-of", AS_OF)
    )
    assert explicit["as_of"] == AS_OF


def test_a_moment_before_the_programme_was_recorded_is_refused(example_cli: Cli) -> None:
    result = example_cli("status", "--recorded-by", "2020-01-01")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: --recorded-by: the programme was first recorded at ")
    assert result.stderr.endswith(
        "UTC (command 1); before that this database held nothing to show\n"
    )


def test_a_moment_before_a_partial_trail_is_refused(example_cli: Cli, example_db: Any) -> None:
    """Data older than the trail (the load's own record is gone): not known, so not guessed."""
    import sqlalchemy as sa

    with example_db.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM audit_entry"))
        connection.execute(sa.text("DELETE FROM audit_command"))
    ok(example_cli("update-milestone", "MS-13", "--title", "Renamed"))
    result = example_cli("status", "--recorded-by", "2020-01-01")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: --recorded-by: the audit trail begins at ")
    assert result.stderr.endswith(
        "UTC; nothing earlier is recorded, so what the database held then is not known\n"
    )


def test_a_database_without_a_trail_says_so(example_cli: Cli, example_db: Any) -> None:
    import sqlalchemy as sa

    with example_db.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM audit_entry"))
        connection.execute(sa.text("DELETE FROM audit_command"))
    result = example_cli("status", "--recorded-by", AS_OF)
    assert (result.exit_code, result.stderr) == (
        1,
        "error: --recorded-by: the audit trail of this database is empty, so what it held at an "
        "earlier moment is not known\n",
    )


def test_reading_as_recorded_never_writes(example_cli: Cli, example_db: Any) -> None:
    from tests.helpers import snapshot

    moment = now()
    ok(example_cli("update-milestone", "MS-13", "--title", "Renamed"))
    before = snapshot(example_db)
    ok(example_cli("status", "--recorded-by", moment))
    ok(example_cli("export", "--recorded-by", moment))
    assert snapshot(example_db) == before


def test_a_date_time_without_a_zone_is_local_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        moment, day = parse_moment(
            "2026-09-30T17:00", field="--recorded-by", today=dt.date(2026, 11, 28)
        )
        assert (moment, day) == (dt.datetime(2026, 9, 30, 21, 0), dt.date(2026, 9, 30))
        end, _ = parse_moment("2026-09-30", field="--recorded-by", today=dt.date(2026, 11, 28))
        assert end == dt.datetime(2026, 10, 1, 3, 59, 59, 999999)  # the end of that local day
        utc, _ = parse_moment("2026-09-30T17:00Z", field="--recorded-by", today=dt.date.today())
        assert utc == dt.datetime(2026, 9, 30, 17, 0)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


# --- reports as issued -----------------------------------------------------------------


def test_issue_a_report_and_see_it_as_issued(example_cli: Cli, tmp_path: Path) -> None:
    issued = example_cli(
        "--actor",
        "Jo Bloggs",
        "report",
        "issue",
        "-q",
        "FY2026/27 Q2",
        "--note",
        "Board of 14 October",
    )
    lines = ok(issued).splitlines()
    assert lines[0].startswith(
        "Issued the FY2026/27 Q2 report (as of 2026-09-30) as FY2026-27-Q2.1, by Jo Bloggs at "
    )
    fresh_before = ok(
        example_cli("report", "quarterly", "-q", "FY2026/27 Q2", "--fresh", "-f", "json")
    )
    # A correction recorded later, dated inside the quarter: the issued report never changes.
    ok(example_cli("update-milestone", "MS-09", "--done", "2026-09-25"))
    document = as_json(example_cli("report", "quarterly", "-q", "FY2026/27 Q2", "-f", "json"))
    assert document["issued"]["by"] == "Jo Bloggs"
    assert document["issued"]["note"] == "Board of 14 October"
    assert {k: v for k, v in document.items() if k != "issued"} == json.loads(fresh_before)
    fresh = as_json(
        example_cli("report", "quarterly", "-q", "FY2026/27 Q2", "--fresh", "-f", "json")
    )
    assert "issued" not in fresh
    assert fresh["summary"]["achieved_in_period"] == document["summary"]["achieved_in_period"] + 1
    table = ok(example_cli("report", "quarterly", "-q", "FY2026/27 Q2"))
    assert "as of 2026-09-30, as issued on " in table.splitlines()[1]
    assert table.splitlines()[1].endswith(" by Jo Bloggs")
    assert "\nNote: Board of 14 October\n" in table
    # Both write the same files in the same form.
    issued_out, fresh_out = tmp_path / "issued", tmp_path / "fresh"
    ok(example_cli("report", "quarterly", "-q", "FY2026/27 Q2", "--out", str(issued_out)))
    ok(example_cli("report", "quarterly", "-q", "FY2026/27 Q2", "--fresh", "--out", str(fresh_out)))
    assert sorted(p.name for p in issued_out.iterdir()) == sorted(
        p.name for p in fresh_out.iterdir()
    )
    assert (issued_out / "visits.csv").read_bytes() == (fresh_out / "visits.csv").read_bytes()
    assert (issued_out / "milestones.csv").read_bytes() != (
        fresh_out / "milestones.csv"
    ).read_bytes()


def test_issuing_again_needs_replace_and_keeps_the_earlier_issue(example_cli: Cli) -> None:
    ok(example_cli("report", "issue", "-q", "FY2026/27 Q2"))
    again = example_cli("report", "issue", "-q", "FY2026/27 Q2")
    assert again.exit_code == 1
    assert again.stderr.startswith("error: --quarter: FY2026/27 Q2 was issued on ")
    assert again.stderr.endswith("issue it again with --replace (the earlier issue is kept)\n")
    ok(example_cli("report", "issue", "-q", "FY2026/27 Q2", "--replace", "--note", "Corrected"))
    listed = as_json(example_cli("report", "issued", "-f", "json"))["issued"]
    assert [(row["ref"], row["in_force"], row["note"]) for row in listed] == [
        ("FY2026-27-Q2.1", False, None),
        ("FY2026-27-Q2.2", True, "Corrected"),
    ]
    assert (
        as_json(example_cli("report", "quarterly", "-q", "FY2026/27 Q2", "-f", "json"))["issued"][
            "ref"
        ]
        == "FY2026-27-Q2.2"
    )


def test_an_issue_is_undone_like_any_command(example_cli: Cli) -> None:
    ok(example_cli("report", "issue", "-q", "FY2026/27 Q2"))
    ok(example_cli("undo", "-y"))
    assert as_json(example_cli("report", "issued", "-f", "json"))["issued"] == []
    ok(example_cli("redo", "-y"))
    assert len(as_json(example_cli("report", "issued", "-f", "json"))["issued"]) == 1


def test_issued_reports_travel_with_the_programme(example_cli: Cli, tmp_path: Path) -> None:
    ok(example_cli("report", "issue", "-q", "FY2026/27 Q2", "--note", "Board"))
    exported = tmp_path / "programme.toml"
    ok(example_cli("export", "--out", str(exported)))
    other = Cli(f"sqlite:///{tmp_path / 'other.db'}")
    ok(other("import", str(exported)))
    assert ok(other("export")) == exported.read_text("utf-8")
    mine = as_json(example_cli("report", "quarterly", "-q", "FY2026/27 Q2", "-f", "json"))
    theirs = as_json(other("report", "quarterly", "-q", "FY2026/27 Q2", "-f", "json"))
    assert mine == theirs


def test_a_past_quarter_reproduces_from_its_end_when_it_was_not_issued(
    example_cli: Cli,
) -> None:
    moment = now()
    before = ok(example_cli("report", "quarterly", "-q", "FY2026/27 Q2", "-f", "json"))
    ok(example_cli("update-milestone", "MS-09", "--done", "2026-09-25"))
    ok(example_cli("add-milestone", "Late entry", "-w", "WS02", "--due", "2026-08-01"))
    assert ok(example_cli("report", "quarterly", "-q", "FY2026/27 Q2", "-f", "json")) != before
    again = example_cli(
        "report", "quarterly", "-q", "FY2026/27 Q2", "-f", "json", "--recorded-by", moment
    )
    assert ok(again) == before


def test_report_diff_names_what_differs_and_why(example_cli: Cli) -> None:
    ok(example_cli("report", "issue", "-q", "FY2026/27 Q2"))
    same = as_json(example_cli("report", "diff", "FY2026/27 Q2", "-f", "json"))
    assert (same["differences"], same["explained_by"]) == ([], [])
    ok(example_cli("--actor", "Ann", "update-milestone", "MS-09", "--done", "2026-09-25"))
    result = example_cli("report", "diff", "FY2026/27 Q2", "-f", "json")
    document = as_json(result)
    rows = {
        (d["section"], d["row"], d["field"]): (d["issued"], d["fresh"])
        for d in document["differences"]
    }
    assert rows[("milestones", "MS-09", "status")] == ("in_progress", "done")
    assert rows[("milestones", "MS-09", "rag")] == ("RED", "COMPLETE")
    assert rows[("summary", "summary", "achieved_in_period")] == (2, 3)
    assert [(e["actor"], e["summary"], e["refs"]) for e in document["explained_by"]] == [
        ("Ann", "2 fields on MS-09", "MS-09")
    ]
    table = example_cli("report", "diff", "FY2026/27 Q2")
    assert table.exit_code == 0
    missing = example_cli("report", "diff", "FY2026/27 Q1")
    assert (missing.exit_code, missing.stderr) == (
        1,
        "error: QUARTER: FY2026/27 Q1 has not been issued (mou report issue); see mou report "
        "issued\n",
    )


# --- trend -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now_", "before", "expected"),
    [
        ("GREEN", "RED", "up"),
        ("COMPLETE", "GREEN", "up"),
        ("RED", "AMBER", "down"),
        ("AMBER", "AMBER", "same"),
        ("NOT_STARTED", "NOT_STARTED", "same"),
        ("GREEN", "NOT_STARTED", "new"),
        ("NOT_STARTED", "RED", "new"),
        ("RED", None, "new"),
    ],
)
def test_the_trend_rules(now_: str, before: str | None, expected: str) -> None:
    assert trend(now_, before) == expected


def test_status_rows_carry_their_rag_at_the_previous_quarter_end(example_cli: Cli) -> None:
    document = as_json(example_cli("status", "--as-of", AS_OF, "-f", "json"))
    themes = {row["scope"]: row for row in document["tables"]["theme"]}
    # LIFE went red in October: green at the end of September.
    assert (themes["LIFE"]["rag_previous"], themes["LIFE"]["trend"]) == ("GREEN", "down")
    assert (themes["ACAD"]["rag_previous"], themes["ACAD"]["trend"]) == ("GREEN", "same")
    table = ok(example_cli("status", "--as-of", AS_OF))
    assert "RED ↓" in table
    assert "than on 2026-09-30 (from today's records)." in table


def test_compare_to_a_date_or_an_issued_quarter(example_cli: Cli) -> None:
    by_date = as_json(
        example_cli("status", "--as-of", AS_OF, "--compare-to", "2026-04-30", "-f", "json")
    )
    assert by_date["overall"]["rag_previous"] is not None
    # Issued: the comparison uses the issued report's values, whatever was recorded since.
    ok(example_cli("report", "issue", "-q", "FY2026/27 Q2"))
    issued_rag = as_json(example_cli("report", "quarterly", "-q", "FY2026/27 Q2", "-f", "json"))[
        "summary"
    ]["rag"]
    ok(example_cli("update-milestone", "MS-09", "--done", "2026-09-25"))
    compared = as_json(
        example_cli("status", "--as-of", AS_OF, "--compare-to", "FY2026/27 Q2", "-f", "json")
    )
    assert compared["overall"]["rag_previous"] == issued_rag
    shown = ok(example_cli("status", "--as-of", AS_OF, "--compare-to", "FY2026/27 Q2"))
    assert "(as issued (FY2026-27-Q2.1))" in shown
    bad = example_cli("status", "--compare-to", "someday")
    assert bad.exit_code == 1 and bad.stderr.startswith("error: --compare-to: expected a quarter")


def test_the_report_progress_files_carry_the_trend(example_cli: Cli) -> None:
    document = as_json(
        example_cli("report", "quarterly", "-q", "FY2026/27 Q3", "--as-of", AS_OF, "-f", "json")
    )
    assert list(document["theme_progress"][0])[-3:] == ["rag_previous", "trend", "at_risk"]
    summary = list(document["summary"])
    assert summary[summary.index("red_tol_days") + 1 :][:3] == ["rag_previous", "trend", "at_risk"]


# --- what changed ----------------------------------------------------------------------


def test_changes_since_the_last_issue(example_cli: Cli) -> None:
    ok(example_cli("report", "issue", "-q", "FY2026/27 Q2"))
    ok(example_cli("update-milestone", "MS-14", "--done", "2026-11-27"))
    ok(example_cli("update-milestone", "MS-13", "--forecast", "2027-01-15"))
    ok(example_cli("update-milestone", "MS-17", "--due", "2027-03-26", "--reason", "Ethics"))
    ok(example_cli("add-milestone", "New", "-w", "WS01", "--due", "2027-06-30"))
    ok(example_cli("remove-milestone", "MS-21"))
    ok(example_cli("config", "set", "red_tol_days", "40"))
    document = as_json(example_cli("changes", "--since", "last-issue", "-f", "json"))
    rows = [
        (
            row["theme"],
            row["change"],
            row["kind"],
            row["ref"],
            row["old"],
            row["new"],
            row["days"],
            row["reason"],
        )
        for row in document["rows"]
        if row["change"] != "rag"
    ]
    assert rows == [
        ("", "setting", "setting", "red_tol_days", "30", "40", None, None),
        ("ACAD", "removed", "milestone", "MS-21", None, None, None, None),
        ("CHEM", "added", "milestone", "MS-23", None, None, None, None),
        ("CHEM", "completed", "milestone", "MS-14", None, "2026-11-27", None, None),
        ("CLIM", "forecast", "milestone", "MS-13", "2026-12-04", "2027-01-15", 42, None),
        ("LIFE-IPC", "rebaselined", "milestone", "MS-17",
         "2027-02-26", "2027-03-26", None, "Ethics"),
    ]  # fmt: skip
    rags = {
        (row["kind"], row["ref"]): (row["title"], row["old"], row["new"])
        for row in document["rows"]
        if row["change"] == "rag"
    }
    assert rags[("milestone", "MS-14")] == (
        "First joint beamtime proposal submitted to Diamond Light Source",
        "AMBER",
        "COMPLETE",
    )
    assert rags[("theme", "CLIM")] == ("Climate change and health", "GREEN", "RED")
    themed = as_json(
        example_cli("changes", "--since", "last-issue", "--theme", "CLIM", "-f", "json")
    )
    assert {row["theme"] for row in themed["rows"]} == {"CLIM"}
    csv = ok(example_cli("changes", "--since", "last-issue", "-f", "csv")).splitlines()
    assert csv[0] == "theme,change,kind,ref,title,old,new,days,reason"
    table = ok(example_cli("changes", "--since", "last-issue"))
    assert "Theme CLIM" in table and "The programme" in table


def test_changes_in_a_database_with_nothing_recorded_say_so(cli: Cli) -> None:
    """It blamed --recorded-by, an option the user had not given."""
    result = cli("changes", "--since", "2026-01-01")
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        "error: --since: the audit trail of this database is empty: nothing has been recorded "
        "in it yet\n",
    )


@pytest.mark.parametrize("since", ["2030-01-01", "today"])
def test_changes_since_a_moment_still_to_come_is_refused(example_cli: Cli, since: str) -> None:
    """Up to now from a later moment listed every change backwards (RED -> GREEN), exit 0."""
    result = example_cli("changes", "--since", since)
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        "error: --since: must be earlier than now (a date means the end of that day)\n",
    )


def test_changes_between_two_moments(example_cli: Cli) -> None:
    first = now()
    ok(example_cli("update-milestone", "MS-13", "--title", "Renamed once"))
    second = now()
    ok(example_cli("update-milestone", "MS-14", "--done", "2026-11-27"))
    document = as_json(example_cli("changes", "--since", first, "--until", second, "-f", "json"))
    assert all(row["ref"] != "MS-14" for row in document["rows"])
    backwards = example_cli("changes", "--since", second, "--until", first)
    assert (backwards.exit_code, backwards.stderr) == (
        2,
        "error: --until: must be later than --since\n",
    )
    nothing = example_cli("changes", "--since", "last-issue")
    assert (nothing.exit_code, nothing.stderr) == (
        1,
        "error: --since: no report has been issued yet (mou report issue)\n",
    )


def test_the_quarterly_report_lists_changes_since_the_previous_quarter(example_cli: Cli) -> None:
    ok(example_cli("report", "issue", "-q", "FY2026/27 Q2"))
    ok(example_cli("update-milestone", "MS-13", "--forecast", "2027-01-15"))
    document = as_json(example_cli("report", "quarterly", "-q", "current", "-f", "json"))
    assert ("forecast", "MS-13") in {(row["change"], row["ref"]) for row in document["changes"]}
    csv = ok(
        example_cli("report", "quarterly", "-q", "current", "-f", "csv", "--section", "changes")
    )
    assert csv.splitlines()[0] == "theme,change,kind,ref,title,old,new,days,reason"


def test_recorded_by_takes_the_last_issue_and_quarter_labels(
    example_cli: Cli, tmp_path: Path
) -> None:
    ok(example_cli("report", "issue", "-q", "FY2026/27 Q2"))
    at_issue = ok(example_cli("export"))
    ok(example_cli("update-milestone", "MS-13", "--title", "Renamed after the issue"))
    # The issued report itself is part of what was recorded by the moment of issue.
    assert ok(example_cli("export", "--recorded-by", "last-issue")) == at_issue
    target = tmp_path / "as-issued.toml"
    written = ok(example_cli("export", "--recorded-by", "last-issue", "--out", str(target)))
    assert written.endswith(", 4 KPIs, 1 issued report.\n")
    assert target.read_text("utf-8") == at_issue
    future = as_json(example_cli("status", "-f", "json", "--recorded-by", "FY2198/99 Q4"))
    assert future["as_of"] == "2199-03-31"
