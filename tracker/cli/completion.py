"""Shell completion of refs and quarter labels, read from the database the command line points
at (``--db``, else ``MOU_DATABASE_URL``, else ``MOU_DB``, else the default file).

Completion runs on every TAB, so it has to be quick: this module never imports SQLAlchemy or
SQLModel (most of a second between them). It reads a SQLite file with the standard library's
``sqlite3``, read-only (a mistyped path is never created), and a PostgreSQL database with the
``psycopg`` driver when it is installed. Anything that goes wrong (no database yet, a server that
does not answer, an old schema) gives no completions: a prompt is no place for an error.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

Completer = Callable[..., list[str]]

LIMIT = 200  # more candidates than anyone reads at a prompt
CONNECT_TIMEOUT = 2  # seconds to wait for a PostgreSQL server before giving up quietly

# As tracker.db reads --db and the environment (a test keeps the two in step; tracker.db itself
# imports SQLAlchemy, which completion must not).
ENV_URL = "MOU_DATABASE_URL"
ENV_PATH = "MOU_DB"
LOOKS_LIKE_URL = re.compile(r"^[A-Za-z][A-Za-z0-9.-]+(\+[A-Za-z0-9_]+)?:")
_SQLITE_URL = re.compile(r"^sqlite(\+[A-Za-z0-9_]+)?:///(?P<path>[^?]*)")
_POSTGRES_URL = re.compile(r"^postgres(ql)?(\+[A-Za-z0-9_]+)?://")


def refs(*tables: str) -> Completer:
    """Refs of these kinds (programme-file table names) that start with what was typed."""

    def complete(ctx: Any, args: list[str], incomplete: str) -> list[str]:
        return _matching(_target(ctx, args), tables, incomplete)

    return complete


def any_ref(ctx: Any, args: list[str], incomplete: str) -> list[str]:
    """Refs of every kind, for ``mou show REF`` and the audit trail."""
    from tracker.kinds import KINDS

    tables = [kind.table for kind in KINDS if kind.has_ref]
    return _matching(_target(ctx, args), tables, incomplete)


def ref_list(table: str) -> Completer:
    """The last entry of a comma-separated list of refs: ``OXF,L<TAB>`` gives ``OXF,LIV``."""

    def complete(ctx: Any, args: list[str], incomplete: str) -> list[str]:
        head, _, last = incomplete.rpartition(",")
        prefix = f"{head}," if head else ""
        return [prefix + ref for ref in _matching(_target(ctx, args), [table], last)]

    return complete


def entry_list(table: str, choices: Iterable[str]) -> Completer:
    """Entries such as ``TRACEY:host,JONES``: a ref, then after ':' one of ``choices``."""
    options = list(choices)

    def complete(ctx: Any, args: list[str], incomplete: str) -> list[str]:
        head, _, last = incomplete.rpartition(",")
        prefix = f"{head}," if head else ""
        ref, colon, role = last.partition(":")
        if colon:
            return [f"{prefix}{ref}:{option}" for option in options if option.startswith(role)]
        return [prefix + found for found in _matching(_target(ctx, args), [table], last)]

    return complete


def quarters(ctx: Any, args: list[str], incomplete: str) -> list[str]:
    """Quarter labels of the reporting scheme in use (``--scheme``, else the database's
    setting, else uk-fy): the words current, previous and next, then the quarters of the last
    two years and the next one."""
    from tracker.cli.context import today
    from tracker.periods import Scheme, parse_scheme, quarter_of

    chosen = _option(ctx, args, "scheme", "--scheme")
    scheme = Scheme.UK_FY
    try:
        scheme = parse_scheme(chosen) if chosen else Scheme(_setting(_target(ctx, args), "scheme"))
    except Exception:  # an unknown scheme: offer the default's labels
        scheme = Scheme.UK_FY
    quarter = quarter_of(today(), scheme)
    labels = ["current", "previous", "next"]
    around = quarter
    for _ in range(8):
        around = around.previous()
    for _ in range(13):
        labels.append(around.label)
        around = around.next()
    # Typer keeps only candidates that start with the word as typed: keep its case.
    typed = incomplete.casefold()
    return [
        incomplete + label[len(incomplete) :]
        for label in labels
        if label.casefold().startswith(typed)
    ]


# Where the database is.


def _option(ctx: Any, args: list[str], name: str, flag: str) -> str | None:
    """An option's value from the command line typed so far."""
    value = getattr(ctx, "params", {}).get(name)
    if isinstance(value, str):
        return value
    for position, arg in enumerate(args):
        if arg == flag and position + 1 < len(args):
            return args[position + 1]
        if arg.startswith(flag + "="):
            return arg[len(flag) + 1 :]
    return None


