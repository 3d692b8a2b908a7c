"""``mou status``: where the programme stands, per theme and per institution."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tracker.cli import completion
from tracker.cli.options import AsOf, Db, Format, OutputFormat

if TYPE_CHECKING:
    from tracker.cli.render import Report, Section
    from tracker.services.lookahead import WeekSummary
    from tracker.services.status import ProgrammeStatus, ProgressTable

app = typer.Typer()


class By(StrEnum):
    THEME = "theme"
    INSTITUTION = "institution"
    WORKSTREAM = "workstream"
    COMMITMENT = "commitment"


@app.command("status", rich_help_panel="Reporting")
def status(
    by: Annotated[
        By | None,
        typer.Option(
            "--by", help="Show one table: per theme, institution, workstream or commitment."
        ),
    ] = None,
    theme: Annotated[
        str | None,
        typer.Option(
            "--theme",
            help="Only this theme and its sub-themes.",
            autocompletion=completion.refs("themes"),
        ),
    ] = None,
    institution: Annotated[
        str | None,
        typer.Option(
            "--institution",
            help="Only milestones this institution owns.",
            autocompletion=completion.refs("institutions"),
        ),
    ] = None,
    tree: Annotated[
        bool,
        typer.Option("--tree", help="Themes with their sub-themes and workstreams nested."),
    ] = False,
    as_of: AsOf = None,
    output: Format = OutputFormat.TABLE,
    db: Db = None,
) -> None:
    """Show progress per theme and per institution, with RAG and the next milestone due.

    Example: mou status --by workstream --as-of 2026-12-31
    """
    from tracker.cli.context import as_of_date, open_db, today
    from tracker.cli.render import emit
    from tracker.errors import UsageError
    from tracker.services.lookahead import week_summary
    from tracker.services.settings import tolerances
    from tracker.services.status import ScopeKind, programme_status

    if tree and by is not None:
        raise UsageError("--tree: shows themes and workstreams together; leave out --by")
    parsed = as_of_date(as_of, db)
    kinds = [ScopeKind(by.value)] if by else [ScopeKind.THEME, ScopeKind.INSTITUTION]
    if tree:
        kinds = [ScopeKind.TREE]
    when = parsed.value if parsed else today()
    database = open_db(db)
    with database.reading() as session:
        result = programme_status(
            session=session,
            as_of=when,
            tolerances=tolerances(session=session),
            by=kinds,
            theme=theme,
            institution=institution,
        )
        week = week_summary(session=session, as_of=when)
    emit(status_report(result, single=by is not None or tree, week=week), output)


COLUMNS = [
    # key, header, kind, drop order on a narrow terminal (0: always shown)
    ("scope", "Ref", "ref", 0),
    ("name", "Name", "text", 1),
    ("total", "Total", "number", 0),
    ("done", "Done", "number", 0),
    ("green", "Green", "number", 4),
    ("amber", "Amber", "number", 5),
    ("red", "Red", "number", 0),
    ("overdue", "Overdue", "number", 0),
    ("pct_complete", "% complete", "number", 0),
    ("rag", "RAG", "rag", 0),
    ("next_ref", "Next", "ref", 3),
    ("next_due", "Next due", "date", 2),
]


def progress_fields(scope: str, name: str, counts: Any, scope_type: str = "") -> dict[str, Any]:
    # Only a tree mixes kinds of scope in one table, so only a tree's rows say which is which.
    kind = {"scope_type": scope_type} if scope_type else {}
    return {
        **kind,
        "scope": scope,
        "name": name,
        "total": counts.total,
        "done": counts.done,
        "green": counts.green,
        "amber": counts.amber,
        "red": counts.red,
        "overdue": counts.overdue,
        "pct_complete": counts.pct_complete,
        "rag": counts.rag.value,
        "next_ref": counts.next_ref,
        "next_due": counts.next_due,
    }


def status_report(
    result: ProgrammeStatus, *, single: bool, week: WeekSummary | None = None
) -> Report:
    from tracker.cli.render import Column, Report, Section

    columns = [Column(key, header, kind, drop) for key, header, kind, drop in COLUMNS]  # type: ignore[arg-type]
    terminal_columns = [
        *columns[:8],
        Column("pct_complete", "Complete", "bar"),
        *columns[9:],
    ]
    sections = [_section(table, terminal_columns) for table in result.tables]
    flat = Section(
        "status",
        [Column("scope_type", "Scope type"), *columns],
        [
            {
                **progress_fields(row.scope, row.name, row.counts),
                "scope_type": row.scope_type or table.by.value,
            }
            for table in result.tables
            for row in table.rows
        ],
    )
    if single:
        document: Any = {
            "as_of": result.as_of,
            "by": result.tables[0].by.value,
            "rows": [
                progress_fields(row.scope, row.name, row.counts, row.scope_type)
                for row in result.tables[0].rows
            ],
        }
    else:
        document = {
            "as_of": result.as_of,
            "mou": result.mou,
            "overall": progress_fields(result.mou, result.title, result.overall),
            "tables": {
                table.by.value: [
                    progress_fields(row.scope, row.name, row.counts) for row in table.rows
                ]
                for table in result.tables
            },
            **(week.document() if week is not None else {}),
        }
    return Report(
        document=document,
        csv=flat,
        sections=sections,
        heading=[] if single else _heading(result, week),
        notes=[
            f"As of {result.as_of.isoformat()}. Slippage tolerances: green up to "
            f"{result.tolerances.green_days} days, red beyond {result.tolerances.red_days} days."
        ],
    )


def _section(table: ProgressTable, columns: list[Any]) -> Section:
    from tracker.cli.render import Section

    title = (
        "Themes and workstreams" if table.by.value == "tree" else f"Progress by {table.by.value}"
    )
    return Section(
        title=title,
        columns=columns,
        rows=[progress_fields(row.scope, row.name, row.counts) for row in table.rows],
        indent={index: row.depth for index, row in enumerate(table.rows) if row.depth},
    )


def _heading(result: ProgrammeStatus, week: WeekSummary | None) -> list[Any]:
    from rich.text import Text

    from tracker.cli.render import RAG_STYLES
    from tracker.dates import format_date

    title = Text()
    title.append(result.mou, style="bold")
    title.append("  ")
    title.append(result.title, style="bold")
    signed = f", signed {format_date(result.signed)}" if result.signed else ""
    title.append(f"  ({result.status}{signed})")
    lines = [title]
    for party in result.parties:
        line = Text(f"  {party.name}")
        if party.signatory:
            line.append(f": {party.signatory}")
            if party.signatory_title:
                line.append(f", {party.signatory_title}")
        lines.append(line)
    overall = result.overall
    summary = Text(f"As of {format_date(result.as_of)}: ")
    summary.append(overall.rag.value, style=RAG_STYLES.get(overall.rag.value, ""))
    summary.append(
        f"  {overall.total} milestones: {overall.done} done, {overall.green} green, "
        f"{overall.amber} amber, {overall.red} red ({overall.overdue} overdue)"
    )
    lines.append(summary)
    if week is not None:
        lines.append(Text(week.describe()))
    return lines
