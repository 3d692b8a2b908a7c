"""Loading programme files: all or nothing, idempotent, every problem listed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from tests.conftest import EXAMPLE, Cli
from tests.helpers import MINIMAL, count_rows, milestone_toml, snapshot
from tracker import models
from tracker.db import Database
from tracker.errors import ValidationFailed
from tracker.services.file_records import FileRecords
from tracker.services.importer import ImportResult, import_programme
from tracker.services.programme_file import ProgrammeText

EXAMPLE_COUNTS = {
    "mou": 1,
    "institutions": 7,
    "people": 15,
    "parties": 4,
    "themes": 11,
    "commitments": 12,
    "workstreams": 10,
    "milestones": 22,
    "sites": 4,
    "visits": 4,
    "board_meetings": 3,
    "actions": 11,
    "risks": 8,
    "issues": 3,
    "assumptions": 3,
    "kpis": 4,
    "notes": 0,
    "issued_reports": 0,
}


def load(database: Database, text: str, *, commit: bool = True) -> ImportResult:
    with database.writing(commit=commit) as session:
        return import_programme(text, session=session, source="test.toml")


def test_the_example_loads_every_record(db: Database) -> None:
    result = load(db, EXAMPLE.read_text("utf-8"))
    assert {table: counts.added for table, counts in result.counts.items()} == EXAMPLE_COUNTS
    assert (result.added, result.changed, result.unchanged) == (122, 0, 0)
    rows = count_rows(db)
    assert rows["milestone"] == 22
    assert rows["workstream_partner"] > 0
    assert rows["visit_attendee"] > 0
    assert rows["milestone_baseline"] == 1


def test_loading_the_same_file_twice_changes_nothing(example_db: Database) -> None:
    before = snapshot(example_db)
    result = load(example_db, EXAMPLE.read_text("utf-8"))
    assert (result.added, result.changed, result.unchanged) == (0, 0, 122)
    assert snapshot(example_db) == before


def test_an_import_lets_go_of_the_text_it_is_handed(db: Database) -> None:
    text = ProgrammeText(EXAMPLE.read_text("utf-8"))
    with db.writing() as session:
        result = import_programme(text, session=session, source="example")
    assert result.added == 122
    assert text.take() == ""  # parsed, and let go: a large file's text is not kept


def test_an_edited_file_updates_what_it_names(example_db: Database) -> None:
    text = EXAMPLE.read_text("utf-8")
    edited = text.replace('ref = "MS-13"', 'ref = "MS-13"\nforecast = 2026-12-18', 1)
    edited += (
        '\n[[milestones]]\nref = "MS-99"\nworkstream = "WS01"\ntitle = "Added later"\n'
        "due = 2027-05-28\n"
    )
    result = load(example_db, edited)
    assert result.counts["milestones"].added == 1
    assert result.counts["milestones"].changed == 1
    assert (result.added, result.changed, result.unchanged) == (1, 1, 121)
    with example_db.reading() as session:
        ms13 = session.exec(select(models.Milestone).where(models.Milestone.ref == "MS-13")).one()
        new = session.exec(select(models.Milestone).where(models.Milestone.ref == "MS-99")).one()
        ws01 = session.exec(select(models.Workstream).where(models.Workstream.ref == "WS01")).one()
    assert ms13.forecast == dt.date(2026, 12, 18)
    # The owning institution defaults to the workstream's lead; the status to planned.
    assert new.institution_id == ws01.lead_id
    assert new.status == "planned"


def test_a_record_held_may_name_one_the_same_file_adds(example_db: Database) -> None:
    """Once written, the ids of the records an import adds are let go (no table written
    after milestones names one); an edit to a record held that names one finds it still."""
    text = EXAMPLE.read_text("utf-8")
    edited = text.replace('depends_on = ["MS-05"]', 'depends_on = ["MS-05", "MS-99"]', 1)
    edited += "\n" + milestone_toml("MS-99", workstream="WS01", due="2026-11-20")
    result = load(example_db, edited)
    assert (result.added, result.changed) == (1, 1)
    assert result.new_records == [("milestones", "MS-99")]
    with example_db.reading() as session:
        ms13 = session.exec(select(models.Milestone).where(models.Milestone.ref == "MS-13")).one()
        ms99 = session.exec(select(models.Milestone).where(models.Milestone.ref == "MS-99")).one()
        links = session.exec(
            select(models.MilestoneDependency).where(
                models.MilestoneDependency.milestone_id == ms13.id
            )
        ).all()
    assert ms99.id in {link.depends_on_id for link in links}


def test_changing_a_list_of_refs_is_a_change(example_db: Database) -> None:
    text = EXAMPLE.read_text("utf-8")
    start = text.index('ref = "WS01"')
    partners = text.index("partners", start)
    end = text.index("\n", partners)
    edited = text[:partners] + 'partners = ["OCC"]' + text[end:]
    result = load(example_db, edited)
    assert result.counts["workstreams"].changed == 1
    assert (result.added, result.changed) == (0, 1)
    assert load(example_db, edited).changed == 0


BROKEN = """
[mou]
ref = "OXF-LIV-2026"
title = "Broken programme"
signed = 2026-02-19
colour = "blue"

