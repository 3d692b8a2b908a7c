"""``mou add-milestone`` and ``mou update-milestone``: the commands used every week."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer

from tracker.cli import completion
from tracker.cli.options import Db
from tracker.enums import MilestoneStatus

app = typer.Typer()
PANEL = "Milestones"


# A new milestone is planned or already under way; it is completed with --done later.
OpenStatus = StrEnum(  # type: ignore[misc]
    "OpenStatus",
    {
        status.name: status.value
        for status in (MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS)
    },
)


@app.command("add-milestone", rich_help_panel=PANEL)
def add_milestone(
    title: Annotated[str, typer.Argument(help="What will have happened.", show_default=False)],
    workstream: Annotated[
        str,
        typer.Option(
            "--workstream",
            "-w",
            help="Workstream that delivers it.",
            metavar="REF",
            autocompletion=completion.refs("workstreams"),
        ),
    ],
    due: Annotated[
        str,
        typer.Option("--due", help="Agreed date (2026-06-30, 30/06/2026, +3m…).", metavar="DATE"),
    ],
    ref: Annotated[
        str | None, typer.Option("--ref", help="Ref to give it (default: the next MS-NN).")
    ] = None,
    forecast: Annotated[
        str | None,
        typer.Option("--forecast", help="Expected date, if not the due date.", metavar="DATE"),
    ] = None,
    institution: Annotated[
        str | None,
        typer.Option(
            "--institution",
            help="Owning institution (default: the workstream's lead).",
            metavar="REF",
            autocompletion=completion.refs("institutions"),
        ),
    ] = None,
    owner: Annotated[
        str | None,
        typer.Option(
            "--owner",
            help="Person who owns it.",
            metavar="REF",
            autocompletion=completion.refs("people"),
        ),
    ] = None,
    status: Annotated[
        OpenStatus,
        typer.Option("--status", help="Planned, or already in progress.", case_sensitive=False),
    ] = OpenStatus.PLANNED,  # type: ignore[attr-defined]
    depends_on: Annotated[
        str | None,
        typer.Option(
            "--depends-on",
            help="Milestones that must be achieved first, separated by commas.",
            metavar="REF,REF…",
            autocompletion=completion.ref_list("milestones"),
        ),
    ] = None,
    db: Db = None,
) -> None:
    """Add a milestone to a workstream and print its ref.

    Example: mou add-milestone "Joint beamtime proposal submitted" -w WS01 --due 30/06/2027
    """
    from tracker.cli.context import open_db, today
    from tracker.cli.values import convert, show
    from tracker.kinds import MILESTONES
    from tracker.services.editing import add_record
    from tracker.services.milestones import overdue_warnings

    notes: list[str] = []
    raw = {
        "title": title,
        "workstream": workstream,
        "due": due,
        "forecast": forecast,
        "institution": institution,
        "owner": owner,
        "status": status.value,
        "depends_on": depends_on,
    }
    values = {
        key: convert(MILESTONES.field(key), value, today=today(), notes=notes, db=db)
        for key, value in raw.items()
        if value is not None
    }
    with open_db(db, create=True).writing() as session:
        saved = add_record(MILESTONES, values, session=session, ref=ref)
    record = saved.record
    typer.echo(f"Added milestone {saved.key} to {record['workstream']}: {record['title']}")
    typer.echo(f"  due: {show(record['due'])}")
    if record["forecast"]:
        typer.echo(f"  forecast: {show(record['forecast'])}")
    typer.echo(
        f"  owned by: {record['institution']}"
        + (f" ({record['owner']})" if record["owner"] else "")
    )
    if record["depends_on"]:
        typer.echo(f"  depends on: {', '.join(record['depends_on'])}")
    for note in notes:
        typer.echo(f"  ({note})")
    for warning in overdue_warnings(saved.key, record, today()):
        typer.echo(warning)


@app.command("update-milestone", rich_help_panel=PANEL)
def update_milestone(
    ref: Annotated[
        str,
        typer.Argument(
            help="The milestone to change.",
            show_default=False,
            autocompletion=completion.refs("milestones"),
        ),
    ],
    forecast: Annotated[
        str | None,
        typer.Option("--forecast", help="Expected date; 'none' means as due.", metavar="DATE"),
    ] = None,
    done: Annotated[
        str | None,
        typer.Option("--done", help="Completed on this date (sets status done).", metavar="DATE"),
    ] = None,
    status: Annotated[
        MilestoneStatus | None,
        typer.Option(
            "--status",
            help="New status (reopening clears the completed date).",
            case_sensitive=False,
        ),
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="New title.")] = None,
    owner: Annotated[
        str | None,
        typer.Option(
            "--owner",
            help="Owner ('none' clears).",
            metavar="REF",
            autocompletion=completion.refs("people"),
        ),
    ] = None,
    institution: Annotated[
        str | None,
        typer.Option(
            "--institution",
            help="Owning institution.",
            metavar="REF",
            autocompletion=completion.refs("institutions"),
        ),
    ] = None,
    due: Annotated[
        str | None,
        typer.Option(
            "--due", help="Re-baseline to a new agreed date (needs --reason).", metavar="DATE"
        ),
    ] = None,
    rag: Annotated[
        str | None,
        typer.Option(
            "--rag",
            help="Reported RAG: GREEN, AMBER or RED (needs --reason), or none.",
            metavar="RAG",
        ),
    ] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why: for a re-baseline or a reported RAG.")
    ] = None,
    depends_on: Annotated[
        str | None,
        typer.Option(
            "--depends-on",
            help="Milestones that must be achieved first, separated by commas (replaces the list).",
            metavar="REF,REF…",
            autocompletion=completion.ref_list("milestones"),
        ),
    ] = None,
    no_depends_on: Annotated[
        bool, typer.Option("--no-depends-on", help="It depends on no other milestone.")
    ] = False,
    db: Db = None,
) -> None:
    """Record progress on a milestone: slip its forecast, complete it, re-baseline it.

    Example: mou update-milestone MS-14 --forecast 15/01/2027
    """
    from tracker.cli.context import date_scheme, open_db, today
    from tracker.cli.records import report_update
    from tracker.cli.values import convert
    from tracker.dates import parse_date
    from tracker.enums import ReportedRag, choices
    from tracker.errors import InvalidInput, UsageError
    from tracker.kinds import MILESTONES
    from tracker.services.milestones import UNSET
    from tracker.services.milestones import update_milestone as update

    notes: list[str] = []
    now = today()
    if depends_on is not None and no_depends_on:
        raise UsageError("--no-depends-on: cannot be combined with --depends-on")
    if no_depends_on:
        depends_on = "none"
    raw = {
        "forecast": forecast,
        "title": title,
        "owner": owner,
        "institution": institution,
        "depends_on": depends_on,
    }
    fields: dict[str, Any] = {
        key: convert(MILESTONES.field(key), value, today=now, notes=notes, db=db)
        for key, value in raw.items()
        if value is not None
    }
    if status is not None:
        fields["status"] = MilestoneStatus(status.value)

    def date_of(text: str | None, name: str) -> Any:
        if text is None:
            return None
        parsed = parse_date(text, field=name, today=now, scheme=date_scheme(text, db))
        if parsed.note:
            notes.append(parsed.note)
        return parsed.value

    reported: Any = UNSET
    if rag is not None:
        if rag.strip().casefold() in ("none", "-"):
            reported = None
        elif rag.strip().upper() in ReportedRag.__members__:
            reported = ReportedRag(rag.strip().upper())
        else:
            raise InvalidInput(
                f"--rag: expected one of {choices(ReportedRag)} or none; got {rag!r}"
            )
    with open_db(db).writing() as session:
        saved = update(
            ref,
            session=session,
            today=now,
            fields=fields,
            done=date_of(done, "--done"),
            due=date_of(due, "--due"),
            rag=reported,
            reason=reason,
        )
    report_update(MILESTONES, saved, notes)
