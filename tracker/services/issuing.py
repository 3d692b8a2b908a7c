"""Reports as issued to the board: a quarterly report frozen, with who issued it and when.

Later corrections (a completion recorded in October, dated in September) never change an
issued report; a fresh report shows them, and ``diff`` says what differs and why. Issuing a
quarter again is refused unless it replaces the earlier issue, which is kept in the history:
the latest issue of a quarter is the one in force.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from tracker import tables
from tracker.db import Reader
from tracker.errors import Conflict
from tracker.kinds import ISSUED_REPORTS, NOTES
from tracker.periods import Quarter
from tracker.services.lookup import current_mou

if TYPE_CHECKING:
    from sqlmodel import Session


@dataclass(frozen=True)
class Issued:
    """One issued report: its ref, quarter, as-of date, who issued it, when, and why."""

    ref: str
    quarter: str
    scheme: str
    as_of: dt.date
    at: dt.datetime  # UTC
    by: str
    note: str | None
    in_force: bool  # the latest issue of its quarter
    document: dict[str, Any]

    @property
    def stamp(self) -> dict[str, Any]:
        """The ``issued`` key a report's JSON gains when it is the issued version."""
        return {
            "ref": self.ref,
            "at": self.at.isoformat(sep=" ", timespec="seconds"),
            "by": self.by,
            "note": self.note,
        }


def _issued(row: Any, in_force: bool) -> Issued:
    return Issued(
        ref=row.ref,
        quarter=row.quarter,
        scheme=row.scheme.value,
        as_of=row.as_of,
        at=row.issued_at,
        by=row.issued_by,
        note=row.note,
        in_force=in_force,
        document=json.loads(row.content),
    )


def issued_reports(*, session: Reader) -> list[Issued]:
    """Every issue, oldest first; the latest of each quarter is the one in force."""
    report = tables.issued_report
    rows = session.execute(sa.select(report).order_by(report.c.issued_at, report.c.id)).all()
    latest = {(row.quarter, row.scheme): row.id for row in rows}
    return [_issued(row, latest[(row.quarter, row.scheme)] == row.id) for row in rows]


def in_force(quarter: Quarter, *, session: Reader) -> Issued | None:
    """The issue of this quarter now in force, if it was issued."""
    found = [
        item
        for item in issued_reports(session=session)
        if item.quarter == quarter.label and item.scheme == quarter.scheme.value and item.in_force
    ]
    return found[-1] if found else None


def latest_issue_moment(*, session: Reader) -> dt.datetime | None:
    """When the latest report was issued (``--since last-issue``): the moment the issuing
    command committed, so the issue itself is not among the changes since."""
    issued = issued_reports(session=session)
    if not issued:
        return None
    latest = max(issued, key=lambda item: item.at)
    return issue_moment(session, latest.ref) or latest.at


def issue_moment(session: Reader, ref: str) -> dt.datetime | None:
    """When the command that issued a report committed."""
    e, c = tables.audit_entry, tables.audit_command
    found: dt.datetime | None = session.execute(
        sa.select(c.c.at)
        .join(e, e.c.command_id == c.c.id)
        .where(e.c.kind == ISSUED_REPORTS.table, e.c.ref == ref, e.c.action == "add")
        .order_by(c.c.id.desc())
    ).scalar()
    return found


def issue(
    quarter: Quarter,
    document: dict[str, Any],
    *,
    session: Session,
    as_of: dt.date,
    note: str | None,
    replace: bool,
) -> Issued:
    """Freeze a report's document as issued now, by the session's actor."""
    from tracker.services import audit
    from tracker.services.editing import add_record

    earlier = in_force(quarter, session=session)
    if earlier is not None and not replace:
        raise Conflict(
            f"--quarter: {quarter.label} was issued on "
            f"{earlier.at.isoformat(sep=' ', timespec='minutes')} UTC by {earlier.by} "
            f"({earlier.ref}); issue it again with --replace (the earlier issue is kept)"
        )
    current_mou(session=session)  # an MoU to report on, or a clear message
    count = len([item for item in issued_reports(session=session) if item.quarter == quarter.label])
    stem = quarter.label.replace("/", "-").replace(" ", "-")
    ref = f"{stem}.{count + 1}"
    by = audit.resolve_actor(session, audit.current(session).actor)
    at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    values = {
        "quarter": quarter.label,
        "scheme": quarter.scheme.value,
        "as_of": as_of,
        "issued_at": at,
        "issued_by": by,
        "note": note,
        "content": document,
    }
    saved = add_record(ISSUED_REPORTS, values, session=session, ref=ref)
    report = tables.issued_report
    row = session.execute(sa.select(report).where(report.c.ref == saved.key)).one()
    return _issued(row, True)


# What differs between an issued report and the same quarter computed again.

_ROW_KEYS = {
    "milestone_summary": ("scope_type", "scope"),
    "milestones": ("ref",),
    "theme_progress": ("scope",),
    "institution_progress": ("scope",),
    "visits": ("ref",),
    "milestone_exceptions": ("ref",),
    "commentary": ("scope_type", "scope"),
    "delivery_by_quarter": ("period",),
}


