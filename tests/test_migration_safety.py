"""Migration safety: the traps docs/guarantees.md describes ("Migrations"), on every backend.

1. Upgrading a populated database from every earlier revision to head keeps every row.
2. Up, down and up again gives the same schema, for every revision.
3. A migration that fails halfway leaves nothing behind and can be re-run once fixed.
4. A migration that breaks a foreign key is refused at commit and leaves nothing behind.

The database under test is filled with SQLAlchemy Core against tables *reflected* at the
revision under test, never through the ORM: the models describe head, not an older revision.
Every table that exists at that revision must get rows (a new table without a row builder
fails the test), and the rows exercise the schema: NFC and NFD text, emoji, right-to-left text,
NULL in every nullable column, strings at the length their column allows, dates at the edges
of the calendar, link tables, parent and child rows, and ON DELETE CASCADE children.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel, select
from typer.testing import CliRunner, Result

import tracker.models  # noqa: F401  (registers head's tables on SQLModel.metadata)
from tests.conftest import TERMINAL_ENV, PostgresServer
from tracker.db import current_revision, make_engine
from tracker.errors import DatabaseError
from tracker.migrate import (
    current,
    downgrade,
    known_revisions,
    migrations_dir,
    open_database,
    upgrade,
)

HEAD = known_revisions()[-1]
EARLIER = known_revisions()[:-1]

# ---------------------------------------------------------------------------------------------
# Values that exercise the schema
# ---------------------------------------------------------------------------------------------

NULLS, MAX, NFC, NFD, EMOJI, RTL = "nulls", "max", "nfc", "nfd", "emoji", "rtl"
# Every kind of record gets one row per variant; row ``id`` n has variant VARIANTS[n - 1].
VARIANTS = (NULLS, MAX, NFC, NFD, EMOJI, RTL)
IDS = range(1, len(VARIANTS) + 1)

_ACCENTED = "Zoë Brontë met Ångström at the Café in Malmö"
TEXT = {
    NFC: unicodedata.normalize("NFC", _ACCENTED),
    NFD: unicodedata.normalize("NFD", _ACCENTED),
    EMOJI: "🤝 Partnership signed 👩🏽‍🔬🧪 🇬🇧 🏳️‍🌈 ✅",
    RTL: "\u200fشراكة الابتكار بين الجامعات — שיתוף פעולה אקדמי\u200f",  # noqa: RUF001
}
# A short value for NOT NULL text in the all-NULL row: quotes, percent and backslash.
PLAIN = 'O\'Brien said "100%" \\ done;'
# Upper-case refs (refs carry a `ref = upper(ref)` check; Hebrew and emoji have no case).
REF_SUFFIX = {
    NULLS: "",
    NFC: unicodedata.normalize("NFC", "-ÉÅÖ"),
    NFD: unicodedata.normalize("NFD", "-ÉÅÖ"),
    EMOJI: "-🤝✅",
    RTL: "-שלום",
}
# Code points, cycled to a column's full length: multi-byte, combining, emoji, RTL, quotes.
MAX_PATTERN = "Zoë" + unicodedata.normalize("NFD", "é") + "🤝ש" + "ع'\"%\\ "
MAX_REF_PATTERN = "ÉΩ🤝Ж"
DATES = {
    NULLS: dt.date(1, 1, 1),  # also the value of NOT NULL dates in the all-NULL row
    MAX: dt.date(9999, 12, 31),
    NFC: dt.date(2024, 2, 29),
    NFD: dt.date(1970, 1, 1),
    EMOJI: dt.date(1999, 12, 31),
    RTL: dt.date(2000, 2, 29),
}
DATETIMES = {
    NULLS: dt.datetime(1, 1, 1, 0, 0, 0),
    MAX: dt.datetime(9999, 12, 31, 23, 59, 59, 999999),
    NFC: dt.datetime(2024, 2, 29, 12, 0, 0, 1),
    NFD: dt.datetime(1970, 1, 1, 0, 0, 0),
    EMOJI: dt.datetime(2026, 3, 29, 1, 30, 0),  # the hour the UK clocks skip
    RTL: dt.datetime(2026, 10, 25, 1, 30, 0),  # the hour the UK clocks repeat
}
INT_MAX = 2**31 - 1  # the largest PostgreSQL INTEGER
LONG_TEXT = 100_000  # code points for unbounded text in the "max" row


def test_the_sample_text_really_differs_by_normal_form() -> None:
    assert TEXT[NFC] != TEXT[NFD]
    assert (len(TEXT[NFC]), len(TEXT[NFD])) == (44, 50)
    assert REF_SUFFIX[NFC] != REF_SUFFIX[NFD]


def _fit(pattern: str, length: int) -> str:
    text = (pattern * (length // len(pattern) + 1))[:length]
    assert len(text) == length
    return text


def _ref(table: str, number: int, variant: str, length: int) -> str:
    stem = f"{table[:10].upper()}-{number}"
    if variant == MAX:
        return stem + _fit("-" + MAX_REF_PATTERN, length - len(stem))
    return stem + REF_SUFFIX[variant]


def _sample(table: str, column: sa.Column[Any], number: int, variant: str) -> Any:
    """A value for a column the row builder left to us, chosen by the row's variant."""
    type_ = column.type
    where = f"{table}.{column.name}"
    if column.foreign_keys or (column.primary_key and isinstance(type_, sa.Integer)):
        raise AssertionError(f"{where}: keys are chosen by the row builder; give it a value")
    if variant == NULLS and column.nullable:
        return None
    if isinstance(type_, sa.Boolean):
        return variant == MAX or number % 2 == 0
    if isinstance(type_, sa.DateTime):
        return DATETIMES[variant]
    if isinstance(type_, sa.Date):
        return DATES[variant]
    if isinstance(type_, sa.Integer):
        return {NULLS: 0, MAX: INT_MAX}.get(variant, number)
    if isinstance(type_, sa.Float):
        # Money to the penny and the largest amount mou accepts (10^15, exact in a double).
        return {NULLS: 0.0, MAX: 1e15}.get(variant, number * 1000.25)
    if isinstance(type_, sa.String):
        if column.name == "ref":
            assert type_.length is not None
            return _ref(table, number, variant, type_.length)
        if variant == MAX:
            return _fit(MAX_PATTERN, type_.length or LONG_TEXT)
        text = f"{PLAIN} {number}" if variant == NULLS else TEXT[variant]
        return text[: type_.length] if type_.length else text
    raise AssertionError(f"{where}: no sample for type {type_!r}; extend _sample")


