"""Programme-office conventions stored in the database, with their defaults.

They live with the data, not in a user's config file, so everyone sharing a database reports
the same way. Reports print the values in use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session, select

from tracker import models
from tracker.errors import InvalidInput
from tracker.periods import Scheme, parse_scheme
from tracker.services import audit
from tracker.services.rag import Tolerances
from tracker.text import clean_text


def _days(value: str) -> str:
    text = value.strip()
    if not text.isdigit() or not 0 <= int(text) <= 3650:
        raise ValueError("a whole number of days from 0 to 3650")
    return str(int(text))


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
    )
}


def _unknown(key: str) -> InvalidInput:
    return InvalidInput(f"KEY: expected one of {', '.join(SETTINGS)}; got {key!r}")


def stored_settings(*, session: Session) -> dict[str, str]:
    """Every setting's value in force: stored, else its default."""
    values = {key: setting.default for key, setting in SETTINGS.items()}
    for row in session.exec(select(models.Setting)):
        if row.key in values:
            values[row.key] = row.value
    return values


def set_setting(key: str, value: str, *, session: Session) -> tuple[str, str]:
    """Store a setting; returns (old value, new value)."""
    setting = SETTINGS.get(key)
    if setting is None:
        raise _unknown(key)
    try:
        stored = setting.parse(value)
    except ValueError as error:
        raise InvalidInput(f"{key}: expected {error}; got {value!r}") from None
    return _change(key, stored, session=session)


def unset_setting(key: str, *, session: Session) -> tuple[str, str]:
    """Return a setting to its default; returns (old value, default)."""
    if key not in SETTINGS:
        raise _unknown(key)
    return _change(key, None, session=session)


def _change(key: str, stored: str | None, *, session: Session) -> tuple[str, str]:
    """Store a value (None: go back to the default), keep the tolerances in order, and audit
    the change."""
    values = stored_settings(session=session)
    old = values[key]
    values[key] = SETTINGS[key].default if stored is None else stored
    if int(values["green_tol_days"]) > int(values["red_tol_days"]):
        raise InvalidInput(
            f"{key}: green_tol_days ({values['green_tol_days']}) must not exceed "
            f"red_tol_days ({values['red_tol_days']})"
        )
    row = session.get(models.Setting, key, with_for_update=True)
    if stored is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(models.Setting(key=key, value=stored))
    else:
        row.value = stored
    if old != values[key]:
        audit.record(
            session, kind="settings", ref=key, before={"value": old}, after={"value": values[key]}
        )
    return old, values[key]


def tolerances(*, session: Session) -> Tolerances:
    values = stored_settings(session=session)
    return Tolerances(
        green_days=int(values["green_tol_days"]), red_days=int(values["red_tol_days"])
    )


def reporting_scheme(*, session: Session) -> Scheme:
    return Scheme(stored_settings(session=session)["scheme"])
