"""``mou add-…``, ``update-…`` and ``remove-…``: the exact confirmation or error of each
command, and what it leaves in the database.

Every command runs in-process against a fresh database (``cli``: empty; ``example_cli``: with
examples/oxford-liverpool.toml loaded). Refusals are checked to write nothing by comparing a
snapshot of every table before and after. "Today" is pinned, so relative dates never vary.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from typing import Any

import pytest
import typer

from tests.conftest import Cli, CliResult
from tests.helpers import snapshot
from tracker import kinds, models
from tracker.cli.app import app
from tracker.db import Database
from tracker.fields import FieldType

MOU = "OXF-LIV-2026"
TODAY = dt.date(2026, 11, 28)  # a Saturday
REF_FORM = (
    "expected a ref of letters, digits, '.', '_' or '-', starting with a letter or digit, "
    "at most 32 characters"
)
DATE_FORM = (
    "expected a date such as 2026-06-30 or 30/06/2026 (also today, +30d, +2w, +3m, end of quarter)"
)
IN_USE = "; change or remove those first, or use --cascade"

# The kinds these commands edit, as `mou list` / `mou show --kind` name them.
KIND_OF = {
    "institution": "institutions",
    "person": "people",
    "site": "sites",
    "party": "parties",
    "theme": "themes",
    "commitment": "commitments",
    "workstream": "workstreams",
    "visit": "visits",
    "board meeting": "board_meetings",
    "action": "actions",
    "milestone": "milestones",
    "risk": "risks",
    "issue": "issues",
    "assumption": "assumptions",
    "kpi": "kpis",
}


# Helpers.

# The tables that hold records and their lists. Other tables (settings, an audit trail) may
# change with any write; "nothing was written" checks every table, "changed only this" these.
RECORD_TABLES = frozenset(
    {kind.model.__tablename__ for kind in kinds.KINDS}
    | {
        getattr(models, spec.rows.model_name).__tablename__
        for kind in kinds.KINDS
        for spec in kind.list_fields
        if spec.rows is not None
    }
)


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands read today through tracker.cli.context.today at call time."""
    monkeypatch.setattr("tracker.cli.context.today", lambda: TODAY)


def out(*lines: str) -> str:
    """What a command prints: these lines, each ending in a newline."""
    return "".join(f"{line}\n" for line in lines)


def ok(result: CliResult) -> str:
    """The stdout of a command that must have succeeded silently on stderr."""
    assert (result.exit_code, result.stderr) == (0, ""), result
    return result.stdout


def stored(cli: Cli, noun: str, key: str) -> dict[str, Any]:
    """A record's fields as the database holds them, through the CLI's JSON output."""
    if noun == "party":  # parties have no ref: look them up in the list, by institution
        rows = listed(cli, "parties")
        assert key in rows, f"no party {key}: {sorted(rows)}"
        return rows[key]
    args = ["show", key, "--format", "json"]
    if noun != "mou":
        args[2:2] = ["--kind", KIND_OF[noun]]
    document = json.loads(ok(cli(*args)))
    nouns = {"mou": "MoU", "kpi": "KPI"}
    assert (document["kind"], document["ref"]) == (nouns.get(noun, noun), key)
    fields: dict[str, Any] = document["fields"]
    return fields


def listed(cli: Cli, kind: str) -> dict[str, dict[str, Any]]:
    """Every record of a kind, by ref (parties: by institution)."""
    document = json.loads(ok(cli("list", kind, "--format", "json")))
    key = "institution" if kind == "parties" else "ref"
    return {row[key]: row for row in document["rows"]}


