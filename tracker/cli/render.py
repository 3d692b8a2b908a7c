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
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from tracker.cli.options import OutputFormat

ColumnKind = Literal["ref", "text", "number", "date", "rag", "bar", "heat"]

RAG_STYLES = {
    "GREEN": "bold green",
    "AMBER": "bold yellow",
    "RED": "bold red",
    "COMPLETE": "bold blue",
    "NOT_STARTED": "dim",
    "N/A": "dim",
}
# A cell of a heat map (the risk grid): its count shaded by the band of its place.
HEAT_STYLES = {"GREEN": "black on green", "AMBER": "black on yellow", "RED": "bold white on red"}
BAR_WIDTH = 10


@dataclass(frozen=True)
class Shaded:
    """A heat-map cell: what it shows, and the RAG value that colours it."""

    text: str
    rag: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: ColumnKind = "text"
    # 0: always shown. Otherwise, on a narrow terminal the highest numbers are left out first.
    drop_order: int = 0


@dataclass
class Section:
    """One table: its columns (a contract for CSV) and its rows of plain values. A section
    with ``lines`` is shown as text under its title instead (commentary, or a line saying
    there is nothing to list), wrapped at the terminal's width."""

    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    indent: dict[int, int] = field(default_factory=dict)  # row index -> nesting depth
    lines: list[Text] | None = None


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
    # No emoji codes either: ":warning:" in a title stays as typed.
    return Console(stderr=stderr, highlight=False, soft_wrap=True, emoji=False)


def emit(report: Report, output: OutputFormat) -> None:
    if output is OutputFormat.JSON:
        write_data(json_pieces(report.document))
    elif output is OutputFormat.CSV:
        write_data(to_csv(report.csv))
    else:
        show(report, console())


# How much text is gathered before it is encoded and written: large enough that writing costs
# nothing, small enough that a large document is never held a second time as one string.
_WRITE_CHUNK = 1 << 16


def write_data(text: str | Iterable[str]) -> None:
    """JSON, CSV and programme files are data: UTF-8 whatever the terminal's locale (on an
    ASCII locale, text written through the terminal's encoding would be mangled). Text given
    in pieces is written as it comes, a chunk at a time."""
    stream = sys.stdout
    pieces = [text] if isinstance(text, str) else text
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        for piece in pieces:
            stream.write(piece)
        return
    stream.flush()
    _encoded(pieces, buffer)
    buffer.flush()


class EncodedRows:
    """Rows already written as JSON, one line each, in a temporary file (held in memory up to
    a megabyte). A report's long sections are encoded this way while the database is read,
    and written out once the read has ended: a slow reader of the output (a pager) then
    never keeps the read open, nor the writers that would wait for it, and a large report is
    never held whole. Iterated once; the file is closed at the end."""

    def __init__(self, rows: Iterable[Any]) -> None:
        # Kept open for __iter__, which closes it.
        self._spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115
        try:
            _encoded((_one_line(row) + "\n" for row in rows), self._spool)
        except BaseException:
            self._spool.close()
            raise
        self._spool.seek(0)

    def __iter__(self) -> Iterator[str]:
        # Split at "\n" alone: JSON writes every other line break in a text as an escape.
        with self._spool as spool, io.TextIOWrapper(spool, "utf-8", newline="\n") as text:
            for line in text:
                yield line[:-1]


_SPOOL_IN_MEMORY = 1 << 20


def _encoded(pieces: Iterable[str], target: Any) -> None:
    """Write the pieces to a binary ``target`` as UTF-8, a chunk at a time."""
    gathered: list[str] = []
    size = 0
    for piece in pieces:
        gathered.append(piece)
        size += len(piece)
        if size >= _WRITE_CHUNK:
            target.write("".join(gathered).encode("utf-8"))
            gathered, size = [], 0
    target.write("".join(gathered).encode("utf-8"))


def to_json(document: Any) -> str:
    """The document as JSON for people and scripts alike: objects indented, and each element
    of a list (a row of a table, an entry of a history) on a line of its own.

    One line per row is also what keeps a large report quick: the standard library writes
    indented JSON in Python, one value at a time, and unindented JSON in C."""
    return "".join(json_pieces(document))


