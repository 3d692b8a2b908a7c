"""Writing one record in its outside form (a ``Record``: field key -> value, with refs
instead of ids, as in a programme file), and reading it back (``RecordReader``).

The importer, the commands that add and edit records, ``show``, the exporter and undo all go
through here, so a field is stored and read back one way only. Everything is driven by the
kind's description in ``tracker.kinds``: no kind is special-cased here.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from tracker import models
from tracker.errors import Conflict, StaleRecord
from tracker.fields import SCALARS, FieldSpec, FieldType
from tracker.kinds import BY_TABLE, KindSpec, Scope
from tracker.models import RowModel
from tracker.rules import Record
from tracker.services import audit
from tracker.services.records import RecordReader


def stale(session: Session, kind: KindSpec, key: str) -> StaleRecord:
    """The error for an edit based on data someone else has changed since it was read."""
    session.rollback()  # the failed flush ended the transaction; read the trail afresh
    e, c = models.AuditEntry, models.AuditCommand
    latest = session.exec(
        select(c.actor, c.at)
        .join(e, col(e.command_id) == c.id)
        .where(e.kind == kind.table, e.ref == key)
        .order_by(col(c.id).desc())
        .limit(1)
    ).first()
    who = (
        f" by {latest[0]} at {latest[1].isoformat(sep=' ', timespec='seconds')} UTC"
        if latest
        else ""
    )
    return StaleRecord(f"{kind.noun} {key} was changed{who}; run the command again")


@cache
def _columns(table: str) -> tuple[tuple[str, str, str | None], ...]:
    """A kind's fields stored in its own row: (key, model attribute, the table a ref points
    into, or None for a plain value). Worked out once: an import asks for every record."""
    found = []
    for spec in BY_TABLE[table].fields:
        if spec.field_type is FieldType.REF:
            found.append((spec.key, spec.attribute, spec.target))
        elif spec.field_type in SCALARS:
            found.append((spec.key, spec.attribute, None))
    return tuple(found)


def _model(name: str) -> type[RowModel]:
    model: type[RowModel] = getattr(models, name)
    return model


# Refs asked for in one query: well within every backend's limit on a statement's values.
_LOAD_CHUNK = 500


class RecordStore(RecordReader):
    """Record-level reads and writes within one ORM session."""

    session: Session

    def __init__(self, session: Session, *, mou_id: int | None = None) -> None:
        super().__init__(session, mou_id=mou_id)
        self._loaded: list[Any] = []

    # Refs and ids.

    def find(self, kind: KindSpec, key: str, *, for_update: bool = False) -> Any:
        """The stored row for a key (a ref; for a kind keyed by another record, that record's
        ref), or None.

        ``for_update`` locks the row until the transaction ends (PostgreSQL's SELECT … FOR
        UPDATE), so two people editing the same record at once cannot lose either's change;
        on SQLite the write transaction already holds the database's write lock."""
        model = kind.model
        if not kind.has_ref:
            spec = kind.field(kind.key_field)
            assert spec.target is not None
            target_id = self.id_of(spec.target, key)
            if target_id is None:
                return None
            statement = select(model).where(
                getattr(model, spec.attribute) == target_id,
                model.__table__.c.mou_id == self.mou_id,
            )
            if for_update:
                statement = statement.with_for_update()
            return self.session.exec(
                statement.execution_options(populate_existing=for_update)
            ).first()
        row_id = self.id_of(kind.table, key)
        if row_id is None:
            return None
        # populate_existing: a row read earlier in this transaction is read again under the
        # lock, so what the caller sees is what it will change.
        return self.session.get(
            model, row_id, with_for_update=for_update, populate_existing=for_update
        )

    def load(self, kind: KindSpec, refs: set[str]) -> None:
        """Read the rows of these refs into the session at once (a kind with a ref), so that
        ``find`` then asks no query: going back over a thousand changes read them one query
        each."""
        model = kind.ref_model
        wanted = sorted(refs)
        for start in range(0, len(wanted), _LOAD_CHUNK):
            chunk = wanted[start : start + _LOAD_CHUNK]
            for row in self.session.exec(select(model).where(col(model.ref).in_(chunk))):
                assert row.id is not None  # a stored row has its id
                self.remember(kind.table, row.ref, row.id)
                # The session holds its rows weakly: kept here, they stay in it to be found.
                self._loaded.append(row)

    # Writing.

    def upsert(self, kind: KindSpec, key: str, record: Record) -> tuple[bool, bool]:
        """Insert or update one record and its lists; returns (changed, added)."""
        row = self.find(kind, key, for_update=True)
        if row is None:
            self.insert(kind, key, record)
            return True, True
        return self.update(kind, key, row, record), False

    def insert(self, kind: KindSpec, key: str, record: Record) -> Any:
        """Add a new record (the caller has checked that its key is free)."""
        values = self.column_values(kind, record, new=True)
        row = kind.model(**values)
        if kind.has_ref:
            row.ref = key  # type: ignore[attr-defined]
        self.session.add(row)
        self.flush(kind, key)
        assert row.id is not None
        if kind.has_ref:
            self.remember(kind.table, key, row.id)
        if kind.scope is Scope.MOU:
            self.mou_id = row.id
        self._write_lists(kind, row.id, record, new=True)
        audit.record(self.session, kind=kind.table, ref=key, before=None, after=dict(record))
        return row

    def update(
        self, kind: KindSpec, key: str, row: Any, record: Record, *, base: Record | None = None
    ) -> bool:
        """Write a record's new values over a stored row; returns whether anything changed.
        ``base`` is the record as an import's file gave it, kept for the next import."""
        values = self.column_values(kind, record, new=False)
        before = self.record_of(kind, row)
        changed = False
        for attribute, value in values.items():
            if getattr(row, attribute) != value:
                setattr(row, attribute, value)
                changed = True
        self.flush(kind, key)
        if kind.scope is Scope.MOU:
            self.mou_id = row.id
        lists_changed = self._write_lists(kind, row.id, record, new=False)
        if lists_changed and not self.session.is_modified(row):
            # A change to a list alone is still a change to the record: raise its version.
            flag_modified(row, next(spec.attribute for spec in kind.fields if not spec.is_list))
            self.flush(kind, key)
        if not (changed or lists_changed):
            if base is not None:
                audit.record(
                    self.session, kind=kind.table, ref=key, before=before, after=before, base=base
                )
            return False
        # Audited as read back, so the trail compares like with like.
        after = self.record_of(kind, row)
        return audit.record(
            self.session, kind=kind.table, ref=key, before=before, after=after, base=base
        )

    def restore(self, kind: KindSpec, row: Any, values: Record, *, flush: bool = True) -> None:
        """Put some fields of a stored row back to earlier values, unaudited: what taking a
        change back needs. Only the fields given are read or written, so going back over a
        thousand changes does not read every record's lists three times each. Without
        ``flush`` the row's own columns are written at the session's next flush."""
        columns = {key: (attribute, target) for key, attribute, target in _columns(kind.table)}
        for key, value in values.items():
            if key in columns:
                attribute, target = columns[key]
                if target is not None and value is not None:
                    value = self.required_id(target, value)
                setattr(row, attribute, value)
                continue
            spec = kind.field(key)
            if spec.is_list:
                current = self._entries(spec, [row.id]).get(row.id, [])
                if current != (value or []):
                    self._replace_entries(spec, row.id, current, value or [])
        if flush:
            self.session.flush()

    def delete(self, kind: KindSpec, key: str, row: Any) -> None:
        """Remove a record and its own parts (lists); the caller has dealt with references."""
        audit.record(
            self.session, kind=kind.table, ref=key, before=self.record_of(kind, row), after=None
        )
        self.session.delete(row)
        self.session.flush()
        if kind.has_ref:
            self.forget(kind.table, key)

    def flush(self, kind: KindSpec, key: str) -> None:
        """Write pending changes; an edit to a record changed since it was read is refused."""
        try:
            self.session.flush()
        except StaleDataError:
            raise stale(self.session, kind, key) from None

    def column_values(self, kind: KindSpec, record: Record, *, new: bool) -> dict[str, Any]:
        """A record's values by model attribute, refs turned into ids."""
        values: dict[str, Any] = {}
        if kind.in_mou and new:
            # A record joins an MoU when it is added and stays there: an edit never moves it.
            values["mou_id"] = self.mou_id
        for key, attribute, target in _columns(kind.table):
            value = record.get(key)
            if target is None or value is None:
                values[attribute] = value
            else:
                # Known refs straight from the cache: an import asks for some 200,000.
                known = self._ids.get(target, {}).get(value)
                values[attribute] = known if known is not None else self.required_id(target, value)
        return values

    def required_id(self, table: str, ref: str) -> int:
        row_id = self.id_of(table, ref)
        if row_id is None:  # callers check refs first; this keeps a slip from writing NULL
            raise Conflict(f"{BY_TABLE[table].noun} {ref} does not exist")
        return row_id

    def _write_lists(self, kind: KindSpec, row_id: int, record: Record, *, new: bool) -> bool:
        changed = False
        for spec in kind.list_fields:
            wanted = record.get(spec.key) or []
            if new and not wanted:
                continue  # a new record has no entries to compare or remove
            current = [] if new else self._entries(spec, [row_id]).get(row_id, [])
            if current == wanted:
                continue
            self._replace_entries(spec, row_id, current, wanted)
            changed = True
        return changed

    def _replace_entries(
        self, spec: FieldSpec, owner_id: int, current: list[Any], wanted: list[Any]
    ) -> None:
        """Make the stored list equal ``wanted``: a set changes by the entries that differ; a
        history is written again whole (it keeps its order)."""
        rows = spec.rows
        assert rows is not None
        model = _model(rows.model_name)
        owner = getattr(model, rows.owner_column)
        as_tuples = spec.field_type is FieldType.REFS
        current_set = [((item,) if as_tuples else item) for item in current]
        wanted_set = [((item,) if as_tuples else item) for item in wanted]
        if rows.key is None and not as_tuples:
            stale_entries, new_entries = current_set, wanted_set
            self.session.execute(sa.delete(model).where(owner == owner_id))
        else:
            stale_entries = [entry for entry in current_set if entry not in wanted_set]
            new_entries = [entry for entry in wanted_set if entry not in current_set]
            position = 0 if as_tuples else [c.key for c in rows.columns].index(rows.key or "")
            key_column = rows.columns[position]
            for entry in stale_entries:
                self.session.execute(
                    sa.delete(model).where(
                        owner == owner_id,
                        getattr(model, key_column.attribute)
                        == self._stored(key_column, entry[position]),
                    )
                )
        self.session.flush()
        for values in self.entry_rows(spec, owner_id, new_entries):
            self.session.add(model(**values))
        self.session.flush()

    def entry_rows(
        self, spec: FieldSpec, owner_id: int, entries: list[Any]
    ) -> list[dict[str, Any]]:
        """The child-table rows that hold a list's entries (refs turned into ids)."""
        rows = spec.rows
        assert rows is not None
        found = []
        for entry in entries:
            values = entry if isinstance(entry, tuple) else (entry,)
            found.append(
                {
                    rows.owner_column: owner_id,
                    **{
                        column.attribute: self._stored(column, value)
                        for column, value in zip(rows.columns, values, strict=True)
                    },
                }
            )
        return found

    def _stored(self, column: FieldSpec, value: Any) -> Any:
        if column.field_type is FieldType.REF and value is not None:
            assert column.target is not None
            return self.required_id(column.target, value)
        return value
