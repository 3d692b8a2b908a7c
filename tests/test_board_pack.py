"""The board pack: the terminal report pinned at 80 and 120 columns, and the workbook read back
with openpyxl (sheets, values equal to the CSV files' figures, cell types, RAG fills, no
formulas, frozen headers, filters, page set-up, the chart), for a fresh and an issued quarter,
on both backends. LibreOffice opens the workbook when it is installed.

The example is reported for FY2026/27 Q3 to date, as of Monday 30 November 2026, with the
programme office's commentary below (the README's tutorial writes the same notes).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from rich.cells import cell_len

from tests.conftest import Cli, CliResult
from tests.golden import assert_golden
from tests.helpers import MINIMAL, milestone_toml, snapshot
from tracker.cli.workbook import (
    ACTION_COLUMNS,
    CHANGE_COLUMNS,
    KPI_COLUMNS,
    MILESTONE_COLUMNS,
    PALETTE,
    RISK_COLUMNS,
    SCOPE_COLUMNS,
    SHEETS,
    VISIT_COLUMNS,
)
from tracker.db import Database

TODAY = dt.date(2026, 11, 30)
Q3 = "FY2026/27 Q3"
PACK = ("report", "quarterly", "-q", Q3, "--as-of", "2026-11-30")
# The commentary the tutorial writes: (scope option, its ref, the text).
NOTES = [
    (
        "--programme",
        None,
        "Two milestones are overdue: the scale-up pilot recruited 6 of its 10 firms (MS-09), "
        "and the neurosciences and women's health scoping report (MS-12) waits for its "
        "second reader. The investment prospectus (MS-15) has moved to March, which puts the "
        "first annual review (MS-16) at risk: the board is asked to hold the review in "
        "February without it.",
    ),
    (
        "--theme",
        "GROW",
        "Most applicants to the pilot fell short of the entry criteria (R02). A second "
        "recruitment round opens in January with wider eligibility.",
    ),
    (
        "--workstream",
        "WS07",
        "The prospectus now follows the combined authority's investment plan; a costed plan "
        "(A09) comes to the December board.",
    ),
]


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tracker.cli.context.today", lambda: TODAY)


def ok(result: CliResult) -> str:
    assert (result.exit_code, result.stderr) == (0, ""), result
    return result.stdout


@pytest.fixture
def pack_cli(example_cli: Cli) -> Cli:
    """The example with the quarter's commentary written."""
    for option, ref, text in NOTES:
        ok(example_cli("note", "add", "-q", Q3, option, *([ref] if ref else []), text))
    return example_cli


# ---------------------------------------------------------------------------------------------
# The terminal
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("columns", [80, 120])
def test_the_terminal_pack_is_pinned(pack_cli: Cli, columns: int) -> None:
    shown = ok(pack_cli(*PACK, columns=columns))
    too_wide = [line for line in shown.splitlines() if cell_len(line) > columns]
    assert not too_wide, too_wide
    assert_golden(f"board_pack_{columns}.txt", shown)


# Down to 50 columns (a phone's terminal): below 60 the free text wraps narrower than usual,
# since the refs, dates and RAG a board needs are never left out.
@pytest.mark.parametrize("columns", [50, 55, 70, 100, 160])
def test_every_line_fits_the_terminal(pack_cli: Cli, columns: int) -> None:
    shown = ok(pack_cli(*PACK, columns=columns))
    assert max(cell_len(line) for line in shown.splitlines()) <= columns
    if columns < 120:
        assert "Left out to fit" in shown


def test_an_empty_programme_says_so_rather_than_showing_empty_tables(
    cli: Cli, tmp_path: Path
) -> None:
    programme = tmp_path / "p.toml"
    programme.write_text(MINIMAL + milestone_toml("M1", due="2026-05-01"), "utf-8")
    ok(cli("import", str(programme)))
    shown = ok(cli("report", "quarterly", "-q", "FY2026/27 Q1", columns=80))
    for line in (
        "Overdue actions\nNone: every open action is within its due date.\n",
        "Top risks\nNone: no risk is open.\n",
        "Milestones at risk from one they depend on\nNone: no open milestone waits on one "
        "that finishes after it is due.\n",
    ):
        assert line in shown


