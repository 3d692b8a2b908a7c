"""Changing the programme-office conventions: one at a time, audited, and serialised so two
people changing the tolerances at once cannot leave green above red."""

from __future__ import annotations

from sqlmodel import Session

from tracker import models
from tracker.db import serialise
from tracker.errors import InvalidInput
from tracker.services import audit
from tracker.services.settings import SETTINGS, out_of_order, stored_settings


def _unknown(key: str) -> InvalidInput:
    return InvalidInput(f"KEY: expected one of {', '.join(SETTINGS)}; got {key!r}")


def set_setting(key: str, value: str, *, session: Session) -> tuple[str, str]:
    """Store a setting; returns (old value, new value)."""
    setting = SETTINGS.get(key)
    if setting is None:
        raise _unknown(key)
    try:
        stored = setting.parse(value)
    except ValueError as error:
        raise InvalidInput(f"{key}: expected {error}; got {value!r}") from None
    return change_settings({key: stored}, session=session)[key]


def unset_setting(key: str, *, session: Session) -> tuple[str, str]:
    """Return a setting to its default; returns (old value, default)."""
    if key not in SETTINGS:
        raise _unknown(key)
    return change_settings({key: None}, session=session)[key]


def change_settings(
    changes: dict[str, str | None],
    *,
    session: Session,
    bases: dict[str, str] | None = None,
) -> dict[str, tuple[str, str]]:
    """Store values in their stored form (None: back to the default) together, keep the
    tolerances in order, and audit each change; returns key -> (old, new). ``bases`` are the
    values an import's file gave, kept for the next import (they may move without a change)."""
    bases = bases or {}
    serialise(session, "settings")  # read under the lock: the check below sees the latest values
    values = stored_settings(session=session)
    old = dict(values)
    for key, stored in changes.items():
        values[key] = SETTINGS[key].default if stored is None else stored
    wrong = out_of_order(values)
    if wrong is not None:
        low, high = wrong
        key = next(key for key in changes if key in wrong)
        raise InvalidInput(f"{key}: {low} ({values[low]}) must not exceed {high} ({values[high]})")
    for key, stored in changes.items():
        row = session.get(models.Setting, key, with_for_update=True)
        if stored is None or stored == SETTINGS[key].default:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(models.Setting(key=key, value=stored))
        else:
            row.value = stored
    for key in sorted({*changes, *bases}):
        base = {"value": bases[key]} if key in bases else None
        if old[key] != values[key] or base is not None:
            audit.record(
                session,
                kind="settings",
                ref=key,
                before={"value": old[key]},
                after={"value": values[key]},
                base=base,
            )
    session.flush()
    return {key: (old[key], values[key]) for key in changes}
