"""The MoU's own dates (docs/rules.md, "The MoU's lifecycle"): its review date, its renewal
notice deadline and its expiry, where it stands in its life as of a date, and which of its
dates still need the programme office.

Plain date arithmetic on the MoU's fields: nothing here reads the database, so the look-ahead,
``mou status`` and the calendar feed all apply the same rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from dateutil.relativedelta import relativedelta

from tracker.enums import MouStatus
from tracker.text import counted

# Statuses the programme office records once it has dealt with a passed date.
REVIEW_DEALT_WITH = frozenset(
    {MouStatus.UNDER_REVIEW, MouStatus.RENEWED, MouStatus.TERMINATED, MouStatus.EXPIRED}
)
RENEWAL_DEALT_WITH = frozenset({MouStatus.RENEWED, MouStatus.TERMINATED, MouStatus.EXPIRED})
# An MoU that has ended has no dates left to deal with.
ENDED = frozenset({MouStatus.TERMINATED, MouStatus.EXPIRED})


class Event(StrEnum):
    REVIEW = "review"
    NOTICE = "notice"
    EXPIRY = "expiry"


TITLES = {
    Event.REVIEW: "MoU review",
    Event.NOTICE: "MoU renewal notice deadline",
    Event.EXPIRY: "MoU expiry",
}


@dataclass(frozen=True)
class MouDates:
    """The fields of an MoU its lifecycle depends on."""

    ref: str
    status: MouStatus
    signed: dt.date | None = None
    effective: dt.date | None = None
    expires: dt.date | None = None
    review: dt.date | None = None
    renewal_notice_months: int | None = None


@dataclass(frozen=True)
class LifecycleEvent:
    event: Event
    date: dt.date
    overdue: bool  # passed and not yet dealt with
    days: int  # from the as-of date to the event: negative once it has passed

    @property
    def title(self) -> str:
        return TITLES[self.event]

    def describe(self) -> str:
        """One phrase for a status line: 'Review due 19 Feb 2027, in 83 days'."""
        when = short_date(self.date)
        if self.overdue:
            ago = counted(-self.days, "day")
            return {
                Event.REVIEW: f"Review overdue since {when} ({ago})",
                Event.NOTICE: f"Renewal notice deadline passed on {when} ({ago} ago)",
                Event.EXPIRY: f"Expired on {when} ({ago} ago)",
            }[self.event]
        soon = "today" if self.days == 0 else f"in {counted(self.days, 'day')}"
        return {
            Event.REVIEW: f"Review due {when}, {soon}",
            Event.NOTICE: f"Renewal notice deadline {when}, {soon}",
            Event.EXPIRY: f"Expires {when}, {soon}",
        }[self.event]


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def short_date(value: dt.date) -> str:
    """19 Feb 2027: fixed English month names, whatever the machine's locale."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def renewal_notice_deadline(expires: dt.date | None, months: int | None) -> dt.date | None:
    """``expires`` less ``months`` calendar months: the same day of the month, or the month's
    last day where it has none (31 August less 6 months is 28 or 29 February)."""
    if expires is None or months is None:
        return None
    try:
        return expires - relativedelta(months=months)
    except (ValueError, OverflowError):  # before year 1: no deadline anyone can meet
        return None


def stage(mou: MouDates, as_of: dt.date) -> str:
    """Where the MoU stands as of a date: a status the programme office set (under review,
    renewed, terminated, expired), else, from its dates, draft (not signed by then), signed
    (not in effect yet), active, renewal window (from the notice deadline) or expired."""
    if mou.status in (MouStatus.UNDER_REVIEW, MouStatus.RENEWED, MouStatus.TERMINATED):
        return mou.status.value.replace("_", " ")
    if mou.status is MouStatus.EXPIRED or (mou.expires is not None and as_of >= mou.expires):
        return "expired"
    if mou.status is MouStatus.DRAFT or mou.signed is None or as_of < mou.signed:
        return "draft"
    if mou.effective is not None and as_of < mou.effective:
        return "signed"
    notice = renewal_notice_deadline(mou.expires, mou.renewal_notice_months)
    if notice is not None and as_of >= notice:
        return "renewal window"
    return "active"


def events(mou: MouDates, as_of: dt.date) -> list[LifecycleEvent]:
    """The MoU's dates that still concern the programme office as of a date, soonest first:
    every one still to come, and every one passed but not dealt with (overdue). A passed review
    date is dealt with by recording a later one or a status of under review, renewed,
    terminated or expired; a passed notice deadline or expiry by renewed, terminated or
    expired. An MoU that has ended (terminated or expired) has none."""
    if mou.status in ENDED:
        return []
    dated = [
        (Event.REVIEW, mou.review, REVIEW_DEALT_WITH),
        (
            Event.NOTICE,
            renewal_notice_deadline(mou.expires, mou.renewal_notice_months),
            RENEWAL_DEALT_WITH,
        ),
        (Event.EXPIRY, mou.expires, RENEWAL_DEALT_WITH),
    ]
    found = []
    for event, date, dealt_with in dated:
        if date is None:
            continue
        passed = date < as_of
        if passed and mou.status in dealt_with:
            continue
        found.append(LifecycleEvent(event, date, overdue=passed, days=(date - as_of).days))
    return sorted(found, key=lambda item: (item.date, list(Event).index(item.event)))


def next_event(mou: MouDates, as_of: dt.date) -> LifecycleEvent | None:
    """The date that needs the programme office first: the longest overdue, else the next."""
    found = events(mou, as_of)
    return found[0] if found else None


def mou_dates(mou: Any) -> MouDates:
    """The dates of a MoU record (a row of the mou table, or its model)."""
    return MouDates(
        ref=mou.ref,
        status=mou.status,
        signed=mou.signed,
        effective=mou.effective,
        expires=mou.expires,
        review=mou.review,
        renewal_notice_months=mou.renewal_notice_months,
    )
