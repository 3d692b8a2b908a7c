"""Progress tables (docs/rules.md, "Progress"): counts per scope as of a date, computed by the
database.

The counting is one GROUP BY per table, so ``mou status`` stays fast however many milestones
there are; only the theme tree (a handful of rows) is rolled up in Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa

from tracker import tables
from tracker.db import Reader
from tracker.enums import MilestoneStatus, Rag, ScopeKind
from tracker.periods import Quarter
from tracker.services.dependencies import at_risk
from tracker.services.lookup import current_mou, row_by_ref
from tracker.services.rag import (
    Tolerances,
    effective_date,
    is_done,
    iso_date,
    rag_expression,
    roll_up,
    trend,
)

# Status reads through the Core tables: no mapped class is built for the page people open
# most (tracker/tables.py says why).
M, W = tables.milestone, tables.workstream

# Where a milestone's RAG is tallied in a cell's counts (``_Scope._count_cells``): now, and
# then (for the trend). A cancelled milestone (N/A) counts in neither.
_NOW = {Rag.COMPLETE: 1, Rag.GREEN: 2, Rag.AMBER: 3, Rag.RED: 4}
_THEN = {Rag.RED: 6, Rag.AMBER: 7, Rag.GREEN: 8, Rag.COMPLETE: 9}


@dataclass(frozen=True)
class Counts:
    total: int = 0
    done: int = 0
    green: int = 0
    amber: int = 0
    red: int = 0
    overdue: int = 0
    next_due: dt.date | None = None
    next_ref: str | None = None
    # The same milestones' RAG at the moment compared with (trend), as counts to roll up.
    before: tuple[int, int, int, int] = (0, 0, 0, 0)  # (red, amber, green, done)
    at_risk: int = 0  # open milestones at risk from a predecessor (docs/rules.md, "Dependencies")

    @staticmethod
    def sum_of(parts: Sequence[Counts]) -> Counts:
        """The counts of several scopes together, the soonest milestone of them all next.
        Added in one pass rather than a pair at a time: at 100,000 milestones a status adds
        up some 12,000 cells, and a frozen dataclass is slow to make."""
        soonest = min(
            ((part.next_due, part.next_ref) for part in parts if part.next_due is not None),
            default=(None, None),
        )
        return Counts(
            total=sum(part.total for part in parts),
            done=sum(part.done for part in parts),
            green=sum(part.green for part in parts),
            amber=sum(part.amber for part in parts),
            red=sum(part.red for part in parts),
            overdue=sum(part.overdue for part in parts),
            next_due=soonest[0],
            next_ref=soonest[1],
            before=(
                sum(part.before[0] for part in parts),
                sum(part.before[1] for part in parts),
                sum(part.before[2] for part in parts),
                sum(part.before[3] for part in parts),
            ),
            at_risk=sum(part.at_risk for part in parts),
        )

    @property
    def rag(self) -> Rag:
        return roll_up(red=self.red, amber=self.amber, green=self.green, done=self.done)

    @property
    def pct_complete(self) -> float | None:
        return round(100 * self.done / self.total, 1) if self.total else None

    @property
    def rag_before(self) -> Rag:
        red, amber, green, done = self.before
        return roll_up(red=red, amber=amber, green=green, done=done)


@dataclass(frozen=True)
class ProgressRow:
    scope: str
    name: str
    counts: Counts
    depth: int = 0  # nesting level in the theme tree, for indentation
    scope_type: str = ""  # in a tree, which kind of scope the row is: theme or workstream
    rag_previous: str | None = None  # the RAG compared with (None: the scope was not there)

    @property
    def trend(self) -> str:
        return trend(self.counts.rag.value, self.rag_previous)


@dataclass(frozen=True)
class ProgressTable:
    by: ScopeKind
    as_of: dt.date
    rows: list[ProgressRow]


@dataclass(frozen=True)
class PartySummary:
    institution: str
    name: str
    role: str
    signatory: str | None
    signatory_title: str | None
    signed: dt.date | None


@dataclass(frozen=True)
class ProgrammeStatus:
    mou: str
    title: str
    status: str
    signed: dt.date | None
    as_of: dt.date
    tolerances: Tolerances
    parties: list[PartySummary]
    overall: Counts
    tables: list[ProgressTable] = field(default_factory=list)
    compared: Comparison | None = None
    overall_previous: str | None = None

    @property
    def overall_trend(self) -> str:
        return trend(self.overall.rag.value, self.overall_previous)


@dataclass(frozen=True)
class Comparison:
    """What the trend compares with: the RAG at ``date``, from the report issued for that
    quarter (``issued``, by scope) where there is one, else from today's records as of then."""

    date: dt.date
    issued: str | None = None  # the issued report's ref
    rags: dict[tuple[str, str], str] = field(default_factory=dict)  # (scope type, ref) -> RAG

    def previous(self, scope_type: str, scope: str, counts: Counts) -> str | None:
        if self.issued is None or scope_type not in ("theme", "institution", "programme"):
            return counts.rag_before.value
        return self.rags.get((scope_type, scope))  # None: not in the issued report


