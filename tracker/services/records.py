"""Reading records in their outside form (a ``Record``: field key -> value, with refs
instead of ids, as in a programme file), through the Core tables of ``tracker.tables``.

``RecordReader`` works on an ORM session or a Core connection alike, so a command that only
reads (the KPIs on ``mou status``) needs no mapped class; ``tracker.services.store`` builds
the writing on it. Everything is driven by the kind's description in ``tracker.kinds``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from tracker import tables
from tracker.db import Reader
from tracker.fields import SCALARS, FieldSpec, FieldType, whole
from tracker.kinds import BY_TABLE, KindSpec, Scope
from tracker.rules import Record


def _table(model_name: str) -> sa.TableClause:
    return tables.BY_MODEL[model_name]


class RecordReader:
    """Record-level reads within one session, with a cache of ref <-> id lookups. On an ORM
    session a Core statement flushes pending changes first, as an ORM query does (SQLAlchemy
    2.0.16 and later), so a read sees the session's own writes."""

    def __init__(self, session: Reader, *, mou_id: int | None = None) -> None:
        self.session = session
        self.mou_id = mou_id
        self._ids: dict[str, dict[str, int]] = {}
        self._refs: dict[str, dict[int, str]] = {}
        self._complete: set[str] = set()  # tables whose every ref is cached

    # Refs and ids.

    def preload(self, tables: Iterable[str] | None = None) -> None:
        """Fetch every ref of these tables (default: all) at once: cheaper than one query per
        ref when reading or writing many records."""
        for table in tables if tables is not None else BY_TABLE:
            kind = BY_TABLE[table]
            if not kind.has_ref or table in self._complete:
                continue
            stored = _table(kind.model_name)
            for ref, row_id in self.session.execute(sa.select(stored.c.ref, stored.c.id)):
                self.remember(table, ref, row_id)
            self._complete.add(table)

    def remember(self, table: str, ref: str, row_id: int) -> None:
        self._ids.setdefault(table, {})[ref] = row_id
        self._refs.setdefault(table, {})[row_id] = ref

    def remember_added(self, table: str, ids: Iterable[tuple[str, int]]) -> None:
        """The ids of rows just inserted, by ref. The other way, an id's ref is read from the
        database when asked (``ref_of``), which an import adding 100,000 records never does:
        remembered, it would hold some 5 MB while they are written."""
        self._ids.setdefault(table, {}).update(ids)

    def partly_remembered(self, table: str) -> None:
        """From now on, not every ref of the table is cached: one asked for that is not is
        read from the database (rows inserted but not remembered, or forgotten)."""
        self._complete.discard(table)

    def forget_added(self, table: str, refs: Iterable[str]) -> None:
        """Forget the ids of rows just inserted (``remember_added``); should one be asked for
        after all, it is read from the database."""
        known = self._ids.get(table, {})
        for ref in refs:
            known.pop(ref, None)
        self._ids[table] = dict(known)  # a dict keeps its size as keys go; a copy does not
        self.partly_remembered(table)

    def forget(self, table: str, ref: str) -> None:
        row_id = self._ids.get(table, {}).pop(ref, None)
        if row_id is not None:
            self._refs.get(table, {}).pop(row_id, None)

    def id_of(self, table: str, ref: str) -> int | None:
        known = self._ids.get(table, {})
        if ref not in known:
            if table in self._complete:
                return None
            stored = _table(BY_TABLE[table].model_name)
            found = sa.select(stored.c.id).where(stored.c.ref == ref)
            row_id = self.session.execute(found).scalar()
            if row_id is None:
                return None
            self.remember(table, ref, row_id)
        return self._ids[table][ref]

    def ref_of(self, table: str, row_id: int) -> str:
        known = self._refs.get(table, {})
        if row_id not in known:
            stored = _table(BY_TABLE[table].model_name)
            found = sa.select(stored.c.ref).where(stored.c.id == row_id)
            ref = self.session.execute(found).scalar_one()
            self.remember(table, ref, row_id)
        return self._refs[table][row_id]

    def key_of(self, kind: KindSpec, row: Any) -> str:
        if kind.has_ref:
            return str(row.ref)
        spec = kind.field(kind.key_field)
        assert spec.target is not None
        return self.ref_of(spec.target, getattr(row, spec.attribute))

    def record_of(self, kind: KindSpec, row: Any) -> Record:
        """A stored row in its outside form: the inverse of ``upsert``."""
        return self.records_of(kind, [row])[0]

    def records_of(self, kind: KindSpec, rows: list[Any]) -> list[Record]:
        """Stored rows in their outside form, with one query per list field for all of them."""
        if not rows:
            return []  # no record, so no list of one to read (a programme without KPIs)
        for spec in kind.fields:
            if spec.target is not None and spec.field_type is FieldType.REF:
                wanted = {getattr(row, spec.attribute) for row in rows} - {None}
                if len(wanted) > 1:
                    self.preload([spec.target])
        lists = {
            spec.key: self._entries(spec, [row.id for row in rows]) for spec in kind.list_fields
        }
        records = []
        for row in rows:
            record: Record = {}
            for spec in kind.fields:
                if spec.field_type is FieldType.NUMBER:
                    record[spec.key] = whole(getattr(row, spec.attribute))
                elif spec.field_type in SCALARS:
                    record[spec.key] = getattr(row, spec.attribute)
                elif spec.field_type is FieldType.REF:
                    assert spec.target is not None
                    target_id = getattr(row, spec.attribute)
                    record[spec.key] = (
                        None if target_id is None else self.ref_of(spec.target, target_id)
                    )
                else:
                    record[spec.key] = lists[spec.key].get(row.id, [])
            records.append(record)
        return records

    def all_records(self, kind: KindSpec) -> dict[str, Record]:
        """Every record of a kind (of this store's MoU, for kinds that belong to one), keyed,
        read with one query per table rather than one object per row."""
        table = _table(kind.model_name)
        statement = sa.select(table)
        if kind.in_mou and self.mou_id is not None:
            statement = statement.where(table.c.mou_id == self.mou_id)
        rows = list(self.session.execute(statement))
        if rows and kind.has_ref:
            self.preload([kind.table])
        keys = [self.key_of(kind, row) for row in rows]
        return dict(zip(keys, self.records_of(kind, rows), strict=True))

    def mou_records(self, kind: KindSpec) -> dict[str, Record]:
        """The records of one kind that belong to this store's MoU (every record, for shared
        kinds), keyed."""
        records = self.all_records(kind)
        if kind.scope is Scope.MOU:
            return {
                key: value
                for key, value in records.items()
                if self.id_of("mou", key) == self.mou_id
            }
        if kind.scope is not Scope.VIA:
            return records
        assert kind.via is not None
        parent = BY_TABLE[kind.field(kind.via).target or ""]
        wanted = set(self.mou_records(parent))
        return {key: value for key, value in records.items() if value[kind.via] in wanted}

    def _entries(self, spec: FieldSpec, owner_ids: list[int]) -> dict[int, list[Any]]:
        """Each owner's list, in normal form: refs sorted; keyed rows sorted by key; history
        rows in the order they were added."""
        rows = spec.rows
        assert rows is not None
        model = _table(rows.model_name)
        owner = model.c[rows.owner_column]
        columns = [model.c[column.attribute] for column in rows.columns]
        statement: Any = sa.select(owner, *columns)
        if len(owner_ids) == 1:
            statement = statement.where(owner == owner_ids[0])
        elif len(owner_ids) <= 500:
            statement = statement.where(owner.in_(owner_ids))
        # (more owners than that: read the whole table, which is cheaper than a huge IN list)
        if "id" in model.c:
            statement = statement.order_by(model.c.id)
        wanted = set(owner_ids)
        found: dict[int, list[Any]] = {}
        for owner_id, *values in self.session.execute(statement):
            if owner_id not in wanted:
                continue
            entry = tuple(
                self._outside(column, value)
                for column, value in zip(rows.columns, values, strict=True)
            )
            found.setdefault(owner_id, []).append(entry)
        for owner_id, entries in found.items():
            if spec.field_type is FieldType.REFS:
                found[owner_id] = sorted(entry[0] for entry in entries)
            elif rows.key is not None:
                position = [column.key for column in rows.columns].index(rows.key)
                entries.sort(key=lambda entry: str(entry[position]))
        return found

    def _outside(self, column: FieldSpec, value: Any) -> Any:
        if column.field_type is FieldType.REF and value is not None:
            assert column.target is not None
            return self.ref_of(column.target, value)
        if column.field_type is FieldType.CHOICE and value is not None:
            assert column.vocabulary is not None
            return column.vocabulary(value)
        if column.field_type is FieldType.NUMBER:
            return whole(value)
        return value
