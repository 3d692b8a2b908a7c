"""The weekly commands: add a milestone, slip it, complete it, re-baseline it, report a RAG."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Cli
from tests.helpers import snapshot
from tracker.db import Database


def shown(cli: Cli, ref: str, as_of: str = "2026-11-28") -> dict[str, Any]:
    result = cli("show", ref, "--as-of", as_of, "--format", "json")
    assert result.exit_code == 0, result
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_add_milestone_prints_its_ref_and_the_dates_understood(example_cli: Cli) -> None:
    result = example_cli(
        "add-milestone", "Joint beamtime proposal submitted", "-w", "ws01", "--due", "03/04/2027"
    )
    assert result.exit_code == 0, result
    assert result.stdout == (
        "Added milestone MS-23 to WS01: Joint beamtime proposal submitted\n"
        "  due: Sat 3 Apr 2027\n"
        "  owned by: LIV\n"
        "  (03/04/2027 read day-first as Sat 3 Apr 2027)\n"
    )
    document = shown(example_cli, "MS-23")
    assert document["fields"]["institution"] == "LIV"  # the workstream's lead
    assert document["fields"]["status"] == "planned"
    assert document["rag"] == {
        "as_of": "2026-11-28",
        "derived": "GREEN",
        "reported": None,
        "reported_reason": None,
        "slippage_days": 0,
        "at_risk_from": [],
    }


def test_add_milestone_with_every_option(example_cli: Cli) -> None:
    result = example_cli(
        "add-milestone", "Pilot results published", "--workstream", "WS04", "--due", "2027-06-30",
        "--ref", "ms-40", "--forecast", "2027-07-20", "--institution", "OXF",
        "--owner", "TRACEY", "--status", "in_progress",
    )  # fmt: skip
    assert result.exit_code == 0, result
    assert result.stdout == (
        "Added milestone MS-40 to WS04: Pilot results published\n"
        "  due: Wed 30 Jun 2027\n"
        "  forecast: Tue 20 Jul 2027\n"
        "  owned by: OXF (TRACEY)\n"
    )
    assert shown(example_cli, "MS-40")["rag"]["derived"] == "AMBER"  # 20 days' slippage


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--due", "2026"], "error: --due: expected a date such as 2026-06-30 or 30/06/2026 "
         "(also today, +30d, +2w, +3m, end of quarter); got '2026'"),
        (["--due", "2027-01-01", "--ref", "MS-01"],
         "error: ref: a milestone with ref MS-01 already exists"),
        (["--due", "2027-01-01", "--owner", "NOBODY"], "error: owner: no person with ref 'NOBODY'"),
        (["--due", "2027-01-01", "--ref", "MS 1"], "error: ref: expected a ref of letters, digits, "
         "'.', '_' or '-', starting with a letter or digit, at most 32 characters; got 'MS 1'"),
    ],
)  # fmt: skip
def test_add_milestone_refuses_bad_input(
    example_cli: Cli, example_db: Database, args: list[str], message: str
) -> None:
    before = snapshot(example_db)
    result = example_cli("add-milestone", "Title", "-w", "WS01", *args)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", message + "\n")
    assert snapshot(example_db) == before


def test_add_milestone_to_an_unknown_workstream(example_cli: Cli) -> None:
    result = example_cli("add-milestone", "Title", "-w", "WS99", "--due", "2027-01-01")
    assert result.stderr == "error: workstream: no workstream with ref 'WS99'\n"
    assert result.exit_code == 1


@pytest.mark.parametrize(
    "args",
    [["Title", "--due", "2027-01-01"], ["Title", "-w", "WS01"], ["-w", "WS01", "--due", "x"]],
)
def test_add_milestone_usage_errors(example_cli: Cli, args: list[str]) -> None:
    result = example_cli("add-milestone", *args)
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert "Missing" in result.stderr


def test_add_milestone_cannot_start_done(example_cli: Cli) -> None:
    result = example_cli(
        "add-milestone", "T", "-w", "WS01", "--due", "2027-01-01", "--status", "done"
    )
    assert result.exit_code == 2


def test_slip_a_forecast_and_watch_the_rag(example_cli: Cli) -> None:
    assert shown(example_cli, "MS-13")["rag"]["derived"] == "GREEN"
    result = example_cli("update-milestone", "MS-13", "--forecast", "2027-01-15")
    assert result.exit_code == 0, result
    assert result.stdout == ("Updated milestone MS-13:\n  forecast: none → Fri 15 Jan 2027\n")
    assert shown(example_cli, "MS-13")["rag"] == {
        "as_of": "2026-11-28",
        "derived": "RED",  # 42 days past its due date of 4 December
        "reported": None,
        "reported_reason": None,
        "slippage_days": 42,
        "at_risk_from": [],
    }
    cleared = example_cli("update-milestone", "ms-13", "--forecast", "none")
    assert cleared.stdout == "Updated milestone MS-13:\n  forecast: Fri 15 Jan 2027 → none\n"


def test_complete_and_reopen(example_cli: Cli) -> None:
    result = example_cli("update-milestone", "MS-13", "--done", "2026-11-27")
    assert result.stdout == (
        "Updated milestone MS-13:\n  status: planned → done\n  completed: none → Fri 27 Nov 2026\n"
    )
    assert shown(example_cli, "MS-13")["rag"]["derived"] == "COMPLETE"
    # Completed after the as-of date: not done yet as of then.
    assert shown(example_cli, "MS-13", as_of="2026-11-26")["rag"]["derived"] == "GREEN"
    reopened = example_cli("update-milestone", "MS-13", "--status", "in_progress")
    assert reopened.stdout == (
        "Updated milestone MS-13:\n"
        "  status: done → in_progress\n"
        "  completed: Fri 27 Nov 2026 → none\n"
    )


def test_status_done_needs_a_date(example_cli: Cli) -> None:
    result = example_cli("update-milestone", "MS-13", "--status", "done")
    assert result.stderr == (
        "error: --status: use --done DATE to complete a milestone, with its date\n"
    )


def test_rebaseline_keeps_the_history(example_cli: Cli) -> None:
    refused = example_cli("update-milestone", "MS-13", "--due", "2027-01-29")
    assert refused.exit_code == 1
    assert refused.stderr == (
        "error: --due: changing the agreed date is a re-baseline; give --reason with it\n"
    )
    result = example_cli(
        "update-milestone", "MS-13", "--due", "2027-01-29", "--reason", "Data access delayed"
    )
    assert result.exit_code == 0, result
    assert result.stdout.splitlines()[:3] == [
        "Updated milestone MS-13:",
        "  due: Fri 4 Dec 2026 → Fri 29 Jan 2027",
        "  re-baselined: was due Fri 4 Dec 2026; reason: Data access delayed",
    ]
    history = shown(example_cli, "MS-13")["fields"]["rebaselines"]
    assert [(entry["due"], entry["reason"]) for entry in history] == [
        ("2026-12-04", "Data access delayed")
    ]
    same = example_cli("update-milestone", "MS-13", "--due", "2027-01-29", "--reason", "x")
    assert same.stderr == "error: --due: the milestone is already due on 2027-01-29\n"


def test_reported_rag_sits_beside_the_derived_one(example_cli: Cli) -> None:
    missing = example_cli("update-milestone", "MS-13", "--rag", "red")
    assert missing.stderr == "error: --rag: a reported RAG needs a --reason\n"
    result = example_cli("update-milestone", "MS-13", "--rag", "red", "--reason", "Lead left")
    assert result.stdout == (
        "Updated milestone MS-13:\n"
        "  reported_rag: none → RED\n"
        "  reported_rag_reason: none → Lead left\n"
    )
    rag = shown(example_cli, "MS-13")["rag"]
    assert (rag["derived"], rag["reported"], rag["reported_reason"]) == (
        "GREEN",
        "RED",
        "Lead left",
    )
    bad = example_cli("update-milestone", "MS-13", "--rag", "purple", "--reason", "x")
    assert bad.stderr == "error: --rag: expected one of GREEN, AMBER, RED or none; got 'purple'\n"
    cleared = example_cli("update-milestone", "MS-13", "--rag", "none")
    assert cleared.exit_code == 0
    assert shown(example_cli, "MS-13")["rag"]["reported"] is None


def test_update_nothing_or_unknown(example_cli: Cli) -> None:
    nothing = example_cli("update-milestone", "MS-13")
    assert nothing.stderr == "error: nothing to change: give at least one option (see --help)\n"
    unknown = example_cli("update-milestone", "MS-99", "--title", "x")
    assert unknown.stderr == "error: ref: no milestone with ref 'MS-99'\n"


def test_setting_the_same_value_says_so(example_cli: Cli) -> None:
    result = example_cli("update-milestone", "MS-13", "--owner", "ESTERHUIZEN")
    assert result.exit_code == 0, result
    current = shown(example_cli, "MS-13")["fields"]["owner"]
    again = example_cli("update-milestone", "MS-13", "--owner", current)
    assert again.stdout == "Milestone MS-13 already had those values; nothing changed.\n"


def test_the_tutorial_changes_status(example_cli: Cli) -> None:
    """Add a milestone, slip another's forecast, complete a third: status follows."""

    def overall() -> dict[str, Any]:
        result = example_cli("status", "--as-of", "2026-11-28", "-f", "json")
        return dict(json.loads(result.stdout)["overall"])

    before = overall()
    example_cli("add-milestone", "New milestone", "-w", "WS02", "--due", "2027-02-01")
    example_cli("update-milestone", "MS-16", "--forecast", "2027-03-31")  # 40 days: red
    example_cli("update-milestone", "MS-13", "--done", "2026-11-20")
    after = overall()
    assert after["total"] == before["total"] + 1
    assert after["done"] == before["done"] + 1
    assert after["red"] == before["red"] + 1
    assert after["green"] == before["green"] + 1 - 1 - 1
