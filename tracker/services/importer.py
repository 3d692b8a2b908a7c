"""Loading a programme file into the database without ever undoing work recorded since.

An import is a three-way merge, field by field. The *base* is what the last import of the
programme set (the audit trail keeps, for every record an import named, the record as the file
gave it); *file* is the new file; *database* is what is stored now.

- unchanged in the file since the last import, changed in the database: the database's value
  is kept (and counted, and listed by a dry run);
- changed in the file, unchanged in the database: the file's value is taken;
- changed on both sides to different values: a conflict. The import is refused whole and every
  conflict is listed, unless ``prefer`` says which side wins;
- a record with no base (never imported: typed at the command line) is treated as changed in
  the database wherever it differs;
- ``prefer="database"`` keeps the database's value in every conflict; ``prefer="file"`` takes
  the file's value wherever it differs from the database (conflicts and kept fields alike:
  the file is the truth, as a first load from a file would have it);
- a record the database holds and the file does not name is left alone; one removed from the
  database since the last import stays removed unless the file changed it;
- a setting never set (still at its default) is not a change: it takes the file's value.

Records that are new are written in bulk (one INSERT per table, refs looked up once), with one
audit entry per record; changed records go through the same write path as any edit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from tracker import models
from tracker.db import insert_rows, serialise
from tracker.enums import Prefer
from tracker.errors import MouError, Problem, ValidationFailed
from tracker.fields import FieldSpec, plain, refs_named
from tracker.kinds import FILE_ORDER, KINDS, KindSpec, Scope
from tracker.rules import Record, parent_loops
from tracker.services import audit, trail
from tracker.services.configure import change_settings
from tracker.services.editing import ref_lock
from tracker.services.file_records import FileRecords
from tracker.services.programme_file import (
    Existing,
    Programme,
    ProgrammeText,
    load_programme_text,
)
from tracker.services.settings import reporting_scheme, stored_settings
from tracker.services.store import RecordStore
from tracker.services.trail_values import encode

# Told how far an import has got: (what it is doing, done, of how many).
Progress = Callable[[str, int, int], None]


@dataclass
class Counts:
    added: int = 0
    changed: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.added + self.changed + self.unchanged


@dataclass(frozen=True)
class FieldChange:
    """One field the import changes, keeps or finds in conflict."""

    table: str
    key: str
    field: str
    old: Any  # the database's value
    new: Any  # the file's value
    by: str | None = None  # who changed the database's value since the last import
    at: dt.datetime | None = None

    def _changed_by(self) -> str:
        if self.by is None or self.at is None:
            return ""
        return f" (changed by {self.by} at {self.at.isoformat(sep=' ', timespec='seconds')} UTC)"

    def describe_conflict(self) -> str:
        """'milestones MS-14 completed: file 2026-11-20, database 2026-11-27 (changed by …)'."""
        if self.field == RECORD:
            return (
                f"{self.table} {self.key}: the file changes it, and it was removed from the "
                "database since the last import"
            )
        return (
            f"{self.table} {self.key} {self.field}: file {shown(self.new)}, database "
            f"{shown(self.old)}{self._changed_by()}"
        )

    def describe_kept(self) -> str:
        if self.field == RECORD:
            return f"{self.table} {self.key}: removed from the database since the last import"
        return (
            f"{self.table} {self.key} {self.field}: database {shown(self.old)}, file "
            f"{shown(self.new)}{self._changed_by()}"
        )


RECORD = "(record)"  # the field of a change to a whole record (added, removed)


def shown(item: Any) -> str:
    """A field's value as an import's messages show it: ISO dates, 'none' for nothing."""
    value = plain(item)
    if value is None or value == []:
        return "none"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(
            " ".join(shown(part) for part in entry) if isinstance(entry, list) else str(entry)
            for entry in value
        )
    return str(value)


@dataclass
class ImportResult:
    mou: str
    counts: dict[str, Counts] = field(default_factory=dict)
    new_keys: dict[str, str] = field(default_factory=dict)  # table -> keys added, a line each
    changes: list[FieldChange] = field(default_factory=list)  # fields written from the file
    kept: list[FieldChange] = field(default_factory=list)  # database values kept
    conflicts: list[FieldChange] = field(default_factory=list)  # resolved by ``prefer``
    prefer: Prefer | None = None

    @property
    def new_records(self) -> list[tuple[str, str]]:
        """(table, key) of every record added, in the order they were written."""
        return [
            (table, key)
            for table, keys in self.new_keys.items()
            if keys
            for key in keys.split("\n")
        ]

    @property
    def added(self) -> int:
        return sum(counts.added for counts in self.counts.values())

    @property
    def changed(self) -> int:
        return sum(counts.changed for counts in self.counts.values())

    @property
    def unchanged(self) -> int:
        return sum(counts.unchanged for counts in self.counts.values())


class ImportConflicts(MouError):
    """Fields changed both in the file and in the database since the last import; nothing
    was written. The CLI lists ``conflicts`` under the message."""

    def __init__(self, conflicts: list[FieldChange], source: str) -> None:
        self.conflicts = conflicts
        self.details = [conflict.describe_conflict() for conflict in conflicts]
        count = len(conflicts)
        noun = "field was" if count == 1 else "fields were"
        super().__init__(
            f"{source}: {count} {noun} changed both in the file and in the database since "
            "the last import; nothing was written (choose with --prefer file or --prefer "
            "database)"
        )


def import_programme(
    text: str | ProgrammeText,
    *,
    session: Session,
    source: str,
    file_format: str = "toml",
    today: dt.date | None = None,
    prefer: Prefer | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Validate the whole file against the database, merge it with what was recorded since
    the last import, then write it. Raises ValidationFailed or ImportConflicts (and writes
    nothing) when anything is wrong. Given as a ``ProgrammeText``, the file's text is let go
    once it is read."""
    # One import at a time, and no new ref handed out while it runs (PostgreSQL).
    serialise(session, "import")
    for kind in KINDS:
        if kind.has_ref:
            serialise(session, ref_lock(kind))
    store = RecordStore(session)
    existing = existing_records(store)
    today = today or dt.date.today()
    programme = load_programme_text(
        text,
        source=source,
        existing=existing,
        file_format=file_format,
        scheme=reporting_scheme(session=session),
        today=today,
    )
    merge = _Merge(store, existing, prefer=prefer, source=source, today=today)
    plan = merge.plan(programme)
    if merge.conflicts and prefer is None:
        raise ImportConflicts(merge.conflicts, source)
    merge.check(plan, programme, source)
    return _Writer(store, merge, progress).write(programme, plan)


