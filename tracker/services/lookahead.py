"""The look-ahead (docs/rules.md, "The look-ahead"): everything overdue as of a date, then
everything due in the days after it, with an owner and an institution for each, so the list
can be cut per person.

Milestones and actions are selected by the database, up to the window's end; visits, board
meetings and the MoU's own dates are few and are read whole.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker import models, tables
from tracker.enums import ItemKind, MeetingStatus, MilestoneStatus, Rag, VisitStatus
from tracker.errors import InvalidInput
from tracker.fields import date_in_range
from tracker.services import actions as action_rules
from tracker.services import lifecycle
from tracker.services.lookup import by_ref, current_mou
from tracker.services.milestone_rows import milestone_select
from tracker.services.rag import Tolerances, effective_date, is_done, rag_expression
from tracker.services.status import theme_subtree

DEFAULT_WITHIN = 30


@dataclass(frozen=True)
class DueItem:
    kind: ItemKind
    ref: str
    title: str
    date: dt.date
    owner: str | None
    institution: str | None
    rag: str | None
    days_overdue: int | None  # None: not overdue

    @property
    def overdue(self) -> bool:
        return self.days_overdue is not None


@dataclass(frozen=True)
class Person:
    ref: str
    name: str
    institution: str


@dataclass(frozen=True)
class LookAhead:
    mou: str
    title: str
    as_of: dt.date
    within: int
    tolerances: Tolerances
    items: list[DueItem]
    people: dict[str, Person] = field(default_factory=dict)  # every owner named, by ref
    undated_actions: list[str] = field(default_factory=list)  # open, with no due date

    @property
    def until(self) -> dt.date:
        return self.as_of + dt.timedelta(days=self.within)

    @property
    def overdue(self) -> list[DueItem]:
        return [item for item in self.items if item.overdue]

    @property
    def coming(self) -> list[DueItem]:
        return [item for item in self.items if not item.overdue]


@dataclass(frozen=True)
class DueFilter:
    kinds: frozenset[ItemKind] = frozenset(ItemKind)
    owner: str | None = None
    institution: str | None = None
    theme: str | None = None


def window_end(as_of: dt.date, within: int) -> dt.date:
    """The last day of the window, refused (naming --within) beyond the dates mou accepts."""
    try:
        end = as_of + dt.timedelta(days=within)
    except OverflowError:
        end = dt.date.max
    try:
        return date_in_range(end, "--within")
    except InvalidInput:
        raise InvalidInput(
            f"--within: {within} days after {as_of.isoformat()} is beyond the last date mou "
            "accepts; give fewer days"
        ) from None


def look_ahead(
    *,
    session: Session,
    as_of: dt.date,
    within: int = DEFAULT_WITHIN,
    tolerances: Tolerances,
    filters: DueFilter = DueFilter(),
) -> LookAhead:
    """Overdue items first (the longest overdue first), then items due in [as_of, as_of +
    within], each group sorted by date."""
    mou = current_mou(session=session)
    assert mou.id is not None
    until = window_end(as_of, within)
    scope = _Scope.read(session, filters)
    collected: list[DueItem] = []
    undated: list[str] = []
    # A theme narrows the list to what has a theme: milestones, and visits and their actions.
    themed = scope.theme_ids is not None
    if ItemKind.MOU in filters.kinds and not themed:
        collected += _lifecycle(session, mou, as_of, until)
    if ItemKind.MILESTONE in filters.kinds:
        collected += _milestones(session, mou.id, as_of, until, tolerances, scope)
    if ItemKind.ACTION in filters.kinds:
        found, undated = _actions(session, mou.id, as_of, until, scope)
        collected += found
    if ItemKind.MEETING in filters.kinds and not themed:
        collected += _meetings(session, mou.id, as_of, until)
    if ItemKind.VISIT in filters.kinds:
        collected += _visits(session, mou.id, as_of, until, scope)
    items = sorted((item for item in collected if scope.keeps(item)), key=_order)
    people = _people(session, {item.owner for item in items if item.owner})
    return LookAhead(
        mou=mou.ref,
        title=mou.title,
        as_of=as_of,
        within=within,
        tolerances=tolerances,
        items=items,
        people=people,
        undated_actions=undated,
    )


def _order(item: DueItem) -> tuple[bool, dt.date, int, str]:
    return (not item.overdue, item.date, list(ItemKind).index(item.kind), item.ref)


@dataclass
class _Scope:
    """The filters, with refs checked and turned into what the queries need."""

    owner: str | None = None
    owner_id: int | None = None
    institution: str | None = None
    institution_id: int | None = None
    theme_ids: set[int] | None = None

    @classmethod
    def read(cls, session: Session, filters: DueFilter) -> _Scope:
        scope = cls()
        if filters.owner is not None:
            person = by_ref("people", filters.owner, session=session, field="--owner")
            scope.owner, scope.owner_id = person.ref, person.id
        if filters.institution is not None:
            found = by_ref(
                "institutions", filters.institution, session=session, field="--institution"
            )
            scope.institution, scope.institution_id = found.ref, found.id
        if filters.theme is not None:
            theme = by_ref("themes", filters.theme, session=session, field="--theme")
            scope.theme_ids = theme_subtree(session, theme.id)
        return scope

    def keeps(self, item: DueItem) -> bool:
        if self.owner is not None and item.owner != self.owner:
            return False
        return self.institution is None or item.institution == self.institution


def _lifecycle(session: Session, mou: models.Mou, as_of: dt.date, until: dt.date) -> list[DueItem]:
    owner, institution = _person_and_institution(session, mou.owner_id)
    return [
        DueItem(
            kind=ItemKind.MOU,
            ref=mou.ref,
            title=event.title,
            date=event.date,
            owner=owner,
            institution=institution,
            rag=Rag.RED.value if event.overdue else Rag.GREEN.value,
            days_overdue=-event.days if event.overdue else None,
        )
        for event in lifecycle.events(lifecycle.mou_dates(mou), as_of)
        if event.overdue or event.date <= until
    ]


def _person_and_institution(
    session: Session, person_id: int | None
) -> tuple[str | None, str | None]:
    if person_id is None:
        return None, None
    row = session.execute(
        sa.select(col(models.Person.ref), col(models.Institution.ref))
        .join(models.Institution, col(models.Institution.id) == models.Person.institution_id)
        .where(col(models.Person.id) == person_id)
    ).one()
    return row[0], row[1]


def _milestones(
    session: Session,
    mou_id: int,
    as_of: dt.date,
    until: dt.date,
    tolerances: Tolerances,
    scope: _Scope,
) -> list[DueItem]:
    """Not done or cancelled, effective on or before the window's end: those before the as-of
    date are overdue."""
    m = tables.milestone.c
    effective = effective_date()
    stmt = milestone_select(
        mou_id, rag_expression(as_of, tolerances), effective.label("effective")
    ).where(
        m.status != MilestoneStatus.CANCELLED,
        sa.not_(is_done(as_of)),
        effective <= until,
    )
    if scope.owner_id is not None:
        stmt = stmt.where(m.owner_id == scope.owner_id)
    if scope.institution_id is not None:
        stmt = stmt.where(m.institution_id == scope.institution_id)
    if scope.theme_ids is not None:
        stmt = stmt.where(tables.workstream.c.theme_id.in_(scope.theme_ids))
    items = []
    for milestone in session.execute(stmt):
        when = milestone.effective
        items.append(
            DueItem(
                kind=ItemKind.MILESTONE,
                ref=milestone.ref,
                title=milestone.title,
                date=when,
                owner=milestone.owner,
                institution=milestone.institution,
                rag=milestone.rag,
                days_overdue=(as_of - when).days if when < as_of else None,
            )
        )
    return items


def _actions(
    session: Session, mou_id: int, as_of: dt.date, until: dt.date, scope: _Scope
) -> tuple[list[DueItem], list[str]]:
    """Open actions due on or before the window's end, and the refs of open actions with no
    due date (never overdue, so never in the look-ahead, but worth a note)."""
    action = tables.action.c
    stmt = action_rules.action_select(mou_id, as_of).where(action_rules.is_open(as_of))
    if scope.owner_id is not None:
        stmt = stmt.where(action.owner_id == scope.owner_id)
    if scope.theme_ids is not None:
        visit_theme = tables.visit_theme.c
        themed = sa.select(visit_theme.visit_id).where(visit_theme.theme_id.in_(scope.theme_ids))
        stmt = stmt.where(action.visit_id.in_(themed))
    items, undated = [], []
    for row in session.execute(stmt):
        listed = action_rules.action_row(row, as_of)
        if listed.due is None:
            if scope.institution is None or listed.institution == scope.institution:
                undated.append(listed.ref)
            continue
        if listed.due > until:
            continue
        items.append(
            DueItem(
                kind=ItemKind.ACTION,
                ref=listed.ref,
                title=listed.text,
                date=listed.due,
                owner=listed.owner,
                institution=listed.institution,
                rag=Rag.RED.value if listed.overdue else Rag.GREEN.value,
                days_overdue=listed.days_overdue,
            )
        )
    return items, sorted(undated)


def _meetings(session: Session, mou_id: int, as_of: dt.date, until: dt.date) -> list[DueItem]:
    """Board meetings still planned, in the window."""
    b = models.BoardMeeting
    rows = session.exec(
        select(b).where(
            b.mou_id == mou_id,
            b.status == MeetingStatus.PLANNED,
            col(b.meeting_date) >= as_of,
            col(b.meeting_date) <= until,
        )
    ).all()
    items = []
    for meeting in rows:
        owner, institution = _person_and_institution(session, meeting.chair_id)
        items.append(
            DueItem(
                kind=ItemKind.MEETING,
                ref=meeting.ref,
                title=meeting.title,
                date=meeting.meeting_date,
                owner=owner,
                institution=institution,
                rag=None,
                days_overdue=None,
            )
        )
    return items


def _visits(
    session: Session, mou_id: int, as_of: dt.date, until: dt.date, scope: _Scope
) -> list[DueItem]:
    """Visits planned or confirmed that take place in the window (or are under way at its
    start). Each names its host institution and, as owner, its first host attendee."""
    v = models.Visit
    stmt = select(v, models.Institution.ref).join(
        models.Institution, col(models.Institution.id) == v.host_id
    )
    stmt = stmt.where(
        v.mou_id == mou_id,
        col(v.status).in_([VisitStatus.PLANNED, VisitStatus.CONFIRMED]),
        col(v.start_date) <= until,
        sa.func.coalesce(v.end_date, v.start_date) >= as_of,
    )
    if scope.theme_ids is not None:
        themed = sa.select(col(models.VisitTheme.visit_id)).where(
            col(models.VisitTheme.theme_id).in_(scope.theme_ids)
        )
        stmt = stmt.where(col(v.id).in_(themed))
    rows = session.exec(stmt).all()
    hosts = _hosts(session, [visit.id for visit, _ in rows if visit.id is not None])
    return [
        DueItem(
            kind=ItemKind.VISIT,
            ref=visit.ref,
            title=visit.title,
            date=visit.start_date,
            owner=hosts.get(visit.id or 0),
            institution=host,
            rag=None,
            days_overdue=None,
        )
        for visit, host in rows
    ]


def _hosts(session: Session, visit_ids: list[int]) -> dict[int, str]:
    """Each visit's first host attendee (by ref), who answers for it."""
    if not visit_ids:
        return {}
    a = models.VisitAttendee
    rows = session.execute(
        sa.select(col(a.visit_id), col(models.Person.ref))
        .join(models.Person, col(models.Person.id) == a.person_id)
        .where(col(a.visit_id).in_(visit_ids), col(a.role) == "host")
        .order_by(col(models.Person.ref))
    )
    hosts: dict[int, str] = {}
    for visit_id, ref in rows:
        hosts.setdefault(visit_id, ref)
    return hosts


def _people(session: Session, refs: Iterable[str]) -> dict[str, Person]:
    wanted = sorted(set(refs))
    if not wanted:
        return {}
    rows = session.execute(
        sa.select(col(models.Person.ref), col(models.Person.name), col(models.Institution.ref))
        .join(models.Institution, col(models.Institution.id) == models.Person.institution_id)
        .where(col(models.Person.ref).in_(wanted))
    )
    return {ref: Person(ref, name, institution) for ref, name, institution in rows}


def parse_within(text: str, *, option: str = "--within", limit: int = 36_500) -> int:
    """A window in days, as typed: 30d, 4w, or a plain number of days."""
    cleaned = text.strip().lower()
    unit = 1
    if cleaned.endswith(("d", "w")):
        unit = 7 if cleaned.endswith("w") else 1
        cleaned = cleaned[:-1].strip()
    if not (cleaned.isascii() and cleaned.isdigit()) or len(cleaned) > 6:
        raise InvalidInput(
            f"{option}: expected a number of days such as 30d (or weeks, 4w); got {text!r}"
        )
    days = int(cleaned) * unit
    if days > limit:
        raise InvalidInput(f"{option}: at most {limit} days; got {text!r}")
    return days