# ---------------------------------------------------------------------------------------------
# Row builders: the keys, vocabularies and dates the schema's constraints tie together.
# Every other column is filled by _sample. A builder may name columns that a revision does not
# have yet (they are left out), but only columns of that revision or of head (typos fail).
# ---------------------------------------------------------------------------------------------

Row = dict[str, Any]
Rows = list[tuple[str, Row]]  # (variant, the values the builder chose)


def _cycle(values: Sequence[str | None], number: int) -> str | None:
    return values[(number - 1) % len(values)]


def _entities(make: Callable[[int, str], Row]) -> Rows:
    return [(variant, {"id": number, **make(number, variant)}) for number, variant in _numbered()]


def _numbered() -> Iterator[tuple[int, str]]:
    return zip(IDS, VARIANTS, strict=True)


def _optional(number: int, variant: str) -> int | None:
    """An optional link: NULL in the all-NULL row, else the row with the same number."""
    return None if variant == NULLS else number


def _parent(number: int, variant: str) -> int | None:
    """A chain of parents: row 1 is the root, row n's parent is row n - 1."""
    return None if variant == NULLS else number - 1


def _done_on(status: str | None, variant: str) -> dt.date | None:
    return DATES[variant] if status == "done" else None


def _institutions() -> Rows:
    kinds = ("university", "combined_authority", "local_authority", "research_council")
    return _entities(lambda n, v: {"kind": _cycle((*kinds, "national_facility", "other"), n)})


def _mous() -> Rows:
    statuses = ("draft", "signed", "active", "under_review", "renewed", "terminated")
    return _entities(
        lambda n, v: (
            {"status": _cycle(statuses, n), "owner_id": _optional(n, v)}
            | ({"effective": DATES[NULLS], "expires": DATES[MAX]} if v == NFC else {})
        )
    )


def _people() -> Rows:
    return _entities(lambda n, v: {"institution_id": n})


def _sites() -> Rows:
    kinds = ("campus", "facility", "laboratory", "venue", "office", "other")
    return _entities(
        lambda n, v: {
            "kind": _cycle(kinds, n),
            "parent_id": _parent(n, v),
            "operator_id": _optional(n, v),
        }
    )


def _themes() -> Rows:
    return _entities(lambda n, v: {"mou_id": n, "parent_id": _parent(n, v)})


def _visits() -> Rows:
    kinds = ("site_visit", "delegation", "signing", "workshop", "meeting", "other")
    statuses = ("planned", "confirmed", "completed", "postponed", "cancelled")
    return _entities(
        lambda n, v: (
            {
                "mou_id": n,
                "host_id": n,
                "kind": _cycle(kinds, n),
                "status": _cycle(statuses, n),
            }
            | ({"start_date": DATES[NULLS], "end_date": DATES[MAX]} if v == NFD else {})
        )
    )


def _board_meetings() -> Rows:
    statuses = ("planned", "held", "postponed", "cancelled")
    return _entities(
        lambda n, v: {"mou_id": n, "chair_id": _optional(n, v), "status": _cycle(statuses, n)}
    )


def _actions() -> Rows:
    """Until 0006 every action follows a visit and belongs to the MoU through it; from 0006
    (where these columns exist) each carries its MoU, and may follow a board meeting instead.
    The rows before 0006 keep visit n, so an upgrade has a visit to take the MoU from."""
    statuses = ("open", "done", "in_progress", "cancelled", "done", "open")

    def make(n: int, v: str) -> Row:
        status = _cycle(statuses, n)
        return {
            "mou_id": n,
            "visit_id": n,
            "meeting_id": None,
            "owner_id": _optional(n, v),
            "status": status,
            "completed": _done_on(status, v),
        }

    return _entities(make)


MEETING_ACTIONS = 6


def _actions_at_head() -> Rows:
    """The actions above, and at head (board meetings exist) as many again: one following a
    board meeting and one following nothing, by turns."""
    rows = _actions()
    for number, variant in _numbered():
        rows.append(
            (
                variant,
                {
                    "id": len(IDS) + number,
                    "mou_id": number,
                    "visit_id": None,
                    "meeting_id": number if number % 2 else None,
                    "owner_id": _optional(number, variant),
                    "status": "open",
                    "completed": None,
                },
            )
        )
    return rows


def _commitments() -> Rows:
    return _entities(lambda n, v: {"mou_id": n, "theme_id": n, "lead_id": n})


def _parties() -> Rows:
    roles = ("signatory", "partner", "host", "funder", "observer")
    own = _entities(
        lambda n, v: {
            "mou_id": n,
            "institution_id": n,
            "role": _cycle(roles, n),
            "signatory_id": _optional(n, v),
        }
    )
    # MoU 2 has every institution as a party (ON DELETE CASCADE from mou).
    others = [n for n in IDS if n != 2]
    more = [
        (
            NULLS,
            {
                "id": len(own) + i,
                "mou_id": 2,
                "institution_id": n,
                "role": "partner",
                "signatory_id": None,
            },
        )
        for i, n in enumerate(others, start=1)
    ]
    return own + more


def _workstreams() -> Rows:
    statuses = ("planned", "live", "finished", "closed_early", "on_hold", "cancelled")
    return _entities(
        lambda n, v: {
            "mou_id": n,
            "theme_id": n,
            "lead_id": n,
            "owner_id": _optional(n, v),
            "status": _cycle(statuses, n),
        }
    )


def _milestones() -> Rows:
    statuses = ("planned", "done", "in_progress", "cancelled", "done", "planned")
    rags = (None, "RED", "AMBER", "GREEN", None, "RED")

    def make(n: int, v: str) -> Row:
        status = _cycle(statuses, n)
        return {
            "workstream_id": n,
            "institution_id": n,
            "owner_id": _optional(n, v),
            "status": status,
            "completed": _done_on(status, v),
            "reported_rag": _cycle(rags, n),
        }

    return _entities(make)


BASELINES_PER_MILESTONE = 20


