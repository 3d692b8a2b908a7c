"""What commands need before they call a service: the database, today, a parsed date."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracker.dates import ParsedDate
    from tracker.db import Database
    from tracker.periods import Scheme


def open_db(db: str | None, *, create: bool = False) -> Database:
    """The database for this command, with the command line and actor that its changes are
    recorded under. Only commands that write may ``create`` a new SQLite file: a read of a
    mistyped path says so instead of leaving an empty database behind."""
    from tracker.cli import invocation
    from tracker.migrate import open_database
    from tracker.services import audit

    database = open_database(db, create=create)
    now = invocation.current

    def session_info() -> dict[str, object]:
        return {audit.AUDIT_KEY: audit.Audit(actor=now.actor, command=now.command_line)}

    database.new_session_info = session_info
    return database


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
