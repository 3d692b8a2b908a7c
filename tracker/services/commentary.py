"""Reading commentary: the notes of a quarter as lists show them and as a quarterly report
carries them (docs/rules.md, "Commentary"). Read through ``tracker.tables``, on an ORM session
or a Core connection: a report reads without the mapped classes. ``tracker.services.notes``
writes them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from tracker import tables
from tracker.db import Reader
from tracker.kinds import NOTES
from tracker.periods import Quarter, months_of
from tracker.services.lookup import current_mou, row_by_ref
from tracker.services.records import RecordReader
from tracker.services.status import theme_subtree

# The order commentary is read in: the programme first, then themes, then workstreams.
SCOPE_ORDER = ("programme", "theme", "workstream")


@dataclass(frozen=True)
class Scope:
    """What a note comments on: the programme (no ref), a theme or a workstream."""

    kind: str  # programme | theme | workstream
    ref: str | None = None

    @classmethod
    def of(cls, record: dict[str, Any]) -> Scope:
        if record.get("theme"):
            return cls("theme", record["theme"])
        if record.get("workstream"):
            return cls("workstream", record["workstream"])
        return cls("programme")

    def fields(self) -> dict[str, str | None]:
        """The note's theme and workstream fields for this scope."""
        return {
            "theme": self.ref if self.kind == "theme" else None,
            "workstream": self.ref if self.kind == "workstream" else None,
        }

    def describe(self) -> str:
        """'theme CLIM', 'workstream WS02', 'the programme'."""
        return "the programme" if self.ref is None else f"{self.kind} {self.ref}"


@dataclass(frozen=True)
class NoteLine:
    """One note as lists and reports show it, with the name of what it comments on."""

    ref: str
    quarter: str
    scope_type: str  # programme | theme | workstream
    scope: str  # the MoU's ref for the programme, else the theme's or workstream's
    name: str  # the MoU's title, the theme's or the workstream's name
    words: int
    text: str

    @property
    def where(self) -> Scope:
        return Scope(self.scope_type, None if self.scope_type == "programme" else self.scope)


def words(text: str) -> int:
    return len(text.split())


def note_lines(
    *, session: Reader, quarter: str | None = None, theme: str | None = None
) -> list[NoteLine]:
    """The notes of one quarter (or all), optionally only those on a theme, its sub-themes and
    their workstreams: by quarter, then the programme, themes and workstreams, by ref."""
    mou = current_mou(session=session)
    records = RecordReader(session, mou_id=mou.id).mou_records(NOTES)
    names = _names(session, mou)
    wanted: set[str] | None = None
    if theme is not None:
        found = row_by_ref("themes", theme, session=session, field="--theme")
        wanted = _refs_under(session, theme_subtree(session, found.id))
    lines = []
    for key, record in records.items():
        if quarter is not None and record["quarter"] != quarter:
            continue
        scope = Scope.of(record)
        if wanted is not None and scope.ref not in wanted:
            continue
        ref = scope.ref if scope.ref is not None else mou.ref
        lines.append(
            NoteLine(
                ref=key,
                quarter=record["quarter"],
                scope_type=scope.kind,
                scope=ref,
                name=names.get((scope.kind, ref), ""),
                words=words(record["text"]),
                text=record["text"],
            )
        )
    return sorted(
        lines,
        key=lambda line: (line.quarter, SCOPE_ORDER.index(line.scope_type), line.scope, line.ref),
    )


def commentary(*, session: Reader, quarter: Quarter) -> list[dict[str, Any]]:
    """The quarter's notes as the report document holds them (its ``commentary`` section).
    A note belongs to the quarter whose dates its label names, so a report under another
    reporting scheme (calendar 2026 Q4 for FY2026/27 Q3) still carries it."""
    return [
        {
            "ref": line.ref,
            "scope_type": line.scope_type,
            "scope": line.scope,
            "name": line.name,
            "text": line.text,
        }
        for line in note_lines(session=session)
        if months_of(line.quarter) == (quarter.start, quarter.end)
    ]


def _names(session: Reader, mou: Any) -> dict[tuple[str, str], str]:
    names = {("programme", mou.ref): mou.title}
    for table, scope in ((tables.theme, "theme"), (tables.workstream, "workstream")):
        named = sa.select(table.c.ref, table.c.name).where(table.c.mou_id == mou.id)
        for ref, name in session.execute(named):
            names[(scope, ref)] = name
    return names


def _refs_under(session: Reader, theme_ids: set[int]) -> set[str]:
    """The refs of these themes and of the workstreams under them."""
    theme, workstream = tables.theme.c, tables.workstream.c
    themes = session.execute(sa.select(theme.ref).where(theme.id.in_(theme_ids))).scalars()
    workstreams = session.execute(
        sa.select(workstream.ref).where(workstream.theme_id.in_(theme_ids))
    ).scalars()
    return set(themes) | set(workstreams)