[[institutions]]
ref = "OXF"
name = "University of Oxford"
kind = "university"

[[institutions]]
ref = "oxf"
name = "Duplicate of Oxford"
kind = "university"

[[institutions]]
name = "No ref at all"
kind = "other"

[[people]]
ref = "P1"
name = "Someone"
institution = "NOWHERE"

[[themes]]
ref = "T1"
name = "A theme"

[[workstreams]]
ref = "WS1"
name = "A workstream"
theme = "T1"
lead = "OXF"
status = "paused"

[[milestones]]
ref = "M1"
workstream = "WS1"
title = "Bad date"
due = "30/06/2026"

[[milestones]]
ref = "M2"
workstream = "WS1"
due = 2026-06-30

[[milestones]]
ref = "M3"
workstream = "WS1"
title = "Wrong type"
due = 2026-06-30
owner = 42
"""

BROKEN_PROBLEMS = [
    "mou OXF-LIV-2026 colour: unknown field; expected ref, title, status, signed, effective, "
    "expires, review, renewal_notice_months, venue, binding, owner",
    "institutions OXF ref: duplicate: appears more than once",
    "institutions #3 ref: missing (required)",
    "workstreams WS1 status: expected one of planned, live, finished, closed_early, on_hold, "
    "cancelled; got 'paused'",
    "milestones M1 due: expected a date such as 2026-06-30 (unquoted in TOML)",
    "milestones M2 title: missing (required)",
    "milestones M3 owner: expected a ref in quotes",
    "people P1 institution: unknown institution 'NOWHERE'",
]


def test_a_broken_file_lists_every_problem_and_writes_nothing(example_db: Database) -> None:
    before = snapshot(example_db)
    with pytest.raises(ValidationFailed) as raised:
        load(example_db, BROKEN)
    assert [str(problem) for problem in raised.value.problems] == BROKEN_PROBLEMS
    assert raised.value.message == "test.toml: 8 problems; nothing was written"
    assert snapshot(example_db) == before


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        (
            '[[milestones]]\nref = "M9"\nworkstream = "WS01"\ntitle = "x"\ndue = 2026-06-30\n'
            'completed = 2026-06-01\nstatus = "in_progress"\n',
            "milestones M9 status: must be done when completed is set",
        ),
        (
            '[[milestones]]\nref = "M9"\nworkstream = "WS01"\ntitle = "x"\ndue = 2026-06-30\n'
            'status = "done"\n',
            "milestones M9 completed: required when status is done",
        ),
        (
            '[[milestones]]\nref = "M9"\nworkstream = "WS01"\ntitle = "x"\ndue = 2026-06-30\n'
            'reported_rag = "RED"\n',
            "milestones M9 reported_rag_reason: required with reported_rag",
        ),
        (
            '[[visits]]\nref = "V9"\ntitle = "x"\ndate = 2026-06-30\nend = 2026-06-01\n'
            'host = "OXF"\n',
            "visits V9 end: 2026-06-01 is before date (2026-06-30)",
        ),
        (
            '[[themes]]\nref = "LOOP-A"\nname = "a"\nparent = "LOOP-B"\n\n'
            '[[themes]]\nref = "LOOP-B"\nname = "b"\nparent = "LOOP-A"\n',
            "themes LOOP-A parent: makes a loop of parents\n"
            "themes LOOP-B parent: makes a loop of parents",
        ),
        (
            '[[milestones]]\nref = "M9"\nworkstream = "WS01"\ntitle = "x"\ndue = 2026-06-31\n',
            "file: not valid TOML: Invalid date or datetime (at line 5, column 7)",
        ),
        (
            '[[milestones]]\nref = "M 9"\nworkstream = "WS01"\ntitle = "x"\ndue = 2026-06-30\n',
            "milestones #23 ref: expected a ref of letters, digits, '.', '_' or '-', starting "
            "with a letter or digit, at most 32 characters; got 'M 9'",
        ),
        (
            '[[milestones]]\nref = "M9"\nworkstream = "WS01"\ntitle = "tab\\there"\n'
            "due = 2026-06-30\n",
            "milestones M9 title: control characters are not allowed (found U+0009)",
        ),
        (
            '[[milestones]]\nref = "M9"\nworkstream = "WS01"\ntitle = "x"\n'
            "due = 2026-06-30T10:00:00\n",
            "milestones M9 due: expected a date such as 2026-06-30 (unquoted in TOML)",
        ),
    ],
)
def test_each_rule_is_checked_before_writing(db: Database, extra: str, problem: str) -> None:
    # A syntax error is reported on its own, with its position; the rest join the example.
    text = extra if problem.startswith("file:") else EXAMPLE.read_text("utf-8") + "\n" + extra
    with pytest.raises(ValidationFailed) as raised:
        load(db, text)
    assert [str(item) for item in raised.value.problems] == problem.split("\n")
    assert count_rows(db)["institution"] == 0


def test_refs_are_case_insensitive_across_the_file(db: Database) -> None:
    text = EXAMPLE.read_text("utf-8").replace('lead = "OXF"', 'lead = "oxf"')
    result = load(db, text)
    assert result.counts["institutions"].added == 7


def test_a_dry_run_writes_nothing(db: Database) -> None:
    result = load(db, EXAMPLE.read_text("utf-8"), commit=False)
    assert result.added == 122
    assert sum(count_rows(db).values()) == 0


# Through the command line.

EXAMPLE_IMPORT_OUTPUT = """\
Loaded {file} into MoU OXF-LIV-2026: 122 added, 0 changed, 0 unchanged.
Table           Added  Changed  Unchanged
mou             1      0        0
institutions    7      0        0
people          15     0        0
parties         4      0        0
themes          11     0        0
commitments     12     0        0
workstreams     10     0        0
milestones      22     0        0
sites           4      0        0
visits          4      0        0
board_meetings  3      0        0
actions         11     0        0
risks           8      0        0
issues          3      0        0
assumptions     3      0        0
kpis            4      0        0
"""


def _plain(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def test_cli_import_reports_what_it_did(cli: Cli) -> None:
    result = cli("import", str(EXAMPLE))
    assert result.exit_code == 0, result
    assert _plain(result.stdout) == EXAMPLE_IMPORT_OUTPUT.format(file=EXAMPLE)
    again = cli("import", str(EXAMPLE))
    assert again.exit_code == 0
    assert again.stdout.splitlines()[0] == (
        f"Loaded {EXAMPLE} into MoU OXF-LIV-2026: 0 added, 0 changed, 122 unchanged."
    )


def test_cli_dry_run_says_so_and_writes_nothing(cli: Cli, db: Database) -> None:
    result = cli("import", str(EXAMPLE), "--dry-run")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines()[0] == (
        f"Would load {EXAMPLE} into MoU OXF-LIV-2026: 122 added, 0 changed, 0 unchanged."
    )
    assert result.stdout.splitlines()[-1] == "Dry run: nothing was written."
    assert sum(count_rows(db).values()) == 0


def test_cli_broken_file_lists_problems_on_stderr(cli: Cli, tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(BROKEN, "utf-8")
    result = cli("import", str(broken))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"error: {broken}: 8 problems; nothing was written",
        *(f"  {problem}" for problem in BROKEN_PROBLEMS),
    ]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing.toml", "error: FILE: no such file: {path}"),
        (lambda p: p, "error: FILE: {path} is a folder; expected a programme file (.toml)"),
    ],
)
def test_cli_unreadable_file_is_one_line(
    cli: Cli, tmp_path: Path, make: object, message: str
) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert result.stderr == message.format(path=path) + "\n"


def test_cli_file_that_is_not_utf8(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('[mou]\nref = "X"\ntitle = "Zo\xeb"\n'.encode("latin-1"))
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert (
        result.stderr == f"error: FILE: {path} is not UTF-8 text; expected a TOML programme file\n"
    )


def test_every_field_type_has_its_checker() -> None:
    from tracker.fields import _CLEANERS, FieldType

    assert set(_CLEANERS) == set(FieldType)


FUTURE = (
    '[[milestones]]\nref = "M9"\nworkstream = "WS01"\ntitle = "x"\ndue = 2026-11-20\n'
    'completed = 2026-12-01\nstatus = "done"\n\n'
    '[[issues]]\nref = "ISS-09"\ntitle = "x"\nowner = "WIERZBICKI"\nraised = 2026-11-29\n'
    'severity = "low"\nstatus = "open"\n'
)
FUTURE_PROBLEMS = [
    "milestones M9 completed: 2026-12-01 is in the future; record it on or after the day it "
    "happens",
    "issues ISS-09 raised: 2026-11-29 is in the future; record it on or after the day it happens",
]


def test_a_file_may_not_complete_a_milestone_in_the_future(db: Database) -> None:
    """The command line refused a completion (or a raised or resolved date) later than today,
    while a programme file recorded it: a milestone done next week counted as done in every
    report until then. The file is refused the same way, naming each record."""
    text = EXAMPLE.read_text("utf-8") + "\n" + FUTURE
    with db.writing() as session, pytest.raises(ValidationFailed) as raised:
        import_programme(text, session=session, source="t.toml", today=dt.date(2026, 11, 28))
    assert [str(problem) for problem in raised.value.problems] == FUTURE_PROBLEMS
    assert count_rows(db)["institution"] == 0
    # On the day itself (and after) the same file loads.
    with db.writing() as session:
        import_programme(text, session=session, source="t.toml", today=dt.date(2026, 12, 1))
    assert count_rows(db)["milestone"] == EXAMPLE_COUNTS["milestones"] + 1


def test_cli_import_reads_today_as_the_other_commands_do(
    cli: Cli, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tracker.cli.context.today", lambda: dt.date(2026, 11, 28))
    future = tmp_path / "future.toml"
    future.write_text(EXAMPLE.read_text("utf-8") + "\n" + FUTURE, "utf-8")
    result = cli("import", str(future))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        f"error: {future}: 2 problems; nothing was written",
        *(f"  {problem}" for problem in FUTURE_PROBLEMS),
    ]
    assert sum(count_rows(db).values()) == 0


def _indexes(database: Database) -> dict[str, str]:
    with database.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        )
        return dict(rows.all())


def test_a_bulk_load_builds_every_index_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large load into an empty SQLite table drops its indexes and builds them once the
    rows are in (faster than growing them row by row). The database must end with exactly
    the indexes it started with, and a dry run must leave them untouched."""
    from tracker.migrate import open_database

    monkeypatch.setattr("tracker.services.importer.BULK_LOAD", 5)  # the example is small
    database = open_database(str(tmp_path / "bulk.db"), create=True)
    try:
        migrated = _indexes(database)
        assert "ix_milestone_cells" in migrated
        load(database, EXAMPLE.read_text("utf-8"), commit=False)
        assert _indexes(database) == migrated
        assert count_rows(database)["milestone"] == 0
        load(database, EXAMPLE.read_text("utf-8"))
        assert _indexes(database) == migrated
        assert count_rows(database)["milestone"] == EXAMPLE_COUNTS["milestones"]
        with database.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    finally:
        database.dispose()


