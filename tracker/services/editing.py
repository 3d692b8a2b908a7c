"""Adding and editing single records: the same checks as a programme file, one record at a
time. The caller owns the transaction."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from tracker.errors import Conflict, InvalidInput, NotFound
from tracker.kinds import BY_TABLE, FieldType, KindSpec, clean_value
from tracker.services.lookup import current_mou
from tracker.services.rules import Record, fill_defaults, parent_loops, record_problems
from tracker.services.store import RecordStore
from tracker.text import clean_ref


@dataclass(frozen=True)
class Saved:
    """What was written: the record's key, its fields as stored, and which fields changed."""

    key: str
    record: Record
    changed: list[str] = field(default_factory=list)


def add_record(
    kind: KindSpec, values: Record, *, session: Session, ref: str | None = None
) -> Saved:
    """Add one record. ``values`` holds typed values (dates as dates, refs as text, lists as
    lists); a ref is generated from the kind's prefix when none is given."""
    store = _store(kind, session)
    record = {spec.key: spec.default for spec in kind.fields}
    record.update(_clean(kind, values))
    missing = [spec.key for spec in kind.fields if spec.required and record.get(spec.key) is None]
    if missing:
        raise InvalidInput(f"{missing[0]}: required")
    check_targets(kind, record, store)
    key = _new_key(kind, record, store, ref)
    fill_defaults(kind.table, record, lambda table, ref: _lookup(store, table, ref))
    _check_rules(kind, record)
    store.upsert(kind, key, record)
    return Saved(key=key, record=record, changed=list(values))


def update_record(kind: KindSpec, ref: str, changes: Record, *, session: Session) -> Saved:
    """Change some fields of one record; ``None`` clears an optional field."""
    store = _store(kind, session)
    key = clean_ref(ref, field="institution" if not kind.has_ref else "ref")
    row = store.find(kind, key, for_update=True)
    if row is None:
        raise NotFound(f"ref: no {kind.noun} with ref {key!r}")
    current = store.record_of(kind, row)
    cleaned = _clean(kind, changes)
    for name, value in cleaned.items():
        if value is None and not _clearable(kind, kind.field(name)):
            raise InvalidInput(f"{name}: required; it cannot be cleared")
    merged = {**current, **cleaned}
    check_targets(kind, cleaned, store)
    _check_rules(kind, merged)
    if "parent" in cleaned and kind.table in ("themes", "sites"):
        _check_parent_loop(kind, key, merged["parent"], store)
    changed = [name for name in cleaned if current.get(name) != merged[name]]
    store.upsert(kind, key, merged)
    return Saved(key=key, record=merged, changed=changed)


def _clearable(kind: KindSpec, spec: Any) -> bool:
    """Optional on input is not always optional in storage: a milestone's institution defaults
    to its workstream's lead when added, but is never empty."""
    if spec.required:
        return False
    column = kind.model.__table__.c.get(spec.attribute)  # type: ignore[attr-defined]
    return column is None or bool(column.nullable)


def read_record(
    kind: KindSpec, ref: str, *, session: Session, for_update: bool = False
) -> tuple[Any, Record]:
    """A record and its fields. ``for_update`` locks it first, for a read-modify-write: the
    value read is then the value changed, even with other editors at work."""
    store = _store(kind, session)
    key = clean_ref(ref)
    row = store.find(kind, key, for_update=for_update)
    if row is None:
        raise NotFound(f"ref: no {kind.noun} with ref {key!r}")
    return row, store.record_of(kind, row)


def next_ref(kind: KindSpec, *, session: Session) -> str:
    """The next free ref in the kind's numbering: MS-22 is followed by MS-23; numbers keep the
    width already in use (WS09 → WS10), at least two digits."""
    model: Any = kind.model
    pattern = re.compile(rf"^{re.escape(kind.ref_prefix)}(\d+)$")
    numbers = [
        (int(match.group(1)), len(match.group(1)))
        for ref in session.exec(select(model.ref).where(model.ref.like(f"{kind.ref_prefix}%")))
        if (match := pattern.match(ref))
    ]
    number = max((value for value, _ in numbers), default=0) + 1
    width = max([2, *(digits for _, digits in numbers)])
    return f"{kind.ref_prefix}{number:0{width}d}"


def _store(kind: KindSpec, session: Session) -> RecordStore:
    mou_id = current_mou(session=session).id if kind.in_mou else None
    return RecordStore(session, mou_id=mou_id)


def _clean(kind: KindSpec, values: Record) -> Record:
    cleaned: Record = {}
    for name, value in values.items():
        spec = kind.field(name)
        cleaned[name] = None if value is None else clean_value(spec, value)
    return cleaned


def check_targets(kind: KindSpec, record: Record, store: RecordStore) -> None:
    """Every ref a record names must exist."""
    for spec in kind.fields:
        value = record.get(spec.key)
        if value is None or spec.target is None:
            continue
        if spec.field_type is FieldType.REF:
            refs = [value]
        elif spec.field_type is FieldType.ATTENDEES:
            refs = [person for person, _role in value]
        else:
            refs = list(value)
        for target in refs:
            if store.id_of(spec.target, target) is None:
                noun = BY_TABLE[spec.target].noun
                raise InvalidInput(f"{spec.key}: no {noun} with ref {target!r}")


def _new_key(kind: KindSpec, record: Record, store: RecordStore, ref: str | None) -> str:
    if not kind.has_ref:  # a party is keyed by its institution
        key = str(record["institution"])
        if store.find(kind, key) is not None:
            raise Conflict(f"institution: {key} is already a party to this MoU")
        return key
    key = clean_ref(ref) if ref else next_ref(kind, session=store.session)
    if store.id_of(kind.table, key) is not None:
        raise Conflict(f"ref: {kind.article} {kind.noun} with ref {key} already exists")
    return key


def _lookup(store: RecordStore, table: str, ref: str) -> Record:
    kind = BY_TABLE[table]
    row = store.find(kind, ref)
    return {} if row is None else store.record_of(kind, row)


def _check_rules(kind: KindSpec, record: Record) -> None:
    problems = record_problems(kind.table, record)
    if problems:
        name, message = problems[0]
        raise InvalidInput(f"{name}: {message}")


def _check_parent_loop(kind: KindSpec, key: str, parent: str | None, store: RecordStore) -> None:
    model: Any = kind.model
    rows = store.session.exec(select(model.ref, model.parent_id)).all()
    ids = {row_ref: store.id_of(kind.table, row_ref) for row_ref, _ in rows}
    refs_by_id = {row_id: row_ref for row_ref, row_id in ids.items()}
    parents: dict[str, str | None] = {
        row_ref: refs_by_id.get(parent_id) if parent_id is not None else None
        for row_ref, parent_id in rows
    }
    parents[key] = parent
    if parent_loops(parents, [key]):
        raise InvalidInput(f"parent: {parent} is {key} itself or one of its sub-{kind.table}")
