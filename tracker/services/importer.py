"""Writing a validated programme into the database: insert what is new, update what changed,
leave the rest alone, and say how many of each.

Loading the same file twice changes nothing; loading an edited file updates the records it
names. Records the file does not name are left as they are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel import Session

from tracker.db import serialise
from tracker.kinds import KINDS, KindSpec, Scope
from tracker.rules import Record
from tracker.services.configure import change_settings
from tracker.services.editing import ref_lock
from tracker.services.programme_file import Existing, Programme, load_programme_text
from tracker.services.settings import reporting_scheme, stored_settings
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
    # One import at a time, and no new ref handed out while it runs (PostgreSQL).
    serialise(session, "import")
    for kind in KINDS:
        if kind.has_ref:
            serialise(session, ref_lock(kind))
    store = RecordStore(session)
    existing = existing_records(store)
    programme = load_programme_text(
        text,
        source=source,
        existing=existing,
        file_format=file_format,
        scheme=reporting_scheme(session=session),
    )
    return _Writer(store, existing, source=source, today=today or dt.date.today()).write(programme)


def existing_records(store: RecordStore) -> Existing:
    """Every record the database holds, in outside form, keyed by table and key."""
    store.preload()
    existing: Existing = {}
    for kind in KINDS:
        existing[kind.table] = store.all_records(kind)
    return existing


class _Writer:
    def __init__(
        self, store: RecordStore, existing: Existing, *, source: str, today: dt.date
    ) -> None:
        self.store = store
        self.existing = existing
        self.source = source
        self.today = today

    def write(self, programme: Programme) -> ImportResult:
        result = ImportResult(mou=programme.mou_ref)
        self._write_settings(programme, result)
        for kind in KINDS:
            counts = result.counts.setdefault(kind.table, Counts())
            for key, record in _parents_first(kind, programme.records[kind.table]):
                current = self.existing[kind.table].get(key)
                if current is not None and kind.history is not None:
                    record = self._keep_history(kind, current, record)
                changed, added = self.store.upsert(kind, key, record)
                if kind.scope is Scope.MOU:
                    self.store.mou_id = self.store.id_of(kind.table, key)
                if added:
                    counts.added += 1
                elif changed:
                    counts.changed += 1
                else:
                    counts.unchanged += 1
        return result

    def _write_settings(self, programme: Programme, result: ImportResult) -> None:
        if not programme.settings:
            return
        stored = stored_settings(session=self.store.session)
        changes: dict[str, str | None] = {
            key: value for key, value in programme.settings.items() if stored[key] != value
        }
        result.counts["settings"] = Counts(
            changed=len(changes), unchanged=len(programme.settings) - len(changes)
        )
        if changes:
            change_settings(changes, session=self.store.session)

    def _keep_history(self, kind: KindSpec, current: Record, record: Record) -> Record:
        """A file may move a tracked field (a milestone's agreed date), but never erase its
        history: entries already stored are kept, and a move is recorded in the history when
        the file does not record it itself."""
        history = kind.history
        assert history is not None
        entries = list(current[history.into])
        entries += [entry for entry in record[history.into] if entry not in entries]
        if history.moved(current, record):
            recorded = history.entry(current, "", None)[: len(history.tracked)]
            if not any(entry[: len(history.tracked)] == recorded for entry in entries):
                entries.append(
                    history.entry(
                        current, f"{history.label} changed by importing {self.source}", self.today
                    )
                )
        return {**record, history.into: entries}


def _parents_first(kind: KindSpec, records: dict[str, Record]) -> list[tuple[str, Record]]:
    """Records of a nesting kind (themes, sites): a parent before its children (loops were
    refused)."""
    if kind.parent is None:
        return list(records.items())
    parent_key = kind.parent
    ordered: list[tuple[str, Record]] = []
    placed: set[str] = set()

    def place(key: str) -> None:
        if key in placed:
            return
        parent = records[key][parent_key]
        if parent in records:
            place(parent)
        placed.add(key)
        ordered.append((key, records[key]))

    for key in records:
        place(key)
    return ordered
