"""``mou due``: what is overdue and what falls due soon, for everyone or per person."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tracker.cli import completion
from tracker.cli.options import AsOf, Db, Format, OutputFormat
from tracker.enums import ItemKind
from tracker.text import counted

if TYPE_CHECKING:
    from tracker.cli.render import Report, Section
    from tracker.services.lookahead import DueItem, LookAhead

app = typer.Typer()

# Exit status of `mou due --check` when anything is overdue (1 and 2 keep their meanings).
OVERDUE_EXIT = 3


class DueBy(StrEnum):
    OWNER = "owner"


@app.command("due", rich_help_panel="Reporting")
def due(
    within: Annotated[
        str,
        typer.Option(
            "--within",
            help="How far ahead to look: days (30d, or 30) or weeks (4w).",
            metavar="DAYS",
        ),
    ] = "30d",
    institution: Annotated[
        str | None,
        typer.Option(
            "--institution",
            help="Only items of this institution.",
            metavar="REF",
            autocompletion=completion.refs("institutions"),
        ),
    ] = None,
    owner: Annotated[
        str | None,
        typer.Option(
            "--owner",
            help="Only items this person owns.",
            metavar="REF",
            autocompletion=completion.refs("people"),
        ),
    ] = None,
    theme: Annotated[
        str | None,
        typer.Option(
            "--theme",
            help="Only milestones, visits and visits' actions under this theme.",
            metavar="REF",
            autocompletion=completion.refs("themes"),
        ),
    ] = None,
    kind: Annotated[
        list[ItemKind] | None,
        typer.Option(
            "--kind", help="Only these kinds of item (repeat for several).", case_sensitive=False
        ),
    ] = None,
    by: Annotated[
        DueBy | None,
        typer.Option("--by", help="One table per owner, ready for a chaser email."),
    ] = None,
    check: Annotated[
        bool,
        typer.Option("--check", help=f"Exit with status {OVERDUE_EXIT} when anything is overdue."),
    ] = False,
    as_of: AsOf = None,
    output: Format = OutputFormat.TABLE,
    db: Db = None,
) -> None:
    """List what is overdue and what falls due soon, for everyone or one person at a time.

    Example: mou due --within 14d --owner MORLEY --check
    """
    from tracker.cli.context import as_of_date, open_db, today
    from tracker.cli.render import emit
    from tracker.services.lookahead import DueFilter, look_ahead, parse_within
    from tracker.services.settings import tolerances

    days = parse_within(within)
    parsed = as_of_date(as_of, db)
    kinds = frozenset(kind) if kind else frozenset(ItemKind)
    filters = DueFilter(kinds=kinds, owner=owner, institution=institution, theme=theme)
    with open_db(db).reading() as session:
        result = look_ahead(
            session=session,
            as_of=parsed.value if parsed else today(),
            within=days,
            tolerances=tolerances(session=session),
            filters=filters,
        )
    emit(due_report(result, by_owner=by is DueBy.OWNER), output)
    if check and result.overdue:
        raise typer.Exit(OVERDUE_EXIT)


# key, header, kind, drop order on a narrow terminal (0: always shown)
COLUMNS = [
    ("date", "Date", "date", 0),
    ("days_overdue", "Days late", "number", 0),
    ("in_days", "In days", "number", 0),
    ("kind", "Kind", "ref", 4),
    ("ref", "Ref", "ref", 0),
    ("title", "Title", "text", 0),
    ("owner", "Owner", "ref", 2),
    ("institution", "Inst.", "ref", 3),
    ("rag", "RAG", "rag", 1),
]
CONTRACT = ["kind", "ref", "title", "date", "owner", "institution", "rag", "days_overdue"]


def _row(item: DueItem) -> dict[str, Any]:
    return {
        "kind": item.kind.value,
        "ref": item.ref,
        "title": item.title,
        "date": item.date,
        "owner": item.owner,
        "institution": item.institution,
        "rag": item.rag,
        "days_overdue": item.days_overdue,
    }


def due_report(result: LookAhead, *, by_owner: bool) -> Report:
    from rich.text import Text

    from tracker.cli.render import Column, Report, Section
    from tracker.dates import format_date

    columns = {key: Column(key, header, kind, drop) for key, header, kind, drop in COLUMNS}  # type: ignore[arg-type]
    rows = [_row(item) for item in result.items]
    flat = Section("due", [Column(key, key) for key in CONTRACT], rows)
    document = {"as_of": result.as_of, "within": result.within, "rows": rows}

    def terminal_row(item: DueItem) -> dict[str, Any]:
        row = _row(item)
        if not item.overdue:
            row["in_days"] = (item.date - result.as_of).days
        return row

    def section(title: str, items: list[DueItem], keys: list[str]) -> Section:
        return Section(title, [columns[key] for key in keys], [terminal_row(i) for i in items])

    every = [key for key, *_ in COLUMNS]
    sections: list[Section] = []
    if by_owner:
        groups: dict[str | None, list[DueItem]] = {}
        for item in result.items:
            groups.setdefault(item.owner, []).append(item)
        for owner in sorted(groups, key=lambda ref: (ref is None, ref or "")):
            items = groups[owner]
            late = sum(1 for item in items if item.overdue)
            title = _owner_title(result, owner) + f": {late} overdue, {len(items) - late} due"
            sections.append(section(title, items, [key for key in every if key != "owner"]))
    else:
        if result.overdue:
            keys = [key for key in every if key != "in_days"]
            sections.append(section(f"Overdue ({len(result.overdue)})", result.overdue, keys))
        if result.coming:
            keys = [key for key in every if key != "days_overdue"]
            title = f"Due by {format_date(result.until)} ({len(result.coming)})"
            sections.append(section(title, result.coming, keys))
    heading = [
        Text(f"{result.mou}  {result.title}", style="bold"),
        Text(
            f"As of {format_date(result.as_of)}: {len(result.overdue)} overdue, "
            f"{len(result.coming)} due in the next {counted(result.within, 'day')} "
            f"(to {format_date(result.until)})."
        ),
    ]
    notes = []
    if not result.items:
        notes.append(f"Nothing is overdue or due in the next {counted(result.within, 'day')}.")
    if result.undated_actions:
        count = len(result.undated_actions)
        notes.append(
            f"{count} open action{'s have' if count != 1 else ' has'} no due date, so "
            f"{'they are' if count != 1 else 'it is'} never overdue: "
            + ", ".join(result.undated_actions)
            + "."
        )
    notes.append(
        f"RAG tolerances: green up to {result.tolerances.green_days} days, red beyond "
        f"{result.tolerances.red_days} days. Actions and MoU dates are RED once overdue."
    )
    return Report(document=document, csv=flat, sections=sections, heading=heading, notes=notes)


def _owner_title(result: LookAhead, owner: str | None) -> str:
    if owner is None:
        return "No owner"
    person = result.people.get(owner)
    if person is None:
        return owner
    return f"{person.name} ({person.ref}, {person.institution})"
