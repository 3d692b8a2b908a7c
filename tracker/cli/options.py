"""Options shared by many commands, defined once."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


Db = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database file or SQLAlchemy URL. Default: $MOU_DATABASE_URL, $MOU_DB, "
        "or mou.db in your user data folder.",
        show_default=False,
    ),
]
Format = Annotated[
    OutputFormat,
    typer.Option("--format", "-f", help="Output as a table, JSON or CSV.", case_sensitive=False),
]
AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Compute as of this date (2026-06-30, 30/06/2026, today, -7d…). Default: today.",
        show_default=False,
    ),
]
RecordedBy = Annotated[
    str | None,
    typer.Option(
        "--recorded-by",
        help="See the programme as the database held it then: a date (the end of that day) or "
        "a date and time (2026-09-30T17:00, local time). --as-of defaults to that date.",
        show_default=False,
        metavar="WHEN",
    ),
]