def _baselines() -> Rows:
    """Re-baseline history, the ON DELETE CASCADE children that batch mode with foreign keys
    on silently deletes."""
    return [
        (
            VARIANTS[k % len(VARIANTS)],
            {"id": (m - 1) * BASELINES_PER_MILESTONE + k + 1, "milestone_id": m},
        )
        for m in IDS
        for k in range(BASELINES_PER_MILESTONE)
    ]


SCORES_PER_RISK = 3


def _risks() -> Rows:
    statuses = ("open", "closed", "occurred")
    responses = (None, "avoid", "reduce", "transfer", "accept")
    return _entities(
        lambda n, v: {
            "mou_id": n,
            "theme_id": _optional(n, v),
            "workstream_id": _optional(n, v),
            "owner_id": n,
            "likelihood": (n - 1) % 5 + 1,
            "impact": 5 - (n - 1) % 5,
            "status": _cycle(statuses, n),
            "response": None if v == NULLS else _cycle(responses, n),
        }
    )


def _risk_scores() -> Rows:
    """Each risk's earlier scores: ON DELETE CASCADE children, like re-baselines."""
    return [
        (
            VARIANTS[k % len(VARIANTS)],
            {
                "id": (r - 1) * SCORES_PER_RISK + k + 1,
                "risk_id": r,
                "likelihood": k + 1,
                "impact": 5 - k,
            },
        )
        for r in IDS
        for k in range(SCORES_PER_RISK)
    ]


def _issues() -> Rows:
    severities = ("low", "medium", "high", "critical")
    statuses = ("open", "resolved")

    def make(n: int, v: str) -> Row:
        status = _cycle(statuses, n)
        # Resolved on the day it was raised: the edge of the resolved-after-raised check.
        resolved = DATES[v] if status == "resolved" else None
        return {
            "mou_id": n,
            "owner_id": n,
            "raised": DATES[v],
            "severity": _cycle(severities, n),
            "status": status,
            "resolved": resolved,
            "risk_id": _optional(n, v),
        }

    return _entities(make)


def _assumptions() -> Rows:
    return _entities(
        lambda n, v: {"mou_id": n, "owner_id": n, "status": _cycle(("holding", "broken"), n)}
    )


def _kpis() -> Rows:
    units = ("GBP", "count", "FTE", "percent")
    return _entities(
        lambda n, v: {
            "mou_id": n,
            "unit": _cycle(units, n),
            "direction": _cycle(("higher", "lower"), n),
            "theme_id": _optional(n, v),
            "institution_id": _optional(n, v),
        }
    )


# Period labels as keys of a KPI's targets and actuals: a year, a quarter, and the longest.
PERIODS = ("FY2026/27", "FY2026/27 Q3", _fit(MAX_PATTERN, 32))


def _kpi_entries() -> Rows:
    return [
        (VARIANTS[(k + a) % len(VARIANTS)], {"kpi_id": a, "period": period})
        for a in IDS
        for k, period in enumerate(PERIODS)
    ]


def _links(left: str, right: str, keep: Callable[[int, int], bool] = lambda a, b: True) -> Rows:
    return [(NULLS, {left: a, right: b}) for a in IDS for b in IDS if keep(a, b)]


def _attendees() -> Rows:
    roles = ("host", "delegate", "signatory", "speaker", "observer")
    return [
        (variant, values | {"role": _cycle(roles, values["visit_id"] + values["person_id"])})
        for variant, values in _links("visit_id", "person_id")
    ]


def _settings() -> Rows:
    return [(variant, {}) for variant in VARIANTS]


def _issued_reports() -> Rows:
    """Frozen reports: the content is a JSON document of any length."""
    schemes = ("uk-fy", "academic", "calendar")
    return _entities(
        lambda n, v: {
            "mou_id": n,
            "scheme": _cycle(schemes, n),
            "content": json.dumps({"summary": {"title": TEXT.get(v, PLAIN)}}),
        }
    )


def _notes() -> Rows:
    """Commentary: on a theme (odd rows), a workstream (even rows) or, in the all-NULL row,
    the whole programme; never on both (a check constraint)."""
    return _entities(
        lambda n, v: {
            "mou_id": n,
            "theme_id": _optional(n, v) if n % 2 else None,
            "workstream_id": None if n % 2 else _optional(n, v),
        }
    )


def _audit_commands() -> Rows:
    """A chain of undo: command n undoes command n - 1."""
    return _entities(lambda n, v: {"undoes": _parent(n, v), "redoes": None})


ENTRIES_PER_COMMAND = 10


def _audit_entries() -> Rows:
    """What each command changed: ON DELETE CASCADE children of audit_command. Revision 0005
    turned one row per changed field into one row per changed record; either way the old and
    new values are JSON (here, JSON objects of one field, which read as a field's value before
    0005 and as a record's fields after it). An addition has no old value, a removal no new."""
    actions = ("add", "change", "remove")
    rows: Rows = []
    for c in IDS:
        for k in range(ENTRIES_PER_COMMAND):
            variant = VARIANTS[k % len(VARIANTS)]
            action = _cycle(actions, k + 1)
            text = TEXT.get(variant, PLAIN)
            value = None if variant == NULLS else json.dumps({"field": text})
            earlier = None if variant == NULLS else json.dumps({"field": f"{text} (before)"})
            rows.append(
                (
                    variant,
                    {
                        "id": (c - 1) * ENTRIES_PER_COMMAND + k + 1,
                        "command_id": c,
                        "action": action,
                        "old": None if action == "add" else earlier,
                        "new": None if action == "remove" else value,
                        "base": value,
                        "field": "field",  # before 0005
                    },
                )
            )
    return rows


BUILDERS: dict[str, Callable[[], Rows]] = {
    "institution": _institutions,
    "mou": _mous,
    "setting": _settings,
    "person": _people,
    "site": _sites,
    "theme": _themes,
    "visit": _visits,
    "board_meeting": _board_meetings,
    "board_meeting_attendee": lambda: _links("board_meeting_id", "person_id"),
    "action": _actions,
    "commitment": _commitments,
    "party": _parties,
    "visit_attendee": _attendees,
    "visit_site": lambda: _links("visit_id", "site_id", lambda a, b: (a + b) % 2 == 0),
    "visit_theme": lambda: _links("visit_id", "theme_id"),
    "workstream": _workstreams,
    "milestone": _milestones,
    "workstream_commitment": lambda: _links("workstream_id", "commitment_id"),
    "workstream_partner": lambda: _links("workstream_id", "institution_id"),
    "milestone_baseline": _baselines,
    "milestone_dependency": lambda: _links("milestone_id", "depends_on_id", lambda a, b: a != b),
    "risk": _risks,
    "risk_score": _risk_scores,
    "issue": _issues,
    "assumption": _assumptions,
    "kpi": _kpis,
    "kpi_target": _kpi_entries,
    "kpi_actual": _kpi_entries,
    "audit_command": _audit_commands,
    "audit_entry": _audit_entries,
    "issued_report": _issued_reports,
    "note": _notes,
}