def json_pieces(document: Any) -> Iterator[str]:
    """``to_json``'s text in pieces, a row at a time: a report of a large programme is written
    out without ever being held whole as text (at 100,000 milestones, that text and its
    encoding were a quarter of the report's peak memory: 39 of 150 MB)."""
    yield from _indented(document, 0)
    yield "\n"


def _indented(value: Any, depth: int) -> Iterator[str]:
    inner, outer = "  " * (depth + 1), "  " * depth
    if isinstance(value, dict) and value:
        separator = "{\n"
        for key, item in value.items():
            yield f"{separator}{inner}{json.dumps(str(key), ensure_ascii=False)}: "
            yield from _indented(item, depth + 1)
            separator = ",\n"
        yield "\n" + outer + "}"
    elif isinstance(value, (list, tuple)) or _read_as_written(value):
        separator = "[\n"
        written = iter(value) if isinstance(value, EncodedRows) else map(_one_line, value)
        for line in written:
            yield separator + inner + line
            separator = ",\n"
        yield "[]" if separator == "[\n" else "\n" + outer + "]"
    else:
        yield _one_line(value)


def _read_as_written(value: Any) -> bool:
    """Rows that are not a list: a report's ``EncodedRows`` (or its ``Lines``, read from the
    database as they are written). Any iterable that is not a text or a mapping."""
    return isinstance(value, Iterable) and not isinstance(value, (str, bytes, dict))


