"""Actions as first-class records: listed with their state, shown under the visit or board
meeting they follow, counted in ``mou status``, reported in ``actions.csv``, and loaded from a
programme file by the same rules as the commands."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLE, Cli
from tests.helpers import MINIMAL, snapshot
from tracker.db import Database
from tracker.kinds import ACTIONS
from tracker.services.actions import days_overdue

AS_OF = "2026-11-28"


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tracker.cli.context.today", lambda: dt.date(2026, 11, 28))


def listed(cli: Cli, *args: str) -> list[dict[str, Any]]:
    result = cli("list", "actions", *args, "--format", "json")
    assert (result.exit_code, result.stderr) == (0, ""), result
    document = json.loads(result.stdout)
    assert document["kind"] == "actions"
    found: list[dict[str, Any]] = document["rows"]
    return found


def refs(cli: Cli, *args: str) -> list[str]:
    return [row["ref"] for row in listed(cli, "--as-of", AS_OF, *args)]


# `mou list actions`.


def test_every_action_with_its_state(example_cli: Cli) -> None:
    found = listed(example_cli, "--as-of", AS_OF)
    assert [row["ref"] for row in found] == [
        "A01", "A02", "A07", "A03", "A04", "A08", "A09", "A05", "A10", "A06", "A11",
    ]  # fmt: skip
    by_ref = {row["ref"]: row for row in found}
    assert by_ref["A09"] == {
        "ref": "A09",
        "text": "Bring a costed plan for the joint investment prospectus to the next board.",
        "visit": None,
        "meeting": "BM02",
        "owner": "MOLYNEUX",
        "institution": "LCRCA",
        "due": "2026-11-20",
        "status": "open",
        "completed": None,
        "overdue": True,
        "days_overdue": 8,
    }
    assert (by_ref["A11"]["visit"], by_ref["A11"]["meeting"]) == (None, None)
    assert by_ref["A01"]["overdue"] is False  # done on time
    header = example_cli("list", "actions", "--as-of", AS_OF, "-f", "csv").stdout.splitlines()[0]
    assert header == (
        "ref,text,visit,meeting,owner,institution,due,status,completed,overdue,days_overdue"
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--overdue"], ["A04", "A09"]),
        (["--status", "in_progress"], ["A05", "A10"]),
        (["--status", "DONE"], ["A01", "A02", "A07", "A03", "A08"]),
        (["--owner", "morley"], ["A01", "A02", "A07", "A11"]),
        (["--institution", "LIV"], ["A03", "A08", "A05", "A10"]),  # owned by LIV people
        (["--due-after", "2026-11-30", "--due-before", "2027-01-10"], ["A05", "A10", "A06"]),
        (["--overdue", "--owner", "MOLYNEUX", "--due-before", "2026-10-01"], ["A04"]),
    ],
)
def test_filters(example_cli: Cli, args: list[str], expected: list[str]) -> None:
    assert refs(example_cli, *args) == expected


def test_overdue_depends_on_the_as_of_date(example_cli: Cli) -> None:
    assert [row["ref"] for row in listed(example_cli, "--as-of", "2026-09-30", "--overdue")] == []
    assert [row["ref"] for row in listed(example_cli, "--as-of", "2026-10-01", "--overdue")] == [
        "A04"
    ]
    late = listed(example_cli, "--as-of", "2027-01-31", "--overdue")
    assert [(row["ref"], row["days_overdue"]) for row in late] == [
        ("A04", 123),
        ("A09", 72),
        ("A05", 57),
        ("A10", 44),
        ("A06", 23),
        ("A11", 16),
    ]


def test_the_table(example_cli: Cli) -> None:
    result = example_cli("list", "actions", "--as-of", AS_OF, "--overdue")
    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    assert lines[:2] == ["", "Actions as of 2026-11-28"]
    assert lines[-1] == "2 actions, 2 overdue."
    assert lines[4].split() == [
        "A04", "Set", "up", "a", "follow-up", "call", "with", "Diamond's", "V02", "MOLYNEUX",
        "LCRCA", "2026-09-30", "open", "yes", "59",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["actions", "--status", "planned"],
            "--status: expected one of open, in_progress, done, cancelled for actions; "
            "got 'planned'",
        ),
        (
            ["milestones", "--status", "open"],
            "--status: expected one of planned, in_progress, done, cancelled for milestones; "
            "got 'open'",
        ),
        (["actions", "--rag", "RED"], "--rag: only for milestones; not for actions"),
        (["actions", "--workstream", "WS01"], "--workstream: only for milestones; not for actions"),
        (
            ["actions", "--theme", "CHEM"],
            "--theme: only for kinds that have a theme; not for actions",
        ),
        (["visits", "--overdue"], "--overdue: only for milestones and actions; not for visits"),
        (
            ["people", "--owner", "MORLEY"],
            "--owner: only for milestones and actions; not for people",
        ),
    ],
)
def test_usage_errors(
    example_cli: Cli, example_db: Database, args: list[str], message: str
) -> None:
    before = snapshot(example_db)
    result = example_cli("list", *args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"error: {message}\n")
    assert snapshot(example_db) == before


def test_list_milestones_by_owner(example_cli: Cli) -> None:
    result = example_cli("list", "milestones", "--owner", "caddick", "--format", "json")
    assert [row["ref"] for row in json.loads(result.stdout)["rows"]] == ["MS-04", "MS-14", "MS-20"]
    missing = example_cli("list", "milestones", "--owner", "NOPE")
    assert (missing.exit_code, missing.stderr) == (1, "error: --owner: no person with ref 'NOPE'\n")


# `mou show` of a visit or a board meeting.


def test_show_a_visit_lists_its_actions_with_their_state(example_cli: Cli) -> None:
    result = example_cli("show", "V03", "--as-of", "2026-12-10")
    assert result.exit_code == 0, result
    lines = [line.rstrip() for line in result.stdout.splitlines()]
    start = lines.index("Actions")
    assert lines[start + 1].split() == [
        "Ref", "Text", "Owner", "Due", "Status", "Completed", "Days", "late",
    ]  # fmt: skip
    assert lines[start + 3].split()[-4:] == ["CADDICK", "2026-12-05", "in_progress", "5"]
    assert "Referenced by" not in lines  # the actions are its only references
    document = json.loads(example_cli("show", "V03", "--as-of", "2026-12-10", "-f", "json").stdout)
    assert document["actions"] == [
        {
            "ref": "A05",
            "text": "Agree a shared template for joint beamtime proposals.",
            "owner": "CADDICK",
            "due": "2026-12-05",
            "status": "in_progress",
            "completed": None,
            "overdue": True,
            "days_overdue": 5,
        },
        {
            "ref": "A06",
            "text": "Confirm the agenda and attendee list for the Daresbury visit.",
            "owner": "FAIRBAIRN",
            "due": "2027-01-08",
            "status": "open",
            "completed": None,
            "overdue": False,
            "days_overdue": None,
        },
    ]
    # Who points at the visit is still given whole to scripts.
    assert document["referenced_by"] == [
        {"kind": "action", "ref": "A05", "field": "visit"},
        {"kind": "action", "ref": "A06", "field": "visit"},
    ]


def test_show_a_board_meeting(example_cli: Cli) -> None:
    document = json.loads(example_cli("show", "bm02", "--as-of", AS_OF, "-f", "json").stdout)
    assert document["kind"] == "board meeting"
    assert document["fields"]["minutes"] == "PB/2026/02"
    assert document["fields"]["attendees"] == [
        "BRANNIGAN", "CADDICK", "CHANDRASEKAR", "MOLYNEUX", "VARGHESE", "WIERZBICKI",
    ]  # fmt: skip
    assert [(row["ref"], row["status"], row["days_overdue"]) for row in document["actions"]] == [
        ("A08", "done", None),
        ("A09", "open", 8),
        ("A10", "in_progress", None),
    ]
    quiet = json.loads(example_cli("show", "BM03", "-f", "json").stdout)
    assert "actions" not in quiet  # no actions agreed yet


def test_a_kind_that_follows_nothing_shows_no_follow_ups(example_cli: Cli) -> None:
    document = json.loads(example_cli("show", "WS05", "-f", "json").stdout)
    # A workstream also gives its progress and milestones (it heads a row of `mou status`).
    assert set(document) == {
        "kind", "ref", "fields", "rag", "progress", "milestones", "referenced_by",
    }  # fmt: skip


# `mou status`.


@pytest.mark.parametrize(
    ("as_of", "line"),
    [
        ("2026-11-28", "Actions: 6 open, 2 overdue. Review due 19 Feb 2027, in 83 days."),
        ("2026-02-18", "Actions: 11 open, 0 overdue. Review due 19 Feb 2027, in 366 days."),
        ("2027-02-19", "Actions: 6 open, 6 overdue. Review due 19 Feb 2027, today."),
        ("2027-02-20", "Actions: 6 open, 6 overdue. Review overdue since 19 Feb 2027 (1 day)."),
    ],
)
def test_status_prints_actions_and_the_next_mou_date(
    example_cli: Cli, as_of: str, line: str
) -> None:
    lines = example_cli("status", "--as-of", as_of).stdout.splitlines()
    summary = next(n for n, text in enumerate(lines) if text.startswith("As of "))
    assert lines[summary + 1] == line


def test_status_names_the_next_mou_date_once_the_review_is_dealt_with(example_cli: Cli) -> None:
    assert example_cli("update-mou", "OXF-LIV-2026", "--status", "under_review").exit_code == 0
    document = json.loads(example_cli("status", "--as-of", "2027-03-01", "-f", "json").stdout)
    assert document["lifecycle"] == {
        "stage": "under review",
        "next": {
            "event": "notice",
            "title": "MoU renewal notice deadline",
            "date": "2030-02-18",
            "days": 1085,
            "overdue": False,
        },
    }
    assert document["actions"] == {"open": 6, "overdue": 6}
    text = example_cli("status", "--as-of", "2027-03-01").stdout
    assert "Renewal notice deadline 18 Feb 2030, in 1085 days." in text
    assert example_cli("update-mou", "OXF-LIV-2026", "--expires", "none").exit_code == 0
    text = example_cli("status", "--as-of", "2027-03-01").stdout
    assert "Actions: 6 open, 6 overdue. No MoU review, notice or expiry date ahead." in text


def test_status_json_adds_actions_and_the_lifecycle(example_cli: Cli) -> None:
    document = json.loads(example_cli("status", "--as-of", AS_OF, "-f", "json").stdout)
    assert list(document) == [
        "as_of", "mou", "overall", "tables", "actions", "lifecycle", "raid", "kpis",
    ]  # fmt: skip
    assert document["actions"] == {"open": 6, "overdue": 2}
    assert document["lifecycle"]["stage"] == "active"


# The quarterly report's actions.csv.


def read(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"))))


def test_actions_csv_holds_open_actions_and_those_closed_in_the_quarter(
    example_cli: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "q2"
    result = example_cli("report", "quarterly", "-q", "FY2026/27 Q2", "--out", str(out))
    assert result.exit_code == 0, result
    found = read(out / "actions.csv")
    # As of 30 September: A08 was done on that day; A04 was due that day, not yet overdue.
    assert [(row["ref"], row["status"], row["overdue"]) for row in found] == [
        ("A04", "open", "false"),
        ("A08", "done", "false"),
        ("A09", "open", "false"),
        ("A05", "in_progress", "false"),
        ("A10", "in_progress", "false"),
        ("A06", "open", "false"),
        ("A11", "open", "false"),
    ]


def test_a_completion_after_the_as_of_date_is_not_known_then(
    example_cli: Cli, tmp_path: Path
) -> None:
    done = ("update-action", "A04", "--status", "done", "--completed", "2026-11-27")
    assert example_cli(*done).exit_code == 0
    out = tmp_path / "q3"
    args = ("report", "quarterly", "-q", "FY2026/27 Q3", "--out", str(out))
    assert example_cli(*args, "--as-of", "2026-11-20").exit_code == 0
    a04 = next(row for row in read(out / "actions.csv") if row["ref"] == "A04")
    assert (a04["status"], a04["completed"], a04["overdue"], a04["days_overdue"]) == (
        "open",
        "",
        "true",
        "51",
    )
    assert example_cli(*args, "--as-of", "2026-11-28", "--force").exit_code == 0
    a04 = next(row for row in read(out / "actions.csv") if row["ref"] == "A04")
    assert (a04["status"], a04["completed"], a04["overdue"]) == ("done", "2026-11-27", "false")


# Rules, through a programme file as through the commands.


ACTION_FILE = (
    MINIMAL
    + """