# Builders whose rows depend on the revision: they get the table as reflected there.
BUILDERS_BY_SCHEMA: dict[str, Callable[[sa.Table], Rows]] = {
    "action": lambda table: _actions_at_head() if "meeting_id" in table.c else _actions(),
}

# What populate() writes into head's schema: pinned, so that a builder that quietly stops
# producing rows fails a test.
EXPECTED_COUNTS = {
    "institution": 6,
    "mou": 6,
    "setting": 6,
    "person": 6,
    "site": 6,
    "theme": 6,
    "visit": 6,
    "board_meeting": 6,
    "board_meeting_attendee": 36,
    "action": 12,
    "commitment": 6,
    "party": 11,
    "visit_attendee": 36,
    "visit_site": 18,
    "visit_theme": 36,
    "workstream": 6,
    "milestone": 6,
    "workstream_commitment": 36,
    "workstream_partner": 36,
    "milestone_baseline": 120,
    "milestone_dependency": 30,
    "risk": 6,
    "risk_score": 18,
    "issue": 6,
    "assumption": 6,
    "kpi": 6,
    "kpi_target": 18,
    "kpi_actual": 18,
    "audit_command": 6,
    "audit_entry": 60,
    "issued_report": 6,
    "note": 6,
}


# Columns an earlier revision had and head has not: builders may still name them.
RETIRED = {"audit_entry": {"field"}}


def populate(url: str) -> dict[str, int]:
    """Fill every table of the database's current schema, through reflected tables. Returns the
    number of rows written to each table."""
    with _connection(url) as connection:
        metadata = sa.MetaData()
        metadata.reflect(connection)
        tables = [table for table in metadata.sorted_tables if table.name != "alembic_version"]
        missing = sorted({table.name for table in tables} - set(BUILDERS))
        assert not missing, f"no row builder for {missing}: add one to BUILDERS"
        written: dict[str, int] = {}
        for table in tables:
            by_schema = BUILDERS_BY_SCHEMA.get(table.name)
            built = by_schema(table) if by_schema else BUILDERS[table.name]()
            rows = [_complete(table, number, *row) for number, row in enumerate(built)]
            connection.execute(table.insert(), rows)
            written[table.name] = len(rows)
        connection.commit()
    return written


def _complete(table: sa.Table, index: int, variant: str, chosen: Row) -> Row:
    head = SQLModel.metadata.tables.get(table.name)
    known = set(table.columns.keys()) | set(head.columns.keys() if head is not None else ())
    known |= RETIRED.get(table.name, set())
    unknown = sorted(set(chosen) - known)
    assert not unknown, f"{table.name}: the builder names columns nobody has: {unknown}"
    number = chosen.get("id", index + 1)
    return {
        column.name: (
            chosen[column.name]
            if column.name in chosen
            else _sample(table.name, column, number, variant)
        )
        for column in table.columns
    }


# ---------------------------------------------------------------------------------------------
# What a database holds: its rows and its schema
# ---------------------------------------------------------------------------------------------

Snapshot = dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]]


@contextmanager
def _connection(url: str) -> Iterator[Connection]:
    """A connection with mou's normal rules (on SQLite: foreign keys on)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def data_of(url: str) -> Snapshot:
    """Every row of every table (but alembic_version), with the table's column names."""
    snapshot: Snapshot = {}
    with _connection(url) as connection:
        metadata = sa.MetaData()
        metadata.reflect(connection)
        for name, table in sorted(metadata.tables.items()):
            if name == "alembic_version":
                continue
            rows = [tuple(row) for row in connection.execute(sa.select(table))]
            snapshot[name] = (tuple(table.columns.keys()), sorted(rows, key=repr))
    return snapshot


def _project(snapshot: Snapshot, table: str, columns: Sequence[str]) -> list[tuple[Any, ...]]:
    names, rows = snapshot[table]
    positions = [names.index(column) for column in columns]
    return sorted((tuple(row[i] for i in positions) for row in rows), key=repr)


def _audit_facts(snapshot: Snapshot) -> list[tuple[Any, ...]]:
    """The audit trail as (command, kind, ref, action, field, old, new) facts, whichever form
    its rows take: one per field (before 0005) or one per record (from 0005)."""
    names, rows = snapshot["audit_entry"]
    facts = []
    for row in rows:
        values = dict(zip(names, row, strict=True))
        head = (values["command_id"], values["kind"], values["ref"], values["action"])
        old = json.loads(values["old"]) if values["old"] is not None else None
        new = json.loads(values["new"]) if values["new"] is not None else None
        if "field" in values:
            facts.append((*head, values["field"], repr(old), repr(new)))
            continue
        for field in sorted({*(old or {}), *(new or {})}):
            facts.append((*head, field, repr((old or {}).get(field)), repr((new or {}).get(field))))
    return sorted(facts)


def differences(before: Snapshot, after: Snapshot) -> dict[str, tuple[int, int]]:
    """Tables of ``before`` whose rows are not exactly the same ``after`` (over the columns both
    still have), as {table: (rows before, rows after)}; a table that vanished has -1 after."""
    changed: dict[str, tuple[int, int]] = {}
    for table, (names, rows) in before.items():
        if table not in after:
            changed[table] = (len(rows), -1)
            continue
        if table == "audit_entry" and ("field" in names) != ("field" in after[table][0]):
            # Rewritten by 0005 (one row per record, not per field): the facts must survive.
            if _audit_facts(before) != _audit_facts(after):
                changed[table] = (len(rows), len(after[table][1]))
            continue
        kept = [name for name in names if name in after[table][0]]
        if _project(before, table, kept) != _project(after, table, kept):
            changed[table] = (len(rows), len(after[table][1]))
    return changed


def counts(snapshot: Snapshot) -> dict[str, int]:
    return {table: len(rows) for table, (_, rows) in snapshot.items()}