def test_a_report_issued_before_the_board_pack_still_shows() -> None:
    """An issued document lacks what the pack added since (the MoU's facts, the exceptions,
    the commentary): the pack shows what it has and says what it lacks."""
    from rich.console import Console

    from tracker.cli.pack import terminal_pack
    from tracker.cli.render import show
    from tracker.services.board_pack import board_pack

    summary = {
        "programme": "T", "period": "FY2026/27 Q2", "scheme": "uk-fy", "start": "2026-07-01",
        "end": "2026-09-30", "as_of": "2026-09-30", "to_date": False, "rag": "GREEN",
        "total": 1, "done": 0, "green": 1, "amber": 0, "red": 0, "overdue": 0,
        "due_in_period": 0, "achieved_in_period": 0, "achieved_on_time": 0, "achieved_late": 0,
        "missed_in_period": 0, "overdue_at_period_end": 0, "forecast_next_period": 0,
        "pct_on_time": None, "due_rest_of_period": 0, "green_tol_days": 7, "red_tol_days": 30,
        "rag_previous": "GREEN", "trend": "same",
    }  # fmt: skip
    old = {"summary": summary, "milestone_summary": [], "theme_progress": []}
    pack = board_pack(old)
    assert pack.missing == ["mou", "milestone_exceptions", "commentary"]
    out = Console(file=io.StringIO(), width=80, no_color=True, highlight=False)
    show(terminal_pack(pack, issued=None, document=old), out)
    text = out.file.getvalue()  # type: ignore[attr-defined]
    assert text.startswith("T\nBoard pack for FY2026/27 Q2 (2026-07-01 to 2026-09-30), as of ")
    assert (
        "Issued before the board pack existed: mou, milestone exceptions, commentary not "
        "recorded." in " ".join(text.split())
    )


# ---------------------------------------------------------------------------------------------
# The workbook
# ---------------------------------------------------------------------------------------------


def write_pack(cli: Cli, target: Path, *args: str) -> openpyxl.Workbook:
    ok(cli(*PACK, *args, "--xlsx", str(target)))
    return openpyxl.load_workbook(target)


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"))))


def sheet_rows(sheet: Any, header_row: int = 3) -> list[dict[str, Any]]:
    """The main table of a sheet: its header row, then the rows up to the first empty one."""
    headers = [cell.value for cell in sheet[header_row]]
    rows = []
    for cells in sheet.iter_rows(min_row=header_row + 1):
        if all(cell.value is None for cell in cells):
            break
        rows.append(dict(zip(headers, cells, strict=False)))
    return rows


def as_csv(cell: Any, kind: str) -> str:
    """A cell's value as the CSV file writes it, by its column's kind."""
    value = cell.value
    if value is None:
        return ""
    if kind == "date":
        assert cell.is_date and cell.number_format == "dd/mm/yyyy", cell
        return str(value.date().isoformat())
    if kind == "bool":
        assert cell.data_type == "b", cell
        return "true" if value else "false"
    if kind == "pct":
        assert (cell.data_type, cell.number_format) == ("n", "0.0%"), cell
        return f"{value * 100:.1f}"
    if isinstance(value, (int, float)):
        assert cell.data_type == "n", cell
        return str(int(value)) if float(value).is_integer() else str(value)
    assert cell.data_type == "s", cell
    return str(value)


TREND_BACK = {"↑ better": "up", "↓ worse": "down", "→ same": "same", "new": "new"}
MOVEMENT_BACK = {"↑ worse": "up", "↓ better": "down", "→ same": "same"}


