"""Alembic environment for mou.

On SQLite every migration runs with foreign keys off (a batch migration recreates tables, and
with foreign keys on that fires ON DELETE CASCADE on the child rows), inside one transaction
(so a migration that fails halfway leaves nothing half-applied), and checks
``PRAGMA foreign_key_check`` before committing.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import tracker.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from tracker.db import make_engine, resolve_url, serialise
from tracker.errors import DatabaseError

config = context.config


class ForeignKeyViolation(DatabaseError):
    """Refused: the migration would leave rows pointing at rows that do not exist."""


def _configure(**kwargs: object) -> None:
    context.configure(
        target_metadata=SQLModel.metadata,
        render_as_batch=True,
        compare_type=True,
        transactional_ddl=True,
        **kwargs,
    )


def run_offline() -> None:
    _configure(url=config.attributes.get("url") or resolve_url(), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def _broken_rows(connection: Connection) -> list[tuple[object, ...]]:
    if connection.dialect.name != "sqlite":
        return []  # PostgreSQL enforces foreign keys during the migration itself
    return [tuple(row) for row in connection.exec_driver_sql("PRAGMA foreign_key_check")]


def _rows(count: int) -> str:
    return f"{count} row{'s' if count != 1 else ''}"


def _run(connection: Connection) -> None:
    _configure(connection=connection)
    before = _broken_rows(connection)
    if before:
        # Checked first, so a damaged database is not blamed on the migration.
        raise ForeignKeyViolation(
            f"the database already has {_rows(len(before))} with broken foreign keys "
            f"(first: {before[0]}); see `mou check`, repair them, then upgrade"
        )
    with context.begin_transaction():
        # Two people upgrading a shared PostgreSQL database at once: the second waits here,
        # then finds the first's work done and nothing left to do.
        serialise(connection, "schema")
        context.run_migrations()
        broken = _broken_rows(connection)
        if broken:
            raise ForeignKeyViolation(
                f"migration would leave {_rows(len(broken))} with broken foreign keys "
                f"(first: {broken[0]}); rolled back"
            )


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.attributes.get("url") or resolve_url(), migrating=True)
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
