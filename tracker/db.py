"""Where the data lives, how connections behave, and whether the schema is current.

The rules from RELIABILITY.md live here, once:
- SQLite foreign keys are switched on for every connection, on connect, outside any transaction
  (inside one the pragma is silently ignored);
- write transactions start with ``BEGIN IMMEDIATE``: a deferred transaction that reads first
  cannot later be upgraded to a write while another writer holds the lock, and the busy timeout
  does not cover that case;
- the rollback journal stays (the system SQLite predates the fix for the WAL-reset bug);
- read sessions never write, and are rolled back, so they never queue behind a writer.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from tracker.errors import DatabaseError, StaleRecord

# The newest migration this code was written for. A test keeps it equal to Alembic's head,
# so that checking the schema costs one small query instead of loading the migration scripts.
HEAD_REVISION = "0004"

ENV_URL = "MOU_DATABASE_URL"
ENV_PATH = "MOU_DB"
BUSY_TIMEOUT_MS = 30_000
_WRITE = "mou_write"


def default_path() -> Path:
    import platformdirs

    return platformdirs.user_data_path("mou", appauthor=False) / "mou.db"


def resolve_url(db: str | None = None) -> str:
    """``--db`` (a path or a URL), else ``MOU_DATABASE_URL``, else ``MOU_DB``, else the user's
    data directory."""
    for candidate in (db, os.environ.get(ENV_URL), os.environ.get(ENV_PATH)):
        if candidate:
            return _as_url(candidate)
    return _as_url(str(default_path()))


def _as_url(value: str) -> str:
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


def display_url(url: str) -> str:
    """The URL as it may be printed: never with its password."""
    return parse_url(url).render_as_string(hide_password=True)


def parse_url(url: str) -> URL:
    """The URL as SQLAlchemy reads it; a bare ``postgresql://`` means psycopg 3, the driver
    mou installs, rather than SQLAlchemy's default psycopg2."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(
            f"database URL: expected a SQLAlchemy URL such as sqlite:///path/mou.db or "
            f"postgresql+psycopg://user:password@host/dbname; got {url!r}"
        ) from None
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other backends and in-memory databases."""
    parsed = parse_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def make_engine(url: str, *, migrating: bool = False) -> Engine:
    """An engine with mou's connection rules. ``migrating`` switches SQLite foreign keys off:
    batch migrations recreate tables, and with foreign keys on that fires ON DELETE CASCADE and
    silently empties child tables."""
    parsed = parse_url(url)
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise DatabaseError(
            f"database URL: mou supports sqlite and postgresql; got {backend!r} in "
            f"{display_url(url)}"
        )
    path = sqlite_path(url)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DatabaseError(
                f"database {display_url(url)}: cannot create its folder {path.parent}: "
                f"{error.strerror}"
            ) from None
    try:
        engine = sa.create_engine(parsed, **_engine_options(backend))
    except (ModuleNotFoundError, NoSuchModuleError) as error:
        if backend == "postgresql":
            raise DatabaseError(
                "PostgreSQL needs its driver: pip install 'mou[postgres]' (psycopg 3); "
                "use a URL such as postgresql+psycopg://user:password@host/dbname"
            ) from None
        raise DatabaseError(f"database URL: {error}") from None
    if backend == "sqlite":
        _configure_sqlite(engine, foreign_keys=not migrating, always_immediate=migrating)
    return engine


def _engine_options(backend: str) -> dict[str, Any]:
    if backend == "sqlite":
        return {"connect_args": {"timeout": BUSY_TIMEOUT_MS / 1000}}
    return {"pool_pre_ping": True}


def _configure_sqlite(engine: Engine, *, foreign_keys: bool, always_immediate: bool) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module so we can say BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = always_immediate or connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


@dataclass
class Database:
    """An opened, current database: the URL it came from and its engine.

    ``new_session_info`` gives each write session its starting ``Session.info``: the CLI puts
    the audit context there (who, which command line), so services can record every change.
    """

    url: str
    engine: Engine
    new_session_info: Callable[[], dict[str, Any]] = field(default=dict)

    @contextmanager
    def writing(self, *, commit: bool = True) -> Iterator[Session]:
        """One write transaction: committed if the block succeeds (and ``commit``), rolled back
        if it raises. ``commit=False`` runs every write and rolls it all back: a dry run that
        meets exactly the checks a real run would."""
        session = Session(
            self.engine.execution_options(**{_WRITE: True}),
            expire_on_commit=False,
            info=self.new_session_info(),
        )
        try:
            session.begin()
            yield session
            if commit:
                session.commit()
        except OperationalError as error:
            raise _operational(error, self.url) from None
        except StaleDataError:
            raise StaleRecord(
                "a record was changed by someone else while this command ran; run it again"
            ) from None
        finally:
            session.rollback()
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only unit of work: whatever happens, it is rolled back, never committed."""
        session = Session(self.engine)
        try:
            yield session
        except OperationalError as error:
            raise _operational(error, self.url) from None
        finally:
            # close() rolls the transaction back without expiring what was read, so the
            # records a service returned stay usable after the session ends.
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def _operational(error: OperationalError, url: str) -> DatabaseError:
    detail = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
    return DatabaseError(f"database {display_url(url)}: {detail}")


def current_revision(connection: Connection) -> str | None:
    """The Alembic revision recorded in the database, or None when it has none."""
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def has_tables(connection: Connection) -> bool:
    return bool(sa.inspect(connection).get_table_names())


def open_database(db: str | None = None, *, create: bool = True) -> Database:
    """Open the database for a command, creating a new SQLite file on first use.

    An existing database behind the code is never migrated silently: the user is told to run
    ``mou db upgrade`` (which makes a backup first).
    """
    url = resolve_url(db)
    path = sqlite_path(url)
    if path is not None and not path.exists() and not create:
        raise DatabaseError(
            f"no database at {path}: load a programme first (mou import FILE.toml), or check "
            "--db / MOU_DB"
        )
    if path is not None and (not path.exists() or path.stat().st_size == 0):
        from tracker.migrate import upgrade

        upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            revision = current_revision(connection)
            empty = revision is None and not has_tables(connection)
            connection.rollback()
    except OperationalError as error:
        engine.dispose()
        raise _operational(error, url) from None
    if revision == HEAD_REVISION:
        return Database(url=url, engine=engine)
    engine.dispose()
    shown = display_url(url)
    if empty:
        raise DatabaseError(f"database {shown} has no mou schema yet: run `mou db upgrade`")
    if revision is None:
        raise DatabaseError(f"database {shown} is not a mou database (it has no revision table)")
    from tracker.migrate import known_revisions

    if revision in known_revisions():
        raise DatabaseError(
            f"database {shown} is at revision {revision}, this mou needs {HEAD_REVISION}: "
            "run `mou db upgrade`"
        )
    raise DatabaseError(
        f"database {shown} is at revision {revision}, which this mou does not know "
        f"(it needs {HEAD_REVISION}): upgrade mou"
    )
