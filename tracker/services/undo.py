"""Undo and redo: taking a command back as a whole, and applying it again.

``mou undo`` steps back through the commands not yet undone, newest first (undo and redo
commands themselves are not stepped through); ``mou redo`` applies again the command most
recently undone. Both go through the same write paths as any edit, so each is itself a command
in the trail. Both refuse, naming the record and the command that changed it, when a record no
longer holds the values the command left (or, for redo, the values its undo left), and when a
restored record would break a rule a normal edit keeps. Undo and redo of commands are
serialised, so of three people undoing the same command at once one succeeds and the others
are told it is already undone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlmodel import Session, col, select

from tracker import models
from tracker.db import serialise
from tracker.errors import Conflict, InvalidInput, MouError, NotFound
from tracker.kinds import BY_TABLE, KindSpec
from tracker.rules import Record
from tracker.services import audit, trail
from tracker.services.configure import change_settings
from tracker.services.editing import (
    check_parent_loop,
    check_rules,
    check_targets,
    check_unique,
    store_for,
)
from tracker.services.references import remove_record
from tracker.services.store import RecordStore
from tracker.services.trail_values import encode, loads

Direction = Literal["undo", "redo"]


@dataclass(frozen=True)
class Plan:
    direction: Direction
    command: trail.Command  # the command taken back or applied again
    entries: list[trail.Entry]

    def steps(self) -> list[tuple[str, str, str, list[str]]]:
        """(verb, noun, ref, fields) for each record, as the confirmation lists them."""
        verbs = {
            "undo": {"add": "remove", "remove": "restore", "change": "restore"},
            "redo": {"add": "add", "remove": "remove", "change": "change"},
        }[self.direction]
        return [
            (
                verbs[entry.action],
                trail.noun(entry.kind),
                entry.ref,
                [name for name, _, _ in entry.fields()] if entry.action == "change" else [],
            )
            for entry in self.entries
        ]


def plan(direction: Direction, *, session: Session, command_id: int | None = None) -> Plan:
    """What undoing (or redoing) a command would do; refuses when it cannot be done."""
    taken_back = trail.undone(session)
    target = (
        _named(session, direction, command_id, taken_back)
        if command_id is not None
        else _next(session, direction, taken_back)
    )
    entries = [
        entry
        for entry in trail.entries_of(session, [target.id])[target.id]
        if entry.action != "base"
    ]
    _check_state(session, direction, target, entries)
    return Plan(direction, target, entries)


def perform(direction: Direction, *, session: Session, command_id: int) -> Plan:
    """Undo or redo a command, planned again inside the write (anything may have changed since
    the user was asked), after every other undo and redo has finished."""
    serialise(session, "undo")
    chosen = plan(direction, session=session, command_id=command_id)
    current = audit.current(session)
    if direction == "undo":
        current.undoes = chosen.command.id
    else:
        current.redoes = chosen.command.id
    forward = direction == "redo"
    for entry in chosen.entries if forward else list(reversed(chosen.entries)):
        if entry.kind == "settings":
            value = (entry.new if forward else entry.old) or {}
            change_settings({entry.ref: value.get("value")}, session=session)
        else:
            _apply(entry, BY_TABLE[entry.kind], session, forward=forward)
    if current.command_id is None:
        audit.command_id(session)  # an undo that found nothing left to change is still one
    return chosen


def _is_plain(command: trail.Command) -> bool:
    return command.undoes is None and command.redoes is None


def _next(session: Session, direction: Direction, taken_back: set[int]) -> trail.Command:
    c = models.AuditCommand
    if direction == "undo":
        rows = session.exec(
            select(c)
            .where(col(c.undoes).is_(None), col(c.redoes).is_(None))
            .where(col(c.id).not_in(taken_back) if taken_back else col(c.id) > 0)
            .order_by(col(c.id).desc())
            .limit(1)
        ).all()
        if not rows or rows[0].id is None:
            if session.exec(select(c.id).limit(1)).first() is None:
                raise NotFound("nothing to undo: no command has changed this database yet")
            raise NotFound("nothing to undo: every command is undone already")
        found = trail.command(session, rows[0].id)
        assert found is not None
        return found
    # Redo: the command whose latest undo is the most recent.
    undos = session.exec(
        select(c.undoes).where(col(c.undoes).is_not(None)).order_by(col(c.id).desc())
    ).all()
    for undone_id in undos:
        if undone_id in taken_back:
            found = trail.command(session, undone_id)
            assert found is not None
            return found
    raise NotFound("nothing to redo: no command is undone")


def _named(
    session: Session, direction: Direction, command_id: int, taken_back: set[int]
) -> trail.Command:
    found = trail.command(session, command_id)
    if found is None:
        raise NotFound(f"COMMAND: no command {command_id} in the log (see mou log)")
    if not _is_plain(found):
        original = found.undoes or found.redoes
        what = "an undo" if found.undoes else "a redo"
        raise InvalidInput(
            f"COMMAND: command {command_id} is {what} of command {original}; "
            f"use mou {direction} {original}"
        )
    if direction == "undo" and command_id in taken_back:
        raise Conflict(f"command {command_id} is already undone (mou redo applies it again)")
    if direction == "redo" and command_id not in taken_back:
        raise Conflict(f"command {command_id} is not undone; there is nothing to redo")
    return found


# The state a command left (or its undo left) must still hold.


def _expected(entries: list[trail.Entry], *, after: bool) -> dict[tuple[str, str], Any]:
    """For each record: the fields it must hold (None: it must not exist), after the command
    (``after``) or before it."""
    expected: dict[tuple[str, str], Any] = {}
    # Before the command, walking back: a removed record held its old values, an added one
    # did not exist. After it, walking forward: the reverse.
    gone, present = ("remove", "add") if after else ("add", "remove")
    for entry in entries if after else list(reversed(entries)):
        key = (entry.kind, entry.ref)
        values = (entry.new if after else entry.old) or {}
        if entry.action == gone:
            expected[key] = None
        elif entry.action == present:
            expected[key] = dict(values)
        else:
            expected[key] = {**(expected.get(key) or {}), **values}
    return expected


def _check_state(
    session: Session, direction: Direction, target: trail.Command, entries: list[trail.Entry]
) -> None:
    for (kind_name, ref), wanted in _expected(entries, after=direction == "undo").items():
        held = _held(session, kind_name, ref)
        if wanted is None and held is None:
            continue
        if wanted is None or held is None:
            mismatch = "no longer exists" if held is None else "exists again"
        else:
            fields = [name for name in wanted if encode(wanted[name]) != encode(held.get(name))]
            if not fields:
                continue
            mismatch = f"{', '.join(fields)} changed since"
        later = _later_command(session, target.id, kind_name, ref)
        by = f" by command {later}" if later else ""
        raise Conflict(
            f"cannot {direction} command {target.id}: {trail.noun(kind_name)} {ref} "
            f"{mismatch}{by}; {direction} that first"
        )


def _held(session: Session, kind_name: str, ref: str) -> dict[str, Any] | None:
    """A record's current values in the trail's form (JSON values), or None when absent."""
    if kind_name == "settings":
        from tracker.services.settings import stored_settings

        return {"value": stored_settings(session=session)[ref]}
    kind = BY_TABLE[kind_name]
    store = store_for(kind, session)
    row = store.find(kind, ref)
    if row is None:
        return None
    return {key: loads(encode(value)) for key, value in store.record_of(kind, row).items()}


def _later_command(session: Session, after: int, kind: str, ref: str) -> int | None:
    e = models.AuditEntry
    return session.exec(
        select(e.command_id)
        .where(e.kind == kind, e.ref == ref, col(e.command_id) > after, e.action != "base")
        .order_by(col(e.command_id).desc())
        .limit(1)
    ).first()


# Applying one entry, backwards (undo) or forwards (redo).


def _apply(entry: trail.Entry, kind: KindSpec, session: Session, *, forward: bool) -> None:
    store = store_for(kind, session)
    row = store.find(kind, entry.ref, for_update=True)
    adds = (entry.action == "add") == forward and entry.action != "change"
    if entry.action != "change" and not adds:
        # Undo of an addition, redo of a removal: the record goes, refused while others use it.
        try:
            remove_record(kind, entry.ref, session=session, cascade=False)
        except MouError as error:
            raise Conflict(f"cannot {'redo' if forward else 'undo'}: {error.message}") from None
        return
    if entry.action != "change":
        values = (entry.new if forward else entry.old) or {}
        record = {spec.key: audit.decode(spec, values.get(spec.key)) for spec in kind.fields}
        _restorable(kind, entry.ref, record, store, forward)
        store.insert(kind, entry.ref, record)
        return
    assert row is not None  # _check_state made sure
    record = store.record_of(kind, row)
    values = (entry.new if forward else entry.old) or {}
    record.update(audit.decode_record(kind.fields, values))
    _restorable(kind, entry.ref, record, store, forward)
    store.update(kind, entry.ref, row, record)


def _restorable(
    kind: KindSpec, ref: str, record: Record, store: RecordStore, forward: bool
) -> None:
    """Everything the restored record names must still exist, and it must keep the rules a
    normal edit keeps (a restored parent may not close a loop)."""
    try:
        check_targets(kind, record, store)
        check_rules(kind, record, store, key=ref)
        if kind.parent is not None:
            check_parent_loop(kind, ref, record[kind.parent], store)
        check_unique(kind, ref, record, store)
    except (InvalidInput, NotFound, Conflict) as error:
        verb = "redo" if forward else "undo"
        raise Conflict(f"cannot {verb}: {kind.noun} {ref} {error.message}") from None
