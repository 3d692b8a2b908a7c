"""The programme as the database held it at a moment (``--recorded-by``), rebuilt from the
audit trail: every command committed after the moment is taken back, newest first, the way
undo would take it back.

Nothing is written to the database. Inside one read transaction, each table the later
commands touched is copied into a temporary table of the same name, which this connection
alone sees in its place (SQLite and PostgreSQL both look in the temporary schema first), and
the later changes are taken back there. The read commands then run on that session exactly as
they run on the live data, so they print what they printed at the moment. The transaction is
rolled back at the end, and the copies vanish with it. No write lock is taken, so a rebuild
never waits for writers, and writers never wait for it longer than any reader.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from tracker import models
from tracker.db import Database, operational
from tracker.errors import InvalidInput
from tracker.kinds import BY_TABLE, KindSpec
from tracker.services import audit, trail
from tracker.services.store import RecordStore

SETTINGS = "settings"


@contextmanager
def recorded_at(database: Database, moment: dt.datetime) -> Iterator[Session]:
    """A read-only session that sees the programme as recorded at ``moment`` (UTC, naive)."""
    connection = database.engine.connect()
    try:
        if connection.dialect.name == "postgresql":
            # One snapshot for every statement of the rebuild and of the read that follows.
            connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        session = Session(bind=connection, autoflush=False)
        session.info[audit.AUDIT_KEY] = audit.Audit(actor=None, command="", suppressed=True)
        _check_covered(session, moment)
        later = _commands_after(session, moment)
        if later:
            Rebuild(session, later).run()
        yield session
    except sa.exc.OperationalError as error:
        raise operational(error, database.url) from None
    finally:
        connection.rollback()
        connection.close()


def _check_covered(session: Session, moment: dt.datetime) -> None:
    """The trail must reach back to the moment: refuse rather than guess."""
    first = trail.first_command(session)
    if first is None:
        raise InvalidInput(
            "--recorded-by: the audit trail of this database is empty, so what it held at an "
            "earlier moment is not known"
        )
    if moment >= first.at:
        return
    shown = first.at.isoformat(sep=" ", timespec="seconds")
    if trail.created_the_programme(session, first.id):
        raise InvalidInput(
            f"--recorded-by: the programme was first recorded at {shown} UTC "
            f"(command {first.id}); before that this database held nothing to show"
        )
    raise InvalidInput(
        f"--recorded-by: the audit trail begins at {shown} UTC; nothing earlier is "
        "recorded, so what the database held then is not known"
    )


def _commands_after(session: Session, moment: dt.datetime) -> list[int]:
    c = models.AuditCommand.__table__  # type: ignore[attr-defined]
    rows = session.execute(
        sa.select(c.c.id).where(c.c.at > moment).order_by(c.c.at.desc(), c.c.id.desc())
    )
    return [row_id for (row_id,) in rows]


class Rebuild:
    """Takes back, in a private copy of the tables, every change of the given commands."""

    def __init__(self, session: Session, commands: list[int]) -> None:
        self.session = session
        self.commands = commands
        self.mou_id: int | None = None  # the MoU's id as the rebuild goes back

    def run(self) -> None:
        entries = trail.entries_of(self.session, self.commands)
        changes = [
            entry
            for command_id in self.commands
            for entry in reversed(entries[command_id])
            if entry.action != "base"
        ]
        self._shadow(_tables_touched(changes))
        store = RecordStore(self.session)
        # The records of a kind with many changes read at once: looking each up by its ref
        # took two queries per change (1,000 changes in a second).
        per_kind: dict[str, set[str]] = {}
        for entry in changes:
            per_kind.setdefault(entry.kind, set()).add(entry.ref)
        for table, refs in per_kind.items():
            if table != SETTINGS and len(refs) > 50 and BY_TABLE[table].has_ref:
                store.load(BY_TABLE[table], refs)
        self.mou_id = self._mou_id()
        for entry in changes:
            if entry.kind == SETTINGS:
                self._setting(entry)
            else:
                self._record(store, BY_TABLE[entry.kind], entry)
        self.session.flush()

    def _mou_id(self) -> int | None:
        mou = models.Mou.__table__  # type: ignore[attr-defined]
        found: int | None = self.session.execute(sa.select(mou.c.id)).scalars().first()
        return found

    def _shadow(self, tables: list[sa.Table]) -> None:
        """Copy each table into a temporary one of the same name (with its primary key and the
        indexes the rebuild looks rows up by; without foreign keys: the rebuild replays what
        happened, in order)."""
        connection = self.session.connection()
        postgres = connection.dialect.name == "postgresql"
        source = (
            connection.exec_driver_sql("SELECT current_schema()").scalar() if postgres else "main"
        )
        target = "pg_temp" if postgres else "temp"
        metadata = sa.MetaData()
        for table in tables:
            columns = [
                sa.Column(column.name, _unchecked(column.type), primary_key=column.primary_key)
                for column in table.columns
            ]
            copy = sa.Table(table.name, metadata, *columns, prefixes=["TEMPORARY"])
            copy.create(connection)
            names = ", ".join(f'"{column.name}"' for column in table.columns)
            connection.exec_driver_sql(
                f'INSERT INTO {target}."{table.name}" ({names}) '
                f'SELECT {names} FROM {source}."{table.name}"'
            )
            # The indexes the rebuild looks rows up by: one for each unique constraint (a
            # ref's), and the one on a list's owner column (a record's list rows are removed
            # by their owner): a table scan per entry made going back over a thousand changes
            # to a large programme take seconds. Not the table's other indexes: they serve the
            # live table's reads, and the read that follows a rebuild scans the copy whole.
            # All of them took 300 ms to build over 100,000 milestones; some of them (the
            # foreign keys' without the covering one) made SQLite's counting three times slower.
            keyed = [(str(u.name), list(u.columns)) for u in _unique_constraints(table)]
            owner = _list_owners().get(table.name)
            keyed += [
                (str(index.name), list(index.columns))
                for index in table.indexes
                if [column.name for column in index.columns] == [owner]
            ]
            for name, indexed in keyed:
                columns_of = ", ".join(f'"{column.name}"' for column in indexed)
                connection.exec_driver_sql(
                    f'CREATE INDEX "{name}" ON "{table.name}" ({columns_of})'
                    if postgres
                    else f'CREATE INDEX temp."{name}" ON "{table.name}" ({columns_of})'
                )
            if postgres and "id" in table.columns and table.c.id.primary_key:
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('pg_temp.\"{table.name}\"', 'id'), "
                    f'coalesce((SELECT max(id) FROM pg_temp."{table.name}"), 0) + 1, false)'
                )

    def _setting(self, entry: trail.Entry) -> None:
        table = models.Setting.__table__  # type: ignore[attr-defined]
        old = (entry.old or {}).get("value")
        self.session.execute(table.delete().where(table.c.key == entry.ref))
        from tracker.services.settings import SETTINGS as KNOWN

        if old is not None and entry.ref in KNOWN and old != KNOWN[entry.ref].default:
            self.session.execute(table.insert().values(key=entry.ref, value=old))

    def _record(self, store: RecordStore, kind: KindSpec, entry: trail.Entry) -> None:
        """Take back one entry: an addition is removed, a removal restored, a change reverted."""
        if kind.in_mou:
            store.mou_id = self.mou_id
        row = store.find(kind, entry.ref)
        if entry.action == "add":
            if row is not None:
                self._delete(store, kind, entry.ref, row)
                if kind.table == "mou":
                    self.mou_id = self._mou_id()
            return
        if entry.action == "remove":
            record = {
                spec.key: audit.decode(spec, (entry.old or {}).get(spec.key))
                for spec in kind.fields
            }
            store.insert(kind, entry.ref, record)
            if kind.table == "mou":
                self.mou_id = self._mou_id()
            return
        if row is None:
            return  # nothing to revert into (cannot happen with a complete trail)
        # Written with the next flush (run's last step, or the next addition or removal):
        # a flush per change took a fifth of going back over a thousand of them.
        store.restore(kind, row, audit.decode_record(kind.fields, entry.old or {}), flush=False)

    def _delete(self, store: RecordStore, kind: KindSpec, key: str, row: Any) -> None:
        """Remove a record and its lists (the copies have no cascading foreign keys)."""
        for spec in kind.list_fields:
            assert spec.rows is not None
            child = getattr(models, spec.rows.model_name).__table__
            self.session.execute(child.delete().where(child.c[spec.rows.owner_column] == row.id))
        self.session.delete(row)
        self.session.flush()
        if kind.has_ref:
            store.forget(kind.table, key)


def _unchecked(kind: Any) -> Any:
    """A column's type without the CHECK constraint a vocabulary's type adds to its table:
    the copy holds rows the live table has checked already, and checking each again took
    130 of the 180 ms that copying 100,000 milestones took."""
    if getattr(kind, "create_constraint", False):
        kind = kind.copy()
        kind.create_constraint = False
    return kind


@functools.cache
def _list_owners() -> dict[str, str]:
    """The tables of the kinds' lists, and the column that names each row's owner."""
    owners = {}
    for kind in BY_TABLE.values():
        for spec in kind.list_fields:
            assert spec.rows is not None
            table: sa.Table = getattr(models, spec.rows.model_name).__table__
            owners[table.name] = spec.rows.owner_column
    return owners


def _unique_constraints(table: sa.Table) -> list[sa.UniqueConstraint]:
    return [
        constraint
        for constraint in table.constraints
        if isinstance(constraint, sa.UniqueConstraint) and constraint.name
    ]


def _tables_touched(changes: list[trail.Entry]) -> list[sa.Table]:
    """The database tables the changes live in: each kind's table and its lists' tables."""
    tables: dict[str, sa.Table] = {}
    for entry in changes:
        if entry.kind == SETTINGS:
            table = models.Setting.__table__  # type: ignore[attr-defined]
            tables[table.name] = table
            continue
        kind = BY_TABLE[entry.kind]
        tables[kind.model.__tablename__] = kind.model.__table__
        for spec in kind.list_fields:
            assert spec.rows is not None
            child = getattr(models, spec.rows.model_name).__table__
            tables[child.name] = child
    return list(tables.values())