def existing_records(store: RecordStore) -> Existing:
    """Every record the database holds, in outside form, keyed by table and key."""
    store.preload()
    return {kind.table: store.all_records(kind) for kind in KINDS}


@dataclass
class _Plan:
    """What to write: the records that are new, by key, per table (written as the file gives
    them, which is also their base), and what to write for each record the database holds
    or held. Parents come before their children in both."""

    new: dict[str, list[str]]
    held: list[_Planned]

    def __len__(self) -> int:
        return sum(map(len, self.new.values())) + len(self.held)


@dataclass
class _Planned:
    """What to write for one record: its merged values, and the file's (the next base)."""

    kind: KindSpec
    key: str
    record: Record | None  # None: leave the record as it is (removed since, and kept so)
    base: Record
    new: bool
    changed: bool
    base_moved: bool


class _Merge:
    def __init__(
        self,
        store: RecordStore,
        existing: Existing,
        *,
        prefer: Prefer | None,
        source: str,
        today: dt.date,
    ) -> None:
        self.store = store
        self.existing = existing
        self.prefer = prefer
        self.source = source
        self.today = today
        self.bases = trail.import_bases(store.session)
        self.changes: list[FieldChange] = []
        self.kept: list[FieldChange] = []
        self.conflicts: list[FieldChange] = []

    def plan(self, programme: Programme) -> _Plan:
        plan = _Plan(new={}, held=[])
        for kind in KINDS:
            records = programme.records[kind.table]
            held = self.existing[kind.table]
            new = plan.new.setdefault(kind.table, [])
            for key in _parents_first(kind, records):
                if key not in held and (kind.table, key) not in self.bases:
                    new.append(key)  # never imported nor held: no record to make for it
                    continue
                item = self._record(kind, key, records[key])
                if item.new:
                    new.append(key)
                else:
                    plan.held.append(item)
        return plan

    def _base(self, kind: KindSpec, key: str) -> Record | None:
        found = self.bases.get((kind.table, key))
        return None if found is None else audit.decode_record(kind.fields, found[0])

    def _record(self, kind: KindSpec, key: str, file: Record) -> _Planned:
        current = self.existing[kind.table].get(key)
        base = self._base(kind, key)
        moved = base is None or _differs(kind, base, file)
        if current is None:
            if base is not None and not moved and self.prefer != "file":
                # Removed in the database since the last import, untouched in the file.
                self.kept.append(FieldChange(kind.table, key, RECORD, "removed", "present"))
                return _Planned(kind, key, None, file, False, False, False)
            if base is not None and self.prefer != "file":
                clash = FieldChange(kind.table, key, RECORD, "removed", "changed")
                self._conflict(clash, take_file=False)
                return _Planned(kind, key, None, file, False, False, True)
            # A new record is written as the file gives it: the record is its own base.
            return _Planned(kind, key, file, file, True, True, True)
        merged = dict(current)
        history = kind.history
        for spec in kind.fields:
            name = spec.key
            if history is not None and name == history.into:
                continue
            mine, theirs = file[name], current[name]
            if encode(mine) == encode(theirs):
                continue
            change = FieldChange(kind.table, key, name, theirs, mine)
            if base is None or encode(mine) == encode(base.get(name)):
                take = self._keep(change if base is None else self._who(change))
            elif encode(theirs) == encode(base.get(name)):
                take = True
                self.changes.append(change)
            else:
                take = self._conflict(self._who(change), take_file=self.prefer == "file")
            if take:
                merged[name] = mine
        if history is not None:
            merged[history.into] = self._history(kind, current, file, merged)
        changed = _differs(kind, current, merged)
        return _Planned(kind, key, merged, file, False, changed, moved)

    def _keep(self, change: FieldChange) -> bool:
        """A value changed in the database only: kept, unless the file is preferred."""
        if self.prefer == "file":
            self.changes.append(change)
            return True
        self.kept.append(change)
        return False

    def _conflict(self, change: FieldChange, *, take_file: bool) -> bool:
        self.conflicts.append(change)
        if self.prefer == "file":
            self.changes.append(change)
        return take_file

    def _who(self, change: FieldChange) -> FieldChange:
        found = trail.last_change(self.store.session, change.table, change.key, change.field)
        if found is None:
            return change
        by, at = found
        return FieldChange(change.table, change.key, change.field, change.old, change.new, by, at)

    def _history(self, kind: KindSpec, current: Record, file: Record, merged: Record) -> list[Any]:
        """A history is never erased: the database's entries, then the file's new ones, then
        an entry recording a tracked field the file moved, unless the file records it."""
        history = kind.history
        assert history is not None
        entries = list(current[history.into])
        entries += [entry for entry in file[history.into] if entry not in entries]
        if history.moved(current, merged):
            width = len(history.tracked)
            recorded = history.entry(current, "", None)[:width]
            if not any(entry[:width] == recorded for entry in entries):
                reason = f"{history.label} changed by importing {self.source}"
                entries.append(history.entry(current, reason, self.today))
        return entries

    def check(self, plan: _Plan, programme: Programme, source: str) -> None:
        """Merged records keep every rule a record keeps (a field kept from the database beside
        one taken from the file could break one). The merged records are the database's, with
        the planned ones in their place: those it holds as merged, new ones as in the file."""
        changed: dict[str, dict[str, Record]] = {table: {} for table in self.existing}
        for item in plan.held:
            if item.record is not None:
                changed[item.kind.table][item.key] = item.record
        new = {table: set(keys) for table, keys in plan.new.items()}

        def lookup(table: str, ref: str) -> Mapping[str, Any]:
            if ref in changed[table]:
                return changed[table][ref]
            if ref in new[table]:
                return programme.records[table].view(ref) or {}
            return self.existing[table].get(ref) or {}

        def merged(table: str) -> dict[str, Record]:
            records = programme.records[table]
            return {
                **self.existing[table],
                **{key: records[key] for key in new[table]},
                **changed[table],
            }

        problems: list[Problem] = []
        suffix = " (after keeping changes made in the database since the last import)"
        for item in plan.held:
            if item.record is None or not item.changed or item.new:
                continue
            for name, message in item.kind.problems(item.record, lookup, item.key):
                problems.append(Problem(item.kind.table, item.key, name, message + suffix))
        for kind in KINDS:
            if kind.unique is None and kind.parent is None:
                continue
            records = merged(kind.table)
            if kind.unique is not None:
                first: dict[tuple[Any, ...], str] = {}
                for key, record in sorted(records.items()):
                    values = kind.unique.values(record)
                    if values in first:  # each pair named once, by the later key
                        name, message = kind.taken(record, first[values])
                        problems.append(Problem(kind.table, key, name, message))
                    first.setdefault(values, key)
            if kind.parent is None:
                continue
            parents = {key: record.get(kind.parent) for key, record in records.items()}
            for ref in parent_loops(parents, sorted(parents)):
                problems.append(
                    Problem(kind.table, ref, kind.parent, "makes a loop of parents" + suffix)
                )
        if problems:
            raise ValidationFailed(problems, source)

    def settings(self, programme: Programme) -> tuple[dict[str, str | None], dict[str, str]]:
        """The settings to change and the bases to keep, merged like records."""
        stored = stored_settings(session=self.store.session)
        set_keys = _set_settings(self.store.session)
        changes: dict[str, str | None] = {}
        bases: dict[str, str] = {}
        for key, mine in programme.settings.items():
            found = self.bases.get(("settings", key))
            base = None if found is None else found[0].get("value")
            if base != mine:
                bases[key] = mine
            theirs = stored[key]
            if mine == theirs:
                continue
            change = FieldChange("settings", key, "value", theirs, mine)
            if key not in set_keys or (base is not None and theirs == base):
                take = True  # never set here, or unchanged here since the last import
                self.changes.append(change)
            elif base is None or mine == base:
                take = self._keep(change if base is None else self._who(change))
            else:
                take = self._conflict(self._who(change), take_file=self.prefer == "file")
            if take:
                changes[key] = mine
        return changes, bases


