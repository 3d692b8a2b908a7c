"""``mou changes``: what changed between two moments, theme by theme."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tracker.cli.filters import InstitutionFilter, ThemeFilter
from tracker.cli.options import Db, Format, OutputFormat
from tracker.text import counted

if TYPE_CHECKING:
    from tracker.cli.render import Report
    from tracker.services.changes import Changes

app = typer.Typer()

When = "a date (its end), a date and time, a quarter label (its end), or last-issue"
COLUMNS = [
    ("theme", "Theme", "ref", 0),
    ("change", "Change", "ref", 0),
    ("kind", "Kind", "ref", 3),
    ("ref", "Ref", "ref", 0),
    ("title", "Title", "text", 2),
    ("old", "From", "text", 0),
    ("new", "To", "text", 0),
    ("days", "Days", "number", 1),
    ("reason", "Reason", "text", 1),
]


@app.command("changes", rich_help_panel="Reporting")
def changes(
    since: Annotated[
        str, typer.Option("--since", help=f"From this moment: {When}.", metavar="WHEN")
    ],
    until: Annotated[
        str | None,
        typer.Option("--until", help=f"To this moment: {When}. Default: now.", metavar="WHEN"),
    ] = None,
    theme: ThemeFilter = None,
    institution: InstitutionFilter = None,
    output: Format = OutputFormat.TABLE,
    db: Db = None,
) -> None:
    """List what changed between two moments, grouped by theme: for the board's next meeting.

    Example: mou changes --since last-issue
    """
    from tracker.cli.context import open_db, parse_when, today
    from tracker.cli.render import emit
    from tracker.errors import UsageError
    from tracker.services.changes import Moment, between

    start, start_date = parse_when(since, option="--since", db=db)
    end, end_date = parse_when(until, option="--until", db=db) if until else (None, today())
    if end is not None and end <= start:
        raise UsageError("--until: must be later than --since")
    if end is None and start >= dt.datetime.now(dt.UTC).replace(tzinfo=None):
        # Compared with "until now", a later start would list every change backwards.
        raise UsageError("--since: must be earlier than now (a date means the end of that day)")
    database = open_db(db)
    try:
        found = between(
            database,
            Moment(start, start_date),
            Moment(end, end_date),
            theme=theme,
            institution=institution,
        )
    finally:
        database.dispose()
    emit(changes_report(found), output)


def change_rows(found: Changes) -> list[dict[str, Any]]:
    from dataclasses import asdict

    return [asdict(row) for row in found.rows]


def changes_report(found: Changes) -> Report:
    from rich.text import Text

    from tracker.cli.render import Column, Report, Section

    columns = [Column(*spec) for spec in COLUMNS]  # type: ignore[arg-type]
    rows = change_rows(found)
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row["theme"], []).append(row)
    sections = [
        Section(f"Theme {theme}" if theme else "The programme", columns[1:], grouped)
        for theme, grouped in groups.items()
    ]

    def shown(moment: Any) -> str:
        if moment.at is None:
            return f"now (as of {moment.date})"
        return f"{moment.at.isoformat(sep=' ', timespec='seconds')} UTC (as of {moment.date})"

    count = len(rows)
    heading = [
        Text(f"Changes from {shown(found.since)} to {shown(found.until)}"),
        Text(counted(count, "change") + (": nothing changed" if not count else "")),
    ]
    document = {
        "since": {"at": found.since.at, "as_of": found.since.date},
        "until": {"at": found.until.at, "as_of": found.until.date},
        "rows": rows,
    }
    return Report(
        document=document,
        csv=Section("changes", columns, rows),
        sections=sections,
        heading=heading,
    )
