"""The quarterly report's counts (docs/rules.md, "The quarterly report"), one definition at a
time, at the edges."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields

import pytest

from tests.helpers import MINIMAL, milestone_toml
from tracker.db import Database
from tracker.periods import Quarter, Scheme
from tracker.services.importer import import_programme
from tracker.services.rag import Tolerances
from tracker.services.reports import MilestoneLine, SummaryRow, VisitLine, quarterly_report

Q = Quarter(Scheme.UK_FY, 2026, 2)  # 1 July to 30 September 2026
TOL = Tolerances()


def report_for(db: Database, *milestones: str, as_of: dt.date | None = None) -> dict[str, object]:
    with db.writing() as session:
        import_programme(MINIMAL + "".join(milestones), session=session, source="t")
    with db.reading() as session:
        report = quarterly_report(session=session, quarter=Q, as_of=as_of or Q.end, tolerances=TOL)
        # The lines are read from the database as they are iterated: while it is open.
        return report.summary | {"lines": {line.ref: line for line in report.milestones}}


CASES = [
    # (name, milestone fields, expected non-zero counts, in milestones.csv)
    ("due on the first day, done on time",
     {"due": "2026-07-01", "completed": "2026-07-08"},
     {"due_in_period": 1, "achieved_in_period": 1, "achieved_on_time": 1}, True),
    ("done exactly at the tolerance is on time",
     {"due": "2026-08-01", "completed": "2026-08-08"},
     {"due_in_period": 1, "achieved_in_period": 1, "achieved_on_time": 1}, True),
    ("a day past the tolerance is late",
     {"due": "2026-08-01", "completed": "2026-08-09"},
     {"due_in_period": 1, "achieved_in_period": 1, "achieved_late": 1}, True),
    ("done on the last day",
     {"due": "2026-09-30", "completed": "2026-09-30"},
     {"due_in_period": 1, "achieved_in_period": 1, "achieved_on_time": 1}, True),
    ("due on the last day and not done is missed, not overdue",
     {"due": "2026-09-30"},
     {"due_in_period": 1, "missed_in_period": 1}, True),
    ("done after the quarter ended: missed, and its completion not yet known",
     {"due": "2026-09-01", "completed": "2026-10-02"},
     {"due_in_period": 1, "missed_in_period": 1, "overdue_at_period_end": 1}, True),
    ("due earlier, achieved in this quarter",
     {"due": "2026-05-01", "completed": "2026-07-15"},
     {"achieved_in_period": 1, "achieved_late": 1}, True),
    ("overdue from an earlier quarter",
     {"due": "2026-05-01"},
     {"overdue_at_period_end": 1}, True),
    ("forecast into the next quarter",
     {"due": "2026-09-15", "forecast": "2026-10-20"},
     {"due_in_period": 1, "missed_in_period": 1, "forecast_next_period": 1}, True),
    ("due next quarter",
     {"due": "2026-11-01"},
     {"forecast_next_period": 1}, False),
    ("cancelled is left out",
     {"due": "2026-08-01", "status": "cancelled"},
     {}, False),
    ("due and done before the quarter: not in it",
     {"due": "2026-05-01", "completed": "2026-05-01"},
     {}, False),
]  # fmt: skip

METRICS = (
    "due_in_period",
    "achieved_in_period",
    "achieved_on_time",
    "achieved_late",
    "missed_in_period",
    "overdue_at_period_end",
    "forecast_next_period",
)


@pytest.mark.parametrize(
    ("name", "fields_", "expected", "listed"), CASES, ids=[c[0] for c in CASES]
)
def test_each_definition(
    db: Database, name: str, fields_: dict[str, str], expected: dict[str, int], listed: bool
) -> None:
    summary = report_for(db, milestone_toml("M1", **fields_))
    assert {metric: summary[metric] for metric in METRICS if summary[metric]} == expected
    assert ("M1" in summary["lines"]) is listed  # type: ignore[operator]


def test_pct_on_time(db: Database) -> None:
    summary = report_for(
        db,
        milestone_toml("M1", due="2026-07-10", completed="2026-07-10"),
        milestone_toml("M2", due="2026-07-20", completed="2026-08-20"),
        milestone_toml("M3", due="2026-08-10"),
    )
    assert summary["due_in_period"] == 3
    assert summary["pct_on_time"] == 33.3


def test_pct_on_time_is_empty_without_milestones_due(db: Database) -> None:
    summary = report_for(db, milestone_toml("M1", due="2027-01-10"))
    assert summary["pct_on_time"] is None


def test_a_past_quarter_regenerated_later_reads_as_it_did(db: Database) -> None:
    milestone = milestone_toml("M1", due="2026-09-15", completed="2026-10-05")
    then = report_for(db, milestone)
    line = then["lines"]["M1"]  # type: ignore[index]
    assert (line.completed, line.missed, line.rag) == (None, True, "RED")
    # The same quarter as of a later date knows about the completion.
    with db.reading() as session:
        later = quarterly_report(
            session=session, quarter=Q, as_of=dt.date(2026, 10, 31), tolerances=TOL
        )
        (line,) = later.milestones
    assert line.completed == dt.date(2026, 10, 5)
    assert later.summary["missed_in_period"] == 1  # still not done by the quarter's end


def test_before_the_quarter_ends_only_what_is_due_so_far_is_missed(db: Database) -> None:
    summary = report_for(
        db,
        milestone_toml("M1", due="2026-07-10"),
        milestone_toml("M2", due="2026-09-10"),
        as_of=dt.date(2026, 8, 1),
    )
    assert (summary["due_in_period"], summary["missed_in_period"]) == (2, 1)
    assert summary["overdue_at_period_end"] == 1


A = dt.date(2026, 8, 15)  # the as-of day of a quarter reported to date
TO_DATE = [
    # (name, milestone fields, expected non-zero counts, pct_on_time)
    ("due before the as-of day and not done is missed",
     {"due": "2026-08-14"},
     {"due_in_period": 1, "missed_in_period": 1, "overdue_at_period_end": 1}, 0.0),
    ("due on the as-of day is not missed: the day is not over",
     {"due": "2026-08-15"},
     {"due_in_period": 1, "due_rest_of_period": 1}, None),
    ("due later in the quarter is still to come",
     {"due": "2026-09-30"},
     {"due_in_period": 1, "due_rest_of_period": 1}, None),
    ("done on the as-of day counts as achieved",
     {"due": "2026-08-15", "completed": "2026-08-15"},
     {"due_in_period": 1, "achieved_in_period": 1, "achieved_on_time": 1}, None),
    ("done after the as-of day is not known yet",
     {"due": "2026-08-20", "completed": "2026-08-20"},
     {"due_in_period": 1, "due_rest_of_period": 1}, None),
    ("due before the as-of day and done on time",
     {"due": "2026-08-01", "completed": "2026-08-03"},
     {"due_in_period": 1, "achieved_in_period": 1, "achieved_on_time": 1}, 100.0),
    ("forecast past the as-of day is not overdue",
     {"due": "2026-08-20", "forecast": "2026-09-01"},
     {"due_in_period": 1, "due_rest_of_period": 1}, None),
    ("forecast before the as-of day is overdue",
     {"due": "2026-09-20", "forecast": "2026-08-10"},
     {"due_in_period": 1, "overdue_at_period_end": 1, "due_rest_of_period": 1}, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "fields_", "expected", "pct"), TO_DATE, ids=[c[0] for c in TO_DATE]
)
def test_a_quarter_to_date_is_judged_at_the_as_of_day(
    db: Database, name: str, fields_: dict[str, str], expected: dict[str, int], pct: float | None
) -> None:
    summary = report_for(db, milestone_toml("M1", **fields_), as_of=A)
    counted = (*METRICS, "due_rest_of_period")
    assert {metric: summary[metric] for metric in counted if summary[metric]} == expected
    assert summary["pct_on_time"] == pct
    assert summary["to_date"] is True


def test_a_quarter_not_yet_started_is_a_forward_look(db: Database) -> None:
    summary = report_for(
        db,
        milestone_toml("M1", due="2026-07-10"),
        milestone_toml("M2", due="2026-09-10", completed="2026-06-20"),
        as_of=dt.date(2026, 6, 25),
    )
    assert summary["to_date"] is True
    assert (summary["due_in_period"], summary["due_rest_of_period"]) == (2, 1)
    assert summary["missed_in_period"] == summary["achieved_in_period"] == 0
    assert summary["pct_on_time"] is None


def test_an_ended_quarter_has_nothing_still_to_come(db: Database) -> None:
    summary = report_for(db, milestone_toml("M1", due="2026-09-30"))
    assert (summary["to_date"], summary["due_rest_of_period"]) == (False, 0)


def test_rows_per_theme_and_institution(db: Database) -> None:
    with db.writing() as session:
        import_programme(
            MINIMAL
            + milestone_toml("M1", due="2026-07-10", completed="2026-07-10")
            + milestone_toml("M2", workstream="W2", due="2026-08-10"),
            session=session,
            source="t",
        )
    with db.reading() as session:
        report = quarterly_report(session=session, quarter=Q, as_of=Q.end, tolerances=TOL)
    rows = {(row.scope_type, row.scope): row for row in report.milestone_summary}
    assert list(rows) == [
        ("theme", "EMPTY"),
        ("theme", "TOP"),
        ("theme", "SUB"),
        ("institution", "A"),
        ("institution", "B"),
        ("programme", "T"),
    ]
    assert rows[("theme", "TOP")].due_in_period == 2  # includes its sub-theme
    assert rows[("theme", "SUB")].missed_in_period == 1
    assert rows[("institution", "A")].achieved_on_time == 1
    assert rows[("theme", "EMPTY")].pct_on_time is None
    assert rows[("programme", "T")].pct_on_time == 50.0


def test_file_columns_follow_the_data() -> None:
    from tracker.cli.report import _KINDS

    assert list(_KINDS["milestones"]) == [field.name for field in fields(MilestoneLine)]
    assert list(_KINDS["milestone_summary"]) == [field.name for field in fields(SummaryRow)]
    assert list(_KINDS["visits"]) == [field.name for field in fields(VisitLine)]