def _set_settings(session: Session) -> set[str]:
    """The settings that have a value stored (the others are at their defaults)."""
    return set(session.execute(sa.select(col(models.Setting.key))).scalars())


def _differs(kind: KindSpec, one: Record, other: Record) -> bool:
    return any(encode(one.get(spec.key)) != encode(other.get(spec.key)) for spec in kind.fields)


class _Writer:
    def __init__(self, store: RecordStore, merge: _Merge, progress: Progress | None) -> None:
        self.store = store
        self.merge = merge
        self.progress = progress

    def write(self, programme: Programme, plan: _Plan) -> ImportResult:
        """Write the plan; the programme's records are let go as they are written."""
        merge = self.merge
        result = ImportResult(
            mou=programme.mou_ref,
            changes=merge.changes,
            kept=merge.kept,
            conflicts=merge.conflicts,
            prefer=merge.prefer,
        )
        self._write_settings(programme, result)
        # Records added to an MoU the database already holds join it, whether or not the MoU
        # itself changes in this import.
        if self.store.mou_id is None:
            self.store.mou_id = self.store.id_of("mou", programme.mou_ref)
        # Counted in the order a programme file lists its tables, whatever the write order.
        result.counts = {kind.table: Counts() for kind in FILE_ORDER}
        by_kind: dict[str, list[_Planned]] = {}
        for item in plan.held:
            by_kind.setdefault(item.kind.table, []).append(item)
        done, total = 0, len(plan)
        for kind in KINDS:
            items = by_kind.get(kind.table, [])
            new = plan.new.get(kind.table, [])
            counts = result.counts.setdefault(kind.table, Counts())
            counts.added += len(new)
            written = len(new)
            result.new_keys[kind.table] = self._insert(kind, new, programme.records[kind.table])
            bases: list[dict[str, Any]] = []
            for item in items:
                if item.record is None:  # removed in the database since, and kept so
                    if item.base_moved:
                        bases.append(
                            {
                                "kind": kind.table,
                                "ref": item.key,
                                "action": "base",
                                "base": item.base,
                            }
                        )
                    continue
                if item.changed:
                    row = self.store.find(kind, item.key, for_update=True)
                    self.store.update(kind, item.key, row, item.record, base=item.base)
                    counts.changed += 1
                    continue
                counts.unchanged += 1
                if item.base_moved:
                    bases.append(
                        {"kind": kind.table, "ref": item.key, "action": "base", "base": item.base}
                    )
            audit.record_many(self.store.session, bases)
            done += written + len(items)
            if self.progress is not None and (written or items):
                self.progress(f"Loading {kind.table}", done, total)
        return result

    def _write_settings(self, programme: Programme, result: ImportResult) -> None:
        if not programme.settings:
            return
        changes, bases = self.merge.settings(programme)
        result.counts["settings"] = Counts(
            changed=len(changes), unchanged=len(programme.settings) - len(changes)
        )
        if changes or bases:
            change_settings(changes, session=self.store.session, bases=bases)

    def _insert(self, kind: KindSpec, keys: list[str], records: FileRecords) -> str:
        """New records in bulk, a chunk at a time (so memory stays flat however long the
        file): one INSERT per chunk for the table, one per list field, one for the audit
        entries; refs are looked up from the store's cache. Returns the keys written, one a
        line; ``keys`` is emptied."""
        # The ids of the new rows are remembered for what is written after them: all of them
        # when a later table may name them, otherwise only those the table's own records
        # name (a milestone's predecessors, a theme's parent), and those only until its
        # records are written. 100,000 ids take 7 MB.
        remembered: set[str] | None = None
        if kind.has_ref and kind.table not in _NAMED_LATER:
            remembered = _named_by_its_own(kind, records)
            self.store.partly_remembered(kind.table)
        # Records of a nesting kind go in by depth, so each parent's id is known before its
        # children are written.
        # A list naming the table's own records (a milestone's predecessors) may name one
        # further on in the file: its entries are written once every row is in.
        later: list[tuple[FieldSpec, int, list[Any]]] = []
        with _indexes_built_after(self.store.session, kind.model.__table__, len(keys)):
            for layer in _layers(kind, keys, records):
                for start in range(0, len(layer), INSERT_CHUNK):
                    chunk = layer[start : start + INSERT_CHUNK]
                    self._insert_chunk(kind, chunk, records, remembered, later)
            self._insert_entries(later)
            # Written, everything held for the records is let go before the indexes are
            # built, whose pages then take its memory: the records themselves, and the refs,
            # kept from now on as one string (a ref holds no line break), not 100,000.
            records.release()
            if remembered:
                self.store.forget_added(kind.table, remembered)
            written = "\n".join(keys)
            keys.clear()
        return written

    def _insert_chunk(
        self,
        kind: KindSpec,
        keys: list[str],
        records: FileRecords,
        remembered: set[str] | None,
        later: list[tuple[FieldSpec, int, list[Any]]],
    ) -> None:
        store = self.store
        table = kind.model.__table__
        # Each record made once, for its row, its lists and its audit entry (in which the
        # same record is both what was added and the base of the next import).
        chunk = records.made(keys)
        rows = []
        for key, record in zip(keys, chunk, strict=True):
            values = store.column_values(kind, record, new=True)
            if kind.has_ref:
                values["ref"] = key
            rows.append(values)
        ids = _insert_returning_ids(store.session, table, rows)
        del rows
        added = zip(keys, ids, strict=True)
        if kind.has_ref and remembered is None:
            store.remember_added(kind.table, added)
        elif remembered:
            store.remember_added(kind.table, (pair for pair in added if pair[0] in remembered))
        if kind.scope is Scope.MOU:
            store.mou_id = ids[-1]
        for spec in kind.list_fields:
            if kind.table in _tables_named_by(spec):
                later.extend(
                    (spec, row_id, record[spec.key])
                    for record, row_id in zip(chunk, ids, strict=True)
                    if record[spec.key]
                )
            else:
                self._insert_entries(
                    [
                        (spec, row_id, record[spec.key])
                        for record, row_id in zip(chunk, ids, strict=True)
                    ]
                )
        audit.record_many(
            store.session,
            [
                {"kind": kind.table, "ref": key, "action": "add", "new": record, "base": record}
                for key, record in zip(keys, chunk, strict=True)
            ],
        )
        # Written, the records are let go, so the memory they took serves the database's
        # pages as the next ones are written.
        records.written(keys)

    def _insert_entries(self, lists: list[tuple[FieldSpec, int, list[Any]]]) -> None:
        """The child-table rows of these lists (field, owner's id, entries), one INSERT per
        field."""
        by_field: dict[str, list[dict[str, Any]]] = {}
        fields: dict[str, FieldSpec] = {}
        for spec, owner_id, entries in lists:
            fields[spec.key] = spec
            by_field.setdefault(spec.key, []).extend(self.store.entry_rows(spec, owner_id, entries))
        for key, child_rows in by_field.items():
            rows = fields[key].rows
            assert rows is not None
            if child_rows:
                child = getattr(models, rows.model_name)
                insert_rows(self.store.session, child.__table__, child_rows)