def test_records_written_in_many_chunks_load_as_in_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large file is written a chunk at a time, each let go once written: with chunks and
    blocks of a few records, the example spans many of them, and loads exactly as in one."""
    from tracker.migrate import open_database

    def loaded(name: str) -> tuple[dict[str, list[tuple[Any, ...]]], list[tuple[str, str]]]:
        database = open_database(str(tmp_path / f"{name}.db"), create=True)
        try:
            result = load(database, EXAMPLE.read_text("utf-8"))
            rows = snapshot(database)
        finally:
            database.dispose()
        del rows["audit_command"]  # when it ran
        return rows, result.new_records

    whole = loaded("whole")
    monkeypatch.setattr("tracker.services.importer.INSERT_CHUNK", 3)
    monkeypatch.setattr(FileRecords, "BLOCK", 2)
    in_chunks = loaded("chunks")
    assert in_chunks == whole
    assert len(whole[1]) == 122


def test_a_predecessor_further_on_in_the_file_than_a_chunk(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A milestone may depend on one the file gives later, however much later: predecessors
    are written once every milestone is in, not with each chunk of rows (a file whose first
    milestone depended on its 2,050th was refused: "milestone M2050 does not exist")."""
    monkeypatch.setattr("tracker.services.importer.INSERT_CHUNK", 2)
    first = milestone_toml("M0", due="2026-08-03") + 'depends_on = ["M4", "M1"]\n'
    rest = "".join(milestone_toml(f"M{number}", due="2026-07-06") for number in range(1, 5))
    load(db, MINIMAL + first + rest)
    shown = Cli(db.url)("show", "M0", "-f", "json")
    assert shown.exit_code == 0, shown
    assert json.loads(shown.stdout)["fields"]["depends_on"] == ["M1", "M4"]


