"""Backups and restores: consistent copies taken while others keep working, checked before
they are trusted.

SQLite copies use SQLite's online backup API, which copies a consistent snapshot even while
other connections write. PostgreSQL copies are made by ``pg_dump``, which reads a consistent
snapshot in one transaction; its password goes through the environment, never its command
line (which every local user can read). Either way the copy is written under a temporary name
and given its final name only when it is complete and checked.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL

from tracker.db import display_url, parse_url, sqlite_path
from tracker.errors import DatabaseError, InvalidInput
from tracker.files import check_target, remove_stale_temporaries, temporary_name
from tracker.text import counted


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int
    revision: str | None


def timestamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")


def default_backup_path(url: str, *, label: str = "backup") -> Path:
    """Beside a SQLite file, in a ``backups`` folder; for PostgreSQL, in the current folder."""
    path = sqlite_path(url)
    if path is not None:
        folder, stem, suffix = path.parent / "backups", path.stem, ".db"
    else:
        folder, stem, suffix = Path.cwd(), parse_url(url).database or "mou", ".dump"
    candidate = folder / f"{stem}-{label}-{timestamp()}{suffix}"
    number = 1
    while candidate.exists():  # two backups in the same second
        number += 1
        candidate = folder / f"{stem}-{label}-{timestamp()}-{number}{suffix}"
    return candidate


def backup(url: str, target: Path | None = None, *, label: str = "backup") -> Backup:
    target = target or default_backup_path(url, label=label)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InvalidInput(
            f"PATH: cannot create the folder {target.parent}: {error.strerror}"
        ) from None
    if target.exists() or target.is_symlink():
        raise InvalidInput(f"PATH: {target} already exists; choose a new file name")
    check_target(target, force=False, option="PATH")
    source = sqlite_path(url)
    remove_stale_temporaries(target)
    if source is None:
        return _pg_dump(url, target)
    if not source.exists():
        raise DatabaseError(f"database {display_url(url)} does not exist yet: nothing to back up")
    return _sqlite_backup(source, target)


def _sqlite_backup(source: Path, target: Path) -> Backup:
    # Copy to a temporary name, check the copy, and only then give it the final name.
    temporary = temporary_name(target)
    try:
        _sqlite_copy(source, temporary)
        revision = check_sqlite_file(temporary, foreign_keys=False)
        temporary.replace(target)
    except (sqlite3.Error, OSError) as error:
        temporary.unlink(missing_ok=True)
        raise DatabaseError(f"backup to {target} failed: {error}") from None
    except DatabaseError:
        temporary.unlink(missing_ok=True)
        raise
    return Backup(path=target, size=target.stat().st_size, revision=revision)


def _sqlite_copy(source: Path, copy_path: Path) -> None:
    with (
        contextlib.closing(sqlite3.connect(source, timeout=30)) as live,
        contextlib.closing(sqlite3.connect(copy_path)) as copy,
    ):
        live.backup(copy)  # one consistent snapshot, even while others write


def check_sqlite_file(path: Path, *, foreign_keys: bool = True) -> str | None:
    """Open a SQLite file read-only and check it: integrity, foreign keys (unless told not to:
    a backup copies a database as it is, flaws included), and that it is a mou database.
    Returns its revision."""
    try:
        # as_uri() quotes '?', '#' and '%' in the name, which a URI would read as syntax.
        address = f"{path.resolve().as_uri()}?mode=ro"
        with contextlib.closing(sqlite3.connect(address, uri=True)) as db:
            integrity = [row[0] for row in db.execute("PRAGMA integrity_check")]
            if integrity != ["ok"]:
                raise DatabaseError(f"{path} is damaged: {'; '.join(integrity[:3])}")
            broken = db.execute("PRAGMA foreign_key_check").fetchall() if foreign_keys else []
            if broken:
                rows = counted(len(broken), "row")
                raise DatabaseError(f"{path} has {rows} with broken foreign keys; see `mou check`")
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
            if "alembic_version" not in tables:
                raise DatabaseError(f"{path} is not a mou database (it has no revision table)")
            row = db.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise DatabaseError(f"{path} is not a readable SQLite database: {error}") from None
    return None if row is None else str(row[0])


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The URL pg_dump is given (libpq's form, without its password) and the environment
    that carries the password (PGPASSWORD), so ``ps`` never shows it."""
    parsed = parse_url(url).set(drivername="postgresql")
    environment = dict(os.environ)
    if parsed.password is not None:
        environment["PGPASSWORD"] = str(parsed.password)
    query = dict(parsed.query)
    if "password" in query:
        environment["PGPASSWORD"] = str(query.pop("password"))
        parsed = parsed.set(query=query)
    # URL.set() leaves a field alone when given None: build the URL again without it.
    address = URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )
    return address.render_as_string(hide_password=False), environment


