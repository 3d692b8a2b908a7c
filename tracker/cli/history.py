"""``mou log``, ``mou history``, ``mou undo`` and ``mou redo``: who changed what, and taking
it back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from tracker.cli import completion
from tracker.cli.options import Db, Format, OutputFormat

if TYPE_CHECKING:
    from tracker.cli.render import Report
    from tracker.services.trail import CommandSummary, FieldChange
    from tracker.services.undo import Direction

app = typer.Typer()
PANEL = "Audit trail"


@app.command("log", rich_help_panel=PANEL)
def log(
    ref: Annotated[
        str | None,
        typer.Argument(
            help="Only commands that changed this record.",
            show_default=False,
            autocompletion=completion.any_ref,
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only changes on or after this (local) date.", metavar="DATE"),
    ] = None,
    actor: Annotated[
        str | None, typer.Option("--actor-is", help="Only changes by this actor.")
    ] = None,
    fields: Annotated[
        bool, typer.Option("--fields", help="One row per changed field, not per command.")
    ] = False,
    limit: Annotated[
        int,
        typer.Option(
            "--limit",
            help="At most this many rows (0: all).",
            min=0,
            max=10_000_000,
        ),
    ] = 200,
    output: Format = OutputFormat.TABLE,
    db: Db = None,
) -> None:
    """Show the audit trail: one line per command, newest first, with who made it and how.

    Example: mou log --since 2026-11-01 --actor-is "Jo Bloggs"
    """
    from tracker.cli.context import open_db, parse_option_date
    from tracker.cli.render import emit
    from tracker.services import trail

    when = parse_option_date(since, "--since", db)
    with open_db(db).reading() as session:
        if fields:
            changes, cut = trail.field_changes(
                session=session, ref=ref, since=when, actor=actor, limit=limit or None
            )
            report = fields_report(changes, "Audit trail", cut=cut)
        else:
            commands, cut = trail.log(
                session=session, ref=ref, since=when, actor=actor, limit=limit or None
            )
            report = commands_report(commands, cut=cut)
    emit(report, output)


@app.command("history", rich_help_panel=PANEL)
def history(
    ref: Annotated[
        str,
        typer.Argument(
            help="The record's ref.", show_default=False, autocompletion=completion.any_ref
        ),
    ],
    output: Format = OutputFormat.TABLE,
    db: Db = None,
) -> None:
    """Show every change ever made to one record, oldest first.

    Example: mou history MS-13
    """
    from tracker.cli.context import open_db
    from tracker.cli.render import emit
    from tracker.services import trail

    with open_db(db).reading() as session:
        changes, _ = trail.field_changes(session=session, ref=ref, oldest_first=True)
    emit(fields_report(changes, f"History of {ref.strip().upper()}", cut=False), output)


COMMAND_COLUMNS = [
    ("command_id", "Cmd", "number", 0),
    ("at", "When (UTC)", "ref", 2),
    ("actor", "Actor", "ref", 3),
    ("command", "Command", "text", 0),
    ("summary", "Summary", "text", 0),
]
FIELD_COLUMNS = [
    ("command_id", "Cmd", "number", 0),
    ("at", "When (UTC)", "ref", 3),
    ("actor", "Actor", "ref", 4),
    ("command", "Command", "text", 5),
    ("kind", "Kind", "ref", 2),
    ("ref", "Ref", "ref", 0),
    ("action", "Action", "ref", 1),
    ("field", "Field", "ref", 0),
    ("old", "Old", "text", 0),
    ("new", "New", "text", 0),
]


def _when(row: dict[str, Any]) -> None:
    row["at"] = row["at"].isoformat(sep=" ", timespec="seconds")


def _cut_note(count: int, noun: str, cut: bool) -> str:
    from tracker.text import counted

    if cut:
        return f"Showing the newest {counted(count, noun)}; there are more (--limit 0 shows all)."
    return f"{counted(count, noun)}."


def commands_report(commands: list[CommandSummary], *, cut: bool) -> Report:
    from dataclasses import asdict

    from tracker.cli.render import Column, Report, Section

    rows = [asdict(command) for command in commands]
    for row in rows:
        _when(row)
    columns = [Column(*spec) for spec in COMMAND_COLUMNS]  # type: ignore[arg-type]
    section = Section("Audit trail", columns, rows)
    return Report(
        document={"entries": rows},
        csv=section,
        sections=[section],
        notes=[_cut_note(len(rows), "command", cut)],
    )


def fields_report(changes: list[FieldChange], title: str, *, cut: bool) -> Report:
    from dataclasses import asdict

    from tracker.cli.render import Column, Report, Section

    def cell(value: Any) -> Any:
        if isinstance(value, list):
            return "; ".join(
                " ".join(str(part) for part in item) if isinstance(item, list) else str(item)
                for item in value
            )
        return value

    rows = [asdict(change) for change in changes]
    for row in rows:
        _when(row)
    flat = [{**row, "old": cell(row["old"]), "new": cell(row["new"])} for row in rows]
    columns = [Column(*spec) for spec in FIELD_COLUMNS]  # type: ignore[arg-type]
    section = Section(title, columns, flat)
    return Report(
        document={"entries": rows},
        csv=section,
        sections=[section],
        notes=[_cut_note(len(rows), "changed field", cut)],
    )


Command = Annotated[
    int | None,
    typer.Argument(
        help="The command (its number in mou log). Default: the latest there is.",
        show_default=False,
        min=1,
        max=2**31 - 1,
    ),
]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


@app.command("undo", rich_help_panel=PANEL)
def undo(command: Command = None, yes: Yes = False, db: Db = None) -> None:
    """Undo the last command not yet undone (or command N) as a whole, after showing it.

    Example: mou undo --yes
    """
    _undo_or_redo("undo", command, yes=yes, db=db)


@app.command("redo", rich_help_panel=PANEL)
def redo(command: Command = None, yes: Yes = False, db: Db = None) -> None:
    """Apply again the command most recently undone (or undone command N).

    Example: mou redo --yes
    """
    _undo_or_redo("redo", command, yes=yes, db=db)


def _undo_or_redo(direction: Direction, command: int | None, *, yes: bool, db: str | None) -> None:
    from tracker.cli.context import open_db
    from tracker.errors import MouError
    from tracker.services.undo import perform, plan

    database = open_db(db)
    # Plan and ask without holding the write lock: a question left open must not stop others.
    with database.reading() as session:
        chosen = plan(direction, session=session, command_id=command)
    target = chosen.command
    typer.echo(
        f"Command {target.id} by {target.actor} at "
        f"{target.at.isoformat(sep=' ', timespec='seconds')} UTC: {target.command}"
    )
    for verb, noun, ref, fields in chosen.steps():
        shown = ", ".join(fields) if fields else "the record"
        typer.echo(f"  {verb} {noun} {ref}: {shown}")
    if not yes and not typer.confirm(f"{direction.capitalize()} this command?", default=False):
        raise MouError(f"nothing was {direction}ne")
    with database.writing() as session:
        perform(direction, session=session, command_id=target.id)
    past = "Undid" if direction == "undo" else "Redid"
    typer.echo(f"{past} command {target.id}.")
