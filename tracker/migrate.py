"""Running the Alembic migrations, from a checkout or from an installed wheel.

The scripts live in the repository's top-level ``migrations/``; the wheel carries a copy inside
the package (``tracker/_migrations``) so an installed ``mou`` can still create and upgrade its
database.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from tracker.errors import DatabaseError

_PACKAGE_DIR = Path(__file__).resolve().parent


def migrations_dir() -> Path:
    for candidate in (_PACKAGE_DIR / "_migrations", _PACKAGE_DIR.parent / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise DatabaseError("the migration scripts are missing from this installation of mou")


def alembic_config(url: str) -> object:
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


def current(url: str) -> str | None:
    """The revision a database is at; None when it is empty or (SQLite) does not exist yet.
    Reading it never creates a file."""
    from tracker.db import current_revision, make_engine, sqlite_path

    path = sqlite_path(url)
    if path is not None and not path.exists():
        return None
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return current_revision(connection)
    finally:
        engine.dispose()


def upgrade(url: str, revision: str = "head") -> None:
    from alembic import command
    from alembic.config import Config

    config = alembic_config(url)
    assert isinstance(config, Config)
    command.upgrade(config, revision)


def downgrade(url: str, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = alembic_config(url)
    assert isinstance(config, Config)
    command.downgrade(config, revision)
