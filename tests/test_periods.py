"""Reporting periods: the tables of docs/rules.md as examples, then properties."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.errors import InvalidInput
from tracker.periods import (
    Quarter,
    Scheme,
    last_ended_quarter,
    parse_quarter,
    parse_scheme,
    quarter_of,
    year_bounds,
)

# A fixed "today" (FY2026/27 Q3, AY2026/27 Q2, 2026 Q4): no test reads the clock.
TODAY = date(2026, 11, 28)

FY, AY, CAL = Scheme.UK_FY, Scheme.ACADEMIC, Scheme.CALENDAR


# --- Scheme -------------------------------------------------------------------------------------


def test_scheme_values_and_start_months() -> None:
    assert [(s.value, s.start_month) for s in Scheme] == [
        ("uk-fy", 4),
        ("academic", 8),
        ("calendar", 1),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("uk-fy", FY),
        ("academic", AY),
        ("calendar", CAL),
        ("  UK-FY ", FY),
        ("Calendar", CAL),
    ],
)
def test_parse_scheme_accepts(text: str, expected: Scheme) -> None:
    assert parse_scheme(text) is expected


@pytest.mark.parametrize("text", ["", "fy", "uk_fy", "ukfy", "tax", "financial", "uk-fy!", "ac"])
def test_parse_scheme_refuses(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_scheme(text)
    assert str(caught.value) == f"scheme: expected one of uk-fy, academic, calendar; got {text!r}"


# --- The examples of docs/rules.md ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "scheme", "label"),
    [
        (date(2026, 2, 19), FY, "FY2025/26 Q4"),
        (date(2026, 2, 19), AY, "AY2025/26 Q3"),
        (date(2026, 2, 19), CAL, "2026 Q1"),
        (date(2026, 4, 1), FY, "FY2026/27 Q1"),
        (date(2027, 3, 31), FY, "FY2026/27 Q4"),
        # The tax year starts on 6 April; the financial year does not care.
        (date(2026, 4, 5), FY, "FY2026/27 Q1"),
        (date(2026, 3, 31), FY, "FY2025/26 Q4"),
        (date(2026, 7, 31), AY, "AY2025/26 Q4"),
        (date(2026, 8, 1), AY, "AY2026/27 Q1"),
        (date(2027, 1, 31), AY, "AY2026/27 Q2"),
        (date(2026, 12, 31), CAL, "2026 Q4"),
        (date(2027, 1, 1), CAL, "2027 Q1"),
        (date(2000, 1, 15), FY, "FY1999/00 Q4"),
    ],
)
def test_quarter_of_examples(day: date, scheme: Scheme, label: str) -> None:
    assert quarter_of(day, scheme).label == label


# Month -> (quarter number, start-year offset), written out from the docs/rules.md table rather than
# from the formula the code uses, so the two are checked against each other.
MONTH_TABLE: dict[Scheme, dict[int, tuple[int, int]]] = {
    FY: {
        4: (1, 0), 5: (1, 0), 6: (1, 0), 7: (2, 0), 8: (2, 0), 9: (2, 0),
        10: (3, 0), 11: (3, 0), 12: (3, 0), 1: (4, -1), 2: (4, -1), 3: (4, -1),
    },
    AY: {
        8: (1, 0), 9: (1, 0), 10: (1, 0), 11: (2, 0), 12: (2, 0), 1: (2, -1),
        2: (3, -1), 3: (3, -1), 4: (3, -1), 5: (4, -1), 6: (4, -1), 7: (4, -1),
    },
    CAL: {
        1: (1, 0), 2: (1, 0), 3: (1, 0), 4: (2, 0), 5: (2, 0), 6: (2, 0),
        7: (3, 0), 8: (3, 0), 9: (3, 0), 10: (4, 0), 11: (4, 0), 12: (4, 0),
    },
}  # fmt: skip


@pytest.mark.parametrize("scheme", list(Scheme))
@pytest.mark.parametrize("month", range(1, 13))
def test_quarter_of_every_month_matches_the_domain_table(scheme: Scheme, month: int) -> None:
    number, offset = MONTH_TABLE[scheme][month]
    assert quarter_of(date(2026, month, 10), scheme) == Quarter(scheme, 2026 + offset, number)


@pytest.mark.parametrize(
    ("quarter", "start", "end", "label", "year_label"),
    [
        (Quarter(FY, 2026, 1), date(2026, 4, 1), date(2026, 6, 30), "FY2026/27 Q1", "2026/27"),
        (Quarter(FY, 2026, 2), date(2026, 7, 1), date(2026, 9, 30), "FY2026/27 Q2", "2026/27"),
        (Quarter(FY, 2026, 3), date(2026, 10, 1), date(2026, 12, 31), "FY2026/27 Q3", "2026/27"),
        (Quarter(FY, 2026, 4), date(2027, 1, 1), date(2027, 3, 31), "FY2026/27 Q4", "2026/27"),
        (Quarter(AY, 2025, 1), date(2025, 8, 1), date(2025, 10, 31), "AY2025/26 Q1", "2025/26"),
        (Quarter(AY, 2025, 2), date(2025, 11, 1), date(2026, 1, 31), "AY2025/26 Q2", "2025/26"),
        (Quarter(AY, 2025, 3), date(2026, 2, 1), date(2026, 4, 30), "AY2025/26 Q3", "2025/26"),
        (Quarter(AY, 2025, 4), date(2026, 5, 1), date(2026, 7, 31), "AY2025/26 Q4", "2025/26"),
        (Quarter(CAL, 2026, 1), date(2026, 1, 1), date(2026, 3, 31), "2026 Q1", "2026"),
        (Quarter(CAL, 2026, 2), date(2026, 4, 1), date(2026, 6, 30), "2026 Q2", "2026"),
        (Quarter(CAL, 2026, 3), date(2026, 7, 1), date(2026, 9, 30), "2026 Q3", "2026"),
        (Quarter(CAL, 2026, 4), date(2026, 10, 1), date(2026, 12, 31), "2026 Q4", "2026"),
        # Leap February ends a quarter in two schemes.
        (Quarter(FY, 2027, 4), date(2028, 1, 1), date(2028, 3, 31), "FY2027/28 Q4", "2027/28"),
        (Quarter(CAL, 2028, 1), date(2028, 1, 1), date(2028, 3, 31), "2028 Q1", "2028"),
        (Quarter(AY, 2027, 3), date(2028, 2, 1), date(2028, 4, 30), "AY2027/28 Q3", "2027/28"),
        # The century turns inside the year label.
        (Quarter(FY, 1999, 1), date(1999, 4, 1), date(1999, 6, 30), "FY1999/00 Q1", "1999/00"),
        (Quarter(AY, 2099, 2), date(2099, 11, 1), date(2100, 1, 31), "AY2099/00 Q2", "2099/00"),
    ],
)
def test_quarter_bounds_and_labels(
    quarter: Quarter, start: date, end: date, label: str, year_label: str
) -> None:
    assert (quarter.start, quarter.end, quarter.label, quarter.year_label) == (
        start,
        end,
        label,
        year_label,
    )
    assert str(quarter) == label


@pytest.mark.parametrize(
    ("quarter", "after", "before"),
    [
        (Quarter(FY, 2026, 1), Quarter(FY, 2026, 2), Quarter(FY, 2025, 4)),
        (Quarter(FY, 2026, 4), Quarter(FY, 2027, 1), Quarter(FY, 2026, 3)),
        (Quarter(AY, 2025, 2), Quarter(AY, 2025, 3), Quarter(AY, 2025, 1)),
        (Quarter(CAL, 2026, 4), Quarter(CAL, 2027, 1), Quarter(CAL, 2026, 3)),
        (Quarter(CAL, 2026, 1), Quarter(CAL, 2026, 2), Quarter(CAL, 2025, 4)),
    ],
)
def test_next_and_previous(quarter: Quarter, after: Quarter, before: Quarter) -> None:
    assert quarter.next() == after
    assert quarter.previous() == before


def test_contains_includes_both_ends_only() -> None:
    q = Quarter(FY, 2026, 1)
    assert [q.contains(d) for d in (date(2026, 3, 31), date(2026, 4, 1))] == [False, True]
    assert [q.contains(d) for d in (date(2026, 6, 30), date(2026, 7, 1))] == [True, False]


def test_quarters_order_by_time_within_a_scheme() -> None:
    quarters = [Quarter(FY, 2026, 1), Quarter(FY, 2025, 4), Quarter(FY, 2026, 3)]
    assert sorted(quarters) == [Quarter(FY, 2025, 4), Quarter(FY, 2026, 1), Quarter(FY, 2026, 3)]


@pytest.mark.parametrize(
    ("scheme", "year", "number"),
    [
        (FY, 2026, 0),
        (FY, 2026, 5),
        (CAL, 2026, -1),
        # Bounds beyond what datetime.date can hold.
        (FY, 9999, 4),
        (AY, 9999, 2),
        (CAL, 0, 4),
        (FY, 0, 3),
        (CAL, 10000, 1),
    ],
)
def test_quarter_refuses_impossible_values(scheme: Scheme, year: int, number: int) -> None:
    with pytest.raises(ValueError, match="quarter"):
        Quarter(scheme, year, number)


def test_quarters_at_the_edges_of_the_date_range() -> None:
    # Every real date must have a quarter, even where the scheme year sticks out of the range.
    assert quarter_of(date.min, FY) == Quarter(FY, 0, 4)
    assert quarter_of(date.max, FY) == Quarter(FY, 9999, 3)
    assert quarter_of(date(9999, 10, 31), AY) == Quarter(AY, 9999, 1)
    # The one exception: AY9999/00 Q2 would end in January 10000.
    with pytest.raises(ValueError, match="out of date range"):
        quarter_of(date(9999, 11, 1), AY)
    assert Quarter(FY, 0, 4).label == "FY0000/01 Q4"
    assert Quarter(FY, 9999, 3).label == "FY9999/00 Q3"


@pytest.mark.parametrize(
    ("day", "scheme", "bounds"),
    [
        (date(2026, 11, 28), FY, (date(2026, 4, 1), date(2027, 3, 31))),
        (date(2026, 3, 31), FY, (date(2025, 4, 1), date(2026, 3, 31))),
        (date(2026, 4, 1), FY, (date(2026, 4, 1), date(2027, 3, 31))),
        (date(2026, 11, 28), AY, (date(2026, 8, 1), date(2027, 7, 31))),
        (date(2026, 7, 31), AY, (date(2025, 8, 1), date(2026, 7, 31))),
        (date(2026, 11, 28), CAL, (date(2026, 1, 1), date(2026, 12, 31))),
    ],
)
def test_year_bounds(day: date, scheme: Scheme, bounds: tuple[date, date]) -> None:
    assert year_bounds(day, scheme) == bounds


@pytest.mark.parametrize(
    ("today", "scheme", "label"),
    [
        (TODAY, FY, "FY2026/27 Q2"),
        (TODAY, AY, "AY2026/27 Q1"),
        (TODAY, CAL, "2026 Q3"),
        # On the first day of a quarter the one that just ended is the previous one...
        (date(2026, 4, 1), FY, "FY2025/26 Q4"),
        # ...and on its last day the quarter has not ended yet.
        (date(2026, 6, 30), FY, "FY2025/26 Q4"),
        (date(2026, 1, 1), CAL, "2025 Q4"),
    ],
)
def test_last_ended_quarter(today: date, scheme: Scheme, label: str) -> None:
    assert last_ended_quarter(today, scheme).label == label


# --- parse_quarter ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "scheme", "expected"),
    [
        # Canonical labels and their obvious variants.
        ("FY2026/27 Q1", FY, Quarter(FY, 2026, 1)),
        ("fy2026/27 q1", FY, Quarter(FY, 2026, 1)),
        ("  FY 2026 / 27   Q1  ", FY, Quarter(FY, 2026, 1)),
        ("2026/27 Q1", FY, Quarter(FY, 2026, 1)),
        ("FY26/27 Q2", FY, Quarter(FY, 2026, 2)),
        ("FY2026-27 Q3", FY, Quarter(FY, 2026, 3)),
        ("FY2026/2027 Q4", FY, Quarter(FY, 2026, 4)),
        ("FY2026/27Q1", FY, Quarter(FY, 2026, 1)),
        ("FY2026/27-Q1", FY, Quarter(FY, 2026, 1)),
        ("Q1 FY2026/27", FY, Quarter(FY, 2026, 1)),
        ("Q1 2026/27", FY, Quarter(FY, 2026, 1)),
        ("q4-fy2026/27", FY, Quarter(FY, 2026, 4)),
        ("FY1999/00 Q4", FY, Quarter(FY, 1999, 4)),
        ("AY2025/26 Q3", AY, Quarter(AY, 2025, 3)),
        ("2025/26 Q3", AY, Quarter(AY, 2025, 3)),
        ("Q3 AY25/26", AY, Quarter(AY, 2025, 3)),
        ("2026 Q1", CAL, Quarter(CAL, 2026, 1)),
        ("2026-Q1", CAL, Quarter(CAL, 2026, 1)),
        ("2026Q1", CAL, Quarter(CAL, 2026, 1)),
        ("Q1 2026", CAL, Quarter(CAL, 2026, 1)),
        ("q4 2026", CAL, Quarter(CAL, 2026, 4)),
        # An explicit prefix names its own scheme, whatever the scheme in use.
        ("AY2025/26 Q3", FY, Quarter(AY, 2025, 3)),
        ("FY2026/27 Q1", AY, Quarter(FY, 2026, 1)),
        ("FY2026/27 Q1", CAL, Quarter(FY, 2026, 1)),
        # Relative to today (28 Nov 2026).
        ("current", FY, Quarter(FY, 2026, 3)),
        ("previous", FY, Quarter(FY, 2026, 2)),
        ("next", FY, Quarter(FY, 2026, 4)),
        (" Current ", AY, Quarter(AY, 2026, 2)),
        ("PREVIOUS", AY, Quarter(AY, 2026, 1)),
        ("next", AY, Quarter(AY, 2026, 3)),
        ("current", CAL, Quarter(CAL, 2026, 4)),
        ("next", CAL, Quarter(CAL, 2027, 1)),
    ],
)
def test_parse_quarter_accepts(text: str, scheme: Scheme, expected: Quarter) -> None:
    assert parse_quarter(text, scheme=scheme, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "scheme"),
    [
        ("", FY),
        ("   ", FY),
        ("Q1", FY),
        ("2026", CAL),
        ("FY2026/27", FY),
        ("FY2026/28 Q1", FY),  # the years of a pair must be consecutive
        ("2026/28 Q1", FY),
        ("FY2026/26 Q1", FY),
        ("FY2026/2028 Q1", FY),
        ("FY2026/27 Q5", FY),
        ("FY2026/27 Q0", FY),
        ("FY2026 Q1", FY),  # "FY2026" means opposite years to different people
        ("2026 Q1", FY),  # a calendar label while reporting by financial year
        ("2026 Q1", AY),
        ("2026/27 Q1", CAL),  # FY or AY? not said
        ("26/27 Q1", FY),  # two-digit years only with their prefix
        ("FY26/2027 Q1", FY),
        ("26 Q1", CAL),
        ("Q12026", CAL),
        ("CY2026 Q1", CAL),
        ("TY2026/27 Q1", FY),
        ("FY2026/27 Q1 Q2", FY),
        ("FY2026/27 quarter 1", FY),
        ("FY2026/27 Q1x", FY),
        ("FY2026\\27 Q1", FY),
        ("FY\uff12\uff10\uff12\uff16/27 Q1", FY),  # full-width digits
        ("last", FY),
        ("this", FY),
        ("FY2026/27 Q1\x00", FY),
        ("FY9999/10000 Q1", FY),
        ("FY0000/01 Q1", FY),  # would start before 1 Jan 0001
    ],
)
def test_parse_quarter_refuses(text: str, scheme: Scheme) -> None:
    example = {FY: "FY2026/27 Q3", AY: "AY2026/27 Q2", CAL: "2026 Q4"}[scheme]
    with pytest.raises(InvalidInput) as caught:
        parse_quarter(text, scheme=scheme, today=TODAY)
    assert str(caught.value) == (
        f"quarter: expected a label such as {example} (or current, previous, next); got {text!r}"
    )


def test_parse_quarter_relative_words_fail_cleanly_at_the_end_of_time() -> None:
    with pytest.raises(InvalidInput, match="got 'next'"):
        parse_quarter("next", scheme=CAL, today=date.max)
    with pytest.raises(InvalidInput, match="got 'previous'"):
        parse_quarter("previous", scheme=CAL, today=date.min)


# --- Properties ---------------------------------------------------------------------------------

schemes = st.sampled_from(list(Scheme))
# Every date that has a quarter in every scheme (see test_quarters_at_the_edges_of_the_date_range).
all_dates = st.dates(max_value=date(9999, 10, 31))
# Keep a year clear of date's limits so that next() and previous() always exist.
inner_dates = st.dates(min_value=date(3, 1, 1), max_value=date(9998, 1, 1))
inner_quarters = st.builds(quarter_of, inner_dates, schemes)


@given(all_dates, schemes)
def test_every_date_is_in_its_quarter(d: date, scheme: Scheme) -> None:
    q = quarter_of(d, scheme)
    assert q.contains(d)
    assert q.start <= d <= q.end
    assert q.scheme is scheme


@given(inner_dates, schemes)
def test_every_date_is_in_exactly_one_quarter(d: date, scheme: Scheme) -> None:
    q = quarter_of(d, scheme)
    neighbours = [q.previous().previous(), q.previous(), q, q.next(), q.next().next()]
    assert [n.contains(d) for n in neighbours] == [False, False, True, False, False]
    # Every quarter of the scheme year (and the years either side) except q refuses d.
    year = [Quarter(scheme, y, n) for y in (q.start_year - 1, q.start_year, q.start_year + 1)
            for n in range(1, 5)]  # fmt: skip
    assert [other for other in year if other.contains(d)] == [q]


@given(inner_quarters)
def test_quarters_tile_time(q: Quarter) -> None:
    assert q.next().start == q.end + timedelta(days=1)
    assert q.previous().end == q.start - timedelta(days=1)
    assert q.start.day == 1
    assert (q.end + timedelta(days=1)).day == 1
    # A quarter is three whole months: 89 to 92 days.
    assert 89 <= (q.end - q.start).days + 1 <= 92
    assert quarter_of(q.start, q.scheme) == q
    assert quarter_of(q.end, q.scheme) == q


@given(inner_dates, schemes)
def test_four_quarters_make_the_year(d: date, scheme: Scheme) -> None:
    first, last = year_bounds(d, scheme)
    quarters = [Quarter(scheme, quarter_of(d, scheme).start_year, n) for n in range(1, 5)]
    assert quarters[0].start == first
    assert quarters[3].end == last
    assert first.month == scheme.start_month
    assert first.day == 1
    assert last == first.replace(year=first.year + 1) - timedelta(days=1)
    for a, b in itertools.pairwise(quarters):
        assert a.next() == b
        assert b.start == a.end + timedelta(days=1)
    assert sum((q.end - q.start).days + 1 for q in quarters) == (last - first).days + 1
    assert first <= d <= last


@given(inner_quarters)
def test_next_and_previous_are_inverse(q: Quarter) -> None:
    assert q.previous().next() == q
    assert q.next().previous() == q
    assert q.previous() < q < q.next()


@given(st.builds(quarter_of, all_dates, schemes), schemes, all_dates)
def test_labels_parse_back(q: Quarter, scheme_in_use: Scheme, today: date) -> None:
    # In its own scheme every canonical label parses back; a prefixed label from any scheme.
    assert parse_quarter(q.label, scheme=q.scheme, today=today) == q
    if q.scheme is not Scheme.CALENDAR:
        assert parse_quarter(q.label, scheme=scheme_in_use, today=today) == q
        assert parse_quarter(q.label.lower(), scheme=scheme_in_use, today=today) == q


@given(inner_dates, schemes)
def test_relative_words_follow_the_quarter_of_today(today: date, scheme: Scheme) -> None:
    current = quarter_of(today, scheme)
    assert parse_quarter("current", scheme=scheme, today=today) == current
    assert parse_quarter("previous", scheme=scheme, today=today) == current.previous()
    assert parse_quarter("previous", scheme=scheme, today=today).end < today
    assert parse_quarter("next", scheme=scheme, today=today).start > today
    assert last_ended_quarter(today, scheme) == current.previous()


@given(st.text(), schemes)
def test_parse_quarter_only_ever_refuses_with_invalid_input(text: str, scheme: Scheme) -> None:
    try:
        q = parse_quarter(text, scheme=scheme, today=TODAY)
    except InvalidInput as error:
        assert str(error).endswith(f"got {text!r}")
    else:
        assert isinstance(q, Quarter)
