"""What changed between two moments: for the board's "since we last met" page.

The programme is read as recorded at each moment (``tracker.services.past``) and the two are
compared: records added and removed, milestones completed, forecasts moved (with days),
re-baselines with their reasons, settings changed, and the RAG transitions of milestones,
workstreams and themes (each judged as of its moment's date). Every change is placed under a
theme, so the page can be read theme by theme.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from tracker import tables
from tracker.db import Database
from tracker.enums import MilestoneStatus, ScopeKind
from tracker.errors import InvalidInput, NotFound
from tracker.kinds import BY_TABLE, MILESTONES, WORKSTREAMS
from tracker.rules import Record
from tracker.services import trail
from tracker.services.lookup import current_mou, row_by_ref
from tracker.services.rag import rag_expression
from tracker.services.settings import stored_settings, tolerances
from tracker.services.status import programme_status, theme_subtree

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.db import Reader

PROGRAMME = ""  # the group of changes that belong to no theme


@dataclass(frozen=True)
class Moment:
    at: dt.datetime | None  # UTC; None: now
    date: dt.date  # the business date RAG is judged at


@dataclass(frozen=True)
class Change:
    theme: str  # the theme it is grouped under ('' for the programme as a whole)
    change: str  # added, removed, completed, forecast, rebaselined, rag, setting
    kind: str  # milestone, workstream, theme, setting…
    ref: str
    title: str
    old: Any = None
    new: Any = None
    days: int | None = None  # how far a forecast moved
    reason: str | None = None


@dataclass
class Changes:
    since: Moment
    until: Moment
    rows: list[Change] = field(default_factory=list)


@dataclass
class _State:
    """What the comparison needs of the programme at one moment."""

    records: dict[str, dict[str, Record]] = field(default_factory=dict)  # touched records
    milestone_rag: dict[str, str] = field(default_factory=dict)
    milestone_theme: dict[str, str] = field(default_factory=dict)
    milestone_title: dict[str, str] = field(default_factory=dict)
    milestone_institution: dict[str, str] = field(default_factory=dict)
    workstream_rag: dict[str, tuple[str, str, str]] = field(
        default_factory=dict
    )  # ref -> (rag, name, theme)
    theme_rag: dict[str, tuple[str, str]] = field(default_factory=dict)  # ref -> (rag, name)
    settings: dict[str, str] = field(default_factory=dict)
    exists: bool = True


def between(
    database: Database,
    since: Moment,
    until: Moment,
    *,
    theme: str | None = None,
    institution: str | None = None,
) -> Changes:
    with database.reading_rows() as connection:
        touched = _touched(connection, since.at, until.at)
    with _state_session(database, since.at) as session:
        before = _read(session, since.date, touched)
    with _state_session(database, until.at) as session:
        after = _read(session, until.date, touched)
        wanted_themes = _themes(session, theme) if session is not None else None
    rows = _compare(before, after, touched)
    if wanted_themes is not None:
        rows = [row for row in rows if row.theme in wanted_themes]
    if institution is not None:
        key = institution.strip().upper()
        rows = [
            row
            for row in rows
            if row.kind != "milestone"
            or key
            in (after.milestone_institution.get(row.ref), before.milestone_institution.get(row.ref))
        ]
    return Changes(since, until, rows)


def _themes(session: Session, theme: str | None) -> set[str] | None:
    if theme is None:
        return None
    found = row_by_ref("themes", theme, session=session, field="--theme")
    ids = theme_subtree(session, found.id)
    themes = tables.theme.c
    return set(session.execute(sa.select(themes.ref).where(themes.id.in_(ids))).scalars())


def _touched(
    session: Reader, since: dt.datetime | None, until: dt.datetime | None
) -> dict[str, set[str]]:
    """The records the commands between the two moments changed, by kind."""
    c = tables.audit_command
    query = sa.select(c.c.id)
    if since is not None:
        query = query.where(c.c.at > since)
    if until is not None:
        query = query.where(c.c.at <= until)
    commands = [row_id for (row_id,) in session.execute(query)]
    touched: dict[str, set[str]] = {}
    for entries in trail.entries_of(session, commands).values():
        for entry in entries:
            if entry.action != "base":
                touched.setdefault(entry.kind, set()).add(entry.ref)
    return touched


@contextmanager
def _state_session(database: Database, moment: dt.datetime | None) -> Iterator[Session | None]:
    """The programme at a moment: live, rebuilt from the trail, or — before the trail began
    in a database whose whole life it holds — nothing at all (None)."""
    if moment is None:
        with database.reading() as session:
            yield session
        return
    with database.reading_rows() as connection:
        first = trail.first_command(connection)
    if first is None:
        raise InvalidInput(
            "--since: the audit trail of this database is empty: nothing has been recorded in "
            "it yet"
        )
    if moment < first.at:
        with database.reading_rows() as connection:
            born = trail.created_the_programme(connection, first.id)
        if not born:
            shown = first.at.isoformat(sep=" ", timespec="seconds")
            raise InvalidInput(
                f"--since: the audit trail begins at {shown} UTC, after data it does not "
                "record; changes before then are not known"
            )
        with nullcontext(None) as nothing:
            yield nothing
        return
    # Rebuilding the past needs the mapped classes: imported only when a moment is rebuilt,
    # so a report whose trail does not reach back that far never builds them.
    from tracker.services.past import recorded_at

    with recorded_at(database, moment) as session:
        yield session


def _read(session: Session | None, day: dt.date, touched: dict[str, set[str]]) -> _State:
    state = _State()
    if session is None:
        state.exists = False
        return state
    try:
        mou = current_mou(session=session)
    except NotFound:  # no MoU at that moment: nothing to compare
        state.exists = False
        return state
    # Through the store, as it writes them: imported only once a moment is read (see
    # _state_session).
    from tracker.services.store import RecordStore

    store = RecordStore(session, mou_id=mou.id)
    store.preload()
    for table, refs in touched.items():
        if table not in BY_TABLE:
            continue
        kind = BY_TABLE[table]
        found = {}
        for ref in refs:
            row = store.find(kind, ref)
            if row is not None:
                found[ref] = store.record_of(kind, row)
        state.records[table] = found
    rules = tolerances(session=session)
    m, w, t, i = tables.milestone.c, tables.workstream.c, tables.theme.c, tables.institution.c
    rows = session.execute(
        sa.select(m.ref, rag_expression(day, rules), t.ref, i.ref, m.title)
        .join_from(tables.milestone, tables.workstream, w.id == m.workstream_id)
        .join(tables.theme, t.id == w.theme_id)
        .join(tables.institution, i.id == m.institution_id)
        .where(w.mou_id == mou.id)
    )
    for ref, rag, theme_ref, institution_ref, title in rows:
        state.milestone_rag[ref] = rag
        state.milestone_theme[ref] = theme_ref
        state.milestone_title[ref] = title
        state.milestone_institution[ref] = institution_ref
    status = programme_status(
        session=session, as_of=day, tolerances=rules, by=[ScopeKind.WORKSTREAM, ScopeKind.THEME]
    )
    themes_of = dict(
        session.execute(sa.select(w.ref, t.ref).join(tables.theme, t.id == w.theme_id)).all()
    )
    for row in status.tables[0].rows:
        state.workstream_rag[row.scope] = (row.counts.rag.value, row.name, themes_of[row.scope])
    for row in status.tables[1].rows:
        state.theme_rag[row.scope] = (row.counts.rag.value, row.name)
    state.settings = stored_settings(session=session)
    return state


def _theme_of(table: str, ref: str, record: Record, before: _State, after: _State) -> str:
    if table == MILESTONES.table:
        return after.milestone_theme.get(ref) or before.milestone_theme.get(ref) or PROGRAMME
    if table == WORKSTREAMS.table:
        return str(record.get("theme") or PROGRAMME)
    if table == "themes":
        return ref
    return str(record.get("theme") or PROGRAMME)


def _title(table: str, record: Record) -> str:
    for name in ("title", "name", "text"):
        if record.get(name):
            return str(record[name])
    return ""


def _compare(before: _State, after: _State, touched: dict[str, set[str]]) -> list[Change]:
    rows: list[Change] = []
    # Issued reports are the board's own record, not a change to the programme.
    listed = [kind.table for kind in BY_TABLE.values() if not kind.frozen]
    for table in [table for table in listed if table in touched]:
        noun = BY_TABLE[table].noun
        old_records = before.records.get(table, {})
        new_records = after.records.get(table, {})
        for ref in sorted(touched[table]):
            old, new = old_records.get(ref), new_records.get(ref)
            record = new or old or {}
            theme = _theme_of(table, ref, record, before, after)
            title = _title(table, record)
            if old is None and new is not None:
                rows.append(Change(theme, "added", noun, ref, title))
            elif new is None and old is not None:
                rows.append(Change(theme, "removed", noun, ref, title))
            elif old is not None and new is not None and table == MILESTONES.table:
                rows += _milestone(theme, ref, title, old, new)
    for ref in sorted(set(before.milestone_rag) & set(after.milestone_rag)):
        old_rag, new_rag = before.milestone_rag[ref], after.milestone_rag[ref]
        if old_rag != new_rag:
            theme, title = after.milestone_theme[ref], after.milestone_title[ref]
            rows.append(Change(theme, "rag", "milestone", ref, title, old_rag, new_rag))
    for ref in sorted(set(before.workstream_rag) & set(after.workstream_rag)):
        (old_rag, _, _), (new_rag, name, theme) = (
            before.workstream_rag[ref],
            after.workstream_rag[ref],
        )
        if old_rag != new_rag:
            rows.append(Change(theme, "rag", "workstream", ref, name, old_rag, new_rag))
    for ref in sorted(set(before.theme_rag) & set(after.theme_rag)):
        (old_rag, _), (new_rag, name) = before.theme_rag[ref], after.theme_rag[ref]
        if old_rag != new_rag:
            rows.append(Change(ref, "rag", "theme", ref, name, old_rag, new_rag))
    if before.exists:
        for key in sorted(set(before.settings) | set(after.settings)):
            old_value, new_value = before.settings.get(key), after.settings.get(key)
            if old_value != new_value:
                rows.append(Change(PROGRAMME, "setting", "setting", key, "", old_value, new_value))
    order = {name: position for position, name in enumerate(
        ("added", "removed", "completed", "forecast", "rebaselined", "rag", "setting")
    )}  # fmt: skip
    return sorted(rows, key=lambda row: (row.theme, order[row.change], row.kind, row.ref))


def _milestone(theme: str, ref: str, title: str, old: Record, new: Record) -> list[Change]:
    rows = []
    if new["status"] == MilestoneStatus.DONE and old["status"] != MilestoneStatus.DONE:
        rows.append(Change(theme, "completed", "milestone", ref, title, None, new["completed"]))
    if new["status"] != MilestoneStatus.DONE and old.get("forecast") != new.get("forecast"):
        before = old.get("forecast") or old["due"]
        after = new.get("forecast") or new["due"]
        if before != after:
            rows.append(
                Change(
                    theme, "forecast", "milestone", ref, title, before, after, (after - before).days
                )
            )
    added = [
        entry for entry in new.get("rebaselines", []) if entry not in old.get("rebaselines", [])
    ]
    for due, reason, _changed in added:
        rows.append(
            Change(theme, "rebaselined", "milestone", ref, title, due, new["due"], None, reason)
        )
    return rows


# The moment WHEN names.


def latest_issue(session: Session) -> dt.datetime | None:
    from tracker.services.issuing import latest_issue_moment

    return latest_issue_moment(session=session)


def since_last_quarter(
    database: Database,
    quarter: Any,
    as_of: dt.date,
    *,
    recorded: dt.datetime | None = None,
    seen: dt.datetime | None = None,
) -> list[dict[str, Any]] | None:
    """The changes a quarterly report lists: from the previous quarter's issue (or, if it was
    not issued, the end of its last day) to the end of the report's as-of day (or the moment
    the report is seen as recorded, if earlier). ``seen``: when the newest command the
    report's figures include committed; a command after it is left out here too. None when
    the audit trail does not reach back that far."""
    from dataclasses import asdict

    from tracker.services.issuing import in_force, issue_moment
    from tracker.services.reports import jsonable

    try:
        previous = quarter.previous()
    except ValueError:
        return None
    with database.reading_rows() as connection:
        issued = in_force(previous, session=connection)
        issued_at = issue_moment(connection, issued.ref) if issued else None
    start = issued_at or _end_of_day(previous.end)
    end: dt.datetime | None = _end_of_day(as_of)
    if end is not None and end > dt.datetime.now(dt.UTC).replace(tzinfo=None):
        end = None
    if recorded is not None and (end is None or recorded < end):
        end = recorded
    if end is not None and end <= start:
        return []
    if seen is not None and (end is None or seen < end):
        # (No later than the start: with no command since, what changed is what the passing
        # days changed, the RAG of what fell due.)
        end = max(seen, start)
    try:
        found = between(database, Moment(start, previous.end), Moment(end, as_of))
    except InvalidInput:
        return None
    rows: list[dict[str, Any]] = jsonable([asdict(row) for row in found.rows])
    return rows


def _end_of_day(day: dt.date) -> dt.datetime:
    local = dt.datetime.combine(day, dt.time.max).astimezone()
    return local.astimezone(dt.UTC).replace(tzinfo=None)