def programme_status(
    *,
    session: Reader,
    as_of: dt.date,
    tolerances: Tolerances,
    by: Sequence[ScopeKind] = (ScopeKind.THEME, ScopeKind.INSTITUTION),
    theme: str | None = None,
    institution: str | None = None,
    mou: str | None = None,
    compare: Comparison | None = None,
) -> ProgrammeStatus:
    """The programme header and one progress table per ``by``, as of ``as_of``, each row with
    its RAG at the moment ``compare`` names (counted in the same pass)."""
    record = current_mou(session=session, ref=mou)
    assert record.id is not None
    scope = _Scope(session, record.id, as_of, tolerances, compare.date if compare else None)
    if theme is not None:
        scope.theme_ids = theme_subtree(
            session, row_by_ref("themes", theme, session=session, field="--theme").id
        )
    if institution is not None:
        found = row_by_ref("institutions", institution, session=session, field="--institution")
        scope.institution_id = found.id
    tables = [ProgressTable(kind, as_of, _TABLES[kind](scope)) for kind in by]
    overall = scope.total()
    previous = None
    if compare is not None:
        tables = [_compared(table, compare) for table in tables]
        previous = compare.previous("programme", record.ref, overall)
    return ProgrammeStatus(
        mou=record.ref,
        title=record.title,
        status=record.status.value,
        signed=record.signed,
        as_of=as_of,
        tolerances=tolerances,
        parties=_parties(session, record.id),
        overall=overall,
        tables=tables,
        compared=compare,
        overall_previous=previous,
    )


def _compared(table: ProgressTable, compare: Comparison) -> ProgressTable:
    rows = [
        replace(
            row,
            rag_previous=compare.previous(row.scope_type or table.by.value, row.scope, row.counts),
        )
        for row in table.rows
    ]
    return replace(table, rows=rows)


def comparison(*, session: Reader, date: dt.date, quarter: Quarter | None = None) -> Comparison:
    """The point a trend compares with: ``date`` (counted from today's records), or the end
    of ``quarter``, taken from that quarter's issued report when it was issued."""
    from tracker.services.issuing import in_force

    issued = in_force(quarter, session=session) if quarter is not None else None
    if issued is None:
        return Comparison(date=date)
    rags: dict[tuple[str, str], str] = {
        ("programme", issued.document["summary"]["programme"]): issued.document["summary"]["rag"]
    }
    for key, scope_type in (("theme_progress", "theme"), ("institution_progress", "institution")):
        for row in issued.document.get(key, []):
            rags[(scope_type, row["scope"])] = row["rag"]
    return Comparison(date=quarter.end if quarter else date, issued=issued.ref, rags=rags)


Cell = tuple[int, int]  # (workstream id, owning institution id)


