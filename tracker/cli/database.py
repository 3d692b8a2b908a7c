"""``mou db``: create, upgrade and inspect the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.options import Db

app = typer.Typer(help="Create, upgrade and inspect the database.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(db: Db = None) -> None:
    """Create the database or migrate it to the newest schema, after backing it up.

    Example: mou db upgrade --db postgresql+psycopg://mou@dbhost/mou
    """
    from tracker.db import display_url, resolve_url, sqlite_path
    from tracker.migrate import current, head_revision
    from tracker.migrate import upgrade as run_upgrade

    url = resolve_url(db)
    head = head_revision()
    before = current(url)
    if before == head:
        typer.echo(f"{display_url(url)} is already at revision {head}.")
        return
    if before is not None and sqlite_path(url) is None:
        typer.echo(
            "PostgreSQL migrations run in one transaction and roll back whole on failure; "
            "take a pg_dump first if you want a copy to go back to (mou db backup)."
        )
    done = run_upgrade(
        url, on_backup=lambda before, path: typer.echo(f"Backed up revision {before} to {path}.")
    )
    typer.echo(
        f"Upgraded {display_url(url)} from {done.before or 'an empty database'} to {done.after}."
    )


@app.command("backup")
def backup_command(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="Where to write the copy. Default: a dated file in a backups folder beside "
            "the database (PostgreSQL: in the current folder).",
            show_default=False,
        ),
    ] = None,
    db: Db = None,
) -> None:
    """Copy the database while others keep working, and check the copy.

    Example: mou db backup ~/mou-backups/before-board.db
    """
    from tracker.backup import backup
    from tracker.db import display_url, resolve_url

    url = resolve_url(db)
    kept = backup(url, path)
    revision = f", revision {kept.revision}" if kept.revision else ""
    typer.echo(
        f"Backed up {display_url(url)} to {kept.path} ({kept.size:,} bytes{revision}); "
        "the copy was checked and is sound."
    )


@app.command("restore")
def restore_command(
    path: Annotated[Path, typer.Argument(help="The backup to restore.", show_default=False)],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    db: Db = None,
) -> None:
    """Replace the database with a backup, after checking it; the current one is kept.

    Example: mou db restore backups/mou-backup-20261128-170000.db
    """
    from tracker.backup import check_restorable, restore
    from tracker.db import display_url, resolve_url, sqlite_path
    from tracker.errors import DatabaseError, MouError
    from tracker.migrate import HEAD_REVISION

    url = resolve_url(db)
    target = sqlite_path(url)
    if target is None:
        raise DatabaseError(
            "restoring PostgreSQL is done with pg_restore on the server; see the README"
        )
    revision = check_restorable(path, target)
    if not yes and not typer.confirm(
        f"Replace {display_url(url)} with {path} (revision {revision})?", default=False
    ):
        raise MouError("nothing was restored")
    kept, revision = restore(url, path)
    if kept is not None:
        typer.echo(f"Kept the previous database as {kept.path}.")
    typer.echo(f"Restored {path} into {display_url(url)}.")
    if revision != HEAD_REVISION:
        typer.echo(f"It is at revision {revision}: run `mou db upgrade` before using it.")


@app.command("status")
def status(db: Db = None) -> None:
    """Show which database is in use and whether its schema is current.

    Example: mou db status --db ./team.db
    """
    from tracker.db import display_url, resolve_url
    from tracker.migrate import current, head_revision

    url = resolve_url(db)
    revision = current(url)
    head = head_revision()
    state = (
        "up to date"
        if revision == head
        else ("empty: run `mou db upgrade`" if revision is None else "behind: run `mou db upgrade`")
    )
    typer.echo(f"database: {display_url(url)}")
    typer.echo(f"revision: {revision or 'none'}")
    typer.echo(f"head:     {head}")
    typer.echo(f"state:    {state}")


check_app = typer.Typer()


@check_app.command("check", rich_help_panel="Settings and database")
def check(db: Db = None) -> None:
    """Check the database: storage integrity, foreign keys and the domain's rules.

    Example: mou check
    """
    from tracker.cli.context import open_db, today
    from tracker.errors import MouError
    from tracker.services.checks import check_database

    database = open_db(db)
    with database.reading() as session:
        problems = check_database(session=session, today=today())
    if problems:
        for problem in problems:
            typer.echo(problem)
        noun = "problem" if len(problems) == 1 else "problems"
        raise MouError(f"check: {len(problems)} {noun} found in {display(database.url)}")
    typer.echo(f"{display(database.url)}: storage, foreign keys and domain rules are all sound.")


def display(url: str) -> str:
    from tracker.db import display_url

    return display_url(url)
