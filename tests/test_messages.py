"""Changes that contradict a record's state are refused or said, and every message names the
real problem: the field, the value, and what would be accepted."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import TERMINAL_ENV, Cli
from tests.helpers import snapshot
from tracker.cli.app import app
from tracker.db import Database

TODAY = dt.date(2026, 11, 28)


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tracker.cli.context.today", lambda: TODAY)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=TERMINAL_ENV)
    return result.exit_code, result.stdout, result.stderr


def test_completing_a_cancelled_milestone_is_refused(
    example_cli: Cli, example_db: Database
) -> None:
    assert example_cli("update-milestone", "MS-13", "--status", "cancelled").exit_code == 0
    before = snapshot(example_db)
    result = example_cli("update-milestone", "MS-13", "--done", "2026-11-27")
    assert (result.exit_code, result.stderr) == (
        1,
        "error: --done: MS-13 is cancelled; reopen it first (mou update-milestone MS-13 "
        "--status planned), then complete it\n",
    )
    assert snapshot(example_db) == before
    assert example_cli("update-milestone", "MS-13", "--status", "planned").exit_code == 0
    assert example_cli("update-milestone", "MS-13", "--done", "2026-11-27").exit_code == 0


def test_a_forecast_already_past_is_accepted_and_said(example_cli: Cli) -> None:
    result = example_cli("update-milestone", "MS-13", "--forecast", "2026-11-01")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines() == [
        "Updated milestone MS-13:",
        "  forecast: none → Sun 1 Nov 2026",
        "MS-13 is now overdue: forecast 1 Nov 2026 has passed",
    ]


def test_a_new_milestone_due_in_the_past_is_said_to_be_overdue(example_cli: Cli) -> None:
    result = example_cli("add-milestone", "Late", "-w", "WS01", "--due", "2026-10-01")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines()[-1] == (
        "MS-23 is now overdue: due date 1 Oct 2026 has passed"
    )


def test_a_future_forecast_says_nothing_more(example_cli: Cli) -> None:
    result = example_cli("update-milestone", "MS-13", "--forecast", "2026-12-20")
    assert "overdue" not in result.stdout


def test_a_lead_cannot_also_be_a_partner(example_cli: Cli, example_db: Database) -> None:
    before = snapshot(example_db)
    result = example_cli("update-workstream", "WS01", "--partners", "LIV,OXF")
    assert (result.exit_code, result.stderr) == (
        1,
        "error: partners: LIV is already the lead; a lead is not also one of the partners\n",
    )
    assert snapshot(example_db) == before


def test_an_action_cannot_fall_due_before_its_visit(example_cli: Cli) -> None:
    result = example_cli("add-action", "Too early", "--visit", "V04", "--due", "2027-01-01")
    assert (result.exit_code, result.stderr) == (
        1,
        "error: due: 2027-01-01 is before visit V04 (2027-01-21)\n",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("update-milestone", "MS-13", "--forecast", "0026-01-01"),
         "--forecast: 0026-01-01 is outside the years 1900 to 2199"),
        (("status", "--as-of", "0001-01-01"),
         "--as-of: 0001-01-01 is outside the years 1900 to 2199"),
        (("add-milestone", "x", "-w", "WS01", "--due", "31/12/2200"),
         "--due: 2200-12-31 is outside the years 1900 to 2199"),
    ],
)  # fmt: skip
def test_dates_outside_the_window_are_refused_with_the_window(
    example_cli: Cli, args: tuple[str, ...], message: str
) -> None:
    result = example_cli(*args)
    assert (result.exit_code, result.stderr) == (1, f"error: {message}\n")


def test_a_programme_file_date_outside_the_window_is_refused(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "old.toml"
    path.write_text('[mou]\nref = "X"\ntitle = "T"\nsigned = 1066-10-14\n', "utf-8")
    result = cli("import", str(path))
    assert result.stderr.splitlines()[1] == (
        "  mou X signed: 1066-10-14 is outside the years 1900 to 2199"
    )


@pytest.mark.parametrize("command", [("status",), ("show", "MS-13"), ("list", "milestones")])
def test_an_empty_db_option_is_an_error_not_the_default(command: tuple[str, ...]) -> None:
    code, _, err = run(*command, "--db", "")
    assert (code, err) == (
        1,
        "error: --db: empty; give a file path or a database URL, or leave --db out for the "
        "default\n",
    )


def test_a_folder_given_as_the_database_says_so(tmp_path: Path) -> None:
    code, _, err = run("status", "--db", str(tmp_path))
    assert (code, err) == (
        1,
        f"error: database {tmp_path} is a folder; give the path of a database file\n",
    )


def test_a_file_that_is_not_a_sqlite_database_is_named(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 100, "utf-8")
    code, _, err = run("status", "--db", str(path))
    assert (code, err) == (
        1,
        f"error: {path} is not a SQLite database (mou keeps its data in one)\n",
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_an_unwritable_out_names_the_file_given(example_cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    target = folder / "export.toml"
    result = example_cli("export", "--out", str(target))
    folder.chmod(stat.S_IRWXU)
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: could not write {target}: Permission denied\n",
    )
    assert list(folder.iterdir()) == []


def test_a_failed_write_names_the_file_given_not_the_temporary_one(
    example_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: object, **_kwargs: object) -> int:
        raise PermissionError(13, "Permission denied", str(tmp_path / ".x.mou-1-ab.tmp"))

    monkeypatch.setattr("tracker.files.os.open", refuse)
    target = tmp_path / "export.toml"
    result = example_cli("export", "--out", str(target))
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: could not write {target}: Permission denied\n",
    )


def test_a_report_as_csv_without_a_folder_asks_for_one_or_a_section(example_cli: Cli) -> None:
    result = example_cli("report", "quarterly", "-q", "FY2026/27 Q2", "-f", "csv")
    assert (result.exit_code, result.stderr) == (
        2,
        "error: --format csv: the report is several files; give --out DIR to write them all, "
        "or --section NAME to print one\n",
    )
    one = example_cli(
        "report", "quarterly", "-q", "FY2026/27 Q2", "-f", "csv", "--section", "summary"
    )
    assert one.exit_code == 0, one
    assert one.stdout.splitlines()[0].startswith("programme,period,scheme,start,end,as_of,to_date")
    assert len(one.stdout.splitlines()) == 2
    wrong = example_cli("report", "quarterly", "-f", "csv", "--section", "everything")
    assert wrong.exit_code == 2
    assert wrong.stderr.startswith("error: --section: expected one of summary, milestone_summary")


def test_the_section_help_names_every_section(cli: Cli) -> None:
    from tracker.services.reports import SECTIONS

    helped = cli("report", "quarterly", "--help", columns=400)
    assert helped.exit_code == 0, helped
    option = next(line for line in helped.stdout.splitlines() if "--section" in line)
    listed = option.split("(", 1)[1].split(")", 1)[0].split(", ")
    assert listed == list(SECTIONS)


def test_history_of_a_setting_and_of_a_ref_never_used(example_cli: Cli) -> None:
    example_cli("config", "set", "green_tol_days", "9")
    entries = json.loads(example_cli("history", "green_tol_days", "-f", "json").stdout)
    assert [e["new"] for e in entries["entries"]] == ["9"]
    assert example_cli("history", "WS1").stderr == (
        "error: ref: no record has the ref 'WS1'; did you mean WS01?\n"
    )


def test_a_read_only_database_file_is_named_by_its_path() -> None:
    """The error of a write to a SQLite file nobody may write named it by its URL
    (sqlite:////srv/mou.db), not by the path the user gave; and it now says what to check."""
    import sqlite3

    import sqlalchemy as sa

    from tracker.db import operational

    failure = sa.exc.OperationalError(
        "INSERT", {}, sqlite3.OperationalError("attempt to write a readonly database")
    )
    assert operational(failure, "sqlite:////srv/programme/mou.db").message == (
        "database /srv/programme/mou.db: attempt to write a readonly database; check that you "
        "may write to the file and to its folder"
    )
    server = "postgresql+psycopg://mou:secret@db.example.ac.uk/mou"
    assert operational(failure, server).message == (
        "database postgresql+psycopg://mou:***@db.example.ac.uk/mou: attempt to write a "
        "readonly database"
    )
