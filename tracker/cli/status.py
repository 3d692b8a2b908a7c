"""``mou status``: where the programme stands, per theme and per institution."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tracker.cli.filters import InstitutionFilter, ThemeFilter
from tracker.cli.options import AsOf, Db, Format, OutputFormat, RecordedBy
from tracker.enums import ScopeKind
from tracker.services.status_rows import ARROWS, progress_fields, row_fields

if TYPE_CHECKING:
    from tracker.cli.render import Report, Section
    from tracker.services.kpis import KpiTable
    from tracker.services.raid import RaidSummary
    from tracker.services.status import ProgrammeStatus, ProgressTable
    from tracker.services.week import WeekSummary

app = typer.Typer()


# The scopes of one progress table; the themes-and-workstreams tree is --tree.
By = StrEnum(  # type: ignore[misc]
    "By", {scope.name: scope.value for scope in ScopeKind if scope is not ScopeKind.TREE}
)


@app.command("status", rich_help_panel="Reporting")
def status(
    by: Annotated[
        By | None,
        typer.Option(
            "--by", help="Show one table: per theme, institution, workstream or commitment."
        ),
    ] = None,
    theme: ThemeFilter = None,
    institution: InstitutionFilter = None,
    tree: Annotated[
        bool,
        typer.Option("--tree", help="Themes with their sub-themes and workstreams nested."),
    ] = False,
    as_of: AsOf = None,
    recorded_by: RecordedBy = None,
    compare_to: Annotated[
        str | None,
        typer.Option(
            "--compare-to",
            help="Compare the RAG with this moment: a quarter (its end, or its issued report) "
            "or a date. Default: the end of the previous quarter.",
            show_default=False,
            metavar="WHEN",
        ),
    ] = None,
    output: Format = OutputFormat.TABLE,
    db: Db = None,
) -> None:
    """Show progress per theme and per institution, with RAG, trend and the next milestone.

    Example: mou status --by workstream --as-of 2026-12-31
    """
    from tracker.cli.context import moment, reading, reading_rows
    from tracker.cli.render import emit
    from tracker.errors import UsageError
    from tracker.services.settings import reporting_scheme, tolerances
    from tracker.services.status import programme_status
    from tracker.services.week import week_summary

    if tree and by is not None:
        raise UsageError("--tree: shows themes and workstreams together; leave out --by")
    when = moment(recorded_by, as_of, db)
    kinds = [ScopeKind(by.value)] if by else [ScopeKind.THEME, ScopeKind.INSTITUTION]
    if tree:
        kinds = [ScopeKind.TREE]
    single = by is not None or tree
    # The live data is read on a Core connection: the page people open most never builds
    # the SQLModel classes. A moment in the past is rebuilt from the trail (tracker.services
    # .past), which needs them.
    opened = reading(db, when.recorded) if when.recorded else reading_rows(db)
    with opened as session:
        scheme = reporting_scheme(session=session)
        result = programme_status(
            session=session,
            as_of=when.as_of,
            tolerances=tolerances(session=session),
            by=kinds,
            theme=theme,
            institution=institution,
            compare=compared_with(session, compare_to, when.as_of, scheme),
        )
        # The whole programme's page also carries its risks, issues, KPIs, open actions and
        # the MoU's own dates; a page cut to one theme or institution does not.
        whole = not single and theme is None and institution is None
        raid, kpis = _raid_and_kpis(session, result.as_of) if whole else (None, None)
        week = week_summary(session=session, as_of=result.as_of) if whole else None
    emit(status_report(result, single=single, raid=raid, kpis=kpis, week=week), output)


def _raid_and_kpis(session: Any, as_of: Any) -> tuple[RaidSummary, KpiTable]:
    """Open risks by band and open issues, and the KPIs in the latest quarter ended by the
    as-of date."""
    from tracker.periods import last_ended_quarter
    from tracker.services.kpis import kpi_table
    from tracker.services.raid import raid_summary
    from tracker.services.settings import kpi_thresholds, reporting_scheme, risk_bands

    scheme = reporting_scheme(session=session)
    return raid_summary(session=session, bands=risk_bands(session=session)), kpi_table(
        session=session,
        period=last_ended_quarter(as_of, scheme),
        thresholds=kpi_thresholds(session=session),
        scheme=scheme,
    )


def compared_with(session: Any, text: str | None, as_of: Any, scheme: Any) -> Any:
    """``--compare-to``: a quarter label (its end, from its issued report where there is
    one) or a date; by default the end of the quarter before the as-of date's."""
    from tracker.cli.context import today
    from tracker.dates import parse_date
    from tracker.errors import InvalidInput, OutOfRange
    from tracker.fields import period_in_range
    from tracker.periods import parse_quarter, quarter_of
    from tracker.services.status import comparison

    if text is None:
        previous = quarter_of(as_of, scheme).previous()
        return comparison(session=session, date=previous.end, quarter=previous)
    try:
        quarter = parse_quarter(text, scheme=scheme, today=as_of)
    except InvalidInput:
        pass
    else:
        # A quarter's dates are business dates like any other (as report quarterly's are).
        period_in_range(quarter.label, quarter.start, quarter.end, "--compare-to")
        return comparison(session=session, date=quarter.end, quarter=quarter)
    try:
        day = parse_date(text, field="--compare-to", today=today(), scheme=scheme).value
    except OutOfRange:
        raise  # a date, but not one accepted: its own message says why
    except InvalidInput:
        raise InvalidInput(
            f"--compare-to: expected a quarter such as {quarter_of(as_of, scheme).label} or a "
            f"date such as 2026-09-30; got {text!r}"
        ) from None
    return comparison(session=session, date=day)


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
    ("rag_previous", "Before", "rag", 6),
    ("trend", "Trend", "ref", 7),
    ("at_risk", "At risk", "number", 1),
]