class _Scope:
    """The milestones in view (one MoU, optionally narrowed) and how to count them.

    The database counts once, per (workstream, institution) cell: two queries, each one pass
    over the milestones. Every table (themes, institutions, workstreams, commitments, the
    programme) is then a sum of those few cells, so adding a table costs no further pass.
    """

    def __init__(
        self,
        session: Reader,
        mou_id: int,
        as_of: dt.date,
        tolerances: Tolerances,
        before: dt.date | None = None,
    ):
        self.session = session
        self.mou_id = mou_id
        self.as_of = as_of
        self.before = before
        self.tolerances = tolerances
        self.theme_ids: set[int] | None = None
        self.institution_id: int | None = None
        self._cells: dict[Cell, Counts] | None = None

    def _in_view(self, stmt: Any) -> Any:
        stmt = stmt.select_from(M).join(W, W.c.id == M.c.workstream_id)
        stmt = stmt.where(W.c.mou_id == self.mou_id)
        if self.theme_ids is not None:
            stmt = stmt.where(W.c.theme_id.in_(self.theme_ids))
        if self.institution_id is not None:
            stmt = stmt.where(M.c.institution_id == self.institution_id)
        return stmt

    @property
    def cells(self) -> dict[Cell, Counts]:
        if self._cells is None:
            tallies = self._count_cells()
            next_due = self._next_due()
            at_risk = self._at_risk()
            self._cells = {
                cell: Counts(
                    total=tally[0],
                    done=tally[1],
                    green=tally[2],
                    amber=tally[3],
                    red=tally[4],
                    overdue=tally[5],
                    next_due=next_due.get(cell, (None, None))[0],
                    next_ref=next_due.get(cell, (None, None))[1],
                    before=(tally[6], tally[7], tally[8], tally[9]),
                    at_risk=at_risk.get(cell, 0),
                )
                for cell, tally in tallies.items()
            }
        return self._cells

    def _count_cells(self) -> dict[Cell, list[int]]:
        """Per cell: total, done, green, amber, red, overdue, then the RAG then (for the
        trend) as red, amber, green, done. Cancelled milestones count for nothing."""
        done = is_done(self.as_of)
        overdue = sa.and_(
            M.c.status != MilestoneStatus.CANCELLED,
            sa.not_(done),
            effective_date() < self.as_of,
        )
        # The RAG is worked out once per milestone in a subquery, then counted per cell.
        # The RAG then (for the trend) comes from the same pass: one more column to group by.
        then = (
            rag_expression(self.before, self.tolerances)
            if self.before is not None
            else sa.literal(Rag.NOT_APPLICABLE.value)
        )
        per_milestone = self._in_view(
            sa.select(
                M.c.workstream_id.label("workstream_id"),
                M.c.institution_id.label("institution_id"),
                rag_expression(self.as_of, self.tolerances).label("rag"),
                sa.case((overdue, 1), else_=0).label("overdue"),
                then.label("rag_before"),
            )
        ).subquery()
        groups = (
            per_milestone.c.workstream_id,
            per_milestone.c.institution_id,
            per_milestone.c.rag,
            per_milestone.c.overdue,
            per_milestone.c.rag_before,
        )
        stmt = sa.select(*groups, sa.func.count()).group_by(*groups)
        tallies: dict[Cell, list[int]] = {}
        for workstream_id, institution_id, rag, overdue_flag, before, count in self.session.execute(
            stmt
        ):
            tally = tallies.get((workstream_id, institution_id))
            if tally is None:
                tally = tallies[(workstream_id, institution_id)] = [0] * 10
            now = _NOW.get(rag)
            if now is not None:
                tally[0] += count
                tally[now] += count
            if overdue_flag:
                tally[5] += count
            then_at = _THEN.get(before)
            if then_at is not None:
                tally[then_at] += count
        return tallies

    def _next_due(self) -> dict[Cell, tuple[dt.date, str]]:
        """The soonest open milestone (effective date on or after as-of) in each cell, the
        lowest ref first among those due the same day: the least of 'date ref' per cell,
        one GROUP BY (a window function ranking every open milestone took twice as long)."""
        effective = effective_date()
        soonest = sa.func.min(iso_date(effective) + " " + M.c.ref)
        rows = self.session.execute(
            self._in_view(sa.select(M.c.workstream_id, M.c.institution_id, soonest))
            .where(
                M.c.status != MilestoneStatus.CANCELLED,
                sa.not_(is_done(self.as_of)),
                effective >= self.as_of,
            )
            .group_by(M.c.workstream_id, M.c.institution_id)
        )
        found: dict[Cell, tuple[dt.date, str]] = {}
        for workstream_id, institution_id, text in rows:
            day, ref = text.split(" ", 1)  # a ref holds no space (tracker.text.REF_PATTERN)
            found[(workstream_id, institution_id)] = (dt.date.fromisoformat(day), ref)
        return found

    def _at_risk(self) -> dict[Cell, int]:
        """How many open milestones in each cell are at risk from a predecessor: one GROUP BY
        over the milestones that have one."""
        workstream, institution = M.c.workstream_id, M.c.institution_id
        rows = self.session.execute(
            self._in_view(sa.select(workstream, institution, sa.func.count()))
            .where(at_risk(self.as_of))
            .group_by(workstream, institution)
        )
        return {(ws, inst): count for ws, inst, count in rows}

    def counts(self, key: Callable[[Cell], Iterable[Any]]) -> dict[Any, Counts]:
        """Counts per scope, where ``key`` names the scopes a cell belongs to."""
        grouped: dict[Any, list[Counts]] = {}
        for cell, counts in self.cells.items():
            for scope in key(cell):
                grouped.setdefault(scope, []).append(counts)
        return {scope: Counts.sum_of(parts) for scope, parts in grouped.items()}

    def total(self) -> Counts:
        return self.counts(lambda cell: [None]).get(None, Counts())

    def by_workstream(self) -> dict[Any, Counts]:
        return self.counts(lambda cell: [cell[0]])

    def by_institution(self) -> dict[Any, Counts]:
        return self.counts(lambda cell: [cell[1]])

    def by_theme(self) -> dict[Any, Counts]:
        """Per workstream's own theme; the tree adds sub-themes up."""
        themes = dict(
            self.session.execute(
                sa.select(W.c.id, W.c.theme_id).where(W.c.mou_id == self.mou_id)
            ).all()
        )
        return self.counts(lambda cell: [themes[cell[0]]])

    def by_commitment(self) -> dict[Any, Counts]:
        """A workstream's milestones count for every commitment it delivers."""
        delivers: dict[int, list[int]] = {}
        link = tables.workstream_commitment
        for workstream_id, commitment_id in self.session.execute(
            sa.select(link.c.workstream_id, link.c.commitment_id)
        ):
            delivers.setdefault(workstream_id, []).append(commitment_id)
        return self.counts(lambda cell: delivers.get(cell[0], []))


