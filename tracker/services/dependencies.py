"""Knock-ons between milestones (docs/rules.md, "Dependencies"): a milestone is *at risk from*
a predecessor it depends on when the predecessor will finish (its completion, once known, else
its forecast or due date) after the milestone's own effective date.

Written once as SQL, so lists, status counts and reports ask the database rather than load
every milestone: ``at_risk()`` is a condition on the milestone table for filters and counts,
and ``knock_ons`` names the predecessors of the few milestones a listing shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import ColumnElement

from tracker import tables
from tracker.db import Reader
from tracker.enums import MilestoneStatus


@dataclass(frozen=True)
class KnockOn:
    """A predecessor that puts a milestone at risk, and the date it will finish by."""

    ref: str
    finish: dt.date
    completed: bool  # the finish is a completion, not a forecast or due date


def _finish(predecessor: Any, as_of: dt.date) -> ColumnElement[dt.date]:
    """When the predecessor finishes: its completion if known by ``as_of``, else its forecast
    or due date."""
    completed = predecessor.c.completed
    return sa.case(
        (sa.and_(completed.is_not(None), completed <= as_of), completed),
        else_=sa.func.coalesce(predecessor.c.forecast, predecessor.c.due),
    )


def _open(milestone: Any, as_of: dt.date) -> ColumnElement[bool]:
    completed = milestone.c.completed
    return sa.and_(
        milestone.c.status != MilestoneStatus.CANCELLED,
        sa.not_(sa.and_(completed.is_not(None), completed <= as_of)),
    )


def _condition(dependant: Any, predecessor: Any, link: Any, as_of: dt.date) -> ColumnElement[bool]:
    return sa.and_(
        link.c.milestone_id == dependant.c.id,
        predecessor.c.id == link.c.depends_on_id,
        predecessor.c.status != MilestoneStatus.CANCELLED,
        _finish(predecessor, as_of) > sa.func.coalesce(dependant.c.forecast, dependant.c.due),
    )


def at_risk(as_of: dt.date) -> ColumnElement[bool]:
    """True for a milestone (of ``tracker.tables.milestone`` in the enclosing query) that is
    open as of ``as_of`` and at risk from at least one predecessor."""
    dependant, link = tables.milestone, tables.milestone_dependency
    predecessor = dependant.alias()
    knock_on = (
        sa.select(sa.literal(1))
        .select_from(link)
        .join(predecessor, predecessor.c.id == link.c.depends_on_id)
        .where(_condition(dependant, predecessor, link, as_of))
        .correlate(dependant)
    )
    return sa.and_(_open(dependant, as_of), knock_on.exists())


def knock_ons(
    session: Reader, milestone_ids: Iterable[int] | None, as_of: dt.date
) -> dict[int, list[KnockOn]]:
    """For each of these milestones (every milestone, for None) that is open and at risk: the
    predecessors that put it at risk, soonest-finishing first. One query, however many
    milestones."""
    wanted = None if milestone_ids is None else sorted(set(milestone_ids))
    if wanted == []:
        return {}
    milestone, link = tables.milestone, tables.milestone_dependency
    dependant, predecessor = milestone.alias(), milestone.alias()
    finish = _finish(predecessor, as_of)
    completed = predecessor.c.completed
    statement = (
        sa.select(
            dependant.c.id,
            predecessor.c.ref,
            finish,
            sa.and_(completed.is_not(None), completed <= as_of),
        )
        .select_from(link)
        .join(dependant, dependant.c.id == link.c.milestone_id)
        .join(predecessor, predecessor.c.id == link.c.depends_on_id)
        .where(_condition(dependant, predecessor, link, as_of), _open(dependant, as_of))
        .order_by(finish, predecessor.c.ref)
    )
    if wanted is not None and len(wanted) <= 500:
        statement = statement.where(dependant.c.id.in_(wanted))
    chosen = None if wanted is None else set(wanted)
    found: dict[int, list[KnockOn]] = {}
    for milestone_id, ref, day, done in session.execute(statement):
        if chosen is None or milestone_id in chosen:
            found.setdefault(milestone_id, []).append(KnockOn(ref, day, bool(done)))
    return found


def describe(items: list[KnockOn]) -> str:
    """'MS-03 (2026-12-24), MS-04 (completed 2027-01-05)': the predecessors of one milestone."""
    return ", ".join(
        f"{item.ref} ({'completed ' if item.completed else ''}{item.finish.isoformat()})"
        for item in items
    )
