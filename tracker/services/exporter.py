"""The whole programme as a programme file (DOMAIN.md §6): the inverse of the importer.

Loading an export into an empty database and exporting again gives the same file, so a
programme can move between databases (SQLite to PostgreSQL, laptop to server) without loss.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from sqlmodel import Session, col, select

from tracker import models
from tracker.kinds import KINDS, MOU, PARTIES, KindSpec
from tracker.services.lookup import current_mou
from tracker.services.store import RecordStore


def export_programme(*, session: Session, mou: str | None = None) -> dict[str, Any]:
    """Tables in programme-file order: the MoU as a table, every other kind as a list of
    records. Shared facts (institutions, people, sites) are exported whole; the rest are the
    MoU's own."""
    record = current_mou(session=session, ref=mou)
    store = RecordStore(session, mou_id=record.id)
    store.preload()
    document: dict[str, Any] = {}
    for kind in KINDS:
        rows = _rows(kind, session, record)
        records = [
            _outside(kind, store.key_of(kind, row), store.record_of(kind, row)) for row in rows
        ]
        if kind is MOU:
            document["mou"] = records[0]
        elif records:
            document[kind.table] = records
    return document


def _rows(kind: KindSpec, session: Session, mou: models.Mou) -> list[Any]:
    model: Any = kind.model
    if kind is MOU:
        return [mou]
    if kind is PARTIES:
        rows = session.exec(select(model).where(model.mou_id == mou.id)).all()
        institutions = dict(
            session.exec(select(models.Institution.id, models.Institution.ref)).all()
        )
        return sorted(rows, key=lambda row: institutions[row.institution_id])
    statement = select(model)
    if kind.in_mou:
        statement = statement.where(model.mou_id == mou.id)
    elif kind.table == "milestones":
        statement = statement.join(
            models.Workstream, col(models.Workstream.id) == model.workstream_id
        ).where(models.Workstream.mou_id == mou.id)
    elif kind.table == "actions":
        statement = statement.join(models.Visit, col(models.Visit.id) == model.visit_id).where(
            models.Visit.mou_id == mou.id
        )
    return list(session.exec(statement.order_by(model.ref)).all())


def _outside(kind: KindSpec, key: str, record: dict[str, Any]) -> dict[str, Any]:
    """A record as a programme file writes it: its key first, then every field that has a
    value, in the kind's order; empty lists and unset fields are left out."""
    out: dict[str, Any] = {"ref" if kind.has_ref else "institution": key}
    for spec in kind.fields:
        value = record.get(spec.key)
        if value is None or value == [] or (kind is PARTIES and spec.key == "institution"):
            continue
        if spec.key == "attendees":
            value = [{"person": person, "role": _plain(role)} for person, role in value]
        elif spec.key == "rebaselines":
            value = [
                {"due": due, "reason": reason, "changed": changed} for due, reason, changed in value
            ]
        out[spec.key] = _plain(value)
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value
