"""Commentary notes through the command line, on both backends: one note per scope and quarter,
at most 250 words, written as typed, from a file or in $EDITOR; audited, undone, exported,
seen by --recorded-by, and removed with the theme or workstream they comment on.

"Today" is pinned to 2026-11-30; the notes are for FY2026/27 Q2 (July to September 2026).
"""

from __future__ import annotations

import datetime as dt
import json
import shlex
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, CliResult
from tests.helpers import snapshot
from tracker.db import Database

TODAY = dt.date(2026, 11, 30)
Q2 = "FY2026/27 Q2"
CLIM = "Seed-fund call moved to December while the NHS data-sharing agreement is signed."


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tracker.cli.context.today", lambda: TODAY)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)


def ok(result: CliResult) -> str:
    assert (result.exit_code, result.stderr) == (0, ""), result
    return result.stdout


def refused(
    cli: Cli, database: Database, args: tuple[str, ...], message: str, code: int = 1
) -> None:
    """The exit code, exactly one error line, and nothing written."""
    before = snapshot(database)
    result = cli(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (code, "", f"error: {message}\n")
    assert snapshot(database) == before


def notes(cli: Cli, *args: str) -> dict[str, dict[str, Any]]:
    document = json.loads(ok(cli("note", "list", *args, "--format", "json")))
    return {row["ref"]: row for row in document["rows"]}


def test_add_list_show_update_and_remove(example_cli: Cli) -> None:
    assert ok(example_cli("note", "add", "-q", Q2, "--theme", "clim", CLIM)) == (
        f"Added note N01 on theme CLIM in {Q2}: 12 words.\n"
    )
    assert ok(example_cli("note", "add", "-q", "previous", "--programme", "A steady quarter.")) == (
        f"Added note N02 on the programme in {Q2}: 3 words.\n"
    )
    assert ok(example_cli("note", "add", "-q", "current", "--workstream", "WS02", "Bids in.")) == (
        "Added note N03 on workstream WS02 in FY2026/27 Q3: 2 words.\n"
    )
    # The programme first, then themes, then workstreams, quarter by quarter.
    assert notes(example_cli) == {
        "N02": {
            "ref": "N02",
            "quarter": Q2,
            "scope_type": "programme",
            "scope": "OXF-LIV-2026",
            "name": "Oxford\u2013Liverpool strategic partnership: Memorandum of Understanding",
            "words": 3,
            "text": "A steady quarter.",
        },
        "N01": {
            "ref": "N01",
            "quarter": Q2,
            "scope_type": "theme",
            "scope": "CLIM",
            "name": "Climate change and health",
            "words": 12,
            "text": CLIM,
        },
        "N03": {
            "ref": "N03",
            "quarter": "FY2026/27 Q3",
            "scope_type": "workstream",
            "scope": "WS02",
            "name": "Climate and health research network",
            "words": 2,
            "text": "Bids in.",
        },
    }
    assert list(notes(example_cli, "--quarter", Q2)) == ["N02", "N01"]
    # A theme's notes include its workstreams'.
    assert list(notes(example_cli, "--theme", "CLIM")) == ["N01", "N03"]
    assert ok(example_cli("note", "show", "n01", columns=60)) == (
        "Note N01: theme CLIM (Climate change and health), FY2026/27\n"
        "Q2, 12 words\n"
        "\n"
        "Seed-fund call moved to December while the NHS data-sharing\n"
        "agreement is signed.\n"
    )
    assert ok(example_cli("note", "update", "N01", "--theme", "LIFE", "-q", "FY2026/27 Q1")) == (
        "Updated note N01 (theme LIFE in FY2026/27 Q1):\n"
        "  on: theme LIFE (was theme CLIM)\n"
        f"  quarter: FY2026/27 Q1 (was {Q2})\n"
    )
    assert ok(example_cli("note", "update", "N01", "Two words")) == (
        "Updated note N01 (theme LIFE in FY2026/27 Q1):\n  text: 2 words (was 12)\n"
    )
    assert ok(example_cli("note", "update", "N01", "Two words")) == (
        "Note N01 already had those values; nothing changed.\n"
    )
    assert ok(example_cli("note", "remove", "N01")) == (
        "Removed note N01 (theme LIFE in FY2026/27 Q1).\n"
    )
    assert list(notes(example_cli)) == ["N02", "N03"]


def test_the_generic_reads_see_notes_too(example_cli: Cli) -> None:
    ok(example_cli("note", "add", "-q", Q2, "--theme", "CLIM", CLIM))
    listed = json.loads(ok(example_cli("list", "notes", "--format", "json")))
    assert listed == {
        "kind": "notes",
        "rows": [{"ref": "N01", "quarter": Q2, "theme": "CLIM", "workstream": None, "text": CLIM}],
    }
    shown = json.loads(ok(example_cli("show", "N01", "--format", "json")))
    assert shown["fields"] == {"quarter": Q2, "theme": "CLIM", "workstream": None, "text": CLIM}


REFUSALS = {
    "taken": (
        ("-q", Q2, "--theme", "CLIM", "Again."),
        f"quarter: theme CLIM in {Q2} already has a note: N01",
        1,
    ),
    "a year": (
        ("-q", "FY2026/27", "--programme", "x"),
        "quarter: expected a label such as FY2026/27 Q3 (or current, previous, next); got "
        "'FY2026/27'",
        1,
    ),
    "unknown theme": (("-q", Q2, "--theme", "NOPE", "x"), "theme: no theme with ref 'NOPE'", 1),
    "two scopes": (
        ("-q", Q2, "--theme", "CLIM", "--workstream", "WS02", "x"),
        "--theme: give one of --theme, --workstream or --programme, not several",
        2,
    ),
    "no scope": (
        ("-q", Q2, "x"),
        "--programme: give one of --theme REF, --workstream REF or --programme",
        2,
    ),
    "no text": (
        ("-q", Q2, "--programme"),
        "TEXT: give the commentary, - to write it in $EDITOR, or --from-file FILE",
        2,
    ),
    "empty": (("-q", Q2, "--programme", "   "), "text: must not be empty", 1),
    "no editor": (
        ("-q", Q2, "--programme", "-"),
        "TEXT: - writes the text in $EDITOR, which is not set; set EDITOR or give --from-file FILE",
        2,
    ),
    "control character": (
        ("-q", Q2, "--programme", "bell\x07"),
        "text: control characters are not allowed (found U+0007)",
        1,
    ),
}


@pytest.mark.parametrize(("args", "message", "code"), REFUSALS.values(), ids=REFUSALS.keys())
def test_refusals_write_nothing(
    example_cli: Cli, example_db: Database, args: tuple[str, ...], message: str, code: int
) -> None:
    ok(example_cli("note", "add", "-q", Q2, "--theme", "CLIM", CLIM))
    refused(example_cli, example_db, ("note", "add", *args), message, code)


def test_at_most_250_words_refused_with_the_count(example_cli: Cli, example_db: Database) -> None:
    assert ok(example_cli("note", "add", "-q", Q2, "--programme", " ".join(["word"] * 250)))
    refused(
        example_cli,
        example_db,
        ("note", "update", "N01", " ".join(["word"] * 251)),
        "text: at most 250 words (got 251)",
    )
    refused(
        example_cli,
        example_db,
        ("note", "add", "-q", "FY2026/27 Q3", "--programme", "a\nb " * 126),
        "text: at most 250 words (got 252)",
    )


def test_moving_a_note_onto_a_scope_that_has_one_is_refused(
    example_cli: Cli, example_db: Database
) -> None:
    ok(example_cli("note", "add", "-q", Q2, "--theme", "CLIM", CLIM))
    ok(example_cli("note", "add", "-q", Q2, "--programme", "Overall."))
    refused(
        example_cli,
        example_db,
        ("note", "update", "N02", "--theme", "CLIM"),
        f"quarter: theme CLIM in {Q2} already has a note: N01",
    )
    refused(
        example_cli,
        example_db,
        ("note", "update", "N02"),
        "nothing to change: give TEXT, --from-file, --quarter, --theme, --workstream or "
        "--programme",
    )
    refused(example_cli, example_db, ("note", "remove", "N09"), "ref: no note with ref 'N09'")


def test_text_from_a_file(example_cli: Cli, example_db: Database, tmp_path: Path) -> None:
    windows = tmp_path / "clim.txt"
    windows.write_bytes(
        "\ufeffFirst paragraph.\r\n\r\nSecond \u2013 with \u201cquotes\u201d.\r\n".encode()
    )
    assert ok(
        example_cli("note", "add", "-q", Q2, "--theme", "CLIM", "--from-file", str(windows))
    ) == (f"Added note N01 on theme CLIM in {Q2}: 6 words.\n")
    assert (
        notes(example_cli)["N01"]["text"]
        == "First paragraph.\n\nSecond \u2013 with \u201cquotes\u201d."
    )
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("Caf\xe9".encode("latin-1"))
    refused(
        example_cli,
        example_db,
        ("note", "update", "N01", "--from-file", str(latin)),
        f"--from-file: {latin} is not UTF-8 text",
    )
    missing = tmp_path / "missing.txt"
    refused(
        example_cli,
        example_db,
        ("note", "update", "N01", "--from-file", str(missing)),
        f"--from-file: cannot read {missing}: No such file or directory",
    )
    refused(
        example_cli,
        example_db,
        ("note", "update", "N01", "text", "--from-file", str(windows)),
        "--from-file: give the text or --from-file, not both",
        2,
    )


def _editor(tmp_path: Path, script: str) -> str:
    """An $EDITOR: a shell script run with the file to edit as $1."""
    path = tmp_path / "editor.sh"
    path.write_text("#!/bin/sh\n" + script, "utf-8")
    path.chmod(0o755)
    return shlex.quote(str(path))


def test_text_written_in_the_editor(
    example_cli: Cli, example_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tracker.cli.notes.interactive", lambda: True)
    seen = tmp_path / "seen.txt"
    # The editor is shown a hint, kept out of the note; the text written above it is
    # recorded whole, a line of its own that starts with # included.
    shown = shlex.quote(str(seen))
    monkeypatch.setenv(
        "EDITOR",
        _editor(
            tmp_path,
            f'cp "$1" {shown}\n{{ printf "#1 priority:\\nWritten\\n"; cat {shown}; }} > "$1"\n',
        ),
    )
    assert ok(example_cli("note", "add", "-q", Q2, "--programme", "-")) == (
        f"Added note N01 on the programme in {Q2}: 3 words.\n"
    )
    assert seen.read_text("utf-8").splitlines()[2] == (
        f"# The commentary on the programme in {Q2}, at most 250 words."
    )
    # Editing starts from the note's text.
    monkeypatch.setenv("EDITOR", _editor(tmp_path, 'sed -i "s/Written/Rewritten by hand/" "$1"\n'))
    assert ok(example_cli("note", "update", "N01", "-")) == (
        f"Updated note N01 (the programme in {Q2}):\n  text: 5 words (was 3)\n"
    )
    assert notes(example_cli)["N01"]["text"] == "#1 priority:\nRewritten by hand"
    # An editor that fails, or leaves nothing, writes nothing.
    monkeypatch.setenv("EDITOR", "false")
    refused(
        example_cli,
        example_db,
        ("note", "update", "N01", "-"),
        "TEXT: the editor (false) stopped with status 1; nothing was written",
    )
    monkeypatch.setenv("EDITOR", _editor(tmp_path, ': > "$1"\n'))
    refused(
        example_cli,
        example_db,
        ("note", "update", "N01", "-"),
        "TEXT: the editor gave back no text; nothing was written",
    )


def test_the_editor_needs_a_terminal(example_cli: Cli, example_db: Database) -> None:
    # Under the test runner stdin is no terminal, as in cron: the editor is never started.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EDITOR", "vi")
        refused(
            example_cli,
            example_db,
            ("note", "add", "-q", Q2, "--programme", "-"),
            "TEXT: - opens $EDITOR, which needs a terminal; give --from-file FILE",
            2,
        )


def test_a_note_changed_while_in_the_editor_is_not_overwritten(example_db: Database) -> None:
    from tracker.errors import StaleRecord
    from tracker.services.commentary import Scope
    from tracker.services.notes import add_note, update_note

    with example_db.writing() as session:
        add_note(Q2, Scope("programme"), "First.", session=session)
    with example_db.writing() as session:
        update_note("N01", text="Someone else's.", session=session)
    with pytest.raises(StaleRecord) as raised, example_db.writing() as session:
        update_note("N01", text="Mine.", based_on="First.", session=session)
    assert raised.value.message == (
        "note N01 was changed while it was open in the editor; run the command again"
    )


def test_audited_undone_and_seen_as_recorded(example_cli: Cli) -> None:
    moment = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    ok(example_cli("note", "add", "-q", Q2, "--theme", "CLIM", CLIM))
    log = json.loads(ok(example_cli("log", "--limit", "1", "--format", "json")))
    assert [(entry["command"], entry["summary"]) for entry in log["entries"]] == [
        (f"mou note add -q '{Q2}' --theme CLIM '{CLIM}'", "added note N01")
    ]
    ok(example_cli("note", "remove", "N01"))
    assert notes(example_cli) == {}
    ok(example_cli("undo", "--yes"))
    assert notes(example_cli)["N01"]["text"] == CLIM
    history = ok(example_cli("history", "N01"))
    assert "note add" in history and "undo" in history
    # As recorded before the note was written, there was none.
    assert notes(example_cli, "--recorded-by", moment) == {}
    shown = example_cli("note", "show", "N01", "--recorded-by", moment)
    assert (shown.exit_code, shown.stderr) == (1, "error: ref: no note with ref 'N01'\n")


def test_undo_cannot_put_back_a_note_whose_place_is_taken(
    example_cli: Cli, example_db: Database
) -> None:
    ok(example_cli("note", "add", "-q", Q2, "--theme", "CLIM", CLIM))  # command 2
    ok(example_cli("note", "add", "-q", Q2, "--programme", "Overall."))
    ok(example_cli("note", "remove", "N01"))  # command 4
    ok(example_cli("note", "add", "-q", Q2, "--theme", "CLIM", "A second go."))
    before = snapshot(example_db)
    result = example_cli("undo", "4", "--yes")
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: cannot undo: note N01 quarter: theme CLIM in {Q2} already has a note: N03\n",
    )
    assert snapshot(example_db) == before


def test_removed_with_the_theme_or_workstream_it_comments_on(example_cli: Cli) -> None:
    ok(example_cli("note", "add", "-q", Q2, "--theme", "ACAD", "Academic partnership."))
    ok(example_cli("note", "add", "-q", Q2, "--workstream", "WS09", "Talent exchange."))
    ok(example_cli("note", "add", "-q", Q2, "--programme", "Overall."))
    refused_removal = example_cli("remove-workstream", "WS09")
    assert refused_removal.exit_code == 1
    assert "note N02 (workstream)" in refused_removal.stderr
    removed = ok(example_cli("remove-workstream", "WS09", "--cascade"))
    assert "  also removed note N02\n" in removed
    removed = ok(example_cli("remove-theme", "ACAD", "--cascade"))
    assert "  also removed note N01\n" in removed
    # Never cleared into a note on the whole programme.
    assert list(notes(example_cli)) == ["N03"]


def test_notes_travel_in_the_programme_file(example_cli: Cli, tmp_path: Path) -> None:
    ok(example_cli("note", "add", "-q", Q2, "--theme", "CLIM", CLIM))
    ok(example_cli("note", "add", "-q", Q2, "--programme", "Line one.\nLine two."))
    exported = ok(example_cli("export"))
    assert '[[notes]]\nref = "N01"\nquarter = "FY2026/27 Q2"\ntheme = "CLIM"\n' in exported, (
        exported
    )
    path = tmp_path / "exported.toml"
    path.write_text(exported, "utf-8")
    other = Cli(f"sqlite:///{tmp_path / 'other.db'}")
    ok(other("import", str(path)))
    assert ok(other("export")) == exported


@pytest.mark.parametrize(
    ("notes_toml", "problems"),
    [
        (
            '[[notes]]\nref = "X1"\nquarter = "FY2026/27 Q2"\ntheme = "TOP"\ntext = "a"\n'
            '[[notes]]\nref = "X2"\nquarter = "2026/27 q2"\ntheme = "TOP"\ntext = "b"\n',
            ["notes X2 quarter: theme TOP in FY2026/27 Q2 already has a note: X1"],
        ),
        (
            '[[notes]]\nref = "X1"\nquarter = "FY2026/27"\ntext = "a"\n',
            ["notes X1 quarter: expected a quarter such as FY2026/27 Q3, not a year; got "
             "'FY2026/27'"],
        ),
        (
            '[[notes]]\nref = "X1"\nquarter = "FY2026/27 Q2"\ntheme = "TOP"\nworkstream = "W1"\n'
            'text = "a"\n',
            ["notes X1 theme: a note comments on a theme, a workstream or the whole programme: "
             "one of them"],
        ),
        (
            '[settings]\nscheme = "calendar"\n'
            '[[notes]]\nref = "X1"\nquarter = "FY2026/27 Q3"\ntext = "a"\n'
            '[[notes]]\nref = "X2"\nquarter = "2026 Q4"\ntext = "b"\n',
            ["notes X2 quarter: the programme in 2026 Q4 already has a note: X1"],
        ),
    ],
    ids=["twice for one scope", "a year", "two scopes", "the same months in two schemes"],
)  # fmt: skip
def test_a_programme_file_keeps_the_rules_too(
    cli: Cli, tmp_path: Path, notes_toml: str, problems: list[str]
) -> None:
    from tests.helpers import MINIMAL

    path = tmp_path / "p.toml"
    path.write_text(MINIMAL + notes_toml, "utf-8")
    result = cli("import", str(path))
    assert (result.exit_code, result.stdout) == (1, "")
    count = len(problems)
    assert result.stderr.splitlines() == [
        f"error: {path}: {count} problem{'s' if count > 1 else ''}; nothing was written",
        *(f"  {problem}" for problem in problems),
    ]


def test_a_note_belongs_to_its_quarters_dates_under_any_scheme(example_cli: Cli) -> None:
    """The commentary for FY2026/27 Q3 is the commentary of calendar 2026 Q4: the same
    three months, whichever scheme the report is read in."""
    ok(example_cli("note", "add", "-q", "FY2026/27 Q3", "--theme", "CHEM", "Beamtime agreed."))
    ok(example_cli("note", "add", "-q", "FY2026/27 Q2", "--programme", "A quarter earlier."))

    def commentary(*args: str) -> list[dict[str, Any]]:
        document = json.loads(ok(example_cli("report", "quarterly", *args, "-f", "json")))
        return [
            {key: row[key] for key in ("ref", "scope", "text")} for row in document["commentary"]
        ]

    expected = [{"ref": "N01", "scope": "CHEM", "text": "Beamtime agreed."}]
    assert commentary("-q", "FY2026/27 Q3", "--as-of", "2026-11-28") == expected
    assert commentary("-q", "2026 Q4", "--scheme", "calendar", "--as-of", "2026-11-28") == expected
    ok(example_cli("config", "set", "scheme", "calendar"))
    assert commentary("-q", "2026 Q4", "--as-of", "2026-11-28") == expected
    # Academic quarters run August to October, November to January: none is the same.
    assert commentary("-q", "AY2026/27 Q2", "--as-of", "2026-11-28") == []


def test_one_note_per_scope_for_the_same_months_under_any_scheme(
    example_cli: Cli, example_db: Database
) -> None:
    """FY2026/27 Q2 and calendar 2026 Q3 are the same months: a second programme note for them,
    added after the scheme changed, made the report carry two."""
    ok(example_cli("note", "add", "-q", "FY2026/27 Q2", "--programme", "First."))
    ok(example_cli("config", "set", "scheme", "calendar"))
    refused(
        example_cli,
        example_db,
        ("note", "add", "-q", "2026 Q3", "--programme", "Second."),
        "quarter: the programme in 2026 Q3 already has a note: N01",
    )
    ok(example_cli("note", "add", "-q", "2026 Q4", "--programme", "The next quarter."))


def test_text_from_the_editor_is_never_lost_to_a_refusal(
    example_cli: Cli, example_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tracker.cli.notes.interactive", lambda: True)
    opened = tmp_path / "opened"
    long_text = " ".join(["word"] * 251)
    monkeypatch.setenv(
        "EDITOR",
        _editor(tmp_path, f'touch {shlex.quote(str(opened))}\nprintf "{long_text}\\n" > "$1"\n'),
    )
    # An unknown theme is refused before anyone writes a word in the editor.
    refused(
        example_cli,
        example_db,
        ("note", "add", "-q", Q2, "--theme", "NOPE", "-"),
        "--theme: no theme with ref 'NOPE'",
    )
    assert not opened.exists()
    # Too long: refused, and the text is kept in a file the message names.
    before = snapshot(example_db)
    result = example_cli("note", "add", "-q", Q2, "--programme", "-")
    assert opened.exists()
    assert (result.exit_code, result.stdout) == (1, "")
    message, kept = result.stderr.split(" (your text is kept in ")
    assert message == "error: text: at most 250 words (got 251)"
    path = Path(kept.removesuffix(": give it back with --from-file)\n"))
    assert path.read_text("utf-8") == long_text + "\n"
    assert snapshot(example_db) == before
    # Shortened, it is given back with --from-file.
    path.write_text(" ".join(["word"] * 250), "utf-8")
    assert ok(example_cli("note", "add", "-q", Q2, "--programme", "--from-file", str(path))) == (
        f"Added note N01 on the programme in {Q2}: 250 words.\n"
    )
    path.unlink()
