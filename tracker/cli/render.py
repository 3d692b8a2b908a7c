"""The one renderer: a report computed as plain data is shown as Rich tables, JSON or CSV.

User text only ever reaches Rich as ``Text`` objects, never as markup, so a title such as
``[/]`` or ``[bold red]x`` is printed as typed and cannot break or style the output.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from tracker.cli.options import OutputFormat

ColumnKind = Literal["ref", "text", "number", "date", "rag", "bar"]

RAG_STYLES = {
    "GREEN": "bold green",
    "AMBER": "bold yellow",
    "RED": "bold red",
    "COMPLETE": "bold blue",
    "NOT_STARTED": "dim",
    "N/A": "dim",
}
BAR_WIDTH = 10


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: ColumnKind = "text"


@dataclass
class Section:
    """One table: its columns (a contract for CSV) and its rows of plain values."""

    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    indent: dict[int, int] = field(default_factory=dict)  # row index -> nesting depth


@dataclass
class Report:
    """Everything a read command shows, before it is rendered."""

    document: Any  # the JSON document: a contract
    csv: Section  # the flat CSV table: a contract
    sections: list[Section]  # what the terminal shows
    heading: list[Text] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def console(stderr: bool = False) -> Console:
    # No highlighting: Rich would otherwise colour numbers and dates found in user text.
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def emit(report: Report, output: OutputFormat) -> None:
    if output is OutputFormat.JSON:
        sys.stdout.write(to_json(report.document))
    elif output is OutputFormat.CSV:
        sys.stdout.write(to_csv(report.csv))
    else:
        show(report, console())


def to_json(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, default=_json_default) + "\n"


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def to_csv(section: Section) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([column.key for column in section.columns])
    for row in section.rows:
        writer.writerow([csv_cell(row.get(column.key)) for column in section.columns])
    return buffer.getvalue()


# The full-width forms (U+FF1D, U+FF0B, U+FF0D, U+FF20) are read as formulas too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_cell(value: Any) -> Any:
    """Plain values for a spreadsheet: ISO dates, true/false, empty for null, and text that
    a spreadsheet would run as a formula prefixed with a quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def show(report: Report, out: Console) -> None:
    for line in report.heading:
        out.print(line)
    for section in report.sections:
        out.print()
        out.print(rich_table(section))
    if report.notes:
        out.print()
        for note in report.notes:
            out.print(Text(note, style="dim"))


def rich_table(section: Section) -> Table:
    table = Table(
        title=Text(section.title, style="bold"),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 1),
        collapse_padding=True,
    )
    for column in section.columns:
        justify: Literal["left", "right"] = "right" if column.kind == "number" else "left"
        # Only free text gives way when the terminal is narrow: refs, numbers and dates keep
        # their full width so a figure is never cut.
        if column.kind == "text":
            table.add_column(column.header, overflow="fold", min_width=12, max_width=40)
        else:
            table.add_column(
                column.header,
                justify=justify,
                no_wrap=True,
                min_width=_natural_width(column, section),
            )
    for index, row in enumerate(section.rows):
        depth = section.indent.get(index, 0)
        cells = [
            _cell(column, row.get(column.key), depth if position == 0 else 0)
            for position, column in enumerate(section.columns)
        ]
        table.add_row(*cells)
    return table


def _natural_width(column: Column, section: Section) -> int:
    widths = [len(column.header)]
    for row in section.rows:
        widths.append(_cell(column, row.get(column.key), 0).cell_len)
    depths = max(section.indent.values(), default=0) if column is section.columns[0] else 0
    return max(widths) + 2 * depths


def _cell(column: Column, value: Any, depth: int) -> Text:
    if value is None:
        return Text("")
    if column.kind == "rag":
        return Text(str(value), style=RAG_STYLES.get(str(value), ""))
    if column.kind == "bar":
        return progress_bar(value)
    if column.kind == "date" and isinstance(value, dt.date):
        return Text(value.isoformat())
    if column.kind == "number" and isinstance(value, float):
        return Text(f"{value:.1f}")
    text = Text("  " * depth)
    text.append(str(value.value if isinstance(value, Enum) else value))
    return text


def progress_bar(percent: float | None) -> Text:
    if percent is None:
        return Text("")
    filled = round(percent / 100 * BAR_WIDTH)
    bar = Text("█" * filled, style="green")
    bar.append("░" * (BAR_WIDTH - filled), style="dim")
    bar.append(f" {percent:5.1f}%")
    return bar


def echo_lines(lines: Sequence[str | Text]) -> None:
    out = console()
    for line in lines:
        out.print(line if isinstance(line, Text) else Text(line))