def compare(sheet: Any, columns: list[Any], expected: list[dict[str, str]], key: str) -> None:
    """Every cell of the sheet's table equals the CSV file's value in the same column."""
    shown = sheet_rows(sheet)
    assert len(shown) == len(expected), sheet.title
    for cells, row in zip(shown, expected, strict=True):
        for col in columns:
            if col.key not in row:
                continue
            value = as_csv(cells[col.header.format(noun=key)], col.kind)
            if col.kind == "trend":
                value = TREND_BACK.get(value, value)
            if col.kind == "movement":
                value = MOVEMENT_BACK.get(value, value)
            wanted = row[col.key]
            if col.kind in ("number",) and wanted:
                wanted = str(int(float(wanted))) if float(wanted).is_integer() else wanted
            assert value == wanted.removeprefix("'"), (sheet.title, col.key, value, wanted)


def test_the_workbook_holds_the_report_files_figures(pack_cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    ok(pack_cli(*PACK, "--out", str(folder)))
    book = write_pack(pack_cli, tmp_path / "pack.xlsx")
    assert book.sheetnames == list(SHEETS)
    compare(book["Milestones"], MILESTONE_COLUMNS, read_csv(folder / "milestones.csv"), "")
    compare(book["Actions"], ACTION_COLUMNS, read_csv(folder / "actions.csv"), "")
    compare(book["Visits"], VISIT_COLUMNS, read_csv(folder / "visits.csv"), "")
    compare(book["Risks"], RISK_COLUMNS, read_csv(folder / "risks.csv"), "")
    compare(book["KPIs"], KPI_COLUMNS, read_csv(folder / "kpis.csv"), "")
    compare(book["Changes"], CHANGE_COLUMNS, read_csv(folder / "changes.csv"), "")
    for sheet, scope_type in (("Themes", "theme"), ("Institutions", "institution")):
        figures = {
            row["scope"]: row
            for row in read_csv(folder / "milestone_summary.csv")
            if row["scope_type"] == scope_type
        }
        progress = [
            {**row, **figures[row["scope"]]}
            for row in read_csv(folder / f"{scope_type}_progress.csv")
        ]
        compare(book[sheet], SCOPE_COLUMNS, progress, sheet[:-1])
    # The commentary on each theme stands in its row; a workstream's under the table.
    themes = {row["Ref"].value: row for row in sheet_rows(book["Themes"])}
    assert themes["GROW"]["Commentary"].value == NOTES[1][2]
    assert themes["CHEM"]["Commentary"].value is None
    assert themes["GROW-RETAIN"]["Theme"].alignment.indent == 1  # a sub-theme
    values = [cell.value for row in book["Themes"].iter_rows() for cell in row]
    assert NOTES[2][2] in values


def test_the_summary_sheet(pack_cli: Cli, tmp_path: Path) -> None:
    book = write_pack(pack_cli, tmp_path / "pack.xlsx")
    summary = book["Summary"]
    column = {
        cell.value: cell.row for cell in summary["B"] if isinstance(cell.value, str)
    }  # labels in column B
    assert summary["A1"].value == (
        "OXF-LIV-2026  Oxford\u2013Liverpool strategic partnership: Memorandum of Understanding"
    )
    assert summary["A2"].value == (
        "Board pack: FY2026/27 Q3 (2026-10-01 to 2026-12-31), to date, as of 2026-11-30"
    )
    assert summary["A3"].value.startswith("Parties: Liverpool City Region Combined Authority;")
    rag = summary.cell(column["Programme RAG"], 3)
    assert (rag.value, rag.fill.fgColor.rgb) == ("RED", "FF" + PALETTE["RED"][0][1:])
    assert summary.cell(column["Programme RAG"], 4).value == (
        "→ the same as at the end of the previous quarter (RED)"
    )
    figures = {
        label: summary.cell(row, 3).value
        for label, row in column.items()
        if summary.cell(row, 3).data_type == "n"
    }
    assert figures["Milestones due in the quarter"] == 4
    assert figures["On time"] == 0.5
    assert figures["Open actions"] == 6
    # The exceptions, under their titles in column A.
    titles = {cell.value: cell.row for cell in summary["A"] if isinstance(cell.value, str)}
    red = titles["Milestones red or overdue"]
    assert [summary.cell(row, 1).value for row in range(red + 2, red + 5)] == [
        "MS-09", "MS-12", "MS-15",
    ]  # fmt: skip
    assert summary.cell(red + 3, 6).value == 31  # MS-12: days overdue
    actions = titles["Overdue actions"]
    assert [summary.cell(row, 1).value for row in range(actions + 2, actions + 4)] == [
        "A04", "A09",
    ]  # fmt: skip
    risks = titles["Top risks (open, highest score first)"]
    assert summary.cell(risks + 2, 1).value == "R02"
    dates = titles["The MoU's dates in the next two quarters"]
    assert summary.cell(dates + 2, 3).value == "in 81 days"
    commentary = titles["Commentary on the programme"]
    assert summary.cell(commentary + 1, 1).value == NOTES[0][2]
    # The chart: milestones due and achieved on time, per quarter, from the table beside it.
    with zipfile.ZipFile(tmp_path / "pack.xlsx") as archive:
        names = archive.namelist()
        assert "xl/charts/chart1.xml" in names
        chart = archive.read("xl/charts/chart1.xml").decode()
    delivery = next(cell.row for cell in summary["E"] if cell.value == "Quarter")
    assert f"Summary!$E${delivery + 1}:$E${delivery + 6}" in chart
    assert f"Summary!$F${delivery + 1}:$F${delivery + 6}" in chart
    assert f"Summary!$G${delivery + 1}:$G${delivery + 6}" in chart
    assert [summary.cell(row, 5).value for row in range(delivery + 1, delivery + 7)] == [
        "FY2025/26 Q2", "FY2025/26 Q3", "FY2025/26 Q4", "FY2026/27 Q1", "FY2026/27 Q2", Q3,
    ]  # fmt: skip


def test_a_reported_red_is_shown_beside_the_derived_rag_in_terminal_and_workbook(
    pack_cli: Cli, tmp_path: Path
) -> None:
    """MS-14 is AMBER by the rules (13 days' slippage); its owner reports it RED. Both the
    terminal and the workbook say so in the same words, and the workbook fills the cell as
    the derived RAG: a board never reads a reported RED as the rules' own."""
    reason = "Beamtime allocation moved to the spring round"
    ok(pack_cli("update-milestone", "MS-14", "--rag", "RED", "--reason", reason))
    shown = "AMBER (reported RED)"
    terminal = [line for line in ok(pack_cli(*PACK, columns=160)).splitlines() if "MS-14" in line]
    assert len(terminal) == 1 and shown in terminal[0], terminal
    book = write_pack(pack_cli, tmp_path / "pack.xlsx")
    summary = book["Summary"]
    titles = {cell.value: cell.row for cell in summary["A"] if isinstance(cell.value, str)}
    red = titles["Milestones red or overdue"]
    rows = {summary.cell(row, 1).value: row for row in range(red + 2, red + 7)}
    assert list(rows)[:4] == ["MS-09", "MS-12", "MS-14", "MS-15"]
    cell = summary.cell(rows["MS-14"], 7)
    assert (cell.value, cell.fill.fgColor.rgb) == (shown, "FF" + PALETTE["AMBER"][0][1:])
    assert summary.cell(rows["MS-14"], 8).value == reason
    assert summary.cell(rows["MS-09"], 7).value == "RED"


def test_rag_cells_are_filled_and_nothing_is_a_formula(pack_cli: Cli, tmp_path: Path) -> None:
    # With the previous quarter issued, the Changes sheet holds RAG values as it was and is:
    # they are filled too, though their column holds other words as well.
    ok(pack_cli("report", "issue", "-q", "FY2026/27 Q2"))
    book = write_pack(pack_cli, tmp_path / "pack.xlsx")
    changes = [cell.value for row in sheet_rows(book["Changes"]) for cell in row.values()]
    assert {"GREEN", "COMPLETE"} <= set(changes), changes
    filled = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if cell.value in ("RED", "AMBER", "GREEN", "COMPLETE"):
                    fill, font = PALETTE[cell.value]
                    assert cell.fill.fill_type == "solid", (sheet.title, cell.coordinate)
                    assert cell.fill.fgColor.rgb == "FF" + fill[1:], (sheet.title, cell.coordinate)
                    assert cell.font.color.rgb == "FF" + font[1:]
                    assert cell.font.b
                    filled += 1
    assert filled > 50
    # No conditional formatting: the fill belongs to the cell.
    assert all(not sheet.conditional_formatting for sheet in book.worksheets)


def test_headers_frozen_filters_on_and_set_up_to_print(pack_cli: Cli, tmp_path: Path) -> None:
    book = write_pack(pack_cli, tmp_path / "pack.xlsx")
    # The filter covers the header and every row of the main table (changes.csv holds the
    # example's own loading when it was loaded by the as-of date, so its length varies).
    last_columns = {
        "Themes": "R", "Institutions": "Q", "Milestones": "S", "Actions": "K", "Visits": "M",
        "Risks": "P", "KPIs": "N", "Changes": "I",
    }  # fmt: skip
    lengths = {"Themes": 11, "Institutions": 5, "Milestones": 5, "Actions": 6, "Visits": 1}
    for name, last in last_columns.items():
        sheet = book[name]
        rows = len(sheet_rows(sheet))
        assert rows == lengths.get(name, rows), name
        ref = f"A3:{last}{3 + rows}"
        assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("A4", ref), name
        assert sheet.print_title_rows == "$3:$3", name
    summary = book["Summary"]
    assert summary.freeze_panes == "A4"
    assert summary.auto_filter.ref is not None
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert (setup.orientation, setup.paperSize, setup.fitToHeight) == ("landscape", 9, 0)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        header = sheet.oddHeader
        assert (header.left.text, header.right.text) == ("&A", Q3)
    # Columns are fitted: a date column shows a date, a title column is wide but capped.
    milestones = book["Milestones"]
    assert milestones.column_dimensions["G"].width == pytest.approx(12.71, abs=0.01)
    assert 40 < milestones.column_dimensions["B"].width <= 63


def test_a_sheet_without_records_says_so(cli: Cli, tmp_path: Path) -> None:
    programme = tmp_path / "p.toml"
    programme.write_text(MINIMAL + milestone_toml("M1", due="2026-05-01"), "utf-8")
    ok(cli("import", str(programme)))
    target = tmp_path / "empty.xlsx"
    ok(cli("report", "quarterly", "-q", "FY2026/27 Q1", "--xlsx", str(target)))
    book = openpyxl.load_workbook(target)
    for name, line in {
        "Actions": "None: no action was open or completed in the quarter.",
        "Visits": "None: no visit in the quarter.",
        "Risks": "None: the programme has no risks.",
        "KPIs": "None: the programme has no KPIs.",
        "Changes": "None: nothing changed since the previous quarter's report.",
    }.items():
        sheet = book[name]
        assert sheet["A3"].value == "Ref" if name != "Changes" else "Theme"
        assert sheet["A4"].value == line, name
        assert sheet.auto_filter.ref.endswith("3"), name  # the header row alone


def test_an_issued_quarter_writes_the_pack_as_issued(pack_cli: Cli, tmp_path: Path) -> None:
    before = tmp_path / "before.xlsx"
    ok(pack_cli(*PACK, "--xlsx", str(before)))
    ok(pack_cli("report", "issue", "-q", Q3, "--as-of", "2026-11-30", "--note", "For 10 Dec"))
    # Later edits: a completion, new commentary. The issued pack does not move.
    ok(pack_cli("update-milestone", "MS-12", "--done", "2026-11-29"))
    ok(pack_cli("note", "update", "N01", "Rewritten after the board."))
    issued = tmp_path / "issued.xlsx"
    again = tmp_path / "again.xlsx"
    assert ok(pack_cli("report", "quarterly", "-q", Q3, "--xlsx", str(issued))).startswith(
        f"Wrote the {Q3} board pack (to date, as of 2026-11-30, as issued on 30 Nov 2026 by "
    )
    ok(pack_cli("report", "quarterly", "-q", Q3, "--xlsx", str(again)))
    assert issued.read_bytes() == again.read_bytes()  # the same document, the same bytes
    fresh = tmp_path / "fresh.xlsx"
    ok(pack_cli("report", "quarterly", "-q", Q3, "--fresh", "--xlsx", str(fresh)))

    def summary_values(path: Path) -> list[Any]:
        sheet = openpyxl.load_workbook(path)["Summary"]
        return [cell.value for row in sheet.iter_rows(min_row=4) for cell in row]

    assert summary_values(issued) == summary_values(before)
    assert NOTES[0][2] in summary_values(issued)
    assert "Rewritten after the board." in summary_values(fresh)
    heading = openpyxl.load_workbook(issued)["Summary"]["A2"].value
    assert heading.startswith(
        "Board pack: FY2026/27 Q3 (2026-10-01 to 2026-12-31), to date, as of 2026-11-30, as "
        "issued on 30 Nov 2026 by "
    )


def test_the_workbook_is_written_whole_or_not_at_all(
    pack_cli: Cli, example_db: Database, tmp_path: Path
) -> None:
    tmp_path = tmp_path / "out"  # beside the test's database
    tmp_path.mkdir()
    target = tmp_path / "pack.xlsx"
    target.write_bytes(b"kept")
    before = snapshot(example_db)
    refused = pack_cli(*PACK, "--xlsx", str(target))
    assert (refused.exit_code, refused.stdout, refused.stderr) == (
        1,
        "",
        f"error: --xlsx: {target} already exists; use --force to replace it\n",
    )
    assert target.read_bytes() == b"kept"
    # With the folder too, a refusal of either writes neither.
    folder = tmp_path / "csv"
    refused = pack_cli(*PACK, "--out", str(folder), "--xlsx", str(target))
    assert refused.exit_code == 1
    assert not folder.exists() or not any(folder.iterdir())
    ok(pack_cli(*PACK, "--out", str(folder), "--xlsx", str(target), "--force"))
    assert target.read_bytes().startswith(b"PK")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["csv", "pack.xlsx"]
    assert snapshot(example_db) == before  # reading never writes


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--xlsx", "pack.csv"), "--xlsx: expected a file name ending in .xlsx; got 'pack.csv'"),
        (("--xlsx", "p.xlsx", "--section", "kpis"), "--section: the workbook always holds every "
         "section; leave it out"),
        (("--xlsx", "p.xlsx", "-f", "json"), "--format: the workbook is always .xlsx; leave out "
         "--format"),
    ],
)  # fmt: skip
def test_workbook_usage_errors(
    example_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: Any, message: str
) -> None:
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    result = example_cli("report", "quarterly", "-q", Q3, *args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"error: {message}\n")
    assert list(here.iterdir()) == []


