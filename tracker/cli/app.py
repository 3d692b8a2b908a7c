"""The root ``mou`` command: composes one sub-app per noun or job."""

from __future__ import annotations

import functools
from typing import Any

import typer

from tracker.cli import (
    calendar,
    changes,
    config,
    database,
    due,
    export,
    history,
    importing,
    listing,
    milestones,
    notes,
    raid,
    records,
    report,
    status,
    timeline,
)
from tracker.cli.root import root_typer

app = root_typer()

# The order here is the order of the panels in `mou --help`: weekly work first.
app.add_typer(milestones.app)
app.add_typer(status.app)
app.add_typer(due.app)
app.add_typer(calendar.app)
app.add_typer(timeline.app)
app.add_typer(report.app, name="report", rich_help_panel="Reporting")
app.add_typer(notes.app, name="note", rich_help_panel="Reporting")
app.add_typer(changes.app)
app.add_typer(listing.app)
app.add_typer(records.build())
app.add_typer(raid.app)
app.add_typer(importing.app)
app.add_typer(export.app)
app.add_typer(history.app)
app.add_typer(config.app, name="config", rich_help_panel="Settings and database")
app.add_typer(database.app, name="db", rich_help_panel="Settings and database")
app.add_typer(database.check_app)


@functools.cache
def command() -> Any:
    """The root command as ``mou`` runs it: the same commands as ``app``, each made only when
    it is used (``tracker.cli.lazy``), so a command starts in the time it needs itself."""
    from typer.main import get_command

    from tracker.cli.lazy import LazyCommands, entries

    bare = typer.Typer()
    bare.info = app.info
    bare.registered_callback = app.registered_callback
    group = get_command(bare)
    group.commands = LazyCommands(entries(app))  # type: ignore[attr-defined]
    return group