def schema_of(url: str) -> dict[str, Any]:
    """The reflected schema: tables, columns with types, keys, indexes and named constraints,
    and the recorded revision."""
    with _connection(url) as connection:
        inspector = sa.inspect(connection)
        tables: dict[str, Any] = {}
        for name in sorted(inspector.get_table_names()):
            pk = inspector.get_pk_constraint(name)
            tables[name] = {
                "columns": [
                    (column["name"], str(column["type"]), column["nullable"], column["default"])
                    for column in inspector.get_columns(name)
                ],
                "primary_key": (pk["name"], tuple(pk["constrained_columns"])),
                "indexes": sorted(
                    (
                        (index["name"], tuple(index["column_names"]), bool(index["unique"]))
                        for index in inspector.get_indexes(name)
                        if "duplicates_constraint" not in index
                    ),
                    key=repr,
                ),
                "unique": sorted(
                    (
                        (unique["name"], tuple(unique["column_names"]))
                        for unique in inspector.get_unique_constraints(name)
                    ),
                    key=repr,
                ),
                "checks": sorted(
                    (
                        (check["name"], " ".join(check["sqltext"].split()))
                        for check in inspector.get_check_constraints(name)
                    ),
                    key=repr,
                ),
                "foreign_keys": sorted(
                    (
                        (
                            fk["name"],
                            tuple(fk["constrained_columns"]),
                            fk["referred_table"],
                            tuple(fk["referred_columns"]),
                            tuple(sorted(fk["options"].items())),
                        )
                        for fk in inspector.get_foreign_keys(name)
                    ),
                    key=repr,
                ),
            }
        return {"tables": tables, "revision": current_revision(connection)}


def foreign_key_problems(url: str) -> list[tuple[Any, ...]]:
    """``PRAGMA foreign_key_check`` on SQLite; PostgreSQL enforces foreign keys itself."""
    with _connection(url) as connection:
        if connection.dialect.name != "sqlite":
            return []
        return [tuple(row) for row in connection.exec_driver_sql("PRAGMA foreign_key_check")]


def backend(url: str) -> str:
    return sa.engine.make_url(url).get_backend_name()


# ---------------------------------------------------------------------------------------------
# Scratch copies of the migration scripts, with an extra revision on top of head
# ---------------------------------------------------------------------------------------------

EXTRA = "9999"
REVISION_TEMPLATE = '''"""{title} (written by tests/test_migration_safety.py)"""

import sqlalchemy as sa
from alembic import op

revision = "{extra}"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
{upgrade}


def downgrade() -> None:
{downgrade}
'''


def scratch_migrations(tmp_path: Path) -> Path:
    scripts = tmp_path / "migrations"
    shutil.copytree(migrations_dir(), scripts, ignore=shutil.ignore_patterns("__pycache__"))
    return scripts


def write_revision(scripts: Path, name: str, title: str, upgrade: str, downgrade: str) -> None:
    versions = scripts / "versions"
    # A rewritten file must be read again, never a stale compiled copy of the old one.
    shutil.rmtree(versions / "__pycache__", ignore_errors=True)
    text = REVISION_TEMPLATE.format(
        title=title,
        extra=EXTRA,
        head=HEAD,
        upgrade=_indent(upgrade),
        downgrade=_indent(downgrade),
    )
    (versions / f"{EXTRA}_{name}.py").write_text(text, "utf-8")


def _indent(body: str) -> str:
    assert body.strip(), "a revision needs a body (write pass)"
    return "\n".join(f"    {line}" if line else "" for line in body.strip("\n").splitlines())


def scratch_config(scripts: Path, url: str) -> Config:
    """Configured exactly as tracker/migrate.py configures Alembic, but for the copied scripts."""
    config = Config()
    config.set_main_option("script_location", str(scripts))
    config.attributes["url"] = url
    return config


# ---------------------------------------------------------------------------------------------
# 1. Upgrading a populated database from every earlier revision keeps every row
# ---------------------------------------------------------------------------------------------


def _at_revision(url: str, revision: str, how: str) -> None:
    if how == "built up":
        downgrade(url, "base")
        upgrade(url, revision)
    else:
        downgrade(url, revision)
    assert current(url) == revision


@pytest.mark.parametrize("how", ["built up", "downgraded"])
@pytest.mark.parametrize("revision", EARLIER)
def test_upgrading_a_populated_database_to_head_keeps_every_row(
    database_url: str, revision: str, how: str
) -> None:
    _at_revision(database_url, revision, how)
    written = populate(database_url)
    before = data_of(database_url)
    assert counts(before) == written
    assert sorted(written) == sorted(schema_of(database_url)["tables"].keys() - {"alembic_version"})
    assert foreign_key_problems(database_url) == []

    upgrade(database_url, "head")

    assert current(database_url) == HEAD
    after = data_of(database_url)
    assert sorted(before.keys() - after.keys()) == []  # no table vanished
    assert {table: count for table, count in counts(after).items() if table in before} == written
    assert differences(before, after) == {}
    assert foreign_key_problems(database_url) == []
    loaded = _load_everything_through_the_models(database_url)
    assert set(written) <= set(loaded)
    assert {table: loaded[table] for table in written} == written


@pytest.mark.parametrize("revision", EARLIER)
def test_downgrading_a_populated_database_keeps_the_rows_of_the_tables_it_keeps(
    database_url: str, revision: str
) -> None:
    """Downgrades run batch operations too: the tables that stay keep every row."""
    written = populate(database_url)
    # Before 0006 every action followed a visit: a downgrade refuses actions that follow none
    # (tested below), so here each is first given its visit.
    _give_every_action_a_visit(database_url)
    before = data_of(database_url)
    assert counts(before) == written == EXPECTED_COUNTS

    downgrade(database_url, revision)

    assert current(database_url) == revision
    after = data_of(database_url)
    assert sorted(after.keys() - before.keys()) == []
    assert "milestone_baseline" in after
    assert differences({table: before[table] for table in after}, after) == {}
    assert foreign_key_problems(database_url) == []


def _give_every_action_a_visit(url: str) -> None:
    with _connection(url) as connection:
        connection.execute(
            sa.text("UPDATE action SET visit_id = mou_id, meeting_id = NULL WHERE visit_id IS NULL")
        )
        connection.commit()


