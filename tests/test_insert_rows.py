"""``tracker.db.insert_rows``, the bulk INSERT of an import and of its audit entries, writes
exactly what SQLAlchemy's own executemany writes: dates, vocabulary members, defaults of the
columns left out, and NULLs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from tracker.db import Database, insert_rows
from tracker.enums import MilestoneStatus


def _twin_tables(metadata: sa.MetaData, name: str) -> sa.Table:
    return sa.Table(
        name,
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False, default=1),
        sa.Column("due", sa.Date, nullable=False),
        sa.Column("completed", sa.Date),
        sa.Column(
            "status",
            sa.Enum(
                MilestoneStatus,
                native_enum=False,
                length=24,
                values_callable=lambda members: [member.value for member in members],
            ),
        ),
        sa.Column("title", sa.String(100)),
        sa.Column("counted", sa.Integer, default=lambda: 7),  # computed: SQLAlchemy's path
    )


ROWS: list[dict[str, Any]] = [
    {
        "due": dt.date(2026, 6, 30),
        "completed": dt.date(2026, 7, 2),
        "status": MilestoneStatus.DONE,
        "title": "Harwell Campus visit — report written",
    },
    {"due": dt.date(2027, 3, 31), "completed": None, "status": "planned", "title": None},
]


def _read(db: Database, table: sa.Table) -> list[tuple[Any, ...]]:
    with db.engine.connect() as connection:
        return [
            tuple(row) for row in connection.execute(sa.select(table).order_by(*table.primary_key))
        ]


def test_insert_rows_writes_what_sqlalchemy_writes(db: Database) -> None:
    metadata = sa.MetaData()
    ours, theirs = _twin_tables(metadata, "t_ours"), _twin_tables(metadata, "t_theirs")
    metadata.create_all(db.engine)
    with db.writing() as session:
        insert_rows(session, ours, [dict(row, counted=3) for row in ROWS])
        session.execute(sa.insert(theirs), [dict(row, counted=3) for row in ROWS])
    expected = [
        (
            1,
            1,
            dt.date(2026, 6, 30),
            dt.date(2026, 7, 2),
            MilestoneStatus.DONE,
            ROWS[0]["title"],
            3,
        ),
        (2, 1, dt.date(2027, 3, 31), None, MilestoneStatus.PLANNED, None, 3),
    ]
    assert _read(db, ours) == expected
    assert _read(db, theirs) == expected


def test_a_computed_default_left_out_is_computed(db: Database) -> None:
    metadata = sa.MetaData()
    table = _twin_tables(metadata, "t_computed")
    metadata.create_all(db.engine)
    with db.writing() as session:
        insert_rows(session, table, [dict(row, id=10 + n) for n, row in enumerate(ROWS)])
        insert_rows(session, table, [])  # nothing to write is no statement at all
    assert [(row[0], row[1], row[-1]) for row in _read(db, table)] == [(10, 1, 7), (11, 1, 7)]


def test_dates_are_stored_in_the_form_sqlalchemy_reads(db: Database) -> None:
    metadata = sa.MetaData()
    table = _twin_tables(metadata, "t_raw")
    metadata.create_all(db.engine)
    with db.writing() as session:
        insert_rows(session, table, [dict(ROWS[0], counted=1)])
    with db.engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT due, status FROM t_raw")).one()
    assert (str(stored[0]), stored[1]) == ("2026-06-30", "done")


def test_a_row_of_one_column_is_written_whole(db: Database) -> None:
    metadata = sa.MetaData()
    table = sa.Table("t_one", metadata, sa.Column("ref", sa.String(20), primary_key=True))
    metadata.create_all(db.engine)
    with db.writing() as session:
        insert_rows(session, table, [{"ref": "HARWELL"}, {"ref": "DARESBURY"}])
    assert _read(db, table) == [("DARESBURY",), ("HARWELL",)]


def test_what_the_session_holds_is_written_first(db: Database) -> None:
    """Rows an ORM session holds unflushed go in before the bulk rows, as they would before
    any statement the session runs: an import's last audit entry came after its bulk ones."""
    from tracker import models

    with db.writing() as session:
        session.add(models.Setting(key="actor", value="Programme office"))
        insert_rows(session, models.Setting.__table__, [{"key": "scheme", "value": "calendar"}])
        written = session.connection().execute(
            sa.select(models.Setting.__table__.c.key).order_by(models.Setting.__table__.c.key)
        )
        assert list(written.scalars()) == ["actor", "scheme"]
