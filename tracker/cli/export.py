"""``mou export``: the whole programme as a file that ``mou import`` reads back."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from tracker.cli import completion
from tracker.cli.options import Db, RecordedBy


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
    recorded_by: RecordedBy = None,
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
    from tracker.cli.context import moment, reading
    from tracker.cli.progress import Progress
    from tracker.cli.render import to_json, write_data
    from tracker.files import check_target, write_file
    from tracker.kinds import BY_TABLE
    from tracker.services.exporter import export_programme
    from tracker.text import counted, printable
    from tracker.tomlwriter import dumps

    when = moment(recorded_by, None, db)
    with Progress.for_records() as progress:
        with reading(db, when.recorded) as session:
            document = export_programme(session=session, mou=mou, progress=progress.update)
        records = sum(len(rows) for rows in document.values() if isinstance(rows, list))
        progress.update("Writing the file", records, records)
        text = to_json(document) if output is ExportFormat.JSON else dumps(document, header=HEADER)
    if out is None:
        write_data(text)
        return
    check_target(out, force=force)
    write_file(out, text.encode("utf-8"))
    summary = ", ".join(
        counted(len(records), BY_TABLE[table].noun, BY_TABLE[table].nouns)
        for table, records in document.items()
        if isinstance(records, list)
    )
    typer.echo(f"Exported MoU {document['mou']['ref']} to {printable(str(out))}: {summary}.")