def test_a_downgrade_below_0006_refuses_actions_that_follow_no_visit(database_url: str) -> None:
    """The older schema has no place for an action without a visit; mou never deletes records to
    make a migration fit, so the downgrade is refused and leaves the database as it was."""
    populate(database_url)
    before, schema = data_of(database_url), schema_of(database_url)

    with pytest.raises(DatabaseError) as raised:
        downgrade(database_url, "0005")

    names, rows = before["action"]
    orphans = sorted(
        row[names.index("ref")] for row in rows if row[names.index("visit_id")] is None
    )
    assert len(orphans) == MEETING_ACTIONS
    assert str(raised.value) == (
        f"cannot downgrade below 0006: 6 action(s) follow no visit ({', '.join(orphans[:5])} "
        "and 1 more); give each a visit or remove it first"
    )
    assert current(database_url) == HEAD
    assert schema_of(database_url) == schema
    assert differences(before, data_of(database_url)) == {}


def test_an_upgrade_gives_each_action_the_mou_of_its_visit(database_url: str) -> None:
    downgrade(database_url, "0005")
    populate(database_url)
    with _connection(database_url) as connection:
        connection.execute(sa.text("UPDATE visit SET mou_id = 7 - id"))  # visit n: MoU 7 - n
        connection.commit()

    upgrade(database_url, "head")

    with _connection(database_url) as connection:
        pairs = connection.execute(sa.text("SELECT id, visit_id, mou_id FROM action ORDER BY id"))
        assert [tuple(row) for row in pairs] == [(n, n, 7 - n) for n in IDS]


def _load_everything_through_the_models(url: str) -> dict[str, int]:
    """Head's models load every upgraded row (vocabulary values included): {table: rows}."""
    database = open_database(url)
    try:
        with database.reading() as session:
            return {
                mapper.local_table.name: len(session.exec(select(mapper.class_)).all())
                for mapper in SQLModel._sa_registry.mappers
            }
    finally:
        database.dispose()


def test_populate_fills_every_table_of_head(database_url: str) -> None:
    written = populate(database_url)
    assert written == EXPECTED_COUNTS
    assert sorted(written) == sorted(set(SQLModel.metadata.tables))
    assert counts(data_of(database_url)) == EXPECTED_COUNTS
    assert foreign_key_problems(database_url) == []


def test_populated_values_reach_the_limits_of_their_columns(database_url: str) -> None:
    populate(database_url)
    with _connection(database_url) as connection:
        milestone = connection.execute(
            sa.text("SELECT ref, title, reported_rag_reason, due FROM milestone WHERE id = 2")
        ).one()
        empty = connection.execute(sa.text("SELECT * FROM milestone WHERE id = 1")).one()
        names = connection.execute(sa.text("SELECT name FROM institution ORDER BY id")).all()
        months = connection.execute(sa.text("SELECT renewal_notice_months FROM mou WHERE id = 2"))
        assert months.scalar() == INT_MAX
        assert [len(value) for value in milestone[:3]] == [32, 200, 2000]
        assert milestone.ref == "MILESTONE-2-ÉΩ🤝Ж-ÉΩ🤝Ж-ÉΩ🤝Ж-ÉΩ🤝Ж-"
        assert str(milestone.due) == "9999-12-31"
        assert (empty.forecast, empty.completed, empty.owner_id, empty.reported_rag) == (
            None,
            None,
            None,
            None,
        )
        assert [name for (name,) in names] == [
            f"{PLAIN} 1",
            _fit(MAX_PATTERN, 200),
            TEXT[NFC],
            TEXT[NFD],
            TEXT[EMOJI],
            TEXT[RTL],
        ]


def test_strings_one_longer_than_their_column_are_refused_on_postgresql(
    database_url: str,
) -> None:
    """So the lengths read from the schema are real limits and "max" really is the maximum."""
    if backend(database_url) != "postgresql":
        pytest.skip("SQLite does not enforce VARCHAR lengths")
    populate(database_url)
    with (
        pytest.raises(sa.exc.DataError, match="value too long for type character varying"),
        _connection(database_url) as connection,
    ):
        connection.execute(
            sa.text("UPDATE institution SET name = :name WHERE id = 2"),
            {"name": _fit(MAX_PATTERN, 201)},
        )


# The trap itself: batch mode recreates a parent table, and on SQLite with foreign keys on that
# fires ON DELETE CASCADE. A revision that makes SQLite recreate every table (adding a check
# constraint needs a new table there; PostgreSQL simply adds the constraint) must keep every row.

TABLES_AT_HEAD = sorted(SQLModel.metadata.tables)
assert TABLES_AT_HEAD, "tracker.models must be imported before this point"
RECREATE_ALL = "\n".join(
    f'with op.batch_alter_table("{table}") as batch_op:\n'
    f'    batch_op.create_check_constraint("probe", sa.text("1 = 1"))'
    for table in TABLES_AT_HEAD
)
UNDO_RECREATE_ALL = "\n".join(
    f'with op.batch_alter_table("{table}") as batch_op:\n'
    f'    batch_op.drop_constraint(batch_op.f("ck_{table}_probe"), type_="check")'
    for table in TABLES_AT_HEAD
)


def test_a_batch_migration_that_recreates_every_table_keeps_every_row_and_constraint(
    database_url: str, tmp_path: Path
) -> None:
    populate(database_url)
    before, schema = data_of(database_url), schema_of(database_url)
    scripts = scratch_migrations(tmp_path)
    write_revision(scripts, "recreate_all", "recreate all", RECREATE_ALL, UNDO_RECREATE_ALL)
    config = scratch_config(scripts, database_url)

    command.upgrade(config, "head")

    assert current(database_url) == EXTRA
    assert differences(before, data_of(database_url)) == {}
    assert foreign_key_problems(database_url) == []
    recreated = schema_of(database_url)
    for table in TABLES_AT_HEAD:
        checks = recreated["tables"][table]["checks"]
        assert (f"ck_{table}_probe", "1 = 1") in checks, table
        checks.remove((f"ck_{table}_probe", "1 = 1"))
    assert recreated["tables"] == schema["tables"]  # nothing else lost or renamed

    command.downgrade(config, HEAD)

    assert schema_of(database_url) == schema
    assert differences(before, data_of(database_url)) == {}