def _tables_named(kind: KindSpec) -> set[str]:
    """The tables a kind's records name."""
    return {table for spec in kind.ref_fields for table in _tables_named_by(spec)}


def _tables_named_by(spec: FieldSpec) -> set[str]:
    """The tables a field's values name."""
    named = {spec.target} if spec.target is not None else set()
    columns = spec.rows.columns if spec.rows is not None else ()
    return named | {column.target for column in columns if column.target is not None}


def _named_by_its_own(kind: KindSpec, records: FileRecords) -> set[str]:
    """The refs of a table that its own records name."""
    named: set[str] = set()
    for spec in kind.ref_fields:
        if kind.table not in _tables_named_by(spec):
            continue
        for value in records.column(spec.key):
            if value is not None:
                named.update(ref for table, ref in refs_named(spec, value) if table == kind.table)
    return named


# The tables whose records a table written after them may name: the ids of those it adds
# stay remembered until the end.
_NAMED_LATER = frozenset(
    kind.table
    for position, kind in enumerate(KINDS)
    if any(kind.table in _tables_named(later) for later in KINDS[position + 1 :])
)


# Records written per INSERT: large enough to be quick, small enough that the rows, their
# parameters and their audit entries never add up to much memory.
INSERT_CHUNK = 2_000


# From this many new rows, a load into an empty SQLite table builds the table's indexes
# afterwards (see _indexes_built_after).
BULK_LOAD = 10_000


