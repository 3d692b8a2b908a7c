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


def _actions(table: sa.TableClause | None) -> sa.TableClause:
    """The action table an expression is written over: the models' own by default (a query
    over the SQLModel classes), or ``tracker.tables.action`` for a Core read."""
    if table is not None:
        return table
    from tracker import models

    return models.Action.__table__  # type: ignore[attr-defined,no-any-return]


def is_open(as_of: dt.date, table: sa.TableClause | None = None) -> ColumnElement[bool]:
    """Not cancelled, and not done by ``as_of`` (an action done later was open then)."""
    action = _actions(table).c
    return sa.and_(
        action.status != ActionStatus.CANCELLED,
        sa.or_(action.completed.is_(None), action.completed > as_of),
    )


def is_overdue(as_of: dt.date, table: sa.TableClause | None = None) -> ColumnElement[bool]:
    """Open as of ``as_of`` with a due date before it. An action with no due date is never
    overdue."""
    due = _actions(table).c.due
    return sa.and_(is_open(as_of, table), due.is_not(None), due < as_of)


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
        sa.func.sum(sa.case((is_open(as_of, action), 1), else_=0)),
        sa.func.sum(sa.case((is_overdue(as_of, action), 1), else_=0)),
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
    and whether each is open as of ``as_of``: the base of every action listing."""
    # The listings build on the SQLModel classes, imported here: the status page only counts
    # actions (action_counts), through the Core tables, and never builds them.
    from sqlmodel import col

    from tracker import models

    visit = sa.orm.aliased(models.Visit)
    meeting = sa.orm.aliased(models.BoardMeeting)
    owner = sa.orm.aliased(models.Person)
    institution = sa.orm.aliased(models.Institution)
    return (
        sa.select(
            models.Action,
            col(visit.ref),
            col(meeting.ref),
            col(owner.ref),
            col(institution.ref),
            sa.case((is_open(as_of), True), else_=False),
        )
        .outerjoin(visit, col(visit.id) == models.Action.visit_id)
        .outerjoin(meeting, col(meeting.id) == models.Action.meeting_id)
        .outerjoin(owner, col(owner.id) == models.Action.owner_id)
        .outerjoin(institution, col(institution.id) == owner.institution_id)
        .where(col(models.Action.mou_id) == mou_id)
    )


def action_row(row: Any, as_of: dt.date) -> ActionRow:
    action, visit, meeting, owner, institution, open_then = row
    late = days_overdue(action.due, as_of, open_then=bool(open_then))
    return ActionRow(
        ref=action.ref,
        text=action.text,
        visit=visit,
        meeting=meeting,
        owner=owner,
        institution=institution,
        due=action.due,
        status=action.status.value,
        completed=action.completed,
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
    assert mou.id is not None
    from sqlmodel import col

    from tracker import models

    a = models.Action
    stmt = action_select(mou.id, as_of)
    if filters.status is not None:
        stmt = stmt.where(col(a.status) == filters.status)
    if filters.owner is not None:
        person = by_ref("people", filters.owner, session=session, field="--owner")
        stmt = stmt.where(col(a.owner_id) == person.id)
    if filters.institution is not None:
        found = by_ref("institutions", filters.institution, session=session, field="--institution")
        owners = sa.select(col(models.Person.id)).where(
            col(models.Person.institution_id) == found.id
        )
        stmt = stmt.where(col(a.owner_id).in_(owners))
    if filters.overdue:
        stmt = stmt.where(is_overdue(as_of))
    if filters.due_before is not None:
        stmt = stmt.where(col(a.due) < filters.due_before)
    if filters.due_after is not None:
        stmt = stmt.where(col(a.due) > filters.due_after)
    return sorted((action_row(row, as_of) for row in session.execute(stmt)), key=by_due_date)
