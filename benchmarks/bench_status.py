"""Benchmark: ``mou status`` counts in the database (GROUP BY) against counting in Python.

Run with ``make bench`` (or ``python benchmarks/bench_status.py`` in the project's environment).

One fresh SQLite database in a temporary directory is grown in place: a synthetic programme
(1 MoU, 20 institutions, 30 themes, 200 workstreams) gets 1,000 milestones, is measured, grows to
10,000, is measured, and grows to 100,000. At each size the benchmark times

- SQL: ``programme_status`` by theme, institution and workstream, as ``mou status`` runs it;
- naive: every milestone row loaded into Python and counted with ``milestone_rag``;

checks that both give the same counts, and prints the medians and their ratios. Every figure
comes from this one run, on this machine: the ratios are the result, not the milliseconds.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select
from tables import table

from tracker import models
from tracker.db import Database
from tracker.enums import (
    InstitutionKind,
    MilestoneStatus,
    MouStatus,
    PartyRole,
    Rag,
    ScopeKind,
    WorkstreamStatus,
)
from tracker.migrate import open_database
from tracker.services.rag import Tolerances, milestone_rag
from tracker.services.status import Counts, ProgrammeStatus, programme_status

SEED = 20260219
SIZES = (1_000, 10_000, 100_000)
AS_OF = dt.date(2026, 11, 28)
TOLERANCES = Tolerances()
BY = (ScopeKind.THEME, ScopeKind.INSTITUTION, ScopeKind.WORKSTREAM)
N_INSTITUTIONS = 20
N_TOP_THEMES = 8
N_THEMES = 30
N_WORKSTREAMS = 200
# Repetitions per size (the median is reported); fewer where one run takes longest.
SQL_REPEATS = {1_000: 15, 10_000: 9, 100_000: 7}
NAIVE_REPEATS = {1_000: 9, 10_000: 5, 100_000: 5}
FIRST_DUE = dt.date(2026, 1, 1)
LAST_DUE = dt.date(2028, 12, 31)

# Per scope kind: scope ref -> counts, leaving out scopes with nothing to count.
Result = dict[ScopeKind, dict[str, Counts]]


# --- the synthetic programme -------------------------------------------------------------


class Programme:
    """The fixed part of the programme (everything but milestones) and a milestone generator.

    Everything is drawn from one seeded ``random.Random``, so every run builds the same data.
    """

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.workstreams: list[tuple[int, int]] = []  # (workstream id, lead institution id)
        self.written = 0

    def write_skeleton(self, session: Session) -> None:
        rng = self.rng
        kinds = list(InstitutionKind)
        session.execute(
            sa.insert(models.Mou),
            [
                {
                    "id": 1,
                    "ref": "BENCH-2026",
                    "title": "Benchmark partnership",
                    "status": MouStatus.ACTIVE,
                    "signed": dt.date(2026, 2, 19),
                    "binding": False,
                }
            ],
        )
        session.execute(
            sa.insert(models.Institution),
            [
                {
                    "id": number,
                    "ref": f"INST-{number:02d}",
                    "name": f"Institution {number}",
                    "kind": kinds[number % len(kinds)],
                }
                for number in range(1, N_INSTITUTIONS + 1)
            ],
        )
        session.execute(
            sa.insert(models.Party),
            [
                {
                    "mou_id": 1,
                    "institution_id": number,
                    "role": PartyRole.SIGNATORY if number <= 4 else PartyRole.PARTNER,
                }
                for number in range(1, 7)
            ],
        )
        # Themes 1-8 are top level; the rest hang under an earlier theme, so some are
        # grandchildren. Parents come first, which the self-referencing key needs.
        themes = []
        for number in range(1, N_THEMES + 1):
            parent = None if number <= N_TOP_THEMES else rng.randint(1, number - 1)
            themes.append(
                {
                    "id": number,
                    "ref": f"TH-{number:02d}",
                    "mou_id": 1,
                    "name": f"Theme {number}",
                    "parent_id": parent,
                }
            )
        session.execute(sa.insert(models.Theme), themes)
        rows = []
        for number in range(1, N_WORKSTREAMS + 1):
            lead = rng.randint(1, N_INSTITUTIONS)
            self.workstreams.append((number, lead))
            rows.append(
                {
                    "id": number,
                    "ref": f"WS-{number:03d}",
                    "mou_id": 1,
                    "name": f"Workstream {number}",
                    "theme_id": rng.randint(1, N_THEMES),
                    "lead_id": lead,
                    "status": WorkstreamStatus.LIVE,
                }
            )
        session.execute(sa.insert(models.Workstream), rows)

    def write_milestones(self, session: Session, upto: int) -> None:
        """Add milestones until there are ``upto`` of them."""
        rows = [self._milestone(number) for number in range(self.written + 1, upto + 1)]
        session.execute(sa.insert(models.Milestone), rows)
        self.written = upto

    def _milestone(self, number: int) -> dict[str, Any]:
        rng = self.rng
        workstream, lead = rng.choice(self.workstreams)
        # Most milestones belong to the workstream's lead, some to another institution.
        institution = lead if rng.random() < 0.8 else rng.randint(1, N_INSTITUTIONS)
        due = FIRST_DUE + dt.timedelta(days=rng.randint(0, (LAST_DUE - FIRST_DUE).days))
        forecast: dt.date | None = None
        completed: dt.date | None = None
        draw = rng.random()
        if draw < 0.04:
            status = MilestoneStatus.CANCELLED
        elif due < AS_OF:
            # Past its due date: mostly done, some still open (overdue).
            status = MilestoneStatus.DONE if draw < 0.75 else MilestoneStatus.IN_PROGRESS
        elif draw < 0.08:
            status = MilestoneStatus.DONE  # finished early
        else:
            status = MilestoneStatus.IN_PROGRESS if draw < 0.30 else MilestoneStatus.PLANNED
        if status is MilestoneStatus.DONE:
            # Done by the as-of date: mou refuses a completion later than today.
            completed = min(due + dt.timedelta(days=rng.randint(-30, 20)), AS_OF)
        elif status is not MilestoneStatus.CANCELLED and rng.random() < 0.3:
            # A slipped forecast: a few days (green), weeks (amber) or months (red).
            forecast = due + dt.timedelta(days=rng.choice((3, 14, 21, 45, 90)))
        return {
            "id": number,
            "ref": f"MS-{number:06d}",
            "workstream_id": workstream,
            "title": f"Milestone {number}",
            "due": due,
            "forecast": forecast,
            "completed": completed,
            "status": status,
            "institution_id": institution,
        }


# --- the two ways of counting ------------------------------------------------------------


def sql_status(session: Session) -> ProgrammeStatus:
    return programme_status(session=session, as_of=AS_OF, tolerances=TOLERANCES, by=BY)


def sql_result(status: ProgrammeStatus) -> Result:
    return {
        table.by: {row.scope: row.counts for row in table.rows if row.counts != Counts()}
        for table in status.tables
    }


class Tally:
    """Counts for one scope, built one milestone at a time."""

    __slots__ = ("amber", "done", "green", "next", "overdue", "red", "total")

    def __init__(self) -> None:
        self.total = self.done = self.green = self.amber = self.red = self.overdue = 0
        self.next: tuple[dt.date, str] | None = None

    def add(self, rag: Rag, effective: dt.date, ref: str) -> None:
        self.total += 1
        if rag is Rag.COMPLETE:
            self.done += 1
            return
        if rag is Rag.GREEN:
            self.green += 1
        elif rag is Rag.AMBER:
            self.amber += 1
        else:
            self.red += 1
        if effective < AS_OF:
            self.overdue += 1
        elif self.next is None or (effective, ref) < self.next:
            self.next = (effective, ref)

    def merge(self, other: Tally) -> None:
        self.total += other.total
        self.done += other.done
        self.green += other.green
        self.amber += other.amber
        self.red += other.red
        self.overdue += other.overdue
        if other.next is not None and (self.next is None or other.next < self.next):
            self.next = other.next

    def counts(self) -> Counts:
        due, ref = self.next if self.next is not None else (None, None)
        return Counts(
            self.total, self.done, self.green, self.amber, self.red, self.overdue, due, ref
        )


def naive_result(session: Session) -> Result:
    """The same tables, from every milestone row loaded into Python."""
    milestones = session.exec(select(models.Milestone)).all()
    workstreams = session.exec(select(models.Workstream)).all()
    themes = session.exec(select(models.Theme)).all()
    institutions = dict(session.exec(select(models.Institution.id, models.Institution.ref)).all())
    theme_of = {ws.id: ws.theme_id for ws in workstreams}
    ws_ref = {ws.id: ws.ref for ws in workstreams}
    by_workstream: dict[int, Tally] = {}
    by_institution: dict[int, Tally] = {}
    by_theme: dict[int, Tally] = {}
    for milestone in milestones:
        rag = milestone_rag(
            status=milestone.status,
            due=milestone.due,
            forecast=milestone.forecast,
            completed=milestone.completed,
            as_of=AS_OF,
            tolerances=TOLERANCES,
        )
        if rag is Rag.NOT_APPLICABLE:
            continue
        effective = milestone.forecast or milestone.due
        for tallies, key in (
            (by_workstream, milestone.workstream_id),
            (by_institution, milestone.institution_id),
            (by_theme, theme_of[milestone.workstream_id]),
        ):
            tally = tallies.get(key)
            if tally is None:
                tally = tallies[key] = Tally()
            tally.add(rag, effective, milestone.ref)
    # A theme's counts include its sub-themes'.
    children: dict[int | None, list[int]] = {}
    theme_ref: dict[int, str] = {}
    for theme in themes:
        assert theme.id is not None
        children.setdefault(theme.parent_id, []).append(theme.id)
        theme_ref[theme.id] = theme.ref

    def subtotal(theme_id: int) -> Tally:
        total = Tally()
        total.merge(by_theme.get(theme_id, Tally()))
        for child in children.get(theme_id, []):
            total.merge(subtotal(child))
        return total

    tables: Result = {
        ScopeKind.THEME: {ref: subtotal(key).counts() for key, ref in theme_ref.items()},
        ScopeKind.INSTITUTION: {institutions[k]: t.counts() for k, t in by_institution.items()},
        ScopeKind.WORKSTREAM: {ws_ref[k]: t.counts() for k, t in by_workstream.items()},
    }
    return {
        kind: {ref: counts for ref, counts in rows.items() if counts != Counts()}
        for kind, rows in tables.items()
    }


def check_agree(sql: Result, naive: Result, size: int) -> None:
    """The comparison is only honest if both ways count the same thing."""
    for kind in BY:
        if sql[kind] != naive[kind]:
            refs = sorted(set(sql[kind]) | set(naive[kind]))
            wrong = [ref for ref in refs if sql[kind].get(ref) != naive[kind].get(ref)]
            raise SystemExit(
                f"at {size:,} milestones the SQL and naive {kind} counts differ for "
                f"{len(wrong)} scope(s), first {wrong[0]}: "
                f"sql={sql[kind].get(wrong[0])} naive={naive[kind].get(wrong[0])}"
            )
    workstreams = sql[ScopeKind.WORKSTREAM]
    if sum(counts.total for counts in workstreams.values()) == 0:
        raise SystemExit(f"at {size:,} milestones the workstream table counted nothing")


# --- timing ------------------------------------------------------------------------------


def median_ms(database: Database, run: Callable[[Session], object], repeats: int) -> float:
    """Median wall time of ``run``, each time in a new read session (nothing cached in the
    session's identity map), after one untimed warm-up run."""
    timings: list[float] = []
    for attempt in range(repeats + 1):
        with database.reading() as session:
            start = time.perf_counter()
            run(session)
            elapsed = time.perf_counter() - start
        if attempt:
            timings.append(elapsed * 1000)
    return statistics.median(timings)


def main() -> None:
    started = time.perf_counter()
    print(
        f"mou status benchmark: SQLite {sqlite3.sqlite_version}, "
        f"Python {sys.version.split()[0]}, seed {SEED}, as of {AS_OF.isoformat()}"
    )
    print(
        "one database grown in place: 1 MoU, 20 institutions, 30 themes, 200 workstreams, "
        "then 1,000 -> 10,000 -> 100,000 milestones"
    )
    results: list[tuple[int, float, float]] = []
    with tempfile.TemporaryDirectory(prefix="mou-bench-") as folder:
        database = open_database(str(Path(folder) / "bench.db"))
        try:
            programme = Programme(SEED)
            with database.writing() as session:
                programme.write_skeleton(session)
            for size in SIZES:
                build = time.perf_counter()
                with database.writing() as session:
                    programme.write_milestones(session, size)
                build_ms = (time.perf_counter() - build) * 1000
                with database.reading() as session:
                    check_agree(sql_result(sql_status(session)), naive_result(session), size)
                sql_ms = median_ms(database, sql_status, SQL_REPEATS[size])
                naive_ms = median_ms(database, naive_result, NAIVE_REPEATS[size])
                results.append((size, sql_ms, naive_ms))
                print(
                    f"  {size:>7,} milestones: loaded in {build_ms:,.0f} ms, counts agree, "
                    f"SQL x{SQL_REPEATS[size]}, naive x{NAIVE_REPEATS[size]}"
                )
        finally:
            database.dispose()

    first_sql = results[0][1]
    rows = [("milestones", "SQL ms", "naive ms", "naive/SQL", "SQL vs 1k")]
    for size, sql_ms, naive_ms in results:
        rows.append(
            (
                f"{size:,}",
                f"{sql_ms:,.1f}",
                f"{naive_ms:,.1f}",
                f"{naive_ms / sql_ms:.1f}x",
                f"{sql_ms / first_sql:.1f}x",
            )
        )
    print()
    print(table(rows))
    print()
    size, sql_ms, naive_ms = results[-1]
    print(
        f"SQL time grew {sql_ms / first_sql:.1f}x for {size // SIZES[0]}x the milestones; "
        f"naive time grew {naive_ms / results[0][2]:.1f}x"
    )
    print(f"total benchmark time: {time.perf_counter() - started:.1f} s (medians, times in ms)")
    print(
        f"status at {size:,} milestones: {sql_ms:,.0f} ms "
        f"(naive: {naive_ms:,.0f} ms, {naive_ms / sql_ms:.1f}x slower)"
    )


if __name__ == "__main__":
    main()
