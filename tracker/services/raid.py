"""The risk register and the RAID summary (docs/rules.md, "Risks, issues and assumptions"):
risks sorted by score with their bands, the likelihood × impact grid, and the counts that
``mou status`` and the quarterly report show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from tracker import tables
from tracker.db import Reader
from tracker.enums import AssumptionStatus, IssueSeverity, IssueStatus, Rag, RiskStatus
from tracker.kinds import ISSUES, RISKS
from tracker.scoring import RiskBands, risk_score, score_held_on
from tracker.services.lookup import current_mou, row_by_ref
from tracker.services.records import RecordReader
from tracker.services.status import theme_subtree

SCALE = range(1, 6)  # likelihood and impact run from 1 to 5


@dataclass(frozen=True)
class RiskRow:
    """A row of the register, in the order its columns appear."""

    ref: str
    title: str
    theme: str | None
    workstream: str | None
    owner: str
    likelihood: int
    impact: int
    score: int
    band: str
    status: str
    response: str | None
    mitigation: str | None
    target: dt.date | None
    review: dt.date | None
    description: str | None


@dataclass(frozen=True)
class RiskRegister:
    rows: list[RiskRow]
    bands: RiskBands
    # grid[likelihood - 1][impact - 1]: how many of the rows sit in each cell.
    grid: list[list[int]]


def _risks(session: Reader) -> tuple[RecordReader, dict[str, dict[str, Any]]]:
    mou = current_mou(session=session)
    store = RecordReader(session, mou_id=mou.id)
    return store, store.mou_records(RISKS)


def _themes_of_workstreams(session: Reader) -> dict[str, str]:
    workstream, theme = tables.workstream, tables.theme
    rows = session.execute(
        sa.select(workstream.c.ref, theme.c.ref).join(theme, theme.c.id == workstream.c.theme_id)
    ).all()
    return {ref: theme_ref for ref, theme_ref in rows}


def risk_register(
    *,
    session: Reader,
    bands: RiskBands,
    theme: str | None = None,
    status: RiskStatus | None = None,
) -> RiskRegister:
    """The risks of the MoU, highest score first (then by ref), optionally those under a
    theme (the risk's own theme, or its workstream's, or a sub-theme of it) or of a status."""
    themes: set[str] | None = None
    if theme is not None:
        found = row_by_ref("themes", theme, session=session, field="--theme")
        ids = theme_subtree(session, found.id)
        stored = tables.theme
        themes = set(session.execute(sa.select(stored.c.ref).where(stored.c.id.in_(ids))).scalars())
    _, records = _risks(session)
    workstream_theme = _themes_of_workstreams(session) if themes is not None else {}
    rows = []
    for key, record in records.items():
        if status is not None and record["status"] != status:
            continue
        if themes is not None and not (
            record["theme"] in themes or workstream_theme.get(record["workstream"]) in themes
        ):
            continue
        rows.append(_row(key, record, bands))
    rows.sort(key=lambda row: (-row.score, row.ref))
    grid = [[0 for _ in SCALE] for _ in SCALE]
    for row in rows:
        grid[row.likelihood - 1][row.impact - 1] += 1
    return RiskRegister(rows=rows, bands=bands, grid=grid)


def _row(key: str, record: Mapping[str, Any], bands: RiskBands) -> RiskRow:
    score = risk_score(record["likelihood"], record["impact"])
    assert score is not None
    return RiskRow(
        ref=key,
        title=record["title"],
        theme=record["theme"],
        workstream=record["workstream"],
        owner=record["owner"],
        likelihood=record["likelihood"],
        impact=record["impact"],
        score=score,
        band=bands.band(score).value,
        status=record["status"].value,
        response=record["response"].value if record["response"] else None,
        mitigation=record["mitigation"],
        target=record["target"],
        review=record["review"],
        description=record["description"],
    )


@dataclass(frozen=True)
class RaidSummary:
    """Open risks by band and open issues: the line under the programme's status."""

    risks_open: int
    risks_red: int
    risks_amber: int
    risks_green: int
    issues_open: int
    issues_open_high: int  # of those, high or critical
    assumptions_broken: int
    bands: RiskBands

    @property
    def empty(self) -> bool:
        return not (self.risks_open or self.issues_open or self.assumptions_broken)