[[people]]
ref = "P1"
name = "A person"
institution = "A"

[[visits]]
ref = "V1"
title = "A visit"
date = 2026-05-02
host = "A"

[[board_meetings]]
ref = "B1"
title = "Programme board"
date = 2026-05-10
"""
)


def test_a_programme_file_is_held_to_the_same_rules(cli: Cli, db: Database, tmp_path: Path) -> None:
    path = tmp_path / "actions.toml"
    path.write_text(
        ACTION_FILE
        + """
[[actions]]
ref = "X1"
visit = "V1"
meeting = "B1"
text = "Both"

[[actions]]
ref = "X2"
meeting = "B1"
text = "Due before the meeting"
due = 2026-05-09

[[actions]]
ref = "X3"
meeting = "NOPE"
text = "An unknown meeting"
""",
        "utf-8",
    )
    before = snapshot(db)
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: {path}: 1 problem; nothing was written",
        "  actions X3 meeting: unknown board meeting 'NOPE'",
    ]
    path.write_text(path.read_text("utf-8").replace('meeting = "NOPE"', 'meeting = "B1"'))
    result = cli("import", str(path))
    assert result.stderr.splitlines() == [
        f"error: {path}: 2 problems; nothing was written",
        "  actions X1 visit: an action follows a visit or a board meeting, not both",
        "  actions X2 due: 2026-05-09 is before meeting B1 (2026-05-10)",
    ]
    assert snapshot(db) == before


def test_a_later_import_adds_a_stand_alone_action(example_cli: Cli, tmp_path: Path) -> None:
    """Found while writing these tests (the new record had no MoU), fixed since."""
    path = tmp_path / "more.toml"
    path.write_text(
        EXAMPLE.read_text("utf-8")
        + '\n[[actions]]\nref = "A12"\ntext = "Order the review pack"\ndue = 2027-01-29\n',
        "utf-8",
    )
    result = example_cli("import", str(path))
    assert result.exit_code == 0, result
    assert result.stdout.splitlines()[0].endswith("1 added, 0 changed, 122 unchanged.")
    assert "A12" in [row["ref"] for row in listed(example_cli)]
    again = example_cli("export")
    assert 'ref = "A12"\ntext = "Order the review pack"\ndue = 2027-01-29' in again.stdout


def test_days_overdue_agrees_with_the_rule_the_kind_states() -> None:
    """The kind's own rule (used by ``show``) and the service's (used by lists and reports)
    give the same answer."""
    assert ACTIONS.days_late is not None
    as_of = dt.date(2026, 11, 28)
    cases = [
        ({"status": "open", "due": dt.date(2026, 11, 27), "completed": None}, 1),
        ({"status": "open", "due": dt.date(2026, 11, 28), "completed": None}, None),
        ({"status": "open", "due": None, "completed": None}, None),
        ({"status": "cancelled", "due": dt.date(2026, 1, 1), "completed": None}, None),
        ({"status": "done", "due": dt.date(2026, 1, 1), "completed": dt.date(2026, 11, 28)}, None),
        ({"status": "done", "due": dt.date(2026, 1, 1), "completed": dt.date(2026, 11, 29)}, 331),
    ]
    for record, expected in cases:
        open_then = record["status"] != "cancelled" and (
            record["completed"] is None or record["completed"] > as_of
        )
        assert ACTIONS.days_late(record, as_of) == expected, record
        assert days_overdue(record["due"], as_of, open_then=open_then) == expected, record
