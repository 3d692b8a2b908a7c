"""Turning command-line text into typed field values, and typed values back into text for
confirmations. Every date goes through the one date parser."""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import Any

from tracker.errors import InvalidInput
from tracker.fields import FieldSpec, FieldType, in_the_future

CLEAR_WORDS = {"none", "-"}


def convert(
    spec: FieldSpec,
    raw: Any,
    *,
    today: dt.date,
    notes: list[str],
    db: str | None = None,
    flag: str | None = None,
) -> Any:
    """One option's value in the form the services take; ``none`` clears an optional field.
    ``db`` is where the reporting scheme comes from, for dates such as ``end of quarter``.
    ``flag`` is what a message calls the value (by default the field's own option)."""
    if not isinstance(raw, str):
        return raw  # already typed by Typer: numbers, booleans, choices
    flag = flag or spec.flag
    text = raw.strip()
    clear = text.casefold() in CLEAR_WORDS
    match spec.field_type:
        case FieldType.TEXT | FieldType.LONG_TEXT:
            # An optional text field is cleared by 'none', as the help says; a required one
            # (a name, a title) takes the word as it is.
            return None if not spec.required and clear else raw
        case FieldType.DATE:
            day = _date(flag, raw, today=today, notes=notes, db=db)
            wrong = in_the_future(spec, day, today)
            if wrong is not None:
                raise InvalidInput(f"{flag}: {wrong}")
            return day
        case FieldType.REF | FieldType.PERIOD:
            return None if clear else text
        case FieldType.NUMBER:
            return None if clear else number(flag, text)
        case FieldType.INT:
            return None if clear else whole_number(flag, text)
        case FieldType.REFS:
            return [] if clear or not text else _items(flag, raw, "refs such as OXF,LIV")
        case FieldType.ROWS:
            if clear or not text:
                return []
            assert spec.rows is not None
            form = ":".join(column.key for column in spec.rows.columns)
            return [
                _entry(spec, part, today=today, notes=notes, db=db)
                for part in _items(flag, raw, f"entries {form}, separated by commas")
            ]
    return raw


def _items(flag: str, text: str, form: str) -> list[str]:
    """A list option's entries (an empty value, like 'none', is an empty list). A comma at the
    end is forgiven; any other empty entry is refused rather than dropped, so that a slip
    such as ',' or 'OXF,,LIV' never empties or shortens a list unseen."""
    items = [item.strip() for item in text.split(",")]
    if len(items) > 1 and not items[-1]:
        items.pop()
    if not all(items):
        raise InvalidInput(
            f"{flag}: expected {form}, or none to clear the list; got an empty entry in {text!r}"
        )
    return items


def _entry(
    spec: FieldSpec, text: str, *, today: dt.date, notes: list[str], db: str | None
) -> dict[str, Any]:
    """'IT:signatory' → {person: IT, role: signatory}: columns in order, separated by ':'."""
    assert spec.rows is not None
    parts = [part.strip() for part in text.split(":")]
    columns = spec.rows.columns
    # A part left empty ('JONES:') or one too many ('JONES:host:x') is a slip: taking the
    # default role for it, or dropping the extra, would record what was not meant.
    if len(parts) > len(columns) or not all(parts):
        form = ":".join(column.key for column in columns)
        raise InvalidInput(
            f"{spec.flag}: expected {form}, leaving parts out only at the end, with their "
            f"':'; got {text!r}"
        )
    entry: dict[str, Any] = {}
    for column, part in zip(columns, parts, strict=False):
        flag = f"{spec.flag} {column.key}"
        entry[column.key] = convert(column, part, today=today, notes=notes, db=db, flag=flag)
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


# Commas only between thousands (1,200,000 or 1,234.5): "1,5" is a decimal comma, and read as
# 15 it would put a figure ten times too large in front of the board.
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")


def number(flag: str, text: str) -> int | float:
    cleaned = text.replace("_", "").removeprefix("£")
    if _THOUSANDS.fullmatch(cleaned):
        cleaned = cleaned.replace(",", "")
    try:
        return int(cleaned)
    except ValueError:
        pass
    try:
        return float(cleaned)
    except ValueError:
        raise InvalidInput(
            f"{flag}: expected a number such as 1200000, 1,200,000 or 2.5 (a point before "
            f"decimals); got {text!r}"
        ) from None


def whole_number(flag: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(f"{flag}: expected a whole number such as 3; got {text!r}") from None


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