def raid_summary(*, session: Reader, bands: RiskBands) -> RaidSummary:
    """Counted by the database: open risks per (likelihood, impact) cell, then banded here
    (at most 25 rows), and open issues per severity."""
    mou_id = current_mou(session=session).id
    r, i, a = tables.risk.c, tables.issue.c, tables.assumption.c
    by_band = {Rag.RED: 0, Rag.AMBER: 0, Rag.GREEN: 0}
    cells = session.execute(
        sa.select(r.likelihood, r.impact, sa.func.count())
        .where(r.mou_id == mou_id, r.status == RiskStatus.OPEN)
        .group_by(r.likelihood, r.impact)
    )
    for likelihood, impact, count in cells:
        by_band[bands.band(likelihood * impact)] += count
    issues = dict(
        session.execute(
            sa.select(i.severity, sa.func.count())
            .where(i.mou_id == mou_id, i.status == IssueStatus.OPEN)
            .group_by(i.severity)
        ).all()
    )
    broken = session.execute(
        sa.select(sa.func.count()).where(a.mou_id == mou_id, a.status == AssumptionStatus.BROKEN)
    ).scalar_one()
    return RaidSummary(
        risks_open=sum(by_band.values()),
        risks_red=by_band[Rag.RED],
        risks_amber=by_band[Rag.AMBER],
        risks_green=by_band[Rag.GREEN],
        issues_open=sum(issues.values()),
        issues_open_high=issues.get(IssueSeverity.HIGH, 0) + issues.get(IssueSeverity.CRITICAL, 0),
        assumptions_broken=int(broken),
        bands=bands,
    )


# The quarterly report's sections.


@dataclass(frozen=True)
class RiskLine:
    """A row of risks.csv: the risk as it stood at the report's as-of date, and its movement
    since the end of the previous quarter (from its score history)."""

    ref: str
    title: str
    theme: str | None
    workstream: str | None
    owner: str
    likelihood: int
    impact: int
    score: int
    band: str
    previous_score: int
    movement: str  # up (worse), down (better), same
    status: str
    response: str | None
    mitigation: str | None
    target: dt.date | None
    review: dt.date | None


def risk_lines(
    *, session: Reader, bands: RiskBands, period_start: dt.date, as_of: dt.date
) -> list[RiskLine]:
    """Every risk, scored as it stood at ``as_of`` (a re-scoring recorded later is taken
    back), highest score first; ``previous_score`` is its score on the day before the period
    began."""
    _, records = _risks(session)
    lines = []
    for key, record in records.items():
        history = record["score_history"]
        likelihood, impact = score_held_on(record["likelihood"], record["impact"], history, as_of)
        before = score_held_on(
            record["likelihood"], record["impact"], history, period_start - dt.timedelta(days=1)
        )
        score, previous = likelihood * impact, before[0] * before[1]
        movement = "up" if score > previous else "down" if score < previous else "same"
        lines.append(
            RiskLine(
                ref=key,
                title=record["title"],
                theme=record["theme"],
                workstream=record["workstream"],
                owner=record["owner"],
                likelihood=likelihood,
                impact=impact,
                score=score,
                band=bands.band(score).value,
                previous_score=previous,
                movement=movement,
                status=record["status"].value,
                response=record["response"].value if record["response"] else None,
                mitigation=record["mitigation"],
                target=record["target"],
                review=record["review"],
            )
        )
    lines.sort(key=lambda line: (-line.score, line.ref))
    return lines


SEVERITY_ORDER = {
    IssueSeverity.CRITICAL: 0,
    IssueSeverity.HIGH: 1,
    IssueSeverity.MEDIUM: 2,
    IssueSeverity.LOW: 3,
}


@dataclass(frozen=True)
class IssueLine:
    """A row of issues.csv: an issue open at some time in the period, as of the as-of date."""

    ref: str
    title: str
    owner: str
    severity: str
    status: str
    raised: dt.date
    resolved: dt.date | None
    days_open: int
    risk: str | None


def issue_lines(*, session: Reader, period_start: dt.date, as_of: dt.date) -> list[IssueLine]:
    """Issues raised by ``as_of`` and not resolved before the period began, most severe
    first, then oldest first. A resolution dated after ``as_of`` is not known yet."""
    store = RecordReader(session, mou_id=current_mou(session=session).id)
    records = store.mou_records(ISSUES)
    lines = []
    for key, record in records.items():
        raised, resolved = record["raised"], record["resolved"]
        if raised > as_of:
            continue
        if resolved is not None and resolved > as_of:
            resolved = None  # not resolved yet, as of the report's date
        if resolved is not None and resolved < period_start:
            continue
        lines.append(
            IssueLine(
                ref=key,
                title=record["title"],
                owner=record["owner"],
                severity=record["severity"].value,
                status=IssueStatus.RESOLVED.value if resolved else IssueStatus.OPEN.value,
                raised=raised,
                resolved=resolved,
                days_open=((resolved or as_of) - raised).days,
                risk=record["risk"],
            )
        )
    lines.sort(
        key=lambda line: (SEVERITY_ORDER[IssueSeverity(line.severity)], line.raised, line.ref)
    )
    return lines
