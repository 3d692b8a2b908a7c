"""``mou due``: the look-ahead of docs/rules.md on the example at several dates, its window
edges, its filters, the per-owner tables, and ``--check`` for cron."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from tests.conftest import Cli
from tests.golden import assert_golden
from tests.helpers import snapshot
from tracker.db import Database

TODAY = dt.date(2026, 11, 28)


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tracker.cli.context.today", lambda: TODAY)


def rows(cli: Cli, *args: str) -> list[dict[str, Any]]:
    result = cli("due", *args, "--format", "json")
    assert (result.exit_code, result.stderr) == (0, ""), result
    document = json.loads(result.stdout)
    assert list(document) == ["as_of", "within", "rows"]
    found: list[dict[str, Any]] = document["rows"]
    return found


def brief(cli: Cli, *args: str) -> list[tuple[str, str, str, int | None]]:
    """(kind, ref, date, days overdue) of each row, in order."""
    return [(r["kind"], r["ref"], r["date"], r["days_overdue"]) for r in rows(cli, *args)]


def test_the_example_as_of_28_november(example_cli: Cli) -> None:
    assert brief(example_cli, "--as-of", "2026-11-28") == [
        # Overdue first, the longest overdue first.
        ("action", "A04", "2026-09-30", 59),
        ("milestone", "MS-12", "2026-10-30", 29),
        ("milestone", "MS-09", "2026-11-13", 15),  # its forecast, not its due date
        ("action", "A09", "2026-11-20", 8),
        # Then what falls due in the next 30 days, soonest first.
        ("milestone", "MS-13", "2026-12-04", None),
        ("action", "A05", "2026-12-05", None),
        ("meeting", "BM03", "2026-12-10", None),
        ("action", "A10", "2026-12-18", None),
        ("milestone", "MS-14", "2026-12-24", None),
    ]


def test_the_json_contract(example_cli: Cli) -> None:
    result = example_cli("due", "--as-of", "2026-11-28", "--within", "14d", "--format", "json")
    document = json.loads(result.stdout)
    assert (document["as_of"], document["within"]) == ("2026-11-28", 14)
    assert document["rows"][0] == {
        "kind": "action",
        "ref": "A04",
        "title": "Set up a follow-up call with Diamond's industrial liaison team on access "
        "routes for Liverpool City Region firms.",
        "date": "2026-09-30",
        "owner": "MOLYNEUX",
        "institution": "LCRCA",
        "rag": "RED",
        "days_overdue": 59,
    }
    assert document["rows"][-1] == {
        "kind": "meeting",
        "ref": "BM03",
        "title": "Programme board: third-quarter review",
        "date": "2026-12-10",
        "owner": "MORLEY",  # the chair
        "institution": "OXF",
        "rag": None,
        "days_overdue": None,
    }
    csv = example_cli("due", "--as-of", "2026-11-28", "--format", "csv").stdout.splitlines()
    assert csv[0] == "kind,ref,title,date,owner,institution,rag,days_overdue"
    assert csv[4] == (
        "action,A09,Bring a costed plan for the joint investment prospectus to the next "
        "board.,2026-11-20,MOLYNEUX,LCRCA,RED,8"
    )
    assert csv[5] == (
        "milestone,MS-13,Climate and health seed-fund call opened,2026-12-04,BRANNIGAN,OXF,GREEN,"
    )


def test_the_table_and_the_tables_per_owner(example_cli: Cli) -> None:
    table = example_cli("due", "--as-of", "2026-11-28")
    assert table.exit_code == 0, table
    assert_golden("due.txt", table.stdout)
    by_owner = example_cli("due", "--as-of", "2026-11-28", "--by", "owner")
    assert by_owner.exit_code == 0, by_owner
    assert_golden("due_by_owner.txt", by_owner.stdout)
    titles = [line for line in by_owner.stdout.splitlines() if " overdue, " in line]
    assert titles[1:] == [
        "Dr Ruth Brannigan (BRANNIGAN, OXF): 0 overdue, 1 due",
        "Professor Owen Caddick (CADDICK, LIV): 0 overdue, 2 due",
        "Priya Chandrasekar (CHANDRASEKAR, OCC): 1 overdue, 0 due",
        "Professor Clare Huxtable (HUXTABLE, OXF): 1 overdue, 0 due",
        "Gareth Molyneux (MOLYNEUX, LCRCA): 2 overdue, 0 due",
        "Dr Alys Morley (MORLEY, OXF): 0 overdue, 1 due",
        "Dr Sunita Varghese (VARGHESE, LIV): 0 overdue, 1 due",
    ]
    # --by changes the tables only: scripts get the same rows.
    assert example_cli("due", "--as-of", "2026-11-28", "--by", "owner", "-f", "json").stdout == (
        example_cli("due", "--as-of", "2026-11-28", "-f", "json").stdout
    )


# The window's edges.


@pytest.mark.parametrize(
    ("within", "listed"),
    [
        ("6d", True),  # MS-13 falls due exactly at 28 Nov + 6 days: in the window
        ("6", True),
        ("5d", False),  # one day short
        ("1w", True),
        ("0d", False),
    ],
)
def test_an_item_due_exactly_at_the_window_end_is_in_it(
    example_cli: Cli, within: str, listed: bool
) -> None:
    refs = [row["ref"] for row in rows(example_cli, "--as-of", "2026-11-28", "--within", within)]
    assert ("MS-13" in refs) is listed


def test_overdue_by_one_day_and_due_today(example_cli: Cli) -> None:
    found = brief(example_cli, "--as-of", "2026-12-05", "--within", "0d")
    assert ("milestone", "MS-13", "2026-12-04", 1) in found  # due yesterday: one day overdue
    assert ("action", "A05", "2026-12-05", None) in found  # due today: not overdue yet
    assert [row[1] for row in found if row[3] is None] == ["A05"]


def test_done_and_cancelled_items_leave_the_look_ahead(example_cli: Cli) -> None:
    done = ("update-action", "A04", "--status", "done", "--completed", "2026-11-27")
    assert example_cli(*done).exit_code == 0
    assert example_cli("update-action", "A09", "--status", "cancelled").exit_code == 0
    assert example_cli("update-milestone", "MS-12", "--status", "cancelled").exit_code == 0
    assert example_cli("update-board-meeting", "BM03", "--status", "postponed").exit_code == 0
    assert [row[1] for row in brief(example_cli, "--as-of", "2026-11-28")] == [
        "MS-09",
        "MS-13",
        "A05",
        "A10",
        "MS-14",
    ]
    # A completion after the as-of date was not known then: as of 26 November, A04 was open.
    assert "A04" in [row[1] for row in brief(example_cli, "--as-of", "2026-11-26")]


def test_an_action_with_no_due_date_is_never_overdue_and_is_noted(example_cli: Cli) -> None:
    added = example_cli("add-action", "Collect case studies", "--owner", "MORLEY", "--ref", "A20")
    assert added.exit_code == 0, added
    assert "A20" not in [row["ref"] for row in rows(example_cli, "--as-of", "2027-12-31")]
    table = example_cli("due", "--as-of", "2026-11-28").stdout
    assert "1 open action has no due date, so it is never overdue: A20." in table
    other = example_cli("due", "--as-of", "2026-11-28", "--institution", "LIV").stdout
    assert "no due date" not in other  # MORLEY is of OXF


def test_a_planned_visit_in_the_window(example_cli: Cli) -> None:
    found = rows(example_cli, "--as-of", "2027-01-01", "--kind", "visit")
    assert found == [
        {
            "kind": "visit",
            "ref": "V04",
            "title": "Partnership visit to STFC Daresbury Laboratory",
            "date": "2027-01-21",
            "owner": "FAIRBAIRN",  # its host attendee
            "institution": "STFC",  # its host
            "rag": None,
            "days_overdue": None,
        }
    ]
    # Under way at the as-of date (21 to 22 January): still listed; over: not.
    assert len(rows(example_cli, "--as-of", "2027-01-22", "--kind", "visit")) == 1
    assert rows(example_cli, "--as-of", "2027-01-23", "--kind", "visit") == []
    assert example_cli("update-visit", "V04", "--status", "cancelled").exit_code == 0
    assert rows(example_cli, "--as-of", "2027-01-01", "--kind", "visit") == []


# The MoU's own dates.


def test_a_passed_review_date_stays_overdue_until_dealt_with(example_cli: Cli) -> None:
    def mou_rows(as_of: str) -> list[tuple[str, str, int | None]]:
        return [
            (row["title"], row["date"], row["days_overdue"])
            for row in rows(example_cli, "--as-of", as_of, "--kind", "mou")
        ]

    assert mou_rows("2027-01-20") == [("MoU review", "2027-02-19", None)]  # in the 30 days
    assert mou_rows("2027-01-19") == []  # 31 days ahead: not yet
    assert mou_rows("2027-02-20") == [("MoU review", "2027-02-19", 1)]
    assert mou_rows("2027-09-30") == [("MoU review", "2027-02-19", 223)]
    # A status of under review deals with it...
    assert example_cli("update-mou", "OXF-LIV-2026", "--status", "under_review").exit_code == 0
    assert mou_rows("2027-09-30") == []
    # ...and so does a later review date, which is then the one that comes round.
    assert example_cli("update-mou", "OXF-LIV-2026", "--status", "active").exit_code == 0
    assert mou_rows("2027-09-30") == [("MoU review", "2027-02-19", 223)]
    assert example_cli("update-mou", "OXF-LIV-2026", "--review", "2028-02-19").exit_code == 0
    assert mou_rows("2027-09-30") == []
    assert mou_rows("2028-02-01") == [("MoU review", "2028-02-19", None)]


def test_a_passed_notice_deadline_and_expiry_stay_overdue_until_renewed_or_ended(
    example_cli: Cli,
) -> None:
    def mou_rows(as_of: str) -> list[tuple[str, str, int | None]]:
        return [
            (row["title"], row["date"], row["days_overdue"])
            for row in rows(example_cli, "--as-of", as_of, "--kind", "mou")
        ]

    assert example_cli("update-mou", "OXF-LIV-2026", "--review", "none").exit_code == 0
    # Notice: the expiry (18 Feb 2031) less 12 calendar months.
    assert mou_rows("2030-02-01") == [("MoU renewal notice deadline", "2030-02-18", None)]
    assert mou_rows("2030-03-01") == [("MoU renewal notice deadline", "2030-02-18", 11)]
    assert example_cli("update-mou", "OXF-LIV-2026", "--status", "under_review").exit_code == 0
    # Under review does not deal with the renewal notice.
    assert mou_rows("2030-03-01") == [("MoU renewal notice deadline", "2030-02-18", 11)]
    assert mou_rows("2031-03-01") == [
        ("MoU renewal notice deadline", "2030-02-18", 376),
        ("MoU expiry", "2031-02-18", 11),
    ]
    assert example_cli("update-mou", "OXF-LIV-2026", "--status", "renewed").exit_code == 0
    assert mou_rows("2031-03-01") == []
    assert example_cli("update-mou", "OXF-LIV-2026", "--status", "expired").exit_code == 0
    assert mou_rows("2031-03-01") == []


def test_the_notice_deadline_falls_on_the_last_day_of_a_shorter_month(example_cli: Cli) -> None:
    args = ("update-mou", "OXF-LIV-2026", "--expires", "2031-08-31", "--review", "none")
    assert example_cli(*args, "--renewal-notice-months", "6").exit_code == 0
    found = rows(example_cli, "--as-of", "2031-02-01", "--kind", "mou")
    assert [(row["title"], row["date"]) for row in found] == [
        ("MoU renewal notice deadline", "2031-02-28")
    ]


# Filters.


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--owner", "molyneux"], ["A04", "A09"]),
        (["--institution", "LIV"], ["A05", "A10", "MS-14"]),
        # Actions of visits with the theme: A04 follows V02, A05 follows V03.
        (["--theme", "CHEM"], ["A04", "A05", "MS-14"]),
        (["--theme", "GROW"], ["A04", "MS-09"]),
        (["--kind", "milestone"], ["MS-12", "MS-09", "MS-13", "MS-14"]),
        (["--kind", "action", "--kind", "MEETING"], ["A04", "A09", "A05", "BM03", "A10"]),
        (["--kind", "mou"], []),
        (["--owner", "MORLEY", "--within", "90d"], ["BM03", "A11", "OXF-LIV-2026"]),
    ],
)
def test_filters(example_cli: Cli, args: list[str], expected: list[str]) -> None:
    assert [row["ref"] for row in rows(example_cli, "--as-of", "2026-11-28", *args)] == expected


# Exit codes for cron.


def test_check_exits_3_when_anything_is_overdue(example_cli: Cli, example_db: Database) -> None:
    before = snapshot(example_db)
    overdue = example_cli("due", "--as-of", "2026-11-28", "--check")
    assert overdue.exit_code == 3, overdue
    assert overdue.stdout == example_cli("due", "--as-of", "2026-11-28").stdout  # still shown
    assert overdue.stderr == ""
    json_form = example_cli("due", "--as-of", "2026-11-28", "--check", "--format", "json")
    assert json_form.exit_code == 3
    assert example_cli("due", "--as-of", "2026-01-05", "--check").exit_code == 0
    assert (
        example_cli("due", "--as-of", "2026-11-28", "--check", "--owner", "BRANNIGAN").exit_code
        == 0
    )
    assert example_cli("due", "--as-of", "2026-11-28", "--check", "--kind", "mou").exit_code == 0
    assert snapshot(example_db) == before  # a read


def test_nothing_to_show_says_so(example_cli: Cli) -> None:
    result = example_cli("due", "--as-of", "2026-11-28", "--owner", "TRACEY", "--check")
    assert result.exit_code == 0
    assert "Nothing is overdue or due in the next 30 days." in result.stdout
    assert rows(example_cli, "--as-of", "2026-11-28", "--owner", "TRACEY") == []


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["--within", "soon"],
            1,
            "--within: expected a number of days such as 30d (or weeks, 4w); got 'soon'",
        ),
        (
            ["--within", "-3d"],
            1,
            "--within: expected a number of days such as 30d (or weeks, 4w); got '-3d'",
        ),
        (["--within", "99999d"], 1, "--within: at most 36500 days; got '99999d'"),
        (
            ["--within", "36500d", "--as-of", "2199-06-30"],
            1,
            "--within: 36500 days after 2199-06-30 is beyond the last date mou accepts; give "
            "fewer days",
        ),
        (["--owner", "NOPE"], 1, "--owner: no person with ref 'NOPE'"),
        (
            ["--institution", "ox"],
            1,
            "--institution: no institution with ref 'OX'; did you mean OXF?",
        ),
        (
            ["--theme", "LIFE-VAXX"],
            1,
            "--theme: no theme with ref 'LIFE-VAXX'; did you mean LIFE-VAX?",
        ),
        (["--as-of", "31/02/2026"], 1, None),
        (["--kind", "risk"], 2, None),
        (["--by", "theme"], 2, None),
    ],
)
def test_refusals(
    example_cli: Cli, example_db: Database, args: list[str], code: int, message: str | None
) -> None:
    before = snapshot(example_db)
    result = example_cli("due", *args)
    assert (result.exit_code, result.stdout) == (code, ""), result
    if message is not None:
        assert result.stderr == f"error: {message}\n"
    assert "Traceback" not in result.stderr
    assert snapshot(example_db) == before


def test_an_empty_database_has_no_look_ahead(cli: Cli) -> None:
    result = cli("due")
    assert (result.exit_code, result.stderr) == (
        1,
        "error: no MoU in this database yet: load a programme with `mou import FILE.toml`\n",
    )


def test_default_as_of_is_today(example_cli: Cli) -> None:
    assert rows(example_cli) == rows(example_cli, "--as-of", "2026-11-28")