@contextmanager
def _indexes_built_after(session: Session, table: Any, rows: int) -> Iterator[None]:
    """Many rows into an empty SQLite table: its indexes are dropped first and built again
    once the rows are in, which sorts each index once instead of growing it a row at a time
    (100,000 milestones went in 0.4 s sooner, their six indexes built in the time). All of it
    happens inside the import's transaction, so a failure leaves the indexes as they were.
    PostgreSQL is left alone: dropping an index there would lock out every reader."""
    connection = session.connection()
    if (
        rows < BULK_LOAD
        or connection.dialect.name != "sqlite"
        or connection.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first()
    ):
        yield
        return
    indexes = sorted(table.indexes, key=lambda index: str(index.name))
    for index in indexes:
        index.drop(connection)
    yield
    for index in indexes:
        index.create(connection)


def _insert_returning_ids(session: Session, table: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows and return their new ids, in the rows' order.

    SQLite can return ids in the order of the rows only one row per statement, which makes
    a large import a hundred times slower; but a SQLite write transaction holds the
    database's write lock from its start, so no one else can take an id meanwhile, and the
    ids can be given here, after the largest in use. PostgreSQL returns them in order from
    one statement."""
    if session.get_bind().dialect.name == "sqlite":
        start = session.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0
        ids = list(range(start + 1, start + 1 + len(rows)))
        for row, row_id in zip(rows, ids, strict=True):
            row["id"] = row_id
        insert_rows(session, table, rows)
        return ids
    returned = session.execute(
        sa.insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
    )
    return [row_id for (row_id,) in returned]


def _layers(kind: KindSpec, keys: list[str], records: FileRecords) -> list[list[str]]:
    if kind.parent is None:
        return [keys]
    parent_key = kind.parent
    writing = set(keys)
    depth: dict[str, int] = {}

    def depth_of(key: str) -> int:
        if key not in depth:
            parent = records.value(key, parent_key)
            depth[key] = depth_of(parent) + 1 if parent in writing else 0
        return depth[key]

    layers: dict[int, list[str]] = {}
    for key in keys:
        layers.setdefault(depth_of(key), []).append(key)
    return [layers[level] for level in sorted(layers)]


def _parents_first(kind: KindSpec, records: FileRecords) -> list[str]:
    """Keys of the records of a nesting kind (themes, sites): a parent before its children
    (loops were refused)."""
    if kind.parent is None:
        return list(records)
    parent_key = kind.parent
    ordered: list[str] = []
    placed: set[str] = set()

    def place(key: str) -> None:
        if key in placed:
            return
        parent = records.value(key, parent_key)
        if parent in records:
            place(parent)
        placed.add(key)
        ordered.append(key)

    for key in records:
        place(key)
    return ordered