def test_a_future_date_the_database_holds_still_loads_back(
    example_cli: Cli, example_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database may hold a completion later than today (written before files were held
    to the rule, or by another tool). Its own export must still load back; mou check names
    the date; and a file may not move it to another day in the future."""
    monkeypatch.setattr("tracker.cli.context.today", lambda: dt.date(2026, 11, 28))
    table = models.Milestone.__table__  # type: ignore[attr-defined]
    with example_db.writing() as session:
        session.execute(
            table.update()
            .where(table.c.ref == "MS-10")
            .values(status="done", completed=dt.date(2026, 12, 9))
        )
    exported = tmp_path / "exported.toml"
    exported.write_text(example_cli("export").stdout, "utf-8")
    again = example_cli("import", str(exported))
    assert again.exit_code == 0, again.stderr
    assert again.stdout.splitlines()[0].endswith("0 added, 0 changed, 122 unchanged.")
    check = example_cli("check")
    assert (check.exit_code, check.stdout.splitlines()) == (
        1,
        [
            "milestone MS-10 completed: 2026-12-09 is in the future; record it on or after "
            "the day it happens"
        ],
    )
    moved = tmp_path / "moved.toml"
    text = exported.read_text("utf-8")
    assert text.count("completed = 2026-12-09") == 1
    moved.write_text(text.replace("completed = 2026-12-09", "completed = 2026-12-10"), "utf-8")
    refused = example_cli("import", str(moved))
    assert (refused.exit_code, refused.stderr.splitlines()[1:]) == (
        1,
        [
            "  milestones MS-10 completed: 2026-12-10 is in the future; record it on or after "
            "the day it happens"
        ],
    )


def test_a_file_may_use_toml_1_1(db: Database) -> None:
    """Programme files are read as TOML 1.1 (a superset of 1.0): an inline table may run
    over several lines and end with a comma. The README says so."""
    text = EXAMPLE.read_text("utf-8").replace(
        '{ person = "TRACEY", role = "signatory" },',
        '{\n    person = "TRACEY",\n    role = "signatory",\n  },',
    )
    assert text != EXAMPLE.read_text("utf-8")
    result = load(db, text)
    assert result.added == 122