def status_report(
    result: ProgrammeStatus,
    *,
    single: bool,
    raid: RaidSummary | None = None,
    kpis: KpiTable | None = None,
    week: WeekSummary | None = None,
) -> Report:
    from tracker.cli.render import Column, Report, Section

    columns = [Column(key, header, kind, drop) for key, header, kind, drop in COLUMNS]  # type: ignore[arg-type]
    # The terminal shows the direction of travel as an arrow beside the RAG.
    named = {column.key: column for column in columns}
    terminal_columns = [
        *columns[:8],
        Column("pct_complete", "Complete", "bar"),
        Column("rag_trend", "RAG", "rag"),
        named["next_ref"],
        named["next_due"],
        named["at_risk"],
    ]
    sections = [_section(table, terminal_columns) for table in result.tables]
    flat = Section(
        "status",
        [Column("scope_type", "Scope type"), *columns],
        [
            {**row_fields(row), "scope_type": row.scope_type or table.by.value}
            for table in result.tables
            for row in table.rows
        ],
    )
    if single:
        document: Any = {
            "as_of": result.as_of,
            "by": result.tables[0].by.value,
            "rows": [row_fields(row, tree=True) for row in result.tables[0].rows],
        }
    else:
        document = {
            "as_of": result.as_of,
            "mou": result.mou,
            "overall": progress_fields(
                result.mou,
                result.title,
                result.overall,
                rag_previous=result.overall_previous,
                trend=result.overall_trend,
            ),
            "tables": {
                table.by.value: [row_fields(row) for row in table.rows] for table in result.tables
            },
            **(week.document() if week is not None else {}),
        }
    notes = [
        _compared_note(result),
        f"As of {result.as_of.isoformat()}. Slippage tolerances: green up to "
        f"{result.tolerances.green_days} days, red beyond {result.tolerances.red_days} days.",
    ]
    heading = [] if single else _heading(result, week)
    if raid is not None and kpis is not None:
        from dataclasses import asdict

        from tracker.cli.raid import JSON_KEYS, kpi_notes, kpi_section

        document["raid"] = asdict(raid)
        document["kpis"] = {
            "period": kpis.period.label,
            "rows": [{key: getattr(row, key) for key in JSON_KEYS} for row in kpis.rows],
        }
        if not raid.empty:
            heading.append(_raid_line(raid))
            notes.append(
                f"Risk bands: {raid.bands.describe()} (settings risk_red_score and "
                "risk_amber_score)."
            )
        if kpis.rows:
            sections.append(kpi_section(kpis, f"KPIs in {kpis.period.label}"))
            notes += kpi_notes(kpis)
    return Report(document=document, csv=flat, sections=sections, heading=heading, notes=notes)


def _raid_line(raid: RaidSummary) -> Any:
    """'Risks: 8 open (2 red, 4 amber, 2 green); issues: 3 open (1 high or critical)'."""
    from rich.text import Text

    from tracker.cli.render import RAG_STYLES
    from tracker.text import counted

    line = Text(f"Risks: {raid.risks_open} open (")
    for position, (count, band) in enumerate(
        ((raid.risks_red, "RED"), (raid.risks_amber, "AMBER"), (raid.risks_green, "GREEN"))
    ):
        line.append(", " if position else "")
        line.append(f"{count} {band.lower()}", style=RAG_STYLES[band] if count else "")
    line.append(f"); issues: {raid.issues_open} open")
    if raid.issues_open_high:
        line.append(f" ({raid.issues_open_high} high or critical)")
    if raid.assumptions_broken:
        line.append(f"; {counted(raid.assumptions_broken, 'assumption')} broken")
    return line


def _section(table: ProgressTable, columns: list[Any]) -> Section:
    from tracker.cli.render import Section

    title = (
        "Themes and workstreams" if table.by.value == "tree" else f"Progress by {table.by.value}"
    )
    return Section(
        title=title,
        columns=columns,
        rows=[_with_arrow(row_fields(row)) for row in table.rows],
        indent={index: row.depth for index, row in enumerate(table.rows) if row.depth},
    )


def _with_arrow(fields: dict[str, Any]) -> dict[str, Any]:
    return {**fields, "rag_trend": f"{fields['rag']} {ARROWS[fields['trend']]}"}


def _compared_note(result: ProgrammeStatus) -> str:
    compared = result.compared
    if compared is None:
        return ""
    source = f"as issued ({compared.issued})" if compared.issued else "from today's records"
    return (
        f"Trend: {ARROWS['up']} better, {ARROWS['down']} worse, {ARROWS['same']} the same, "
        f"than on {compared.date.isoformat()} ({source})."
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
    summary.append(f" {ARROWS[result.overall_trend]}")
    summary.append(
        f"  {overall.total} milestones: {overall.done} done, {overall.green} green, "
        f"{overall.amber} amber, {overall.red} red ({overall.overdue} overdue"
        + (f", {overall.at_risk} at risk from a dependency" if overall.at_risk else "")
        + ")"
    )
    lines.append(summary)
    if week is not None:
        lines.append(Text(week.describe()))
    return lines
