"""Commentary: the programme office's words on a quarter, for the whole programme, a theme or a
workstream (docs/rules.md, "Commentary"). Notes are records of their own kind (``NOTES``),
written through the same store as every other record, so they are audited, undone, exported
and rebuilt by ``--recorded-by``; a quarterly report carries its quarter's notes, and an issued
report keeps them as they were."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from tracker import models
from tracker.errors import StaleRecord
from tracker.kinds import NOTES
from tracker.periods import Quarter, months_of
from tracker.services.editing import Saved, add_record, read_record, update_record
from tracker.services.lookup import by_ref, current_mou
from tracker.services.status import theme_subtree
from tracker.services.store import RecordStore
from tracker.text import clean_ref

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


def add_note(quarter: str, scope: Scope, text: str, *, session: Session) -> Saved:
    """Record the commentary for a scope and quarter; refused when it already has one."""
    values = {"quarter": quarter, **scope.fields(), "text": text}
    return add_record(NOTES, values, session=session)


def update_note(
    ref: str,
    *,
    session: Session,
    quarter: str | None = None,
    scope: Scope | None = None,
    text: str | None = None,
    based_on: str | None = None,
) -> Saved:
    """Change a note's text, or move it to another quarter or scope. ``based_on`` is the text
    the new one was written from (in an editor, outside any transaction): if the note's text
    is no longer that, someone else changed it meanwhile and the change is refused."""
    if based_on is not None:
        _, current = read_record(NOTES, ref, session=session, for_update=True)
        if current["text"] != based_on:
            raise StaleRecord(
                f"note {clean_ref(ref)} was changed while it was open in the editor; run the "
                "command again"
            )
    changes: dict[str, Any] = {}
    if quarter is not None:
        changes["quarter"] = quarter
    if scope is not None:
        changes.update(scope.fields())
    if text is not None:
        changes["text"] = text
    return update_record(NOTES, ref, changes, session=session)


def read_note(ref: str, *, session: Session) -> dict[str, Any]:
    """A note's fields, or NotFound naming the closest ref."""
    _, record = read_record(NOTES, ref, session=session)
    return record


def note_lines(
    *, session: Session, quarter: str | None = None, theme: str | None = None
) -> list[NoteLine]:
    """The notes of one quarter (or all), optionally only those on a theme, its sub-themes and
    their workstreams: by quarter, then the programme, themes and workstreams, by ref."""
    mou = current_mou(session=session)
    store = RecordStore(session, mou_id=mou.id)
    records = store.mou_records(NOTES)
    names = _names(session, mou)
    wanted: set[str] | None = None
    if theme is not None:
        found = by_ref("themes", theme, session=session, field="--theme")
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


def commentary(*, session: Session, quarter: Quarter) -> list[dict[str, Any]]:
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


def _names(session: Session, mou: models.Mou) -> dict[tuple[str, str], str]:
    names = {("programme", mou.ref): mou.title}
    for ref, name in session.exec(
        select(models.Theme.ref, models.Theme.name).where(models.Theme.mou_id == mou.id)
    ):
        names[("theme", ref)] = name
    for ref, name in session.exec(
        select(models.Workstream.ref, models.Workstream.name).where(
            models.Workstream.mou_id == mou.id
        )
    ):
        names[("workstream", ref)] = name
    return names


def _refs_under(session: Session, theme_ids: set[int]) -> set[str]:
    """The refs of these themes and of the workstreams under them."""
    themes = session.exec(
        select(models.Theme.ref).where(models.Theme.id.in_(theme_ids))  # type: ignore[union-attr]
    ).all()
    workstreams = session.exec(
        select(models.Workstream.ref).where(
            models.Workstream.theme_id.in_(theme_ids)  # type: ignore[attr-defined]
        )
    ).all()
    return set(themes) | set(workstreams)


def note_line(ref: str, *, session: Session) -> NoteLine:
    """One note, as ``note show`` gives it; NotFound naming the closest ref."""
    key = clean_ref(ref)
    read_note(key, session=session)
    return next(line for line in note_lines(session=session) if line.ref == key)
