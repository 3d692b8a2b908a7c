"""The MoU's own dates (docs/rules.md, "The MoU's lifecycle"): the renewal notice deadline,
where an MoU stands as of a date, and which of its dates still need the programme office."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import examples
from tracker.enums import MouStatus
from tracker.services.lifecycle import (
    Event,
    MouDates,
    events,
    next_event,
    renewal_notice_deadline,
    short_date,
    stage,
)


@pytest.mark.parametrize(
    ("expires", "months", "deadline"),
    [
        (dt.date(2031, 2, 18), 12, dt.date(2030, 2, 18)),
        (dt.date(2031, 8, 31), 6, dt.date(2031, 2, 28)),  # no 31 February: its last day
        (dt.date(2032, 8, 31), 6, dt.date(2032, 2, 29)),  # a leap year
        (dt.date(2031, 3, 31), 1, dt.date(2031, 2, 28)),
        (dt.date(2031, 5, 31), 1, dt.date(2031, 4, 30)),
        (dt.date(2031, 1, 15), 13, dt.date(2029, 12, 15)),
        (dt.date(2031, 1, 15), 0, dt.date(2031, 1, 15)),
        (dt.date(1, 6, 30), 120, None),  # before the calendar begins: no deadline
        (None, 12, None),
        (dt.date(2031, 2, 18), None, None),
    ],
)
def test_renewal_notice_deadline(
    expires: dt.date | None, months: int | None, deadline: dt.date | None
) -> None:
    assert renewal_notice_deadline(expires, months) == deadline


@settings(max_examples=examples(200, 2000))
@given(
    expires=st.dates(min_value=dt.date(1910, 1, 1), max_value=dt.date(2199, 12, 31)),
    months=st.integers(0, 120),
)
def test_the_deadline_is_the_same_day_months_earlier_or_the_month_end(
    expires: dt.date, months: int
) -> None:
    deadline = renewal_notice_deadline(expires, months)
    assert deadline is not None
    assert deadline <= expires
    total = expires.year * 12 + expires.month - 1 - months
    assert (deadline.year, deadline.month) == (total // 12, total % 12 + 1)
    last = calendar.monthrange(deadline.year, deadline.month)[1]
    assert deadline.day == min(expires.day, last)


OXF = MouDates(
    ref="OXF-LIV-2026",
    status=MouStatus.ACTIVE,
    signed=dt.date(2026, 2, 19),
    effective=dt.date(2026, 2, 19),
    expires=dt.date(2031, 2, 18),
    review=dt.date(2027, 2, 19),
    renewal_notice_months=12,
)


def with_status(status: MouStatus) -> MouDates:
    return MouDates(**{**OXF.__dict__, "status": status})


@pytest.mark.parametrize(
    ("mou", "as_of", "expected"),
    [
        (OXF, dt.date(2026, 11, 28), "active"),
        (OXF, dt.date(2030, 2, 17), "active"),
        (OXF, dt.date(2030, 2, 18), "renewal window"),  # from the notice deadline
        (OXF, dt.date(2031, 2, 17), "renewal window"),
        (OXF, dt.date(2031, 2, 18), "expired"),  # from the expiry date
        (OXF, dt.date(2026, 2, 18), "draft"),  # not signed yet
        (
            MouDates(**{**OXF.__dict__, "effective": dt.date(2026, 4, 1)}),
            dt.date(2026, 3, 1),
            "signed",  # signed, in effect from April
        ),
        (with_status(MouStatus.DRAFT), dt.date(2026, 11, 28), "draft"),
        (MouDates(ref="X", status=MouStatus.ACTIVE), dt.date(2026, 11, 28), "draft"),
        (with_status(MouStatus.UNDER_REVIEW), dt.date(2031, 6, 1), "under review"),
        (with_status(MouStatus.RENEWED), dt.date(2031, 6, 1), "renewed"),
        (with_status(MouStatus.TERMINATED), dt.date(2026, 11, 28), "terminated"),
        (with_status(MouStatus.EXPIRED), dt.date(2026, 11, 28), "expired"),
    ],
)
def test_stage(mou: MouDates, as_of: dt.date, expected: str) -> None:
    assert stage(mou, as_of) == expected


def summary(mou: MouDates, as_of: dt.date) -> list[tuple[str, str, bool]]:
    return [(item.event.value, item.date.isoformat(), item.overdue) for item in events(mou, as_of)]


def test_every_date_to_come_and_every_passed_date_not_dealt_with() -> None:
    assert summary(OXF, dt.date(2026, 11, 28)) == [
        ("review", "2027-02-19", False),
        ("notice", "2030-02-18", False),
        ("expiry", "2031-02-18", False),
    ]
    assert summary(OXF, dt.date(2027, 2, 19)) == summary(OXF, dt.date(2026, 11, 28))
    assert summary(OXF, dt.date(2027, 2, 20))[0] == ("review", "2027-02-19", True)
    assert summary(OXF, dt.date(2032, 1, 1)) == [
        ("review", "2027-02-19", True),
        ("notice", "2030-02-18", True),
        ("expiry", "2031-02-18", True),
    ]


@pytest.mark.parametrize(
    ("status", "left"),
    [
        (MouStatus.ACTIVE, ["review", "notice", "expiry"]),
        (MouStatus.SIGNED, ["review", "notice", "expiry"]),
        (MouStatus.UNDER_REVIEW, ["notice", "expiry"]),  # deals with the review only
        (MouStatus.RENEWED, []),
        (MouStatus.TERMINATED, []),
        (MouStatus.EXPIRED, []),
    ],
)
def test_what_each_status_deals_with(status: MouStatus, left: list[str]) -> None:
    assert [item[0] for item in summary(with_status(status), dt.date(2032, 1, 1))] == left


def test_a_renewed_mou_still_has_its_dates_to_come() -> None:
    renewed = MouDates(
        **{**OXF.__dict__, "status": MouStatus.RENEWED, "review": dt.date(2033, 2, 19)}
    )
    assert summary(renewed, dt.date(2032, 1, 1)) == [("review", "2033-02-19", False)]


def test_an_ended_mou_has_no_dates_left() -> None:
    ended = with_status(MouStatus.TERMINATED)
    assert events(ended, dt.date(2026, 11, 28)) == []
    assert next_event(ended, dt.date(2026, 11, 28)) is None


@pytest.mark.parametrize(
    ("as_of", "phrase"),
    [
        (dt.date(2026, 11, 28), "Review due 19 Feb 2027, in 83 days"),
        (dt.date(2027, 2, 18), "Review due 19 Feb 2027, in 1 day"),
        (dt.date(2027, 2, 19), "Review due 19 Feb 2027, today"),
        (dt.date(2027, 2, 20), "Review overdue since 19 Feb 2027 (1 day)"),
        (dt.date(2027, 3, 1), "Review overdue since 19 Feb 2027 (10 days)"),
    ],
)
def test_the_next_event_in_words(as_of: dt.date, phrase: str) -> None:
    found = next_event(OXF, as_of)
    assert found is not None
    assert found.describe() == phrase


def test_the_other_events_in_words() -> None:
    no_review = MouDates(**{**OXF.__dict__, "review": None})
    notice = next_event(no_review, dt.date(2030, 1, 1))
    assert notice is not None and notice.event is Event.NOTICE
    assert notice.describe() == "Renewal notice deadline 18 Feb 2030, in 48 days"
    late = next_event(no_review, dt.date(2030, 3, 1))
    assert late is not None
    assert late.describe() == "Renewal notice deadline passed on 18 Feb 2030 (11 days ago)"
    expired = events(no_review, dt.date(2031, 3, 1))[-1]
    assert expired.describe() == "Expired on 18 Feb 2031 (11 days ago)"
    ahead = events(no_review, dt.date(2030, 3, 1))[-1]
    assert ahead.describe() == "Expires 18 Feb 2031, in 354 days"


def test_short_dates_do_not_follow_the_locale() -> None:
    assert short_date(dt.date(2027, 2, 9)) == "9 Feb 2027"
