"""The whole programme as a programme file (docs/programme-file.md): the inverse of the
importer.

Loading an export into an empty database and exporting again gives the same file, so a
programme can move between databases (SQLite to PostgreSQL, laptop to server) without loss.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from tracker.fields import FieldType, plain
from tracker.kinds import FILE_ORDER, KindSpec, Scope
from tracker.rules import Record
from tracker.services.lookup import current_mou
from tracker.services.settings import SETTINGS, stored_settings
from tracker.services.store import RecordStore

# Told, as each kind is done, what is being done, and how many records of how many.
Progress = Callable[[str, int, int], None]


def export_programme(
    *, session: Session, mou: str | None = None, progress: Progress | None = None
) -> dict[str, Any]:
    """Tables in programme-file order: the settings that are set, the MoU as a table, every
    other kind as a list of records. Shared facts (institutions, people, sites) are exported
    whole; the rest are the MoU's own."""
    record = current_mou(session=session, ref=mou)
    assert record.id is not None
    store = RecordStore(session, mou_id=record.id)
    store.preload()
    document: dict[str, Any] = {}
    settings = _settings_set(session)
    if settings:
        document["settings"] = settings
    by_kind = [(kind, store.mou_records(kind)) for kind in FILE_ORDER]
    total, done = sum(len(records) for _, records in by_kind), 0
    for kind, records in by_kind:
        if progress is not None:
            progress(f"Exporting {kind.table}", done, total)
        rows = [outside(kind, key, value) for key, value in sorted(records.items())]
        done += len(rows)
        if kind.scope is Scope.MOU:
            document["mou"] = rows[0]
        elif rows:
            document[kind.table] = rows
    return document


def _settings_set(session: Session) -> dict[str, Any]:
    """Only the settings that differ from their defaults, in their file form (numbers as
    numbers)."""
    values = stored_settings(session=session)
    return {
        key: int(value) if value.isdigit() else value
        for key, value in values.items()
        if value != SETTINGS[key].default
    }


def outside(kind: KindSpec, key: str, record: Record) -> dict[str, Any]:
    """A record as a programme file writes it: its key first, then every field that has a
    value, in the kind's order; empty lists and unset fields are left out."""
    out: dict[str, Any] = {kind.key_field: key}
    for spec in kind.fields:
        value = record.get(spec.key)
        if value is None or value == [] or spec.key == kind.key_field:
            continue
        if spec.field_type is FieldType.ROWS:
            assert spec.rows is not None
            names = [column.key for column in spec.rows.columns]
            value = [
                {name: item for name, item in zip(names, entry, strict=True) if item is not None}
                for entry in value
            ]
        out[spec.key] = plain(value)
    return out
