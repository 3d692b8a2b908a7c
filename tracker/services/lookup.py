"""Finding records by ref, the way users type them (any case, any Unicode form), and saying
which ref was probably meant when none matches."""

from __future__ import annotations

import difflib
import re
from typing import Any

import sqlalchemy as sa

from tracker import tables
from tracker.db import Reader
from tracker.errors import InvalidInput, NotFound
from tracker.kinds import BY_TABLE, KindSpec
from tracker.text import clean_ref


def by_ref(table: str, ref: str, *, session: Reader, field: str = "ref") -> Any:
    """The record of a kind whose ref is ``ref`` (a mapped object, to change), or NotFound
    naming the kind, the ref and the closest ref that does exist."""
    kind = BY_TABLE[table]
    key = clean_ref(ref, field=field)
    model = kind.ref_model
    row = session.execute(sa.select(model).where(model.__table__.c.ref == key)).scalars().first()
    if row is None:
        raise missing(kind, key, session=session, field=field)
    return row


def row_by_ref(table: str, ref: str, *, session: Reader, field: str = "ref") -> Any:
    """``by_ref`` for a read: the record's row from ``tracker.tables``, no mapped class."""
    kind = BY_TABLE[table]
    key = clean_ref(ref, field=field)
    stored = tables.BY_MODEL[kind.model_name]
    row = session.execute(sa.select(stored).where(stored.c.ref == key)).first()
    if row is None:
        raise missing(kind, key, session=session, field=field)
    return row


def missing(kind: KindSpec, key: str, *, session: Reader, field: str = "ref") -> NotFound:
    """'--workstream: no workstream with ref 'WS1'; did you mean WS01?'"""
    if not kind.has_ref:  # a party is named by its institution
        return NotFound(f"{field}: {key} is not {kind.article} {kind.noun} to this MoU")
    hint = suggest(kind, key, session=session)
    return NotFound(
        f"{field}: no {kind.noun} with ref {key!r}" + (f"; did you mean {hint}?" if hint else "")
    )


def _squashed(ref: str) -> str:
    """A ref without its separators and leading zeros: MS13, MS-013 and ms-13 look alike."""
    return re.sub(r"(?<![0-9])0+(?=[0-9])", "", re.sub(r"[^A-Z0-9]", "", ref.upper()))


def suggest(kind: KindSpec, key: str, *, session: Reader) -> str | None:
    """The existing ref of this kind closest to ``key``, if one is close enough to be a typo."""
    if not kind.has_ref:
        return None
    refs = list(session.execute(sa.select(tables.BY_MODEL[kind.model_name].c.ref)).scalars())
    squashed = _squashed(key)
    same = [ref for ref in refs if _squashed(ref) == squashed]
    if same:
        return str(same[0])
    # Otherwise a close spelling, but never a different number: MS-99 is not a typo of MS-19.
    digits = re.sub(r"[^0-9]", "", squashed)
    close = [
        ref
        for ref in difflib.get_close_matches(key, refs, n=3, cutoff=0.8)
        if re.sub(r"[^0-9]", "", _squashed(ref)) == digits
    ]
    return str(close[0]) if close else None


def suggest_any(key: str, *, session: Reader) -> str | None:
    """The closest ref of any kind, for a ref typed without saying its kind."""
    for kind in BY_TABLE.values():
        hint = suggest(kind, key, session=session)
        if hint is not None:
            return hint
    return None


def current_mou(*, session: Reader, ref: str | None = None) -> Any:
    """The MoU a command works on: the one named, or the only one in the database. A row of
    ``tracker.tables.mou``, read the same way on an ORM session or a Core connection."""
    if ref is not None:
        return row_by_ref("mou", ref, session=session, field="mou")
    mou = tables.mou
    mous = session.execute(sa.select(mou).order_by(mou.c.ref).limit(2)).all()
    if not mous:
        raise NotFound("no MoU in this database yet: load a programme with `mou import FILE.toml`")
    if len(mous) > 1:
        raise InvalidInput(
            "mou: this database holds several MoUs; mou works with one MoU per database for "
            "now: keep each in its own (--db), and move one with mou export --mou REF"
        )
    return mous[0]
