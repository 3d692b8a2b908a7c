"""Risk scores and KPI attainment (docs/rules.md, "Risks, issues and assumptions" and "KPIs"):
plain arithmetic on values, with the bands and thresholds passed in (they are settings).

This module imports neither SQLAlchemy nor SQLModel: kinds name its functions for the values
a record derives (a risk's score and band), and the CLI may build on it at start-up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from tracker.enums import KpiDirection, KpiUnit, Rag
from tracker.errors import InvalidInput
from tracker.periods import Period, Quarter, Scheme, Year, parse_period

Number = int | float

# ---------------------------------------------------------------------------------------------
# Risks
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskBands:
    """A score at or above ``red`` is RED, at or above ``amber`` AMBER, else GREEN."""

    red: int = 15
    amber: int = 8

    @classmethod
    def from_settings(cls, settings: Mapping[str, str]) -> RiskBands:
        return cls(red=int(settings["risk_red_score"]), amber=int(settings["risk_amber_score"]))

    def band(self, score: int) -> Rag:
        if score >= self.red:
            return Rag.RED
        if score >= self.amber:
            return Rag.AMBER
        return Rag.GREEN

    def describe(self) -> str:
        """'RED 15 and above, AMBER 8 to 14, GREEN 7 and below'."""
        return (
            f"RED {self.red} and above, AMBER {self.amber} to {self.red - 1}, "
            f"GREEN {self.amber - 1} and below"
        )


def risk_score(likelihood: int | None, impact: int | None) -> int | None:
    """Likelihood × impact, each on a scale of 1 to 5."""
    if likelihood is None or impact is None:
        return None
    return likelihood * impact


def score_of(record: Mapping[str, Any], _settings: Mapping[str, str]) -> int | None:
    return risk_score(record.get("likelihood"), record.get("impact"))


def band_of(record: Mapping[str, Any], settings: Mapping[str, str]) -> str | None:
    score = score_of(record, settings)
    return None if score is None else RiskBands.from_settings(settings).band(score).value


def score_held_on(
    likelihood: int, impact: int, history: Sequence[tuple[Any, ...]], day: dt.date
) -> tuple[int, int]:
    """(likelihood, impact) a risk held at the end of ``day``, from its score history: each
    entry keeps the values that a change on its date replaced. The earliest change after the
    day says what was held then; with none, the risk still holds today's values."""
    later = [entry for entry in history if entry[3] is not None and entry[3] > day]
    if not later:
        return likelihood, impact
    first = min(later, key=lambda entry: entry[3])  # min is stable: the first of a day
    return first[0], first[1]


# ---------------------------------------------------------------------------------------------
# KPIs
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KpiThresholds:
    """Attainment (one decimal) at or above ``green`` percent is GREEN, at or above ``amber``
    percent AMBER, else RED."""

    green: int = 100
    amber: int = 80

    @classmethod
    def from_settings(cls, settings: Mapping[str, str]) -> KpiThresholds:
        return cls(green=int(settings["kpi_green_pct"]), amber=int(settings["kpi_amber_pct"]))

    def rag(self, attainment: float) -> Rag:
        if attainment >= self.green:
            return Rag.GREEN
        if attainment >= self.amber:
            return Rag.AMBER
        return Rag.RED

    def describe(self) -> str:
        return (
            f"GREEN at {self.green}% of target or more, AMBER from {self.amber}%, RED below "
            f"{self.amber}%"
        )


# Money and counts accumulate over a year; FTE and percentages are levels at a point in time.
FLOWS = frozenset({KpiUnit.GBP, KpiUnit.COUNT})


@dataclass(frozen=True)
class Entry:
    """A target or an actual, with the span of days its period covers."""

    period: Period
    value: Number
    note: str | None = None

    @property
    def span(self) -> tuple[dt.date, dt.date]:
        return self.period.start, self.period.end

    @property
    def is_year(self) -> bool:
        return isinstance(self.period, Year)

    def within(self, year: Period) -> bool:
        return year.start <= self.period.start and self.period.end <= year.end


def read_period(label: str, scheme: Scheme) -> Period | None:
    """A stored label as a period: in the scheme in use, or (a label written while another
    scheme was in use) the calendar scheme; None when it names no period either way."""
    for candidate in (scheme, Scheme.CALENDAR):
        try:
            return parse_period(label, scheme=candidate)
        except InvalidInput:
            continue
    return None


def entries(rows: Iterable[tuple[Any, ...]], scheme: Scheme) -> list[Entry]:
    """Stored (period, value[, note]) rows as entries; rows whose label no longer reads as a
    period (it cannot happen through mou) are left out."""
    found = []
    for row in rows:
        period = read_period(row[0], scheme)
        if period is not None and row[1] is not None:
            found.append(Entry(period, row[1], row[2] if len(row) > 2 else None))
    return found


