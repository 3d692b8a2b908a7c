"""``mou note``: the programme office's commentary on a quarter, for the whole programme, a
theme or a workstream, as the board pack prints it. Notes are records like any other (audit,
undo, export, ``--recorded-by``); these commands add the quarter, the scope and the editor."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tracker.cli import completion
from tracker.cli.options import Db, Format, OutputFormat, RecordedBy
from tracker.text import counted, printable

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.cli.render import Column, Report
    from tracker.services.commentary import NoteLine, Scope

app = typer.Typer(
    help="Write the commentary a board pack prints: for the programme, a theme or a workstream.",
    no_args_is_help=True,
)

QuarterHelp = "The quarter it comments on: FY2026/27 Q3 (or 2026/27 Q3, current, previous)."
Theme = Annotated[
    str | None,
    typer.Option(
        "--theme",
        help="Commentary on this theme.",
        metavar="REF",
        autocompletion=completion.refs("themes"),
    ),
]
Workstream = Annotated[
    str | None,
    typer.Option(
        "--workstream",
        help="Commentary on this workstream.",
        metavar="REF",
        autocompletion=completion.refs("workstreams"),
    ),
]
Programme = Annotated[bool, typer.Option("--programme", help="Commentary on the whole programme.")]
FromFile = Annotated[
    Path | None,
    typer.Option(
        "--from-file",
        help="Read the text from this file (UTF-8) instead of TEXT.",
        show_default=False,
        metavar="FILE",
    ),
]
NoteRef = Annotated[
    str,
    typer.Argument(
        help="The note.", metavar="REF", show_default=False, autocompletion=completion.refs("notes")
    ),
]


@app.command("add")
def add(
    quarter: Annotated[
        str,
        typer.Option(
            "--quarter", "-q", help=QuarterHelp, autocompletion=completion.quarters, metavar="Q"
        ),
    ],
    text: Annotated[
        str | None,
        typer.Argument(
            help="The commentary, at most 250 words; - writes it in $EDITOR.",
            metavar="TEXT",
            show_default=False,
        ),
    ] = None,
    theme: Theme = None,
    workstream: Workstream = None,
    programme: Programme = False,
    from_file: FromFile = None,
    db: Db = None,
) -> None:
    """Write the commentary on a theme, a workstream or the programme for one quarter.

    Example: mou note add -q "FY2026/27 Q2" --theme CLIM "Seed-fund call slipped to December."
    """
    from tracker.cli.context import open_db, reading
    from tracker.errors import UsageError
    from tracker.services.commentary import Scope, words
    from tracker.services.notes import add_note

    scope = _scope(theme, workstream, programme, required=True)
    assert scope is not None
    if text is None and from_file is None:
        raise UsageError("TEXT: give the commentary, - to write it in $EDITOR, or --from-file FILE")
    edited = _edited_text(text, from_file)
    if edited:  # what the note needs is checked before anyone spends time in the editor
        from tracker.services.lookup import by_ref

        with reading(db) as session:
            _quarter(session, quarter)
            if scope.ref is not None:
                by_ref(f"{scope.kind}s", scope.ref, session=session, field=f"--{scope.kind}")
    written = _text(text, from_file, about=f"{scope.describe()} in {quarter}")
    with _kept_if_refused(written, edited), open_db(db, create=True).writing() as session:
        label = _quarter(session, quarter)
        saved = add_note(label, scope, written, session=session)
    typer.echo(
        f"Added note {saved.key} on {Scope.of(saved.record).describe()} in {label}: "
        f"{counted(words(saved.record['text']), 'word')}."
    )


@app.command("update")
def update(
    ref: NoteRef,
    text: Annotated[
        str | None,
        typer.Argument(
            help="The new text, at most 250 words; - edits the present text in $EDITOR.",
            metavar="TEXT",
            show_default=False,
        ),
    ] = None,
    quarter: Annotated[
        str | None,
        typer.Option(
            "--quarter",
            "-q",
            help="Move it to this quarter.",
            autocompletion=completion.quarters,
            metavar="Q",
        ),
    ] = None,
    theme: Theme = None,
    workstream: Workstream = None,
    programme: Programme = False,
    from_file: FromFile = None,
    db: Db = None,
) -> None:
    """Change a note's text, or move it to another quarter, theme or workstream.

    Example: mou note update N02 --from-file clim-q2.txt
    """
    from tracker.cli.context import open_db, reading
    from tracker.errors import InvalidInput
    from tracker.services.commentary import Scope, words
    from tracker.services.notes import note_line, update_note

    scope = _scope(theme, workstream, programme, required=False)
    if text is None and from_file is None and quarter is None and scope is None:
        raise InvalidInput(
            "nothing to change: give TEXT, --from-file, --quarter, --theme, --workstream or "
            "--programme"
        )
    before = None
    edited = _edited_text(text, from_file)
    if edited:
        # The editor runs outside any transaction (it may stay open for minutes); the change
        # is refused if someone else changed the note meanwhile.
        with reading(db) as session:
            before = note_line(ref, session=session)
    written = None
    if text is not None or from_file is not None:
        about = f"{before.where.describe()} in {before.quarter}" if before else "the note"
        written = _text(text, from_file, about=about, current=before.text if before else None)
    with _kept_if_refused(written, edited), open_db(db).writing() as session:
        label = _quarter(session, quarter) if quarter is not None else None
        saved = update_note(
            ref,
            session=session,
            quarter=label,
            scope=scope,
            text=written,
            based_on=before.text if before else None,
        )
    old, new = saved.before or {}, saved.record
    where = f"{Scope.of(new).describe()} in {new['quarter']}"
    if not saved.changed:
        typer.echo(f"Note {saved.key} already had those values; nothing changed.")
        return
    typer.echo(f"Updated note {saved.key} ({where}):")
    if old.get("text") != new["text"]:
        typer.echo(
            f"  text: {counted(words(new['text']), 'word')} (was {words(old.get('text') or '')})"
        )
    if Scope.of(old) != Scope.of(new):
        typer.echo(f"  on: {Scope.of(new).describe()} (was {Scope.of(old).describe()})")
    if old.get("quarter") != new["quarter"]:
        typer.echo(f"  quarter: {new['quarter']} (was {old.get('quarter')})")


@app.command("remove")
def remove(ref: NoteRef, db: Db = None) -> None:
    """Remove a note (mou undo brings it back).

    Example: mou note remove N02
    """
    from tracker.cli.context import open_db
    from tracker.kinds import NOTES
    from tracker.services.notes import note_line
    from tracker.services.references import remove_record

    with open_db(db).writing() as session:
        line = note_line(ref, session=session)
        remove_record(NOTES, line.ref, session=session, cascade=False)
    typer.echo(f"Removed note {line.ref} ({line.where.describe()} in {line.quarter}).")


@app.command("list")
def list_notes(
    quarter: Annotated[
        str | None,
        typer.Option(
            "--quarter",
            "-q",
            help="Only this quarter's notes.",
            autocompletion=completion.quarters,
            metavar="Q",
        ),
    ] = None,
    theme: Annotated[
        str | None,
        typer.Option(
            "--theme",
            help="Only notes on this theme, its sub-themes and their workstreams.",
            metavar="REF",
            autocompletion=completion.refs("themes"),
        ),
    ] = None,
    recorded_by: RecordedBy = None,
    output: Format = OutputFormat.TABLE,
    db: Db = None,
) -> None:
    """List the commentary, by quarter: the programme's, then each theme's and workstream's.

    Example: mou note list --quarter "FY2026/27 Q2"
    """
    from tracker.cli.context import moment, reading
    from tracker.cli.render import emit
    from tracker.services.commentary import note_lines

    when = moment(recorded_by, None, db)
    with reading(db, when.recorded) as session:
        label = _quarter(session, quarter) if quarter is not None else None
        lines = note_lines(session=session, quarter=label, theme=theme)
    emit(notes_report(lines, label), output)


@app.command("show")
def show(
    ref: NoteRef,
    recorded_by: RecordedBy = None,
    output: Format = OutputFormat.TABLE,
    db: Db = None,
) -> None:
    """Show one note in full: what it comments on, its quarter and its text.

    Example: mou note show N02
    """
    from dataclasses import asdict

    from rich.text import Text

    from tracker.cli.context import moment, reading
    from tracker.cli.render import Report, Section, emit
    from tracker.services.notes import note_line

    when = moment(recorded_by, None, db)
    with reading(db, when.recorded) as session:
        line = note_line(ref, session=session)
    title = Text(f"Note {line.ref}", style="bold")
    title.append(
        f": {line.where.describe()} ({line.name}), {line.quarter}, {counted(line.words, 'word')}"
    )
    row = asdict(line)
    section = Section("note", _columns(), [row])
    emit(
        Report(
            document=row,
            csv=section,
            sections=[],
            heading=[title, Text(""), *(Text(part) for part in line.text.split("\n"))],
        ),
        output,
    )


def _columns() -> list[Column]:
    from tracker.cli.render import Column

    return [
        Column("ref", "Ref", "ref"),
        Column("quarter", "Quarter", "ref"),
        Column("scope_type", "On", "ref", 3),
        Column("scope", "Scope", "ref"),
        Column("name", "Name", "text", 2),
        Column("words", "Words", "number", 1),
        Column("text", "Text", "text"),
    ]


def notes_report(lines: list[NoteLine], quarter: str | None) -> Report:
    from dataclasses import asdict

    from tracker.cli.render import Column, Report, Section

    rows = [asdict(line) for line in lines]
    title = f"Commentary in {quarter}" if quarter else "Commentary"
    # The terminal names what each note is on in one column: 'theme GROW', 'the programme'.
    shown = Section(
        title,
        [
            Column("ref", "Ref", "ref"),
            Column("quarter", "Quarter", "ref"),
            Column("on", "On", "ref"),
            Column("name", "Name", "text", 2),
            Column("words", "Words", "number", 1),
            Column("text", "Text", "text"),
        ],
        [{**row, "on": line.where.describe()} for row, line in zip(rows, lines, strict=True)],
    )
    return Report(
        document={"quarter": quarter, "rows": rows},
        csv=Section("notes", _columns(), rows),
        sections=[shown],
        notes=[f"{counted(len(rows), 'note')}. At most 250 words each."],
    )


def _scope(
    theme: str | None, workstream: str | None, programme: bool, *, required: bool
) -> Scope | None:
    """The one scope the options name (None: none given, when none is required)."""
    from tracker.errors import UsageError
    from tracker.services.commentary import Scope

    given = [
        scope
        for scope, chosen in (
            (Scope("theme", theme), theme is not None),
            (Scope("workstream", workstream), workstream is not None),
            (Scope("programme"), programme),
        )
        if chosen
    ]
    if len(given) > 1:
        raise UsageError("--theme: give one of --theme, --workstream or --programme, not several")
    if not given:
        if required:
            raise UsageError(
                "--programme: give one of --theme REF, --workstream REF or --programme"
            )
        return None
    return given[0]


def _quarter(session: Session, text: str) -> str:
    """A quarter as typed, in the database's reporting scheme: its canonical label."""
    from tracker.cli.context import today
    from tracker.periods import parse_quarter
    from tracker.services.settings import reporting_scheme

    return parse_quarter(text, scheme=reporting_scheme(session=session), today=today()).label