def _one_line(value: Any) -> str:
    return _ONE_LINE.encode(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


# One encoder for every row: json.dumps with options makes a new one per call, and a large
# report writes tens of thousands of rows.
_ONE_LINE = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "), default=_json_default)


def to_csv(section: Section, *, for_excel: bool = False) -> str:
    """The section as CSV. ``for_excel``: CRLF line ends (RFC 4180); the caller adds the BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n" if for_excel else "\n")
    writer.writerow([column.key for column in section.columns])
    for row in section.rows:
        writer.writerow([csv_cell(row.get(column.key)) for column in section.columns])
    return buffer.getvalue()


def excel_csv(section: Section) -> bytes:
    """CSV as Excel reads it: UTF-8 with a byte-order mark, CRLF line ends."""
    return to_csv(section, for_excel=True).encode("utf-8-sig")


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
    # Headings and notes wrap at the terminal's width (COLUMNS when output is not a terminal),
    # like the tables under them; the console itself leaves other output unwrapped.
    for line in report.heading:
        _print_wrapped(out, line)
    # The same columns are left out of every table, so the tables line up and the note is true.
    hidden = {column.key for section in report.sections for column in _left_out(section, out)}
    for section in report.sections:
        out.print()
        if section.lines is None:
            out.print(rich_table(section, hidden, text_width=_text_width(section, hidden, out)))
            continue
        _print_wrapped(out, Text(section.title, style="bold"))
        for line in section.lines:
            _print_wrapped(out, line)
    if hidden:
        headers = dict.fromkeys(
            column.header.replace("\n", " ")
            for section in report.sections
            for column in section.columns
            if column.key in hidden
        )
        _print_wrapped(
            out,
            Text(
                f"Left out to fit {out.width} columns: {', '.join(headers)}. "
                "Widen the terminal, or use --format csv or json.",
                style="dim",
            ),
        )
    if report.notes:
        out.print()
        for note in report.notes:
            _print_wrapped(out, Text(note, style="dim"))


def _print_wrapped(out: Console, line: Any) -> None:
    """A heading or note, wrapped at the terminal's width like the tables under it, with
    its continuation lines indented as far as its first (a party under the MoU's title)."""
    if not isinstance(line, Text):
        out.print(line, soft_wrap=False)
        return
    indent = len(line.plain) - len(line.plain.lstrip(" "))
    body = line[indent:] if indent else line
    for part in body.wrap(out, max(out.width - indent, 1)):
        part.rstrip()
        out.print(Text(" " * indent) + part, soft_wrap=True)


TEXT_MIN_WIDTH = 16
TEXT_MAX_WIDTH = 40
TEXT_FLOOR_WIDTH = 8  # free text narrower than this reads as a column of syllables


def rich_table(
    section: Section,
    hidden: set[str] | frozenset[str] = frozenset(),
    *,
    narrowest: bool = False,
    text_width: int = TEXT_MIN_WIDTH,
) -> Table:
    """The section as a Rich table, without the columns whose keys are ``hidden``.

    Refs, numbers and dates are never cut; free text wraps, at ``text_width`` at the
    narrowest.
    """
    shown = [column for column in section.columns if column.key not in hidden]
    table = Table(
        title=Text(section.title, style="bold"),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1),
        collapse_padding=True,
    )
    for column in shown:
        if column.kind == "text":
            table.add_column(
                column.header,
                overflow="fold",
                min_width=text_width,
                max_width=text_width if narrowest else TEXT_MAX_WIDTH,
            )
        else:
            justify: Literal["left", "right"] = "right" if column.kind == "number" else "left"
            table.add_column(
                column.header, justify=justify, no_wrap=True, min_width=_width(column, section)
            )
    for index, row in enumerate(section.rows):
        depth = section.indent.get(index, 0)
        table.add_row(
            *(
                _cell(column, row.get(column.key), depth if column is section.columns[0] else 0)
                for column in shown
            )
        )
    return table


def _left_out(section: Section, out: Console) -> list[Column]:
    """Whole columns to leave out so the table fits the terminal, the highest drop order first.
    Each column's width is measured once: the table's width is then their sum."""
    if section.lines is not None:
        return []
    widths = {column.key: _narrowest(column, section) for column in section.columns}
    hidden: set[str] = set()
    droppable = sorted(
        (column for column in section.columns if column.drop_order),
        key=lambda column: -column.drop_order,
    )
    for column in droppable:
        shown = [width for key, width in widths.items() if key not in hidden]
        if table_width(shown) <= out.width:
            break
        hidden.add(column.key)
    return [column for column in section.columns if column.key in hidden]


def _text_width(section: Section, hidden: set[str], out: Console) -> int:
    """How narrow free text may wrap in this table: TEXT_MIN_WIDTH, or less on a terminal so
    narrow that the table would not fit even with every column it may leave out left out
    (its refs, dates and RAG are kept, and each text column gives up the same share)."""
    shown = [column for column in section.columns if column.key not in hidden]
    texts = sum(1 for column in shown if column.kind == "text")
    excess = table_width([_narrowest(column, section) for column in shown]) - out.width
    if excess <= 0 or not texts:
        return TEXT_MIN_WIDTH
    return max(TEXT_MIN_WIDTH - -(-excess // texts), TEXT_FLOOR_WIDTH)


def table_width(widths: list[int]) -> int:
    """How wide ``rich_table`` draws columns of these widths: each column but the last is
    followed by one space of padding and the (blank) column rule of its box."""
    return sum(widths) + 2 * max(len(widths) - 1, 0)


def _narrowest(column: Column, section: Section) -> int:
    """A column's width with free text at its narrowest (refs, numbers and dates are never
    cut, so they are as wide as their widest cell)."""
    return TEXT_MIN_WIDTH if column.kind == "text" else _width(column, section)


def _width(column: Column, section: Section) -> int:
    if column.kind == "text":
        return TEXT_MIN_WIDTH
    widths = [max(cell_len(line) for line in column.header.split("\n"))]  # may take lines
    widths.extend(_cell(column, row.get(column.key), 0).cell_len for row in section.rows)
    depth = max(section.indent.values(), default=0) if column is section.columns[0] else 0
    return max(widths) + 2 * depth


def _cell(column: Column, value: Any, depth: int) -> Text:
    if value is None:
        return Text("")
    if isinstance(value, bool):
        return Text("yes" if value else "no")
    if column.kind == "rag":  # maybe followed by its trend arrow: "RED ↓"
        return Text(str(value), style=RAG_STYLES.get(str(value).split(" ")[0], ""))
    if column.kind == "bar":
        return progress_bar(value)
    if isinstance(value, Shaded):
        return Text(f" {value.text} ", style=HEAT_STYLES.get(value.rag, ""))
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
