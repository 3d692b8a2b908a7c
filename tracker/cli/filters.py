"""Filters that several reading commands share, defined once: the same option, help and
completion wherever a command narrows its view to a theme or an institution."""

from __future__ import annotations

from typing import Annotated

import typer

from tracker.cli import completion

ThemeFilter = Annotated[
    str | None,
    typer.Option(
        "--theme",
        help="Only this theme and its sub-themes.",
        metavar="REF",
        autocompletion=completion.refs("themes"),
    ),
]
InstitutionFilter = Annotated[
    str | None,
    typer.Option(
        "--institution",
        help="Only milestones this institution owns.",
        metavar="REF",
        autocompletion=completion.refs("institutions"),
    ),
]