def _text(
    text: str | None, from_file: Path | None, *, about: str, current: str | None = None
) -> str:
    """The note's text: as typed, from a file, or written in the editor (TEXT ``-``)."""
    from tracker.errors import UsageError

    if text is not None and from_file is not None:
        raise UsageError("--from-file: give the text or --from-file, not both")
    if from_file is not None:
        return _read(from_file)
    assert text is not None
    if text.strip() == "-":
        return _edited(current, about)
    return text


def _edited_text(text: str | None, from_file: Path | None) -> bool:
    """Whether the text is to be written in $EDITOR (TEXT ``-``)."""
    return from_file is None and text is not None and text.strip() == "-"


@contextmanager
def _kept_if_refused(text: str | None, edited: bool) -> Iterator[None]:
    """Text written in the editor is never lost to a refusal (over 250 words, a note the
    scope already has): it is kept in a file that the message names, to give back with
    --from-file once put right."""
    from tracker.errors import MouError

    try:
        yield
    except MouError as error:
        if edited and text:
            import tempfile

            handle, name = tempfile.mkstemp(prefix="mou-note-", suffix=".txt")
            with os.fdopen(handle, "w", encoding="utf-8") as kept:
                kept.write(text + "\n")
            shown = printable(name)
            error.message += f" (your text is kept in {shown}: give it back with --from-file)"
        raise


