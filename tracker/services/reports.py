"""The quarterly report (docs/rules.md, "The quarterly report"), computed as plain data.

Counts are made by the database, once per (workstream, institution) cell, with the same SQL
expressions that mark each milestone row in ``milestones``; themes, institutions and the
programme are sums of cells, so every figure follows one definition. Everything here is read
through ``tracker.tables``, on a Core connection or an ORM session alike (a report of the
past is read on the session that rebuilt it), without the mapped classes. (Only the "what
changed" section, ``tracker.services.changes``, builds them: to rebuild the previous quarter,
when the audit trail reaches back to it.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from enum import Enum
from functools import cached_property
from typing import Any, Generic, TypeVar

import sqlalchemy as sa

from tracker import tables
from tracker.db import Reader
from tracker.enums import ActionStatus, IssueStatus, MilestoneStatus, RiskStatus, ScopeKind
from tracker.fields import plain
from tracker.kinds import VISITS
from tracker.periods import Quarter
from tracker.scoring import KpiThresholds, RiskBands
from tracker.services import actions as action_rules
from tracker.services.commentary import commentary
from tracker.services.dependencies import KnockOn, at_risk, describe, knock_ons
from tracker.services.kpis import KpiRow, kpi_table
from tracker.services.lookup import current_mou
from tracker.services.milestone_rows import MilestoneFacts, milestone_facts, milestone_select
from tracker.services.rag import (
    Tolerances,
    days_between,
    effective_date,
    is_done,
    rag_expression,
)
from tracker.services.raid import IssueLine, RiskLine, issue_lines, risk_lines
from tracker.services.records import RecordReader
from tracker.services.status import (
    ProgressTable,
    comparison,
    programme_status,
    subtree,
    theme_children,
)
from tracker.services.status_rows import row_fields
from tracker.services.trail_values import loads

METRICS = (
    "due_in_period",
    "achieved_in_period",
    "achieved_on_time",
    "achieved_late",
    "missed_in_period",
    "overdue_at_period_end",
    "forecast_next_period",
)
# Counted per cell beside the metrics, for pct_on_time and the quarter's remaining weeks.
COUNTED = (*METRICS, "due_rest_of_period", "judged", "judged_on_time")


@dataclass(frozen=True)
class SummaryRow:
    scope_type: str  # theme | institution | programme
    scope: str
    due_in_period: int
    achieved_in_period: int
    achieved_on_time: int
    achieved_late: int
    missed_in_period: int
    overdue_at_period_end: int
    forecast_next_period: int
    pct_on_time: float | None
    due_rest_of_period: int


@dataclass(frozen=True)
class MilestoneLine(MilestoneFacts):
    """A row of milestones.csv: the facts, then what the quarter made of the milestone."""

    due_in_period: bool
    achieved_in_period: bool
    on_time: bool
    missed: bool
    at_risk_from: str | None = None  # predecessors that finish after it is due, as of A
    # The RAG a person reported beside the derived one, and why (the board reads the reason).
    reported_rag: str | None = None
    reported_rag_reason: str | None = None


@dataclass(frozen=True)
class ExceptionLine(MilestoneFacts):
    """A milestone the board pack puts first: open at A and red (derived or reported), or at
    risk from a milestone it depends on, whatever quarter it falls in."""

    overdue: bool
    days_overdue: int | None
    reported_rag: str | None
    reported_rag_reason: str | None
    at_risk_from: str | None


@dataclass(frozen=True)
class VisitLine:
    ref: str
    title: str
    kind: str
    date: dt.date
    end: dt.date | None
    status: str
    host: str
    sites: str
    attendees: str
    themes: str
    purpose: str | None
    outcomes: str | None
    open_actions: str


T = TypeVar("T")


class Lines(Generic[T]):
    """A section's lines, read from the database each time they are iterated, while the
    session that made the report is open. A large programme's report lists tens of thousands
    of milestones: written out as they are read, they are never all held at once."""

    def __init__(self, read: Callable[[], Iterator[T]]) -> None:
        self._read = read

    def __iter__(self) -> Iterator[T]:
        return self._read()


def _no_lines() -> Lines[Any]:
    return Lines(lambda: iter(()))


@dataclass
class QuarterlyReport:
    mou: str
    title: str
    quarter: Quarter
    as_of: dt.date
    tolerances: Tolerances
    summary: dict[str, Any]
    milestone_summary: list[SummaryRow]
    milestones: Lines[MilestoneLine]
    theme_progress: ProgressTable
    institution_progress: ProgressTable
    visits: list[VisitLine] = field(default_factory=list)
    risks: list[RiskLine] = field(default_factory=list)
    issues: list[IssueLine] = field(default_factory=list)
    kpis: list[KpiRow] = field(default_factory=list)
    bands: RiskBands = field(default_factory=RiskBands)
    thresholds: KpiThresholds = field(default_factory=KpiThresholds)
    actions: list[action_rules.ActionRow] = field(default_factory=list)
    exceptions: Lines[ExceptionLine] = field(default_factory=_no_lines)
    commentary: list[dict[str, Any]] = field(default_factory=list)
    delivery: list[dict[str, Any]] = field(default_factory=list)
    mou_facts: dict[str, Any] = field(default_factory=dict)


# How many quarters the delivery trend covers, the report's own last.
TREND_QUARTERS = 6


class _Definitions:
    """The report's definitions (docs/rules.md, "The quarterly report") as SQL conditions over
    one milestone, for the period [S, E] as of A.

    A completion counts only if it happened on or before A, so a past quarter regenerated
    later, as of its own end, reads as it did then. A quarter reported *to date* (A before E,
    a quarter not yet started included) is judged at A: its remaining weeks have not passed.
    The as-of day itself is not over, so only milestones due before A can have been missed.
    """

    def __init__(self, quarter: Quarter, as_of: dt.date, tolerances: Tolerances) -> None:
        m = tables.milestone.c
        start, end = quarter.start, quarter.end
        self.to_date = as_of < end
        cutoff = as_of if self.to_date else end
        try:
            upcoming: Quarter | None = quarter.next()
        except ValueError:  # the last quarter the calendar holds: there is no next one
            upcoming = None
        completed, due = m.completed, m.due
        known = sa.and_(completed.is_not(None), completed <= as_of)
        done = sa.and_(known, completed <= cutoff)
        on_time = days_between(completed, m.due) <= tolerances.green_days
        due_in = due.between(start, end)
        # Those that could have been missed, and the denominator of pct_on_time: the whole
        # quarter once it has ended; to date, those due before the as-of day.
        judged = sa.and_(due >= start, due < as_of) if self.to_date else due_in
        achieved_in = sa.and_(known, completed.between(start, end))
        effective = effective_date()
        self.conditions: dict[str, Any] = {
            "due_in_period": due_in,
            "achieved_in_period": achieved_in,
            "achieved_on_time": sa.and_(achieved_in, on_time),
            "achieved_late": sa.and_(achieved_in, sa.not_(on_time)),
            "missed_in_period": sa.and_(judged, sa.not_(done)),
            "overdue_at_period_end": sa.and_(sa.not_(done), effective < cutoff),
            "forecast_next_period": sa.and_(
                sa.not_(done), effective.between(upcoming.start, upcoming.end)
            )
            if upcoming
            else sa.false(),
            "due_rest_of_period": sa.and_(due.between(max(start, as_of), end), sa.not_(done))
            if self.to_date
            else sa.false(),
            # pct_on_time: those judged, and of them those done by the cut-off within tolerance.
            "judged": judged,
            "judged_on_time": sa.and_(judged, done, on_time),
        }
        self.in_report = sa.or_(
            due_in,
            m.forecast.between(start, end),
            achieved_in,
            self.conditions["overdue_at_period_end"],
        )

    def flag(self, name: str) -> Any:
        return sa.case((self.conditions[name], 1), else_=0)


# The sections of a report, in order: each is a file of the report folder (name.csv) and a key
# of its JSON document.
SECTIONS = (
    "summary",
    "milestone_summary",
    "milestones",
    "theme_progress",
    "institution_progress",
    "visits",
    "actions",
    "risks",
    "issues",
    "kpis",
    "changes",
    "milestone_exceptions",
    "commentary",
    "delivery_by_quarter",
)
# Keys of the document that are not tables (no file of their own): the MoU, its parties and
# its lifecycle dates, which head the board pack.
FACTS = ("mou",)


def report_document(
    report: QuarterlyReport, changes: list[dict[str, Any]] | None = None, *, lazy: bool = False
) -> dict[str, Any]:
    """The report as one JSON-ready document (dates as ISO text): what `--format json`
    prints, what the files are written from, and what an issued report keeps. ``changes``
    are the rows of the "what changed since the last board" section.

    ``lazy``: the milestone and exception rows are ``Lines``, read as the document is written
    out (which must then happen while the report's session is open); otherwise lists."""
    document: dict[str, Any] = {
        "summary": jsonable(report.summary),
        "milestone_summary": [_row(row) for row in report.milestone_summary],
        "milestones": _rows(report.milestones, lazy=lazy),
        "theme_progress": [jsonable(row_fields(row)) for row in report.theme_progress.rows],
        "institution_progress": [
            jsonable(row_fields(row)) for row in report.institution_progress.rows
        ],
        "visits": [_row(line) for line in report.visits],
        "actions": [_row(row) for row in report.actions],
        "risks": [_row(line) for line in report.risks],
        "issues": [_row(line) for line in report.issues],
        "kpis": [jsonable(_kpi_fields(row, report.quarter.label)) for row in report.kpis],
        "changes": jsonable(changes or []),
        "milestone_exceptions": _rows(report.exceptions, lazy=lazy),
        "commentary": jsonable(report.commentary),
        "delivery_by_quarter": jsonable(report.delivery),
        "mou": jsonable(report.mou_facts),
    }
    return document


def _rows(lines: Iterable[Any], *, lazy: bool) -> list[dict[str, Any]] | Lines[dict[str, Any]]:
    if lazy:
        return Lines(lambda: map(_row, lines))
    return [_row(line) for line in lines]


def _row(line: Any) -> dict[str, Any]:
    """One line of a section (a dataclass of plain values) as a JSON-ready row, in its
    fields' order. Cheaper than ``dataclasses.asdict``, which copies every value deeply: a
    report of a large programme has tens of thousands of lines."""
    row = dict(vars(line))
    for key, value in row.items():
        kind = type(value)
        if kind is dt.date:  # the commonest of the rest: three to a milestone
            row[key] = value.isoformat()
        elif kind not in _JSON_AS_IS:  # most values are; the rest go through jsonable
            row[key] = jsonable(value)
    return row


_JSON_AS_IS = frozenset({str, int, float, bool, type(None)})


_KPI_COLUMNS = (
    "ref", "name", "unit", "direction", "cumulative", "theme", "institution", "baseline",
    "period", "target", "actual", "attainment_pct", "rag", "note",
)  # fmt: skip


def _kpi_fields(row: KpiRow, period: str) -> dict[str, Any]:
    """A KPI's line in the report: its figures for the report's quarter."""
    fields = asdict(row) | {"period": period}
    return {column: fields.get(column) for column in _KPI_COLUMNS}


def jsonable(value: Any) -> Any:
    """Plain JSON values: dates as ISO text, vocabulary members as their text."""
    if isinstance(value, Enum):
        return value.value
    if value is None or isinstance(value, (str, int, float)):
        return value
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return plain(value)


def quarterly_report(
    *,
    session: Reader,
    quarter: Quarter,
    as_of: dt.date,
    tolerances: Tolerances,
    bands: RiskBands | None = None,
    thresholds: KpiThresholds | None = None,
) -> QuarterlyReport:
    bands = bands or RiskBands()
    thresholds = thresholds or KpiThresholds()
    mou = current_mou(session=session)
    mou_id = mou.id
    definitions = _Definitions(quarter, as_of, tolerances)
    cells = _count_cells(session, mou_id, definitions)
    # The trend compares with the previous quarter: as issued, or as of its end.
    try:
        previous: Quarter | None = quarter.previous()
    except ValueError:  # the first quarter the calendar holds
        previous = None
    status = programme_status(
        session=session,
        as_of=as_of,
        tolerances=tolerances,
        by=[ScopeKind.THEME, ScopeKind.INSTITUTION],
        compare=comparison(session=session, date=previous.end, quarter=previous)
        if previous
        else None,
    )
    summary_rows = _summary_rows(session, mou_id, cells, status)
    known = _KnownThen(session, as_of)
    programme = summary_rows[-1]
    overall = status.overall
    summary = {
        "programme": mou.ref,
        "period": quarter.label,
        "scheme": quarter.scheme.value,
        "start": quarter.start,
        "end": quarter.end,
        "as_of": as_of,
        "to_date": definitions.to_date,
        "rag": overall.rag.value,
        "total": overall.total,
        "done": overall.done,
        "green": overall.green,
        "amber": overall.amber,
        "red": overall.red,
        "overdue": overall.overdue,
        **{name: getattr(programme, name) for name in METRICS},
        "pct_on_time": programme.pct_on_time,
        "due_rest_of_period": programme.due_rest_of_period,
        "green_tol_days": tolerances.green_days,
        "red_tol_days": tolerances.red_days,
        "rag_previous": status.overall_previous,
        "trend": status.overall_trend,
    }
    risks = risk_lines(session=session, bands=bands, period_start=quarter.start, as_of=as_of)
    issues = issue_lines(session=session, period_start=quarter.start, as_of=as_of)
    kpis = kpi_table(
        session=session, period=quarter, thresholds=thresholds, scheme=quarter.scheme
    ).rows
    open_risks = [line for line in risks if line.status == RiskStatus.OPEN]
    summary |= {
        "at_risk": overall.at_risk,
        "risks_open": len(open_risks),
        **{
            f"risks_{band.lower()}": sum(1 for line in open_risks if line.band == band)
            for band in ("RED", "AMBER", "GREEN")
        },
        "issues_open": sum(1 for line in issues if line.status == IssueStatus.OPEN),
        **{
            f"kpis_{rag.lower()}": sum(1 for row in kpis if row.rag == rag)
            for rag in ("GREEN", "AMBER", "RED")
        },
        "risk_red_score": bands.red,
        "risk_amber_score": bands.amber,
        "kpi_green_pct": thresholds.green,
        "kpi_amber_pct": thresholds.amber,
    }
    return QuarterlyReport(
        mou=mou.ref,
        title=mou.title,
        quarter=quarter,
        as_of=as_of,
        tolerances=tolerances,
        summary=summary,
        milestone_summary=summary_rows,
        milestones=Lines(lambda: _milestone_lines(known, mou_id, definitions, tolerances)),
        theme_progress=status.tables[0],
        institution_progress=status.tables[1],
        visits=_visit_lines(session, mou_id, quarter),
        risks=risks,
        issues=issues,
        kpis=kpis,
        bands=bands,
        thresholds=thresholds,
        actions=_action_lines(session, mou_id, quarter, as_of),
        exceptions=Lines(lambda: _exception_lines(known, mou_id, tolerances)),
        commentary=commentary(session=session, quarter=quarter),
        delivery=_delivery(session, mou_id, quarter, as_of, tolerances),
        mou_facts=_mou_facts(session, mou, status, quarter, as_of),
    )


def _delivery(
    session: Reader, mou_id: int, quarter: Quarter, as_of: dt.date, tolerances: Tolerances
) -> list[dict[str, Any]]:
    """The programme's delivery in the last ``TREND_QUARTERS`` quarters, the report's last:
    each counted as the report counts its own quarter, as of that quarter's end (or the
    report's as-of date, when earlier), so a quarter reads the same in every later report."""
    quarters = [quarter]
    while len(quarters) < TREND_QUARTERS:
        try:
            quarters.insert(0, quarters[0].previous())
        except ValueError:  # the first quarter the calendar holds
            break
    rows = []
    definitions = [_Definitions(each, min(each.end, as_of), tolerances) for each in quarters]
    span = (quarters[0].start, quarters[-1].end)
    counts = _count_totals(session, mou_id, definitions, span)
    for each, counted in zip(quarters, counts, strict=True):
        when = min(each.end, as_of)
        totals = _summary_row("programme", each.label, counted)
        rows.append(
            {
                "period": each.label,
                "start": each.start,
                "end": each.end,
                "as_of": when,
                "due_in_period": totals.due_in_period,
                "achieved_in_period": totals.achieved_in_period,
                "achieved_on_time": totals.achieved_on_time,
                "achieved_late": totals.achieved_late,
                "missed_in_period": totals.missed_in_period,
                "pct_on_time": totals.pct_on_time,
            }
        )
    return rows


# The MoU's dates the board pack looks ahead to: those in the quarter after the report's and
# the one after that (and any passed and not dealt with).
LOOK_AHEAD_QUARTERS = 2


def _mou_facts(
    session: Reader, mou: Any, status: Any, quarter: Quarter, as_of: dt.date
) -> dict[str, Any]:
    """What heads the board pack: the MoU, its parties, where it stands in its life and its
    dates coming up, and the theme tree (to indent sub-themes under their themes)."""
    from tracker.services import lifecycle
    from tracker.services.lifecycle import mou_dates

    horizon = quarter
    for _ in range(LOOK_AHEAD_QUARTERS):
        try:
            horizon = horizon.next()
        except ValueError:  # the last quarter the calendar holds
            break
    dates = mou_dates(mou)
    events = [
        {
            "event": event.event.value,
            "title": event.title,
            "date": event.date,
            "overdue": event.overdue,
            "days": event.days,
        }
        for event in lifecycle.events(dates, as_of)
        if event.overdue or event.date <= horizon.end
    ]
    theme = tables.theme.c
    themes = session.execute(
        sa.select(theme.id, theme.ref, theme.parent_id)
        .where(theme.mou_id == mou.id)
        .order_by(theme.ref)
    ).all()
    theme_refs = {theme.id: theme.ref for theme in themes}
    return {
        "ref": mou.ref,
        "title": mou.title,
        "status": mou.status.value,
        "stage": lifecycle.stage(dates, as_of),
        "signed": mou.signed,
        "effective": mou.effective,
        "expires": mou.expires,
        "review": mou.review,
        "parties": [asdict(party) for party in status.parties],
        "lifecycle": events,
        "look_ahead_to": horizon.end,
        "themes": [
            {"ref": theme.ref, "parent": theme_refs.get(theme.parent_id)} for theme in themes
        ],
    }


Cell = tuple[int, int]


def _count_cells(
    session: Reader, mou_id: int, definitions: _Definitions
) -> dict[Cell, dict[str, int]]:
    m, workstream = tables.milestone.c, tables.workstream.c
    names = list(COUNTED)
    stmt: Any = (
        sa.select(
            m.workstream_id,
            m.institution_id,
            *(sa.func.sum(definitions.flag(name)).label(name) for name in names),
        )
        .join(tables.workstream, workstream.id == m.workstream_id)
        .where(workstream.mou_id == mou_id, m.status != MilestoneStatus.CANCELLED)
        .group_by(m.workstream_id, m.institution_id)
    )
    return {
        (row[0], row[1]): {
            name: int(value or 0) for name, value in zip(names, row[2:], strict=True)
        }
        for row in session.execute(stmt)
    }


# What the delivery trend shows of each quarter: all of it due or achieved in the quarter.
DELIVERY_COUNTS = (
    "due_in_period", "achieved_in_period", "achieved_on_time", "achieved_late",
    "missed_in_period", "judged", "judged_on_time",
)  # fmt: skip


def _count_totals(
    session: Reader, mou_id: int, periods: list[_Definitions], span: tuple[dt.date, dt.date]
) -> list[dict[str, int]]:
    """The programme's delivery counts in several periods, counted as ``_count_cells`` counts
    them, in one pass over the milestones due or completed in ``span`` (the periods' whole
    span: every one of these counts needs one or the other) rather than a pass per period."""
    m, workstream = tables.milestone.c, tables.workstream.c
    names = list(DELIVERY_COUNTS)
    stmt: Any = (
        sa.select(
            *(
                sa.func.sum(definitions.flag(name)).label(f"p{number}_{name}")
                for number, definitions in enumerate(periods)
                for name in names
            )
        )
        .select_from(tables.milestone)
        .join(tables.workstream, workstream.id == m.workstream_id)
        .where(
            workstream.mou_id == mou_id,
            m.status != MilestoneStatus.CANCELLED,
            sa.or_(m.due.between(*span), m.completed.between(*span)),
        )
    )
    row = list(session.execute(stmt).one())
    return [
        dict(zip(names, (int(value or 0) for value in row[at : at + len(names)]), strict=True))
        for at in range(0, len(row), len(names))
    ]


def _summary_row(scope_type: str, scope: str, totals: dict[str, int]) -> SummaryRow:
    judged = totals.get("judged", 0)
    on_time = totals.get("judged_on_time", 0)
    return SummaryRow(
        scope_type=scope_type,
        scope=scope,
        **{name: totals.get(name, 0) for name in METRICS},
        pct_on_time=round(100 * on_time / judged, 1) if judged else None,
        due_rest_of_period=totals.get("due_rest_of_period", 0),
    )


def _add(cells: list[dict[str, int]]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for cell in cells:
        for name, value in cell.items():
            totals[name] = totals.get(name, 0) + value
    return totals


def _summary_rows(
    session: Reader, mou_id: int, cells: dict[Cell, dict[str, int]], status: Any
) -> list[SummaryRow]:
    workstream, theme, institution = tables.workstream.c, tables.theme.c, tables.institution.c
    theme_of = dict(
        session.execute(
            sa.select(workstream.id, workstream.theme_id).where(workstream.mou_id == mou_id)
        ).all()
    )
    theme_ids: dict[str, int] = dict(
        session.execute(sa.select(theme.ref, theme.id).where(theme.mou_id == mou_id)).all()
    )
    institution_ids: dict[str, int] = dict(
        session.execute(sa.select(institution.ref, institution.id)).all()
    )
    # The cells added up once per theme (its workstreams' own) and per institution, then
    # each theme's subtree from those: a large programme has thousands of cells.
    by_theme: dict[int | None, list[dict[str, int]]] = {}
    by_institution: dict[int, list[dict[str, int]]] = {}
    for (workstream_id, institution_id), counted in cells.items():
        by_theme.setdefault(theme_of.get(workstream_id), []).append(counted)
        by_institution.setdefault(institution_id, []).append(counted)
    theme_totals = {theme_id: _add(parts) for theme_id, parts in by_theme.items()}
    children = theme_children(session)
    rows = []
    for row in status.tables[0].rows:  # themes, in tree order
        under = subtree(children, theme_ids[row.scope])
        totals = _add([theme_totals[each] for each in under if each in theme_totals])
        rows.append(_summary_row("theme", row.scope, totals))
    for row in status.tables[1].rows:  # institutions: parties and owners
        totals = _add(by_institution.get(institution_ids[row.scope], []))
        rows.append(_summary_row("institution", row.scope, totals))
    rows.append(_summary_row("programme", status.mou, _add(list(cells.values()))))
    return rows


def _milestone_lines(
    known: _KnownThen, mou_id: int, definitions: _Definitions, tolerances: Tolerances
) -> Iterator[MilestoneLine]:
    m, as_of = tables.milestone.c, known.as_of
    flags = ("due_in_period", "achieved_in_period", "achieved_on_time", "missed_in_period")
    stmt = (
        milestone_select(
            mou_id,
            rag_expression(as_of, tolerances),
            *(definitions.flag(name).label(name) for name in flags),
        )
        .where(m.status != MilestoneStatus.CANCELLED, definitions.in_report)
        .order_by(m.due, m.ref)
    )
    for row, facts, at_risk_from in known.lines(stmt):
        yield MilestoneLine(
            **facts,
            due_in_period=bool(row.due_in_period),
            achieved_in_period=bool(row.achieved_in_period),
            on_time=bool(row.achieved_on_time),
            missed=bool(row.missed_in_period),
            at_risk_from=at_risk_from,
            reported_rag=row.reported_rag.value if row.reported_rag else None,
            reported_rag_reason=row.reported_rag_reason,
        )


# How many rows a section's query hands over at a time: the lines are written as they are
# read, so a report's memory does not grow with the programme.
_BATCH = 1_000


class _KnownThen:
    """Milestone rows (of a ``milestone_select``) with their facts as known at A, and what
    each is at risk from. As of A a later completion is not known yet, and the status shown is
    the one the milestone had before it was completed.

    What a line needs beyond its own row (the statuses of those done after A, the knock-ons
    of those at risk: few) is read once, by the first section read, and shared by both
    sections; their rows are read and yielded a batch at a time."""

    def __init__(self, session: Reader, as_of: dt.date) -> None:
        self.session = session
        self.as_of = as_of

    @cached_property
    def _earlier(self) -> dict[str, str]:
        m = tables.milestone.c
        done_later = sa.select(m.ref).where(
            m.status == MilestoneStatus.DONE, m.completed > self.as_of
        )
        return _statuses_before_completion(self.session, "milestones", done_later)

    @cached_property
    def _flagged(self) -> dict[int, list[KnockOn]]:
        return knock_ons(self.session, None, self.as_of)

    def lines(self, stmt: Any) -> Iterator[tuple[Any, dict[str, Any], str | None]]:
        as_of, earlier, flagged = self.as_of, self._earlier, self._flagged
        for row in self.session.execute(stmt.execution_options(yield_per=_BATCH)):
            facts = milestone_facts(row, as_of)
            if row.completed is not None and row.completed > as_of:
                facts["completed"] = None
                if row.status is MilestoneStatus.DONE:
                    facts["status"] = earlier.get(row.ref, MilestoneStatus.IN_PROGRESS.value)
            risk = describe(flagged[row.id]) if row.id in flagged else None
            yield row, facts, risk


def _exception_lines(
    known: _KnownThen, mou_id: int, tolerances: Tolerances
) -> Iterator[ExceptionLine]:
    """Every milestone open at A that is RED (derived or reported) or at risk from one it
    depends on: the exceptions a board reads first, whatever quarter they fall in."""
    m, as_of = tables.milestone.c, known.as_of
    rag = rag_expression(as_of, tolerances)
    stmt = (
        milestone_select(mou_id, rag)
        .where(
            m.status != MilestoneStatus.CANCELLED,
            sa.not_(is_done(as_of)),
            sa.or_(rag == "RED", m.reported_rag == "RED", at_risk(as_of)),
        )
        .order_by(m.due, m.ref)
    )
    for row, facts, at_risk_from in known.lines(stmt):  # open at A
        effective = row.forecast or row.due
        late = (as_of - effective).days if effective < as_of else None
        yield ExceptionLine(
            **facts,
            overdue=late is not None,
            days_overdue=late,
            reported_rag=row.reported_rag.value if row.reported_rag else None,
            reported_rag_reason=row.reported_rag_reason,
            at_risk_from=at_risk_from,
        )


def _statuses_before_completion(
    session: Reader, kind: str, refs: list[str] | sa.Select[Any]
) -> dict[str, str]:
    """For these records (milestones, actions) done after the as-of date, by ref: the status
    each had before it was set to done, read from the audit trail (the last status change
    that was not to done)."""
    if isinstance(refs, list) and not refs:
        return {}
    e = tables.audit_entry.c
    rows = session.execute(
        sa.select(e.ref, e.old, e.new)
        .where(e.kind == kind, e.ref.in_(refs), e.action != "base")
        .order_by(e.id)
    ).all()
    before: dict[str, str] = {}
    for ref, old_text, new_text in rows:
        old, new = loads(old_text) or {}, loads(new_text) or {}
        status = new.get("status")
        if status == "done" and old.get("status") is not None:
            before[ref] = old["status"]
        elif status is not None and status != "done":
            before[ref] = status
    return before


def _visit_lines(session: Reader, mou_id: int, quarter: Quarter) -> list[VisitLine]:
    visit, action = tables.visit.c, tables.action.c
    visits = session.execute(
        sa.select(tables.visit)
        .where(
            visit.mou_id == mou_id,
            visit.start_date <= quarter.end,
            sa.func.coalesce(visit.end_date, visit.start_date) >= quarter.start,
        )
        .order_by(visit.start_date, visit.ref)
    ).all()
    records = RecordReader(session, mou_id=mou_id).records_of(VISITS, list(visits))
    open_actions: dict[int, list[Any]] = {}
    if visits:
        for row in session.execute(
            sa.select(action.visit_id, action.ref, action.text, action.due)
            .where(
                action.visit_id.in_([each.id for each in visits]),
                action.status.in_([ActionStatus.OPEN, ActionStatus.IN_PROGRESS]),
            )
            .order_by(action.ref)
        ):
            open_actions.setdefault(row.visit_id, []).append(row)
    return [
        VisitLine(
            ref=each.ref,
            title=each.title,
            kind=each.kind.value,
            date=each.start_date,
            end=each.end_date,
            status=each.status.value,
            host=record["host"],
            sites="; ".join(record["sites"]),
            attendees="; ".join(f"{person} ({role.value})" for person, role in record["attendees"]),
            themes="; ".join(record["themes"]),
            purpose=each.purpose,
            outcomes=each.outcomes,
            open_actions="; ".join(
                f"{found.ref}: {found.text}"
                + (f" (due {found.due.isoformat()})" if found.due else "")
                for found in open_actions.get(each.id, [])
            ),
        )
        for each, record in zip(visits, records, strict=True)
    ]


def _action_lines(
    session: Reader, mou_id: int, quarter: Quarter, as_of: dt.date
) -> list[action_rules.ActionRow]:
    """Every action open at the as-of date, or closed (done) in the quarter by then, whatever
    visit or meeting it came from. A completion after the as-of date is not known yet: such an
    action shows the status it had before, and counts as open."""
    completed = tables.action.c.completed
    closed_in = sa.and_(
        completed.is_not(None), completed.between(quarter.start, min(quarter.end, as_of))
    )
    stmt = action_rules.action_select(mou_id, as_of).where(
        sa.or_(action_rules.is_open(as_of), closed_in)
    )
    rows = list(session.execute(stmt))
    done_later = [
        row.ref
        for row in rows
        if row.status == ActionStatus.DONE and row.completed is not None and row.completed > as_of
    ]
    earlier = _statuses_before_completion(session, "actions", done_later)
    lines = []
    for row in rows:
        line = action_rules.action_row(row, as_of)
        if row.completed is not None and row.completed > as_of:
            status = earlier.get(row.ref, ActionStatus.OPEN.value)
            line = replace(line, completed=None, status=status)
        lines.append(line)
    return sorted(lines, key=action_rules.by_due_date)