def records(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the record tables."""
    return {name: rows for name, rows in snapshot(database).items() if name in RECORD_TABLES}


def counts(database: Database) -> dict[str, int]:
    """How many rows each record table holds."""
    return {name: len(rows) for name, rows in records(database).items()}


def refused(cli: Cli, database: Database, args: tuple[str, ...], message: str) -> None:
    """The command fails with exactly one ``error:`` line, exit 1, and writes nothing."""
    before = snapshot(database)
    result = cli(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"error: {message}\n")
    assert snapshot(database) == before


def usage_message(stderr: str) -> str:
    """The text inside the boxed usage error, unwrapped onto one line."""
    inside = [
        line.strip().strip("│").strip()
        for line in stderr.splitlines()
        if line.startswith("│")  # the box drawn around usage errors
    ]
    return " ".join(inside)


def missing_refs(cli: Cli) -> list[str]:
    """Every ref that a stored record points at but that names no record: should be none.
    Read from the export, which holds every field of every record of every kind."""
    document = json.loads(ok(cli("export", "--format", "json")))
    present = {
        kind.table: {record[kind.key_field] for record in document.get(kind.table, [])}
        for kind in kinds.KINDS
        if kind.scope is not kinds.Scope.MOU
    }
    dangling = []
    for table in present:
        for record in document.get(table, []):
            key = record[kinds.BY_TABLE[table].key_field]
            for spec in kinds.BY_TABLE[table].fields:
                columns = spec.rows.columns if spec.rows is not None else ()
                targets = [spec.target] if spec.target else []
                targets += [column.target for column in columns if column.target]
                if not targets:
                    continue
                value = record.get(spec.key)
                for item in value if isinstance(value, list) else [value]:
                    ref = next(iter(item.values())) if isinstance(item, dict) else item
                    if ref is not None and ref not in present[targets[0]]:
                        dangling.append(f"{table} {key} {spec.key}: {ref}")
    return dangling


def test_the_example_has_no_dangling_refs(example_cli: Cli) -> None:
    # The integrity check used after cascades below must itself see a sound database as sound.
    assert missing_refs(example_cli) == []
    assert len(listed(example_cli, "milestones")) == 22


# 1. Adding records.

# (command line, stdout, noun, ref, fields as stored) with only the required fields: refs are
# generated as the next number after the highest of that form (C12 → C13, WS09 → WS10, V04 →
# V05, A11 → A12), from 01 when there is none (SCHWARZMAN does not count as a site number).
MINIMAL_ADDS = [
    (
        ("add-institution", "University of Manchester", "--ref", "MAN", "--kind", "university"),
        out("Added institution MAN: University of Manchester"),
        "institution",
        "MAN",
        {"name": "University of Manchester", "kind": "university", "region": None},
    ),
    (
        ("add-institution", "Manchester Metropolitan University", "--kind", "university"),
        out("Added institution I01: Manchester Metropolitan University"),
        "institution",
        "I01",
        {"name": "Manchester Metropolitan University", "kind": "university", "region": None},
    ),
    (
        ("add-person", "Dr Asha Patel", "--institution", "LIV"),
        out("Added person P01: Dr Asha Patel"),
        "person",
        "P01",
        {"name": "Dr Asha Patel", "role": None, "institution": "LIV"},
    ),
    (
        ("add-site", "Sci-Tech Daresbury"),
        out("Added site S01: Sci-Tech Daresbury"),
        "site",
        "S01",
        {
            "name": "Sci-Tech Daresbury",
            "kind": "other",
            "parent": None,
            "operator": None,
            "location": None,
        },
    ),
    (
        ("add-party", "STFC", "--role", "partner"),
        out("Added STFC to the MoU as a partner party."),
        "party",
        "STFC",
        {
            "institution": "STFC",
            "role": "partner",
            "signatory": None,
            "signatory_title": None,
            "signed": None,
        },
    ),
    (
        ("add-theme", "Quantum technologies"),
        out("Added theme T01: Quantum technologies"),
        "theme",
        "T01",
        {"name": "Quantum technologies", "parent": None},
    ),
    (
        ("add-commitment", "Share national facilities", "--theme", "CHEM", "--lead", "LIV"),
        out("Added commitment C13: Share national facilities"),
        "commitment",
        "C13",
        {"theme": "CHEM", "text": "Share national facilities", "lead": "LIV"},
    ),
    (
        ("add-workstream", "Battery materials", "--theme", "CHEM", "--lead", "LIV"),
        out("Added workstream WS10: Battery materials"),
        "workstream",
        "WS10",
        {
            "name": "Battery materials",
            "theme": "CHEM",
            "lead": "LIV",
            "partners": [],
            "owner": None,
            "commitments": [],
            "status": "planned",
        },
    ),
    (
        ("add-visit", "Daresbury delegation", "--date", "21/01/2027", "--host", "LIV"),
        # 21/01 cannot be read month-first, so there is no note.
        out("Added visit V05: Daresbury delegation", "  date: Thu 21 Jan 2027"),
        "visit",
        "V05",
        {
            "title": "Daresbury delegation",
            "kind": "site_visit",
            "date": "2027-01-21",
            "end": None,
            "sites": [],
            "host": "LIV",
            "attendees": [],
            "purpose": None,
            "outcomes": None,
            "themes": [],
            "status": "planned",
        },
    ),
    (
        ("add-board-meeting", "Programme board", "--date", "25/03/2027"),
        out("Added board meeting BM04: Programme board", "  date: Thu 25 Mar 2027"),
        "board meeting",
        "BM04",
        {
            "title": "Programme board",
            "date": "2027-03-25",
            "status": "planned",
            "chair": None,
            "attendees": [],
            "venue": None,
            "minutes": None,
            "decisions": None,
        },
    ),
    (
        ("add-action", "Circulate the visit note", "--visit", "V04"),
        out("Added action A12: Circulate the visit note"),
        "action",
        "A12",
        {
            "visit": "V04",
            "meeting": None,
            "text": "Circulate the visit note",
            "owner": None,
            "due": None,
            "status": "open",
            "completed": None,
        },
    ),
    (
        # An action may follow nothing at all.
        ("add-action", "Renew the shared drive"),
        out("Added action A12: Renew the shared drive"),
        "action",
        "A12",
        {
            "visit": None,
            "meeting": None,
            "text": "Renew the shared drive",
            "owner": None,
            "due": None,
            "status": "open",
            "completed": None,
        },
    ),
]


@pytest.mark.parametrize(
    ("args", "stdout", "noun", "ref", "fields"),
    MINIMAL_ADDS,
    ids=[f"{case[0][0]}-{case[3]}" for case in MINIMAL_ADDS],
)
def test_add_with_the_required_fields(
    example_cli: Cli,
    example_db: Database,
    args: tuple[str, ...],
    stdout: str,
    noun: str,
    ref: str,
    fields: dict[str, Any],
) -> None:
    before = counts(example_db)
    assert ok(example_cli(*args)) == stdout
    assert stored(example_cli, noun, ref) == fields
    # One row more in the kind's table (named like the noun) and nowhere else.
    table = noun.replace(" ", "_")
    assert counts(example_db) == {**before, table: before[table] + 1}


# The same with every option given, refs in any case: lists, defaults that depend on other
# records (a party's signatory title is the person's role) and the notes on dates.
FULL_ADDS = [
    (
        (
            "add-institution",
            "  University of Manchester ",
            "--ref",
            "man",
            "--kind",
            "UNIVERSITY",
            "--region",
            "Greater Manchester",
        ),
        out("Added institution MAN: University of Manchester"),
        "institution",
        "MAN",
        {"name": "University of Manchester", "kind": "university", "region": "Greater Manchester"},
    ),
    (
        ("add-person", "Dr Asha Patel", "--ref", "ap", "--institution", "liv", "--role", "Lead"),
        out("Added person AP: Dr Asha Patel"),
        "person",
        "AP",
        {"name": "Dr Asha Patel", "role": "Lead", "institution": "LIV"},
    ),
    (
        (
            "add-site",
            "Sci-Tech Daresbury",
            "--ref",
            "sci-tech",
            "--kind",
            "campus",
            "--parent",
            "daresbury",
            "--operator",
            "stfc",
            "--location",
            "Halton, Cheshire",
        ),
        out("Added site SCI-TECH: Sci-Tech Daresbury"),
        "site",
        "SCI-TECH",
        {
            "name": "Sci-Tech Daresbury",
            "kind": "campus",
            "parent": "DARESBURY",
            "operator": "STFC",
            "location": "Halton, Cheshire",
        },
    ),
    (
        (
            "add-party",
            "stfc",
            "--role",
            "observer",
            "--signatory",
            "fairbairn",
            "--signed",
            "2026-03-02",
        ),
        out("Added STFC to the MoU as an observer party.", "  signed: Mon 2 Mar 2026"),
        "party",
        "STFC",
        {
            "institution": "STFC",
            "role": "observer",
            "signatory": "FAIRBAIRN",
            "signatory_title": "Industry Liaison Manager, Daresbury Laboratory",
            "signed": "2026-03-02",
        },
    ),
    (
        ("add-theme", "Quantum technologies", "--ref", "quant", "--parent", "chem"),
        out("Added theme QUANT: Quantum technologies"),
        "theme",
        "QUANT",
        {"name": "Quantum technologies", "parent": "CHEM"},
    ),
    (
        (
            "add-commitment",
            "Share national facilities,\nand the data they produce.",
            "--ref",
            "c-share",
            "--theme",
            "life-vax",
            "--lead",
            "dls",
        ),
        out("Added commitment C-SHARE: Share national facilities,", "and the data they produce."),
        "commitment",
        "C-SHARE",
        {
            "theme": "LIFE-VAX",
            "text": "Share national facilities,\nand the data they produce.",
            "lead": "DLS",
        },
    ),
    (
        (
            "add-workstream",
            "Battery materials",
            "--theme",
            "chem",
            "--lead",
            "liv",
            "--partners",
            "oxf, occ,",
            "--owner",
            "caddick",
            "--commitments",
            "C02,c01",
            "--status",
            "LIVE",
        ),
        out("Added workstream WS10: Battery materials"),
        "workstream",
        "WS10",
        {
            "name": "Battery materials",
            "theme": "CHEM",
            "lead": "LIV",
            "partners": ["OCC", "OXF"],
            "owner": "CADDICK",
            "commitments": ["C01", "C02"],
            "status": "live",
        },
    ),
    (
        (
            "add-visit",
            "Daresbury delegation",
            "--kind",
            "delegation",
            "--date",
            "03/04/2027",
            "--end",
            "2027-04-05",
            "--host",
            "liv",
            "--sites",
            "DARESBURY,harwell",
            "--attendees",
            "jones:HOST, morley ,okonjo:speaker",
            "--purpose",
            "Line one\nline two",
            "--themes",
            "grow,chem",
            "--status",
            "confirmed",
        ),
        out(
            "Added visit V05: Daresbury delegation",
            "  date: Sat 3 Apr 2027",
            "  end: Mon 5 Apr 2027",
            "  (03/04/2027 read day-first as Sat 3 Apr 2027)",
        ),
        "visit",
        "V05",
        {
            "title": "Daresbury delegation",
            "kind": "delegation",
            "date": "2027-04-03",
            "end": "2027-04-05",
            "sites": ["DARESBURY", "HARWELL"],
            "host": "LIV",
            "attendees": [
                {"person": "JONES", "role": "host"},
                {"person": "MORLEY", "role": "delegate"},
                {"person": "OKONJO", "role": "speaker"},
            ],
            "purpose": "Line one\nline two",
            "outcomes": None,
            "themes": ["CHEM", "GROW"],
            "status": "confirmed",
        },
    ),
    (
        ("add-action", "Book the room", "--visit", "v04", "--owner", "fairbairn", "--due", "+10w"),
        out(
            "Added action A12: Book the room",
            "  due: Sat 6 Feb 2027",
            "  (+10w is Sat 6 Feb 2027)",
        ),
        "action",
        "A12",
        {
            "visit": "V04",
            "meeting": None,
            "text": "Book the room",
            "owner": "FAIRBAIRN",
            "due": "2027-02-06",
            "status": "open",
            "completed": None,
        },
    ),
    (
        # A completed date alone makes the action done.
        ("add-action", "Sent the note", "--visit", "V04", "--completed", "today"),
        out(
            "Added action A12: Sent the note",
            "  completed: Sat 28 Nov 2026",
            "  (today is Sat 28 Nov 2026)",
        ),
        "action",
        "A12",
        {
            "visit": "V04",
            "meeting": None,
            "text": "Sent the note",
            "owner": None,
            "due": None,
            "status": "done",
            "completed": "2026-11-28",
        },
    ),
    (
        (
            "add-board-meeting",
            "Programme board: annual review",
            "--ref",
            "bm-2027",
            "--date",
            "2027-02-25",
            "--status",
            "PLANNED",
            "--chair",
            "morley",
            "--attendees",
            "varghese,tracey,jones",
            "--venue",
            "Online",
            "--minutes",
            "PB/2027/01",
            "--decisions",
            "Agreed the review's terms",
        ),
        out(
            "Added board meeting BM-2027: Programme board: annual review", "  date: Thu 25 Feb 2027"
        ),
        "board meeting",
        "BM-2027",
        {
            "title": "Programme board: annual review",
            "date": "2027-02-25",
            "status": "planned",
            "chair": "MORLEY",
            "attendees": ["JONES", "TRACEY", "VARGHESE"],
            "venue": "Online",
            "minutes": "PB/2027/01",
            "decisions": "Agreed the review's terms",
        },
    ),
    (
        # An action agreed at a board meeting, due on the day of the meeting at the earliest.
        ("add-action", "Write up the decisions", "--meeting", "bm03", "--due", "10/12/2026"),
        out(
            "Added action A12: Write up the decisions",
            "  due: Thu 10 Dec 2026",
            "  (10/12/2026 read day-first as Thu 10 Dec 2026)",
        ),
        "action",
        "A12",
        {
            "visit": None,
            "meeting": "BM03",
            "text": "Write up the decisions",
            "owner": None,
            "due": "2026-12-10",
            "status": "open",
            "completed": None,
        },
    ),
]


@pytest.mark.parametrize(
    ("args", "stdout", "noun", "ref", "fields"),
    FULL_ADDS,
    ids=[f"{case[0][0]}-{case[3]}-{n}" for n, case in enumerate(FULL_ADDS)],
)
def test_add_with_every_option(
    example_cli: Cli,
    args: tuple[str, ...],
    stdout: str,
    noun: str,
    ref: str,
    fields: dict[str, Any],
) -> None:
    assert ok(example_cli(*args)) == stdout
    assert stored(example_cli, noun, ref) == fields
    assert missing_refs(example_cli) == []


def test_text_is_stored_in_one_unicode_form(example_cli: Cli) -> None:
    decomposed = unicodedata.normalize("NFD", "Zoë Hart")
    assert decomposed != "Zoë Hart"
    stdout = ok(example_cli("add-person", decomposed, "--ref", "ZH", "--institution", "OCC"))
    assert stdout == out("Added person ZH: Zoë Hart")
    assert stored(example_cli, "person", "ZH")["name"] == "Zoë Hart"


@pytest.mark.parametrize(
    ("first", "then"),
    [
        # The number keeps the widest width in use, at least two digits.
        (("add-action", "First", "--visit", "V01", "--ref", "A099"), "A100"),
        (("add-action", "First", "--visit", "V01", "--ref", "A7"), "A12"),
        (
            ("add-workstream", "First", "--theme", "CHEM", "--lead", "LIV", "--ref", "WS0041"),
            "WS0042",
        ),
        # Numbering follows the highest number, not the count, and skips other forms of ref.
        (("add-commitment", "First", "--theme", "CHEM", "--lead", "LIV", "--ref", "C40"), "C41"),
        (("add-visit", "First", "--date", "today", "--host", "OXF", "--ref", "V-X9"), "V05"),
        (("add-site", "First", "--ref", "S9X"), "S01"),
    ],
)
def test_a_generated_ref_follows_the_highest_number(
    example_cli: Cli, first: tuple[str, ...], then: str
) -> None:
    ok(example_cli(*first))
    command = first[0]
    rest = first[2:-2]  # the same required options, without --ref
    stdout = ok(example_cli(command, "Second", *rest))
    assert stdout.splitlines()[0] == f"Added {command[4:]} {then}: Second"


def test_generated_refs_count_up(example_cli: Cli) -> None:
    for expected in ("WS10", "WS11", "WS12"):
        stdout = ok(example_cli("add-workstream", "New", "--theme", "GROW", "--lead", "OCC"))
        assert stdout == out(f"Added workstream {expected}: New")
    assert sorted(listed(example_cli, "workstreams"))[-3:] == ["WS10", "WS11", "WS12"]


def test_add_on_an_empty_database(cli: Cli, db: Database) -> None:
    # Institutions, people and sites stand alone; themes belong to an MoU, and there is none.
    assert ok(cli("add-institution", "Lone", "--kind", "other")) == out(
        "Added institution I01: Lone"
    )
    assert ok(cli("add-site", "Lone site", "--operator", "i01")) == out("Added site S01: Lone site")
    refused(
        cli,
        db,
        ("add-theme", "Orphan"),
        "no MoU in this database yet: load a programme with `mou import FILE.toml`",
    )
    refused(cli, db, ("update-mou", MOU, "--review", "today"), f"ref: no MoU with ref '{MOU}'")
    assert counts(db)["institution"] == 1


# 2. Updating records.

# (command line, stdout, noun, key, the fields that change as stored afterwards). Refs are typed
# in lower case on purpose: input is case-insensitive.
UPDATES = [
    (
        ("update-institution", "liv", "--region", "Merseyside"),
        out("Updated institution LIV:", "  region: Liverpool City Region → Merseyside"),
        "institution",
        "LIV",
        {"region": "Merseyside"},
    ),
    (
        ("update-institution", "OCC", "--kind", "OTHER", "--name", "Oxfordshire CC"),
        out(
            "Updated institution OCC:",
            "  name: Oxfordshire County Council → Oxfordshire CC",
            "  kind: local_authority → other",
        ),
        "institution",
        "OCC",
        {"name": "Oxfordshire CC", "kind": "other"},
    ),
    (
        ("update-person", "varghese", "--role", "Director of partnerships", "--institution", "oxf"),
        out(
            "Updated person VARGHESE:",
            "  role: Head of Strategic Partnerships → Director of partnerships",
            "  institution: LIV → OXF",
        ),
        "person",
        "VARGHESE",
        {"role": "Director of partnerships", "institution": "OXF"},
    ),
    (
        ("update-site", "diamond", "--kind", "laboratory", "--operator", "stfc"),
        out("Updated site DIAMOND:", "  kind: facility → laboratory", "  operator: DLS → STFC"),
        "site",
        "DIAMOND",
        {"kind": "laboratory", "operator": "STFC"},
    ),
    (
        ("update-party", "occ", "--role", "partner"),
        out("Updated party OCC:", "  role: signatory → partner"),
        "party",
        "OCC",
        {"role": "partner"},
    ),
    (
        ("update-theme", "life-wh", "--name", "Women's health research", "--parent", "clim"),
        out(
            "Updated theme LIFE-WH:",
            "  name: Women's health → Women's health research",
            "  parent: LIFE → CLIM",
        ),
        "theme",
        "LIFE-WH",
        {"name": "Women's health research", "parent": "CLIM"},
    ),
    (
        ("update-commitment", "c05", "--lead", "oxf"),
        out("Updated commitment C05:", "  lead: LIV → OXF"),
        "commitment",
        "C05",
        {"lead": "OXF"},
    ),
    (
        ("update-workstream", "ws09", "--status", "live", "--owner", "molyneux"),
        out(
            "Updated workstream WS09:",
            "  owner: CHANDRASEKAR → MOLYNEUX",
            "  status: planned → live",
        ),
        "workstream",
        "WS09",
        {"owner": "MOLYNEUX", "status": "live"},
    ),
    (
        ("update-workstream", "WS01", "--partners", "occ,oxf", "--commitments", "C01"),
        out(
            "Updated workstream WS01:",
            "  partners: DLS, OXF, STFC → OCC, OXF",
            "  commitments: C01, C02 → C01",
        ),
        "workstream",
        "WS01",
        {"partners": ["OCC", "OXF"], "commitments": ["C01"]},
    ),
    (
        ("update-visit", "v04", "--status", "completed", "--outcomes", "Agreed a joint bid"),
        out(
            "Updated visit V04:",
            "  outcomes: none → Agreed a joint bid",
            "  status: confirmed → completed",
        ),
        "visit",
        "V04",
        {"outcomes": "Agreed a joint bid", "status": "completed"},
    ),
    (
        (
            "update-visit",
            "V04",
            "--attendees",
            "FAIRBAIRN:host,JONES",
            "--sites",
            "DARESBURY,HARWELL",
        ),
        out(
            "Updated visit V04:",
            "  sites: DARESBURY → DARESBURY, HARWELL",
            "  attendees: CHANDRASEKAR (delegate), ESTERHUIZEN (delegate), FAIRBAIRN (host), "
            "MORLEY (delegate) → FAIRBAIRN (host), JONES (delegate)",
        ),
        "visit",
        "V04",
        {
            "sites": ["DARESBURY", "HARWELL"],
            "attendees": [
                {"person": "FAIRBAIRN", "role": "host"},
                {"person": "JONES", "role": "delegate"},
            ],
        },
    ),
    (
        ("update-visit", "V03", "--date", "2026-10-07"),
        out("Updated visit V03:", "  date: Thu 8 Oct 2026 → Wed 7 Oct 2026"),
        "visit",
        "V03",
        {"date": "2026-10-07"},
    ),
    (
        ("update-action", "a04", "--status", "done", "--completed", "2026-11-27"),
        out("Updated action A04:", "  status: open → done", "  completed: none → Fri 27 Nov 2026"),
        "action",
        "A04",
        {"status": "done", "completed": "2026-11-27"},
    ),
    (
        ("update-action", "A06", "--due", "eom"),
        out(
            "Updated action A06:",
            "  due: Fri 8 Jan 2027 → Mon 30 Nov 2026",
            "  (end of month is Mon 30 Nov 2026 (Nov 2026))",
        ),
        "action",
        "A06",
        {"due": "2026-11-30"},
    ),
]


@pytest.mark.parametrize(
    ("args", "stdout", "noun", "key", "changes"),
    UPDATES,
    ids=[f"{case[0][0]}-{case[3]}-{n}" for n, case in enumerate(UPDATES)],
)
def test_update_changes_only_the_fields_given(
    example_cli: Cli,
    args: tuple[str, ...],
    stdout: str,
    noun: str,
    key: str,
    changes: dict[str, Any],
) -> None:
    before = stored(example_cli, noun, key)
    assert all(before[name] != value for name, value in changes.items())
    assert ok(example_cli(*args)) == stdout
    assert stored(example_cli, noun, key) == {**before, **changes}


# Clearing optional fields: `none` (any case) or `-` for refs, lists and dates; "" for text.
CLEARS = [
    (
        ("update-institution", "OXF", "--region", ""),
        out("Updated institution OXF:", "  region: Oxfordshire → none"),
        "institution",
        "OXF",
        {"region": None},
    ),
    (
        ("update-person", "VARGHESE", "--role", ""),
        out("Updated person VARGHESE:", "  role: Head of Strategic Partnerships → none"),
        "person",
        "VARGHESE",
        {"role": None},
    ),
    (
        ("update-site", "DIAMOND", "--parent", "none", "--operator", "NONE"),
        out("Updated site DIAMOND:", "  parent: HARWELL → none", "  operator: DLS → none"),
        "site",
        "DIAMOND",
        {"parent": None, "operator": None},
    ),
    (
        ("update-site", "DIAMOND", "--location", "   "),
        out("Updated site DIAMOND:", "  location: Harwell Campus, Didcot, Oxfordshire → none"),
        "site",
        "DIAMOND",
        {"location": None},
    ),
    (
        ("update-party", "OXF", "--signatory", "none", "--signed", "none"),
        out("Updated party OXF:", "  signatory: TRACEY → none", "  signed: Thu 19 Feb 2026 → none"),
        "party",
        "OXF",
        {"signatory": None, "signed": None},
    ),
    (
        ("update-party", "LIV", "--signatory-title", ""),
        out(
            "Updated party LIV:",
            "  signatory_title: Vice-Chancellor, University of Liverpool → none",
        ),
        "party",
        "LIV",
        {"signatory_title": None},
    ),
    (
        ("update-theme", "LIFE-VAX", "--parent", "-"),
        out("Updated theme LIFE-VAX:", "  parent: LIFE → none"),
        "theme",
        "LIFE-VAX",
        {"parent": None},
    ),
    (
        ("update-workstream", "WS01", "--partners", "none", "--owner", "none", "--commitments", ""),
        out(
            "Updated workstream WS01:",
            "  partners: DLS, OXF, STFC → none",
            "  owner: CADDICK → none",
            "  commitments: C01, C02 → none",
        ),
        "workstream",
        "WS01",
        {"partners": [], "owner": None, "commitments": []},
    ),
    (
        ("update-visit", "V04", "--end", "none", "--purpose", ""),
        out(
            "Updated visit V04:",
            "  end: Fri 22 Jan 2027 → none",
            "  purpose: Give Oxford and Oxfordshire colleagues a first-hand view of Liverpool's "
            "work with STFC at Daresbury, as the counterpart to the Harwell visit. → none",
        ),
        "visit",
        "V04",
        {"end": None, "purpose": None},
    ),
    (
        ("update-visit", "V03", "--sites", "none", "--attendees", "-", "--themes", "None"),
        out(
            "Updated visit V03:",
            "  sites: HARWELL → none",
            "  attendees: BRANNIGAN (delegate), CADDICK (delegate), FAIRBAIRN (host), "
            "OKONJO (speaker) → none",
            "  themes: CHEM → none",
        ),
        "visit",
        "V03",
        {"sites": [], "attendees": [], "themes": []},
    ),
    (
        ("update-action", "A05", "--owner", "none", "--due", ""),
        out("Updated action A05:", "  owner: CADDICK → none", "  due: Sat 5 Dec 2026 → none"),
        "action",
        "A05",
        {"owner": None, "due": None},
    ),
    (
        ("update-mou", MOU, "--review", "none", "--venue", ""),
        out(
            f"Updated MoU {MOU}:",
            "  review: Fri 19 Feb 2027 → none",
            "  venue: Schwarzman Centre for the Humanities, University of Oxford → none",
        ),
        "mou",
        MOU,
        {"review": None, "venue": None},
    ),
]


@pytest.mark.parametrize(
    ("args", "stdout", "noun", "key", "changes"),
    CLEARS,
    ids=[f"{case[0][0]}-{case[3]}-{n}" for n, case in enumerate(CLEARS)],
)
def test_update_clears_optional_fields(
    example_cli: Cli,
    args: tuple[str, ...],
    stdout: str,
    noun: str,
    key: str,
    changes: dict[str, Any],
) -> None:
    before = stored(example_cli, noun, key)
    assert all(before[name] not in (None, []) for name in changes)
    assert ok(example_cli(*args)) == stdout
    assert stored(example_cli, noun, key) == {**before, **changes}
    assert missing_refs(example_cli) == []


@pytest.mark.parametrize(
    ("args", "stdout"),
    [
        (("update-institution", "oxf", "--region", " Oxfordshire "), "Institution OXF"),
        (("update-workstream", "WS01", "--partners", "dls,oxf,stfc"), "Workstream WS01"),
        (("update-theme", "CHEM", "--parent", "none"), "Theme CHEM"),
        (("update-party", "OXF", "--role", "signatory"), "Party OXF"),
        (("update-action", "A04", "--completed", "none"), "Action A04"),
    ],
)
def test_update_to_the_same_values_changes_nothing(
    example_cli: Cli, example_db: Database, args: tuple[str, ...], stdout: str
) -> None:
    before = records(example_db)
    assert ok(example_cli(*args)) == out(f"{stdout} already had those values; nothing changed.")
    assert records(example_db) == before


MOU_UPDATES = [
    (
        ("--review", "2027-03-31"),
        out(f"Updated MoU {MOU}:", "  review: Fri 19 Feb 2027 → Wed 31 Mar 2027"),
        {"review": "2027-03-31"},
    ),
    (
        ("--review", "03/04/2027"),
        out(
            f"Updated MoU {MOU}:",
            "  review: Fri 19 Feb 2027 → Sat 3 Apr 2027",
            "  (03/04/2027 read day-first as Sat 3 Apr 2027)",
        ),
        {"review": "2027-04-03"},
    ),
    (
        # Unambiguous day-first: nothing to say about it.
        ("--review", "19/03/2027"),
        out(f"Updated MoU {MOU}:", "  review: Fri 19 Feb 2027 → Fri 19 Mar 2027"),
        {"review": "2027-03-19"},
    ),
    (
        ("--review", "+3m"),
        out(
            f"Updated MoU {MOU}:",
            "  review: Fri 19 Feb 2027 → Sun 28 Feb 2027",
            "  (+3m is Sun 28 Feb 2027)",
        ),
        {"review": "2027-02-28"},
    ),
    (
        ("--status", "under_review", "--renewal-notice-months", "6", "--binding"),
        out(
            f"Updated MoU {MOU}:",
            "  status: active → under_review",
            "  renewal_notice_months: 12 → 6",
            "  binding: no → yes",
        ),
        {"status": "under_review", "renewal_notice_months": 6, "binding": True},
    ),
    (
        ("--title", "Oxford\u2013Liverpool MoU", "--expires", "2031-02-19"),
        out(
            f"Updated MoU {MOU}:",
            "  title: Oxford\u2013Liverpool strategic partnership: Memorandum of Understanding → "
            "Oxford\u2013Liverpool MoU",
            "  expires: Tue 18 Feb 2031 → Wed 19 Feb 2031",
        ),
        {"title": "Oxford\u2013Liverpool MoU", "expires": "2031-02-19"},
    ),
]


@pytest.mark.parametrize(("options", "stdout", "changes"), MOU_UPDATES)
def test_update_mou(
    example_cli: Cli, options: tuple[str, ...], stdout: str, changes: dict[str, Any]
) -> None:
    before = stored(example_cli, "mou", MOU)
    assert ok(example_cli("update-mou", MOU.lower(), *options)) == stdout
    assert stored(example_cli, "mou", MOU) == {**before, **changes}


def test_update_mou_back_and_forth(example_cli: Cli) -> None:
    ok(example_cli("update-mou", MOU, "--not-binding", "--binding"))
    assert ok(example_cli("update-mou", MOU, "--not-binding")) == out(
        f"Updated MoU {MOU}:", "  binding: yes → no"
    )
    assert stored(example_cli, "mou", MOU)["binding"] is False


def test_update_mou_to_the_same_values_changes_nothing(
    example_cli: Cli, example_db: Database
) -> None:
    before = records(example_db)
    assert ok(example_cli("update-mou", MOU, "--review", "19/02/2027", "--not-binding")) == out(
        f"MoU {MOU} already had those values; nothing changed."
    )
    assert records(example_db) == before


# 3. Refused changes: one line on stderr, exit 1, nothing written.

LONG_NAME = "x" * 201
LONG_TEXT = "y" * 2001

ERRORS = [
    # A ref field that names nothing.
    (
        ("add-commitment", "X", "--theme", "CHEM", "--lead", "NOPE"),
        "lead: no institution with ref 'NOPE'",
    ),
    (
        ("add-commitment", "X", "--theme", "nope", "--lead", "LIV"),
        "theme: no theme with ref 'NOPE'",
    ),
    (
        ("add-person", "X", "--institution", "nowhere"),
        "institution: no institution with ref 'NOWHERE'",
    ),
    (("add-site", "X", "--parent", "NOPE"), "parent: no site with ref 'NOPE'"),
    (("add-party", "nope", "--role", "partner"), "institution: no institution with ref 'NOPE'"),
    (
        ("add-party", "STFC", "--role", "partner", "--signatory", "NOPE"),
        "signatory: no person with ref 'NOPE'",
    ),
    (
        ("add-workstream", "X", "--theme", "CHEM", "--lead", "LIV", "--partners", "OXF,NOPE"),
        "partners: no institution with ref 'NOPE'",
    ),
    (
        ("add-workstream", "X", "--theme", "CHEM", "--lead", "LIV", "--owner", "NOPE"),
        "owner: no person with ref 'NOPE'",
    ),
    (
        ("add-workstream", "X", "--theme", "CHEM", "--lead", "LIV", "--commitments", "C99"),
        "commitments: no commitment with ref 'C99'",
    ),
    (
        ("add-visit", "X", "--date", "2027-01-05", "--host", "OXF", "--sites", "NOPE"),
        "sites: no site with ref 'NOPE'",
    ),
    (
        ("add-visit", "X", "--date", "2027-01-05", "--host", "OXF", "--attendees", "NOPE:host"),
        "attendees: no person with ref 'NOPE'",
    ),
    (
        ("add-visit", "X", "--date", "2027-01-05", "--host", "OXF", "--themes", "CHEM,NOPE"),
        "themes: no theme with ref 'NOPE'",
    ),
    (("add-action", "X", "--visit", "V99"), "visit: no visit with ref 'V99'"),
    (("update-theme", "CHEM", "--parent", "NOPE"), "parent: no theme with ref 'NOPE'"),
    (("update-action", "A01", "--owner", "NOPE"), "owner: no person with ref 'NOPE'"),
    (
        ("update-workstream", "WS01", "--lead", "HARWELL-X"),
        "lead: no institution with ref 'HARWELL-X'; did you mean HARWELL?",
    ),
    # A site ref is not an institution ref, even where both exist under that name elsewhere.
    (
        ("add-commitment", "X", "--theme", "CHEM", "--lead", "DIAMOND"),
        "lead: no institution with ref 'DIAMOND'",
    ),
    # Duplicates.
    (
        ("add-workstream", "X", "--ref", "ws01", "--theme", "CHEM", "--lead", "LIV"),
        "ref: a workstream with ref WS01 already exists",
    ),
    (("add-theme", "X", "--ref", "CHEM"), "ref: a theme with ref CHEM already exists"),
    (
        ("add-person", "X", "--ref", "tracey", "--institution", "OXF"),
        "ref: a person with ref TRACEY already exists",
    ),
    (("add-site", "X", "--ref", "harwell"), "ref: a site with ref HARWELL already exists"),
    (
        ("add-commitment", "X", "--ref", "C01", "--theme", "CHEM", "--lead", "LIV"),
        "ref: a commitment with ref C01 already exists",
    ),
    (
        ("add-visit", "X", "--ref", "V01", "--date", "today", "--host", "OXF"),
        "ref: a visit with ref V01 already exists",
    ),
    (("add-party", "oxf", "--role", "partner"), "institution: OXF is already a party to this MoU"),
    (
        ("add-workstream", "X", "--theme", "CHEM", "--lead", "LIV", "--partners", "OXF,oxf"),
        "partners: OXF listed more than once",
    ),
    (
        (
            "add-visit",
            "X",
            "--date",
            "2027-01-05",
            "--host",
            "OXF",
            "--attendees",
            "TRACEY,tracey:host",
        ),
        "attendees: TRACEY listed more than once",
    ),
    # Dates.
    (
        ("add-action", "X", "--visit", "V01", "--due", "31/02/2027"),
        "--due: 31/02/2027 is not a day of the calendar: February 2027 has 28 days",
    ),
    (
        ("add-visit", "X", "--date", "2027-1-5", "--host", "OXF"),
        f"--date: {DATE_FORM}; got '2027-1-5'",
    ),
    (("update-visit", "V04", "--end", "22/13/2027"), f"--end: {DATE_FORM}; got '22/13/2027'"),
    (("update-mou", MOU, "--review", "next tuesday"), f"--review: {DATE_FORM}; got 'next tuesday'"),
    (("update-party", "OXF", "--signed", "2026"), f"--signed: {DATE_FORM}; got '2026'"),
    (
        ("add-visit", "X", "--date", "2027-01-05", "--end", "2027-01-04", "--host", "OXF"),
        "end: 2027-01-04 is before date (2027-01-05)",
    ),
    (("update-visit", "V04", "--end", "2027-01-20"), "end: 2027-01-20 is before date (2027-01-21)"),
    (
        ("update-visit", "V04", "--date", "2027-01-23"),
        "end: 2027-01-22 is before date (2027-01-23)",
    ),
    (
        ("update-mou", MOU, "--expires", "2026-01-01"),
        "expires: 2026-01-01 is before effective (2026-02-19)",
    ),
    # Parent loops.
    (
        ("update-theme", "CHEM", "--parent", "chem"),
        "parent: CHEM is CHEM itself or one of its sub-themes",
    ),
    (
        ("update-theme", "LIFE", "--parent", "LIFE-VAX"),
        "parent: LIFE-VAX is LIFE itself or one of its sub-themes",
    ),
    (
        ("update-site", "HARWELL", "--parent", "DIAMOND"),
        "parent: DIAMOND is HARWELL itself or one of its sub-sites",
    ),
    (
        ("update-site", "DIAMOND", "--parent", "diamond"),
        "parent: DIAMOND is DIAMOND itself or one of its sub-sites",
    ),
    # Required fields: cleared, empty or missing.
    (
        ("update-person", "TRACEY", "--institution", "none"),
        "institution: required; it cannot be cleared",
    ),
    (("update-workstream", "WS01", "--theme", "none"), "theme: required; it cannot be cleared"),
    (("update-workstream", "WS01", "--lead", "-"), "lead: required; it cannot be cleared"),
    (("update-commitment", "C01", "--lead", "NONE"), "lead: required; it cannot be cleared"),
    (("update-visit", "V01", "--date", "none"), "date: required; it cannot be cleared"),
    (("update-visit", "V01", "--host", "none"), "host: required; it cannot be cleared"),
    (("update-institution", "OXF", "--name", ""), "name: must not be empty"),
    (("update-commitment", "C01", "--text", "   "), "text: must not be empty"),
    (("update-mou", MOU, "--title", ""), "title: must not be empty"),
    (("add-institution", "", "--kind", "other"), "name: must not be empty"),
    (("add-institution", "X"), "kind: required"),
    (("add-person", "X"), "institution: required"),
    (("add-party", "STFC"), "role: required"),
    (("add-commitment", "X", "--theme", "CHEM"), "lead: required"),
    (("add-workstream", "X", "--lead", "LIV"), "theme: required"),
    (("add-visit", "X", "--host", "OXF"), "date: required"),
    (("add-visit", "X", "--date", "", "--host", "OXF"), "date: required"),
    (("update-workstream", "WS01"), "nothing to change: give at least one option (see --help)"),
    # Over-long text.
    (("add-institution", LONG_NAME, "--kind", "other"), "name: at most 200 characters (got 201)"),
    (("update-workstream", "WS01", "--name", LONG_NAME), "name: at most 200 characters (got 201)"),
    (("update-mou", MOU, "--venue", LONG_NAME), "venue: at most 200 characters (got 201)"),
    (
        ("add-commitment", LONG_TEXT, "--theme", "CHEM", "--lead", "LIV"),
        "text: at most 2000 characters (got 2001)",
    ),
    (
        ("update-visit", "V04", "--purpose", LONG_TEXT),
        "purpose: at most 2000 characters (got 2001)",
    ),
    # Control characters (a newline only in long text).
    (
        ("add-institution", "Bad\x07name", "--kind", "other"),
        "name: control characters are not allowed (found U+0007)",
    ),
    (
        ("update-institution", "OXF", "--region", "Ox\tford"),
        "region: control characters are not allowed (found U+0009)",
    ),
    (
        ("update-theme", "CHEM", "--name", "Two\nlines"),
        "name: control characters are not allowed (found U+000A)",
    ),
    (
        ("update-visit", "V04", "--outcomes", "ok\x1b[31m"),
        "outcomes: control characters are not allowed (found U+001B)",
    ),
    (
        ("add-person", "Nul\x00byte", "--institution", "OXF"),
        "name: control characters are not allowed (found U+0000)",
    ),
    # Refs that are not refs.
    (
        ("add-institution", "X", "--ref", "bad ref", "--kind", "other"),
        f"ref: {REF_FORM}; got 'bad ref'",
    ),
    (("add-institution", "X", "--ref", "-X", "--kind", "other"), f"ref: {REF_FORM}; got '-X'"),
    (
        ("add-institution", "X", "--ref", "A" * 33, "--kind", "other"),
        f"ref: {REF_FORM}; got '{'A' * 33}'",
    ),
    (("add-commitment", "X", "--theme", "CHEM", "--lead", "L/V"), f"lead: {REF_FORM}; got 'L/V'"),
    (
        ("add-visit", "X", "--date", "today", "--host", "OXF", "--attendees", "bad ref"),
        f"attendees.person: {REF_FORM}; got 'bad ref'",
    ),
    (("update-workstream", "WS 01", "--status", "live"), f"ref: {REF_FORM}; got 'WS 01'"),
    (("remove-institution", "bad ref"), f"ref: {REF_FORM}; got 'bad ref'"),
    (("remove-party", "bad ref"), f"institution: {REF_FORM}; got 'bad ref'"),
    # Rules between fields.
    (
        ("add-action", "X", "--visit", "V01", "--status", "done"),
        "completed: required when status is done",
    ),
    (
        ("update-action", "A04", "--completed", "2026-11-27"),
        "status: must be done when completed is set",
    ),
    (("update-action", "A01", "--completed", "none"), "completed: required when status is done"),
    (("update-action", "A01", "--status", "open"), "status: must be done when completed is set"),
    # An action follows a visit or a board meeting (or nothing), and is not due before it.
    (
        ("add-action", "X", "--visit", "V01", "--meeting", "BM01"),
        "visit: an action follows a visit or a board meeting, not both",
    ),
    (
        ("update-action", "A09", "--visit", "V02"),
        "visit: an action follows a visit or a board meeting, not both",
    ),
    (
        ("add-action", "X", "--visit", "V03", "--due", "2026-10-07"),
        "due: 2026-10-07 is before visit V03 (2026-10-08)",
    ),
    (
        ("add-action", "X", "--meeting", "BM02", "--due", "2026-09-16"),
        "due: 2026-09-16 is before meeting BM02 (2026-09-17)",
    ),
    (
        ("update-action", "A10", "--due", "2026-09-01"),
        "due: 2026-09-01 is before meeting BM02 (2026-09-17)",
    ),
    (("add-action", "X", "--meeting", "BM99"), "meeting: no board meeting with ref 'BM99'"),
    (("update-board-meeting", "BM01", "--date", "none"), "date: required; it cannot be cleared"),
    (("add-board-meeting", "X"), "date: required"),
    (
        ("add-party", "STFC", "--role", "partner", "--signed", "2026-03-01"),
        "signatory: required when signed is set",
    ),
    (("update-party", "OXF", "--signatory", "none"), "signatory: required when signed is set"),
    (
        ("update-mou", MOU, "--renewal-notice-months", "10001"),
        "renewal_notice_months: expected a whole number from 0 to 120",
    ),
    (
        ("update-mou", MOU, "--renewal-notice-months", "-1"),
        "renewal_notice_months: expected a whole number from 0 to 120",
    ),
    (
        ("update-visit", "V04", "--attendees", "FAIRBAIRN:boss"),
        "attendees.role: expected one of host, delegate, signatory, speaker, observer; got 'boss'",
    ),
    # The record to change does not exist.
    (("update-institution", "nope", "--name", "X"), "ref: no institution with ref 'NOPE'"),
    (("update-person", "NOPE", "--role", "X"), "ref: no person with ref 'NOPE'"),
    (("update-site", "NOPE", "--location", "X"), "ref: no site with ref 'NOPE'"),
    (("update-party", "STFC", "--role", "partner"), "institution: STFC is not a party to this MoU"),
    (("update-theme", "NOPE", "--name", "X"), "ref: no theme with ref 'NOPE'"),
    (("update-commitment", "C99", "--text", "X"), "ref: no commitment with ref 'C99'"),
    (("update-workstream", "WS99", "--name", "X"), "ref: no workstream with ref 'WS99'"),
    (("update-visit", "V99", "--title", "X"), "ref: no visit with ref 'V99'"),
    (("update-action", "A99", "--text", "X"), "ref: no action with ref 'A99'"),
    (("update-mou", "NOPE", "--review", "2027-01-01"), "ref: no MoU with ref 'NOPE'"),
]


@pytest.mark.parametrize(
    ("args", "message"), ERRORS, ids=[f"{n:02d}-{case[0][0]}" for n, case in enumerate(ERRORS)]
)
def test_refused_with_one_line_and_nothing_written(
    example_cli: Cli, example_db: Database, args: tuple[str, ...], message: str
) -> None:
    refused(example_cli, example_db, args, message)


def test_a_theme_cannot_move_under_its_own_grandchild(
    example_cli: Cli, example_db: Database
) -> None:
    ok(example_cli("add-theme", "Mpox vaccines", "--ref", "VAX-MPOX", "--parent", "LIFE-VAX"))
    refused(
        example_cli,
        example_db,
        ("update-theme", "life", "--parent", "vax-mpox"),
        "parent: VAX-MPOX is LIFE itself or one of its sub-themes",
    )
    # Moving it elsewhere in the tree is fine, and the tree is not a loop afterwards.
    assert ok(example_cli("update-theme", "VAX-MPOX", "--parent", "CLIM")) == out(
        "Updated theme VAX-MPOX:", "  parent: LIFE-VAX → CLIM"
    )
    assert ok(example_cli("update-theme", "LIFE", "--parent", "GROW")) == out(
        "Updated theme LIFE:", "  parent: none → GROW"
    )
    refused(
        example_cli,
        example_db,
        ("update-theme", "GROW", "--parent", "LIFE-WH"),
        "parent: LIFE-WH is GROW itself or one of its sub-themes",
    )


def test_a_refused_update_leaves_every_field_as_it_was(
    example_cli: Cli, example_db: Database
) -> None:
    # The first option is fine, the second is not: neither is written.
    refused(
        example_cli,
        example_db,
        ("update-workstream", "WS01", "--name", "Renamed", "--owner", "NOPE"),
        "owner: no person with ref 'NOPE'",
    )
    assert stored(example_cli, "workstream", "WS01")["name"] == (
        "Materials chemistry and national facilities"
    )


# Usage errors come from the parser: exit 2, a usage line and a boxed message, no traceback.
USAGE_ERRORS = [
    (
        ("add-institution", "Y", "--kind", "bogus"),
        "Invalid value for '--kind': Value error, 'bogus' is not one of 'university', "
        "'combined_authority', 'local_authority', 'research_council', 'national_facility', "
        "'company', 'other'.",
    ),
    (
        ("update-workstream", "WS01", "--status", "bogus"),
        "Invalid value for '--status': Value error, 'bogus' is not one of 'planned', 'live', "
        "'finished', 'closed_early', 'on_hold', 'cancelled'.",
    ),
    (
        ("update-visit", "V04", "--status", "done"),
        "Invalid value for '--status': Value error, 'done' is not one of 'planned', "
        "'confirmed', 'completed', 'postponed', 'cancelled'.",
    ),
    (
        ("add-party", "STFC", "--role", "chair"),
        "Invalid value for '--role': Value error, 'chair' is not one of 'signatory', 'partner', "
        "'host', 'funder', 'observer'.",
    ),
    (
        ("update-mou", MOU, "--renewal-notice-months", "six"),
        "Invalid value for '--renewal-notice-months': Input should be a valid integer, unable "
        "to parse string as an integer",
    ),
    (("add-institution", "Y", "--kind", "other", "--bogus", "1"), "No such option: --bogus"),
    (
        ("update-institution", "OXF", "--ref", "OXON"),
        "No such option: --ref (Possible options: --region)",
    ),
    (("add-institution", "Y", "--kind"), "Option '--kind' requires an argument."),
    (("add-institution",), "Missing argument 'NAME'."),
    (("add-party",), "Missing argument 'INSTITUTION'."),
    (("update-workstream",), "Missing argument 'REF'."),
    (("update-party", "--role", "partner"), "Missing argument 'INSTITUTION'."),
    (("remove-workstream",), "Missing argument 'REF'."),
    (("remove-person", "MORLEY", "EXTRA"), "Got unexpected extra argument(s) (EXTRA)"),
]


@pytest.mark.parametrize(
    ("args", "message"), USAGE_ERRORS, ids=[" ".join(case[0]) for case in USAGE_ERRORS]
)
def test_usage_errors_exit_2_without_a_traceback(
    example_cli: Cli, example_db: Database, args: tuple[str, ...], message: str
) -> None:
    before = snapshot(example_db)
    result = example_cli(*args)
    assert (result.exit_code, result.stdout) == (2, ""), result
    assert usage_message(result.stderr) == message
    # Every line belongs to the usage error (no traceback), and any usage line is the command's.
    parts = (f"Usage: mou {args[0]} [OPTIONS] ", f"Try 'mou {args[0]} -h' for help.", *"╭│╰")
    assert all(line.startswith(parts) for line in result.stderr.splitlines()), result.stderr
    assert snapshot(example_db) == before


# 4. Removing records.

REFUSED_REMOVALS = [
    (
        ("remove-institution", "oxf"),
        "institution OXF is used by commitment C03 (lead), commitment C04 (lead), commitment C06 "
        "(lead), commitment C07 (lead), commitment C12 (lead) and 26 more",
    ),
    (
        ("remove-theme", "CHEM"),
        "theme CHEM is used by commitment C01 (theme), commitment C02 (theme), risk R01 "
        "(theme), visit V01 (themes), visit V02 (themes) and 3 more",
    ),
    (
        ("remove-theme", "LIFE"),
        "theme LIFE is used by theme LIFE-IPC (parent), theme LIFE-NEURO (parent), theme "
        "LIFE-VAX (parent), theme LIFE-WH (parent), visit V01 (themes) and 1 more",
    ),
    (
        ("remove-person", "caddick"),
        "person CADDICK is used by action A03 (owner), action A05 (owner), board meeting BM01 "
        "(attendees), board meeting BM02 (attendees), board meeting BM03 (attendees) and 7 more",
    ),
    (
        ("remove-person", "TRACEY"),
        "person TRACEY is used by party OXF (signatory), visit V01 (attendees)",
    ),
    (
        ("remove-workstream", "WS01"),
        "workstream WS01 is used by milestone MS-04 (workstream), milestone MS-10 (workstream), "
        "milestone MS-14 (workstream), milestone MS-20 (workstream), risk R01 (workstream)",
    ),
    (("remove-visit", "V03"), "visit V03 is used by action A05 (visit), action A06 (visit)"),
    (
        ("remove-site", "HARWELL"),
        "site HARWELL is used by site DIAMOND (parent), visit V02 (sites), visit V03 (sites)",
    ),
    (
        ("remove-commitment", "C12"),
        "commitment C12 is used by workstream WS00 (commitments), workstream WS08 (commitments)",
    ),
]


@pytest.mark.parametrize(
    ("args", "message"), REFUSED_REMOVALS, ids=[" ".join(case[0]) for case in REFUSED_REMOVALS]
)
def test_remove_is_refused_while_the_record_is_in_use(
    example_cli: Cli, example_db: Database, args: tuple[str, ...], message: str
) -> None:
    refused(example_cli, example_db, args, message + IN_USE)


def test_the_refusal_names_the_same_dependents_as_show(
    example_cli: Cli, example_db: Database
) -> None:
    shown = json.loads(ok(example_cli("show", "OXF", "--kind", "institutions", "-f", "json")))
    users = [f"{item['kind']} {item['ref']} ({item['field']})" for item in shown["referenced_by"]]
    assert len(users) == 31
    assert users[:5] == [
        "commitment C03 (lead)",
        "commitment C04 (lead)",
        "commitment C06 (lead)",
        "commitment C07 (lead)",
        "commitment C12 (lead)",
    ]
    refused(
        example_cli,
        example_db,
        ("remove-institution", "OXF"),
        f"institution OXF is used by {', '.join(users[:5])} and {len(users) - 5} more{IN_USE}",
    )


def test_remove_a_workstream_with_cascade_removes_its_milestones(
    example_cli: Cli, example_db: Database
) -> None:
    before = counts(example_db)
    assert ok(example_cli("remove-workstream", "ws01", "--cascade")) == out(
        "Removed workstream WS01.",
        "  also removed milestone MS-04",
        "  also removed milestone MS-10",
        "  also removed milestone MS-14",
        "  also removed milestone MS-20",
        # A risk may name a workstream or not: the link is cleared, the risk stays.
        "  cleared risk R01 workstream (was WS01)",
    )
    milestones = listed(example_cli, "milestones")
    assert len(milestones) == 18
    assert {"MS-04", "MS-10", "MS-14", "MS-20"} & set(milestones) == set()
    assert "WS01" not in listed(example_cli, "workstreams")
    # Its own lists (3 partners, 2 commitments) go with it, and its milestones' dependencies
    # (MS-14 on MS-10, MS-20 on MS-14); nothing else changes.
    assert counts(example_db) == {
        **before,
        "workstream": before["workstream"] - 1,
        "milestone": before["milestone"] - 4,
        "workstream_partner": before["workstream_partner"] - 3,
        "workstream_commitment": before["workstream_commitment"] - 2,
        "milestone_dependency": before["milestone_dependency"] - 2,
    }
    gone = example_cli("show", "MS-04")
    assert (gone.exit_code, gone.stderr) == (1, "error: ref: no record has the ref 'MS-04'\n")
    assert missing_refs(example_cli) == []


def test_remove_a_person_with_cascade_clears_links_instead_of_removing(
    example_cli: Cli, example_db: Database
) -> None:
    before = counts(example_db)
    assert ok(example_cli("remove-person", "CADDICK", "--cascade")) == out(
        "Removed person CADDICK.",
        # A risk cannot exist without its owner (the one removal here).
        "  also removed risk R01",
        "  cleared action A03 owner (was CADDICK)",
        "  cleared action A05 owner (was CADDICK)",
        "  took CADDICK out of board meeting BM01 attendees",
        "  took CADDICK out of board meeting BM02 attendees",
        "  took CADDICK out of board meeting BM03 attendees",
        "  cleared milestone MS-04 owner (was CADDICK)",
        "  cleared milestone MS-14 owner (was CADDICK)",
        "  cleared milestone MS-20 owner (was CADDICK)",
        "  took CADDICK out of visit V02 attendees",
        "  took CADDICK out of visit V03 attendees",
        "  cleared workstream WS01 owner (was CADDICK)",
    )
    assert stored(example_cli, "workstream", "WS01")["owner"] is None
    assert stored(example_cli, "milestone", "MS-04")["owner"] is None
    assert stored(example_cli, "action", "A03")["owner"] is None
    assert stored(example_cli, "visit", "V03")["attendees"] == [
        {"person": "BRANNIGAN", "role": "delegate"},
        {"person": "FAIRBAIRN", "role": "host"},
        {"person": "OKONJO", "role": "speaker"},
    ]
    assert "CADDICK" not in stored(example_cli, "board meeting", "BM02")["attendees"]
    # Only the person, five attendee rows and the risk (with its earlier score) went; the
    # records that pointed at them stay.
    assert counts(example_db) == {
        **before,
        "person": before["person"] - 1,
        "visit_attendee": before["visit_attendee"] - 2,
        "risk": before["risk"] - 1,
        "risk_score": before["risk_score"] - 1,
        "board_meeting_attendee": before["board_meeting_attendee"] - 3,
    }
    assert missing_refs(example_cli) == []


def test_remove_a_visit_with_cascade_keeps_its_actions_as_stand_alone(
    example_cli: Cli, example_db: Database
) -> None:
    """An action may follow nothing, so removing its visit clears the link and the action
    stays, with its owner and due date, to be dealt with or removed on its own."""
    before = counts(example_db)
    assert ok(example_cli("remove-visit", "V03", "--cascade")) == out(
        "Removed visit V03.",
        "  cleared action A05 visit (was V03)",
        "  cleared action A06 visit (was V03)",
    )
    assert len(listed(example_cli, "actions")) == 11
    assert stored(example_cli, "action", "A05")["visit"] is None
    assert stored(example_cli, "action", "A05")["owner"] == "CADDICK"
    assert counts(example_db) == {
        **before,
        "visit": before["visit"] - 1,
        "visit_attendee": before["visit_attendee"] - 4,
        "visit_site": before["visit_site"] - 1,
        "visit_theme": before["visit_theme"] - 1,
    }


def test_remove_a_site_with_cascade_clears_parents_and_list_entries(example_cli: Cli) -> None:
    assert ok(example_cli("remove-site", "HARWELL", "--cascade")) == out(
        "Removed site HARWELL.",
        "  cleared site DIAMOND parent (was HARWELL)",
        "  took HARWELL out of visit V02 sites",
        "  took HARWELL out of visit V03 sites",
    )
    assert stored(example_cli, "site", "DIAMOND")["parent"] is None
    assert stored(example_cli, "visit", "V02")["sites"] == ["DIAMOND"]
    assert stored(example_cli, "visit", "V03")["sites"] == []
    assert missing_refs(example_cli) == []


def test_remove_a_theme_with_cascade(example_cli: Cli) -> None:
    assert ok(example_cli("remove-theme", "LIFE", "--cascade")) == out(
        "Removed theme LIFE.",
        "  also removed milestone MS-12",
        "  also removed workstream WS05",
        "  cleared theme LIFE-IPC parent (was LIFE)",
        "  cleared theme LIFE-NEURO parent (was LIFE)",
        "  cleared theme LIFE-VAX parent (was LIFE)",
        "  cleared theme LIFE-WH parent (was LIFE)",
        "  took LIFE out of visit V01 themes",
    )
    themes = listed(example_cli, "themes")
    assert "LIFE" not in themes
    assert themes["LIFE-VAX"]["parent"] is None
    assert "WS05" not in listed(example_cli, "workstreams")
    assert stored(example_cli, "visit", "V01")["themes"] == ["ACAD", "CHEM", "CLIM", "GROW"]
    assert missing_refs(example_cli) == []


def test_remove_a_commitment_with_cascade_takes_it_out_of_workstreams(example_cli: Cli) -> None:
    assert ok(example_cli("remove-commitment", "C12", "--cascade")) == out(
        "Removed commitment C12.",
        "  took C12 out of workstream WS00 commitments",
        "  took C12 out of workstream WS08 commitments",
    )
    assert stored(example_cli, "workstream", "WS00")["commitments"] == []
    assert "C12" not in listed(example_cli, "commitments")


OXF_CASCADE_REMOVED = [
    "Removed institution OXF.",
    "  also removed commitment C03",
    "  also removed commitment C04",
    "  also removed commitment C06",
    "  also removed commitment C07",
    "  also removed commitment C12",
    "  also removed milestone MS-01",
    "  also removed milestone MS-02",
    "  also removed milestone MS-03",
    "  also removed milestone MS-05",
    "  also removed milestone MS-06",
    "  also removed milestone MS-12",
    "  also removed milestone MS-13",
    "  also removed milestone MS-18",
    "  also removed party OXF",
    # The risks and assumptions of the people removed with it: each needs its owner.
    "  also removed risk R03",
    "  also removed person BRANNIGAN",
    "  also removed person ESTERHUIZEN",
    "  also removed person HUXTABLE",
    "  also removed assumption AS02",
    "  also removed risk R06",
    "  also removed risk R08",
    "  also removed person MORLEY",
    "  also removed person TRACEY",
    "  also removed visit V01",
    "  also removed workstream WS00",
    "  also removed workstream WS02",
    "  also removed workstream WS03",
    "  also removed workstream WS05",
]
# The links cleared on records that survive: OXF and the people removed with it taken out of
# lists, and the operator of the venue cleared.
OXF_CASCADE_CLEARED_ON_SURVIVORS = [
    "  took C12 out of workstream WS08 commitments",
    "  took BRANNIGAN out of board meeting BM02 attendees",
    "  took BRANNIGAN out of board meeting BM03 attendees",
    "  took BRANNIGAN out of visit V03 attendees",
    "  took ESTERHUIZEN out of board meeting BM03 attendees",
    "  took ESTERHUIZEN out of visit V04 attendees",
    "  cleared MoU OXF-LIV-2026 owner (was MORLEY)",
    "  cleared action A01 owner (was MORLEY)",
    "  cleared action A02 owner (was MORLEY)",
    "  cleared action A07 owner (was MORLEY)",
    "  cleared action A11 owner (was MORLEY)",
    "  cleared board meeting BM01 chair (was MORLEY)",
    "  cleared board meeting BM02 chair (was MORLEY)",
    "  cleared board meeting BM03 chair (was MORLEY)",
    "  took MORLEY out of visit V02 attendees",
    "  took MORLEY out of visit V04 attendees",
    "  cleared site SCHWARZMAN operator (was OXF)",
    "  cleared action A01 visit (was V01)",
    "  cleared action A02 visit (was V01)",
    "  took OXF out of workstream WS01 partners",
    "  took OXF out of workstream WS04 partners",
    "  took OXF out of workstream WS06 partners",
    "  took OXF out of workstream WS07 partners",
    "  took OXF out of workstream WS08 partners",
    "  took OXF out of workstream WS09 partners",
]


def _removed_records(lines: list[str]) -> set[str]:
    return {
        " ".join(line.split()[-2:]).rstrip(".")
        for line in lines
        if line.startswith(("Removed ", "  also removed "))
    }


def _about(line: str) -> str:
    """'  took OXF out of visit V02 attendees' or '  cleared site S1 operator (was OXF)'
    -> the record changed: 'visit V02', 'site S1'."""
    words = line.split()
    if words[0] == "took":
        return " ".join(words[-3:-1])
    return " ".join(words[1:3])


def test_remove_an_institution_with_cascade_goes_all_the_way_down(
    example_cli: Cli, example_db: Database
) -> None:
    lines = ok(example_cli("remove-institution", "OXF", "--cascade")).splitlines()
    assert lines[: len(OXF_CASCADE_REMOVED)] == OXF_CASCADE_REMOVED
    cleared = lines[len(OXF_CASCADE_REMOVED) :]
    # Only changes to records that survive are reported: the rest were removed.
    assert cleared == OXF_CASCADE_CLEARED_ON_SURVIVORS
    removed = _removed_records(lines)
    assert [line for line in cleared if _about(line) in removed] == []
    # What is left is whole: nothing points at a removed record.
    assert "OXF" not in listed(example_cli, "institutions")
    assert sorted(listed(example_cli, "parties")) == ["LCRCA", "LIV", "OCC"]
    assert missing_refs(example_cli) == []
    assert len(listed(example_cli, "milestones")) == 22 - 8
    assert sorted(listed(example_cli, "workstreams")) == [
        "WS01",
        "WS04",
        "WS06",
        "WS07",
        "WS08",
        "WS09",
    ]
    assert counts(example_db)["person"] == 15 - 5


def test_remove_an_institution_that_is_a_party(example_cli: Cli, example_db: Database) -> None:
    ok(
        example_cli(
            "add-institution", "University of Manchester", "--ref", "MAN", "--kind", "other"
        )
    )
    ok(example_cli("add-party", "MAN", "--role", "partner"))
    refused(
        example_cli,
        example_db,
        ("remove-institution", "MAN"),
        f"institution MAN is used by party MAN (institution){IN_USE}",
    )
    assert ok(example_cli("remove-institution", "man", "--cascade")) == out(
        "Removed institution MAN.", "  also removed party MAN"
    )
    assert sorted(listed(example_cli, "parties")) == ["LCRCA", "LIV", "OCC", "OXF"]


@pytest.mark.parametrize(
    ("args", "stdout", "table", "also"),
    [
        # Its own lists go with it: 3 partners and 1 commitment.
        (
            ("remove-workstream", "ws09"),
            "Removed workstream WS09.",
            "workstream",
            {"workstream_partner": -3, "workstream_commitment": -1},
        ),
        (("remove-action", "A06"), "Removed action A06.", "action", {}),
        # A milestone takes the list of what it depends on with it (MS-21 on MS-19).
        (
            ("remove-milestone", "ms-21"),
            "Removed milestone MS-21.",
            "milestone",
            {"milestone_dependency": -1},
        ),
        # A re-scored risk takes its score history with it.
        (("remove-risk", "r01"), "Removed risk R01.", "risk", {"risk_score": -1}),
    ],
)
def test_remove_a_record_nobody_uses(
    example_cli: Cli,
    example_db: Database,
    args: tuple[str, ...],
    stdout: str,
    table: str,
    also: dict[str, int],
) -> None:
    before = counts(example_db)
    assert ok(example_cli(*args)) == stdout + "\n"
    changes = {table: -1, **also}
    assert counts(example_db) == {
        name: count + changes.get(name, 0) for name, count in before.items()
    }


def test_remove_a_party(example_cli: Cli, example_db: Database) -> None:
    before = counts(example_db)
    assert ok(example_cli("remove-party", "OXF")) == out("Removed party OXF.")
    assert sorted(listed(example_cli, "parties")) == ["LCRCA", "LIV", "OCC"]
    assert counts(example_db) == {**before, "party": before["party"] - 1}


def test_remove_a_party_just_added(example_cli: Cli, example_db: Database) -> None:
    before = records(example_db)
    ok(example_cli("add-party", "STFC", "--role", "partner"))
    assert ok(example_cli("remove-party", "stfc")) == out("Removed party STFC.")
    assert records(example_db) == before


# Each kind: add a record nobody uses, then remove it; the database is as it was.
ADD_THEN_REMOVE = [
    (("add-institution", "X", "--ref", "NEW", "--kind", "other"), "institution", "NEW"),
    (("add-person", "X", "--ref", "NEW", "--institution", "OXF"), "person", "NEW"),
    (("add-site", "X", "--ref", "NEW", "--parent", "HARWELL"), "site", "NEW"),
    (("add-theme", "X", "--ref", "NEW", "--parent", "CHEM"), "theme", "NEW"),
    (
        ("add-commitment", "X", "--ref", "NEW", "--theme", "CHEM", "--lead", "OXF"),
        "commitment",
        "NEW",
    ),
    (
        (
            "add-workstream",
            "X",
            "--ref",
            "NEW",
            "--theme",
            "CHEM",
            "--lead",
            "OXF",
            "--partners",
            "LIV",
            "--commitments",
            "C01",
        ),
        "workstream",
        "NEW",
    ),
    (
        (
            "add-visit",
            "X",
            "--ref",
            "NEW",
            "--date",
            "today",
            "--host",
            "OXF",
            "--sites",
            "HARWELL",
            "--attendees",
            "TRACEY",
            "--themes",
            "CHEM",
        ),
        "visit",
        "NEW",
    ),
    (("add-action", "X", "--ref", "NEW", "--visit", "V01", "--owner", "MORLEY"), "action", "NEW"),
]


@pytest.mark.parametrize(
    ("args", "noun", "ref"), ADD_THEN_REMOVE, ids=[case[1] for case in ADD_THEN_REMOVE]
)
def test_add_then_remove_leaves_the_database_as_it_was(
    example_cli: Cli, example_db: Database, args: tuple[str, ...], noun: str, ref: str
) -> None:
    before = records(example_db)
    ok(example_cli(*args))
    assert records(example_db) != before
    assert ok(example_cli(f"remove-{noun}", ref.lower())) == out(f"Removed {noun} {ref}.")
    assert records(example_db) == before


@pytest.mark.parametrize(
    ("noun", "ref"),
    [
        ("institution", "nope"),
        ("person", "NOPE"),
        ("site", "NOPE"),
        ("party", "STFC"),  # an institution, but not a party
        ("theme", "NOPE"),
        ("commitment", "C99"),
        ("workstream", "WS99"),
        ("visit", "V99"),
        ("action", "A99"),
        ("milestone", "MS-99"),
    ],
)
def test_remove_an_unknown_ref(example_cli: Cli, example_db: Database, noun: str, ref: str) -> None:
    refused(
        example_cli,
        example_db,
        (f"remove-{noun}", ref, "--cascade"),
        "institution: STFC is not a party to this MoU"
        if noun == "party"
        else f"ref: no {noun} with ref '{ref.upper()}'",
    )


# 5. Refs are case-insensitive on input.


def test_refs_are_case_insensitive_on_input(example_cli: Cli) -> None:
    assert ok(example_cli("update-workstream", "ws01", "--status", "On_Hold")) == out(
        "Updated workstream WS01:", "  status: live → on_hold"
    )
    assert ok(
        example_cli(
            "add-institution", "University of Manchester", "--ref", "man", "--kind", "university"
        )
    ) == out("Added institution MAN: University of Manchester")
    shown = json.loads(ok(example_cli("show", "man", "--format", "json")))
    assert (shown["kind"], shown["ref"]) == ("institution", "MAN")
    assert ok(example_cli("update-commitment", "c01", "--lead", "Man")) == out(
        "Updated commitment C01:", "  lead: LIV → MAN"
    )
    # The upper-case ref is the one stored: a second add in another case is a duplicate.
    second = example_cli("add-institution", "Again", "--ref", "Man", "--kind", "other")
    assert second.exit_code == 1
    assert second.stderr.endswith(" with ref MAN already exists\n")


# Bugs found while writing these tests, now fixed: each test states what should happen.


def _promised_clears() -> list[Any]:
    """Every option of an update command whose help says "('none' clears it)"."""
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    by_command = {f"update-{kind.command_noun}": kind for kind in kinds.KINDS}
    cases = []
    for name, command in sorted(group.commands.items()):
        for param in command.params:
            if "('none' clears it)" not in (getattr(param, "help", None) or ""):
                continue
            assert param.name is not None
            assert by_command[name].field(param.name).field_type in CLEARED_BY_NONE
            cases.append(pytest.param(name, param.name, id=f"{name} {param.name}"))
    return cases


# Choices and numbers are typed options: 'none' is not one of their values, so their help
# does not promise it.
CLEARED_BY_NONE = {
    FieldType.TEXT,
    FieldType.LONG_TEXT,
    FieldType.DATE,
    FieldType.PERIOD,
    FieldType.NUMBER,
    FieldType.REF,
    FieldType.REFS,
    FieldType.ROWS,
}

# A record of each kind on which clearing any optional field breaks no rule.
CLEARABLE = {
    "update-institution": "OXF",
    "update-person": "VARGHESE",
    "update-site": "DIAMOND",
    "update-party": "OXF",
    "update-theme": "LIFE-VAX",
    "update-workstream": "WS01",
    "update-visit": "V04",
    "update-board-meeting": "BM02",
    "update-action": "A05",
    "update-mou": MOU,
    "update-risk": "R03",
    "update-issue": "ISS-01",
    "update-assumption": "AS01",
    "update-kpi": "KPI-03",
}


def test_every_update_command_with_optional_fields_promises_none() -> None:
    # The cases below cover every update command; a commitment has no optional field.
    promised = {case.values[0] for case in _promised_clears()}
    assert promised == set(CLEARABLE)


@pytest.mark.parametrize(("command", "field"), _promised_clears())
def test_none_clears_an_optional_field_as_the_help_says(
    example_cli: Cli, command: str, field: str
) -> None:
    key = CLEARABLE[command]
    if command == "update-party":  # a signed party needs its signatory: unsign it first
        ok(example_cli("update-party", key, "--signed", "none"))
    result = example_cli(command, key, "--" + field.replace("_", "-"), "none")
    assert (result.exit_code, result.stderr) == (0, ""), result
    noun = command.removeprefix("update-").replace("-", " ")
    assert stored(example_cli, noun, key)[field] in (None, [])


def test_text_none_is_not_stored_as_the_word_none(example_cli: Cli) -> None:
    # What a user sees: the confirmation says the region is now "none", and it looks cleared.
    assert ok(example_cli("update-institution", "OXF", "--region", "none")) == out(
        "Updated institution OXF:", "  region: Oxfordshire → none"
    )
    assert stored(example_cli, "institution", "OXF")["region"] is None


@pytest.mark.parametrize(
    ("args", "noun"),
    [
        (("update-workstream", "WS01", "--partners", "STFC,OXF,DLS"), "Workstream WS01"),
        (
            (
                "update-visit",
                "V04",
                "--attendees",
                "MORLEY,FAIRBAIRN:host,ESTERHUIZEN,CHANDRASEKAR",
            ),
            "Visit V04",
        ),
    ],
)
def test_reordering_a_list_is_not_a_change(
    example_cli: Cli, example_db: Database, args: tuple[str, ...], noun: str
) -> None:
    before = records(example_db)
    result = ok(example_cli(*args))
    assert records(example_db) == before
    assert result == out(f"{noun} already had those values; nothing changed.")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("add-institution", "X", "--ref", "OXF", "--kind", "other"),
            "ref: an institution with ref OXF already exists",
        ),
        (
            ("add-action", "X", "--ref", "a01", "--visit", "V01"),
            "ref: an action with ref A01 already exists",
        ),
    ],
)
def test_a_duplicate_ref_message_uses_the_right_article(
    example_cli: Cli, example_db: Database, args: tuple[str, ...], message: str
) -> None:
    refused(example_cli, example_db, args, message)


def test_show_a_party(example_cli: Cli) -> None:
    document = json.loads(ok(example_cli("show", "OXF", "--kind", "parties", "-f", "json")))
    assert document["fields"]["signatory"] == "TRACEY"


def test_a_cascade_leaves_no_record_breaking_a_rule(example_cli: Cli) -> None:
    result = example_cli("remove-person", "TRACEY", "--cascade")
    assert (result.exit_code, result.stderr) == (
        1,
        "error: --cascade: clearing party OXF signatory would break a rule (signatory: "
        "required when signed is set); change party OXF first\n",
    )
    party = listed(example_cli, "parties")["OXF"]
    assert party["signed"] is None or party["signatory"] is not None
    # The party is left whole, so it can still be edited.
    assert ok(example_cli("update-party", "OXF", "--role", "partner")) == out(
        "Updated party OXF:", "  role: signatory → partner"
    )


def test_a_cascade_reports_each_change_once_and_only_on_survivors(example_cli: Cli) -> None:
    lines = ok(example_cli("remove-institution", "OXF", "--cascade")).splitlines()
    removed = _removed_records(lines)
    cleared = lines[len(OXF_CASCADE_REMOVED) :]
    assert [line for line in cleared if _about(line) in removed] == []
    assert len(cleared) == len(set(cleared))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("update-milestone", "MS-20", "--depends-on", ","),
            "--depends-on: expected refs such as OXF,LIV, or none to clear the list; got an "
            "empty entry in ','",
        ),
        (
            ("update-workstream", "WS01", "--partners", ","),
            "--partners: expected refs such as OXF,LIV, or none to clear the list; got an empty "
            "entry in ','",
        ),
        (
            ("update-workstream", "WS01", "--partners", "OXF,,LIV"),
            "--partners: expected refs such as OXF,LIV, or none to clear the list; got an empty "
            "entry in 'OXF,,LIV'",
        ),
        (
            ("update-visit", "V01", "--attendees", " , "),
            "--attendees: expected entries person:role, separated by commas, or none to clear "
            "the list; got an empty entry in ' , '",
        ),
    ],
)
def test_an_empty_list_entry_is_refused_rather_than_clearing_the_list(
    example_cli: Cli, example_db: Database, args: tuple[str, ...], message: str
) -> None:
    """'none' (or an empty value) clears a list; a stray comma silently emptied or shortened
    it (a visit's attendees, a milestone's dependencies). A comma at the end is forgiven."""
    refused(example_cli, example_db, args, message)


@pytest.mark.parametrize(
    ("entries", "shown"),
    [
        ("JONES:", "'JONES:'"),
        ("JONES:host:speaker", "'JONES:host:speaker'"),
        (":host", "':host'"),
        ("MORLEY, JONES : ", "'JONES :'"),
    ],
)
def test_an_entry_with_an_empty_or_extra_part_is_refused(
    example_cli: Cli, example_db: Database, entries: str, shown: str
) -> None:
    """'JONES:' recorded Jones with the default role, and a third part was dropped: a slip
    is refused, naming the entry, and nothing is written."""
    refused(
        example_cli,
        example_db,
        ("update-visit", "V01", "--attendees", entries),
        "--attendees: expected person:role, leaving parts out only at the end, with their "
        f"':'; got {shown}",
    )
