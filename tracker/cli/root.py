"""The root ``mou`` command itself: its help, its options and its callback. Both the whole app
(``tracker.cli.app``) and the quick entry point (``tracker.cli.main``) start from here."""

from __future__ import annotations

from typing import Annotated

import typer

from tracker import __version__
from tracker.cli import invocation
from tracker.cli.errors import MouGroup

HELP = "Track an MoU partnership programme: themes, workstreams, milestones, visits, reports."


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mou {__version__}")
        raise typer.Exit()


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


def root_typer() -> typer.Typer:
    """The root command with its callback and no subcommands yet."""
    app = typer.Typer(
        name="mou",
        cls=MouGroup,
        help=HELP,
        no_args_is_help=True,
        context_settings={"help_option_names": ["-h", "--help"]},
        pretty_exceptions_enable=False,
    )
    app.callback()(root)
    return app
