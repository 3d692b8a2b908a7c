"""The rules between a record's fields, and the defaults that depend on other fields or
records. One copy serves the programme-file importer and the commands that add and edit
records, so a rule cannot hold in one and not the other."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tracker.enums import ActionStatus, MilestoneStatus, MouStatus

Record = dict[str, Any]
# Finds another record (from the same file or the database) by table and ref.
Lookup = Callable[[str, str], Record]

_LIST_FIELDS = {
    "workstreams": ("partners", "commitments"),
    "visits": ("sites", "themes", "attendees"),
    "milestones": ("rebaselines",),
}


def fill_defaults(table: str, record: Record, lookup: Lookup) -> None:
    """Defaults that depend on other fields (a status from the completed date) or on other
    records (a milestone is owned by its workstream's lead unless said otherwise)."""
    if table == "mou" and record.get("status") is None:
        record["status"] = MouStatus.ACTIVE if record.get("signed") else MouStatus.DRAFT
    if table == "milestones" and record.get("status") is None:
        completed = record.get("completed") is not None
        record["status"] = MilestoneStatus.DONE if completed else MilestoneStatus.PLANNED
    if table == "actions" and record.get("status") is None:
        completed = record.get("completed") is not None
        record["status"] = ActionStatus.DONE if completed else ActionStatus.OPEN
    if table == "milestones" and record.get("institution") is None and record.get("workstream"):
        record["institution"] = lookup("workstreams", record["workstream"]).get("lead")
    if table == "parties" and record.get("signatory") and record.get("signatory_title") is None:
        record["signatory_title"] = lookup("people", record["signatory"]).get("role")
    for key in _LIST_FIELDS.get(table, ()):
        record[key] = record.get(key) or []


def record_problems(table: str, record: Record) -> list[tuple[str, str]]:
    """Broken rules between fields of one record, as (field, message) pairs."""
    problems: list[tuple[str, str]] = []
    if table == "mou":
        expires, effective = record.get("expires"), record.get("effective")
        if expires and effective and expires < effective:
            problems.append(("expires", "is before effective"))
    if table in ("milestones", "actions"):
        done = record.get("status") == "done"
        if done and record.get("completed") is None:
            problems.append(("completed", "required when status is done"))
        if not done and record.get("completed") is not None:
            problems.append(("status", "must be done when completed is set"))
    if (
        table == "milestones"
        and record.get("reported_rag")
        and not record.get("reported_rag_reason")
    ):
        problems.append(("reported_rag_reason", "required with reported_rag"))
    if table == "visits" and record.get("end") and record["end"] < record["date"]:
        problems.append(("end", "is before date"))
    if table == "parties" and record.get("signed") and not record.get("signatory"):
        problems.append(("signatory", "required when signed is set"))
    return problems


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
