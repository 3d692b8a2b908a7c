"""Commentary: the programme office's words on a quarter, for the whole programme, a theme or a
workstream (docs/rules.md, "Commentary"). Notes are records of their own kind (``NOTES``),
written through the same store as every other record, so they are audited, undone, exported
and rebuilt by ``--recorded-by``. This module writes them; ``tracker.services.commentary``
reads them (as lists and for a quarterly report, which carries its quarter's notes)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from tracker.errors import StaleRecord
from tracker.kinds import NOTES
from tracker.services.commentary import NoteLine, Scope, note_lines
from tracker.services.editing import Saved, add_record, read_record, update_record
from tracker.text import clean_ref


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


def note_line(ref: str, *, session: Session) -> NoteLine:
    """One note, as ``note show`` gives it; NotFound naming the closest ref."""
    key = clean_ref(ref)
    read_note(key, session=session)
    return next(line for line in note_lines(session=session) if line.ref == key)
