"""Where the data lives and how connections behave (docs/guarantees.md).

The storage rules live here, once:
- a ``--db`` value that looks like a URL (``scheme:``) is read as one and refused when
  malformed, never taken for a file name; a path is always a path, whatever it contains;
- a URL's password never leaves this module unredacted, except to the driver itself;
- SQLite foreign keys are switched on for every connection, on connect, outside any
  transaction (inside one the pragma is silently ignored);
- write transactions start with ``BEGIN IMMEDIATE``: a deferred transaction that reads first
  cannot later be upgraded to a write while another writer holds the lock, and the busy timeout
  does not cover that case;
- the rollback journal stays (the SQLite these machines ship predates the fix for a WAL-reset
  bug), but a writer keeps its changes in memory until it commits (``cache_spill`` off), so it
  holds the lock that stops readers only for the moment of the commit, not for a whole import;
- read sessions never write, and are rolled back, so they never queue behind a writer;
- on PostgreSQL, steps that must not interleave (choosing the next ref and inserting it, an
  import, a settings change) take a transaction-scoped advisory lock (``serialise``).
"""

from __future__ import annotations

import itertools
import operator
import os
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError

from tracker.errors import DatabaseError, InvalidInput, StaleRecord
from tracker.text import redact

if TYPE_CHECKING:
    # Imported where a session is made: a command that only reads (mou status) works on a
    # Core connection, and never pays for importing the ORM.
    from sqlmodel import Session

ENV_URL = "MOU_DATABASE_URL"
ENV_PATH = "MOU_DB"
BUSY_TIMEOUT_MS = 30_000
_WRITE = "mou_write"
BACKENDS = ("sqlite", "postgresql")

# "scheme:" or "scheme+driver:", as a URL starts; two letters at least, so that a Windows
# drive ("C:") is never mistaken for one.
_LOOKS_LIKE_URL = re.compile(r"^[A-Za-z][A-Za-z0-9.-]+(\+[A-Za-z0-9_]+)?:")


def default_path() -> Path:
    import platformdirs

    return platformdirs.user_data_path("mou", appauthor=False) / "mou.db"


def resolve_url(db: str | None = None) -> str:
    """``--db`` (a path or a URL), else ``MOU_DATABASE_URL``, else ``MOU_DB``, else the user's
    data directory."""
    if db is not None:
        if not db.strip():
            raise InvalidInput(
                "--db: empty; give a file path or a database URL, or leave --db out for the default"
            )
        return _as_url(db, "--db")
    for name in (ENV_URL, ENV_PATH):
        value = os.environ.get(name)
        if value:
            return _as_url(value, name)
    return _as_url(str(default_path()), "the default database")


def _as_url(value: str, source: str) -> str:
    if _LOOKS_LIKE_URL.match(value):
        check_url(value, source)
        return value
    path = Path(value).expanduser().resolve()
    # Built, not formatted: '?', '#' and '%' in a file name are quoted, never read as URL syntax.
    return URL.create("sqlite", database=str(path)).render_as_string(hide_password=False)


def check_url(url: str, source: str = "database URL") -> URL:
    """The URL parsed, or one line naming what is wrong with it (its password hidden)."""
    example = (
        "such as sqlite:///path/mou.db or postgresql+psycopg://user:password@host/dbname "
        "(a file name with ':' in it can be given as ./name)"
    )
    try:
        parsed = make_url(url)
        parsed.port  # noqa: B018 (reading the port is what checks it)
    except (ArgumentError, ValueError):
        raise InvalidInput(
            f"{source}: expected a database URL {example}; got {redact(url)!r}"
        ) from None
    backend = parsed.get_backend_name()
    if backend not in BACKENDS:
        raise InvalidInput(
            f"{source}: mou supports sqlite and postgresql URLs; got {backend!r} in {redact(url)!r}"
        )
    if backend == "postgresql" and not parsed.database:
        raise InvalidInput(f"{source}: the URL names no database, {example}; got {redact(url)!r}")
    return parsed


def display_url(url: str) -> str:
    """The URL as it may be printed: never with its password."""
    try:
        return parse_url(url).render_as_string(hide_password=True)
    except InvalidInput:
        return redact(url)


def parse_url(url: str) -> URL:
    """The URL as SQLAlchemy reads it; a bare ``postgresql://`` means psycopg 3, the driver
    mou installs, rather than SQLAlchemy's default psycopg2."""
    parsed = check_url(url)
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
        # A writer that spills its cache to the file mid-transaction takes the exclusive lock
        # then, and every reader waits until it commits. Kept in memory instead, the exclusive
        # lock is held only while the commit itself is written.
        cursor.execute("PRAGMA cache_spill = OFF")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = always_immediate or connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class Reader(Protocol):
    """What a read needs: an ORM session or a Core connection, which both run any Core
    statement. Services that only read through ``tracker.tables`` take either."""

    def execute(self, statement: Any, /) -> Any: ...


