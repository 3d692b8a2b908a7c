"""The rules between a record's fields, and the defaults that depend on other fields or
records, as small functions that a kind's description (``tracker.kinds``) lists.

One copy serves the programme-file importer, the commands that add and edit records and undo,
so a rule cannot hold in one and not the other. They are pure: a rule sees one record (and,
through ``Lookup``, the records it names) and returns what is wrong with it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeAlias

Record = dict[str, Any]
# Finds another record (from the same file or the database) by table and ref; {} when absent.
# What it finds is only read.
Lookup = Callable[[str, str], Mapping[str, Any]]
Problem = tuple[str, str]  # (field, message)
Rule = Callable[[Record, Lookup], list[Problem]]
Default = Callable[[Record, Lookup], None]


# Defaults.


def status_from_completed(done: Any, not_done: Any, field: str = "completed") -> Default:
    """A record with a completed date (``field``) is done; otherwise it starts ``not_done``."""

    def fill(record: Record, _lookup: Lookup) -> None:
        if record.get("status") is None:
            record["status"] = done if record.get(field) is not None else not_done

    return fill


def status_from_signed(signed: Any, unsigned: Any) -> Default:
    def fill(record: Record, _lookup: Lookup) -> None:
        if record.get("status") is None:
            record["status"] = signed if record.get("signed") else unsigned

    return fill


def copied_from(field: str, via: str, table: str, source: str) -> Default:
    """``field`` defaults to ``source`` of the record that ``via`` names in ``table``: a
    milestone is owned by its workstream's lead unless said otherwise."""

    def fill(record: Record, lookup: Lookup) -> None:
        if record.get(field) is None and record.get(via):
            record[field] = lookup(table, record[via]).get(source)

    return fill


# Rules.


def completed_iff_done(done: Any, field: str = "completed") -> Rule:
    """``completed`` (or the date named ``field``: an issue's ``resolved``) is set exactly
    when the status is ``done``."""

    def check(record: Record, _lookup: Lookup) -> list[Problem]:
        is_done = record.get("status") == done
        if is_done and record.get(field) is None:
            return [(field, f"required when status is {done}")]
        if not is_done and record.get(field) is not None:
            return [("status", f"must be {done} when {field} is set")]
        return []

    return check


