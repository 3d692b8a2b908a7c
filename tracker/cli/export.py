"""``mou export``: the whole programme as a file that ``mou import`` reads back."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from tracker.cli import completion
from tracker.cli.options import Db


class ExportFormat(StrEnum):
    TOML = "toml"
    JSON = "json"


app = typer.Typer()

HEADER = "MoU programme file written by mou export. Load it with: mou import FILE"


@app.command("export", rich_help_panel="Programme")
def export(
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="File to write. Default: print it.", show_default=False),
    ] = None,
    output: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            "-f",
            help="A TOML programme file, or the same as JSON.",
            case_sensitive=False,
        ),
    ] = ExportFormat.TOML,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
    mou: Annotated[
        str | None,
        typer.Option(
            "--mou",
            help="Which MoU, when the database holds several.",
            autocompletion=completion.refs("mou"),
        ),
    ] = None,
    db: Db = None,
) -> None:
    """Export the whole programme as a programme file, to move or keep it.

    Example: mou export --out oxford-liverpool.toml
    """
    import sys

    from tracker.cli.context import open_db
    from tracker.cli.render import to_json
    from tracker.errors import Conflict, InvalidInput
    from tracker.files import write_file
    from tracker.kinds import BY_TABLE
    from tracker.services.exporter import export_programme
    from tracker.text import printable
    from tracker.tomlwriter import dumps

    with open_db(db).reading() as session:
        document = export_programme(session=session, mou=mou)
    text = to_json(document) if output is ExportFormat.JSON else dumps(document, header=HEADER)
    if out is None:
        sys.stdout.write(text)
        return
    if out.is_dir():
        raise InvalidInput(f"--out: {out} is a folder; expected a file name")
    if out.exists() and not force:
        raise Conflict(f"--out: {out} already exists; use --force to replace it")
    if not out.parent.is_dir():
        raise InvalidInput(f"--out: the folder {out.parent} does not exist")
    write_file(out, text.encode("utf-8"))
    counts = {
        table: len(records) for table, records in document.items() if isinstance(records, list)
    }
    summary = ", ".join(f"{count} {BY_TABLE[table].nouns}" for table, count in counts.items())
    typer.echo(f"Exported MoU {document['mou']['ref']} to {printable(str(out))}: {summary}.")
