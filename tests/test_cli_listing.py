"""``mou list`` and ``mou show``: exact rows, filters, and the JSON/CSV contracts."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Cli
from tests.golden import assert_golden

AS_OF = "2026-11-28"


def refs(cli: Cli, *args: str) -> list[str]:
    result = cli("list", *args, "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0, result
    return [row.get("ref", row.get("institution")) for row in json.loads(result.stdout)["rows"]]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (["--overdue"], ["MS-09", "MS-12"]),
        (["--rag", "amber"], ["MS-14"]),
        (["--rag", "N/A"], ["MS-11"]),
        (["--status", "cancelled"], ["MS-11"]),
        (["--workstream", "ws01"], ["MS-04", "MS-10", "MS-14", "MS-20"]),
        (["--institution", "LCRCA"], ["MS-11", "MS-15"]),  # cancelled ones are listed
        (["--theme", "GROW"], ["MS-08", "MS-09", "MS-11", "MS-15", "MS-22"]),
        (["--due-after", "2027-03-01", "--due-before", "2027-07-01"], ["MS-18", "MS-19", "MS-20"]),
        (["--theme", "LIFE", "--rag", "RED"], ["MS-12"]),
    ],
)
def test_list_milestones_filters(example_cli: Cli, filters: list[str], expected: list[str]) -> None:
    assert refs(example_cli, "milestones", *filters) == expected


def test_list_milestones_contract(example_cli: Cli) -> None:
    result = example_cli("list", "milestones", "--as-of", AS_OF, "--format", "csv")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines()[0] == (
        "ref,title,workstream,theme,institution,owner,due,forecast,completed,status,"
        "slippage_days,rag,reported_rag,at_risk_from"
    )
    assert_golden("list_milestones.csv", result.stdout)
    table = example_cli("list", "milestones", "--as-of", AS_OF, "--overdue")
    assert table.exit_code == 0, table
    assert_golden("list_milestones_overdue.txt", table.stdout)


@pytest.mark.parametrize(
    ("kind", "count", "first"),
    [
        ("institutions", 7, "DLS"),
        ("people", 15, "BRANNIGAN"),
        ("parties", 4, "LCRCA"),
        ("themes", 11, "ACAD"),
        ("commitments", 12, "C01"),
        ("workstreams", 10, "WS00"),
        ("milestones", 22, "MS-01"),
        ("sites", 4, "DARESBURY"),
        ("visits", 4, "V01"),
        ("board_meetings", 3, "BM01"),
        ("actions", 11, "A01"),
    ],
)
def test_list_every_kind(example_cli: Cli, kind: str, count: int, first: str) -> None:
    listed = refs(example_cli, kind)
    assert (len(listed), listed[0]) == (count, first)
    for output in ("table", "csv"):
        assert example_cli("list", kind, "--format", output).exit_code == 0


def test_list_visits_json_contract(example_cli: Cli) -> None:
    result = example_cli("list", "visits", "--format", "json")
    assert_golden("list_visits.json", result.stdout)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["workstreams", "--institution", "LCRCA"], ["WS00", "WS06", "WS07", "WS09"]),
        (["commitments", "--theme", "LIFE"], ["C04", "C05", "C06", "C07"]),
        (["people", "--institution", "OCC"], ["CHANDRASEKAR", "LEFFMAN"]),
    ],
)
def test_list_other_kinds_filters(example_cli: Cli, args: list[str], expected: list[str]) -> None:
    assert refs(example_cli, *args) == expected


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["themes", "--status", "done"],
            2,
            "error: --status: only for milestones and actions; not for themes\n",
        ),
        (["sites", "--theme", "CHEM"], 2, "error: --theme: sites have no theme to filter on\n"),
        (["milestones", "--theme", "NOPE"], 1, "error: --theme: no theme with ref 'NOPE'\n"),
        (["milestones", "--due-before", "soon"], 1, None),
        (["planets"], 2, None),
    ],
)
def test_list_bad_input(example_cli: Cli, args: list[str], code: int, message: str | None) -> None:
    result = example_cli("list", *args)
    assert (result.exit_code, result.stdout) == (code, "")
    assert "Traceback" not in result.stderr
    if message:
        assert result.stderr == message


def test_show_a_milestone(example_cli: Cli) -> None:
    result = example_cli("show", "ms-19", "--as-of", AS_OF)
    assert result.exit_code == 0, result
    assert_golden("show_ms-19.txt", result.stdout)
    document = json.loads(example_cli("show", "MS-19", "--as-of", AS_OF, "-f", "json").stdout)
    assert_golden("show_ms-19.json", json.dumps(document, indent=2) + "\n")
    assert document["fields"]["rebaselines"][0]["due"] == "2026-12-18"


def test_show_names_who_points_at_a_record(example_cli: Cli) -> None:
    document = json.loads(example_cli("show", "WS05", "-f", "json").stdout)
    assert document["kind"] == "workstream"
    assert document["referenced_by"] == [
        {"kind": "milestone", "ref": "MS-12", "field": "workstream"},
    ]
    institution = json.loads(example_cli("show", "LCRCA", "-f", "json").stdout)
    pointing = [(item["kind"], item["ref"], item["field"]) for item in institution["referenced_by"]]
    assert pointing[:4] == [
        ("commitment", "C10", "lead"),
        ("commitment", "C11", "lead"),
        ("milestone", "MS-11", "institution"),
        ("milestone", "MS-15", "institution"),
    ]


def test_show_an_ambiguous_ref_asks_for_the_kind(example_cli: Cli) -> None:
    assert example_cli("add-site", "Oxford office", "--ref", "OXF").exit_code == 0
    result = example_cli("show", "OXF")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: ref: OXF names an institution and a site; choose one with --kind\n"
    )
    chosen = example_cli("show", "OXF", "--kind", "sites", "-f", "json")
    assert json.loads(chosen.stdout)["kind"] == "site"


def test_show_unknown(example_cli: Cli) -> None:
    result = example_cli("show", "NOPE")
    assert (result.exit_code, result.stderr) == (1, "error: ref: no record has the ref 'NOPE'\n")


def test_status_tree(example_cli: Cli) -> None:
    result = example_cli("status", "--tree", "--as-of", AS_OF, "-f", "json")
    assert result.exit_code == 0, result
    assert_golden("status_tree.json", result.stdout)
    rows = json.loads(result.stdout)["rows"]
    assert [(row["scope_type"], row["scope"]) for row in rows[:4]] == [
        ("theme", "ACAD"),
        ("workstream", "WS00"),
        ("workstream", "WS08"),
        ("theme", "CHEM"),
    ]
    clash = example_cli("status", "--tree", "--by", "theme")
    assert (clash.exit_code, clash.stderr) == (
        2,
        "error: --tree: shows themes and workstreams together; leave out --by\n",
    )


def test_show_a_theme_gives_its_progress_and_its_milestones(example_cli: Cli) -> None:
    """A theme counts its sub-themes' milestones, as in `mou status`; its trend is against the
    end of the previous quarter."""
    shown = example_cli("show", "LIFE", "--as-of", AS_OF, columns=100)
    assert shown.exit_code == 0, shown
    assert shown.stdout.splitlines()[:3] == [
        "Theme LIFE",
        "As of Sat 28 Nov 2026: RED \u2193 (GREEN at the end of the previous quarter)  5 "
        "milestones: 2 done, 2",
        "green, 0 amber, 1 red (1 overdue); next MS-17, due Fri 26 Feb 2027",
    ]
    document = json.loads(example_cli("show", "LIFE", "--as-of", AS_OF, "-f", "json").stdout)
    assert document["progress"] == {
        "scope": "LIFE", "name": "Life sciences", "total": 5, "done": 2, "green": 2, "amber": 0,
        "red": 1, "overdue": 1, "pct_complete": 40.0, "rag": "RED", "next_ref": "MS-17",
        "next_due": "2027-02-26", "rag_previous": "GREEN", "trend": "down", "at_risk": 0,
    }  # fmt: skip
    assert [row["ref"] for row in document["milestones"]] == [
        "MS-06", "MS-07", "MS-12", "MS-17", "MS-18",
    ]  # fmt: skip
    # The same counts as the status table's row.
    status = json.loads(example_cli("status", "--as-of", AS_OF, "-f", "json").stdout)
    row = next(row for row in status["tables"]["theme"] if row["scope"] == "LIFE")
    assert row == document["progress"]


@pytest.mark.parametrize(
    ("ref", "table", "milestones"),
    [
        ("WS07", "workstream", ["MS-11", "MS-15"]),
        ("OCC", "institution", ["MS-08", "MS-09", "MS-22"]),
    ],
)
def test_show_a_workstream_or_an_institution_gives_its_progress(
    example_cli: Cli, ref: str, table: str, milestones: list[str]
) -> None:
    document = json.loads(example_cli("show", ref, "--as-of", AS_OF, "-f", "json").stdout)
    assert [row["ref"] for row in document["milestones"]] == milestones
    by = json.loads(example_cli("status", "--by", table, "--as-of", AS_OF, "-f", "json").stdout)
    row = next(row for row in by["rows"] if row["scope"] == ref)
    assert document["progress"] == row


def test_show_the_mou_gives_its_parties_dates_and_standing(example_cli: Cli) -> None:
    shown = example_cli("show", "OXF-LIV-2026", "--as-of", AS_OF, columns=120)
    assert shown.exit_code == 0, shown
    lines = shown.stdout.splitlines()
    assert lines[:9] == [
        "MoU OXF-LIV-2026",
        "Oxford\u2013Liverpool strategic partnership: Memorandum of Understanding  (active, "
        "signed Thu 19 Feb 2026)",
        "  Liverpool City Region Combined Authority: Steve Rotheram, Mayor of the Liverpool "
        "City Region",
        "  University of Liverpool: Professor Tim Jones, Vice-Chancellor, University of Liverpool",
        "  Oxfordshire County Council: Councillor Liz Leffman, Leader of Oxfordshire County "
        "Council",
        "  University of Oxford: Professor Irene Tracey, Vice-Chancellor, University of Oxford",
        "As of Sat 28 Nov 2026: RED \u2192  21 milestones: 9 done, 8 green, 1 amber, 3 red (2 "
        "overdue, 1 at risk from a dependency);",
        "next MS-13, due Fri 4 Dec 2026",
        "Actions: 6 open, 2 overdue.",
    ]
    # Its dates, and no list of every record that belongs to it by an internal id.
    assert "2027-02-19  MoU review" in shown.stdout
    assert "Referenced by" not in shown.stdout
    document = json.loads(
        example_cli("show", "OXF-LIV-2026", "--as-of", AS_OF, "-f", "json").stdout
    )
    assert document["referenced_by"] == []
    assert document["programme"]["stage"] == "active"
    assert [party["institution"] for party in document["programme"]["parties"]] == [
        "LCRCA", "LIV", "OCC", "OXF",
    ]  # fmt: skip
    assert document["programme"]["dates"][0] == {
        "event": "review", "title": "MoU review", "date": "2027-02-19", "days": 83,
        "overdue": False,
    }  # fmt: skip
    assert document["progress"]["rag"] == "RED"
