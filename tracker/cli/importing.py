"""``mou import``: load a programme file, all or nothing, never undoing work recorded at the
command line since the last import (docs/programme-file.md, "Loading a file again")."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tracker.cli.options import Db, Format, OutputFormat
from tracker.enums import Prefer
from tracker.errors import InvalidInput
from tracker.text import counted, printable

if TYPE_CHECKING:
    from tracker.services.importer import FieldChange, ImportResult


def shown(item: Any) -> str:
    from tracker.services.importer import shown as service_shown

    return service_shown(item)


app = typer.Typer()


@app.command("import", rich_help_panel="Programme")
def import_file(
    file: Annotated[
        Path, typer.Argument(help="Programme file (TOML, or JSON) to load.", show_default=False)
    ],
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Check the file and say what would change; write nothing."),
    ] = False,
    prefer: Annotated[
        Prefer | None,
        typer.Option(
            "--prefer",
            help="Where a field changed both in the file and in the database since the last "
            "import, take this side's value.",
            case_sensitive=False,
        ),
    ] = None,
    output: Format = OutputFormat.TABLE,
    db: Db = None,
) -> None:
    """Load a programme file: add new records, update changed ones, keep later edits.

    Example: mou import examples/oxford-liverpool.toml --dry-run
    """
    from tracker.cli.context import open_db, today
    from tracker.cli.progress import Progress
    from tracker.errors import UsageError
    from tracker.services.importer import import_programme
    from tracker.services.programme_file import ProgrammeText

    if output is OutputFormat.CSV:
        raise UsageError("--format: an import reports as a table or JSON; not csv")
    content = read_text(file)
    size, file_format = len(content), _format_of(file, content)
    # Handed over whole, so the import lets the text go once it is parsed.
    text = ProgrammeText(content)
    del content
    database = open_db(db, create=True)
    with Progress.for_size(size) as progress, database.writing(commit=not dry_run) as session:
        result = import_programme(
            text,
            session=session,
            source=str(file),
            file_format=file_format,
            today=today(),
            prefer=prefer,
            progress=progress.update,
        )
    if output is OutputFormat.JSON:
        from tracker.cli.render import to_json

        typer.echo(to_json(_document(result, dry_run=dry_run)), nl=False)
        return
    _show(result, file=file, dry_run=dry_run)


def _counts(result: ImportResult) -> str:
    line = f"{result.added} added, {result.changed} changed, {result.unchanged} unchanged"
    if result.kept:
        count = len(result.kept)
        line += f"; kept {counted(count, 'field')} changed since the last import"
    return line


def _show(result: ImportResult, *, file: Path, dry_run: bool) -> None:
    from rich.table import Table

    from tracker.cli.render import console

    out = console()
    verb = "Would load" if dry_run else "Loaded"
    typer.echo(f"{verb} {printable(str(file))} into MoU {result.mou}: {_counts(result)}.")
    table = Table("Table", "Added", "Changed", "Unchanged", box=None, pad_edge=False)
    for name, counts in result.counts.items():
        if counts.total:
            table.add_row(name, str(counts.added), str(counts.changed), str(counts.unchanged))
    out.print(table)
    if result.conflicts:
        side = "the file's" if result.prefer == "file" else "the database's"
        typer.echo(f"Changed on both sides since the last import ({side} value taken):")
        for change in result.conflicts:
            typer.echo(f"  {printable(change.describe_conflict())}")
    if dry_run:
        _list_changes(result)
        typer.echo("Dry run: nothing was written.")


def _list_changes(result: ImportResult) -> None:
    """Per table, each record and field that would change, and the fields kept."""
    by_table: dict[str, list[str]] = {}
    for table, key in result.new_records:
        by_table.setdefault(table, []).append(f"{key} added")
    for change in result.changes:
        by_table.setdefault(change.table, []).append(
            f"{change.key} {change.field}: {shown(change.old)} → {shown(change.new)}"
        )
    for table, lines in by_table.items():
        typer.echo(table)
        for line in lines:
            typer.echo(f"  {printable(line)}")
    if result.kept:
        typer.echo("Kept (changed in the database since the last import):")
        for change in result.kept:
            typer.echo(f"  {printable(change.describe_kept())}")


def _change_document(change: FieldChange) -> dict[str, Any]:
    return {
        "table": change.table,
        "ref": change.key,
        "field": change.field,
        "database": change.old,
        "file": change.new,
        "changed_by": change.by,
        "changed_at": change.at.isoformat(sep=" ", timespec="seconds") if change.at else None,
    }


def _document(result: ImportResult, *, dry_run: bool) -> dict[str, Any]:
    return {
        "mou": result.mou,
        "dry_run": dry_run,
        "prefer": result.prefer,
        "counts": {
            table: {"added": c.added, "changed": c.changed, "unchanged": c.unchanged}
            for table, c in result.counts.items()
            if c.total
        },
        "added": [{"table": table, "ref": key} for table, key in result.new_records],
        "changes": [_change_document(change) for change in result.changes],
        "kept": [_change_document(change) for change in result.kept],
        "conflicts": [_change_document(change) for change in result.conflicts],
    }


def _format_of(file: Path, text: str) -> str:
    """JSON by its name or its first character; otherwise a TOML programme file."""
    if file.suffix.lower() == ".json" or text.lstrip().startswith("{"):
        return "json"
    return "toml"


# A programme file of 64 MiB would hold well over a million records: anything larger is not one
# (and reading /dev/zero must end).
MAX_FILE_BYTES = 64 * 1024 * 1024


def read_text(file: Path) -> str:
    """A programme file's text: a regular file, at most MAX_FILE_BYTES, UTF-8."""
    try:
        if not file.exists():
            raise InvalidInput(f"FILE: no such file: {file}")
        if file.is_dir():
            raise InvalidInput(f"FILE: {file} is a folder; expected a programme file (.toml)")
        if not file.is_file():  # a device (/dev/zero), a named pipe: never read to the end
            raise InvalidInput(f"FILE: {file} is not a regular file; expected a programme file")
        with file.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise InvalidInput(f"FILE: cannot read {file}: {error.strerror}") from None
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(
            f"FILE: {file} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB; expected a "
            "programme file"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            f"FILE: {file} is not UTF-8 text; expected a TOML programme file"
        ) from None
