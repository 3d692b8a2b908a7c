"""Regression tests for defects found in review, each with the command line that showed it."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from tests.conftest import EXAMPLE, TERMINAL_ENV, Cli
from tests.helpers import snapshot
from tracker.db import Database


def test_a_second_mous_file_cannot_take_over_the_first_mous_records(
    example_cli: Cli, example_db: Database, tmp_path: Path
) -> None:
    other = tmp_path / "other.toml"
    other.write_text(
        EXAMPLE.read_text("utf-8").replace('ref = "OXF-LIV-2026"', 'ref = "OTHER-MOU"'), "utf-8"
    )
    before = snapshot(example_db)
    result = example_cli("import", str(other))
    assert result.exit_code == 1
    # Refused whole, whether or not its refs clash, naming both MoUs.
    assert result.stderr.splitlines() == [
        f"error: {other}: 1 problem; nothing was written",
        "  mou OTHER-MOU ref: this database holds MoU OXF-LIV-2026, and the file is for MoU "
        "OTHER-MOU; keep each MoU in its own database (--db)",
    ]
    assert snapshot(example_db) == before


def test_undo_refuses_to_restore_a_record_whose_links_are_gone(example_cli: Cli) -> None:
    assert example_cli("remove-visit", "V01", "--cascade").exit_code == 0
    assert example_cli("remove-site", "SCHWARZMAN", "--cascade").exit_code == 0
    result = example_cli("undo", "2", "--yes")
    assert (result.exit_code, result.stderr) == (
        1,
        "error: cannot undo: visit V01 sites: no site with ref 'SCHWARZMAN'\n",
    )


def test_undo_does_not_restore_a_link_to_a_record_that_no_longer_exists(
    example_cli: Cli,
) -> None:
    assert example_cli("remove-milestone", "MS-01").exit_code == 0
    assert example_cli("remove-person", "MORLEY", "--cascade").exit_code == 0
    result = example_cli("undo", "2", "--yes")
    assert (result.exit_code, result.stderr) == (
        1,
        "error: cannot undo: milestone MS-01 owner: no person with ref 'MORLEY'\n",
    )
    assert example_cli("show", "MS-01").exit_code == 1  # still removed, nothing half-restored


def test_a_cascade_through_a_lead_that_is_also_a_partner(
    example_cli: Cli, example_db: Database
) -> None:
    assert (
        example_cli(
            "add-institution", "Manchester", "--ref", "MAN", "--kind", "university"
        ).exit_code
        == 0
    )
    assert example_cli("add-workstream", "Bat", "--theme", "CHEM", "--lead", "MAN",
                       "--partners", "OXF", "--ref", "WSM").exit_code == 0  # fmt: skip
    # mou refuses a lead that is also a partner now; data from before the rule may hold one.
    with example_db.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO workstream_partner (workstream_id, institution_id) "
                "SELECT w.id, i.id FROM workstream w, institution i "
                "WHERE w.ref = 'WSM' AND i.ref = 'MAN'"
            )
        )
    result = example_cli("remove-institution", "MAN", "--cascade")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines() == [
        "Removed institution MAN.",
        "  also removed workstream WSM",
    ]


def test_a_required_column_cannot_be_cleared(example_cli: Cli, example_db: Database) -> None:
    before = snapshot(example_db)
    result = example_cli("update-milestone", "MS-01", "--institution", "none")
    assert (result.exit_code, result.stderr) == (
        1,
        "error: institution: required; it cannot be cleared\n",
    )
    assert snapshot(example_db) == before


def test_the_actor_is_cleaned_like_any_text(example_cli: Cli) -> None:
    result = example_cli("--actor", "Eve\x1b[31m", "update-milestone", "MS-13", "--title", "x")
    assert (result.exit_code, result.stderr) == (
        1,
        "error: --actor: control characters are not allowed (found U+001B)\n",
    )


def test_the_command_line_is_recorded_without_control_characters() -> None:
    from tracker.cli.invocation import Invocation

    line = Invocation(arguments=["update-milestone", "MS-1", "--title", "a\x1b[31mb"]).command_line
    assert "\x1b" not in line
    assert line == "mou update-milestone MS-1 --title 'a\\x1b[31mb'"


def test_reading_a_mistyped_database_path_creates_nothing(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from tracker.cli.app import app

    path = tmp_path / "typo.db"
    result = CliRunner().invoke(app, ["status", "--db", str(path)], env=TERMINAL_ENV)
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: no database at {path}: load a programme first (mou import FILE.toml), or "
        "check --db / MOU_DB\n"
    )
    assert not path.exists()


def test_undo_does_not_hold_the_lock_while_it_asks(example_cli: Cli) -> None:
    # Declining leaves no trace: the plan was read, not written.
    example_cli("config", "set", "green_tol_days", "9")
    declined = example_cli("undo", input="n\n")
    assert declined.exit_code == 1
    log = json.loads(example_cli("log", "-f", "json").stdout)["entries"]
    assert {entry["command_id"] for entry in log} == {1, 2}


def test_an_import_keeps_a_re_baseline_made_at_the_command_line(
    example_cli: Cli, tmp_path: Path
) -> None:
    assert example_cli("update-milestone", "MS-13", "--due", "2027-01-29", "--reason",
                       "Data access delayed").exit_code == 0  # fmt: skip
    # Re-importing the unchanged file keeps the re-baseline (it once moved the date back and
    # invented a re-baseline of its own).
    result = example_cli("import", str(EXAMPLE))
    assert result.stdout.splitlines()[0].endswith(
        "0 added, 0 changed, 122 unchanged; kept 1 field changed since the last import."
    )
    fields = json.loads(example_cli("show", "MS-13", "-f", "json").stdout)["fields"]
    assert fields["due"] == "2027-01-29"
    assert [(entry["due"], entry["reason"]) for entry in fields["rebaselines"]] == [
        ("2026-12-04", "Data access delayed"),
    ]


def test_an_import_that_moves_a_due_date_records_the_re_baseline(
    example_cli: Cli, tmp_path: Path
) -> None:
    moved = tmp_path / "moved.toml"
    moved.write_text(
        EXAMPLE.read_text("utf-8").replace("due = 2026-12-04", "due = 2027-02-26", 1), "utf-8"
    )
    result = example_cli("import", str(moved))
    assert result.stdout.splitlines()[0].endswith("0 added, 1 changed, 121 unchanged.")
    fields = json.loads(example_cli("show", "MS-13", "-f", "json").stdout)["fields"]
    assert fields["due"] == "2027-02-26"
    assert [(entry["due"], entry["reason"]) for entry in fields["rebaselines"]] == [
        ("2026-12-04", f"due date changed by importing {moved}"),
    ]
    again = example_cli("import", str(moved))
    assert again.stdout.splitlines()[0].endswith("0 added, 0 changed, 122 unchanged.")


def test_a_milestone_cannot_be_done_in_the_future(example_cli: Cli) -> None:
    result = example_cli("update-milestone", "MS-13", "--done", "2099-01-01")
    assert (result.exit_code, result.stderr) == (
        1,
        "error: --done: 2099-01-01 is in the future; record a milestone as done on or after "
        "the day it happens (use --forecast for the expected date)\n",
    )


def test_the_history_of_a_setting(example_cli: Cli) -> None:
    example_cli("config", "set", "green_tol_days", "9")
    entries = json.loads(example_cli("history", "green_tol_days", "-f", "json").stdout)["entries"]
    assert [(entry["old"], entry["new"]) for entry in entries] == [("7", "9")]


def test_filtering_by_an_unknown_institution_says_so(example_cli: Cli) -> None:
    result = example_cli("list", "visits", "--institution", "nope")
    assert (result.exit_code, result.stderr) == (
        1,
        "error: --institution: no institution with ref 'NOPE'\n",
    )


def test_a_past_quarter_shows_the_status_a_milestone_had_then(example_cli: Cli) -> None:
    assert example_cli("update-milestone", "MS-14", "--done", "2026-11-27").exit_code == 0

    def line(as_of: str) -> dict[str, object]:
        result = example_cli("report", "quarterly", "-q", "FY2026/27 Q3", "--as-of", as_of,
                             "-f", "json")  # fmt: skip
        rows = json.loads(result.stdout)["milestones"]
        return next(row for row in rows if row["ref"] == "MS-14")

    before = line("2026-11-26")
    assert (before["status"], before["completed"]) == ("in_progress", None)
    after = line("2026-11-28")
    assert (after["status"], after["completed"]) == ("done", "2026-11-27")


def test_end_of_quarter_follows_the_scheme_setting(example_cli: Cli) -> None:
    from tracker.cli.context import today
    from tracker.periods import Scheme, quarter_of

    example_cli("config", "set", "scheme", "academic")
    result = example_cli("add-milestone", "Term report", "-w", "WS01", "--due", "end of quarter")
    assert result.exit_code == 0, result
    expected = quarter_of(today(), Scheme.ACADEMIC).end
    fields = json.loads(example_cli("show", "MS-23", "-f", "json").stdout)["fields"]
    assert fields["due"] == expected.isoformat()
