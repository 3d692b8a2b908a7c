"""What commands need before they call a service: the database, today, a parsed date."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlmodel import Session

    from tracker.dates import ParsedDate
    from tracker.db import Database
    from tracker.periods import Scheme


def open_db(db: str | None, *, create: bool = False) -> Database:
    """The database for this command, with the command line and actor that its changes are
    recorded under. Only commands that write may ``create`` a new SQLite file: a read of a
    mistyped path says so instead of leaving an empty database behind."""
    from tracker.cli import invocation
    from tracker.db import resolve_url, sqlite_path
    from tracker.migrate import open_database

    path = sqlite_path(resolve_url(db)) if create else None
    new = path is not None and not path.exists()
    with _garbage_collected() if new else contextlib.nullcontext():
        database = open_database(db, create=create)
    now = invocation.current
    if new:
        now.created = path

    def session_info() -> dict[str, object]:
        from tracker.services import audit  # only a command that writes needs it

        return {audit.AUDIT_KEY: audit.Audit(actor=now.actor, command=now.command_line)}

    database.new_session_info = session_info
    return database


@contextmanager
def _garbage_collected() -> Iterator[None]:
    """The cycles made in the block collected at its end. The command runs with the cycle
    collector off (tracker.cli.main), and migrating a new file leaves some 4 MB in cycles
    (Alembic's, SQLAlchemy's): collected, the command's own work reuses it (a large import
    peaks that much lower). The objects made before are set aside meanwhile, so only the
    block's own are looked at (15 ms, not 50)."""
    gc.freeze()
    try:
        yield
        gc.collect(0)
    finally:
        gc.unfreeze()


def discard_created_database() -> None:
    """After a command failed: remove the SQLite file it created, with its journal files, if
    no command has been recorded in it (a second user may have started writing to a brand
    new file meanwhile: theirs is kept)."""
    import sqlite3

    from tracker.cli import invocation

    path = invocation.current.created
    if path is None:
        return
    invocation.current.created = None
    try:
        with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as db:
            recorded = db.execute("SELECT count(*) FROM audit_command").fetchone()[0]
    except sqlite3.Error:
        return  # not what this command made: leave it
    if recorded == 0:
        for name in (path, *(path.with_name(path.name + end) for end in ("-wal", "-shm"))):
            name.unlink(missing_ok=True)


def today() -> dt.date:
    return dt.date.today()


def as_of_date(text: str | None, db: str | None = None) -> ParsedDate | None:
    """The ``--as-of`` date, parsed by the one date parser; None means today."""
    if text is None:
        return None
    from tracker.dates import parse_date

    return parse_date(text, field="--as-of", today=today(), scheme=date_scheme(text, db))


def date_scheme(text: str | None, db: str | None) -> Scheme | None:
    """The reporting scheme the database uses, read only for a date such as ``end of
    quarter`` that depends on it (other dates cost no extra query)."""
    if not text or not re.search(r"quarter|year|eoq|eoy", text, re.IGNORECASE):
        return None
    from tracker.errors import MouError
    from tracker.migrate import open_database
    from tracker.services.settings import reporting_scheme

    try:
        database = open_database(db, create=False)
    except MouError:
        return None  # the command itself will say what is wrong with the database
    try:
        with database.reading() as session:
            return reporting_scheme(session=session)
    finally:
        database.dispose()


def parse_option_date(text: str | None, option: str, db: str | None = None) -> dt.date | None:
    """A date option such as ``--due-before``, parsed by the one date parser."""
    if text is None:
        return None
    from tracker.dates import parse_date

    return parse_date(text, field=option, today=today(), scheme=date_scheme(text, db)).value


@dataclass(frozen=True)
class Moment:
    """When a read command looks at the programme: as recorded now, or at ``recorded``
    (UTC), and the business date it works as of by default."""

    recorded: dt.datetime | None
    as_of: dt.date


def moment(recorded_by: str | None, as_of: str | None, db: str | None) -> Moment:
    """``--recorded-by`` and ``--as-of`` read together: the as-of date defaults to the date
    recorded-by names, and to today without it."""
    recorded, day = None, today()
    if recorded_by is not None:
        recorded, day = parse_when(recorded_by, option="--recorded-by", db=db)
    parsed = as_of_date(as_of, db)
    return Moment(recorded, parsed.value if parsed else day)


@contextmanager
def reading_rows(db: str | None) -> Iterator[Connection]:
    """A read-only Core connection on the live data, for a command whose reads all go
    through ``tracker.tables`` (``mou status``): no ORM session, so no mapped classes."""
    database = open_db(db)
    try:
        with database.reading_rows() as connection:
            yield connection
    finally:
        database.dispose()


@contextmanager
def reading(db: str | None, recorded: dt.datetime | None = None) -> Iterator[Session]:
    """A read-only session on the live data, or on the data as recorded at a moment."""
    database = open_db(db)
    try:
        if recorded is None:
            with database.reading() as session:
                yield session
        else:
            from tracker.services.past import recorded_at

            with recorded_at(database, recorded) as session:
                yield session
    finally:
        database.dispose()


def parse_when(text: str, *, option: str, db: str | None) -> tuple[dt.datetime, dt.date]:
    """A moment as ``--since``/``--until`` take it: a date (the end of that day), a date and
    time, a quarter label (the end of its last day), or ``last-issue`` (when the latest report
    was issued). Returns the moment in UTC and its business date."""
    from tracker.dates import parse_moment
    from tracker.errors import InvalidInput
    from tracker.periods import parse_quarter

    database = open_db(db)
    try:
        with database.reading() as session:
            from tracker.services.issuing import latest_issue_moment
            from tracker.services.settings import reporting_scheme

            scheme = reporting_scheme(session=session)
            if text.strip().lower() == "last-issue":
                issued = latest_issue_moment(session=session)
                if issued is None:
                    raise InvalidInput(
                        f"{option}: no report has been issued yet (mou report issue)"
                    )
                local = issued.replace(tzinfo=dt.UTC).astimezone().date()
                return issued, local
    finally:
        database.dispose()
    try:
        quarter = parse_quarter(text, scheme=scheme, today=today())
    except InvalidInput:
        return parse_moment(text, field=option, today=today(), scheme=scheme)
    end, _ = parse_moment(quarter.end.isoformat(), field=option, today=today())
    return end, quarter.end
