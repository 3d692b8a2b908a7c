"""A progress bar on stderr for work that takes more than about a second (loading or
exporting a large programme), and nothing at all otherwise: not for small files, and never
when stderr is not a terminal (a script or a log file gets no bar)."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any

# About a second of work on these machines: a programme file of a megabyte holds some ten
# thousand records.
WORTH_SHOWING = 1_000_000


class Progress:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: Any = None
        self._task: Any = None

    @classmethod
    def for_size(cls, size: int) -> Progress:
        """A bar for work on ``size`` bytes (or a hundred per record), if it is worth showing."""
        return cls(size >= WORTH_SHOWING and sys.stderr.isatty())

    def __enter__(self) -> Progress:
        if self.enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
            from rich.progress import Progress as Bar

            from tracker.cli.render import console

            self._bar = Bar(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                console=console(stderr=True),
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("Reading", total=None)
        return self

    def update(self, description: str, done: int, total: int) -> None:
        if self._bar is not None:
            self._bar.update(self._task, description=description, completed=done, total=total)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.stop()
