"""What the user typed for the command now running: its arguments and --actor. The audit
trail records both with every change the command makes."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path

from tracker.text import printable


@dataclass
class Invocation:
    arguments: list[str] = field(default_factory=list)
    actor: str | None = None
    # A SQLite file this command created: if the command then fails, it is removed again,
    # so that a mistyped --db path leaves nothing behind (tracker.cli.context).
    created: Path | None = None

    @property
    def command_line(self) -> str:
        # Control characters are written out (\x1b), so the trail never replays them.
        return printable(shlex.join(["mou", *self.arguments]))


# Set afresh at the start of every invocation by the root command group and its callback.
current = Invocation()


def begin(arguments: list[str]) -> None:
    global current
    current = Invocation(arguments=list(arguments))