def test_the_row_check_catches_a_cascade_from_batch_mode_with_foreign_keys_on(
    tmp_path: Path,
) -> None:
    """The same kind of migration, run the wrong way (SQLite foreign keys on), really loses
    the re-baseline history, and ``differences`` says so: the check above can fail."""
    url = f"sqlite:///{tmp_path / 'mou.db'}"
    upgrade(url)
    populate(url)
    before = data_of(url)
    scripts = scratch_migrations(tmp_path)
    recreate = 'with op.batch_alter_table("milestone", recreate="always") as batch_op:\n    pass'
    write_revision(scripts, "recreate_milestone", "recreate milestone", recreate, "pass")
    config = scratch_config(scripts, url)
    engine = make_engine(url)  # foreign keys ON: the trap
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            connection.commit()  # else Alembic sees an outer transaction and never commits
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()

    assert current(url) == EXTRA  # the migration "succeeded"
    # The re-baselines and the dependencies (both ON DELETE CASCADE children of milestone).
    assert differences(before, data_of(url)) == {
        "milestone_baseline": (120, 0),
        "milestone_dependency": (30, 0),
    }
    assert foreign_key_problems(url) == []  # the children are gone, not orphaned


# ---------------------------------------------------------------------------------------------
# 2. Up, down, up: the same schema every time
# ---------------------------------------------------------------------------------------------


def _predecessor(revision: str) -> str:
    revisions = known_revisions()
    index = revisions.index(revision)
    return revisions[index - 1] if index else "base"


@pytest.mark.parametrize("revision", known_revisions())
def test_up_down_up_gives_the_same_schema(database_url: str, revision: str) -> None:
    previous = _predecessor(revision)
    downgrade(database_url, "base")
    if previous != "base":
        upgrade(database_url, previous)
    at_previous = schema_of(database_url)

    upgrade(database_url, revision)
    first = schema_of(database_url)
    downgrade(database_url, previous)
    after_downgrade = schema_of(database_url)
    upgrade(database_url, revision)
    second = schema_of(database_url)

    assert first["revision"] == second["revision"] == revision
    assert after_downgrade == at_previous
    assert second == first
    assert first != at_previous  # the revision changes something


def test_the_schema_snapshot_sees_columns_indexes_and_constraints(database_url: str) -> None:
    milestone = schema_of(database_url)["tables"]["milestone"]
    assert milestone["primary_key"] == ("pk_milestone", ("id",))
    assert ("reported_rag_reason", "VARCHAR(2000)", True, None) in milestone["columns"]
    assert ("ix_milestone_status_due", ("status", "due"), False) in milestone["indexes"]
    assert milestone["unique"] == [("uq_milestone_ref", ("ref",))]
    assert [name for name, _ in milestone["checks"]] == [
        "ck_milestone_completed_iff_done",
        "ck_milestone_rag_has_reason",
        "ck_milestone_ref_upper",
        "ck_milestone_reported_rag",
        "ck_milestone_status",
    ]
    baseline = schema_of(database_url)["tables"]["milestone_baseline"]
    assert baseline["foreign_keys"] == [
        (
            "fk_milestone_baseline_milestone_id_milestone",
            ("milestone_id",),
            "milestone",
            ("id",),
            (("ondelete", "CASCADE"),),
        )
    ]


def test_every_key_index_and_constraint_at_head_is_named_by_the_convention(
    database_url: str,
) -> None:
    """Batch migrations on SQLite find constraints by name: unnamed ones cannot be changed."""
    wrong: list[tuple[str, str | None]] = []
    for table, schema in schema_of(database_url)["tables"].items():
        if table == "alembic_version":
            continue
        names = [
            (schema["primary_key"][0], f"pk_{table}"),
            *((name, f"ix_{table}_") for name, _, _ in schema["indexes"]),
            *((name, f"uq_{table}_") for name, _ in schema["unique"]),
            *((name, f"ck_{table}_") for name, _ in schema["checks"]),
            *(
                (name, f"fk_{table}_{'_'.join(cols)}_{referred}")
                for name, cols, referred, _, _ in schema["foreign_keys"]
            ),
        ]
        wrong += [
            (table, name)
            for name, expected in names
            if name is None or not name.startswith(expected)
        ]
    assert wrong == []


# ---------------------------------------------------------------------------------------------
# 3. A migration that fails halfway rolls back whole and can be re-run
# ---------------------------------------------------------------------------------------------

HALFWAY = """
op.create_table(
    "halfway_probe",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("note", sa.String(200), nullable=False),
)
# SQLite must recreate the table (move and copy); PostgreSQL adds the column in place.
recreate = "always" if op.get_bind().dialect.name == "sqlite" else "auto"
with op.batch_alter_table("institution", recreate=recreate) as batch_op:
    batch_op.add_column(sa.Column("probe", sa.String(20), nullable=True))
op.execute("INSERT INTO halfway_probe (id, note) VALUES (1, 'written before the failure')")
op.execute(
    "INSERT INTO institution (id, ref, name, kind, probe) "
    "VALUES (9999, 'HALFWAY', 'Halfway', 'other', 'set')"
)
"""
UNDO_HALFWAY = """
op.execute("DELETE FROM institution WHERE id = 9999")
with op.batch_alter_table("institution") as batch_op:
    batch_op.drop_column("probe")
op.drop_table("halfway_probe")
"""


