"""Reading and writing one record in its outside form (a ``Record``: field key -> value, with
refs instead of ids, as in a programme file).

The importer, the commands that add and edit records, ``show`` and the exporter all go through
here, so a field is stored and read back one way only.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from tracker import models
from tracker.errors import Conflict, StaleRecord
from tracker.kinds import BY_TABLE, MOU, PARTIES, FieldType, KindSpec, link_model
from tracker.services import audit
from tracker.services.rules import Record

_SCALARS = frozenset(
    {
        FieldType.TEXT,
        FieldType.LONG_TEXT,
        FieldType.DATE,
        FieldType.INT,
        FieldType.BOOL,
        FieldType.CHOICE,
    }
)


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
    who = f" by {latest[0]} at {latest[1].isoformat(sep=' ')} UTC" if latest else ""
    return StaleRecord(f"{kind.noun} {key} was changed{who}; run the command again")


_LISTS = frozenset({FieldType.REFS, FieldType.ATTENDEES, FieldType.REBASELINES})


class RecordStore:
    """Record-level access within one session, with a cache of ref <-> id lookups."""

    def __init__(self, session: Session, *, mou_id: int | None = None) -> None:
        self.session = session
        self.mou_id = mou_id
        self._ids: dict[str, dict[str, int]] = {}
        self._refs: dict[str, dict[int, str]] = {}
        self._complete = False  # after preload(), a ref not in the cache does not exist

    # Refs and ids.

    def preload(self) -> None:
        """Fetch every ref at once: cheaper than one query per ref when writing many records."""
        for kind in BY_TABLE.values():
            if kind.has_ref:
                model: Any = kind.model
                for ref, row_id in self.session.exec(select(model.ref, model.id)):
                    self.remember(kind.table, ref, row_id)
        self._complete = True

    def remember(self, table: str, ref: str, row_id: int) -> None:
        self._ids.setdefault(table, {})[ref] = row_id
        self._refs.setdefault(table, {})[row_id] = ref

    def id_of(self, table: str, ref: str) -> int | None:
        known = self._ids.get(table, {})
        if ref not in known:
            if self._complete:
                return None
            model: Any = BY_TABLE[table].model
            row_id = self.session.exec(select(model.id).where(model.ref == ref)).first()
            if row_id is None:
                return None
            self.remember(table, ref, row_id)
        return self._ids[table][ref]

    def ref_of(self, table: str, row_id: int) -> str:
        known = self._refs.get(table, {})
        if row_id not in known:
            model: Any = BY_TABLE[table].model
            ref = self.session.exec(select(model.ref).where(model.id == row_id)).one()
            self.remember(table, ref, row_id)
        return self._refs[table][row_id]

    def find(self, kind: KindSpec, key: str, *, for_update: bool = False) -> Any:
        """The stored row for a ref (for parties: the institution's ref), or None.

        ``for_update`` locks the row until the transaction ends (PostgreSQL's SELECT … FOR
        UPDATE), so two people editing the same record at once cannot lose either's change;
        on SQLite the write transaction already holds the database's write lock."""
        if kind is PARTIES:
            institution_id = self.id_of("institutions", key)
            statement = select(models.Party).where(
                models.Party.mou_id == self.mou_id,
                models.Party.institution_id == institution_id,
            )
            if for_update:
                statement = statement.with_for_update()
            return self.session.exec(statement).first()
        row_id = self.id_of(kind.table, key)
        if row_id is None:
            return None
        # populate_existing: a row read earlier in this transaction is read again under the
        # lock, so what the caller sees is what it will change.
        return self.session.get(
            kind.model, row_id, with_for_update=for_update, populate_existing=for_update
        )

    # Reading.

    def record_of(self, kind: KindSpec, row: Any) -> Record:
        """A stored row in its outside form: the inverse of ``upsert``."""
        record: Record = {}
        for spec in kind.fields:
            if spec.field_type in _SCALARS:
                record[spec.key] = getattr(row, spec.attribute)
            elif spec.field_type is FieldType.REF:
                assert spec.target is not None
                target_id = getattr(row, spec.attribute)
                record[spec.key] = (
                    None if target_id is None else self.ref_of(spec.target, target_id)
                )
            elif spec.field_type is FieldType.REFS:
                assert spec.target is not None
                record[spec.key] = sorted(
                    self.ref_of(spec.target, target_id)
                    for target_id in self._link_targets(kind.table, spec.key, row.id)
                )
            elif spec.field_type is FieldType.ATTENDEES:
                attendees = self.session.exec(
                    select(models.VisitAttendee).where(models.VisitAttendee.visit_id == row.id)
                ).all()
                record[spec.key] = sorted(
                    (self.ref_of("people", attendee.person_id), attendee.role)
                    for attendee in attendees
                )
            elif spec.field_type is FieldType.REBASELINES:
                record[spec.key] = [
                    (baseline.due, baseline.reason, baseline.changed)
                    for baseline in self._baselines(row.id)
                ]
        return record

    def key_of(self, kind: KindSpec, row: Any) -> str:
        if kind is PARTIES:
            return self.ref_of("institutions", row.institution_id)
        return str(row.ref)

    # Writing.

    def upsert(self, kind: KindSpec, key: str, record: Record) -> tuple[bool, bool]:
        """Insert or update one record and its lists; returns (changed, added)."""
        row = self.find(kind, key, for_update=True)
        added = row is None
        values = self._column_values(kind, record, new=added)
        before = None if row is None else self.record_of(kind, row)
        if row is None:
            row = kind.model(**values)
            if kind.has_ref:
                row.ref = key
            self.session.add(row)
            changed = True
        else:
            changed = False
            for attribute, value in values.items():
                if getattr(row, attribute) != value:
                    setattr(row, attribute, value)
                    changed = True
        self.flush(kind, key)
        if kind.has_ref:
            self.remember(kind.table, key, row.id)
        if kind is MOU:
            self.mou_id = row.id
        lists_changed = self._write_lists(kind, row.id, record, new=added)
        if lists_changed and not added and not self.session.is_modified(row):
            # A change to a list alone is still a change to the record: raise its version.
            flag_modified(row, "ref" if kind.has_ref else "role")
            self.flush(kind, key)
        changed |= lists_changed
        if changed:
            # A new record is audited as given (already in normal form); a changed one as
            # read back, so the trail compares like with like.
            after = dict(record) if added else self.record_of(kind, row)
            changed = (
                audit.record(self.session, kind=kind.table, ref=key, before=before, after=after) > 0
                or added
            )
        return changed, added

    def flush(self, kind: KindSpec, key: str) -> None:
        """Write pending changes; an edit to a record changed since it was read is refused."""
        try:
            self.session.flush()
        except StaleDataError:
            raise stale(self.session, kind, key) from None

    def _column_values(self, kind: KindSpec, record: Record, *, new: bool) -> dict[str, Any]:
        values: dict[str, Any] = {}
        if kind.in_mou and new:
            # A record joins an MoU when it is added and stays there: an edit never moves it.
            values["mou_id"] = self.mou_id
        for spec in kind.fields:
            value = record.get(spec.key)
            if spec.field_type is FieldType.REF:
                assert spec.target is not None
                values[spec.attribute] = (
                    None if value is None else self._required_id(spec.target, value)
                )
            elif spec.field_type in _SCALARS:
                values[spec.attribute] = value
        return values

    def _write_lists(self, kind: KindSpec, row_id: int, record: Record, *, new: bool) -> bool:
        changed = False
        for spec in kind.fields:
            if new and not record[spec.key] and spec.field_type in _LISTS:
                continue  # a new record has no list entries to compare or remove
            if spec.field_type is FieldType.REFS:
                assert spec.target is not None
                wanted = {self._required_id(spec.target, ref) for ref in record[spec.key]}
                changed |= self._sync_links(kind.table, spec.key, row_id, wanted)
            elif spec.field_type is FieldType.ATTENDEES:
                changed |= self._sync_attendees(row_id, record[spec.key])
            elif spec.field_type is FieldType.REBASELINES:
                changed |= self._sync_rebaselines(row_id, record[spec.key])
        return changed

    def _required_id(self, table: str, ref: str) -> int:
        row_id = self.id_of(table, ref)
        if row_id is None:  # callers check refs first; this keeps a slip from writing NULL
            raise Conflict(f"{BY_TABLE[table].noun} {ref} does not exist")
        return row_id

    def _link_targets(self, table: str, key: str, owner_id: int) -> set[int]:
        link, owner_column, target_column = link_model(table, key)
        owner: Any = getattr(link, owner_column)
        target: Any = getattr(link, target_column)
        return set(self.session.exec(select(target).where(owner == owner_id)).all())

    def _sync_links(self, table: str, key: str, owner_id: int, wanted: set[int]) -> bool:
        current = self._link_targets(table, key, owner_id)
        if current == wanted:
            return False
        link, owner_column, target_column = link_model(table, key)
        owner: Any = getattr(link, owner_column)
        target: Any = getattr(link, target_column)
        for stale in current - wanted:
            self.session.execute(sa.delete(link).where(owner == owner_id, target == stale))
        for new in wanted - current:
            self.session.add(link(**{owner_column: owner_id, target_column: new}))
        return True

    def _sync_attendees(self, visit_id: int, attendees: list[tuple[str, str]]) -> bool:
        wanted = {self._required_id("people", person): role for person, role in attendees}
        rows = self.session.exec(
            select(models.VisitAttendee).where(models.VisitAttendee.visit_id == visit_id)
        ).all()
        current = {row.person_id: row.role for row in rows}
        if current == wanted:
            return False
        for row in rows:
            if row.person_id not in wanted:
                self.session.delete(row)
            else:
                row.role = wanted[row.person_id]  # type: ignore[assignment]
        for person_id, role in wanted.items():
            if person_id not in current:
                self.session.add(
                    models.VisitAttendee(visit_id=visit_id, person_id=person_id, role=role)  # type: ignore[arg-type]
                )
        return True

    def _baselines(self, milestone_id: int) -> list[models.MilestoneBaseline]:
        return list(
            self.session.exec(
                select(models.MilestoneBaseline)
                .where(models.MilestoneBaseline.milestone_id == milestone_id)
                .order_by(col(models.MilestoneBaseline.id))
            ).all()
        )

    def _sync_rebaselines(self, milestone_id: int, history: list[tuple[Any, str, Any]]) -> bool:
        rows = self._baselines(milestone_id)
        if [(row.due, row.reason, row.changed) for row in rows] == history:
            return False
        for row in rows:
            self.session.delete(row)
        for due, reason, changed in history:
            self.session.add(
                models.MilestoneBaseline(
                    milestone_id=milestone_id, due=due, reason=reason, changed=changed
                )
            )
        return True
