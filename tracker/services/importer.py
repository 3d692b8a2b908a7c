"""Writing a validated programme into the database: insert what is new, update what changed,
leave the rest alone, and say how many of each.

Loading the same file twice changes nothing; loading an edited file updates the records it
names. Records the file does not name are left as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

from tracker import models
from tracker.services.programme_file import Existing, Programme, Record, load_programme_text
from tracker.services.records import KINDS, LINKS, MOU, PARTIES, FieldType, KindSpec


@dataclass
class Counts:
    added: int = 0
    changed: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.added + self.changed + self.unchanged


@dataclass
class ImportResult:
    mou: str
    counts: dict[str, Counts] = field(default_factory=dict)

    @property
    def added(self) -> int:
        return sum(counts.added for counts in self.counts.values())

    @property
    def changed(self) -> int:
        return sum(counts.changed for counts in self.counts.values())

    @property
    def unchanged(self) -> int:
        return sum(counts.unchanged for counts in self.counts.values())


def import_programme(text: str, *, session: Session, source: str) -> ImportResult:
    """Validate the whole file against the database, then write it. Raises ValidationFailed
    (and writes nothing) when anything is wrong."""
    existing = existing_records(session=session)
    programme = load_programme_text(text, source=source, existing=existing)
    return _Writer(session).write(programme)


def existing_records(*, session: Session) -> Existing:
    """What validation needs to know of the records already stored: refs, and the few fields
    that defaults and loop checks depend on."""
    existing: Existing = {kind.table: {} for kind in KINDS}
    for kind in KINDS:
        if kind.has_ref:
            for ref in session.exec(select(kind.model.ref)):  # type: ignore[attr-defined]
                existing[kind.table][ref] = {}
    lead = sa.orm.aliased(models.Institution)
    for ws_ref, lead_ref in session.exec(
        select(models.Workstream.ref, lead.ref).join(
            lead, col(lead.id) == models.Workstream.lead_id
        )
    ):
        existing["workstreams"][ws_ref]["lead"] = lead_ref
    for person_ref, role in session.exec(select(models.Person.ref, models.Person.role)):
        existing["people"][person_ref]["role"] = role
    nested: tuple[tuple[str, Any], ...] = (("themes", models.Theme), ("sites", models.Site))
    for table, model in nested:
        parent = sa.orm.aliased(model)
        rows = session.exec(
            select(model.ref, parent.ref).join(parent, col(parent.id) == model.parent_id)
        )
        for ref, parent_ref in rows:
            existing[table][ref]["parent"] = parent_ref
    return existing


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


class _Writer:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.ids: dict[str, dict[str, int]] = {}
        for kind in KINDS:
            if kind.has_ref:
                model: Any = kind.model
                self.ids[kind.table] = dict(session.exec(select(model.ref, model.id)).all())
        self.mou_id = 0

    def write(self, programme: Programme) -> ImportResult:
        result = ImportResult(mou=next(iter(programme.records["mou"])))
        for kind in KINDS:
            counts = result.counts.setdefault(kind.table, Counts())
            for key, record in _parents_first(kind, programme.records[kind.table]):
                changed, added = self._upsert(kind, key, record)
                if added:
                    counts.added += 1
                elif changed:
                    counts.changed += 1
                else:
                    counts.unchanged += 1
        return result

    def _upsert(self, kind: KindSpec, key: str, record: Record) -> tuple[bool, bool]:
        values = self._column_values(kind, record)
        row = self._find(kind, key)
        added = row is None
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
        self.session.flush()
        row_id: int = row.id  # type: ignore[attr-defined]
        if kind.has_ref:
            self.ids[kind.table][key] = row_id
        if kind is MOU:
            self.mou_id = row_id
        changed |= self._write_children(kind, row_id, record)
        return changed, added

    def _find(self, kind: KindSpec, key: str) -> SQLModel | None:
        if kind is PARTIES:
            return self.session.exec(
                select(models.Party).where(
                    models.Party.mou_id == self.mou_id,
                    models.Party.institution_id == self.ids["institutions"][key],
                )
            ).first()
        row_id = self.ids[kind.table].get(key)
        return None if row_id is None else self.session.get(kind.model, row_id)

    def _column_values(self, kind: KindSpec, record: Record) -> dict[str, Any]:
        values: dict[str, Any] = {}
        if kind.in_mou:
            values["mou_id"] = self.mou_id
        for spec in kind.fields:
            value = record.get(spec.key)
            if spec.field_type is FieldType.REF:
                assert spec.target is not None
                values[spec.attribute] = None if value is None else self.ids[spec.target][value]
            elif spec.field_type in _SCALARS:
                values[spec.attribute] = value
        return values

    def _write_children(self, kind: KindSpec, row_id: int, record: Record) -> bool:
        changed = False
        for spec in kind.fields:
            if spec.field_type is FieldType.REFS:
                assert spec.target is not None
                wanted = {self.ids[spec.target][ref] for ref in record[spec.key]}
                changed |= self._sync_links(kind.table, spec.key, row_id, wanted)
            elif spec.field_type is FieldType.ATTENDEES:
                changed |= self._sync_attendees(row_id, record[spec.key])
            elif spec.field_type is FieldType.REBASELINES:
                changed |= self._sync_rebaselines(row_id, record[spec.key])
        return changed

    def _sync_links(self, table: str, key: str, owner_id: int, wanted: set[int]) -> bool:
        link, owner_column, target_column = LINKS[(table, key)]
        owner: Any = getattr(link, owner_column)
        target: Any = getattr(link, target_column)
        current = set(self.session.exec(select(target).where(owner == owner_id)).all())
        if current == wanted:
            return False
        for stale in current - wanted:
            self.session.execute(sa.delete(link).where(owner == owner_id, target == stale))
        for new in wanted - current:
            self.session.add(link(**{owner_column: owner_id, target_column: new}))
        return True

    def _sync_attendees(self, visit_id: int, attendees: list[tuple[str, str]]) -> bool:
        wanted = {self.ids["people"][person]: role for person, role in attendees}
        rows = self.session.exec(
            select(models.VisitAttendee).where(models.VisitAttendee.visit_id == visit_id)
        ).all()
        current = {row.person_id: row.role for row in rows}
        if current == wanted:
            return False
        for row in rows:
            if wanted.get(row.person_id) is None:
                self.session.delete(row)
            else:
                row.role = wanted[row.person_id]  # type: ignore[assignment]
        for person_id, role in wanted.items():
            if person_id not in current:
                self.session.add(
                    models.VisitAttendee(visit_id=visit_id, person_id=person_id, role=role)  # type: ignore[arg-type]
                )
        return True

    def _sync_rebaselines(self, milestone_id: int, history: list[tuple[Any, str, Any]]) -> bool:
        rows = self.session.exec(
            select(models.MilestoneBaseline)
            .where(models.MilestoneBaseline.milestone_id == milestone_id)
            .order_by(models.MilestoneBaseline.id)  # type: ignore[arg-type]
        ).all()
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


def _parents_first(kind: KindSpec, records: dict[str, Record]) -> list[tuple[str, Record]]:
    """Themes and sites may nest: write a parent before its children (loops were refused)."""
    if "parent" not in {spec.key for spec in kind.fields}:
        return list(records.items())
    ordered: list[tuple[str, Record]] = []
    placed: set[str] = set()

    def place(key: str) -> None:
        if key in placed:
            return
        parent = records[key]["parent"]
        if parent in records:
            place(parent)
        placed.add(key)
        ordered.append((key, records[key]))

    for key in records:
        place(key)
    return ordered
