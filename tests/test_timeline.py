"""``mou timeline``: milestones per workstream and quarter, marked by state, today's position
shown, drawn to fit the terminal (at 80 columns by showing fewer quarters, and saying so)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from rich.cells import cell_len

from tests.conftest import Cli
from tests.golden import assert_golden

AS_OF = "2026-11-28"


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tracker.cli.context.today", lambda: dt.date(2026, 11, 28))


def chart(cli: Cli, *args: str, columns: int = 80) -> str:
    result = cli("timeline", "--as-of", AS_OF, *args, columns=columns)
    assert (result.exit_code, result.stderr) == (0, ""), result
    return result.stdout


def document(cli: Cli, *args: str) -> dict[str, Any]:
    result = cli("timeline", "--as-of", AS_OF, *args, "--format", "json")
    assert result.exit_code == 0, result
    found: dict[str, Any] = json.loads(result.stdout)
    return found


def marks(cli: Cli, *args: str) -> dict[str, tuple[str, str, str]]:
    """Each placed milestone: (its workstream, its quarter's label, its mark)."""
    data = document(cli, *args)
    labels = [quarter["label"] for quarter in data["quarters"]]
    return {
        item["ref"]: (row["ref"], labels[position], item["mark"])
        for row in data["rows"]
        for position, cell in enumerate(row["cells"])
        for item in cell
    }


def test_the_chart_at_80_columns(example_cli: Cli) -> None:
    out = chart(example_cli)
    assert_golden("timeline_80.txt", out)
    assert max(cell_len(line) for line in out.splitlines()) <= 80
    lines = out.splitlines()
    header = next(line for line in lines if "Q2 26/27" in line)
    assert header.strip() == "Q2 26/27 Q3 26/27 Q4 26/27 Q1 27/28 Q2 27/28 Q3 27/28"
    # Today's marker sits under the third quarter (October to December), near its end.
    today = lines[lines.index(header) + 1]
    assert today.strip() == "▼"
    column = header.index("Q3 26/27")
    assert column < today.index("▼") < column + 8
    # Workstreams are grouped under their themes, sub-themes indented.
    assert [line.split()[0] for line in lines if line.startswith(("ACAD", "  WS0"))][:3] == [
        "ACAD",
        "WS00",
        "WS08",
    ]
    assert "Showing" not in out  # every quarter asked for fits


def test_fewer_quarters_to_fit_and_it_says_so(example_cli: Cli) -> None:
    out = chart(example_cli, "--quarters", "8")
    assert max(cell_len(line) for line in out.splitlines()) <= 80
    assert "Showing 6 of 8 quarters to fit 80 columns; widen the terminal to see them all, " in out
    assert "Q3 27/28" in out and "Q4 27/28" not in out
    wide = chart(example_cli, "--quarters", "8", columns=120)
    assert "Q1 28/29" in wide and "Showing" not in wide
    narrow = chart(example_cli, columns=40)
    assert max(cell_len(line) for line in narrow.splitlines()) <= 40
    assert "Showing 2 of 6 quarters to fit 40 columns; " in " ".join(narrow.split())


def test_every_line_wraps_to_the_terminal(example_cli: Cli) -> None:
    """Headings and notes too: nothing runs past the width (COLUMNS, not being a terminal)."""
    for columns in (50, 64, 80):
        out = chart(example_cli, "--quarters", "12", columns=columns)
        assert max(cell_len(line) for line in out.splitlines()) <= columns, columns


def test_marks_by_state(example_cli: Cli) -> None:
    found = marks(example_cli)
    assert found["MS-10"] == ("WS01", "FY2026/27 Q3", "done")
    assert found["MS-14"] == ("WS01", "FY2026/27 Q3", "due")  # amber, still in its quarter
    assert found["MS-09"] == ("WS06", "FY2026/27 Q3", "overdue")  # in its forecast's quarter
    assert found["MS-12"] == ("WS05", "FY2026/27 Q3", "overdue")
    # Re-baselined from 18 December (Q3) to 31 March (Q4): slipped from an earlier quarter.
    assert found["MS-19"] == ("WS08", "FY2026/27 Q4", "slipped")
    assert found["MS-08"] == ("WS06", "FY2026/27 Q2", "done")
    assert "MS-11" not in found  # cancelled
    assert "MS-05" not in found  # before the first quarter shown
    # A forecast into the next quarter slips MS-13 too.
    assert example_cli("update-milestone", "MS-13", "--forecast", "2027-01-15").exit_code == 0
    assert marks(example_cli)["MS-13"] == ("WS02", "FY2026/27 Q4", "slipped")


def test_json_and_csv(example_cli: Cli) -> None:
    data = document(example_cli, "--quarters", "2")
    assert data["as_of"] == AS_OF
    assert data["scheme"] == "uk-fy"
    assert data["quarters"] == [
        {"label": "FY2026/27 Q2", "start": "2026-07-01", "end": "2026-09-30"},
        {"label": "FY2026/27 Q3", "start": "2026-10-01", "end": "2026-12-31"},
    ]
    ws01 = next(row for row in data["rows"] if row["ref"] == "WS01")
    assert ws01 == {
        "type": "workstream",
        "ref": "WS01",
        "name": "Materials chemistry and national facilities",
        "depth": 1,
        "cells": [
            [],
            [
                {"ref": "MS-10", "mark": "done", "rag": "COMPLETE", "date": "2026-10-14"},
                {"ref": "MS-14", "mark": "due", "rag": "AMBER", "date": "2026-12-24"},
            ],
        ],
    }
    lines = example_cli("timeline", "--as-of", AS_OF, "--format", "csv").stdout.splitlines()
    assert lines[0] == "theme,workstream,quarter,ref,mark,rag,date"
    assert "GROW-RETAIN,WS06,FY2026/27 Q3,MS-09,overdue,RED,2026-11-13" in lines


@pytest.mark.parametrize("start", ["FY2026/27 Q1", "fy26/27 q1", "2026-05-01", "01/06/2026"])
def test_from_a_quarter_or_a_date_in_it(example_cli: Cli, start: str) -> None:
    data = document(example_cli, "--from", start, "--quarters", "3")
    assert [quarter["label"] for quarter in data["quarters"]] == [
        "FY2026/27 Q1",
        "FY2026/27 Q2",
        "FY2026/27 Q3",
    ]


def test_today_outside_the_quarters_shown(example_cli: Cli) -> None:
    out = chart(example_cli, "--from", "FY2027/28 Q1", "--quarters", "2")
    assert "▼" not in out and "┆" not in out
    assert "Today (Sat 28 Nov 2026) is outside the quarters shown." in " ".join(out.split())


def test_a_theme_and_its_sub_themes(example_cli: Cli) -> None:
    data = document(example_cli, "--theme", "grow")
    assert [(row["type"], row["ref"], row["depth"]) for row in data["rows"]] == [
        ("theme", "GROW", 0),
        ("theme", "GROW-INVEST", 1),
        ("workstream", "WS07", 2),
        ("theme", "GROW-RETAIN", 1),
        ("workstream", "WS06", 2),
        ("workstream", "WS09", 2),
    ]


def test_the_calendar_scheme(example_cli: Cli) -> None:
    out = chart(example_cli, "--scheme", "calendar", "--quarters", "4")
    assert "Q3 2026  Q4 2026  Q1 2027  Q2 2027" in out
    assert "by quarters of the calendar year." in out


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["--from", "soon"],
            1,
            "error: --from: expected a quarter such as FY2026/27 Q3 or a date such as "
            "2026-11-28; got 'soon'\n",
        ),
        (
            ["--from", "1899-01-01"],
            1,
            "error: --from: 1899-01-01 is outside the years 1900 to 2199\n",
        ),
        (
            ["--from", "29/02/2027"],
            1,
            "error: --from: 29/02/2027 is not a day of the calendar: February 2027 has 28 days\n",
        ),
        (["--theme", "NOPE"], 1, "error: --theme: no theme with ref 'NOPE'\n"),
        (["--quarters", "0"], 2, None),
        (["--quarters", "41"], 2, None),
        (
            ["--scheme", "fiscal"],
            1,
            "error: scheme: expected one of uk-fy, academic, calendar; got 'fiscal'\n",
        ),
    ],
)
def test_refusals(example_cli: Cli, args: list[str], code: int, message: str | None) -> None:
    result = example_cli("timeline", *args)
    assert (result.exit_code, result.stdout) == (code, "")
    if message is not None:
        assert result.stderr == message