def _target(ctx: Any, args: list[str]) -> str | None:
    """The database the command line points at, as a URL or a path; None when unknown."""
    given = _option(ctx, args, "db", "--db")
    if given:
        return given
    for name in (ENV_URL, ENV_PATH):
        value = os.environ.get(name)
        if value:
            return value
    import platformdirs

    return str(platformdirs.user_data_path("mou", appauthor=False) / "mou.db")


def _sqlite_file(target: str) -> Path | None:
    if not LOOKS_LIKE_URL.match(target):
        return Path(target).expanduser()
    match = _SQLITE_URL.match(target)
    if match is None or not match["path"] or match["path"] == ":memory:":
        return None
    return Path(unquote(match["path"]))


# Reading the database.


def _sql_table(table: str) -> str | None:
    """The database table of a kind: its model's name in snake case (``BoardMeeting`` →
    ``board_meeting``; a test holds every kind to it)."""
    from tracker.kinds import BY_TABLE

    kind = BY_TABLE.get(table)
    if kind is None or not kind.has_ref:
        return None
    return re.sub(r"(?<!^)(?=[A-Z])", "_", kind.model_name).lower()


def _like(prefix: str) -> str:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def _matching(target: str | None, tables: Iterable[str], incomplete: str) -> list[str]:
    """Refs of ``tables`` starting with ``incomplete`` (any case), in the case it was typed."""
    prefix = incomplete.strip().upper()
    names = [name for name in (_sql_table(table) for table in tables) if name]
    if target is None or not names:
        return []
    found: set[str] = set()
    for name in names:
        query = (
            f"SELECT ref FROM \"{name}\" WHERE ref LIKE {{}} ESCAPE '\\' ORDER BY ref LIMIT {LIMIT}"
        )
        found.update(_query(target, query, _like(prefix)))
    lower = any(char.islower() for char in incomplete)
    typed = incomplete.strip()
    return [
        typed + (ref[len(typed) :].lower() if lower else ref[len(typed) :])
        for ref in sorted(found)[:LIMIT]
        if ref.startswith(prefix)
    ]


def _setting(target: str | None, key: str) -> str:
    if target is None:
        raise LookupError(key)
    values = _query(target, "SELECT value FROM setting WHERE key = {}", key)
    if not values:
        raise LookupError(key)
    return values[0]


def _query(target: str, query: str, parameter: str) -> list[str]:
    """One column of text from a one-parameter query (``{}`` marks the parameter), or nothing
    at all if the database cannot be read."""
    try:
        if _POSTGRES_URL.match(target):
            return _query_postgres(target, query.format("%s"), parameter)
        path = _sqlite_file(target)
        if path is None or not path.is_file():
            return []
        uri = f"file:{quote(str(path.resolve()))}?mode=ro"
        connection = sqlite3.connect(uri, uri=True, timeout=0.5)
        try:
            rows = connection.execute(query.format("?"), (parameter,)).fetchall()
        finally:
            connection.close()
    except Exception:  # no completions rather than an error at the prompt
        return []
    return [str(row[0]) for row in rows]


def _query_postgres(target: str, query: str, parameter: str) -> list[str]:
    try:
        import psycopg
    except ImportError:
        return []  # no driver: PostgreSQL refs are not completed
    conninfo = _POSTGRES_URL.sub("postgresql://", target)
    with psycopg.connect(conninfo, connect_timeout=CONNECT_TIMEOUT, autocommit=True) as conn:
        rows = conn.execute(query, (parameter,)).fetchall()
    return [str(row[0]) for row in rows]
