"""The root ``mou`` command: composes one sub-app per noun or job."""

from __future__ import annotations

import functools
from typing import Annotated, Any

import typer

from tracker import __version__
from tracker.cli import (
    calendar,
    changes,
    config,
    database,
    due,
    export,
    history,
    importing,
    invocation,
    listing,
    milestones,
    notes,
    raid,
    records,
    report,
    status,
    timeline,
)
from tracker.cli.errors import MouGroup

app = typer.Typer(
    name="mou",
    cls=MouGroup,
    help="Track an MoU partnership programme: themes, workstreams, milestones, visits, reports.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mou {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
    actor: Annotated[
        str | None,
        typer.Option(
            "--actor",
            envvar="MOU_ACTOR",
            help="Who is making changes, for the audit trail. Default: the actor setting, "
            "else your login name.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Track an MoU partnership programme: themes, workstreams, milestones, visits, reports.

    Start with: mou import examples/oxford-liverpool.toml, then mou status.
    """
    invocation.current.actor = actor


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


def main() -> None:
    _readable_output()
    command()()


def _readable_output() -> None:
    """On a terminal whose locale is not UTF-8 (LC_ALL=C), text that it cannot show is
    replaced rather than ending the command with a traceback; data (JSON, CSV, programme
    files) is written as UTF-8 bytes all the same (tracker.cli.render.write_data)."""
    import codecs
    import sys

    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "utf-8"
        reconfigure = getattr(stream, "reconfigure", None)
        if codecs.lookup(encoding).name != "utf-8" and reconfigure is not None:
            reconfigure(errors="replace")
