"""The audit trail: every change, by any command, recorded in the same transaction.

A write session carries an ``Audit`` (who, and which command line) in ``session.info``; the
functions that write records call ``record`` with the record's fields before and after, so no
change goes unrecorded and nothing is recorded that was not written.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from tracker import models
from tracker.fields import FieldSpec, FieldType, plain
from tracker.services.settings import stored_settings
from tracker.text import clean_text

AUDIT_KEY = "mou_audit"


@dataclass
class Audit:
    """Who is changing data, with which command; the command row is created on first use,
    so a command that changes nothing leaves no trace."""

    actor: str | None
    command: str
    undoes: int | None = None
    command_id: int | None = None


def start(session: Session, *, actor: str | None, command: str, undoes: int | None = None) -> Audit:
    audit = Audit(actor=actor, command=command, undoes=undoes)
    session.info[AUDIT_KEY] = audit
    return audit


def current(session: Session) -> Audit:
    """The session's audit context. Code that writes without one (a script using the
    services directly) is still recorded, as a library call by the operating-system user."""
    audit = session.info.get(AUDIT_KEY)
    if audit is None:
        audit = start(session, actor=None, command="(library call)")
    assert isinstance(audit, Audit)
    return audit


def resolve_actor(session: Session, given: str | None) -> str:
    """--actor, else MOU_ACTOR (passed in as ``given`` by the CLI), else the actor setting,
    else the operating-system user."""
    if given:
        return clean_text(given, field="--actor", max_len=64) or _os_user()
    return stored_settings(session=session)["actor"] or _os_user()


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def encode(value: Any) -> str | None:
    """A field value as stored in the trail: JSON, with dates in ISO form."""
    if value is None:
        return None
    return json.dumps(plain(value), ensure_ascii=False, sort_keys=True, default=_iso)


def _iso(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot record {type(value).__name__} in the audit trail")


def decode(spec: FieldSpec, value: Any) -> Any:
    """A value from the trail's JSON back to the form the store writes."""
    if value is None:
        return [] if spec.is_list else None
    match spec.field_type:
        case FieldType.DATE:
            return dt.date.fromisoformat(value)
        case FieldType.CHOICE:
            assert spec.vocabulary is not None
            return spec.vocabulary(value)
        case FieldType.ROWS:
            assert spec.rows is not None
            return [
                tuple(
                    decode(column, item)
                    for column, item in zip(spec.rows.columns, entry, strict=True)
                )
                for entry in value
            ]
    return value


def record(
    session: Session,
    *,
    kind: str,
    ref: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> int:
    """Record one record's change (``before`` None: added; ``after`` None: removed) as one
    entry per field that differs. Returns how many entries were written."""
    audit = current(session)
    action = "add" if before is None else "remove" if after is None else "change"
    keys = list((after or before or {}).keys())
    entries = []
    for key in keys:
        old = encode((before or {}).get(key))
        new = encode((after or {}).get(key))
        if old == new or (action != "change" and (old or new) in (None, "[]")):
            continue
        entries.append((key, old, new))
    if not entries and action == "change":
        return 0
    if not entries:  # an added or removed record with no fields set still leaves a trace
        entries.append(
            (
                "ref",
                encode(ref) if action == "remove" else None,
                encode(ref) if action == "add" else None,
            )
        )
    command_id = _command_id(session, audit)
    for key, old, new in entries:
        session.add(
            models.AuditEntry(
                command_id=command_id,
                kind=kind,
                ref=ref,
                action=action,
                field=key,
                old=old,
                new=new,
            )
        )
    return len(entries)


def _command_id(session: Session, audit: Audit) -> int:
    if audit.command_id is None:
        row = models.AuditCommand(
            at=dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0),
            actor=resolve_actor(session, audit.actor)[:64],
            command=audit.command[:2000],
            undoes=audit.undoes,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        audit.command_id = row.id
    return audit.command_id
