"""``mou`` as installed: the root command from the index of commands (``tracker.cli.index``),
so that ``mou --help``, ``mou --version`` and completing a command's name import no command
module at all. Running a command makes the whole app (``tracker.cli.app``) and, from it, that
one command."""

from __future__ import annotations

import functools
import gc
from typing import Any


@functools.cache
def command() -> Any:
    """The root group: every command known by name, help panel and summary from the index,
    and made from the app only when it is run."""
    from typer.main import get_command

    from tracker.cli.index import COMMANDS
    from tracker.cli.lazy import Entry, LazyCommands
    from tracker.cli.root import root_typer

    group = get_command(root_typer())
    group.commands = LazyCommands(  # type: ignore[attr-defined]
        [
            Entry(name, panel, summary, hidden, functools.partial(_made, name, module), module)
            for name, panel, summary, hidden, module in COMMANDS
        ]
    )
    return group


def _made(name: str, module: str | None) -> Any:
    """A command made from its own module where it stands alone there, else from the whole
    app (a group such as ``mou report``, or the commands made from each kind of record)."""
    if module is not None:
        from tracker.cli.lazy import made_alone

        return made_alone(module, name)
    from tracker.cli.app import command as whole

    return whole().commands[name]


def main() -> None:
    # One process runs one command and ends. Python's cycle collector spent its passes on
    # the objects the libraries make at start-up and on an import's records, and found next
    # to nothing to free: without it a status at 1,000 milestones takes 7% less time, a
    # 100,000-milestone import 15% less, and peak memory moves by under 5 MB in either.
    # Reference counting still frees everything that is not in a cycle.
    gc.disable()
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