def _theme_rows(scope: _Scope) -> list[ProgressRow]:
    return _theme_tree(scope, with_workstreams=False)


def _tree_rows(scope: _Scope) -> list[ProgressRow]:
    return _theme_tree(scope, with_workstreams=True)


def _theme_tree(scope: _Scope, *, with_workstreams: bool) -> list[ProgressRow]:
    """Themes in tree order, each counting its sub-themes' milestones too; with
    ``with_workstreams``, each theme's own workstreams are listed under it."""
    theme = tables.theme
    themes = scope.session.execute(
        sa.select(theme).where(theme.c.mou_id == scope.mou_id).order_by(theme.c.ref)
    ).all()
    direct = scope.by_theme()
    children: dict[int | None, list[Any]] = {}
    for theme in themes:
        children.setdefault(theme.parent_id, []).append(theme)
    workstreams: dict[int, list[ProgressRow]] = {}
    if with_workstreams:
        per_workstream = scope.by_workstream()
        for ws in scope.session.execute(
            sa.select(W).where(W.c.mou_id == scope.mou_id).order_by(W.c.ref)
        ):
            row = ProgressRow(ws.ref, ws.name, per_workstream.get(ws.id, Counts()), 0, "workstream")
            workstreams.setdefault(ws.theme_id, []).append(row)

    def subtotal(theme: Any, seen: frozenset[int | None] = frozenset()) -> Counts:
        return Counts.sum_of(
            [
                direct.get(theme.id, Counts()),
                *(
                    subtotal(child, seen | {theme.id})
                    for child in children.get(theme.id, [])
                    if child.id not in seen  # a loop of parents (other tools can write one)
                ),
            ]
        )

    rows: list[ProgressRow] = []
    placed: set[int | None] = set()

    def walk(parent: int | None, depth: int) -> None:
        for theme in children.get(parent, []):
            if theme.id in placed:
                continue
            placed.add(theme.id)
            shown = scope.theme_ids is None or theme.id in scope.theme_ids
            if shown:
                kind = "theme" if with_workstreams else ""
                rows.append(ProgressRow(theme.ref, theme.name, subtotal(theme), depth, kind))
                assert theme.id is not None
                for ws_row in workstreams.get(theme.id, []):
                    rows.append(replace(ws_row, depth=depth + 1))
            walk(theme.id, depth + 1)

    walk(None, 0)
    # Themes in a loop of parents have no root above them: they are shown as roots rather than
    # silently dropped with their milestones (mou check reports the loop).
    for theme in themes:
        if theme.id not in placed:
            walk(theme.parent_id, 0)
    return rows


