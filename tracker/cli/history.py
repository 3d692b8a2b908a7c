"""``mou log``, ``mou history`` and ``mou undo``: who changed what, and taking it back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from tracker.cli.options import Db, Format, OutputFormat

if TYPE_CHECKING:
    from tracker.cli.render import Report
    from tracker.services.undo import LogEntry

app = typer.Typer()
PANEL = "Audit trail"


@app.command("log", rich_help_panel=PANEL)
def log(
    ref: Annotated[
        str | None, typer.Argument(help="Only changes to this record.", show_default=False)
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only changes on or after this date (UTC).", metavar="DATE"),
    ] = None,
    actor: Annotated[
        str | None, typer.Option("--actor-is", help="Only changes by this actor.")
    ] = None,
    limit: Annotated[
        int,
        typer.Option(
            "--limit", help="At most this many changed fields (0: all).", min=0, max=10_000_000
        ),
    ] = 200,
    output: Format = OutputFormat.TABLE,
    db: Db = None,
) -> None:
    """Show the audit trail: every change, newest first, with who made it and how.

    Example: mou log --since 2026-11-01 --actor-is "Jo Bloggs"
    """
    from tracker.cli.context import open_db, parse_option_date
    from tracker.cli.render import emit
    from tracker.services.undo import log_entries

    with open_db(db).reading() as session:
        entries = log_entries(
            session=session,
            ref=ref,
            since=parse_option_date(since, "--since", db),
            actor=actor,
            limit=limit or None,
        )
    emit(log_report(entries, "Audit trail"), output)


@app.command("history", rich_help_panel=PANEL)
def history(
    ref: Annotated[str, typer.Argument(help="The record's ref.", show_default=False)],
    output: Format = OutputFormat.TABLE,
    db: Db = None,
) -> None:
    """Show every change ever made to one record, oldest first.

    Example: mou history MS-13
    """
    from tracker.cli.context import open_db
    from tracker.cli.render import emit
    from tracker.services.undo import log_entries

    with open_db(db).reading() as session:
        entries = list(reversed(log_entries(session=session, ref=ref)))
    emit(log_report(entries, f"History of {ref.strip().upper()}"), output)


LOG_COLUMNS = [
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


def log_report(entries: list[LogEntry], title: str) -> Report:
    from dataclasses import asdict

    from tracker.cli.render import Column, Report, Section

    def cell(value: Any) -> Any:
        if isinstance(value, list):
            return "; ".join(
                " ".join(str(part) for part in item) if isinstance(item, list) else str(item)
                for item in value
            )
        return value

    rows = [asdict(entry) for entry in entries]
    for row in rows:
        row["at"] = row["at"].isoformat(sep=" ")
    flat = [{**row, "old": cell(row["old"]), "new": cell(row["new"])} for row in rows]
    columns = [Column(*spec) for spec in LOG_COLUMNS]  # type: ignore[arg-type]
    section = Section(title, columns, flat)
    return Report(
        document={"entries": rows},
        csv=section,
        sections=[section],
        notes=[f"{len(rows)} changed field{'s' if len(rows) != 1 else ''}."],
    )


@app.command("undo", rich_help_panel=PANEL)
def undo(
    command: Annotated[
        int | None,
        typer.Argument(
            help="The command to undo (its number in mou log). Default: the last.",
            show_default=False,
            min=1,
            max=2**31 - 1,
        ),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    db: Db = None,
) -> None:
    """Undo the last command (or command N) as a whole, after showing what it reverts.

    Example: mou undo --yes
    """
    from tracker.cli.context import open_db
    from tracker.kinds import BY_TABLE
    from tracker.services.undo import apply_undo, plan_undo

    database = open_db(db)
    # Plan and ask without holding the write lock: a question left open must not stop others.
    with database.reading() as session:
        plan = plan_undo(session=session, command_id=command)
    typer.echo(
        f"Command {plan.command.id} by {plan.command.actor} at "
        f"{plan.command.at.isoformat(sep=' ')} UTC: {plan.command.command}"
    )
    for change in plan.changes:
        verb = {"add": "remove", "remove": "restore", "change": "restore"}[change.action]
        noun = BY_TABLE[change.kind].noun if change.kind in BY_TABLE else "setting"
        fields = ", ".join(change.fields) if change.action == "change" else "the record"
        typer.echo(f"  {verb} {noun} {change.ref}: {fields}")
    if not yes and not typer.confirm("Undo this command?", default=False):
        from tracker.errors import MouError

        raise MouError("nothing was undone")
    with database.writing() as session:
        # Planned again inside the write: refused if anything changed while we asked.
        apply_undo(plan_undo(session=session, command_id=plan.command.id), session=session)
    typer.echo(f"Undid command {plan.command.id}.")
