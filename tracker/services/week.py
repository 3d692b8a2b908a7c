"""The line ``mou status`` prints under its header: the MoU's open and overdue actions, where
the MoU stands in its life, and its next date (docs/rules.md, "The MoU's lifecycle")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tracker.db import Reader
from tracker.services import lifecycle
from tracker.services.actions import ActionCounts, action_counts
from tracker.services.lookup import current_mou


@dataclass(frozen=True)
class WeekSummary:
    """The line ``mou status`` prints under its header: actions and the MoU's next date."""

    actions: ActionCounts
    stage: str  # where the MoU stands in its life
    next_event: lifecycle.LifecycleEvent | None

    def describe(self) -> str:
        counts = self.actions
        line = f"Actions: {counts.open} open, {counts.overdue} overdue."
        if self.next_event is not None:
            line += f" {self.next_event.describe()}."
        else:
            line += " No MoU review, notice or expiry date ahead."
        return line

    def document(self) -> dict[str, object]:
        event = self.next_event
        return {
            "actions": {"open": self.actions.open, "overdue": self.actions.overdue},
            "lifecycle": {
                "stage": self.stage,
                "next": None
                if event is None
                else {
                    "event": event.event.value,
                    "title": event.title,
                    "date": event.date,
                    "days": event.days,
                    "overdue": event.overdue,
                },
            },
        }


def week_summary(*, session: Reader, as_of: dt.date, mou: str | None = None) -> WeekSummary:
    record = current_mou(session=session, ref=mou)
    dates = lifecycle.mou_dates(record)
    return WeekSummary(
        actions=action_counts(session=session, mou_id=record.id, as_of=as_of),
        stage=lifecycle.stage(dates, as_of),
        next_event=lifecycle.next_event(dates, as_of),
    )