def serialise(unit: Session | Connection, name: str) -> None:
    """Run the rest of this transaction after every other transaction that took the same
    lock has ended (PostgreSQL advisory lock, released at commit). On SQLite every write
    transaction already runs alone (BEGIN IMMEDIATE)."""
    dialect = unit.dialect if isinstance(unit, Connection) else unit.get_bind().dialect
    if dialect.name == "postgresql":
        key = zlib.crc32(name.encode()) - 2**31  # a stable signed 32-bit number per name
        unit.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def insert_rows(session: Session, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert many new rows, all with the same keys, in one executemany.

    On SQLite the statement is compiled once and each row becomes a tuple through its
    columns' own bind processors (dates to ISO text, vocabulary members to their values).
    SQLAlchemy's general executemany works each row's parameters out afresh, which was a
    tenth of a 100,000-milestone import. A column left out gets its scalar default, as
    SQLAlchemy would give it. PostgreSQL keeps SQLAlchemy's path, which already folds the
    rows into multi-row INSERTs; its time goes to the server.
    """
    if not rows:
        return
    # session.connection() does not flush as session.execute() does: write what the session
    # holds first, so rows go in in the order they were made (an audit entry added by the
    # ORM before these, a parent these rows name).
    session.flush()
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "sqlite":
        connection.execute(sa.insert(table), rows)
        return
    keys = list(rows[0])
    left_out = [c for c in table.columns if c.key not in keys and c.default is not None]
    if not all(column.default.is_scalar for column in left_out):  # type: ignore[union-attr]
        connection.execute(sa.insert(table), rows)  # a computed default: SQLAlchemy's path
        return
    defaults = {column.key: column.default.arg for column in left_out}  # type: ignore[union-attr]
    compiled = sa.insert(table).compile(dialect=dialect, column_keys=[*keys, *defaults])
    order = list(compiled.positiontup or ())  # the table's column order
    assert sorted(order) == sorted([*keys, *defaults]), "every bind is a column given"
    # Column by column, each value picked and converted in one pass over the rows (a loop
    # in C), then the rows' parameters put together from the columns.
    columns: list[Iterable[Any]] = []
    for name in order:
        values: Iterable[Any] = (
            itertools.repeat(defaults[name], len(rows))
            if name in defaults
            else map(operator.itemgetter(name), rows)
        )
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        columns.append(map(process, values) if process else values)
    connection.exec_driver_sql(compiled.string, list(zip(*columns, strict=True)))


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
        from sqlalchemy.orm.exc import StaleDataError
        from sqlmodel import Session

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
            raise operational(error, self.url) from None
        except StaleDataError:
            raise StaleRecord(
                "a record was changed by someone else while this command ran; run it again"
            ) from None
        finally:
            session.rollback()
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only unit of work: whatever happens, it is rolled back, never committed.
        Every statement of it sees the database at one moment: on SQLite its transaction does;
        on PostgreSQL, whose default gives each statement its own snapshot, REPEATABLE READ
        does (a read that checks the trail, then the records, must not see a command that
        committed in between)."""
        from sqlmodel import Session

        session = Session(self._reading_engine())
        try:
            yield session
        except OperationalError as error:
            raise operational(error, self.url) from None
        finally:
            # close() rolls the transaction back without expiring what was read, so the
            # records a service returned stay usable after the session ends.
            session.close()

    @contextmanager
    def reading_rows(self) -> Iterator[Connection]:
        """``reading``, on a Core connection: for reads written against ``tracker.tables``,
        which need no ORM session (``mou status``)."""
        try:
            with self._reading_engine().connect() as connection:
                try:
                    yield connection
                finally:
                    connection.rollback()
        except OperationalError as error:
            raise operational(error, self.url) from None

    def _reading_engine(self) -> Engine:
        if self.engine.dialect.name == "postgresql":
            return self.engine.execution_options(isolation_level="REPEATABLE READ")
        return self.engine

    def dispose(self) -> None:
        self.engine.dispose()


def _first_line(error: Exception) -> str:
    detail = getattr(error, "orig", None) or error
    return (str(detail).strip().splitlines() or ["unknown"])[0]


def operational(error: DBAPIError, url: str) -> DatabaseError:
    """One line for a failure of the database itself, naming the database (a SQLite file by
    its path, as people give it; a server never with its password); 'disk I/O error' and
    friends say which file."""
    path = sqlite_path(url)
    detail = _first_line(error)
    if path is not None and "readonly database" in detail:
        detail += "; check that you may write to the file and to its folder"
    return DatabaseError(f"database {path if path is not None else display_url(url)}: {detail}")


def current_revision(connection: Connection) -> str | None:
    """The Alembic revision recorded in the database, or None when it has none."""
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def table_names(connection: Connection) -> set[str]:
    return set(sa.inspect(connection).get_table_names())
