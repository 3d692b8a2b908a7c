"""Writing a validated programme into the database: insert what is new, update what changed,
leave the rest alone, and say how many of each.

Loading the same file twice changes nothing; loading an edited file updates the records it
names. Records the file does not name are left as they are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker import models
from tracker.kinds import KINDS, MILESTONES, KindSpec
from tracker.services.programme_file import Existing, Programme, load_programme_text
from tracker.services.rules import Record
from tracker.services.store import RecordStore


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


def import_programme(
    text: str,
    *,
    session: Session,
    source: str,
    file_format: str = "toml",
    today: dt.date | None = None,
) -> ImportResult:
    """Validate the whole file against the database, then write it. Raises ValidationFailed
    (and writes nothing) when anything is wrong."""
    existing = existing_records(session=session)
    programme = load_programme_text(text, source=source, existing=existing, file_format=file_format)
    return _Writer(session, source=source, today=today or dt.date.today()).write(programme)


def existing_records(*, session: Session) -> Existing:
    """What validation needs to know of the records already stored: refs, and the few fields
    that defaults and loop checks depend on."""
    existing: Existing = {kind.table: {} for kind in KINDS}
    mous = dict(session.exec(select(models.Mou.id, models.Mou.ref)).all())
    for kind in KINDS:
        if kind.in_mou and kind.has_ref:
            model: Any = kind.model
            for ref, mou_id in session.exec(select(model.ref, model.mou_id)):
                existing[kind.table][ref] = {"mou": mous.get(mou_id)}
        elif kind.has_ref:
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


class _Writer:
    def __init__(self, session: Session, *, source: str, today: dt.date) -> None:
        self.store = RecordStore(session)
        self.store.preload()
        self.source = source
        self.today = today

    def write(self, programme: Programme) -> ImportResult:
        result = ImportResult(mou=next(iter(programme.records["mou"])))
        for kind in KINDS:
            counts = result.counts.setdefault(kind.table, Counts())
            for key, record in _parents_first(kind, programme.records[kind.table]):
                if kind is MILESTONES:
                    record = self._keep_baselines(key, record)
                changed, added = self.store.upsert(kind, key, record)
                if added:
                    counts.added += 1
                elif changed:
                    counts.changed += 1
                else:
                    counts.unchanged += 1
        return result

    def _keep_baselines(self, key: str, record: Record) -> Record:
        """A file may move a milestone's agreed date, but never erase its history
        (DOMAIN.md §1): entries already stored are kept, and a new due date is recorded as a
        re-baseline when the file does not say so itself."""
        row = self.store.find(MILESTONES, key)
        if row is None:
            return record
        current = self.store.record_of(MILESTONES, row)
        history = list(current["rebaselines"])
        history += [entry for entry in record["rebaselines"] if entry not in history]
        moved = record["due"] != current["due"]
        if moved and not any(due == current["due"] for due, _, _ in history):
            history.append(
                (current["due"], f"due date changed by importing {self.source}", self.today)
            )
        return {**record, "rebaselines": history}


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