def _read(path: Path) -> str:
    from tracker.errors import InvalidInput

    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidInput(f"--from-file: cannot read {path}: {error.strerror}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"--from-file: {path} is not UTF-8 text") from None
    return _one_line_end(text)


def _one_line_end(text: str) -> str:
    """Line ends as stored: a file written on Windows (CRLF) reads like any other."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def interactive() -> bool:
    """Whether a person is at a terminal to use an editor (never in a script or cron job)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


EDITOR_HINT = (
    "# These lines starting with # are left out. Save and close the editor to record the\n"
    "# text; leave it empty to change nothing.\n"
)


def _edited(current: str | None, about: str) -> str:
    """Text written in $VISUAL or $EDITOR, starting from ``current``."""
    from tracker.errors import InvalidInput, UsageError

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        raise UsageError(
            "TEXT: - writes the text in $EDITOR, which is not set; set EDITOR or give "
            "--from-file FILE"
        )
    if not interactive():
        raise UsageError("TEXT: - opens $EDITOR, which needs a terminal; give --from-file FILE")
    hint = f"# The commentary on {about}, at most 250 words.\n" + EDITOR_HINT
    edited = run_editor(editor, (current or "") + "\n\n" + hint)
    # Only the hint's own lines are left out: the commentary may have lines starting with #.
    ours = set(hint.splitlines())
    kept = [line for line in _one_line_end(edited).split("\n") if line not in ours]
    text = "\n".join(kept).strip()
    if not text:
        raise InvalidInput("TEXT: the editor gave back no text; nothing was written")
    return text


def run_editor(editor: str, start: str) -> str:
    """Open ``start`` in the editor and give back what was saved. The editor command is run
    by the shell, as git runs it, so EDITOR may carry its own options ("code --wait")."""
    import shlex
    import subprocess
    import tempfile

    from tracker.errors import InvalidInput

    with tempfile.TemporaryDirectory(prefix="mou-note-") as folder:
        path = Path(folder) / "NOTE.txt"
        path.write_text(start, "utf-8")
        if os.name == "nt":
            command = [*shlex.split(editor), str(path)]
        else:
            command = ["/bin/sh", "-c", f'{editor} "$@"', editor, str(path)]
        try:
            finished = subprocess.run(command, check=False)
        except OSError as error:
            raise InvalidInput(
                f"TEXT: cannot run the editor ({editor}): {error.strerror}"
            ) from None
        if finished.returncode != 0:
            raise InvalidInput(
                f"TEXT: the editor ({editor}) stopped with status {finished.returncode}; "
                "nothing was written"
            )
        try:
            return path.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            raise InvalidInput(
                "TEXT: the editor saved no UTF-8 text; nothing was written"
            ) from None