def _institution_rows(scope: _Scope) -> list[ProgressRow]:
    counted = scope.by_institution()
    party, institution = tables.party, tables.institution
    party_ids = set(
        scope.session.execute(
            sa.select(party.c.institution_id).where(party.c.mou_id == scope.mou_id)
        ).scalars()
    )
    wanted = party_ids | set(counted)
    if scope.institution_id is not None:
        wanted = {scope.institution_id}
    institutions = scope.session.execute(
        sa.select(institution).where(institution.c.id.in_(wanted)).order_by(institution.c.ref)
    ).all()
    return [ProgressRow(row.ref, row.name, counted.get(row.id, Counts())) for row in institutions]


def _workstream_rows(scope: _Scope) -> list[ProgressRow]:
    counted = scope.by_workstream()
    stmt = sa.select(W).where(W.c.mou_id == scope.mou_id)
    if scope.theme_ids is not None:
        stmt = stmt.where(W.c.theme_id.in_(scope.theme_ids))
    workstreams = scope.session.execute(stmt.order_by(W.c.ref)).all()
    return [ProgressRow(ws.ref, ws.name, counted.get(ws.id, Counts())) for ws in workstreams]


def _commitment_rows(scope: _Scope) -> list[ProgressRow]:
    counted = scope.by_commitment()
    commitment = tables.commitment
    stmt = sa.select(commitment).where(commitment.c.mou_id == scope.mou_id)
    if scope.theme_ids is not None:
        stmt = stmt.where(commitment.c.theme_id.in_(scope.theme_ids))
    commitments = scope.session.execute(stmt.order_by(commitment.c.ref)).all()
    return [
        ProgressRow(item.ref, _shorten(item.text), counted.get(item.id, Counts()))
        for item in commitments
    ]


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_TABLES = {
    ScopeKind.THEME: _theme_rows,
    ScopeKind.TREE: _tree_rows,
    ScopeKind.INSTITUTION: _institution_rows,
    ScopeKind.WORKSTREAM: _workstream_rows,
    ScopeKind.COMMITMENT: _commitment_rows,
}


def theme_subtree(session: Reader, theme_id: int | None) -> set[int]:
    """A theme's id and those of every theme under it (none for None)."""
    if theme_id is None:
        return set()
    return subtree(theme_children(session), theme_id)


def theme_children(session: Reader) -> dict[int | None, list[int]]:
    """Each theme's id under its parent's (None: a theme at the top)."""
    theme = tables.theme
    children: dict[int | None, list[int]] = {}
    for child, parent in session.execute(sa.select(theme.c.id, theme.c.parent_id)):
        children.setdefault(parent, []).append(child)
    return children


def subtree(children: dict[int | None, list[int]], theme_id: int) -> set[int]:
    """A theme and every theme under it, from ``theme_children``: a loop of parents (which
    other tools can write) ends where it comes back round."""
    found = {theme_id}
    waiting = [theme_id]
    while waiting:
        for child in children.get(waiting.pop(), []):
            if child not in found:
                found.add(child)
                waiting.append(child)
    return found


def _parties(session: Reader, mou_id: int) -> list[PartySummary]:
    party, institution, person = tables.party, tables.institution, tables.person
    rows = session.execute(
        sa.select(
            institution.c.ref,
            institution.c.name,
            party.c.role,
            person.c.name,
            party.c.signatory_title,
            party.c.signed,
        )
        .select_from(party)
        .join(institution, institution.c.id == party.c.institution_id)
        .outerjoin(person, person.c.id == party.c.signatory_id)
        .where(party.c.mou_id == mou_id)
        .order_by(institution.c.ref)
    ).all()
    return [
        PartySummary(
            institution=ref,
            name=name,
            role=role.value,
            signatory=signatory,
            signatory_title=title,
            signed=signed,
        )
        for ref, name, role, signatory, title, signed in rows
    ]
