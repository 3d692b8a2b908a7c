"""Turning command-line text into typed field values, and typed values back into text for
confirmations. Every date goes through the one date parser."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any

from tracker.kinds import FieldSpec, FieldType

CLEAR_WORDS = {"none", "-"}


def flag(spec: FieldSpec) -> str:
    return "--" + spec.key.replace("_", "-")


def convert(
    spec: FieldSpec, raw: Any, *, today: dt.date, notes: list[str], db: str | None = None
) -> Any:
    """One option's value in the form the services take; ``none`` clears an optional field.
    ``db`` is where the reporting scheme comes from, for dates such as ``end of quarter``."""
    from tracker.cli.context import date_scheme
    from tracker.dates import parse_optional_date

    if not isinstance(raw, str):
        return raw  # already typed by Typer: numbers, booleans, choices
    text = raw.strip()
    match spec.field_type:
        case FieldType.TEXT | FieldType.LONG_TEXT:
            # An optional text field is cleared by 'none', as the help says; a required one
            # (a name, a title) takes the word as it is.
            return None if not spec.required and text.casefold() in CLEAR_WORDS else raw
        case FieldType.DATE:
            parsed = parse_optional_date(
                raw, field=flag(spec), today=today, scheme=date_scheme(raw, db)
            )
            if parsed is None:
                return None
            if parsed.note:
                notes.append(parsed.note)
            return parsed.value
        case FieldType.REF:
            return None if text.casefold() in CLEAR_WORDS else text
        case FieldType.REFS:
            if text.casefold() in CLEAR_WORDS or not text:
                return []
            return [part.strip() for part in text.split(",") if part.strip()]
        case FieldType.ATTENDEES:
            if text.casefold() in CLEAR_WORDS or not text:
                return []
            attendees = []
            for part in (item.strip() for item in text.split(",") if item.strip()):
                person, _, role = part.partition(":")
                attendees.append({"person": person.strip(), "role": role.strip() or "delegate"})
            return attendees
    return raw


def show(value: Any) -> str:
    """A stored value as a confirmation prints it."""
    from tracker.dates import format_date

    if value is None or value == []:
        return "none"
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_show_item(item) for item in value)
    return str(value)


def _show_item(item: Any) -> str:
    if isinstance(item, tuple) and len(item) == 2:
        return f"{item[0]} ({show(item[1])})"
    if isinstance(item, tuple) and len(item) == 3:
        return f"{show(item[0])} ({item[1]}, changed {show(item[2])})"
    return str(item)
