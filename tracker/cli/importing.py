"""``mou import``: load a programme file, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.options import Db
from tracker.errors import InvalidInput
from tracker.text import printable

app = typer.Typer()


@app.command("import", rich_help_panel="Programme")
def import_file(
    file: Annotated[
        Path, typer.Argument(help="Programme file (TOML) to load.", show_default=False)
    ],
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Check the file and say what would change; write nothing."),
    ] = False,
    db: Db = None,
) -> None:
    """Load a programme file: add new records, update changed ones, leave the rest.

    Example: mou import examples/oxford-liverpool.toml --dry-run
    """
    from rich.table import Table

    from tracker.cli.context import open_db
    from tracker.cli.render import console
    from tracker.services.importer import import_programme

    text = _read(file)
    database = open_db(db, create=True)
    with database.writing(commit=not dry_run) as session:
        result = import_programme(
            text, session=session, source=str(file), file_format=_format_of(file, text)
        )
    out = console()
    verb = "Would load" if dry_run else "Loaded"
    typer.echo(
        f"{verb} {printable(str(file))} into MoU {result.mou}: {result.added} added, "
        f"{result.changed} changed, {result.unchanged} unchanged."
    )
    table = Table("Table", "Added", "Changed", "Unchanged", box=None, pad_edge=False)
    for name, counts in result.counts.items():
        if counts.total:
            table.add_row(name, str(counts.added), str(counts.changed), str(counts.unchanged))
    out.print(table)
    if dry_run:
        out.print("Dry run: nothing was written.")


def _format_of(file: Path, text: str) -> str:
    """JSON by its name or its first character; otherwise a TOML programme file."""
    if file.suffix.lower() == ".json" or text.lstrip().startswith("{"):
        return "json"
    return "toml"


def _read(file: Path) -> str:
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"FILE: no such file: {file}") from None
    except IsADirectoryError:
        raise InvalidInput(f"FILE: {file} is a folder; expected a programme file (.toml)") from None
    except OSError as error:
        raise InvalidInput(f"FILE: cannot read {file}: {error.strerror}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            f"FILE: {file} is not UTF-8 text; expected a TOML programme file"
        ) from None
