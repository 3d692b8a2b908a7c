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
        for name, table in SQLModel.metadata.tables.items():
            result = connection.execute(sa.select(table))
            rows[name] = sorted((tuple(row) for row in result), key=repr)
    return rows


def count_rows(database: Database) -> dict[str, int]:
    return {name: len(rows) for name, rows in snapshot(database).items()}
