"""Adding and editing single records: the same checks as a programme file, one record at a
time. The caller owns the transaction."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from tracker.db import serialise
from tracker.errors import Conflict, InvalidInput
from tracker.fields import clean_value, refs_named
from tracker.kinds import BY_TABLE, KindSpec
from tracker.rules import Record, parent_loops
from tracker.services.lookup import current_mou, missing
from tracker.services.store import RecordStore
from tracker.text import clean_ref


@dataclass(frozen=True)
class Saved:
    """What was written: the record's key, its fields before (None for a new record) and as
    stored, and which fields changed."""

    key: str
    record: Record
    before: Record | None = None
    changed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # true, but worth saying


def add_record(
    kind: KindSpec, values: Record, *, session: Session, ref: str | None = None
) -> Saved:
    """Add one record. ``values`` holds typed values (dates as dates, refs as text, lists as
    lists); a ref is generated from the kind's prefix when none is given."""
    store = store_for(kind, session)
    record = {spec.key: spec.default for spec in kind.fields}
    record.update(clean_record(kind, values, session=session))
    absent = [spec.key for spec in kind.fields if spec.required and record.get(spec.key) is None]
    if absent:
        raise InvalidInput(f"{absent[0]}: required")
    check_targets(kind, record, store)
    key = _new_key(kind, record, store, ref)
    kind.fill_defaults(record, store_lookup(store))
    check_rules(kind, record, store, key=key)
    check_unique(kind, key, record, store)
    store.insert(kind, key, record)
    return Saved(key=key, record=record, changed=list(values))


def update_record(kind: KindSpec, ref: str, changes: Record, *, session: Session) -> Saved:
    """Change some fields of one record; ``None`` clears an optional field. The record is
    locked before it is read, so what is changed is what was read, whoever else is editing."""
    found = find_record(kind, ref, session=session, for_update=True)
    return write_changes(kind, found.key, found.row, found.record, changes, store=found.store)


def update_keeping_history(
    kind: KindSpec,
    ref: str,
    changes: Record,
    *,
    session: Session,
    reason: str | None,
    today: dt.date,
) -> Saved:
    """Change fields of a record whose kind keeps a history (``KindSpec.history``): a change to
    a tracked field needs a reason, and the values it replaces are added to the history with
    the reason and today's date (a risk's earlier scores). A reason with no such change is
    refused rather than silently dropped."""
    history = kind.history
    assert history is not None
    found = find_record(kind, ref, session=session, for_update=True)
    current = found.record
    cleaned = clean_record(kind, changes, session=session)
    moved = [
        name
        for name in history.tracked
        if name in cleaned and cleaned[name] is not None and cleaned[name] != current.get(name)
    ]
    given = reason is not None and bool(reason.strip())
    if moved and not given:
        raise InvalidInput(
            f"{kind.field(moved[0]).flag}: changing the {history.label} keeps the old one in "
            "the history; give --reason with it"
        )
    if given and not moved:
        raise InvalidInput(
            f"--reason: only with a change to the {history.label}; nothing to keep it for"
        )
    if moved:
        entry = history.entry(current, reason or "", today)
        changes = {**changes, history.into: [*current[history.into], entry]}
    return write_changes(kind, found.key, found.row, current, changes, store=found.store)


def write_changes(
    kind: KindSpec, key: str, row: Any, current: Record, changes: Record, *, store: RecordStore
) -> Saved:
    """Check ``changes`` against the record as it stands (``current``, read under a lock) and
    write them."""
    cleaned = clean_record(kind, changes, session=store.session)
    for name, value in cleaned.items():
        if value is None and not _clearable(kind, kind.field(name)):
            raise InvalidInput(f"{name}: required; it cannot be cleared")
    merged = {**current, **cleaned}
    check_targets(kind, cleaned, store)
    check_rules(kind, merged, store, key=key)
    if kind.parent is not None and kind.parent in cleaned:
        check_parent_loop(kind, key, merged[kind.parent], store)
    if kind.unique is not None and set(kind.unique.fields) & set(cleaned):
        serialise(store.session, ref_lock(kind))  # two people moving notes onto one scope
        check_unique(kind, key, merged, store)
    changed = [name for name in cleaned if current.get(name) != merged[name]]
    store.update(kind, key, row, merged)
    return Saved(key=key, record=merged, before=current, changed=changed)


def _clearable(kind: KindSpec, spec: Any) -> bool:
    """Optional on input is not always optional in storage: a milestone's institution defaults
    to its workstream's lead when added, but is never empty."""
    if spec.required:
        return False
    column = kind.model.__table__.c.get(spec.attribute)
    return column is None or bool(column.nullable)


@dataclass(frozen=True)
class Found:
    """One record as read: the store it was read through, its ref in normal form, its row
    and its fields (what writing it back with ``write_changes`` needs)."""

    store: RecordStore
    key: str
    row: Any
    record: Record


