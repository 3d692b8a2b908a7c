"""RAG rules, roll-ups and the progress tables (docs/rules.md, "RAG" and "Progress")."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import delete

from tests.conftest import examples
from tests.helpers import MINIMAL, milestone_toml
from tracker import models, tables
from tracker.db import Database
from tracker.enums import MilestoneStatus, Rag, ScopeKind
from tracker.services.importer import import_programme
from tracker.services.rag import Tolerances, milestone_rag, rag_expression, roll_up
from tracker.services.status import Counts, programme_status

D = dt.date
AS_OF = D(2026, 6, 30)
TOL = Tolerances()


@pytest.mark.parametrize(
    ("status", "due", "forecast", "completed", "expected"),
    [
        # 1. cancelled is left out, whatever its dates
        ("cancelled", D(2026, 1, 1), None, None, Rag.NOT_APPLICABLE),
        # 2. complete only if completed on or before the as-of date
        ("done", D(2026, 6, 1), None, D(2026, 6, 30), Rag.COMPLETE),
        ("done", D(2026, 6, 1), None, D(2026, 7, 1), Rag.RED),  # done after as-of: overdue
        ("done", D(2026, 8, 1), None, D(2026, 7, 1), Rag.GREEN),  # done after as-of, not due
        # 3. effective date before the as-of date: overdue, red
        ("planned", D(2026, 6, 29), None, None, Rag.RED),
        ("planned", D(2026, 6, 30), None, None, Rag.GREEN),  # due today is not overdue
        ("in_progress", D(2026, 6, 1), D(2026, 7, 1), None, Rag.AMBER),  # forecast saves it
        # 4. slippage against tolerances (7 and 30 days)
        ("planned", D(2026, 8, 1), D(2026, 8, 8), None, Rag.GREEN),  # exactly 7: green
        ("planned", D(2026, 8, 1), D(2026, 8, 9), None, Rag.AMBER),  # 8: amber
        ("planned", D(2026, 8, 1), D(2026, 8, 31), None, Rag.AMBER),  # exactly 30: amber
        ("planned", D(2026, 8, 1), D(2026, 9, 1), None, Rag.RED),  # 31: red
        ("planned", D(2026, 8, 1), D(2026, 7, 15), None, Rag.GREEN),  # forecast before due
    ],
)
def test_milestone_rag_rules(
    status: str, due: dt.date, forecast: dt.date | None, completed: dt.date | None, expected: Rag
) -> None:
    rag = milestone_rag(
        status=MilestoneStatus(status),
        due=due,
        forecast=forecast,
        completed=completed,
        as_of=AS_OF,
        tolerances=TOL,
    )
    assert rag is expected


def test_tolerances_are_settings() -> None:
    strict = Tolerances(green_days=0, red_days=5)
    args = {"status": MilestoneStatus.PLANNED, "due": D(2026, 8, 1), "as_of": AS_OF}
    assert (
        milestone_rag(**args, forecast=D(2026, 8, 2), completed=None, tolerances=strict)
        is Rag.AMBER
    )
    assert (
        milestone_rag(**args, forecast=D(2026, 8, 7), completed=None, tolerances=strict) is Rag.RED
    )


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({"red": 1, "amber": 5, "green": 9, "done": 9}, Rag.RED),
        ({"red": 0, "amber": 1, "green": 9, "done": 9}, Rag.AMBER),
        ({"red": 0, "amber": 0, "green": 1, "done": 9}, Rag.GREEN),
        ({"red": 0, "amber": 0, "green": 0, "done": 1}, Rag.COMPLETE),
        ({"red": 0, "amber": 0, "green": 0, "done": 0}, Rag.NOT_STARTED),
    ],
)
def test_roll_up_is_the_worst(counts: dict[str, int], expected: Rag) -> None:
    assert roll_up(**counts) is expected


def test_counts_add_and_keep_the_soonest_next_milestone() -> None:
    a = Counts(total=2, done=1, green=1, next_due=D(2026, 9, 1), next_ref="M2", at_risk=1)
    b = Counts(total=3, red=2, amber=1, overdue=1, next_due=D(2026, 8, 1), next_ref="M9")
    total = Counts.sum_of([a, b])
    assert total == Counts(5, 1, 1, 1, 2, 1, D(2026, 8, 1), "M9", (0, 0, 0, 0), 1)
    assert total.pct_complete == 20.0
    assert Counts().pct_complete is None
    assert Counts.sum_of([a, Counts()]).next_ref == "M2"
    assert Counts.sum_of([]) == Counts()
    # The trend's counts add up too; on the same day, the soonest is the first ref.
    c = Counts(total=4, before=(1, 0, 2, 1), next_due=D(2026, 8, 1), next_ref="M10")
    d = Counts(total=1, before=(0, 1, 0, 0), next_due=D(2026, 8, 1), next_ref="M11")
    assert Counts.sum_of([b, c, d, a]) == Counts(
        10, 1, 1, 1, 2, 1, D(2026, 8, 1), "M10", (1, 1, 2, 1), 1
    )


def _load(db: Database, *milestones: str) -> None:
    with db.writing() as session:
        import_programme(MINIMAL + "".join(milestones), session=session, source="t")


DATES = st.dates(min_value=D(2026, 4, 1), max_value=D(2026, 9, 30))


@settings(
    max_examples=examples(12, 25),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    rows=st.lists(
        st.tuples(st.sampled_from(list(MilestoneStatus)), DATES, st.none() | DATES, DATES),
        min_size=1,
        max_size=12,
    ),
    as_of=DATES,
    # Any tolerances the settings accept: whole days, green no later than red.
    days=st.tuples(st.integers(0, 60), st.integers(0, 60)).map(sorted),
)
def test_sql_rag_agrees_with_the_python_rules(
    db: Database,
    rows: list[tuple[MilestoneStatus, dt.date, dt.date | None, dt.date]],
    as_of: dt.date,
    days: list[int],
) -> None:
    """The database counts with a CASE expression; it must say what milestone_rag says."""
    tolerances = Tolerances(green_days=days[0], red_days=days[1])
    with db.writing() as session:
        session.exec(delete(models.Milestone))  # type: ignore[call-overload]
        session.exec(delete(models.Workstream))  # type: ignore[call-overload]
        session.exec(delete(models.Theme))  # type: ignore[call-overload]
        session.exec(delete(models.Party))  # type: ignore[call-overload]
        session.exec(delete(models.Mou))  # type: ignore[call-overload]
        session.exec(delete(models.Institution))  # type: ignore[call-overload]
        # A fresh start: no earlier import for the next one to merge with.
        session.exec(delete(models.AuditEntry))  # type: ignore[call-overload]
        session.exec(delete(models.AuditCommand))  # type: ignore[call-overload]
    milestones = [
        milestone_toml(
            f"M{index}",
            due=due.isoformat(),
            forecast=forecast.isoformat() if forecast else None,
            completed=done_on.isoformat() if status is MilestoneStatus.DONE else None,
            status=status.value,
        )
        for index, (status, due, forecast, done_on) in enumerate(rows)
    ]
    _load(db, *milestones)
    with db.reading() as session:
        stored = session.execute(
            sa.select(
                tables.milestone, rag_expression(as_of, tolerances).label("sql_rag")
            ).order_by(tables.milestone.c.id)
        ).all()
    assert len(stored) == len(rows)
    for milestone in stored:
        sql_rag = milestone.sql_rag
        expected = milestone_rag(
            status=milestone.status,
            due=milestone.due,
            forecast=milestone.forecast,
            completed=milestone.completed,
            as_of=as_of,
            tolerances=tolerances,
        )
        assert sql_rag == expected.value, milestone


def _status(db: Database, by: list[ScopeKind], **kwargs: str) -> dict[str, dict[str, Counts]]:
    with db.reading() as session:
        result = programme_status(session=session, as_of=AS_OF, tolerances=TOL, by=by, **kwargs)
    return {
        table.by.value: {row.scope: row.counts for row in table.rows} for table in result.tables
    }


def test_progress_counts_per_scope(db: Database) -> None:
    _load(
        db,
        milestone_toml("M1", due="2026-05-01", completed="2026-05-01", status="done"),
        milestone_toml("M2", due="2026-06-01"),  # overdue
        milestone_toml("M3", due="2026-07-10", forecast="2026-07-20"),  # amber
        milestone_toml("M4", due="2026-06-01", status="cancelled"),  # left out
        milestone_toml("M5", workstream="W2", due="2026-08-01"),  # green, owned by B
        milestone_toml(
            "M6", workstream="W2", due="2026-05-01", completed="2026-07-02", status="done"
        ),
    )
    tables = _status(db, list(ScopeKind))
    assert tables["theme"] == {
        # TOP includes its sub-theme's milestones; EMPTY has none.
        "TOP": Counts(5, 1, 1, 1, 2, 2, D(2026, 7, 20), "M3"),
        "SUB": Counts(2, 0, 1, 0, 1, 1, D(2026, 8, 1), "M5"),
        "EMPTY": Counts(),
    }
    assert tables["institution"] == {
        "A": Counts(3, 1, 0, 1, 1, 1, D(2026, 7, 20), "M3"),
        "B": Counts(2, 0, 1, 0, 1, 1, D(2026, 8, 1), "M5"),
    }
    assert tables["workstream"] == {
        "W1": Counts(3, 1, 0, 1, 1, 1, D(2026, 7, 20), "M3"),
        "W2": Counts(2, 0, 1, 0, 1, 1, D(2026, 8, 1), "M5"),
    }
    assert tables["theme"]["TOP"].rag is Rag.RED
    assert tables["theme"]["EMPTY"].rag is Rag.NOT_STARTED


def test_the_next_milestone_is_the_soonest_open_one_lowest_ref_first(db: Database) -> None:
    """Next is the soonest milestone still open on or after the as-of date (its forecast if
    slipped); on a tie, the lowest ref. Done, cancelled and overdue ones are not next."""
    _load(
        db,
        milestone_toml("M-9", due="2026-07-01", completed="2026-06-01", status="done"),
        milestone_toml("M-8", due="2026-07-01", status="cancelled"),
        milestone_toml("M-7", due="2026-06-29"),  # overdue: behind, not next
        milestone_toml("M-6", due="2026-06-30", forecast="2026-07-05"),  # slipped past M-4
        milestone_toml("M-5", due="2026-07-03"),
        milestone_toml("M-4", due="2026-07-03"),  # same day as M-5: the lower ref
        milestone_toml("M-3", workstream="W2", due="2026-06-30"),  # due today: still next
    )
    tables = _status(db, [ScopeKind.WORKSTREAM])
    assert {
        ref: (counts.next_due, counts.next_ref) for ref, counts in tables["workstream"].items()
    } == {
        "W1": (D(2026, 7, 3), "M-4"),
        "W2": (D(2026, 6, 30), "M-3"),
    }


def test_status_narrowed_to_a_theme_or_institution(db: Database) -> None:
    _load(
        db,
        milestone_toml("M1", due="2026-07-01"),
        milestone_toml("M2", workstream="W2", due="2026-07-02"),
        milestone_toml("M3", workstream="W2", due="2026-07-03", institution="A"),
    )
    sub = _status(db, [ScopeKind.THEME, ScopeKind.WORKSTREAM], theme="sub")
    assert list(sub["theme"]) == ["SUB"]
    assert sub["theme"]["SUB"].total == 2
    assert list(sub["workstream"]) == ["W2"]
    only_a = _status(db, [ScopeKind.WORKSTREAM], institution="a")
    assert {ref: counts.total for ref, counts in only_a["workstream"].items()} == {"W1": 1, "W2": 1}


EXAMPLE_AS_OF = D(2026, 11, 28)


def test_the_example_status_is_pinned(example_db: Database) -> None:
    with example_db.reading() as session:
        result = programme_status(
            session=session,
            as_of=EXAMPLE_AS_OF,
            tolerances=TOL,
            by=[ScopeKind.THEME, ScopeKind.INSTITUTION],
        )
    # MS-16 is at risk from MS-15, which it depends on (forecast after MS-16 is due).
    assert result.overall == Counts(21, 9, 8, 1, 3, 2, D(2026, 12, 4), "MS-13", at_risk=1)
    assert result.overall.rag is Rag.RED
    themes = {
        row.scope: (row.depth, row.counts.total, row.counts.done, row.counts.rag.value)
        for row in result.tables[0].rows
    }
    assert themes == {
        "ACAD": (0, 6, 3, "GREEN"),
        "CHEM": (0, 4, 2, "AMBER"),
        "CLIM": (0, 2, 1, "GREEN"),
        "GROW": (0, 4, 1, "RED"),
        "GROW-INVEST": (1, 1, 0, "RED"),
        "GROW-RETAIN": (1, 3, 1, "RED"),
        "LIFE": (0, 5, 2, "RED"),
        "LIFE-IPC": (1, 2, 1, "GREEN"),
        "LIFE-NEURO": (1, 0, 0, "NOT_STARTED"),
        "LIFE-VAX": (1, 2, 1, "GREEN"),
        "LIFE-WH": (1, 0, 0, "NOT_STARTED"),
    }
    institutions = {
        row.scope: (row.counts.total, row.counts.rag.value) for row in result.tables[1].rows
    }
    assert institutions == {
        "LCRCA": (1, "RED"),
        "LIV": (8, "AMBER"),
        "OCC": (3, "RED"),
        "OXF": (8, "RED"),
        "STFC": (1, "COMPLETE"),
    }
    assert [party.institution for party in result.parties] == ["LCRCA", "LIV", "OCC", "OXF"]


def test_status_needs_an_mou(db: Database) -> None:
    from tracker.errors import NotFound

    with db.reading() as session, pytest.raises(NotFound, match="no MoU in this database yet"):
        programme_status(session=session, as_of=AS_OF, tolerances=TOL)
