"""Programme-office conventions stored in the database, with their defaults, and reading
them (``tracker.services.configure`` changes them).

They live with the data, not in a user's config file, so everyone sharing a database reports
the same way. Reports print the values in use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from tracker import tables
from tracker.db import Reader
from tracker.periods import Scheme, parse_period, parse_scheme
from tracker.scoring import KpiThresholds, RiskBands
from tracker.services.rag import Tolerances
from tracker.text import clean_text


def _days(value: str) -> str:
    text = value.strip()
    if not text.isdigit() or not 0 <= int(text) <= 3650:
        raise ValueError("a whole number of days from 0 to 3650")
    return str(int(text))


def _whole(low: int, high: int, what: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        text = value.strip()
        if not text.isdigit() or not low <= int(text) <= high:
            raise ValueError(f"a whole number {what} from {low} to {high}")
        return str(int(text))

    return parse


def _scheme(value: str) -> str:
    return parse_scheme(value).value


def _actor(value: str) -> str:
    text = clean_text(value, field="actor", max_len=64)
    if not text:
        raise ValueError("a name")
    return text


@dataclass(frozen=True)
class Setting:
    key: str
    default: str
    description: str
    parse: Callable[[str], str]  # returns the stored form, or raises ValueError(accepted form)


SETTINGS = {
    setting.key: setting
    for setting in (
        Setting(
            "scheme", Scheme.UK_FY.value, "reporting year: uk-fy, academic or calendar", _scheme
        ),
        Setting("green_tol_days", "7", "slippage up to this many days is still GREEN", _days),
        Setting("red_tol_days", "30", "slippage beyond this many days is RED", _days),
        Setting("actor", "", "who is recorded as making changes, when not told", _actor),
        Setting(
            "risk_red_score",
            "15",
            "a risk scoring this or more (likelihood × impact) is RED",
            _whole(1, 25, "(a risk score)"),
        ),
        Setting(
            "risk_amber_score",
            "8",
            "a risk scoring this or more, below the red score, is AMBER",
            _whole(1, 25, "(a risk score)"),
        ),
        Setting(
            "kpi_green_pct",
            "100",
            "a KPI at this % of its target or more is GREEN",
            _whole(0, 1000, "of percent"),
        ),
        Setting(
            "kpi_amber_pct",
            "80",
            "a KPI at this % of its target or more, below green, is AMBER",
            _whole(0, 1000, "of percent"),
        ),
    )
}

# Pairs of settings that must stay in order: the first may not exceed the second.
ORDERED = (
    ("green_tol_days", "red_tol_days"),
    ("risk_amber_score", "risk_red_score"),
    ("kpi_amber_pct", "kpi_green_pct"),
)


def out_of_order(values: dict[str, str]) -> tuple[str, str] | None:
    """The first pair of ``ORDERED`` whose values are the wrong way round, if any."""
    for low, high in ORDERED:
        if low in values and high in values and int(values[low]) > int(values[high]):
            return low, high
    return None


def stored_settings(*, session: Reader) -> dict[str, str]:
    """Every setting's value in force: stored, else its default."""
    values = {key: setting.default for key, setting in SETTINGS.items()}
    setting = tables.setting
    for key, value in session.execute(sa.select(setting.c.key, setting.c.value)):
        if key in values:
            values[key] = value
    return values


def tolerances(*, session: Reader) -> Tolerances:
    values = stored_settings(session=session)
    return Tolerances(
        green_days=int(values["green_tol_days"]), red_days=int(values["red_tol_days"])
    )


def risk_bands(*, session: Reader) -> RiskBands:
    return RiskBands.from_settings(stored_settings(session=session))


def kpi_thresholds(*, session: Reader) -> KpiThresholds:
    return KpiThresholds.from_settings(stored_settings(session=session))


def reporting_scheme(*, session: Reader) -> Scheme:
    return Scheme(stored_settings(session=session)["scheme"])


def period_parser(*, session: Reader) -> Callable[[str], str]:
    """Reads a period label (a quarter or a year) in the database's reporting scheme into its
    canonical form; the scheme is read only when a label is given."""

    def parse(text: str) -> str:
        return parse_period(text, scheme=reporting_scheme(session=session)).label

    return parse
