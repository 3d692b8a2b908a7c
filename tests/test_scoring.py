"""Risk scores and KPI arithmetic (docs/rules.md, "Risks, issues and assumptions" and "KPIs"),
as plain functions: the band and RAG edges, rounding, running totals across year ends and the
score a risk held on a given day."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.enums import KpiDirection, KpiUnit, Rag
from tracker.periods import Quarter, Scheme, Year
from tracker.scoring import (
    Entry,
    KpiThresholds,
    RiskBands,
    attainment,
    entries,
    kpi_figures,
    quarterly_actuals,
    read_period,
    running_total,
    score_held_on,
    value_in,
)

FY = Scheme.UK_FY
D = dt.date


@pytest.mark.parametrize(
    ("score", "band"),
    [(1, "GREEN"), (7, "GREEN"), (8, "AMBER"), (14, "AMBER"), (15, "RED"), (25, "RED")],
)
def test_default_risk_bands_at_their_edges(score: int, band: str) -> None:
    assert RiskBands().band(score) is Rag(band)


def test_bands_describe_themselves() -> None:
    assert RiskBands().describe() == "RED 15 and above, AMBER 8 to 14, GREEN 7 and below"
    assert RiskBands(red=20, amber=10).describe() == (
        "RED 20 and above, AMBER 10 to 19, GREEN 9 and below"
    )


@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 25), st.integers(1, 25))
def test_a_band_follows_the_score(likelihood: int, impact: int, low: int, high: int) -> None:
    bands = RiskBands(red=max(low, high), amber=min(low, high))
    score = likelihood * impact
    expected = Rag.RED if score >= bands.red else Rag.AMBER if score >= bands.amber else Rag.GREEN
    assert bands.band(score) is expected


@pytest.mark.parametrize(
    ("pct", "rag"),
    [(79.9, Rag.RED), (80.0, Rag.AMBER), (99.9, Rag.AMBER), (100.0, Rag.GREEN), (250.0, Rag.GREEN)],
)
def test_default_kpi_thresholds_at_their_edges(pct: float, rag: Rag) -> None:
    assert KpiThresholds().rag(pct) is rag


@pytest.mark.parametrize(
    ("actual", "target", "direction", "expected"),
    [
        (799, 1000, KpiDirection.HIGHER, (79.9, False)),
        (1599, 2000, KpiDirection.HIGHER, (80.0, False)),  # 79.95, half up
        (1, 3, KpiDirection.HIGHER, (33.3, False)),
        (2, 3, KpiDirection.HIGHER, (66.7, False)),
        (0.1 + 0.2, 0.3, KpiDirection.HIGHER, (100.0, True)),  # float noise stays out
        (75, 60, KpiDirection.LOWER, (80.0, False)),
        (60, 60, KpiDirection.LOWER, (100.0, True)),
        (5, 0, KpiDirection.HIGHER, (None, True)),
        (0, 60, KpiDirection.LOWER, (None, True)),
        (3, 0, KpiDirection.LOWER, (0.0, False)),
    ],
)
def test_attainment(
    actual: float, target: float, direction: KpiDirection, expected: tuple[float | None, bool]
) -> None:
    assert attainment(actual, target, direction) == expected


@given(st.integers(0, 10**12), st.integers(1, 10**12))
def test_attainment_is_exact_and_rounded_half_up(actual: int, target: int) -> None:
    pct, met = attainment(actual, target, KpiDirection.HIGHER)
    exact = Fraction(actual * 100, target)
    rounded = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    assert pct == float(rounded)
    assert met is (actual >= target)
    inverse, inverse_met = attainment(target, actual, KpiDirection.LOWER) if actual else (0, 0)
    if actual:  # lower is better: the same ratio the other way up
        assert inverse == pct and inverse_met is (target <= actual)


def q(year: int, number: int) -> Quarter:
    return Quarter(FY, year, number)


def entry(period: Quarter | Year, value: float) -> Entry:
    return Entry(period, value)


def test_a_running_total_crosses_the_year_end() -> None:
    items = [entry(q(2026, 4), 700), entry(q(2027, 1), 900), entry(q(2027, 2), 50)]
    assert running_total(items, q(2026, 3).end) is None
    assert running_total(items, q(2026, 4).end) == 700
    assert running_total(items, q(2027, 1).end) == 1600
    assert running_total(items, q(2027, 2).end) == 1650


def test_a_years_own_value_replaces_its_quarters_once_it_has_ended() -> None:
    items = [entry(Year(FY, 2026), 1500), entry(q(2026, 1), 200), entry(q(2027, 1), 1000)]
    assert running_total(items, q(2026, 1).end) == 200  # the year has not ended yet
    assert running_total(items, q(2026, 4).end) == 1500  # it has: its own figure
    assert running_total(items, q(2027, 1).end) == 2500


@given(st.lists(st.tuples(st.integers(2024, 2029), st.integers(1, 4), st.integers(0, 10**6))))
def test_a_running_total_of_quarters_is_their_sum(values: list[tuple[int, int, int]]) -> None:
    unique = {(year, number): value for year, number, value in values}
    items = [entry(q(year, number), value) for (year, number), value in unique.items()]
    end = q(2027, 2).end
    expected = [value for (year, number), value in unique.items() if q(year, number).end <= end]
    assert running_total(items, end) == (sum(expected) if expected else None)


def test_a_year_without_its_own_value_combines_its_quarters() -> None:
    items = [entry(q(2026, 1), 2), entry(q(2026, 2), 4.5), entry(q(2027, 1), 9)]
    year = Year(FY, 2026)
    assert value_in(items, year, KpiUnit.COUNT) == 6.5  # flows add up
    assert value_in(items, year, KpiUnit.FTE) == 4.5  # levels: the latest quarter
    assert value_in(items, year, KpiUnit.PERCENT) == 4.5
    assert value_in([*items, entry(year, 7)], year, KpiUnit.COUNT) == 7  # its own, if any
    assert value_in(items, q(2026, 3), KpiUnit.COUNT) is None


def test_labels_are_read_in_the_scheme_in_use_or_as_calendar_labels() -> None:
    assert read_period("FY2026/27 Q1", FY) == q(2026, 1)
    assert read_period("2026 Q2", FY) == Quarter(Scheme.CALENDAR, 2026, 2)
    assert read_period("nonsense", FY) is None
    # A calendar quarter covering the same months as a financial one is the same period.
    found = entries([("2026 Q2", 5, None)], FY)
    assert value_in(found, q(2026, 1), KpiUnit.COUNT) == 5


def test_no_target_or_no_actual_means_no_rag() -> None:
    common = {
        "unit": KpiUnit.COUNT,
        "direction": KpiDirection.HIGHER,
        "thresholds": KpiThresholds(),
        "period": q(2026, 2),
    }
    none = kpi_figures(cumulative=False, targets=[], actuals=[entry(q(2026, 2), 3)], **common)  # type: ignore[arg-type]
    assert (none.target, none.actual, none.attainment_pct, none.rag) == (None, 3, None, None)
    missing = kpi_figures(
        cumulative=True,
        targets=[entry(q(2026, 1), 3), entry(q(2026, 2), 3)],
        actuals=[entry(q(2026, 1), 3)],
        **common,  # type: ignore[arg-type]
    )
    assert (missing.target, missing.actual, missing.rag) == (6, None, None)


def test_the_trend_is_each_quarters_own_actual() -> None:
    items = [entry(q(2026, 1), 3), entry(q(2026, 2), 4), entry(Year(FY, 2025), 9)]
    assert quarterly_actuals(items, q(2026, 2)) == [None, None, 3, 4]
    assert quarterly_actuals(items, Year(FY, 2026)) == [3, 4, None, None]


HISTORY = [(4, 4, "after the workshop", D(2026, 10, 9)), (3, 4, "second round", D(2026, 11, 20))]


@pytest.mark.parametrize(
    ("day", "held"),
    [
        (D(2026, 9, 30), (4, 4)),
        (D(2026, 10, 8), (4, 4)),
        (D(2026, 10, 9), (3, 4)),  # the change of the 9th was made by the end of that day
        (D(2026, 11, 19), (3, 4)),
        (D(2026, 11, 20), (2, 2)),
        (D(2027, 1, 1), (2, 2)),
    ],
)
def test_the_score_held_on_a_day(day: dt.date, held: tuple[int, int]) -> None:
    assert score_held_on(2, 2, HISTORY, day) == held
