"""The schema: opening a database at the current revision, and running the Alembic
migrations, from a checkout or from an installed wheel.

The scripts live in the repository's top-level ``migrations/``; the wheel carries a copy inside
the package (``tracker/_migrations``) so an installed ``mou`` can still create and upgrade its
database. An existing database is never migrated silently: commands ask for ``mou db upgrade``,
which backs a SQLite file up first, and refuses a file that holds another application's
tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DBAPIError, OperationalError

from tracker.db import (
    Database,
    current_revision,
    display_url,
    make_engine,
    operational,
    resolve_url,
    sqlite_path,
    table_names,
)
from tracker.errors import DatabaseError

# The newest migration this code was written for. A test keeps it equal to Alembic's head,
# so that checking the schema costs one small query instead of loading the migration scripts.
HEAD_REVISION = "0009"

_PACKAGE_DIR = Path(__file__).resolve().parent


def migrations_dir() -> Path:
    for candidate in (_PACKAGE_DIR / "_migrations", _PACKAGE_DIR.parent / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise DatabaseError("the migration scripts are missing from this installation of mou")


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    # Passed as an attribute, not an ini option: configparser would mangle '%' in passwords.
    config.attributes["url"] = url
    return config


@cache
def known_revisions() -> tuple[str, ...]:
    """Every revision id the scripts define, oldest first."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(migrations_dir()))
    return tuple(reversed([revision.revision for revision in script.walk_revisions()]))


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory(str(migrations_dir())).get_current_head()
    if head is None:
        raise DatabaseError("the migration scripts define no revision")
    return head


@dataclass(frozen=True)
class SchemaState:
    revision: str | None
    tables: set[str]

    @property
    def empty(self) -> bool:
        return not self.tables

    def foreign_tables(self) -> set[str]:
        """Tables that are not mou's: this file belongs to another application."""
        from sqlmodel import SQLModel

        import tracker.models  # noqa: F401  (registers the tables)

        return self.tables - set(SQLModel.metadata.tables) - {"alembic_version"}


def inspect(url: str) -> SchemaState | None:
    """The revision and tables of a database; None when it is a SQLite file that does not
    exist yet. Reading it never creates or changes a file."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return None
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            state = SchemaState(current_revision(connection), table_names(connection))
            connection.rollback()
            return state
    except OperationalError as error:
        raise operational(error, url) from None
    finally:
        engine.dispose()


def current(url: str) -> str | None:
    """The revision a database is at; None when it is empty or does not exist yet."""
    state = inspect(url)
    return None if state is None else state.revision


@dataclass(frozen=True)
class Upgrade:
    before: str | None
    after: str
    backup: Path | None  # the copy made first (SQLite), if there was anything to copy


def upgrade(
    url: str,
    revision: str = "head",
    *,
    backup: bool = True,
    on_backup: Callable[[str | None, Path], None] | None = None,
) -> Upgrade:
    """Bring the schema to ``revision``. A SQLite database with data is backed up first
    (``backup``), and ``on_backup(revision, path)`` is told before migrating starts; a
    database holding tables that are not mou's is refused untouched."""
    from alembic import command

    state = inspect(url)
    before = None if state is None else state.revision
    if state is not None and state.revision is None and state.foreign_tables():
        names = ", ".join(sorted(state.foreign_tables())[:5])
        raise DatabaseError(
            f"database {display_url(url)} holds tables that are not mou's ({names}); "
            "mou will not add its own beside them: use an empty database or a new file"
        )
    kept = None
    if backup and state is not None and not state.empty and sqlite_path(url) is not None:
        from tracker.backup import backup as take_backup

        target = "head" if revision == "head" else revision
        kept = take_backup(url, label=f"before-{target}").path
        if on_backup is not None:
            on_backup(before, kept)
    command.upgrade(alembic_config(url), revision)
    return Upgrade(before=before, after=current(url) or "", backup=kept)


def downgrade(url: str, revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(url), revision)


def open_database(db: str | None = None, *, create: bool = True) -> Database:
    """Open the database for a command, creating a new SQLite file on first use.

    An existing database behind the code is never migrated silently: the user is told to run
    ``mou db upgrade`` (which makes a backup first). Only a command that writes may ``create``
    a new file; a read names a missing file instead of leaving an empty database behind, and
    never writes a schema into an existing empty file.
    """
    url = resolve_url(db)
    path = sqlite_path(url)
    if path is not None:
        _check_path(path, create=create)
        if not path.exists() or path.stat().st_size == 0:
            upgrade(url, backup=False)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            state = SchemaState(current_revision(connection), table_names(connection))
            connection.rollback()
    except DBAPIError as error:
        engine.dispose()
        raise _unreadable(error, url) from None
    if state.revision == HEAD_REVISION:
        return Database(url=url, engine=engine)
    engine.dispose()
    shown = display_url(url)
    if state.empty:
        raise DatabaseError(f"database {shown} has no mou schema yet: run `mou db upgrade`")
    if state.revision is None:
        raise DatabaseError(f"database {shown} is not a mou database (it has no revision table)")
    if state.revision in known_revisions():
        raise DatabaseError(
            f"database {shown} is at revision {state.revision}, this mou needs "
            f"{HEAD_REVISION}: run `mou db upgrade`"
        )
    raise DatabaseError(
        f"database {shown} is at revision {state.revision}, which is newer than this mou "
        f"(it knows up to {HEAD_REVISION}): upgrade mou"
    )


def _check_path(path: Path, *, create: bool) -> None:
    if path.is_dir():
        raise DatabaseError(f"database {path} is a folder; give the path of a database file")
    if not path.exists() and not create:
        raise DatabaseError(
            f"no database at {path}: load a programme first (mou import FILE.toml), or check "
            "--db / MOU_DB"
        )
    if path.exists() and path.stat().st_size == 0 and not create:
        raise DatabaseError(
            f"database {path} is an empty file: load a programme first (mou import FILE.toml)"
        )
    if not path.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DatabaseError(
                f"database {path}: cannot create its folder {path.parent}: {error.strerror}"
            ) from None


def _unreadable(error: DBAPIError, url: str) -> DatabaseError:
    detail = str(getattr(error, "orig", error))
    path = sqlite_path(url)
    if path is not None and "not a database" in detail:
        return DatabaseError(f"{path} is not a SQLite database (mou keeps its data in one)")
    return operational(error, url)


__all__ = ["HEAD_REVISION", "open_database", "resolve_url", "upgrade"]