@dataclass(frozen=True)
class Difference:
    section: str  # summary, milestones…
    key: str  # the row: a ref, 'theme CHEM'; 'summary' for the summary
    field: str  # a column, or '(row)' for a row only one side has
    issued: Any
    fresh: Any


@dataclass(frozen=True)
class Explanation:
    """A command recorded after the issue that changed what differs."""

    command_id: int
    at: dt.datetime
    actor: str
    command: str
    summary: str
    refs: list[str]


def differences(issued: dict[str, Any], fresh: dict[str, Any]) -> list[Difference]:
    """Every value that differs, section by section, row by row (rows matched by key)."""
    found: list[Difference] = []
    for field_name in sorted({*issued.get("summary", {}), *fresh.get("summary", {})}):
        before = issued.get("summary", {}).get(field_name)
        after = fresh.get("summary", {}).get(field_name)
        if before != after:
            found.append(Difference("summary", "summary", field_name, before, after))
    for section, key_fields in _ROW_KEYS.items():
        before_rows = _keyed(issued.get(section, []), key_fields)
        after_rows = _keyed(fresh.get(section, []), key_fields)
        for key in [*before_rows, *(key for key in after_rows if key not in before_rows)]:
            before, after = before_rows.get(key), after_rows.get(key)
            if before is None or after is None:
                found.append(
                    Difference(
                        section,
                        key,
                        "(row)",
                        "present" if before is not None else "absent",
                        "present" if after is not None else "absent",
                    )
                )
                continue
            for field_name in after:
                if before.get(field_name) != after[field_name]:
                    found.append(
                        Difference(
                            section, key, field_name, before.get(field_name), after[field_name]
                        )
                    )
    return found


def _milestones_behind(found: list[Difference], session: Session) -> set[str]:
    """The milestones whose changes can explain the differences: those named, and those of
    every theme (with its sub-themes) and institution whose figures differ."""
    from tracker.services.status import theme_subtree

    named = {item.key for item in found if item.section == "milestones"}
    themes: set[str] = set()
    institutions: set[str] = set()
    for item in found:
        scope_type, _, ref = item.key.rpartition(" ")
        if item.section == "theme_progress" or scope_type == "theme":
            themes.add(ref)
        elif item.section == "institution_progress" or scope_type == "institution":
            institutions.add(ref)
        elif scope_type == "programme" or item.section == "summary":
            named.add("*")
    m, w, t, i = tables.milestone, tables.workstream, tables.theme, tables.institution
    theme_ids: set[int] = set()
    for theme_id in session.execute(sa.select(t.c.id).where(t.c.ref.in_(themes))).scalars():
        theme_ids |= theme_subtree(session, theme_id)
    rows = session.execute(
        sa.select(m.c.ref, w.c.theme_id, i.c.ref)
        .join(w, w.c.id == m.c.workstream_id)
        .join(i, i.c.id == m.c.institution_id)
    ).all()
    every = "*" in named
    return {
        ref
        for ref, theme_id, institution in rows
        if every or ref in named or theme_id in theme_ids or institution in institutions
    } | (named - {"*"})


def _keyed(rows: list[dict[str, Any]], key_fields: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    return {" ".join(str(row[name]) for name in key_fields): row for row in rows}


def explanations(issued: Issued, found: list[Difference], *, session: Session) -> list[Explanation]:
    """The commands recorded since the report was issued that changed the milestones, scopes
    or settings whose figures differ."""
    from tracker.services import trail

    if not found:
        return []
    refs = _milestones_behind(found, session)
    # Commentary that differs is explained by the commands that wrote notes.
    notes = any(item.section == "commentary" for item in found)
    c = tables.audit_command
    # Commands after the one that issued the report (its time is kept to the second, so a
    # command earlier in that same second is not "since"); by time when that one is unknown.
    e = tables.audit_entry
    issuing = session.execute(
        sa.select(e.c.command_id).where(
            e.c.kind == ISSUED_REPORTS.table, e.c.ref == issued.ref, e.c.action == "add"
        )
    ).scalar()
    since = c.c.id > issuing if issuing is not None else c.c.at > issued.at
    rows = session.execute(sa.select(c).where(since).order_by(c.c.id)).all()
    commands = [
        trail.Command(row.id or 0, row.at, row.actor, row.command, row.undoes, row.redoes)
        for row in rows
    ]
    entries = trail.entries_of(session, [command.id for command in commands])
    explained = []
    for command in commands:
        touched = sorted(
            {
                entry.ref
                for entry in entries[command.id]
                if entry.ref in refs
                or entry.kind == "settings"
                or (notes and entry.kind == NOTES.table)
            }
        )
        if touched:
            explained.append(
                Explanation(
                    command.id,
                    command.at,
                    command.actor,
                    command.command,
                    trail.summary(command, entries[command.id]),
                    touched,
                )
            )
    return explained
