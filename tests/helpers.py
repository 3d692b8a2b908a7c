"""Small helpers shared by tests."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel

from tracker.db import Database


def snapshot(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order: two equal snapshots mean nothing changed."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with database.engine.connect() as connection:
        quote = connection.dialect.identifier_preparer.quote
        for name in SQLModel.metadata.tables:
            # Plain SQL text: a select built from each table would be compiled afresh for
            # every test's new engine, which made this the slowest part of many tests.
            result = connection.execute(sa.text(f"SELECT * FROM {quote(name)}"))
            rows[name] = sorted((tuple(row) for row in result), key=repr)
    return rows


def count_rows(database: Database) -> dict[str, int]:
    return {name: len(rows) for name, rows in snapshot(database).items()}


MINIMAL = """
[mou]
ref = "T"
title = "Test programme"
signed = 2026-01-05

[[institutions]]
ref = "A"
name = "Institution A"
kind = "university"

[[institutions]]
ref = "B"
name = "Institution B"
kind = "local_authority"

[[parties]]
institution = "A"
role = "signatory"

[[parties]]
institution = "B"
role = "partner"

[[themes]]
ref = "TOP"
name = "Top theme"

[[themes]]
ref = "SUB"
name = "Sub-theme"
parent = "TOP"

[[themes]]
ref = "EMPTY"
name = "Theme with no milestones"

[[workstreams]]
ref = "W1"
name = "Workstream one"
theme = "TOP"
lead = "A"

[[workstreams]]
ref = "W2"
name = "Workstream two"
theme = "SUB"
lead = "B"
"""


def milestone_toml(
    ref: str,
    *,
    due: str,
    workstream: str = "W1",
    forecast: str | None = None,
    completed: str | None = None,
    status: str | None = None,
    institution: str | None = None,
) -> str:
    lines = [
        "[[milestones]]",
        f'ref = "{ref}"',
        f'workstream = "{workstream}"',
        f'title = "Milestone {ref}"',
        f"due = {due}",
    ]
    if forecast:
        lines.append(f"forecast = {forecast}")
    if completed:
        lines.append(f"completed = {completed}")
    if status:
        lines.append(f'status = "{status}"')
    if institution:
        lines.append(f'institution = "{institution}"')
    return "\n".join(lines) + "\n"