@dataclass(frozen=True)
class KpiFigures:
    """One KPI in one period: the target and actual compared, attainment and RAG."""

    target: Number | None
    actual: Number | None
    attainment_pct: float | None
    rag: Rag | None
    note: str | None = None


def _own(items: list[Entry], period: Period) -> Entry | None:
    span = (period.start, period.end)
    return next((item for item in items if item.span == span), None)


def _combined(items: list[Entry], unit: KpiUnit) -> Number | None:
    """Several quarters' values as one: added up for a flow, the latest for a level."""
    if not items:
        return None
    if unit in FLOWS:
        return _tidy(sum(item.value for item in items))
    return max(items, key=lambda item: item.period.end).value


def value_in(items: list[Entry], period: Period, unit: KpiUnit) -> Number | None:
    """A period's own value; for a year with none of its own, its quarters' values combined."""
    own = _own(items, period)
    if own is not None:
        return own.value
    if isinstance(period, Year):
        return _combined([item for item in items if item.within(period)], unit)
    return None


def running_total(items: list[Entry], end: dt.date) -> Number | None:
    """Every value up to ``end``, across year boundaries. A year's own value counts once the
    year has ended, in place of its quarters' values; until then its quarters count."""
    ended_years = [item for item in items if item.is_year and item.period.end <= end]
    counted = list(ended_years)
    for item in items:
        if item.is_year or item.period.end > end:
            continue
        if any(item.within(year.period) for year in ended_years):
            continue
        counted.append(item)
    if not counted:
        return None
    return _tidy(sum(item.value for item in counted))


def _tidy(value: Number) -> Number:
    """Whole numbers stay whole; sums of decimals lose float noise (0.1 + 0.2 is 0.3)."""
    if isinstance(value, float):
        value = round(value, 9)
        if value.is_integer():
            return int(value)
    return value


def attainment(
    actual: Number, target: Number, direction: KpiDirection
) -> tuple[float | None, bool]:
    """Attainment in percent, one decimal (half up, computed exactly), and whether the target
    is met. Lower-is-better inverts the ratio. Where the ratio cannot be taken (a target of 0
    to beat, or an actual of 0 to stay under) there is no percentage."""
    met = actual >= target if direction is KpiDirection.HIGHER else actual <= target
    numerator, denominator = (
        (actual, target) if direction is KpiDirection.HIGHER else (target, actual)
    )
    if denominator == 0:
        return None, met
    ratio = Fraction(numerator) * 100 / Fraction(denominator)
    exact = Decimal(ratio.numerator) / Decimal(ratio.denominator)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)), met


def kpi_figures(
    *,
    unit: KpiUnit,
    direction: KpiDirection,
    cumulative: bool,
    targets: list[Entry],
    actuals: list[Entry],
    period: Period,
    thresholds: KpiThresholds,
) -> KpiFigures:
    """The KPI in ``period``: its own target and actual, or for a cumulative KPI the running
    total against the running target at the period's end. No target, no RAG; no actual
    recorded for the period, no RAG either (nothing reported is not nothing achieved)."""
    if cumulative:
        # The running total is known at the period's end only once the period's figure is
        # in: until then (a quarter to date) there is no actual to compare.
        recorded = _own(actuals, period) is not None or (
            isinstance(period, Year) and any(item.within(period) for item in actuals)
        )
        target = running_total(targets, period.end)
        actual = running_total(actuals, period.end) if recorded else None
    else:
        target = value_in(targets, period, unit)
        actual = value_in(actuals, period, unit)
    own = _own(actuals, period)
    note = own.note if own is not None else None
    if target is None or actual is None:
        return KpiFigures(target, actual, None, None, note)
    pct, met = attainment(actual, target, direction)
    # Where no ratio can be taken, the RAG says only whether the target was met.
    rag = (Rag.GREEN if met else Rag.RED) if pct is None else thresholds.rag(pct)
    return KpiFigures(target, actual, pct, rag, note)


def quarters_to(period: Period, count: int) -> list[Quarter]:
    """The ``count`` quarters that end with the period's last quarter, oldest first."""
    last = period if isinstance(period, Quarter) else period.quarters[-1]
    found = [last]
    while len(found) < count:
        try:
            found.insert(0, found[0].previous())
        except ValueError:  # the first quarter the calendar holds
            break
    return found


def quarterly_actuals(actuals: list[Entry], period: Period, count: int = 4) -> list[Number | None]:
    """Each of the last ``count`` quarters' own actuals (None where none was recorded)."""
    return [
        (found.value if (found := _own(actuals, quarter)) is not None else None)
        for quarter in quarters_to(period, count)
    ]
