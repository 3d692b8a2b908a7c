"""``mou db``: create, upgrade and inspect the database."""

from __future__ import annotations

import typer

from tracker.cli.options import Db

app = typer.Typer(help="Create, upgrade and inspect the database.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(db: Db = None) -> None:
    """Create the database or migrate it to the newest schema.

    Example: mou db upgrade --db postgresql+psycopg://mou@dbhost/mou
    """
    from tracker.db import display_url, resolve_url
    from tracker.migrate import current, head_revision
    from tracker.migrate import upgrade as run_upgrade

    url = resolve_url(db)
    before = current(url)
    head = head_revision()
    if before == head:
        typer.echo(f"{display_url(url)} is already at revision {head}.")
        return
    run_upgrade(url)
    typer.echo(f"Upgraded {display_url(url)} from {before or 'an empty database'} to {head}.")


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
