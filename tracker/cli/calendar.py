"""``mou calendar``: the programme's dates as a calendar feed (.ics) for any calendar program."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tracker.cli import completion
from tracker.cli.options import AsOf, Db
from tracker.text import counted

app = typer.Typer()

NOUNS = {
    "milestone": ("milestone", "milestones"),
    "visit": ("visit", "visits"),
    "meeting": ("board meeting", "board meetings"),
    "action": ("action", "actions"),
    "mou": ("MoU date", "MoU dates"),
}


@app.command("calendar", rich_help_panel="Reporting")
def calendar(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="The .ics file to write. Default: print the calendar.",
            show_default=False,
        ),
    ] = None,
    within: Annotated[
        str | None,
        typer.Option(
            "--within",
            help="Only the next so many days (90d, or 13w). Default: every date, past and future.",
            metavar="DAYS",
            show_default=False,
        ),
    ] = None,
    owner: Annotated[
        str | None,
        typer.Option(
            "--owner",
            help="Only this person's: what they own, chair or attend.",
            metavar="REF",
            autocompletion=completion.refs("people"),
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
    as_of: AsOf = None,
    db: Db = None,
) -> None:
    """Write the programme's dates as a calendar file that calendar programs import.

    Example: mou calendar --out programme.ics --owner MORLEY
    """
    import sys

    from tracker.cli.context import as_of_date, open_db, today
    from tracker.errors import Conflict, InvalidInput
    from tracker.files import write_file
    from tracker.services.calendar import programme_calendar, to_ics
    from tracker.services.lookahead import parse_within
    from tracker.services.settings import tolerances
    from tracker.text import printable

    days = parse_within(within) if within is not None else None
    if out is not None:
        if out.is_dir():
            raise InvalidInput(f"--out: {out} is a folder; expected a file name such as x.ics")
        if out.exists() and not force:
            raise Conflict(f"--out: {out} already exists; use --force to replace it")
        if not out.parent.is_dir():
            raise InvalidInput(f"--out: the folder {out.parent} does not exist")
    parsed = as_of_date(as_of, db)
    with open_db(db).reading() as session:
        result = programme_calendar(
            session=session,
            as_of=parsed.value if parsed else today(),
            tolerances=tolerances(session=session),
            within=days,
            owner=owner,
        )
    data = to_ics(result)
    if out is None:
        sys.stdout.write(data.decode("utf-8"))
        return
    write_file(out, data)
    counts = result.counts()
    parts = [
        f"{counts[kind]} {NOUNS[kind][0] if counts[kind] == 1 else NOUNS[kind][1]}"
        for kind in NOUNS
        if counts.get(kind)
    ]
    total = len(result.events)
    summary = f": {', '.join(parts)}" if parts else ""
    typer.echo(
        f"Wrote {counted(total, 'event')} of MoU {result.mou} to {printable(str(out))}{summary}."
    )
