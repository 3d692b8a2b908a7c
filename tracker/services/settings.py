"""Programme-office conventions stored in the database, with their defaults."""

from __future__ import annotations

from sqlmodel import Session, select

from tracker import models
from tracker.services.rag import Tolerances

DEFAULTS = {
    "green_tol_days": "7",
    "red_tol_days": "30",
}


def stored_settings(*, session: Session) -> dict[str, str]:
    values = dict(DEFAULTS)
    for row in session.exec(select(models.Setting)):
        values[row.key] = row.value
    return values


def tolerances(*, session: Session) -> Tolerances:
    values = stored_settings(session=session)
    return Tolerances(
        green_days=int(values["green_tol_days"]), red_days=int(values["red_tol_days"])
    )
