"""What a programme manager does to a milestone beyond editing fields: complete it, reopen it,
re-baseline it with a reason, and record a reported RAG beside the derived one."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from sqlmodel import Session

from tracker.dates import format_day
from tracker.enums import MilestoneStatus, ReportedRag
from tracker.errors import InvalidInput
from tracker.kinds import MILESTONES
from tracker.services.editing import Saved, read_record, update_record

UNSET: Any = object()  # "not given", as opposed to None, "clear it"


def update_milestone(
    ref: str,
    *,
    session: Session,
    today: dt.date,
    fields: dict[str, Any] | None = None,
    done: dt.date | None = None,
    due: dt.date | None = None,
    rag: ReportedRag | None = UNSET,
    reason: str | None = None,
) -> Saved:
    """Apply a set of changes to one milestone as one edit.

    ``fields`` holds plain changes (title, owner, institution, forecast, status). ``done``
    completes the milestone on that date. ``due`` re-baselines it and needs a ``reason``, which
    is kept in the history with the old date. ``rag`` records a reported RAG (with a
    ``reason``); None clears it.
    """
    changes = dict(fields or {})
    _, current = read_record(MILESTONES, ref, session=session, for_update=True)
    completing = done is not None or changes.get("status") == MilestoneStatus.DONE
    if completing and current["status"] == MilestoneStatus.CANCELLED:
        key = ref.strip().upper()
        raise InvalidInput(
            f"--done: {key} is cancelled; reopen it first (mou update-milestone {key} "
            "--status planned), then complete it"
        )
    if done is not None and done > today:
        raise InvalidInput(
            f"--done: {done.isoformat()} is in the future; record a milestone as done on or "
            "after the day it happens (use --forecast for the expected date)"
        )
    if done is not None:
        if changes.get("status") not in (None, MilestoneStatus.DONE):
            raise InvalidInput("--done: cannot be combined with another --status")
        changes["status"] = MilestoneStatus.DONE
        changes["completed"] = done
    elif changes.get("status") not in (None, MilestoneStatus.DONE):
        # Reopening: a milestone that is not done has no completed date.
        changes["completed"] = None
    elif changes.get("status") == MilestoneStatus.DONE and current["completed"] is None:
        raise InvalidInput("--status: use --done DATE to complete a milestone, with its date")
    if due is not None:
        if not reason:
            raise InvalidInput(
                "--due: changing the agreed date is a re-baseline; give --reason with it"
            )
        if due == current["due"]:
            raise InvalidInput(f"--due: the milestone is already due on {due.isoformat()}")
        history = MILESTONES.history
        assert history is not None
        changes["due"] = due
        changes[history.into] = [*current[history.into], history.entry(current, reason, today)]
    if rag is not UNSET:
        if rag is not None and not reason:
            raise InvalidInput("--rag: a reported RAG needs a --reason")
        changes["reported_rag"] = rag
        changes["reported_rag_reason"] = reason if rag is not None else None
    if not changes:
        raise InvalidInput("nothing to change: give at least one option (see --help)")
    saved = update_record(MILESTONES, ref, changes, session=session)
    if {"forecast", "due"} & set(saved.changed):
        return replace(saved, warnings=overdue_warnings(saved.key, saved.record, today))
    return saved


def overdue_warnings(key: str, record: dict[str, Any], today: dt.date) -> list[str]:
    """A date already past on a milestone that is not done makes it overdue at once: that can
    be true, so it is accepted, but it is said."""
    if record["status"] in (MilestoneStatus.DONE, MilestoneStatus.CANCELLED):
        return []
    which = "forecast" if record["forecast"] is not None else "due date"
    effective = record["forecast"] or record["due"]
    if effective >= today:
        return []
    return [f"{key} is now overdue: {which} {format_day(effective)} has passed"]
