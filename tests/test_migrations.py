"""The schema: migrations agree with the models, constraints hold on both backends, and the
connection rules of docs/guarantees.md are in force."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from tracker import models
from tracker.db import Database, make_engine
from tracker.errors import DatabaseError, InvalidInput
from tracker.migrate import (
    HEAD_REVISION,
    current,
    downgrade,
    head_revision,
    known_revisions,
    open_database,
    upgrade,
)


def test_head_constant_matches_the_migration_scripts() -> None:
    assert head_revision() == HEAD_REVISION
    assert known_revisions()[-1] == HEAD_REVISION


def test_models_and_migrations_agree(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []
    engine.dispose()


def test_upgrade_creates_every_table(database_url: str) -> None:
    engine = make_engine(database_url)
    tables = set(sa.inspect(engine).get_table_names())
    engine.dispose()
    assert tables == set(SQLModel.metadata.tables) | {"alembic_version"}
    assert current(database_url) == HEAD_REVISION


def test_down_and_up_again(database_url: str) -> None:
    downgrade(database_url, "base")
    engine = make_engine(database_url)
    assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    upgrade(database_url)
    assert current(database_url) == HEAD_REVISION


def _institution(session: object) -> models.Institution:
    return models.Institution(ref="OXF", name="University of Oxford", kind="university")  # type: ignore[arg-type]


def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(sa.exc.IntegrityError), db.writing() as session:
        session.add(models.Person(ref="P1", name="Someone", institution_id=999))
        session.flush()


@pytest.mark.parametrize(
    ("status", "completed"),
    [("done", None), ("planned", dt.date(2026, 5, 1)), ("in_progress", dt.date(2026, 5, 1))],
)
def test_completed_is_set_exactly_when_done(
    example_db: Database, status: str, completed: dt.date | None
) -> None:
    with pytest.raises(sa.exc.IntegrityError), example_db.writing() as session:
        session.exec(
            sa.update(models.Milestone)  # type: ignore[call-overload]
            .where(models.Milestone.ref == "MS-13")
            .values(status=status, completed=completed)
        )


def test_refs_are_stored_in_upper_case_only(db: Database) -> None:
    with pytest.raises(sa.exc.IntegrityError), db.writing() as session:
        session.add(models.Institution(ref="oxf", name="Oxford", kind="university"))  # type: ignore[arg-type]
        session.flush()


def test_vocabularies_are_enforced_by_the_database(db: Database) -> None:
    with pytest.raises(sa.exc.IntegrityError), db.writing() as session:
        session.execute(
            sa.text("INSERT INTO institution (ref, name, kind) VALUES ('X', 'X', 'guild')")
        )


def test_visit_cannot_end_before_it_starts(example_db: Database) -> None:
    with pytest.raises(sa.exc.IntegrityError), example_db.writing() as session:
        session.exec(
            sa.update(models.Visit)  # type: ignore[call-overload]
            .where(models.Visit.ref == "V01")
            .values(end_date=dt.date(2026, 2, 1))
        )


def test_a_failed_write_leaves_nothing(db: Database) -> None:
    with pytest.raises(sa.exc.IntegrityError), db.writing() as session:
        session.add(models.Institution(ref="OXF", name="University of Oxford", kind="university"))  # type: ignore[arg-type]
        session.flush()
        session.add(models.Person(ref="P1", name="Someone", institution_id=999))
        session.flush()
    with db.reading() as session:
        assert (
            session.exec(sa.select(sa.func.count()).select_from(models.Institution)).one()[0] == 0
        )  # type: ignore[call-overload]


def test_sqlite_write_transactions_take_the_lock_at_once(tmp_path: Path) -> None:
    database = open_database(str(tmp_path / "mou.db"))
    with database.writing() as session:
        session.execute(sa.text("SELECT 1"))  # reads only, yet holds the write lock
        other = sqlite3.connect(tmp_path / "mou.db", timeout=0, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()
    database.dispose()


def test_sqlite_read_sessions_do_not_lock_out_writers(tmp_path: Path) -> None:
    database = open_database(str(tmp_path / "mou.db"))
    with database.reading() as session:
        session.execute(sa.text("SELECT count(*) FROM institution"))
        other = sqlite3.connect(tmp_path / "mou.db", timeout=0, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        other.close()
    database.dispose()


def test_sqlite_connection_settings(tmp_path: Path) -> None:
    database = open_database(str(tmp_path / "mou.db"))
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    database.dispose()


def test_a_new_sqlite_file_is_created_and_migrated(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "folder" / "mou.db"
    database = open_database(str(path))
    database.dispose()
    assert path.exists()
    assert current(f"sqlite:///{path}") == HEAD_REVISION


def test_a_database_behind_head_is_never_migrated_silently(tmp_path: Path) -> None:
    path = tmp_path / "mou.db"
    open_database(str(path)).dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'ffff'")
    with pytest.raises(DatabaseError, match="revision ffff, which is newer than this mou"):
        open_database(str(path))
    assert current(f"sqlite:///{path}") == "ffff"


def test_an_empty_database_is_not_guessed_at(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (x)")
    with pytest.raises(DatabaseError, match="is not a mou database"):
        open_database(str(path))


def test_an_unknown_backend_is_refused() -> None:
    with pytest.raises(InvalidInput, match="mou supports sqlite and postgresql URLs; got 'mysql'"):
        open_database("mysql://user@host/db")