def _shown(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def not_before(later: str, earlier: str) -> Rule:
    """One date of the record may not fall before another (both optional)."""

    def check(record: Record, _lookup: Lookup) -> list[Problem]:
        first, second = record.get(earlier), record.get(later)
        if first is not None and second is not None and second < first:
            return [(later, f"{_shown(second)} is before {earlier} ({_shown(first)})")]
        return []

    return check


def needs(field: str, when: str, says: str = "") -> Rule:
    """``field`` is required whenever ``when`` is set."""

    def check(record: Record, _lookup: Lookup) -> list[Problem]:
        if record.get(when) and not record.get(field):
            return [(field, says or f"required when {when} is set")]
        return []

    return check


def not_among(field: str, among: str) -> Rule:
    """A single ref may not also appear in a list of the same record: a workstream's lead is
    not one of its partners."""

    def check(record: Record, _lookup: Lookup) -> list[Problem]:
        value = record.get(field)
        if value is not None and value in (record.get(among) or []):
            return [
                (among, f"{value} is already the {field}; a {field} is not also one of the {among}")
            ]
        return []

    return check


def not_before_linked(field: str, via: str, table: str, linked: str) -> Rule:
    """A date of the record cannot fall before a date of the record ``via`` names: an action
    cannot fall due before the visit or board meeting it follows."""

    def check(record: Record, lookup: Lookup) -> list[Problem]:
        value, target = record.get(field), record.get(via)
        if value is None or not target:
            return []
        date = lookup(table, target).get(linked)
        if date is not None and value < date:
            return [(field, f"{value.isoformat()} is before {via} {target} ({date.isoformat()})")]
        return []

    return check


def not_negative(field: str, *, entry_value: int | None = None, says: str = "") -> Rule:
    """A number may not be below zero: a field, or, for a list of entries, each entry's value
    at position ``entry_value`` (a KPI's targets and actuals, keyed by their first column).
    Money, counts, FTE and percentages are never negative."""

    def check(record: Record, _lookup: Lookup) -> list[Problem]:
        value = record.get(field)
        if entry_value is None:
            if value is not None and value < 0:
                return [(field, f"must not be negative (got {value})")]
            return []
        for entry in value or []:
            number = entry[entry_value]
            if number is not None and number < 0:
                return [(field, f"{says} must not be negative (got {number} for {entry[0]})")]
        return []

    return check


def at_most_one_of(fields: tuple[str, ...], says: str) -> Rule:
    """At most one of ``fields`` may be set: an action follows a visit or a meeting, not both."""

    def check(record: Record, _lookup: Lookup) -> list[Problem]:
        given = [name for name in fields if record.get(name)]
        if len(given) > 1:
            return [(given[0], says)]
        return []

    return check


def only_with(flag: str, field: str, allowed: tuple[Any, ...], says: str) -> Rule:
    """A true ``flag`` is allowed only when ``field`` is one of ``allowed``."""

    def check(record: Record, _lookup: Lookup) -> list[Problem]:
        if record.get(flag) and record.get(field) not in allowed:
            return [(flag, says)]
        return []

    return check


def a_quarter(field: str) -> Rule:
    """A period field that must name a quarter, not a whole year (commentary is written for
    one quarter's report). Labels are in their canonical form by then: ``FY2026/27 Q3``."""

    def check(record: Record, _lookup: Lookup) -> list[Problem]:
        value = record.get(field)
        if value is not None and not re.search(r"\bQ[1-4]$", str(value)):
            return [(field, f"expected a quarter such as FY2026/27 Q3, not a year; got {value!r}")]
        return []

    return check


def at_most_words(field: str, limit: int) -> Rule:
    """A text of at most ``limit`` words (separated by white space), refused with its count."""

    def check(record: Record, _lookup: Lookup) -> list[Problem]:
        words = len(str(record.get(field) or "").split())
        if words > limit:
            return [(field, f"at most {limit} words (got {words})")]
        return []

    return check


def no_cycle(field: str, table: str) -> Rule:
    """A record may not, through ``field`` (a list of refs of its own kind), end up depending
    on itself: a milestone's predecessors, their predecessors and so on never include it.

    Other records are followed through ``lookup``; the record's own ref is given to rules as
    ``ref``, so the record is judged with its new links, whatever is stored."""

    def check(record: Record, lookup: Lookup) -> list[Problem]:
        own = record.get("ref")
        start = list(record.get(field) or [])
        if own is None or not start:
            return []
        if own in start:
            return [(field, f"{own} cannot depend on itself")]
        # Depth first, remembering how each record was reached, so the loop can be named.
        reached_from: dict[str, str] = {}
        stack = [(ref, own) for ref in reversed(start)]
        while stack:
            ref, came_from = stack.pop()
            if ref in reached_from:
                continue
            reached_from[ref] = came_from
            for next_ref in lookup(table, ref).get(field) or []:
                if next_ref == own:
                    path = [ref]
                    while reached_from[path[-1]] != own:
                        path.append(reached_from[path[-1]])
                    chain = " → ".join([own, *reversed(path), own])
                    return [(field, f"would make a loop of dependencies ({chain})")]
                if next_ref not in reached_from:
                    stack.append((next_ref, ref))
        return []

    return check


# States.

DaysLate: TypeAlias = Callable[[Record, Any], int | None]


def days_late(due: str, completed: str, closed: tuple[Any, ...]) -> DaysLate:
    """How many whole days a record is overdue as of a date, or None when it is not: still
    open then (not in a ``closed`` status, not completed by that date) with ``due`` before
    it. An action with no due date is never overdue."""

    def late(record: Record, as_of: Any) -> int | None:
        done = record.get(completed)
        if record.get("status") in closed or (done is not None and done <= as_of):
            return None
        when = record.get(due)
        if when is None or when >= as_of:
            return None
        days: int = (as_of - when).days
        return days

    return late


def parent_loops(parents: dict[str, str | None], refs: list[str]) -> list[str]:
    """Which of ``refs`` would sit in a loop of parents (themes and sites nest)."""
    looping = []
    for ref in refs:
        seen = {ref}
        parent = parents.get(ref)
        while parent is not None:
            if parent in seen:
                looping.append(ref)
                break
            seen.add(parent)
            parent = parents.get(parent)
    return looping
