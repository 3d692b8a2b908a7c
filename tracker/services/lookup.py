"""Finding records by ref, the way users type them (any case, any Unicode form)."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, select

from tracker import models
from tracker.errors import InvalidInput, NotFound
from tracker.text import clean_ref

M = TypeVar("M", bound=SQLModel)


def by_ref(model: type[M], ref: str, *, session: Session, field: str = "ref") -> M:
    """The record of ``model`` whose ref is ``ref``, or NotFound naming the kind and the ref."""
    key = clean_ref(ref, field=field)
    column: Any = model.ref  # type: ignore[attr-defined]
    row = session.exec(select(model).where(column == key)).first()
    if row is None:
        raise NotFound(f"{field}: no {_noun(model)} with ref {key!r}")
    return row


def _noun(model: type[SQLModel]) -> str:
    return str(model.__tablename__).replace("_", " ")


def current_mou(*, session: Session, ref: str | None = None) -> models.Mou:
    """The MoU a command works on: the one named, or the only one in the database."""
    if ref is not None:
        return by_ref(models.Mou, ref, session=session, field="mou")
    mous = session.exec(select(models.Mou).order_by(models.Mou.ref).limit(2)).all()
    if not mous:
        raise NotFound("no MoU in this database yet: load a programme with `mou import FILE.toml`")
    if len(mous) > 1:
        raise InvalidInput(
            "mou: this database holds several MoUs; mou works with one MoU per database for "
            "now: keep each in its own (--db), and move one with mou export --mou REF"
        )
    return mous[0]
