"""Reading the audit trail back: the log, one record's history, and undo.

Undo reverts one command as a whole, through the same write paths as any edit, so the undo is
itself a command in the trail (and can be undone). It refuses, naming the records, when a later
command has changed any record the command touched, or when a record no longer holds the value
the command left in it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker import models
from tracker.errors import Conflict, InvalidInput, NotFound
from tracker.kinds import BY_TABLE, KindSpec
from tracker.services import audit
from tracker.services.configure import change_settings
from tracker.services.editing import check_parent_loop, check_rules, check_targets, store_for
from tracker.services.references import remove_record
from tracker.services.store import RecordStore
from tracker.text import clean_ref


@dataclass(frozen=True)
class LogEntry:
    command_id: int
    at: dt.datetime
    actor: str
    command: str
    kind: str
    ref: str
    action: str
    field: str
    old: Any
    new: Any


def log_entries(
    *,
    session: Session,
    ref: str | None = None,
    since: dt.date | None = None,
    actor: str | None = None,
    limit: int | None = None,
) -> list[LogEntry]:
    """Audit entries, newest command first; optionally for one ref, since a date, by an actor."""
    c, e = models.AuditCommand, models.AuditEntry
    stmt: Any = sa.select(c, e).join(e, col(e.command_id) == c.id)
    if ref is not None:
        # Settings are audited by their lower-case key, records by their upper-case ref.
        stmt = stmt.where(sa.func.upper(e.ref) == clean_ref(ref))
    if since is not None:
        stmt = stmt.where(col(c.at) >= dt.datetime.combine(since, dt.time()))
    if actor is not None:
        stmt = stmt.where(sa.func.lower(c.actor) == actor.strip().lower())
    stmt = stmt.order_by(col(c.id).desc(), col(e.id))
    if limit is not None:
        stmt = stmt.limit(limit)
    return [
        LogEntry(
            command_id=command.id,
            at=command.at,
            actor=command.actor,
            command=command.command,
            kind=entry.kind,
            ref=entry.ref,
            action=entry.action,
            field=entry.field,
            old=_json(entry.old),
            new=_json(entry.new),
        )
        for command, entry in session.execute(stmt)
    ]


def _json(text: str | None) -> Any:
    return None if text is None else json.loads(text)


@dataclass
class RecordChange:
    kind: str
    ref: str
    action: str
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # field -> (old, new)


@dataclass
class UndoPlan:
    command: models.AuditCommand
    changes: list[RecordChange]


def plan_undo(*, session: Session, command_id: int | None = None) -> UndoPlan:
    """What undoing a command (default: the most recent) would revert; refuses when later
    commands touched the same records."""
    c = models.AuditCommand
    if command_id is None:
        command = session.exec(select(c).order_by(col(c.id).desc()).limit(1)).first()
        if command is None:
            raise NotFound("nothing to undo: no command has changed this database yet")
    else:
        command = session.get(c, command_id)
        if command is None:
            raise NotFound(f"COMMAND: no command {command_id} in the log (see mou log)")
    entries = session.exec(
        select(models.AuditEntry)
        .where(models.AuditEntry.command_id == command.id)
        .order_by(col(models.AuditEntry.id))
    ).all()
    # One command may change a record and later remove it (a cascade clears a visit's
    # attendee, then removes the visit): each run of entries is a step, undone in reverse.
    changes: list[RecordChange] = []
    for entry in entries:
        last = changes[-1] if changes else None
        if last is None or (last.kind, last.ref, last.action) != (
            entry.kind,
            entry.ref,
            entry.action,
        ):
            last = RecordChange(entry.kind, entry.ref, entry.action)
            changes.append(last)
        old, new = _json(entry.old), _json(entry.new)
        if entry.field in last.fields:  # the same field twice in a row: first old, last new
            old = last.fields[entry.field][0]
        last.fields[entry.field] = (old, new)
    later = _touched_later(session, command, {(change.kind, change.ref) for change in changes})
    if later:
        names = ", ".join(f"{_noun(kind)} {ref} (by command {cid})" for (kind, ref), cid in later)
        raise Conflict(
            f"cannot undo command {command.id}: later commands changed the same records: "
            f"{names}; undo those first"
        )
    return UndoPlan(command=command, changes=changes)


def _touched_later(
    session: Session, command: models.AuditCommand, records: set[tuple[str, str]]
) -> list[tuple[tuple[str, str], int]]:
    e = models.AuditEntry
    rows = session.exec(
        select(e.kind, e.ref, e.command_id).where(col(e.command_id) > command.id).distinct()
    ).all()
    return sorted(
        {((kind, ref), command_id) for kind, ref, command_id in rows if (kind, ref) in records},
        key=lambda item: (item[1], item[0]),
    )


def _noun(kind: str) -> str:
    return BY_TABLE[kind].noun if kind in BY_TABLE else "setting"


def apply_undo(plan: UndoPlan, *, session: Session) -> None:
    """Revert every change of the planned command, newest first, as one new command."""
    audit.current(session).undoes = plan.command.id
    for change in reversed(plan.changes):
        if change.kind == "settings":
            _undo_setting(change, session)
        else:
            _undo_record(change, BY_TABLE[change.kind], session)


def _undo_record(change: RecordChange, kind: KindSpec, session: Session) -> None:
    store = store_for(kind, session)
    row = store.find(kind, change.ref, for_update=True)
    if change.action == "add":
        if row is None:
            raise Conflict(f"cannot undo: {kind.noun} {change.ref} no longer exists")
        remove_record(kind, change.ref, session=session, cascade=False)
        return
    if change.action == "remove":
        if row is not None:
            raise Conflict(f"cannot undo: {kind.noun} {change.ref} exists again")
        record = {
            spec.key: audit.decode(spec, change.fields.get(spec.key, (None, None))[0])
            for spec in kind.fields
        }
        _restorable(kind, change.ref, record, store)
        store.insert(kind, change.ref, record)
        return
    if row is None:
        raise Conflict(f"cannot undo: {kind.noun} {change.ref} no longer exists")
    record = store.record_of(kind, row)
    for name, (old, new) in change.fields.items():
        spec = kind.field(name)
        if audit.encode(record.get(name)) != audit.encode(audit.decode(spec, new)):
            raise Conflict(
                f"cannot undo: {kind.noun} {change.ref} {name} has changed since; "
                "undo the later change first"
            )
        record[name] = audit.decode(spec, old)
    _restorable(kind, change.ref, record, store)
    store.update(kind, change.ref, row, record)


def _restorable(kind: KindSpec, ref: str, record: dict[str, Any], store: RecordStore) -> None:
    """Everything the restored record names must still exist, and it must keep the rules a
    normal edit keeps (a restored parent may not close a loop)."""
    try:
        check_targets(kind, record, store)
        check_rules(kind, record, store)
        if kind.parent is not None:
            check_parent_loop(kind, ref, record[kind.parent], store)
    except (InvalidInput, NotFound) as error:
        raise Conflict(f"cannot undo: {kind.noun} {ref} {error.message}") from None


def _undo_setting(change: RecordChange, session: Session) -> None:
    old, _new = change.fields["value"]
    change_settings({change.ref: old}, session=session)
