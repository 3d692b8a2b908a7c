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
BYTES_PER_RECORD = 100


class Progress:
    def __init__(self, enabled: bool, *, least_records: int = 0) -> None:
        self.enabled = enabled
        self.least_records = least_records  # above 0: shown once the work is known to be large
        self._bar: Any = None
        self._task: Any = None

    @classmethod
    def for_size(cls, size: int) -> Progress:
        """A bar for work on ``size`` bytes of a file, if it is worth showing."""
        return cls(size >= WORTH_SHOWING and sys.stderr.isatty())

    @classmethod
    def for_records(cls) -> Progress:
        """A bar for work over records counted once it starts (an export): it appears when
        the first update shows enough records to be worth it."""
        return cls(sys.stderr.isatty(), least_records=WORTH_SHOWING // BYTES_PER_RECORD)

    def __enter__(self) -> Progress:
        if self.enabled and not self.least_records:
            self._start()
        return self

    def _start(self) -> None:
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

    def update(self, description: str, done: int, total: int) -> None:
        if self._bar is None and self.enabled and total >= self.least_records > 0:
            self._start()
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