def test_a_programme_without_workstreams(cli: Cli, tmp_path: Any) -> None:
    path = tmp_path / "bare.toml"
    path.write_text('[mou]\nref = "T"\ntitle = "Bare"\n', "utf-8")
    assert cli("import", str(path)).exit_code == 0
    out = chart(cli)
    assert "No workstreams to show." in out


def test_a_crowded_quarter_counts_what_does_not_fit(example_cli: Cli) -> None:
    """Up to eight marks stand where their dates fall; more are packed and counted."""

    def ws09_row() -> str:
        line = next(line for line in chart(example_cli, columns=120).splitlines() if "WS09" in line)
        return line

    for day in range(1, 9):
        added = example_cli(
            "add-milestone", f"Step {day}", "-w", "WS09", "--due", f"2027-01-0{day}"
        )
        assert added.exit_code == 0, added
    assert ws09_row().count("◆") == 8
    for day in range(10, 28):
        assert (
            example_cli("add-milestone", "More", "-w", "WS09", "--due", f"2027-01-{day}").exit_code
            == 0
        )
    # 26 in the quarter: five marks and "+21" fill the eight places.
    assert "◆◆◆◆◆+21" in ws09_row()
    assert len(marks(example_cli)) == 14 + 26  # the 14 of the example, and these
