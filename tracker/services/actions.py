"""Follow-up actions as of a date (docs/rules.md, "Actions"): which are open, which overdue
and by how many days, whatever visit or board meeting they came from.

"Open" and "overdue" are written once, as SQL conditions, and used by ``mou list actions``,
``mou status``, ``mou due`` and the quarterly report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.sql import ColumnElement

from tracker import tables
from tracker.db import Reader
from tracker.enums import ActionStatus
from tracker.services.lookup import by_ref, current_mou

if TYPE_CHECKING:
    from sqlmodel import Session


def is_open(as_of: dt.date) -> ColumnElement[bool]:
    """Not cancelled, and not done by ``as_of`` (an action done later was open then)."""
    action = tables.action.c
    return sa.and_(
        action.status != ActionStatus.CANCELLED,
        sa.or_(action.completed.is_(None), action.completed > as_of),
    )


def is_overdue(as_of: dt.date) -> ColumnElement[bool]:
    """Open as of ``as_of`` with a due date before it. An action with no due date is never
    overdue."""
    due = tables.action.c.due
    return sa.and_(is_open(as_of), due.is_not(None), due < as_of)


def days_overdue(due: dt.date | None, as_of: dt.date, *, open_then: bool) -> int | None:
    """Whole days past the due date, for an open action; None when it is not overdue."""
    if not open_then or due is None or due >= as_of:
        return None
    return (as_of - due).days


@dataclass(frozen=True)
class ActionCounts:
    open: int
    overdue: int


def action_counts(*, session: Reader, mou_id: int, as_of: dt.date) -> ActionCounts:
    """Open and overdue actions of the MoU, counted by the database."""
    action = tables.action
    stmt = sa.select(
        sa.func.sum(sa.case((is_open(as_of), 1), else_=0)),
        sa.func.sum(sa.case((is_overdue(as_of), 1), else_=0)),
    ).where(action.c.mou_id == mou_id)
    open_count, overdue = session.execute(stmt).one()
    return ActionCounts(open=int(open_count or 0), overdue=int(overdue or 0))


@dataclass(frozen=True)
class ActionFilter:
    status: ActionStatus | None = None
    owner: str | None = None
    institution: str | None = None  # the owner's institution
    overdue: bool = False
    due_before: dt.date | None = None
    due_after: dt.date | None = None


@dataclass(frozen=True)
class ActionRow:
    """What every listing of actions shows, in the order of its columns."""

    ref: str
    text: str
    visit: str | None
    meeting: str | None
    owner: str | None
    institution: str | None  # the owner's institution
    due: dt.date | None
    status: str
    completed: dt.date | None
    overdue: bool
    days_overdue: int | None


def action_select(mou_id: int, as_of: dt.date) -> Any:
    """Actions of one MoU with the refs of their visit, meeting, owner and owner's institution,
    and whether each is open as of ``as_of``: the base of every action listing. A row's
    values are named (``row.ref``, ``row.visit``, ``row.open_then``)."""
    action = tables.action
    visit, meeting = tables.visit.alias("visit_of"), tables.board_meeting.alias("meeting_of")
    owner, institution = tables.person.alias("owner_of"), tables.institution.alias("employer")
    return (
        sa.select(
            action.c.ref,
            action.c.text,
            action.c.due,
            action.c.status,
            action.c.completed,
            action.c.version,
            visit.c.ref.label("visit"),
            meeting.c.ref.label("meeting"),
            owner.c.ref.label("owner"),
            institution.c.ref.label("institution"),
            sa.case((is_open(as_of), True), else_=False).label("open_then"),
        )
        .outerjoin(visit, visit.c.id == action.c.visit_id)
        .outerjoin(meeting, meeting.c.id == action.c.meeting_id)
        .outerjoin(owner, owner.c.id == action.c.owner_id)
        .outerjoin(institution, institution.c.id == owner.c.institution_id)
        .where(action.c.mou_id == mou_id)
    )


def action_row(row: Any, as_of: dt.date) -> ActionRow:
    late = days_overdue(row.due, as_of, open_then=bool(row.open_then))
    return ActionRow(
        ref=row.ref,
        text=row.text,
        visit=row.visit,
        meeting=row.meeting,
        owner=row.owner,
        institution=row.institution,
        due=row.due,
        status=row.status.value,
        completed=row.completed,
        overdue=late is not None,
        days_overdue=late,
    )


def by_due_date(row: ActionRow) -> tuple[bool, dt.date, str]:
    """Soonest due first, undated last, then by ref: the same on every backend (the two sort
    NULL dates differently)."""
    return (row.due is None, row.due or dt.date.min, row.ref)


def list_actions(
    *, session: Session, as_of: dt.date, filters: ActionFilter = ActionFilter()
) -> list[ActionRow]:
    """The MoU's actions as of a date, filtered in the database, soonest due first."""
    mou = current_mou(session=session)
    action = tables.action.c
    stmt = action_select(mou.id, as_of)
    if filters.status is not None:
        stmt = stmt.where(action.status == filters.status)
    if filters.owner is not None:
        person = by_ref("people", filters.owner, session=session, field="--owner")
        stmt = stmt.where(action.owner_id == person.id)
    if filters.institution is not None:
        found = by_ref("institutions", filters.institution, session=session, field="--institution")
        people = tables.person.c
        owners = sa.select(people.id).where(people.institution_id == found.id)
        stmt = stmt.where(action.owner_id.in_(owners))
    if filters.overdue:
        stmt = stmt.where(is_overdue(as_of))
    if filters.due_before is not None:
        stmt = stmt.where(action.due < filters.due_before)
    if filters.due_after is not None:
        stmt = stmt.where(action.due > filters.due_after)
    return sorted((action_row(row, as_of) for row in session.execute(stmt)), key=by_due_date)
