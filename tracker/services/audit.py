"""The audit trail: every change, by any command, recorded in the same transaction.

A write session carries an ``Audit`` (who, and which command line) in ``session.info``; the
functions that write records call ``record`` with the record's fields before and after, so no
change goes unrecorded and nothing is recorded that was not written. Each changed record is
one entry: its fields before and after as JSON objects (the whole record when it is added or
removed, the changed fields otherwise). The command's time is set as it commits, so the order
of times is the order in which changes became visible.
"""

from __future__ import annotations

import datetime as dt
import getpass
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from tracker import models
from tracker.db import insert_rows
from tracker.fields import FieldSpec, FieldType
from tracker.services.settings import stored_settings
from tracker.services.trail_values import SAME_AS_NEW, encode
from tracker.text import clean_text, redact

AUDIT_KEY = "mou_audit"
COMMAND_MAX = 2000


@dataclass
class Audit:
    """Who is changing data, with which command; the command row is created on first use,
    so a command that changes nothing leaves no trace. ``suppressed`` turns recording off,
    for work on a private copy of the data (the past, rebuilt) that is never committed."""

    actor: str | None
    command: str
    undoes: int | None = None
    redoes: int | None = None
    command_id: int | None = None
    suppressed: bool = False


def start(session: Session, *, actor: str | None, command: str) -> Audit:
    audit = Audit(actor=actor, command=command)
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


def decode(spec: FieldSpec, value: Any) -> Any:
    """A value from the trail's JSON back to the form the store writes."""
    if value is None:
        return [] if spec.is_list else None
    match spec.field_type:
        case FieldType.DATE:
            return dt.date.fromisoformat(value)
        case FieldType.DATETIME:
            return dt.datetime.fromisoformat(value)
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


def decode_record(fields: tuple[FieldSpec, ...], values: dict[str, Any]) -> dict[str, Any]:
    """A record from the trail's JSON, for the fields it holds."""
    by_key = {spec.key: spec for spec in fields}
    return {key: decode(by_key[key], value) for key, value in values.items() if key in by_key}


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The fields whose values differ, compared in their stored form."""
    return [key for key in after if encode(before.get(key)) != encode(after.get(key))]


# Writing.


def record(
    session: Session,
    *,
    kind: str,
    ref: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    base: dict[str, Any] | None = None,
) -> bool:
    """Record one record's change (``before`` None: added; ``after`` None: removed; both
    given: changed). ``base`` is the record as an import's file gave it. Returns whether an
    entry was written: a change that changes nothing (and moves no base) leaves no trace."""
    audit = current(session)
    if audit.suppressed:
        return before is None or after is None or bool(changed_fields(before, after))
    if before is None:
        action, old, new = "add", None, after
    elif after is None:
        action, old, new = "remove", before, None
    else:
        changed = changed_fields(before, after)
        if not changed:
            if base is None:
                return False
            action, old, new = "base", None, None
        else:
            action = "change"
            old = {key: before.get(key) for key in changed}
            new = {key: after[key] for key in changed}
    session.add(
        models.AuditEntry(
            command_id=command_id(session),
            kind=kind,
            ref=ref,
            action=action,
            old=encode(old),
            new=encode(new),
            base=encode(base),
        )
    )
    return action != "base"


def record_many(session: Session, entries: list[dict[str, Any]]) -> None:
    """Write many entries at once (an import): each a dict of kind, ref, action and the
    old, new and base values (not yet encoded)."""
    if not entries or current(session).suppressed:
        return
    cid = command_id(session)
    rows = []
    for entry in entries:
        new = encode(entry.get("new"))
        same = entry.get("base") is entry.get("new") and new is not None
        base = SAME_AS_NEW if same else encode(entry.get("base"))
        rows.append(
            {
                "command_id": cid,
                "kind": entry["kind"],
                "ref": entry["ref"],
                "action": entry["action"],
                "old": encode(entry.get("old")),
                "new": new,
                "base": base,
            }
        )
    insert_rows(session, models.AuditEntry.__table__, rows)  # type: ignore[attr-defined]


def command_id(session: Session) -> int:
    """The id of this session's command, created on first use."""
    audit = current(session)
    if audit.command_id is None:
        row = models.AuditCommand(
            at=_python_now(),
            actor=resolve_actor(session, audit.actor)[:64],
            # Whatever the caller passed, a password typed on the command line is never kept.
            command=redact(audit.command)[:COMMAND_MAX],
            undoes=audit.undoes,
            redoes=audit.redoes,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        audit.command_id = row.id
    return audit.command_id


def _python_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _stamp(session: Session) -> None:
    """Set the command's time as it commits. PostgreSQL's clock is the team's one clock; a
    SQLite file is on one machine, whose clock it is."""
    audit = session.info.get(AUDIT_KEY)
    if not isinstance(audit, Audit) or audit.command_id is None or audit.suppressed:
        return
    table = models.AuditCommand.__table__  # type: ignore[attr-defined]
    if session.get_bind().dialect.name == "postgresql":
        now: Any = sa.text("clock_timestamp() AT TIME ZONE 'UTC'")
    else:
        now = _python_now()
    session.execute(table.update().where(table.c.id == audit.command_id).values(at=now))


sa.event.listen(Session, "before_commit", _stamp)
