"""Reading the audit trail back: commands with a one-line summary, the fields they changed,
one record's history, which commands are undone, and what the last import set. Read through
``tracker.tables``, on an ORM session or a Core connection alike."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from tracker import tables
from tracker.db import Reader
from tracker.errors import NotFound
from tracker.kinds import BY_TABLE
from tracker.services.lookup import suggest_any
from tracker.services.trail_values import loads, loads_base
from tracker.text import clean_ref, counted


@dataclass(frozen=True)
class Command:
    id: int
    at: dt.datetime
    actor: str
    command: str
    undoes: int | None
    redoes: int | None


@dataclass(frozen=True)
class Entry:
    """One record's change: its fields before and after (None for an addition's before and a
    removal's after), and what an import's file gave for it."""

    id: int
    command_id: int
    kind: str
    ref: str
    action: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    base: dict[str, Any] | None

    def fields(self) -> list[tuple[str, Any, Any]]:
        """(field, old, new) for each field the entry records: all set fields of an added or
        removed record, the changed fields otherwise."""
        old, new = self.old or {}, self.new or {}
        names = list(new) if self.action == "add" else list(old)
        shown = []
        for name in names:
            before, after = old.get(name), new.get(name)
            if self.action != "change" and before in (None, []) and after in (None, []):
                continue
            shown.append((name, before, after))
        return shown


@dataclass(frozen=True)
class FieldChange:
    """One changed field, with its command: a row of ``mou log --fields`` and ``history``."""

    command_id: int
    at: dt.datetime
    actor: str
    command: str
    kind: str
    ref: str
    action: str
    field: str
    old: Any
    new: Any
    summary: str


@dataclass(frozen=True)
class CommandSummary:
    command_id: int
    at: dt.datetime
    actor: str
    command: str
    summary: str


def noun(kind: str) -> str:
    return BY_TABLE[kind].noun if kind in BY_TABLE else "setting"


def _entry(row: Any) -> Entry:
    return Entry(
        id=row.id,
        command_id=row.command_id,
        kind=row.kind,
        ref=row.ref,
        action=row.action,
        old=loads(row.old),
        new=loads(row.new),
        base=loads_base(row.base, row.new),
    )


def _command(row: Any) -> Command:
    return Command(row.id, row.at, row.actor, row.command, row.undoes, row.redoes)


def command(session: Reader, command_id: int) -> Command | None:
    c = tables.audit_command
    row = session.execute(sa.select(c).where(c.c.id == command_id)).first()
    return None if row is None else _command(row)


def entries_of(session: Reader, command_ids: Iterable[int]) -> dict[int, list[Entry]]:
    """Each command's entries, in the order they were written."""
    wanted = list(command_ids)
    if not wanted:
        return {}
    e = tables.audit_entry
    found: dict[int, list[Entry]] = {command_id: [] for command_id in wanted}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = session.execute(sa.select(e).where(e.c.command_id.in_(chunk)).order_by(e.c.id))
        for row in rows:
            found[row.command_id].append(_entry(row))
    return found


def summary(kind_of: Command, entries: list[Entry]) -> str:
    """One line for a command: 'added milestone MS-23', '3 fields on MS-13', '96 records: 96
    added', 'undo of command 5'."""
    if kind_of.undoes is not None:
        return f"undo of command {kind_of.undoes}"
    if kind_of.redoes is not None:
        return f"redo of command {kind_of.redoes}"
    changed = [entry for entry in entries if entry.action != "base"]
    if not changed:
        return "no change to records"
    records = {(entry.kind, entry.ref) for entry in changed}
    if len(records) == 1 and len(changed) == 1:
        entry = changed[0]
        if entry.action == "change":
            return f"{counted(len(entry.fields()), 'field')} on {entry.ref}"
        verb = "added" if entry.action == "add" else "removed"
        return f"{verb} {noun(entry.kind)} {entry.ref}"
    actions = Counter(entry.action for entry in changed)
    parts = [
        f"{actions[action]} {word}"
        for action, word in (("add", "added"), ("change", "changed"), ("remove", "removed"))
        if actions[action]
    ]
    return f"{len(records)} records: {', '.join(parts)}"


def _since(since: dt.date) -> dt.datetime:
    """The start of a local date, in the trail's UTC."""
    return dt.datetime.combine(since, dt.time()).astimezone(dt.UTC).replace(tzinfo=None)


def _commands_query(*, ref: str | None, since: dt.date | None, actor: str | None) -> Any:
    c, e = tables.audit_command.c, tables.audit_entry.c
    stmt: Any = sa.select(tables.audit_command)
    if ref is not None:
        # Settings are audited by their lower-case key, records by their upper-case ref.
        touched = sa.select(e.command_id).where(sa.func.upper(e.ref) == clean_ref(ref))
        stmt = stmt.where(c.id.in_(touched))
    if since is not None:
        stmt = stmt.where(c.at >= _since(since))
    if actor is not None:
        stmt = stmt.where(sa.func.lower(c.actor) == actor.strip().lower())
    return stmt


def check_ref(session: Reader, ref: str) -> str:
    """A ref that names a record now or in the trail; otherwise NotFound, with the closest
    ref there is (as ``show`` says)."""
    key = clean_ref(ref)
    e = tables.audit_entry.c
    known = session.execute(sa.select(e.id).where(sa.func.upper(e.ref) == key).limit(1)).first()
    if known is None:
        hint = suggest_any(key, session=session)
        raise NotFound(
            f"ref: no record has the ref {key!r}" + (f"; did you mean {hint}?" if hint else "")
        )
    return key


