"""Turning command-line text into typed field values, and typed values back into text for
confirmations. Every date goes through the one date parser."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any

from tracker.fields import FieldSpec, FieldType

CLEAR_WORDS = {"none", "-"}


def convert(
    spec: FieldSpec, raw: Any, *, today: dt.date, notes: list[str], db: str | None = None
) -> Any:
    """One option's value in the form the services take; ``none`` clears an optional field.
    ``db`` is where the reporting scheme comes from, for dates such as ``end of quarter``."""
    if not isinstance(raw, str):
        return raw  # already typed by Typer: numbers, booleans, choices
    text = raw.strip()
    clear = text.casefold() in CLEAR_WORDS
    match spec.field_type:
        case FieldType.TEXT | FieldType.LONG_TEXT:
            # An optional text field is cleared by 'none', as the help says; a required one
            # (a name, a title) takes the word as it is.
            return None if not spec.required and clear else raw
        case FieldType.DATE:
            return _date(spec.flag, raw, today=today, notes=notes, db=db)
        case FieldType.REF | FieldType.PERIOD:
            return None if clear else text
        case FieldType.NUMBER:
            return None if clear else number(spec.flag, text)
        case FieldType.REFS:
            if clear or not text:
                return []
            return [part.strip() for part in text.split(",") if part.strip()]
        case FieldType.ROWS:
            if clear or not text:
                return []
            return [_entry(spec, part, today=today, notes=notes, db=db) for part in _items(text)]
    return raw


def _items(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _entry(
    spec: FieldSpec, text: str, *, today: dt.date, notes: list[str], db: str | None
) -> dict[str, Any]:
    """'IT:signatory' → {person: IT, role: signatory}: columns in order, separated by ':'."""
    assert spec.rows is not None
    parts = [part.strip() for part in text.split(":")]
    entry: dict[str, Any] = {}
    for column, part in zip(spec.rows.columns, parts, strict=False):
        if not part:
            continue
        entry[column.key] = convert(column, part, today=today, notes=notes, db=db)
    return entry


def _date(flag: str, raw: str, *, today: dt.date, notes: list[str], db: str | None) -> Any:
    from tracker.cli.context import date_scheme
    from tracker.dates import parse_optional_date

    parsed = parse_optional_date(raw, field=flag, today=today, scheme=date_scheme(raw, db))
    if parsed is None:
        return None
    if parsed.note:
        notes.append(parsed.note)
    return parsed.value


def number(flag: str, text: str) -> int | float:
    from tracker.errors import InvalidInput

    cleaned = text.replace(",", "").replace("_", "").removeprefix("£")
    try:
        return int(cleaned)
    except ValueError:
        pass
    try:
        return float(cleaned)
    except ValueError:
        raise InvalidInput(
            f"{flag}: expected a number such as 1200000 or 2.5; got {text!r}"
        ) from None


def show(value: Any) -> str:
    """A stored value as a confirmation prints it."""
    from tracker.dates import format_date

    if value is None or value == []:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, list):
        return ", ".join(_show_entry(item) for item in value)
    return str(value)


def _show_entry(item: Any) -> str:
    """A list entry: its first column, then the rest in brackets: 'IT (signatory)'."""
    if isinstance(item, tuple):
        first, *rest = item
        shown = [show(part) for part in rest if part is not None]
        return f"{show(first)} ({', '.join(shown)})" if shown else show(first)
    return str(item)


def show_amount(value: Any, unit: str) -> str:
    """A KPI figure as a board reads it: £1,200,000, 12, 2.5 FTE, 85%."""
    if value is None:
        return ""
    digits = f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")
    if unit == "GBP":
        return f"£{digits}"
    if unit == "percent":
        return f"{digits}%"
    if unit == "FTE":
        return f"{digits} FTE"
    return digits


SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[Any]) -> str:
    """Values as bars from nothing to the largest (a gap where there is no value)."""
    known = [value for value in values if value is not None]
    top = max(known, default=0)
    bars = []
    for value in values:
        if value is None:
            bars.append("·")
        elif top <= 0:
            bars.append(SPARKS[0])
        else:
            bars.append(SPARKS[round(value / top * (len(SPARKS) - 1))])
    return "".join(bars)
