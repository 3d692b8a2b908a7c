"""The timeline (docs/rules.md, "The timeline"): for each workstream, grouped by theme, which
milestones fall in which reporting quarter, and in what state, as of a date.

A milestone sits in the quarter of its effective date (its forecast, else its due date).
Its mark says what it is as of the date: done; overdue (not done, effective date passed);
slipped (not done, and its effective date now falls in a later quarter than the due date it was
first given, before any forecast or re-baseline); or simply due.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker import models, tables
from tracker.enums import MilestoneStatus
from tracker.periods import Quarter, Scheme, quarter_of
from tracker.services.lookup import by_ref, current_mou
from tracker.services.milestone_rows import milestone_select
from tracker.services.rag import Tolerances, effective_date, is_done, rag_expression
from tracker.services.status import theme_subtree

MAX_QUARTERS = 40


class Mark(StrEnum):
    DONE = "done"
    DUE = "due"
    SLIPPED = "slipped"  # open, now in a later quarter than it was first planned for
    OVERDUE = "overdue"  # open, effective date before the as-of date


@dataclass(frozen=True)
class Placed:
    """One milestone in one quarter of the chart."""

    ref: str
    mark: Mark
    rag: str
    date: dt.date  # its effective date


@dataclass(frozen=True)
class TimelineRow:
    kind: str  # theme | workstream
    ref: str
    name: str
    depth: int
    cells: list[list[Placed]] = field(default_factory=list)  # one list per quarter shown


@dataclass(frozen=True)
class Timeline:
    mou: str
    title: str
    as_of: dt.date
    scheme: Scheme
    quarters: list[Quarter]
    rows: list[TimelineRow]

    @property
    def today_quarter(self) -> int | None:
        """The position of the quarter holding the as-of date, if it is shown."""
        for position, quarter in enumerate(self.quarters):
            if quarter.contains(self.as_of):
                return position
        return None


def quarters_from(first: Quarter, count: int) -> list[Quarter]:
    found = [first]
    while len(found) < count:
        try:
            found.append(found[-1].next())
        except ValueError:  # the last quarter the calendar holds
            break
    return found


def default_first(as_of: dt.date, scheme: Scheme) -> Quarter:
    """The quarter before the as-of date's: recent slippage stays in view."""
    current = quarter_of(as_of, scheme)
    try:
        return current.previous()
    except ValueError:
        return current


def timeline(
    *,
    session: Session,
    as_of: dt.date,
    tolerances: Tolerances,
    quarters: list[Quarter],
    theme: str | None = None,
) -> Timeline:
    mou = current_mou(session=session)
    assert mou.id is not None
    scheme = quarters[0].scheme
    theme_ids = None
    if theme is not None:
        theme_ids = theme_subtree(
            session, by_ref("themes", theme, session=session, field="--theme").id
        )
    placed = _placed(session, mou.id, as_of, tolerances, quarters)
    themes = session.exec(
        select(models.Theme).where(models.Theme.mou_id == mou.id).order_by(col(models.Theme.ref))
    ).all()
    workstreams = session.exec(
        select(models.Workstream)
        .where(models.Workstream.mou_id == mou.id)
        .order_by(col(models.Workstream.ref))
    ).all()
    children: dict[int | None, list[models.Theme]] = {}
    for item in themes:
        children.setdefault(item.parent_id, []).append(item)
    by_theme: dict[int, list[models.Workstream]] = {}
    for ws in workstreams:
        by_theme.setdefault(ws.theme_id, []).append(ws)

    def has_workstreams(theme_id: int | None) -> bool:
        return bool(by_theme.get(theme_id or 0)) or any(
            has_workstreams(child.id) for child in children.get(theme_id, [])
        )

    rows: list[TimelineRow] = []
    empty: list[list[Placed]] = [[] for _ in quarters]

    def walk(parent: int | None, depth: int) -> None:
        for item in children.get(parent, []):
            shown = theme_ids is None or item.id in theme_ids
            if shown and has_workstreams(item.id):
                rows.append(TimelineRow("theme", item.ref, item.name, depth, empty))
                assert item.id is not None
                for ws in by_theme.get(item.id, []):
                    assert ws.id is not None
                    rows.append(
                        TimelineRow(
                            "workstream", ws.ref, ws.name, depth + 1, placed.get(ws.id, empty)
                        )
                    )
            walk(item.id, depth + 1 if shown and has_workstreams(item.id) else depth)

    walk(None, 0)
    return Timeline(
        mou=mou.ref, title=mou.title, as_of=as_of, scheme=scheme, quarters=quarters, rows=rows
    )


def _placed(
    session: Session,
    mou_id: int,
    as_of: dt.date,
    tolerances: Tolerances,
    quarters: list[Quarter],
) -> dict[int, list[list[Placed]]]:
    """Per workstream id, the marks of its milestones in each quarter shown."""
    m = tables.milestone.c
    effective = effective_date()
    first, last = quarters[0].start, quarters[-1].end
    stmt = (
        milestone_select(
            mou_id,
            rag_expression(as_of, tolerances),
            effective.label("effective"),
            is_done(as_of).label("done"),
        )
        .where(m.status != MilestoneStatus.CANCELLED, effective.between(first, last))
        .order_by(effective, m.ref)
    )
    scheme = quarters[0].scheme
    index = {quarter: position for position, quarter in enumerate(quarters)}
    rows = list(session.execute(stmt))
    first_due = _first_due_dates(session, [row.id for row in rows])
    found: dict[int, list[list[Placed]]] = {}
    for milestone in rows:
        when = milestone.effective
        planned = first_due.get(milestone.id, milestone.due)
        if milestone.done:
            mark = Mark.DONE
        elif when < as_of:
            mark = Mark.OVERDUE
        elif quarter_of(when, scheme) > quarter_of(planned, scheme):
            mark = Mark.SLIPPED
        else:
            mark = Mark.DUE
        cells = found.setdefault(milestone.workstream_id, [[] for _ in quarters])
        placed = Placed(milestone.ref, mark, milestone.rag, when)
        cells[index[quarter_of(when, scheme)]].append(placed)
    return found


def _first_due_dates(session: Session, milestone_ids: list[int]) -> dict[int, dt.date]:
    """The due date each re-baselined milestone was first given: its oldest history entry."""
    if not milestone_ids:
        return {}
    b = models.MilestoneBaseline
    rows = session.execute(
        sa.select(col(b.milestone_id), col(b.due))
        .where(col(b.milestone_id).in_(milestone_ids))
        .order_by(col(b.id))
    )
    first: dict[int, dt.date] = {}
    for milestone_id, due in rows:
        first.setdefault(milestone_id, due)
    return first