def test_a_migration_that_fails_halfway_leaves_nothing_and_can_be_rerun(
    database_url: str, tmp_path: Path
) -> None:
    populate(database_url)
    before, schema = data_of(database_url), schema_of(database_url)
    scripts = scratch_migrations(tmp_path)
    failing = HALFWAY + 'raise RuntimeError("failed halfway on purpose")\n'
    write_revision(scripts, "fails_halfway", "fails halfway", failing, UNDO_HALFWAY)
    config = scratch_config(scripts, database_url)

    with pytest.raises(RuntimeError, match=r"^failed halfway on purpose$"):
        command.upgrade(config, "head")

    after = schema_of(database_url)
    assert current(database_url) == HEAD
    assert sorted(after["tables"]) == sorted(schema["tables"])  # no halfway_probe
    assert [t for t in after["tables"] if t.startswith("_alembic_tmp_")] == []
    assert "probe" not in [column[0] for column in after["tables"]["institution"]["columns"]]
    assert after == schema
    assert differences(before, data_of(database_url)) == {}
    assert counts(data_of(database_url)) == EXPECTED_COUNTS
    assert foreign_key_problems(database_url) == []

    write_revision(scripts, "fails_halfway", "fixed", HALFWAY, UNDO_HALFWAY)
    command.upgrade(scratch_config(scripts, database_url), "head")

    assert current(database_url) == EXTRA
    fixed = schema_of(database_url)
    assert sorted(fixed["tables"].keys() - schema["tables"].keys()) == ["halfway_probe"]
    assert fixed["tables"]["institution"]["columns"] == [
        *schema["tables"]["institution"]["columns"],
        ("probe", "VARCHAR(20)", True, None),
    ]
    for table, table_schema in schema["tables"].items():
        if table not in ("institution", "alembic_version"):
            assert fixed["tables"][table] == table_schema, table
    for part in ("primary_key", "indexes", "unique", "checks", "foreign_keys"):
        assert fixed["tables"]["institution"][part] == schema["tables"]["institution"][part]
    data = data_of(database_url)
    assert data["halfway_probe"] == (("id", "note"), [(1, "written before the failure")])
    assert differences(before, data) == {"institution": (6, 7)}
    columns = ["id", "ref", "name", "kind", "region", "version", "probe"]
    assert before["institution"][0] == tuple(columns[:-1])
    added = (9999, "HALFWAY", "Halfway", "other", None, 1, "set")  # version: its default
    expected = [(*row, None) for row in before["institution"][1]] + [added]
    assert _project(data, "institution", columns) == sorted(expected, key=repr)
    assert foreign_key_problems(database_url) == []


def test_a_failure_rolls_back_every_revision_of_the_same_run(
    database_url: str, tmp_path: Path
) -> None:
    """One run from the first revision to a failing one: the revisions before the failure are
    rolled back too, so the database is left at the revision it started from."""
    first = known_revisions()[0]
    downgrade(database_url, first)
    populate(database_url)
    before, schema = data_of(database_url), schema_of(database_url)
    scripts = scratch_migrations(tmp_path)
    failing = HALFWAY + 'raise RuntimeError("failed halfway on purpose")\n'
    write_revision(scripts, "fails_halfway", "fails halfway", failing, UNDO_HALFWAY)

    with pytest.raises(RuntimeError, match=r"^failed halfway on purpose$"):
        command.upgrade(scratch_config(scripts, database_url), "head")

    assert current(database_url) == first
    assert schema_of(database_url) == schema
    assert differences(before, data_of(database_url)) == {}


# ---------------------------------------------------------------------------------------------
# 4. A migration that breaks a foreign key is refused at commit
# ---------------------------------------------------------------------------------------------

ORPHAN = """
op.create_table("orphan_probe", sa.Column("id", sa.Integer(), primary_key=True))
op.execute(
    "INSERT INTO milestone_baseline (id, milestone_id, due, reason, changed) "
    "VALUES (4242, 999999, '2026-06-30', 'points at no milestone', '2026-06-01')"
)
"""
UNDO_ORPHAN = 'op.drop_table("orphan_probe")'
SQLITE_REFUSAL = (
    "migration would leave 1 row with broken foreign keys "
    "(first: ('milestone_baseline', 4242, 'milestone', 0)); rolled back"
)
POSTGRES_REFUSAL = (
    'insert or update on table "milestone_baseline" violates foreign key constraint '
    '"fk_milestone_baseline_milestone_id_milestone"'
)


def test_a_migration_that_breaks_a_foreign_key_is_refused_and_leaves_nothing(
    database_url: str, tmp_path: Path
) -> None:
    populate(database_url)
    before, schema = data_of(database_url), schema_of(database_url)
    scripts = scratch_migrations(tmp_path)
    write_revision(scripts, "orphan", "orphan baseline", ORPHAN, UNDO_ORPHAN)

    with pytest.raises((DatabaseError, sa.exc.IntegrityError)) as raised:
        command.upgrade(scratch_config(scripts, database_url), "head")

    if backend(database_url) == "sqlite":
        # env.py runs migrations with foreign keys off, so only its check stands in the way.
        assert type(raised.value).__name__ == "ForeignKeyViolation"
        assert isinstance(raised.value, DatabaseError)  # so the CLI reports it in one line
        assert str(raised.value) == SQLITE_REFUSAL
    else:
        assert isinstance(raised.value, sa.exc.IntegrityError)
        assert getattr(raised.value.orig, "sqlstate", None) == "23503"
        assert str(raised.value.orig).splitlines()[0] == POSTGRES_REFUSAL
    assert current(database_url) == HEAD
    assert schema_of(database_url) == schema  # no orphan_probe
    assert differences(before, data_of(database_url)) == {}
    assert foreign_key_problems(database_url) == []


def _mou_db_upgrade(url: str, scripts: Path, monkeypatch: pytest.MonkeyPatch) -> Result:
    monkeypatch.setattr("tracker.migrate.migrations_dir", lambda: scripts)
    from tracker.cli.app import app

    return CliRunner().invoke(app, ["db", "upgrade"], env={**TERMINAL_ENV, "MOU_DATABASE_URL": url})


def test_mou_db_upgrade_reports_a_refused_migration_in_one_line_on_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'mou.db'}"
    upgrade(url)
    scripts = scratch_migrations(tmp_path)
    write_revision(scripts, "orphan", "orphan baseline", ORPHAN, UNDO_ORPHAN)

    result = _mou_db_upgrade(url, scripts, monkeypatch)

    assert current(url) == HEAD  # refused and rolled back
    assert (type(result.exception), result.exit_code) == (SystemExit, 1)
    assert result.stderr == f"error: {SQLITE_REFUSAL}\n"
    assert "Upgraded" not in result.stdout


def test_mou_db_upgrade_reports_a_refused_migration_in_one_line_on_postgresql(
    postgres: PostgresServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = postgres.create(template=postgres.template)  # dropped with the session's others
    scripts = scratch_migrations(tmp_path)
    write_revision(scripts, "orphan", "orphan baseline", ORPHAN, UNDO_ORPHAN)

    result = _mou_db_upgrade(url, scripts, monkeypatch)

    assert current(url) == HEAD
    assert (type(result.exception), result.exit_code) == (SystemExit, 1)
    assert result.stderr == f"error: database: {POSTGRES_REFUSAL}\n"
    assert "Upgraded" not in result.stdout