def log(
    *,
    session: Reader,
    ref: str | None = None,
    since: dt.date | None = None,
    actor: str | None = None,
    limit: int | None = None,
) -> tuple[list[CommandSummary], bool]:
    """Commands, newest first, with a summary each; and whether ``limit`` cut the list."""
    if ref is not None:
        ref = check_ref(session, ref)
    stmt = _commands_query(ref=ref, since=since, actor=actor).order_by(
        tables.audit_command.c.id.desc()
    )
    if limit is not None:
        stmt = stmt.limit(limit + 1)
    rows = [_command(row) for row in session.execute(stmt)]
    cut = limit is not None and len(rows) > limit
    rows = rows[:limit] if limit is not None else rows
    entries = entries_of(session, [row.id for row in rows])
    return [
        CommandSummary(row.id, row.at, row.actor, row.command, summary(row, entries[row.id]))
        for row in rows
    ], cut


def field_changes(
    *,
    session: Reader,
    ref: str | None = None,
    since: dt.date | None = None,
    actor: str | None = None,
    limit: int | None = None,
    oldest_first: bool = False,
) -> tuple[list[FieldChange], bool]:
    """Every changed field, newest command first (or oldest, for a history); and whether
    ``limit`` cut the list."""
    if ref is not None:
        ref = check_ref(session, ref)
    order = tables.audit_command.c.id
    stmt = _commands_query(ref=ref, since=since, actor=actor).order_by(
        order if oldest_first else order.desc()
    )
    changes: list[FieldChange] = []
    cut = False
    batch = 200
    offset = 0
    while not cut:
        rows = [_command(row) for row in session.execute(stmt.offset(offset).limit(batch))]
        if not rows:
            break
        offset += batch
        entries = entries_of(session, [row.id for row in rows])
        for row in rows:
            line = summary(row, entries[row.id])
            for entry in entries[row.id]:
                if ref is not None and entry.ref.upper() != ref:
                    continue
                for name, old, new in entry.fields():
                    if limit is not None and len(changes) == limit:
                        cut = True
                        break
                    changes.append(
                        FieldChange(
                            command_id=row.id,
                            at=row.at,
                            actor=row.actor,
                            command=row.command,
                            kind=entry.kind,
                            ref=entry.ref,
                            action=entry.action,
                            field=name,
                            old=old,
                            new=new,
                            summary=line,
                        )
                    )
    return changes, cut


def undone(session: Reader) -> set[int]:
    """The commands whose effect is currently taken back: the latest undo or redo naming
    each is an undo."""
    c = tables.audit_command.c
    rows = session.execute(
        sa.select(c.id, c.undoes, c.redoes)
        .where(sa.or_(c.undoes.is_not(None), c.redoes.is_not(None)))
        .order_by(c.id)
    ).all()
    state: dict[int, bool] = {}
    for _id, undoes, redoes in rows:
        if undoes is not None:
            state[undoes] = True
        if redoes is not None:
            state[redoes] = False
    return {command_id for command_id, is_undone in state.items() if is_undone}


def import_bases(session: Reader) -> dict[tuple[str, str], tuple[dict[str, Any], int]]:
    """For every record an import has named: the record as the latest import in effect (not
    undone) gave it, and the id of that import's command."""
    e = tables.audit_entry
    taken_back = undone(session)
    latest = sa.select(sa.func.max(e.c.id)).where(e.c.base.is_not(None))
    if taken_back:
        latest = latest.where(e.c.command_id.not_in(taken_back))
    latest = latest.group_by(e.c.kind, e.c.ref)
    rows = session.execute(
        sa.select(e.c.kind, e.c.ref, e.c.base, e.c.new, e.c.command_id).where(e.c.id.in_(latest))
    )
    return {
        (kind, ref): (loads_base(base, new), command_id)
        for kind, ref, base, new, command_id in rows
    }


def last_change(session: Reader, kind: str, ref: str, field: str) -> tuple[str, dt.datetime] | None:
    """Who last changed one field of one record, and when."""
    c, e = tables.audit_command, tables.audit_entry
    rows = session.execute(
        sa.select(c.c.actor, c.c.at, e.c.old, e.c.new, e.c.action)
        .join(e, e.c.command_id == c.c.id)
        .where(e.c.kind == kind, e.c.ref == ref, e.c.action != "base")
        .order_by(e.c.id.desc())
    )
    for actor, at, old, new, action in rows:
        if action != "change" or field in (loads(new) or {}) or field in (loads(old) or {}):
            return actor, at
    return None


def last_moment(session: Reader) -> dt.datetime | None:
    """When the newest command this read sees committed: what the read holds goes no further
    than this moment."""
    at: dt.datetime | None = session.execute(
        sa.select(sa.func.max(tables.audit_command.c.at))
    ).scalar()
    return at


def first_command(session: Reader) -> Command | None:
    """The oldest command in the trail (the moment it begins)."""
    c = tables.audit_command
    row = session.execute(sa.select(c).order_by(c.c.at, c.c.id).limit(1)).first()
    return None if row is None else _command(row)


def created_the_programme(session: Reader, command_id: int) -> bool:
    """Whether a command added the MoU itself: then the trail holds the programme's whole
    life, and before it there was nothing."""
    e = tables.audit_entry.c
    found = session.execute(
        sa.select(e.id)
        .where(e.command_id == command_id, e.kind == "mou", e.action == "add")
        .limit(1)
    ).first()
    return found is not None
