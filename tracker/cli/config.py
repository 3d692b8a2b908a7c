"""``mou config``: the programme office's conventions, stored with the data."""

from __future__ import annotations

from typing import Annotated

import typer

from tracker.cli.options import Db, Format, OutputFormat

app = typer.Typer(
    help="Show and change settings: reporting scheme, RAG tolerances, default actor.",
    no_args_is_help=True,
)

Key = Annotated[str, typer.Argument(help="Setting name (see mou config show).", show_default=False)]


@app.command("show")
def show(output: Format = OutputFormat.TABLE, db: Db = None) -> None:
    """Show every setting, its value and whether it is the default.

    Example: mou config show
    """
    from tracker.cli.context import open_db
    from tracker.cli.render import Column, Report, Section, emit
    from tracker.services.settings import SETTINGS, stored_settings

    with open_db(db).reading() as session:
        values = stored_settings(session=session)
    rows = [
        {
            "key": key,
            "value": values[key],
            "default": setting.default,
            "description": setting.description,
        }
        for key, setting in SETTINGS.items()
    ]
    columns = [
        Column("key", "Key", "ref"),
        Column("value", "Value", "ref"),
        Column("default", "Default", "ref"),
        Column("description", "Meaning"),
    ]
    section = Section("Settings", columns, rows)
    emit(
        Report(document={key: values[key] for key in SETTINGS}, csv=section, sections=[section]),
        output,
    )


@app.command("set")
def set_(key: Key, value: Annotated[str, typer.Argument(help="New value.")], db: Db = None) -> None:
    """Change a setting for everyone who uses this database.

    Example: mou config set green_tol_days 10
    """
    from tracker.cli.context import open_db
    from tracker.services.configure import set_setting

    with open_db(db, create=True).writing() as session:
        old, new = set_setting(key, value, session=session)
    typer.echo(f"{key}: {old or '(none)'} → {new}")


@app.command("unset")
def unset(key: Key, db: Db = None) -> None:
    """Return a setting to its default.

    Example: mou config unset red_tol_days
    """
    from tracker.cli.context import open_db
    from tracker.services.configure import unset_setting

    with open_db(db, create=True).writing() as session:
        old, default = unset_setting(key, session=session)
    typer.echo(f"{key}: {old or '(none)'} → {default or '(none)'} (default)")
