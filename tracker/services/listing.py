"""Looking records up: lists with filters, and everything about one record."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker import models, tables
from tracker.enums import MilestoneStatus, Rag
from tracker.errors import InvalidInput, NotFound, UsageError
from tracker.kinds import BY_TABLE, KINDS, MILESTONES, KindSpec
from tracker.services.dependencies import at_risk, describe, knock_ons
from tracker.services.lookup import by_ref, current_mou, missing, suggest_any
from tracker.services.milestone_rows import MilestoneFacts, milestone_facts, milestone_select
from tracker.services.rag import (
    Tolerances,
    effective_date,
    is_done,
    milestone_rag,
    rag_expression,
    slippage_days,
)
from tracker.services.references import Reference, references_to
from tracker.services.settings import stored_settings
from tracker.services.status import theme_subtree
from tracker.services.store import RecordStore
from tracker.text import clean_ref


@dataclass(frozen=True)
class MilestoneFilter:
    theme: str | None = None
    institution: str | None = None
    workstream: str | None = None
    owner: str | None = None
    status: MilestoneStatus | None = None
    rag: Rag | None = None
    overdue: bool = False
    at_risk: bool = False  # open, and at risk from a predecessor it depends on
    due_before: dt.date | None = None
    due_after: dt.date | None = None


@dataclass(frozen=True)
class MilestoneRow(MilestoneFacts):
    reported_rag: str | None
    at_risk_from: str | None = None  # 'MS-03 (2026-12-24)': predecessors that finish later


def list_milestones(
    *, session: Session, as_of: dt.date, tolerances: Tolerances, filters: MilestoneFilter
) -> list[MilestoneRow]:
    """Milestones with their derived RAG as of a date, filtered in the database."""
    rag = rag_expression(as_of, tolerances)
    stmt = milestone_select(current_mou(session=session).id, rag)
    m = tables.milestone.c
    if filters.theme is not None:
        theme = by_ref("themes", filters.theme, session=session, field="--theme")
        stmt = stmt.where(tables.workstream.c.theme_id.in_(theme_subtree(session, theme.id)))
    if filters.institution is not None:
        found = by_ref("institutions", filters.institution, session=session, field="--institution")
        stmt = stmt.where(m.institution_id == found.id)
    if filters.workstream is not None:
        ws = by_ref("workstreams", filters.workstream, session=session, field="--workstream")
        stmt = stmt.where(m.workstream_id == ws.id)
    if filters.owner is not None:
        person = by_ref("people", filters.owner, session=session, field="--owner")
        stmt = stmt.where(m.owner_id == person.id)
    if filters.status is not None:
        stmt = stmt.where(m.status == filters.status)
    if filters.rag is not None:
        stmt = stmt.where(rag == filters.rag.value)
    if filters.overdue:
        stmt = stmt.where(
            m.status != MilestoneStatus.CANCELLED,
            sa.not_(is_done(as_of)),
            effective_date() < as_of,
        )
    if filters.at_risk:
        stmt = stmt.where(at_risk(as_of))
    if filters.due_before is not None:
        stmt = stmt.where(m.due < filters.due_before)
    if filters.due_after is not None:
        stmt = stmt.where(m.due > filters.due_after)
    stmt = stmt.order_by(m.due, m.ref)
    rows = list(session.execute(stmt))
    flagged = knock_ons(session, [row.id for row in rows], as_of)
    return [
        MilestoneRow(
            **milestone_facts(row, as_of),
            reported_rag=row.reported_rag.value if row.reported_rag else None,
            at_risk_from=describe(flagged[row.id]) if row.id in flagged else None,
        )
        for row in rows
    ]


def list_records(kind: KindSpec, *, session: Session) -> list[tuple[str, dict[str, Any]]]:
    """Every record of a kind that belongs to the MoU (all, for shared kinds), by key, in its
    outside form."""
    mou_id = current_mou(session=session).id if kind.scope.value != "shared" else None
    store = RecordStore(session, mou_id=mou_id)
    return sorted(store.mou_records(kind).items())


@dataclass(frozen=True)
class FollowUp:
    """A record that follows up the one shown (an action of a visit), with its state."""

    key: str
    fields: dict[str, Any]
    days_overdue: int | None  # None: not overdue, or the kind has no due dates


@dataclass
class RecordDetail:
    """Everything about one record: its fields, who points at it, the records that follow it
    up with their state, and for a milestone its derived and reported RAG."""

    kind: KindSpec
    key: str
    fields: dict[str, Any]
    referenced_by: list[Reference]
    rag: dict[str, Any] = field(default_factory=dict)
    derived: dict[str, Any] = field(default_factory=dict)  # a risk's score and band
    # Per following kind (its table), and the field through which each follows this record.
    follow_ups: dict[str, list[FollowUp]] = field(default_factory=dict)
    # For a theme, workstream or institution: its progress row (RAG, trend, counts) and its
    # milestones; for the MoU, the programme's (``KindSpec.progress``).
    progress: dict[str, Any] | None = None
    milestones: list[MilestoneRow] = field(default_factory=list)
    # For the MoU: its parties, where it stands in its life and its dates to come.
    programme: dict[str, Any] | None = None
    rag_as_of: dt.date = dt.date.min  # the date RAG and counts are worked out as of


def find_kinds(ref: str, *, session: Session) -> list[KindSpec]:
    """The kinds that have a record with this ref (refs are unique per kind only)."""
    key = clean_ref(ref)
    store = RecordStore(session)
    return [
        kind
        for kind in BY_TABLE.values()
        if kind.has_ref and store.id_of(kind.table, key) is not None
    ]


def record_detail(
    ref: str,
    *,
    session: Session,
    as_of: dt.date,
    tolerances: Tolerances,
    kind: KindSpec | None = None,
) -> RecordDetail:
    key = clean_ref(ref)
    if kind is None:
        matches = find_kinds(key, session=session)
        if not matches:
            hint = suggest_any(key, session=session)
            raise NotFound(
                f"ref: no record has the ref {key!r}" + (f"; did you mean {hint}?" if hint else "")
            )
        if len(matches) > 1:
            names = " and ".join(f"{match.article} {match.noun}" for match in matches)
            raise InvalidInput(f"ref: {key} names {names}; choose one with --kind")
        kind = matches[0]
    store = RecordStore(session, mou_id=current_mou(session=session).id if kind.in_mou else None)
    row = store.find(kind, key)
    if row is None:
        raise missing(kind, key, session=session)
    fields = store.record_of(kind, row)
    detail = RecordDetail(
        kind=kind,
        key=key,
        fields=fields,
        referenced_by=[
            item for item in references_to(kind, row.id, session=session) if not item.internal
        ],
        derived=kind.derive(fields, stored_settings(session=session)),
        follow_ups=_follow_ups(kind, row.id, store, as_of),
    )
    detail.rag_as_of = as_of
    if kind.progress is not None:
        _add_progress(detail, row, session=session, as_of=as_of, tolerances=tolerances)
    if kind is MILESTONES:
        derived = milestone_rag(
            status=row.status,
            due=row.due,
            forecast=row.forecast,
            completed=row.completed,
            as_of=as_of,
            tolerances=tolerances,
        )
        detail.rag = {
            "as_of": as_of,
            "derived": derived.value,
            "reported": row.reported_rag.value if row.reported_rag else None,
            "reported_reason": row.reported_rag_reason,
            "slippage_days": slippage_days(
                row.due, row.forecast, row.completed if derived is Rag.COMPLETE else None
            ),
            "at_risk_from": [
                {"ref": item.ref, "finish": item.finish, "completed": item.completed}
                for item in knock_ons(session, [row.id], as_of).get(row.id, [])
            ],
        }
    return detail


def _add_progress(
    detail: RecordDetail, row: Any, *, session: Session, as_of: dt.date, tolerances: Tolerances
) -> None:
    """A scope's progress row as of the date, with its trend since the end of the previous
    quarter (as issued, where it was), and its milestones; for the MoU, the programme's row,
    its parties and its dates."""
    from tracker.enums import ScopeKind
    from tracker.periods import quarter_of
    from tracker.services import lifecycle
    from tracker.services.lifecycle import mou_dates
    from tracker.services.settings import reporting_scheme
    from tracker.services.status import comparison, programme_status
    from tracker.services.status_rows import progress_fields, row_fields
    from tracker.services.week import week_summary

    previous = quarter_of(as_of, reporting_scheme(session=session)).previous()
    compare = comparison(session=session, date=previous.end, quarter=previous)
    scope = detail.kind.progress
    if scope == "programme":
        status = programme_status(
            session=session, as_of=as_of, tolerances=tolerances, by=[], compare=compare
        )
        detail.progress = progress_fields(
            status.mou,
            status.title,
            status.overall,
            rag_previous=status.overall_previous,
            trend=status.overall_trend,
        )
        dates = mou_dates(row)
        detail.programme = {
            "stage": lifecycle.stage(dates, as_of),
            "parties": [asdict(party) for party in status.parties],
            "dates": [
                {
                    "event": event.event.value,
                    "title": event.title,
                    "date": event.date,
                    "days": event.days,
                    "overdue": event.overdue,
                }
                for event in lifecycle.events(dates, as_of)
            ],
            **week_summary(session=session, as_of=as_of).document(),
        }
        return
    by = ScopeKind(str(scope))
    key = detail.key
    # The theme with its sub-themes, or the milestones the institution owns; every workstream's
    # row is counted in the one pass, so a workstream is found among them.
    status = programme_status(
        session=session,
        as_of=as_of,
        tolerances=tolerances,
        by=[by],
        compare=compare,
        theme=key if by is ScopeKind.THEME else None,
        institution=key if by is ScopeKind.INSTITUTION else None,
    )
    found = next((item for item in status.tables[0].rows if item.scope == key), None)
    detail.progress = row_fields(found) if found is not None else None
    filters = MilestoneFilter(
        theme=key if by is ScopeKind.THEME else None,
        workstream=key if by is ScopeKind.WORKSTREAM else None,
        institution=key if by is ScopeKind.INSTITUTION else None,
    )
    detail.milestones = list_milestones(
        session=session, as_of=as_of, tolerances=tolerances, filters=filters
    )


def _follow_ups(
    kind: KindSpec, row_id: int, store: RecordStore, as_of: dt.date
) -> dict[str, list[FollowUp]]:
    """The records of every kind that lists this one in ``shown_under``, by ref."""
    found: dict[str, list[FollowUp]] = {}
    for other in KINDS:
        for name in other.shown_under:
            spec = other.field(name)
            if spec.target != kind.table:
                continue
            model = other.ref_model
            rows = store.session.exec(
                select(model)
                .where(getattr(model, spec.attribute) == row_id)
                .order_by(col(model.ref))
            ).all()
            for child, record in zip(rows, store.records_of(other, list(rows)), strict=True):
                late = other.days_late(record, as_of) if other.days_late else None
                found.setdefault(other.table, []).append(
                    FollowUp(key=store.key_of(other, child), fields=record, days_overdue=late)
                )
    return found


def filter_records(
    spec: KindSpec,
    records: list[tuple[str, dict[str, Any]]],
    *,
    theme: str | None,
    institution: str | None,
    session: Session,
) -> list[tuple[str, dict[str, Any]]]:
    """Keep the records that name the theme (or one of its sub-themes) or the institution in
    any field that points at themes or institutions."""
    wanted: dict[str, set[str]] = {}
    if theme is not None:
        found = by_ref("themes", theme, session=session, field="--theme")
        ids = theme_subtree(session, found.id)
        wanted["themes"] = set(
            session.exec(select(models.Theme.ref).where(col(models.Theme.id).in_(ids))).all()
        )
    if institution is not None:
        found_institution = by_ref(
            "institutions", institution, session=session, field="--institution"
        )
        wanted["institutions"] = {found_institution.ref}
    for table, refs in wanted.items():
        specs = [candidate for candidate in spec.fields if candidate.target == table]
        if not specs:
            option = "--theme" if table == "themes" else "--institution"
            raise UsageError(f"{option}: {spec.table} have no {table[:-1]} to filter on")
        records = [(key, record) for key, record in records if _names(record, specs, refs)]
    return records


def _names(record: dict[str, Any], specs: list[Any], refs: set[str]) -> bool:
    """Whether any of the fields ``specs`` of ``record`` holds one of ``refs``."""
    for spec in specs:
        value = record.get(spec.key)
        for item in value if isinstance(value, list) else [value]:
            if (item[0] if isinstance(item, tuple) else item) in refs:
                return True
    return False
