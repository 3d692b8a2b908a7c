"""The one error hierarchy of mou.

Every expected failure is a ``MouError`` carrying its exit code. The CLI turns it into a
single line on stderr in one place (``tracker.cli.errors``); nothing below the CLI prints.
"""

from __future__ import annotations

from dataclasses import dataclass


class MouError(Exception):
    """An expected failure with a message meant for the user."""

    exit_code = 1
    details: list[str] = []  # noqa: RUF012 (read-only default; lines printed under the message)

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidInput(MouError):
    """A value the user gave is not acceptable; the message names the field and the form."""


class OutOfRange(InvalidInput):
    """A value read as what it should be (a date), but not one that is accepted: a year outside
    the window, a day its month does not have. Its message says so, where a parser that tries
    several forms would otherwise only list the forms."""


class NotFound(MouError):
    """A ref that does not name any record of its kind."""


class Conflict(MouError):
    """The change would break a rule of the data: a duplicate ref, a record still in use."""


class StaleRecord(Conflict):
    """Someone else changed the record between our read and our write."""


class DatabaseError(MouError):
    """The database cannot be used as it is: behind the code, unreachable, not a mou database."""


class UsageError(MouError):
    """The command line itself is malformed (exit code 2, like the parser's own errors)."""

    exit_code = 2


@dataclass(frozen=True)
class Problem:
    """One problem found while validating a programme file."""

    table: str
    ref: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.table
        if self.ref:
            where += f" {self.ref}"
        if self.field:
            where += f" {self.field}"
        return f"{where}: {self.message}"


class ValidationFailed(MouError):
    """A whole file was checked and found wanting; every problem is listed, nothing written."""

    def __init__(self, problems: list[Problem], source: str = "input") -> None:
        self.problems = problems
        self.details = [str(problem) for problem in problems]
        count = len(problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{source}: {count} {noun}; nothing was written")
