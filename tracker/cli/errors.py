"""Where every expected failure becomes a message on stderr and an exit code: one place, for
every command, so no command needs its own try/except."""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from tracker.cli import invocation
from tracker.errors import MouError
from tracker.text import printable


class MouGroup(TyperGroup):
    """The root command group: runs a command and reports any MouError without a traceback."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        # Everything after "mou", as typed: the audit trail records it with each change.
        invocation.begin(args)
        result: list[str] = super().parse_args(ctx, args)
        return result

    def list_commands(self, ctx: Any) -> list[str]:
        # By name only: listing must not make every command (tracker.cli.lazy).
        return list(self.commands)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        from tracker.cli.lazy import LazyCommands, root_help

        if isinstance(self.commands, LazyCommands):
            root_help(self, ctx)
            return
        super().format_help(ctx, formatter)

    def invoke(self, ctx: Any) -> Any:
        try:
            return self._reported(ctx)
        except BaseException as ending:
            if not isinstance(ending, typer.Exit) or ending.exit_code != 0:
                from tracker.cli.context import discard_created_database

                discard_created_database()
            raise

    def _reported(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except MouError as error:
            # Messages quote what the user gave (paths, URLs): never let it act on the terminal.
            typer.echo(f"error: {printable(error.message)}", err=True)
            for line in error.details:  # every problem of a file, every conflict of an import
                typer.echo(f"  {printable(line)}", err=True)
            raise typer.Exit(error.exit_code) from None
        except Exception as error:
            # A database failure we did not foresee still gets one line, not a traceback.
            if type(error).__module__.startswith("sqlalchemy"):
                detail = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
                typer.echo(f"error: database: {printable(detail)}", err=True)
                raise typer.Exit(1) from None
            raise
