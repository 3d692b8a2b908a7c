"""``mou timeline``: a Gantt chart of the milestones, one row per workstream, one column per
reporting quarter, drawn to fit the terminal."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tracker.cli import completion
from tracker.cli.filters import ThemeFilter
from tracker.cli.options import AsOf, Db, Format, OutputFormat

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from tracker.cli.render import Report
    from tracker.periods import Quarter, Scheme
    from tracker.services.timeline import Placed, Timeline

app = typer.Typer()

CELL = 8  # characters inside a quarter's column
GAP = 1  # between columns
LABEL_MIN, LABEL_MAX = 20, 36
GLYPHS = {"done": "■", "due": "◆", "slipped": "▶", "overdue": "!"}
TODAY, TODAY_LINE = "▼", "┆"


@app.command("timeline", rich_help_panel="Reporting")
def timeline_command(
    quarters: Annotated[
        int, typer.Option("--quarters", help="How many quarters to draw.", min=1, max=40)
    ] = 6,
    start: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="The first quarter (FY2026/27 Q2, previous…) or a date in it. "
            "Default: the quarter before the as-of date's.",
            metavar="WHEN",
            show_default=False,
            autocompletion=completion.quarters,
        ),
    ] = None,
    theme: ThemeFilter = None,
    scheme: Annotated[
        str | None,
        typer.Option(
            "--scheme",
            help="uk-fy, academic or calendar. Default: the scheme setting (uk-fy).",
            show_default=False,
        ),
    ] = None,
    as_of: AsOf = None,
    output: Format = OutputFormat.TABLE,
    db: Db = None,
) -> None:
    """Draw the milestones per workstream and quarter, with today's position and slippage.

    Example: mou timeline --quarters 8 --theme LIFE
    """
    from tracker.cli.context import as_of_date, open_db, today
    from tracker.cli.render import console, emit
    from tracker.periods import parse_scheme
    from tracker.services.settings import reporting_scheme, tolerances
    from tracker.services.timeline import default_first, quarters_from, timeline

    parsed = as_of_date(as_of, db)
    when = parsed.value if parsed else today()
    with open_db(db).reading() as session:
        chosen = parse_scheme(scheme) if scheme else reporting_scheme(session=session)
        first = _first_quarter(start, chosen, when) if start else default_first(when, chosen)
        result = timeline(
            session=session,
            as_of=when,
            tolerances=tolerances(session=session),
            quarters=quarters_from(first, quarters),
            theme=theme,
        )
    if output is OutputFormat.TABLE:
        draw(result, console())
        return
    emit(timeline_report(result), output)


def _first_quarter(text: str, scheme: Scheme, today: dt.date) -> Quarter:
    """A quarter label, or any date in the quarter."""
    from tracker.dates import parse_date
    from tracker.errors import InvalidInput, OutOfRange
    from tracker.periods import parse_quarter, quarter_of

    try:
        return parse_quarter(text, scheme=scheme, today=today)
    except InvalidInput:
        pass
    try:
        return quarter_of(
            parse_date(text, field="--from", today=today, scheme=scheme).value, scheme
        )
    except OutOfRange:
        raise  # a date, but not one accepted: its own message says why
    except InvalidInput:
        example = quarter_of(today, scheme).label
        raise InvalidInput(
            f"--from: expected a quarter such as {example} or a date such as "
            f"{today.isoformat()}; got {text!r}"
        ) from None


def column_label(quarter: Quarter) -> str:
    """A quarter in eight characters: ``Q3 26/27``, or ``Q3 2026`` for calendar years."""
    from tracker.periods import Scheme

    if quarter.scheme is Scheme.CALENDAR:
        return f"Q{quarter.number} {quarter.start_year:04d}"
    return f"Q{quarter.number} {quarter.start_year % 100:02d}/{(quarter.start_year + 1) % 100:02d}"


def _offset(quarter: Quarter, day: dt.date) -> int:
    """Where a day falls inside a quarter's column, 0 to CELL - 1."""
    length = (quarter.end - quarter.start).days + 1
    return min(CELL - 1, (day - quarter.start).days * CELL // length)


SCHEME_NAMES = {
    "uk-fy": "the UK financial year (April to March)",
    "academic": "the academic year (August to July)",
    "calendar": "the calendar year",
}


def draw(result: Timeline, out: Console) -> None:
    """The chart, cut to the console's width: fewer quarters when they do not fit."""
    from rich.text import Text

    from tracker.dates import format_date

    width = out.width
    labels = [_label(row.ref, row.name, row.depth) for row in result.rows]
    column = CELL + GAP
    # Labels as wide as they need (within limits), narrower to make room for every quarter,
    # and fewer quarters only when even the narrowest labels leave no room.
    label_width = max(LABEL_MIN, min(LABEL_MAX, max((len(text) for text in labels), default=0)))
    label_width = max(LABEL_MIN, min(label_width, width - column * len(result.quarters)))
    shown = result.quarters[: max(1, (width - label_width) // column)]
    label_width = max(8, min(label_width, width - column * len(shown)))
    heading = [
        Text(f"{result.mou}  {result.title}", style="bold"),
        Text(
            f"Timeline as of {format_date(result.as_of)}, by quarters of "
            f"{SCHEME_NAMES[result.scheme.value]}."
        ),
    ]
    for line in heading:
        out.print(line, soft_wrap=False)
    out.print()
    header = Text(" " * label_width)
    for quarter in shown:
        header.append(" " * GAP + column_label(quarter).ljust(CELL), style="bold")
    out.print(header, no_wrap=True, crop=True)
    today_at = result.today_quarter
    marker: int | None = None
    if today_at is not None and today_at < len(shown):
        marker = (
            label_width + GAP + today_at * (CELL + GAP) + _offset(shown[today_at], result.as_of)
        )
        out.print(Text(" " * marker + TODAY, style="bold"), no_wrap=True, crop=True)
    for row, label in zip(result.rows, labels, strict=True):
        line = Text(
            _fit(label, label_width).ljust(label_width), style="bold" if row.kind == "theme" else ""
        )
        for position, quarter in enumerate(shown):
            line.append(" " * GAP)
            cells = row.cells[position] if row.cells else []
            today_offset = _offset(quarter, result.as_of) if position == today_at else None
            line.append_text(
                _cell(quarter, cells, today_offset if row.kind == "workstream" else None)
            )
        out.print(line, no_wrap=True, crop=True)
    today_key = f"  {TODAY} today" if marker is not None else ""
    notes = [
        f"{GLYPHS['done']} done  {GLYPHS['due']} due  {GLYPHS['slipped']} slipped from an earlier "
        f"quarter  {GLYPHS['overdue']} overdue{today_key}; coloured by RAG as of "
        f"{result.as_of.isoformat()}. Each milestone sits in the quarter of its forecast, else "
        "its due date; cancelled ones are left out.",
    ]
    if len(shown) < len(result.quarters):
        notes.append(
            f"Showing {len(shown)} of {len(result.quarters)} quarters to fit {width} columns; "
            "widen the terminal to see them all, or use --format json."
        )
    if today_at is None:
        notes.append(f"Today ({format_date(result.as_of)}) is outside the quarters shown.")
    if not result.rows:
        notes.append("No workstreams to show.")
    out.print()
    for note in notes:
        out.print(Text(note, style="dim"), soft_wrap=False)


def _label(ref: str, name: str, depth: int) -> str:
    return "  " * depth + f"{ref} {name}"


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _cell(quarter: Quarter, placed: list[Placed], today_offset: int | None) -> Text:
    """A quarter's column for one workstream: each milestone's mark where its date falls in
    the quarter (moved along when two share a place). More than fit are packed from the left
    in date order, the last of them counted as ``+N``."""
    from rich.text import Text

    from tracker.cli.render import RAG_STYLES

    def glyph(item: Placed) -> tuple[str, str]:
        style = RAG_STYLES.get("COMPLETE" if item.mark == "done" else item.rag, "")
        return GLYPHS[item.mark.value], style

    slots: list[tuple[str, str] | None] = [None] * CELL
    if len(placed) <= CELL:
        for item in placed:
            wanted = _offset(quarter, item.date)
            free = [i for i in range(wanted, CELL) if slots[i] is None] or [
                i for i in range(wanted - 1, -1, -1) if slots[i] is None
            ]
            slots[free[0]] = glyph(item)
    else:
        shown = CELL - 2
        while shown + len(f"+{len(placed) - shown}") > CELL:
            shown -= 1
        more = f"+{len(placed) - shown}"
        packed = [glyph(item) for item in placed[:shown]] + [(char, "bold") for char in more]
        slots[: len(packed)] = packed
    if today_offset is not None and slots[today_offset] is None:
        slots[today_offset] = (TODAY_LINE, "dim")
    text = Text()
    for slot in slots:
        if slot is None:
            text.append(" ")
        else:
            text.append(slot[0], style=slot[1])
    return text


def timeline_report(result: Timeline) -> Report:
    """The chart's data, for scripts: every quarter asked for, every placed milestone."""
    from tracker.cli.render import Column, Report, Section

    def placed(item: Placed) -> dict[str, Any]:
        return {"ref": item.ref, "mark": item.mark.value, "rag": item.rag, "date": item.date}

    document = {
        "as_of": result.as_of,
        "scheme": result.scheme.value,
        "quarters": [
            {"label": quarter.label, "start": quarter.start, "end": quarter.end}
            for quarter in result.quarters
        ],
        "rows": [
            {
                "type": row.kind,
                "ref": row.ref,
                "name": row.name,
                "depth": row.depth,
                "cells": [[placed(item) for item in cell] for cell in row.cells],
            }
            for row in result.rows
        ],
    }
    flat: list[dict[str, Any]] = []
    theme: str | None = None
    for row in result.rows:
        if row.kind == "theme":
            theme = row.ref
            continue
        for quarter, cell in zip(result.quarters, row.cells, strict=True):
            for item in cell:
                flat.append(
                    {
                        "theme": theme,
                        "workstream": row.ref,
                        "quarter": quarter.label,
                        **placed(item),
                    }
                )
    columns = [
        Column(key, key) for key in ("theme", "workstream", "quarter", "ref", "mark", "rag", "date")
    ]
    section = Section("timeline", columns, flat)
    return Report(document=document, csv=section, sections=[section])