def _pg_dump(url: str, target: Path) -> Backup:
    tool = shutil.which("pg_dump")
    if tool is None:
        raise DatabaseError(
            "backing up PostgreSQL needs pg_dump (the postgresql-client package); "
            "or back up on the server as the README explains"
        )
    address, environment = _libpq(url)
    temporary = temporary_name(target)
    try:
        result = subprocess.run(
            [tool, "--format=custom", f"--file={temporary}", address],
            capture_output=True,
            text=True,
            check=False,
            env=environment,
        )
        if result.returncode != 0:
            detail = (result.stderr.strip().splitlines() or ["failed"])[-1]
            raise DatabaseError(f"pg_dump of {display_url(url)} failed: {detail}")
        listing = subprocess.run(
            [shutil.which("pg_restore") or "pg_restore", "--list", str(temporary)],
            capture_output=True,
            text=True,
            check=False,
        )
        if listing.returncode != 0 or "alembic_version" not in listing.stdout:
            raise DatabaseError(
                f"the dump of {display_url(url)} is not a mou database's (or pg_restore "
                "cannot read it); nothing was kept"
            )
        temporary.replace(target)
    finally:
        temporary.unlink(missing_ok=True)
    return Backup(path=target, size=target.stat().st_size, revision=None)


def restore(url: str, source: Path) -> tuple[Backup | None, str | None]:
    """Replace the database with a checked copy; the current one is backed up first.
    Returns (the backup of the current database, the restored revision)."""
    target = sqlite_path(url)
    if target is None:
        raise DatabaseError(
            "restoring PostgreSQL is done with pg_restore on the server; see the README"
        )
    revision = check_restorable(source, target)
    kept = backup(url, label="before-restore") if target.exists() else None
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with (
            contextlib.closing(sqlite3.connect(source, timeout=30)) as copy,
            contextlib.closing(sqlite3.connect(target, timeout=30)) as live,
        ):
            # Writes the whole copy into the live file under its write lock: others wait,
            # then see either the old database or the restored one, never a mixture.
            copy.backup(live)
    except sqlite3.Error as error:
        kept_note = f"; the previous database is kept in {kept.path}" if kept else ""
        raise DatabaseError(f"restore into {display_url(url)} failed: {error}{kept_note}") from None
    return kept, revision


def check_restorable(source: Path, target: Path) -> str | None:
    """A copy may replace the database only if it is a sound mou database at a revision this
    mou knows, and is not the database itself. Returns its revision."""
    from tracker.migrate import known_revisions

    if not source.is_file():
        raise InvalidInput(f"PATH: no such file: {source}")
    with contextlib.suppress(OSError):
        if target.exists() and source.samefile(target):
            raise InvalidInput(
                f"PATH: {source} is the database itself; restore a backup of it instead"
            )
    revision = check_sqlite_file(source)
    if revision not in known_revisions():
        raise DatabaseError(
            f"{source} is at revision {revision}, which is newer than this mou (it knows up "
            f"to {known_revisions()[-1]}): upgrade mou before restoring it"
        )
    if revision == known_revisions()[-1]:
        _check_rules(source)
    return revision


def _check_rules(source: Path) -> None:
    """The domain's rules, as mou check reads them, on a copy at the current revision."""
    from tracker.db import Database, make_engine
    from tracker.services.checks import check_database

    url = f"sqlite:///{source}"
    database = Database(url=url, engine=make_engine(url))
    try:
        with database.reading() as session:
            problems = check_database(session=session)
    finally:
        database.dispose()
    if problems:
        count = counted(len(problems), "problem")
        raise DatabaseError(f"{source} fails mou check ({count}; first: {problems[0]})")