@pytest.mark.skipif(
    shutil.which("soffice") is None,
    reason="LibreOffice (soffice) is not installed: the workbook is not opened in Calc",
)
def test_libreoffice_opens_the_workbook(pack_cli: Cli, tmp_path: Path) -> None:
    """LibreOffice Calc, headless, converts the example's pack to PDF without complaint."""
    target = tmp_path / "pack.xlsx"
    ok(pack_cli(*PACK, "--xlsx", str(target)))
    profile = tmp_path / "profile"
    converted = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
         "pdf", "--outdir", str(tmp_path), str(target)],
        capture_output=True, text=True, timeout=240, env={**os.environ, "HOME": str(tmp_path)},
    )  # fmt: skip
    assert converted.returncode == 0, converted
    assert "Error" not in converted.stderr, converted.stderr
    pdf = tmp_path / "pack.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    assert pdf.stat().st_size > 10_000


def test_report_diff_names_commentary_changed_since_the_issue(pack_cli: Cli) -> None:
    import json

    ok(pack_cli("report", "issue", "-q", Q3, "--as-of", "2026-11-30"))
    ok(pack_cli("note", "update", "N02", "Changed after the issue."))
    document = json.loads(ok(pack_cli("report", "diff", Q3, "-f", "json")))
    assert document["differences"] == [
        {
            "section": "commentary",
            "row": "theme GROW",
            "field": "text",
            "issued": NOTES[1][2],
            "fresh": "Changed after the issue.",
        }
    ]
    assert [item["command"] for item in document["explained_by"]] == [
        "mou note update N02 'Changed after the issue.'"
    ]
