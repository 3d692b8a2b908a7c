"""Values as the audit trail stores them: JSON text, written by ``tracker.services.audit`` and
read back by ``tracker.services.trail`` and the reports. Kept apart from both so that a read of
the trail needs neither the writing session nor the mapped classes."""

from __future__ import annotations

import datetime as dt
import json
from enum import Enum
from typing import Any


def _stored_form(value: Any) -> Any:
    """What JSON cannot write by itself: dates in ISO form, vocabulary members as their text
    (members of a StrEnum are text already, and JSON writes them so)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"cannot record {type(value).__name__} in the audit trail")


def encode(value: Any) -> str | None:
    """A value as stored in the trail: JSON, with dates in ISO form (tuples become lists).
    The same value always encodes to the same text, so the text can be compared."""
    if value is None:
        return None
    return _ENCODER.encode(value)


# One encoder for every value: json.dumps with options makes a new one per call, which a
# 100,000-record import felt.
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=_stored_form)


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


# An import's entry for a record it adds would hold the file's values twice: as what was
# added and as the base of the next import's merge. The base is stored as this mark instead
# (it is not JSON, so it is never a value), which halves what a large import writes.
SAME_AS_NEW = "="


def loads_base(base: str | None, new: str | None) -> Any:
    """An entry's base, from its stored text and its new values' text."""
    return loads(new if base == SAME_AS_NEW else base)