def find_record(
    kind: KindSpec,
    ref: str,
    *,
    session: Session,
    for_update: bool = False,
    key_field: str | None = None,
) -> Found:
    """A record by its ref, or NotFound naming ``key_field`` (the kind's unless given).
    ``for_update`` locks it first, for a read-modify-write: the value read is then the value
    changed, even with other editors at work."""
    key_field = key_field or kind.key_field
    store = store_for(kind, session)
    key = clean_ref(ref, field=key_field)
    row = store.find(kind, key, for_update=for_update)
    if row is None:
        raise missing(kind, key, session=session, field=key_field)
    return Found(store, key, row, store.record_of(kind, row))


def read_record(
    kind: KindSpec, ref: str, *, session: Session, for_update: bool = False
) -> tuple[Any, Record]:
    """A record's row and fields (``find_record``)."""
    found = find_record(kind, ref, session=session, for_update=for_update)
    return found.row, found.record


def next_ref(kind: KindSpec, *, session: Session) -> str:
    """The next free ref in the kind's numbering: MS-22 is followed by MS-23; numbers keep the
    width already in use (WS09 → WS10), at least two digits.

    The caller holds the kind's ref lock (``allocate_ref``), so two people adding at once on
    PostgreSQL get different refs rather than the same one."""
    model = kind.ref_model
    pattern = re.compile(rf"^{re.escape(kind.ref_prefix)}(\d+)$")
    numbers = [
        (int(match.group(1)), len(match.group(1)))
        for ref in session.exec(select(model.ref).where(col(model.ref).startswith(kind.ref_prefix)))
        if (match := pattern.match(ref))
    ]
    number = max((value for value, _ in numbers), default=0) + 1
    width = max([2, *(digits for _, digits in numbers)])
    return f"{kind.ref_prefix}{number:0{width}d}"


def ref_lock(kind: KindSpec) -> str:
    """The name of the lock that makes choosing a new ref and inserting it one step."""
    return f"refs:{kind.table}"


def store_for(kind: KindSpec, session: Session) -> RecordStore:
    """A store that knows the MoU, for the kinds that belong to it."""
    mou_id = current_mou(session=session).id if kind.in_mou else None
    return RecordStore(session, mou_id=mou_id)


def clean_record(kind: KindSpec, values: Record, *, session: Session) -> Record:
    from tracker.services.settings import period_parser

    parse_period = period_parser(session=session)
    cleaned: Record = {}
    for name, value in values.items():
        spec = kind.field(name)
        cleaned[name] = None if value is None else clean_value(spec, value, period=parse_period)
    return cleaned


def check_targets(kind: KindSpec, record: Record, store: RecordStore) -> None:
    """Every ref a record names must exist."""
    for spec in kind.fields:
        for target, ref in refs_named(spec, record.get(spec.key)):
            if store.id_of(target, ref) is None:
                raise missing(BY_TABLE[target], ref, session=store.session, field=spec.key)


def _new_key(kind: KindSpec, record: Record, store: RecordStore, ref: str | None) -> str:
    if not kind.has_ref:  # a party is keyed by its institution
        key = str(record[kind.key_field])
        if store.find(kind, key) is not None:
            where = " to this MoU" if kind.in_mou else ""
            raise Conflict(f"{kind.key_field}: {key} is already {kind.article} {kind.noun}{where}")
        return key
    serialise(store.session, ref_lock(kind))
    key = clean_ref(ref) if ref else next_ref(kind, session=store.session)
    if store.id_of(kind.table, key) is not None:
        raise Conflict(f"ref: {kind.article} {kind.noun} with ref {key} already exists")
    return key


def store_lookup(store: RecordStore) -> Any:
    def lookup(table: str, ref: str) -> Record:
        kind = BY_TABLE[table]
        row = store.find(kind, ref)
        return {} if row is None else store.record_of(kind, row)

    return lookup


def check_rules(
    kind: KindSpec, record: Record, store: RecordStore, *, key: str | None = None
) -> None:
    problems = kind.problems(record, store_lookup(store), key)
    if problems:
        name, message = problems[0]
        raise InvalidInput(f"{name}: {message}")


def check_unique(kind: KindSpec, key: str, record: Record, store: RecordStore) -> None:
    """No other record of the kind may have the values ``kind.unique`` names (the caller
    holds the kind's ref lock, so two people cannot both pass this at once)."""
    if kind.unique is None:
        return
    problem = kind.clash(key, record, store.mou_records(kind))
    if problem is not None:
        name, message = problem
        raise Conflict(f"{name}: {message}")


def check_parent_loop(kind: KindSpec, key: str, parent: str | None, store: RecordStore) -> None:
    assert kind.parent is not None
    spec = kind.field(kind.parent)
    model = kind.ref_model
    rows = store.session.exec(select(col(model.ref), getattr(model, spec.attribute))).all()
    refs_by_id = {store.id_of(kind.table, row_ref): row_ref for row_ref, _ in rows}
    parents: dict[str, str | None] = {
        row_ref: refs_by_id.get(parent_id) if parent_id is not None else None
        for row_ref, parent_id in rows
    }
    parents[key] = parent
    if parent_loops(parents, [key]):
        raise InvalidInput(
            f"{kind.parent}: {parent} is {key} itself or one of its sub-{kind.nouns}"
        )
