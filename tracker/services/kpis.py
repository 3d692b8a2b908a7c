"""KPIs against their targets (docs/rules.md, "KPIs"): per KPI and reporting period, the
target, the actual, attainment and RAG, and a short trend of quarterly actuals; and recording
an actual for a period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tracker.db import Reader
from tracker.enums import KpiDirection, KpiUnit
from tracker.errors import InvalidInput
from tracker.kinds import KPIS
from tracker.periods import Period, Scheme, last_ended_quarter, parse_period, parse_quarter
from tracker.scoring import (
    KpiFigures,
    KpiThresholds,
    Number,
    entries,
    kpi_figures,
    quarterly_actuals,
    quarters_to,
)
from tracker.services.lookup import current_mou
from tracker.services.records import RecordReader

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.services.editing import Saved

TREND_QUARTERS = 4


def choose_period(text: str | None, *, scheme: Scheme, today: dt.date, field: str) -> Period:
    """A period as typed: a quarter or year label, or current, previous or next (quarters);
    by default the latest quarter that has ended."""
    if text is None:
        return last_ended_quarter(today, scheme)
    if text.strip().casefold() in ("current", "previous", "next"):
        return parse_quarter(text, scheme=scheme, today=today)
    try:
        return parse_period(text, scheme=scheme)
    except InvalidInput as error:
        raise InvalidInput(error.message.replace("period:", f"{field}:", 1)) from None


@dataclass(frozen=True)
class KpiRow:
    """One KPI in one period."""

    ref: str
    name: str
    unit: str
    direction: str
    cumulative: bool
    theme: str | None
    institution: str | None
    baseline: Number | None
    target: Number | None
    actual: Number | None
    attainment_pct: float | None
    rag: str | None
    note: str | None
    # The last quarters' own actuals, oldest first: (quarter label, value or None).
    trend: list[tuple[str, Number | None]] = field(default_factory=list)


@dataclass(frozen=True)
class KpiTable:
    period: Period
    thresholds: KpiThresholds
    rows: list[KpiRow]


def _row(
    key: str, record: dict[str, Any], period: Period, thresholds: KpiThresholds, scheme: Scheme
) -> KpiRow:
    targets = entries(record["targets"], scheme)
    actuals = entries(record["actuals"], scheme)
    unit, direction = KpiUnit(record["unit"]), KpiDirection(record["direction"])
    figures: KpiFigures = kpi_figures(
        unit=unit,
        direction=direction,
        cumulative=record["cumulative"],
        targets=targets,
        actuals=actuals,
        period=period,
        thresholds=thresholds,
    )
    quarters = quarters_to(period, TREND_QUARTERS)
    trend = list(
        zip(
            [quarter.label for quarter in quarters],
            quarterly_actuals(actuals, period, TREND_QUARTERS),
            strict=True,
        )
    )
    return KpiRow(
        ref=key,
        name=record["name"],
        unit=unit.value,
        direction=direction.value,
        cumulative=record["cumulative"],
        theme=record["theme"],
        institution=record["institution"],
        baseline=record["baseline"],
        target=figures.target,
        actual=figures.actual,
        attainment_pct=figures.attainment_pct,
        rag=figures.rag.value if figures.rag else None,
        note=figures.note,
        trend=trend,
    )


def kpi_table(
    *, session: Reader, period: Period, thresholds: KpiThresholds, scheme: Scheme
) -> KpiTable:
    """Every KPI of the MoU in ``period``, by ref."""
    store = RecordReader(session, mou_id=current_mou(session=session).id)
    records = store.mou_records(KPIS)
    rows = [
        _row(key, record, period, thresholds, scheme) for key, record in sorted(records.items())
    ]
    return KpiTable(period=period, thresholds=thresholds, rows=rows)


@dataclass(frozen=True)
class Recorded:
    """An actual written for a period: what was there before (None: nothing), and the KPI's
    figures for that period now."""

    saved: Saved
    period: str
    value: Number | None
    previous: Number | None
    previous_note: str | None
    row: KpiRow


def record_actual(
    ref: str,
    value: Number | None,
    *,
    period: Period,
    note: str | None,
    session: Session,
    thresholds: KpiThresholds,
    scheme: Scheme,
) -> Recorded:
    """Set (or, with ``value`` None, remove) the KPI's actual for one period, replacing any
    recorded before for the same period. The KPI is locked before it is read."""
    from tracker.services.editing import find_record, write_changes  # writing: the ORM

    found = find_record(KPIS, ref, session=session, for_update=True, key_field="KPI")
    key, current = found.key, found.record
    label = period.label
    kept = [entry for entry in current["actuals"] if entry[0] != label]
    earlier = next((entry for entry in current["actuals"] if entry[0] == label), None)
    if value is None:
        if earlier is None:
            raise InvalidInput(f"--period: KPI {key} has no actual for {label} to remove")
        if note is not None:
            raise InvalidInput("--note: not with none; a removed actual has no note")
        actuals = kept
    else:
        actuals = [*kept, {"period": label, "value": value, "note": note}]
    saved = write_changes(KPIS, key, found.row, current, {"actuals": actuals}, store=found.store)
    figures = _row(key, saved.record, period, thresholds, scheme)
    return Recorded(
        saved=saved,
        period=label,
        value=value,
        previous=earlier[1] if earlier else None,
        previous_note=earlier[2] if earlier else None,
        row=figures,
    )
