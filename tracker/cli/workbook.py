"""The board pack as one workbook (``mou report quarterly --xlsx FILE``), written with
xlsxwriter from the report's document, so an issued quarter gives the pack as issued.

What a board's spreadsheet users expect (docs/rules.md, "The board pack"): one sheet per
section, headers frozen, a filter over each sheet's main table, fitted columns, dates as dates,
numbers as numbers and percentages as percentages. Every RAG cell is filled by a cell format of
its own (conditional formatting is dropped by some readers), from one palette, with the word
kept in the cell so it reads in black and white. No cell holds a formula: figures are written
as values and text from the data always as text, whatever it starts with.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from tracker.cli.columns import (
    ACTION_COLUMNS,
    CHANGE_COLUMNS,
    COMMENTARY_COLUMNS,
    DELIVERY_COLUMNS,
    ISSUE_COLUMNS,
    KPI_COLUMNS,
    MILESTONE_COLUMNS,
    RISK_COLUMNS,
    SCOPE_COLUMNS,
    VISIT_COLUMNS,
    Col,
    cols,
    rag_as_reported,
)
from tracker.text import days_away

if TYPE_CHECKING:
    from tracker.services.board_pack import BoardPack
    from tracker.services.issuing import Issued

# Light fills with dark words: the colour helps, the word carries the meaning.
PALETTE = {
    "GREEN": ("#C6EFCE", "#006100"),
    "AMBER": ("#FFEB9C", "#7A4A00"),
    "RED": ("#FFC7CE", "#9C0006"),
    "COMPLETE": ("#BDD7EE", "#1F3864"),
    "NOT_STARTED": ("#EDEDED", "#404040"),
    "N/A": ("#EDEDED", "#404040"),
}
RAG_WORDS = frozenset({"RED", "AMBER", "GREEN", "COMPLETE"})
HEADER_FILL = "#D9D9D9"
SHEETS = (
    "Summary", "Themes", "Institutions", "Milestones", "Actions", "Visits", "Risks", "KPIs",
    "Changes",
)  # fmt: skip
DATE_FORMAT = "dd/mm/yyyy"
TREND_WORDS = {"up": "↑ better", "down": "↓ worse", "same": "→ same", "new": "new"}
MOVEMENT_WORDS = {"up": "↑ worse", "down": "↓ better", "same": "→ same"}
WIDEST = {"text": 60, "wrap": 60}  # characters; other kinds are never cut
NARROWEST = 6
LINE_HEIGHT = 15  # points: one line of the default 11-point font


# A table as placed on a sheet: its columns, its rows, and the sheet column of each column.
Placed = tuple[list[Col], list[dict[str, Any]], list[int]]


LIKELIHOOD = {1: "rare", 2: "unlikely", 3: "possible", 4: "likely", 5: "almost certain"}
IMPACT = {1: "minimal", 2: "minor", 3: "moderate", 4: "major", 5: "severe"}

# The Summary sheet's blocks, laid on its grid of columns (SUMMARY_WIDTHS).
SUMMARY_RED = cols(
    ("ref", "Ref", "ref"), ("title", "Milestone", "wrap"), ("owner", "Owner", "ref"),
    ("due", "Due", "date"), ("forecast", "Forecast", "date"),
    ("days_overdue", "Days overdue", "number"), ("rag_shown", "RAG", "rag"),
    ("reported_rag_reason", "Reason given", "wrap"),
)  # fmt: skip
SUMMARY_AT_RISK = cols(
    ("ref", "Ref", "ref"), ("title", "Milestone", "wrap"), ("owner", "Owner", "ref"),
    ("due", "Due", "date"), ("forecast", "Forecast", "date"),
    ("slippage_days", "Slippage (days)", "number"), ("rag", "RAG", "rag"),
    ("at_risk_from", "At risk from", "wrap"),
)  # fmt: skip
SUMMARY_ACTIONS = cols(
    ("ref", "Ref", "ref"), ("text", "Action", "wrap"), ("owner", "Owner", "ref"),
    ("due", "Due", "date"), ("follows", "Follows", "ref"),
    ("days_overdue", "Days overdue", "number"), ("status", "Status", "ref"),
)  # fmt: skip
SUMMARY_RISKS = cols(
    ("ref", "Ref", "ref"), ("title", "Risk", "wrap"), ("owner", "Owner", "ref"),
    ("likelihood", "Likelihood", "number"), ("impact", "Impact", "number"),
    ("score", "Score", "number"), ("band", "Band", "rag"), ("mitigation", "Mitigation", "wrap"),
)  # fmt: skip
SUMMARY_DATES = cols(("date", "Date", "date"), ("title", "What", "text"), ("when", "When", "ref"))
# The Summary sheet's grid: one set of columns that every block below the headline shares.
SUMMARY_WIDTHS = (11, 46, 14, 12, 12, 10, 18, 44)
DELIVERY_LEFT = 4  # the delivery table and its chart: columns E to H of the Summary
CHART_ROWS = 14  # the chart's height, in rows of the default height


def workbook_bytes(pack: BoardPack, document: dict[str, Any], issued: Issued | None) -> bytes:
    """The workbook, as the bytes of an .xlsx file. The same document gives the same bytes
    (the file's creation time is the issue's, or the as-of date's)."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            # Belt and braces: every cell is written by type, never guessed from its text.
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    summary = document["summary"]
    created = (
        issued.at
        if issued is not None
        else dt.datetime.combine(dt.date.fromisoformat(summary["as_of"]), dt.time())
    )
    book.set_properties(
        {
            "title": f"Board pack {summary['period']}: {summary['programme']}",
            "author": "mou",
            "created": created,
        }
    )
    writer = _Writer(book, pack, document, issued)
    writer.summary()
    writer.scopes("Themes", "Theme", pack.themes, commentary=True)
    writer.scopes("Institutions", "Institution", pack.institutions, commentary=False)
    writer.table_sheet(
        "Milestones",
        MILESTONE_COLUMNS,
        document.get("milestones", []),
        "Every milestone due, forecast or completed in the quarter, or open and overdue at "
        "its end.",
        "None: no milestone was due, forecast or completed in the quarter.",
    )
    writer.table_sheet(
        "Actions",
        ACTION_COLUMNS,
        document.get("actions", []),
        "Every action open at the as-of date, or completed in the quarter.",
        "None: no action was open or completed in the quarter.",
    )
    writer.table_sheet(
        "Visits",
        VISIT_COLUMNS,
        document.get("visits", []),
        "Every visit that took place in the quarter, with its open follow-up actions.",
        "None: no visit in the quarter.",
    )
    writer.risks()
    writer.table_sheet(
        "KPIs",
        KPI_COLUMNS,
        document.get("kpis", []),
        "Each KPI's target, actual and attainment for the quarter (running totals for "
        "cumulative KPIs).",
        "None: the programme has no KPIs.",
    )
    writer.table_sheet(
        "Changes",
        CHANGE_COLUMNS,
        document.get("changes", []),
        "What changed since the previous quarter's report.",
        "None: nothing changed since the previous quarter's report.",
    )
    book.close()
    return buffer.getvalue()


class _Writer:
    """The sheets of one workbook, with one set of cell formats shared by all of them."""

    def __init__(
        self, book: Any, pack: BoardPack, document: dict[str, Any], issued: Issued | None
    ) -> None:
        self.book = book
        self.pack = pack
        self.document = document
        self.issued = issued
        self.summary_row = document["summary"]
        self._formats: dict[tuple[tuple[str, Any], ...], Any] = {}
        self.widths: dict[str, list[int]] = {}  # each sheet's column widths, in characters

    # Formats.

    def format(self, **properties: Any) -> Any:
        """One format object per set of properties: xlsxwriter keeps every one it is given."""
        key = tuple(sorted(properties.items()))
        if key not in self._formats:
            self._formats[key] = self.book.add_format({"valign": "top", **properties})
        return self._formats[key]

    def rag(self, value: str, **extra: Any) -> Any:
        fill, font = PALETTE[value]
        return self.format(
            bg_color=fill, font_color=font, bold=True, border=1, border_color="#808080", **extra
        )

    @property
    def header(self) -> Any:
        return self.format(bold=True, bg_color=HEADER_FILL, text_wrap=True, bottom=1)

    @property
    def title(self) -> Any:
        return self.format(bold=True, font_size=14)

    # Cells.

    def cell(self, sheet: Any, row: int, column: int, col: Col, value: Any, **extra: Any) -> None:
        """One value by its column's kind: a date as a date, a number as a number, a
        percentage as a percentage, text always as text."""
        kind = col.kind
        if value is None or value == "":
            sheet.write_blank(row, column, None, self.format(**extra))
            return
        if isinstance(value, str) and value in PALETTE and (kind == "rag" or value in RAG_WORDS):
            # A RAG column, or any text cell that holds a RAG value (a change from AMBER to
            # RED): the same fill wherever a board sees the word.
            sheet.write_string(row, column, value, self.rag(value, **extra))
        elif kind == "rag" and isinstance(value, str) and value.split(" ")[0] in PALETTE:
            # 'AMBER (reported RED)': filled as the derived RAG it starts with.
            sheet.write_string(row, column, value, self.rag(value.split(" ")[0], **extra))
        elif kind == "date":
            day = dt.date.fromisoformat(value) if isinstance(value, str) else value
            moment = dt.datetime.combine(day, dt.time())
            sheet.write_datetime(
                row, column, moment, self.format(num_format=DATE_FORMAT, align="left", **extra)
            )
        elif kind == "bool" or isinstance(value, bool):
            sheet.write_boolean(row, column, bool(value), self.format(align="center", **extra))
        elif kind == "pct" and isinstance(value, (int, float)):
            sheet.write_number(row, column, value / 100, self.format(num_format="0.0%", **extra))
        elif isinstance(value, (int, float)):
            number = "#,##0" if float(value).is_integer() else "#,##0.0#"
            sheet.write_number(row, column, value, self.format(num_format=number, **extra))
        elif kind == "trend":
            sheet.write_string(row, column, TREND_WORDS.get(value, value), self.format(**extra))
        elif kind == "movement":
            sheet.write_string(row, column, MOVEMENT_WORDS.get(value, value), self.format(**extra))
        else:
            wrap = {"text_wrap": True} if kind == "wrap" else {}
            sheet.write_string(row, column, str(value), self.format(**wrap, **extra))

    def table(
        self,
        sheet: Any,
        top: int,
        columns: list[Col],
        rows: list[dict[str, Any]],
        none: str,
        *,
        positions: list[int] | None = None,
        indent: Callable[[dict[str, Any]], int] | None = None,
    ) -> int:
        """A header row and the rows under it (or a line saying there are none), column i at
        sheet column ``positions[i]`` (default: from the first); returns the last row
        written. Rows whose text wraps are made tall enough to show it."""
        places = positions if positions is not None else list(range(len(columns)))
        widths = self.widths.get(sheet.name, ())

        def width(place: int) -> int:
            return widths[place] if place < len(widths) else 10

        for place, col in zip(places, columns, strict=True):
            sheet.write_string(top, place, col.header, self.header)
        self._height(
            sheet,
            top,
            [(col.header, width(place)) for place, col in zip(places, columns, strict=True)],
        )
        if not rows:
            sheet.write_string(top + 1, places[0], none, self.format(italic=True))
            return top + 1
        for offset, values in enumerate(rows, start=1):
            depth = indent(values) if indent else 0
            for position, (place, col) in enumerate(zip(places, columns, strict=True)):
                extra = {"indent": depth} if depth and position == 1 else {}
                self.cell(sheet, top + offset, place, col, values.get(col.key), **extra)
            wrapped = [
                (str(values.get(col.key) or ""), width(place))
                for place, col in zip(places, columns, strict=True)
                if col.kind == "wrap"
            ]
            self._height(sheet, top + offset, wrapped)
        return top + len(rows)

    def _height(self, sheet: Any, row: int, texts: list[tuple[str, int]]) -> None:
        """Set a row's height to the tallest of its wrapped texts: neither Excel nor
        LibreOffice can be relied on to do it for rows written by a program."""
        lines = max((_wrapped_lines(text, width) for text, width in texts), default=1)
        if lines > 1:
            sheet.set_row(row, LINE_HEIGHT * lines + 2)

    # Sheets.

    def sheet(self, name: str, heading: str, description: str) -> Any:
        sheet = self.book.add_worksheet(name)
        sheet.write_string(0, 0, heading, self.title)
        sheet.write_string(1, 0, description, self.format(italic=True))
        self._print_setup(sheet)
        return sheet

    def _print_setup(self, sheet: Any) -> None:
        """A4 landscape, one page wide, the sheet's name and the quarter in the header."""
        sheet.set_landscape()
        sheet.set_paper(9)
        sheet.fit_to_pages(1, 0)
        summary = self.summary_row
        sheet.set_header(
            f"&L&A&C{_header_text(summary['programme'])}&R{_header_text(summary['period'])}"
        )
        sheet.set_footer("&CPage &P of &N")

    def heading(self, what: str) -> str:
        """'Milestones: FY2026/27 Q2 (2026-07-01 to 2026-09-30), as of 2026-09-30'."""
        from tracker.cli.report import as_of_words

        summary = self.summary_row
        return (
            f"{what}: {summary['period']} ({summary['start']} to {summary['end']}), "
            f"{as_of_words(summary, self.issued)}"
        )

    def table_sheet(
        self,
        name: str,
        columns: list[Col],
        rows: list[dict[str, Any]],
        about: str,
        none: str,
        indent: Callable[[dict[str, Any]], int] | None = None,
        also: Sequence[Placed] = (),
    ) -> Any:
        """A sheet holding one table under its heading: header frozen, filter on. Columns are
        fitted to it and to the tables ``also`` placed under it (columns, rows, positions)."""
        sheet = self.sheet(name, self.heading(name), about)
        self.widths[name] = _fit_columns(sheet, [(columns, rows, list(range(len(columns)))), *also])
        last = self.table(sheet, 2, columns, rows, none, indent=indent)
        self._main_table(sheet, 2, last if rows else 2, len(columns))
        return sheet

    def _main_table(self, sheet: Any, header: int, last: int, width: int) -> None:
        sheet.freeze_panes(header + 1, 0)
        sheet.autofilter(header, 0, last, width - 1)
        sheet.repeat_rows(header)

    def scopes(self, name: str, noun: str, rows: list[Any], *, commentary: bool) -> None:
        from dataclasses import asdict

        columns = [Col(col.key, col.header.format(noun=noun), col.kind) for col in SCOPE_COLUMNS]
        if commentary:
            columns.append(Col("commentary", "Commentary", "wrap"))
        plain = [asdict(row) for row in rows]
        about = (
            f"Each {noun.lower()}'s milestones: the quarter's figures, and RAG and counts as of "
            "the as-of date, with the RAG at the end of the previous quarter."
        )
        # Workstreams' commentary sits under the table, its text in the commentary column.
        notes = self.pack.workstream_commentary if commentary else []
        places = [0, 1, len(columns) - 1]
        sheet = self.table_sheet(
            name,
            columns,
            plain,
            about,
            f"None: the programme has no {name.lower()}.",
            indent=lambda row: int(row["depth"]),  # a sub-theme under its theme
            also=[(COMMENTARY_COLUMNS, notes, places)] if notes else [],
        )
        if notes:
            top = 2 + max(len(plain), 1) + 2
            sheet.write_string(top, 0, "Commentary on workstreams", self.format(bold=True))
            self.table(sheet, top + 1, COMMENTARY_COLUMNS, notes, "", positions=places)

    def risks(self) -> None:
        """The register, then the grid of open risks, then the issues, one under another."""
        rows = self.document.get("risks", [])
        issues = self.document.get("issues", [])
        grid_labels = [{"label": f"{number} {word}"} for number, word in LIKELIHOOD.items()]
        sheet = self.table_sheet(
            "Risks",
            RISK_COLUMNS,
            rows,
            "The risk register, scored as at the as-of date, highest score first; the score "
            "at the start of the quarter and its movement since.",
            "None: the programme has no risks.",
            also=[
                (ISSUE_COLUMNS, issues, list(range(len(ISSUE_COLUMNS)))),
                ([Col("label", "Likelihood", "text")], grid_labels, [0]),
                (
                    [Col(f"i{n}", f"{n} {word}", "ref") for n, word in IMPACT.items()],
                    [],
                    [1, 2, 3, 4, 5],
                ),
            ],
        )
        top = 2 + max(len(rows), 1) + 2
        top = self._grid(sheet, top, [row for row in rows if row.get("status") == "open"])
        sheet.write_string(top + 2, 0, "Issues open during the quarter", self.format(bold=True))
        self.table(sheet, top + 3, ISSUE_COLUMNS, issues, "None: no issue was open.")

    def _grid(self, sheet: Any, top: int, rows: list[dict[str, Any]]) -> int:
        """Open risks by likelihood (down, most likely first) and impact (across), each cell
        filled by the band of its score and holding how many risks sit there."""
        summary = self.summary_row
        red, amber = summary.get("risk_red_score", 15), summary.get("risk_amber_score", 8)
        sheet.write_string(top, 0, "Open risks by likelihood and impact", self.format(bold=True))
        sheet.write_string(top + 1, 0, "Likelihood", self.header)
        for impact, word in IMPACT.items():
            sheet.write_string(top + 1, impact, f"{impact} {word}", self.header)
        counts: dict[tuple[int, int], int] = {}
        for row in rows:
            place = (row["likelihood"], row["impact"])
            counts[place] = counts.get(place, 0) + 1
        for offset, likelihood in enumerate(sorted(LIKELIHOOD, reverse=True), start=2):
            sheet.write_string(top + offset, 0, f"{likelihood} {LIKELIHOOD[likelihood]}")
            for impact in IMPACT:
                score = likelihood * impact
                band = "RED" if score >= red else "AMBER" if score >= amber else "GREEN"
                fill = self.rag(band, align="center")
                count = counts.get((likelihood, impact), 0)
                if count:
                    sheet.write_number(top + offset, impact, count, fill)
                else:
                    sheet.write_blank(top + offset, impact, None, fill)
        return top + 6

    def summary(self) -> None:
        pack, summary = self.pack, self.summary_row
        sheet = self.book.add_worksheet("Summary")
        self._print_setup(sheet)
        for column, width in enumerate(SUMMARY_WIDTHS):
            sheet.set_column(column, column, width)
        self.widths["Summary"] = list(SUMMARY_WIDTHS)
        mou = pack.mou
        title = summary["programme"] + (f"  {mou['title']}" if mou.get("title") else "")
        sheet.write_string(0, 0, title, self.format(bold=True, font_size=16))
        sheet.write_string(1, 0, self.heading("Board pack"), self.format(font_size=12))
        if mou:
            sheet.write_string(2, 0, _parties(mou))
        sheet.freeze_panes(3, 0)
        row = 4
        sheet.write_string(row, 1, "Programme RAG", self.format(bold=True, font_size=12))
        self.cell(sheet, row, 2, Col("rag", "", "rag"), summary["rag"], align="center")
        if summary.get("trend"):
            sheet.write_string(row, 3, _trend_words(summary["trend"], summary.get("rag_previous")))
        top = row + 2
        # The headline on the left; the chart on the right, and its figures under it.
        row = max(self._headline(sheet, top), self._delivery(sheet, top + CHART_ROWS + 1))
        red_rows = [_red_row(item) for item in pack.milestones_red]
        row = self._block(
            sheet,
            row + 2,
            "Milestones red or overdue",
            SUMMARY_RED,
            red_rows,
            "None: no open milestone is red.",
            main=True,
        )
        row = self._block(
            sheet,
            row + 2,
            "Milestones at risk from one they depend on",
            SUMMARY_AT_RISK,
            pack.milestones_at_risk,
            "None: no open milestone waits on one that finishes after it is due.",
        )
        follows = [
            {**item, "follows": item.get("visit") or item.get("meeting")}
            for item in pack.actions_overdue
        ]
        row = self._block(
            sheet,
            row + 2,
            "Overdue actions",
            SUMMARY_ACTIONS,
            follows,
            "None: every open action is within its due date.",
        )
        row = self._block(
            sheet,
            row + 2,
            "Top risks (open, highest score first)",
            SUMMARY_RISKS,
            pack.top_risks,
            "None: no risk is open.",
        )
        row = self._block(
            sheet,
            row + 2,
            "The MoU's dates in the next two quarters",
            SUMMARY_DATES,
            [_date_row(item) for item in pack.lifecycle],
            "None in the next two quarters.",
        )
        self._commentary(sheet, row + 2)
        sheet.activate()

    def _headline(self, sheet: Any, top: int) -> int:
        pack, summary = self.pack, self.summary_row
        sheet.write_string(top, 1, "Headline", self.header)
        sheet.write_string(top, 2, "Figure", self.header)
        figures: list[tuple[str, Any, str]] = [
            ("Milestones due in the quarter", summary["due_in_period"], "number"),
            ("Achieved in the quarter", summary["achieved_in_period"], "number"),
            ("  of which on time", summary["achieved_on_time"], "number"),
            ("  of which late", summary["achieved_late"], "number"),
            ("Missed", summary["missed_in_period"], "number"),
            ("Overdue at the end of the quarter", summary["overdue_at_period_end"], "number"),
            ("Forecast for the next quarter", summary["forecast_next_period"], "number"),
            ("On time", summary["pct_on_time"], "pct"),
            ("Milestones to date", summary["total"], "number"),
            ("  done", summary["done"], "number"),
            ("  red", summary["red"], "number"),
            ("  at risk from a dependency", summary.get("at_risk", 0), "number"),
            ("Open actions", pack.actions_open, "number"),
            ("  overdue", len(pack.actions_overdue), "number"),
        ]
        if "risks_open" in summary:
            figures += [
                ("Open risks", summary["risks_open"], "number"),
                ("  red", summary["risks_red"], "number"),
                ("Open issues", summary["issues_open"], "number"),
                ("KPIs green", summary["kpis_green"], "number"),
                ("KPIs amber", summary["kpis_amber"], "number"),
                ("KPIs red", summary["kpis_red"], "number"),
            ]
        for offset, (label, value, kind) in enumerate(figures, start=1):
            sheet.write_string(top + offset, 1, label)
            self.cell(sheet, top + offset, 2, Col("figure", "", kind), value)
        return top + len(figures)

    def _delivery(self, sheet: Any, top: int) -> int:
        """The last six quarters' delivery: a table (columns E to H), and a chart of it above,
        beside the headline."""
        rows = self.document.get("delivery_by_quarter", [])
        left = DELIVERY_LEFT
        sheet.write_string(
            top - 1, left, "Delivery by quarter (last six quarters)", self.format(bold=True)
        )
        last = self.table(
            sheet,
            top,
            DELIVERY_COLUMNS,
            rows,
            "Not recorded in this report.",
            positions=list(range(left, left + len(DELIVERY_COLUMNS))),
        )
        if rows:
            chart = self.book.add_chart({"type": "column"})
            first, final = top + 1, top + len(rows)
            categories = ["Summary", first, left, final, left]
            for column, colour in ((left + 1, "#7F7F7F"), (left + 2, "#00703C")):
                chart.add_series(
                    {
                        "name": ["Summary", top, column],
                        "categories": categories,
                        "values": ["Summary", first, column, final, column],
                        "fill": {"color": colour},
                        "border": {"color": "#000000"},
                        "data_labels": {"value": True},
                    }
                )
            chart.set_title(
                {
                    "name": "Milestones due and achieved on time, by quarter",
                    "name_font": {"size": 11},
                }
            )
            chart.set_y_axis({"min": 0, "major_gridlines": {"visible": False}})
            chart.set_legend({"position": "bottom"})
            chart.set_size({"width": 560, "height": LINE_HEIGHT * 4 / 3 * CHART_ROWS})
            sheet.insert_chart(top - CHART_ROWS - 2, left, chart, {"x_offset": 0, "y_offset": 0})
        return last

    def _block(
        self,
        sheet: Any,
        top: int,
        title: str,
        columns: list[Col],
        rows: list[dict[str, Any]],
        none: str,
        *,
        main: bool = False,
    ) -> int:
        sheet.write_string(top, 0, title, self.format(bold=True, font_size=12))
        last = self.table(sheet, top + 1, columns, rows, none)
        if main:  # the summary's filter: the milestones a board looks at first
            sheet.autofilter(top + 1, 0, last if rows else top + 1, len(columns) - 1)
        return last

    def _commentary(self, sheet: Any, top: int) -> None:
        sheet.write_string(
            top, 0, "Commentary on the programme", self.format(bold=True, font_size=12)
        )
        text = self.pack.programme_commentary
        if not text:
            sheet.write_string(
                top + 1, 0, "None written for this quarter.", self.format(italic=True)
            )
            return
        width = sum(SUMMARY_WIDTHS)
        lines = sum(math.ceil(max(len(part), 1) * 1.15 / width) for part in text.split("\n"))
        sheet.merge_range(
            top + 1, 0, top + 1, len(SUMMARY_WIDTHS) - 1, "", self.format(text_wrap=True)
        )
        sheet.write_string(top + 1, 0, text, self.format(text_wrap=True))
        sheet.set_row(top + 1, 15 * max(lines, 1) + 4)


def _trend_words(trend: str, previous: str | None) -> str:
    """'↓ worse than at the end of the previous quarter (AMBER)'."""
    if trend == "new" or previous is None:
        return "new: no milestones at the end of the previous quarter"
    words = {"up": "↑ better than", "down": "↓ worse than", "same": "→ the same as"}[trend]
    return f"{words} at the end of the previous quarter ({previous})"


def _red_row(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "rag_shown": rag_as_reported(row)}


def _date_row(row: dict[str, Any]) -> dict[str, Any]:
    when = days_away(row["days"], overdue=row["overdue"])
    return {"date": row["date"], "title": row["title"], "when": when}


def _parties(mou: dict[str, Any]) -> str:
    names = [party["name"] for party in mou.get("parties", [])]
    text = "Parties: " + ("; ".join(names) if names else "none recorded")
    if mou.get("signed"):
        day = dt.date.fromisoformat(mou["signed"])
        text += f". Signed {day.strftime('%d/%m/%Y')}"
    return text + f"; {mou.get('stage', mou.get('status', ''))}."


def _header_text(text: str) -> str:
    """Text for a page header, where & starts a code."""
    return text.replace("&", "&&")


def _shown_length(col: Col, value: Any) -> int:
    """Roughly how many characters a cell shows, for fitting its column."""
    if value is None or value == "":
        return 0
    if col.kind == "date":
        return 10
    if col.kind == "pct" and isinstance(value, (int, float)):
        return len(f"{value:.1f}%")
    if isinstance(value, bool):
        return 5
    if isinstance(value, (int, float)):
        return len(f"{value:,}")
    if col.kind in ("trend", "movement"):
        return 8
    return max(len(part) for part in str(value).split("\n"))


def _fit_columns(sheet: Any, tables: Sequence[Placed]) -> list[int]:
    """Set each column's width to what its cells show (headers wrap between words; long
    text wraps at ``WIDEST``), over every table placed on the sheet; returns the widths."""
    widths: dict[int, int] = {}
    for columns, rows, places in tables:
        for place, col in zip(places, columns, strict=True):
            header = max(len(word) for word in col.header.split())
            shown = max((_shown_length(col, row.get(col.key)) for row in rows), default=0)
            width = min(max(header, shown, NARROWEST), WIDEST.get(col.kind, 200)) + 2
            widths[place] = max(widths.get(place, 0), width)
    fitted = [widths.get(place, 10) for place in range(max(widths, default=-1) + 1)]
    for place, width in enumerate(fitted):
        sheet.set_column(place, place, width)
    return fitted


def _wrapped_lines(text: str, width: int) -> int:
    """How many lines ``text`` takes in a column ``width`` characters wide, wrapped between
    words (a character of a proportional font is taken as about one unit of width)."""
    room = max(int(width * 1.1) - 2, 1)
    lines = 0
    for paragraph in text.split("\n"):
        used = 0
        lines += 1
        for word in paragraph.split():
            length = len(word)
            if used and used + 1 + length > room:
                lines += 1
                used = 0
            while length > room:  # a word longer than the column is cut
                lines += 1
                length -= room
            used += length + (1 if used else 0)
    return lines
