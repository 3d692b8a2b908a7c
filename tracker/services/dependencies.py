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
from sqlmodel import Session, col

from tracker import models
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
    completed = col(predecessor.completed)
    return sa.case(
        (sa.and_(completed.is_not(None), completed <= as_of), completed),
        else_=sa.func.coalesce(predecessor.forecast, predecessor.due),
    )


def _open(milestone: Any, as_of: dt.date) -> ColumnElement[bool]:
    completed = col(milestone.completed)
    return sa.and_(
        col(milestone.status) != MilestoneStatus.CANCELLED,
        sa.not_(sa.and_(completed.is_not(None), completed <= as_of)),
    )


def _condition(dependant: Any, predecessor: Any, as_of: dt.date) -> ColumnElement[bool]:
    link = models.MilestoneDependency
    return sa.and_(
        col(link.milestone_id) == dependant.id,
        col(predecessor.id) == link.depends_on_id,
        col(predecessor.status) != MilestoneStatus.CANCELLED,
        _finish(predecessor, as_of) > sa.func.coalesce(dependant.forecast, dependant.due),
    )


def at_risk(as_of: dt.date) -> ColumnElement[bool]:
    """True for a milestone (of ``models.Milestone`` in the enclosing query) that is open as
    of ``as_of`` and at risk from at least one predecessor."""
    predecessor = sa.orm.aliased(models.Milestone)
    link = models.MilestoneDependency
    dependant = models.Milestone
    knock_on = (
        sa.select(sa.literal(1))
        .select_from(link)
        .join(predecessor, col(predecessor.id) == link.depends_on_id)
        .where(_condition(dependant, predecessor, as_of))
        .correlate(dependant)
    )
    return sa.and_(_open(dependant, as_of), knock_on.exists())


def knock_ons(
    session: Session, milestone_ids: Iterable[int], as_of: dt.date
) -> dict[int, list[KnockOn]]:
    """For each of these milestones that is open and at risk: the predecessors that put it at
    risk, soonest-finishing first. One query, however many milestones."""
    wanted = sorted(set(milestone_ids))
    if not wanted:
        return {}
    dependant = sa.orm.aliased(models.Milestone)
    predecessor = sa.orm.aliased(models.Milestone)
    link = models.MilestoneDependency
    finish = _finish(predecessor, as_of)
    completed = col(predecessor.completed)
    statement = (
        sa.select(
            col(dependant.id),
            col(predecessor.ref),
            finish,
            sa.and_(completed.is_not(None), completed <= as_of),
        )
        .select_from(link)
        .join(dependant, col(dependant.id) == link.milestone_id)
        .join(predecessor, col(predecessor.id) == link.depends_on_id)
        .where(_condition(dependant, predecessor, as_of), _open(dependant, as_of))
        .order_by(finish, col(predecessor.ref))
    )
    if len(wanted) <= 500:
        statement = statement.where(col(dependant.id).in_(wanted))
    chosen = set(wanted)
    found: dict[int, list[KnockOn]] = {}
    for milestone_id, ref, day, done in session.execute(statement):
        if milestone_id in chosen:
            found.setdefault(milestone_id, []).append(KnockOn(ref, day, bool(done)))
    return found


def describe(items: list[KnockOn]) -> str:
    """'MS-03 (2026-12-24), MS-04 (completed 2027-01-05)': the predecessors of one milestone."""
    return ", ".join(
        f"{item.ref} ({'completed ' if item.completed else ''}{item.finish.isoformat()})"
        for item in items
    )
