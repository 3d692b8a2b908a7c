"""The rows every milestone listing is built on (``mou list milestones``, the calendar, the
timeline, the look-ahead and the quarterly report), read through ``tracker.tables``: a
listing reads, and a report of a large programme reads tens of thousands of milestones, so
neither needs the mapped classes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from tracker import tables
from tracker.services.rag import slippage_days


@dataclass(frozen=True)
class MilestoneFacts:
    """What every milestone listing shows, in the order its columns appear."""

    ref: str
    title: str
    workstream: str
    theme: str
    institution: str
    owner: str | None
    due: dt.date
    forecast: dt.date | None
    completed: dt.date | None
    status: str
    slippage_days: int
    rag: str


def milestone_facts(row: Any, as_of: dt.date) -> dict[str, Any]:
    """The shared fields of a row from ``milestone_select``. A completion after ``as_of`` is
    not known yet as of that date, so slippage is measured without it."""
    # By position, in milestone_select's order: a report reads tens of thousands of rows, and
    # a row's values by name cost four times as much.
    ref, title, due, forecast, completed, status = row[1:7]
    workstream, theme, institution, owner, rag = row[11:16]
    known = completed if completed is not None and completed <= as_of else None
    return {
        "ref": ref,
        "title": title,
        "workstream": workstream,
        "theme": theme,
        "institution": institution,
        "owner": owner,
        "due": due,
        "forecast": forecast,
        "completed": completed,
        "status": status.value,
        "slippage_days": slippage_days(due, forecast, known),
        "rag": rag,
    }


def milestone_select(mou_id: int | None, rag: Any, *columns: Any) -> Any:
    """Milestones of one MoU: the milestone's own columns, the refs of its workstream, theme,
    owning institution and owner, its derived ``rag``, then ``columns``; a row's values are
    named (``row.ref``, ``row.workstream``, ``row.rag``). Conditions added to it are written
    over ``tracker.tables`` (``tables.milestone``, ``tables.workstream``).

    Plain columns rather than objects: a listing only reads."""
    m, workstream, theme = tables.milestone, tables.workstream, tables.theme
    institution, owner = tables.institution, tables.person.alias("owner_of")
    own = ("id", "ref", "title", "due", "forecast", "completed", "status")
    more = ("reported_rag", "reported_rag_reason", "version", "workstream_id")
    return (
        sa.select(
            *(m.c[name] for name in (*own, *more)),
            workstream.c.ref.label("workstream"),
            theme.c.ref.label("theme"),
            institution.c.ref.label("institution"),
            owner.c.ref.label("owner"),
            rag.label("rag"),
            *columns,
        )
        .join(workstream, workstream.c.id == m.c.workstream_id)
        .join(theme, theme.c.id == workstream.c.theme_id)
        .join(institution, institution.c.id == m.c.institution_id)
        .outerjoin(owner, owner.c.id == m.c.owner_id)
        .where(workstream.c.mou_id == mou_id)
    )
