"""``mou check``: is the database sound, and does the data keep the domain's rules?

The schema enforces most rules, but a database can be edited by other tools, restored from an
old copy or damaged on disk, so this looks again from the outside: storage integrity, foreign
keys, and the rules the schema cannot express.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker import models
from tracker.enums import ActionStatus, MilestoneStatus
from tracker.fields import in_the_future
from tracker.kinds import BY_TABLE, KINDS
from tracker.rules import no_cycle, parent_loops
from tracker.services.settings import ORDERED, SETTINGS


def check_database(*, session: Session, today: dt.date | None = None) -> list[str]:
    """Every problem found, one line each; an empty list means all is well. With ``today``,
    also the dates on which something happened that are later than today (other tools, or
    mou before it refused them in files, could record them)."""
    problems: list[str] = []
    problems += _storage(session)
    problems += _completion_rules(session)
    problems += _forecasts_before_signing(session)
    problems += _workstream_leads(session)
    problems += _look_alike_refs(session)
    problems += _look_alike_names(session)
    problems += _parent_loops(session)
    problems += _dependency_loops(session)
    problems += _settings(session)
    if today is not None:
        problems += _happened_in_the_future(session, today)
    return problems


def _happened_in_the_future(session: Session, today: dt.date) -> list[str]:
    problems = []
    for kind in KINDS:
        table = kind.model.__table__
        for spec in kind.fields:
            if not spec.happened:
                continue
            column = table.c[spec.attribute]
            rows = session.execute(
                sa.select(table.c.ref, column).where(column > today).order_by(table.c.ref)
            )
            for ref, day in rows:
                problems.append(f"{kind.noun} {ref} {spec.key}: {in_the_future(spec, day, today)}")
    return problems


def _settings(session: Session) -> list[str]:
    """Values written by other tools (or by two people at once, before that was serialised)
    that the settings commands would refuse."""
    problems = []
    stored = dict(session.exec(select(models.Setting.key, models.Setting.value)).all())
    values = {key: setting.default for key, setting in SETTINGS.items()} | stored
    for key, value in stored.items():
        setting = SETTINGS.get(key)
        if setting is None:
            problems.append(f"setting {key}: not a setting mou knows")
            continue
        try:
            setting.parse(value)
        except ValueError as error:
            problems.append(f"setting {key}: {value!r} is not {error}")
    for low, high in ORDERED:
        if (
            values[low].isdigit()
            and values[high].isdigit()
            and int(values[low]) > int(values[high])
        ):
            problems.append(
                f"settings: {low} ({values[low]}) exceeds {high} ({values[high]}); "
                "set them again with mou config set"
            )
    return problems


def _storage(session: Session) -> list[str]:
    if session.get_bind().dialect.name != "sqlite":
        return []  # PostgreSQL checks its pages and enforces foreign keys itself
    problems = []
    integrity = [row[0] for row in session.execute(sa.text("PRAGMA integrity_check"))]
    if integrity != ["ok"]:
        problems += [f"storage: {line}" for line in integrity]
    for table, rowid, parent, _ in session.execute(sa.text("PRAGMA foreign_key_check")):
        problems.append(f"{table} row {rowid}: points to a missing {parent} row")
    return problems


def _completion_rules(session: Session) -> list[str]:
    problems = []
    for model, noun, done in (
        (models.Milestone, "milestone", MilestoneStatus.DONE),
        (models.Action, "action", ActionStatus.DONE),
    ):
        m: Any = model
        rows = session.exec(
            select(m.ref, m.status, m.completed).where(
                sa.or_(
                    sa.and_(m.status == done, m.completed.is_(None)),
                    sa.and_(m.status != done, m.completed.is_not(None)),
                )
            )
        )
        for ref, status, completed in rows:
            if completed is None:
                problems.append(f"{noun} {ref}: done but has no completed date")
            else:
                problems.append(
                    f"{noun} {ref}: completed on {completed} but its status is {status}"
                )
    return problems


def _forecasts_before_signing(session: Session) -> list[str]:
    m = models.Milestone
    rows = session.exec(
        select(col(m.ref), col(m.forecast), col(models.Mou.signed))
        .join(models.Workstream, col(models.Workstream.id) == m.workstream_id)
        .join(models.Mou, col(models.Mou.id) == models.Workstream.mou_id)
        .where(col(m.forecast).is_not(None), col(models.Mou.signed).is_not(None))
        .where(col(m.forecast) < col(models.Mou.signed))
        .order_by(col(m.ref))
    )
    return [
        f"milestone {ref}: forecast {forecast} is before the MoU was signed ({signed})"
        for ref, forecast, signed in rows
    ]


def _workstream_leads(session: Session) -> list[str]:
    w, i = models.Workstream, models.Institution
    rows = session.exec(
        select(col(w.ref)).outerjoin(i, col(i.id) == w.lead_id).where(col(i.id).is_(None))
    )
    return [f"workstream {ref}: has no lead institution" for ref in rows]


def _key(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip().casefold()


def _duplicates(values: Iterable[str]) -> list[list[str]]:
    groups: dict[str, list[str]] = {}
    for value in values:
        groups.setdefault(_key(value), []).append(value)
    return [sorted(group) for group in groups.values() if len(group) > 1]


def _look_alike_refs(session: Session) -> list[str]:
    problems = []
    for kind in BY_TABLE.values():
        if not kind.has_ref:
            continue
        model = kind.ref_model
        for group in _duplicates(session.exec(select(col(model.ref)))):
            shown = ", ".join(repr(ref) for ref in group)
            problems.append(f"{kind.table}: refs {shown} differ only in case or Unicode form")
    return problems


def _look_alike_names(session: Session) -> list[str]:
    problems = []
    for table, model in (("institutions", models.Institution), ("themes", models.Theme)):
        for group in _duplicates(session.exec(select(model.name))):
            shown = ", ".join(repr(name) for name in group)
            problems.append(f"{table}: names {shown} differ only in case or Unicode form")
    return problems


def _parent_loops(session: Session) -> list[str]:
    problems = []
    for table, model in (("themes", models.Theme), ("sites", models.Site)):
        m: Any = model
        rows = session.exec(select(m.id, m.ref, m.parent_id)).all()
        refs = {row_id: ref for row_id, ref, _ in rows}
        parents = {ref: refs.get(parent) for _, ref, parent in rows}
        for ref in parent_loops(parents, sorted(parents)):
            problems.append(f"{table} {ref}: its parents form a loop")
    return problems


def _dependency_loops(session: Session) -> list[str]:
    """Milestones that depend, through others, on themselves: the rule that refuses them on
    every write, run over the links as stored."""
    dependant = sa.orm.aliased(models.Milestone)
    predecessor = sa.orm.aliased(models.Milestone)
    link = models.MilestoneDependency
    rows = session.execute(
        sa.select(col(dependant.ref), col(predecessor.ref))
        .select_from(link)
        .join(dependant, col(dependant.id) == link.milestone_id)
        .join(predecessor, col(predecessor.id) == link.depends_on_id)
    )
    depends_on: dict[str, list[str]] = {}
    for ref, before in rows:
        depends_on.setdefault(ref, []).append(before)
    rule = no_cycle("depends_on", "milestones")

    def lookup(_table: str, ref: str) -> dict[str, Any]:
        return {"depends_on": depends_on.get(ref, [])}

    return [
        f"milestone {ref}: {message}"
        for ref in sorted(depends_on)
        for _, message in rule({"ref": ref, "depends_on": depends_on[ref]}, lookup)
    ]
