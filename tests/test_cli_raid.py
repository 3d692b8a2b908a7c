"""Risks, issues, assumptions, KPIs and milestone dependencies through the command line, on
both backends: exact confirmations and refusals (nothing written), the register and its grid,
KPIs against targets with their RAG at every edge, knock-ons between milestones, and the
settings that move the bands.

"Today" is pinned to 2026-11-28, the day the example is written for.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, CliResult
from tests.golden import assert_golden
from tests.helpers import MINIMAL, snapshot
from tracker.db import Database

TODAY = dt.date(2026, 11, 28)
AS_OF = "2026-11-28"


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tracker.cli.context.today", lambda: TODAY)


def out(*lines: str) -> str:
    return "".join(f"{line}\n" for line in lines)


def ok(result: CliResult) -> str:
    assert (result.exit_code, result.stderr) == (0, ""), result
    return result.stdout


def refused(cli: Cli, database: Database, args: tuple[str, ...], message: str) -> None:
    """Exit 1, exactly one error line, and nothing written."""
    before = snapshot(database)
    result = cli(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"error: {message}\n")
    assert snapshot(database) == before


def shown(cli: Cli, ref: str, *args: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(ok(cli("show", ref, "--format", "json", *args)))
    return document


def rows_of(cli: Cli, *args: str) -> dict[str, dict[str, Any]]:
    document = json.loads(ok(cli(*args, "--format", "json")))
    return {row["ref"]: row for row in document["rows"]}


# ---------------------------------------------------------------------------------------------
# Risks
# ---------------------------------------------------------------------------------------------


def test_add_a_risk_prints_its_score_and_band(example_cli: Cli) -> None:
    result = example_cli(
        "add-risk", "Beamtime allocation falls short", "--owner", "caddick", "--likelihood", "3",
        "--impact", "4", "--workstream", "ws01", "--review", "15/01/2027", "--response", "reduce",
    )  # fmt: skip
    assert ok(result) == out(
        "Added risk R09: Beamtime allocation falls short",
        "  review: Fri 15 Jan 2027",
        "  score: 12",
        "  band: AMBER",
    )
    document = shown(example_cli, "R09")
    assert document["fields"] == {
        "title": "Beamtime allocation falls short",
        "description": None,
        "theme": None,
        "workstream": "WS01",
        "owner": "CADDICK",
        "likelihood": 3,
        "impact": 4,
        "status": "open",  # the default
        "response": "reduce",
        "mitigation": None,
        "target": None,
        "review": "2027-01-15",
        "score_history": [],
    }
    assert document["derived"] == {"score": 12, "band": "AMBER"}


def test_list_risks_rows_carry_score_and_band(example_cli: Cli) -> None:
    rows = rows_of(example_cli, "list", "risks")
    assert {ref: (row["score"], row["band"]) for ref, row in rows.items()} == {
        "R01": (12, "AMBER"),
        "R02": (16, "RED"),
        "R03": (9, "AMBER"),
        "R04": (12, "AMBER"),
        "R05": (15, "RED"),
        "R06": (6, "GREEN"),
        "R07": (15, "RED"),
        "R08": (4, "GREEN"),
    }
    # Score and band sit after impact, in JSON as in the table and CSV.
    assert list(rows["R01"])[:10] == [
        "ref", "title", "description", "theme", "workstream", "owner", "likelihood", "impact",
        "score", "band",
    ]  # fmt: skip
    header = ok(example_cli("list", "risks", "--format", "csv")).splitlines()[0]
    assert header == (
        "ref,title,description,theme,workstream,owner,likelihood,impact,score,band,status,"
        "response,mitigation,target,review,score_history"
    )


def test_rescoring_a_risk_needs_a_reason_and_keeps_the_old_score(
    example_cli: Cli, example_db: Database
) -> None:
    refused(
        example_cli,
        example_db,
        ("update-risk", "R02", "--likelihood", "3"),
        "--likelihood: changing the score keeps the old one in the history; give --reason with it",
    )
    refused(
        example_cli,
        example_db,
        ("update-risk", "R02", "--owner", "MORLEY", "--reason", "Handed over"),
        "--reason: only with a change to the score; nothing to keep it for",
    )
    # The same value again is not a change, so it needs no reason.
    assert ok(example_cli("update-risk", "R02", "--impact", "4")) == out(
        "Risk R02 already had those values; nothing changed."
    )
    result = example_cli(
        "update-risk", "r02", "--likelihood", "3", "--impact", "3", "--reason",
        "Second recruitment round opened",
    )  # fmt: skip
    assert ok(result) == out(
        "Updated risk R02:",
        "  likelihood: 4 → 3",
        "  impact: 4 → 3",
        "  re-scored: was likelihood 4, impact 4; reason: Second recruitment round opened",
        "  score: 16 → 9",
        "  band: RED → AMBER",
    )
    assert shown(example_cli, "R02")["fields"]["score_history"] == [
        {
            "likelihood": 3,
            "impact": 4,
            "reason": "Recruitment closed at 6 firms against 10 planned; MS-09 slipped.",
            "changed": "2026-10-01",
        },
        {
            "likelihood": 4,
            "impact": 4,
            "reason": "Second recruitment round opened",
            "changed": "2026-11-28",
        },
    ]
    table = ok(example_cli("show", "R02"))
    assert "Earlier scores\n" in table
    assert "            4           4  2026-11-28  Second recruitment round opened" in table
    # Undo takes the whole change back, history entry included.
    assert ok(example_cli("undo", "--yes")).endswith("Undid command 2.\n")
    assert shown(example_cli, "R02")["derived"] == {"score": 16, "band": "RED"}
    assert len(shown(example_cli, "R02")["fields"]["score_history"]) == 1


def test_other_fields_of_a_risk_change_without_a_reason(example_cli: Cli) -> None:
    assert ok(example_cli("update-risk", "R03", "--status", "closed", "--review", "none")) == out(
        "Updated risk R03:", "  status: open → closed", "  review: Fri 15 Jan 2027 → none"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--likelihood", "0"), "likelihood: expected a whole number from 1 to 5"),
        (("--likelihood", "6"), "likelihood: expected a whole number from 1 to 5"),
        (("--impact", "9"), "impact: expected a whole number from 1 to 5"),
        (("--owner", "NOBODY"), "owner: no person with ref 'NOBODY'"),
        (("--workstream", "WS1"), "workstream: no workstream with ref 'WS1'; did you mean WS01?"),
    ],
)
def test_a_bad_risk_is_refused(
    example_cli: Cli, example_db: Database, args: tuple[str, ...], message: str
) -> None:
    base = ("add-risk", "X", "--owner", "MORLEY", "--likelihood", "2", "--impact", "2")
    refused(example_cli, example_db, (*base, *args), message)


def test_a_risk_named_by_an_issue_is_removed_only_with_the_cascade(
    example_cli: Cli, example_db: Database
) -> None:
    refused(
        example_cli,
        example_db,
        ("remove-risk", "R04"),
        "risk R04 is used by issue ISS-01 (risk); change or remove those first, or use --cascade",
    )
    assert ok(example_cli("remove-risk", "R04", "--cascade")) == out(
        "Removed risk R04.", "  cleared issue ISS-01 risk (was R04)"
    )
    assert shown(example_cli, "ISS-01")["fields"]["risk"] is None


# The band edges. On scales of 1 to 5, likelihood × impact is never 7 or 14, so with the
# default bands the scores either side of an edge are 6 | 8 and 12 | 15; moving a setting by
# one puts a reachable score exactly on the edge.
BAND_CASES = [
    # (likelihood, impact, settings, band)
    (2, 3, {}, "GREEN"),  # 6
    (2, 4, {}, "AMBER"),  # 8: the lowest AMBER
    (3, 4, {}, "AMBER"),  # 12
    (3, 5, {}, "RED"),  # 15: the lowest RED
    (5, 5, {}, "RED"),  # 25
    (1, 1, {}, "GREEN"),  # 1
    (2, 4, {"risk_amber_score": "9"}, "GREEN"),  # 8 below an amber edge of 9
    (3, 3, {"risk_amber_score": "9"}, "AMBER"),  # 9 on it
    (3, 5, {"risk_red_score": "16"}, "AMBER"),  # 15 below a red edge of 16
    (4, 4, {"risk_red_score": "16"}, "RED"),  # 16 on it
]


@pytest.mark.parametrize(("likelihood", "impact", "settings", "band"), BAND_CASES)
def test_risk_bands_at_their_edges(
    example_cli: Cli, likelihood: int, impact: int, settings: dict[str, str], band: str
) -> None:
    for key, value in settings.items():
        ok(example_cli("config", "set", key, value))
    ok(
        example_cli(
            "add-risk", "Edge", "--ref", "EDGE", "--owner", "MORLEY",
            "--likelihood", str(likelihood), "--impact", str(impact),
        )
    )  # fmt: skip
    expected = (likelihood * impact, band)
    row = rows_of(example_cli, "risks")["EDGE"]
    assert (row["score"], row["band"]) == expected
    listed = rows_of(example_cli, "list", "risks")["EDGE"]
    assert (listed["score"], listed["band"]) == expected
    assert tuple(shown(example_cli, "EDGE")["derived"].values()) == expected


def test_the_bands_are_settings_kept_in_order(cli: Cli, db: Database) -> None:
    refused(
        cli,
        db,
        ("config", "set", "risk_amber_score", "16"),
        "risk_amber_score: risk_amber_score (16) must not exceed risk_red_score (15)",
    )
    refused(
        cli,
        db,
        ("config", "set", "kpi_amber_pct", "101"),
        "kpi_amber_pct: kpi_amber_pct (101) must not exceed kpi_green_pct (100)",
    )
    refused(
        cli,
        db,
        ("config", "set", "risk_red_score", "26"),
        "risk_red_score: expected a whole number (a risk score) from 1 to 25; got '26'",
    )
    assert ok(cli("config", "set", "kpi_green_pct", "90")) == "kpi_green_pct: 100 → 90\n"


# ---------------------------------------------------------------------------------------------
# The register: mou risks
# ---------------------------------------------------------------------------------------------


def test_the_register_and_its_grid(example_cli: Cli) -> None:
    result = example_cli("risks", columns=160)
    assert_golden("risks.txt", ok(result))


def test_the_register_filtered_and_as_json(example_cli: Cli) -> None:
    document = json.loads(
        ok(example_cli("risks", "--status", "OPEN", "--theme", "grow", "--format", "json"))
    )
    assert (document["theme"], document["status"], document["bands"]) == (
        "grow",
        "open",
        {"red": 15, "amber": 8},
    )
    # GROW and its sub-themes: R07 by its theme, R05 by its theme and workstream, R02 by its
    # workstream (WS06 is under GROW-RETAIN); highest score first, then by ref.
    assert [(row["ref"], row["score"], row["band"]) for row in document["rows"]] == [
        ("R02", 16, "RED"),
        ("R05", 15, "RED"),
        ("R07", 15, "RED"),
    ]
    assert list(document["rows"][0]) == [
        "ref", "title", "theme", "workstream", "owner", "likelihood", "impact", "score", "band",
        "status", "response", "mitigation", "target", "review", "description",
    ]  # fmt: skip


def test_the_register_as_csv(example_cli: Cli) -> None:
    lines = ok(example_cli("risks", "--status", "closed", "--format", "csv")).splitlines()
    assert lines == [
        "ref,title,theme,workstream,owner,likelihood,impact,score,band,status,response,"
        "mitigation,target,review,description",
        "R08,The four parties cannot agree the programme board's terms of reference,,WS00,"
        "MORLEY,1,4,4,GREEN,closed,avoid,,,,",
    ]


def test_an_empty_register(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "minimal.toml"
    path.write_text(MINIMAL, "utf-8")
    ok(cli("import", str(path)))
    table = ok(cli("risks"))
    assert "0 risks. Score = likelihood × impact, each from 1 to 5." in table
    assert json.loads(ok(cli("risks", "-f", "json")))["rows"] == []


# ---------------------------------------------------------------------------------------------
# Issues and assumptions
# ---------------------------------------------------------------------------------------------


def test_raise_and_resolve_an_issue(example_cli: Cli, example_db: Database) -> None:
    result = example_cli(
        "add-issue", "Ethics committee meets only monthly", "--owner", "WIERZBICKI",
        "--raised", "today", "--severity", "high", "--risk", "r04",
    )  # fmt: skip
    assert ok(result) == out(
        "Added issue ISS-04: Ethics committee meets only monthly",
        "  raised: Sat 28 Nov 2026",
        "  (today is Sat 28 Nov 2026)",
    )
    refused(
        example_cli,
        example_db,
        ("update-issue", "ISS-04", "--status", "resolved"),
        "resolved: required when status is resolved",
    )
    refused(
        example_cli,
        example_db,
        ("update-issue", "ISS-04", "--resolved", "2026-11-28"),
        "status: must be resolved when resolved is set",
    )
    refused(
        example_cli,
        example_db,
        ("update-issue", "ISS-04", "--status", "resolved", "--resolved", "2026-11-27"),
        "resolved: 2026-11-27 is before raised (2026-11-28)",
    )
    assert ok(
        example_cli("update-issue", "ISS-04", "--status", "resolved", "--resolved", "2026-11-28")
    ) == out(
        "Updated issue ISS-04:",
        "  status: open → resolved",
        "  resolved: none → Sat 28 Nov 2026",
    )
    assert ok(example_cli("remove-issue", "iss-04")) == out("Removed issue ISS-04.")


def test_an_issue_needs_its_required_fields(example_cli: Cli, example_db: Database) -> None:
    refused(
        example_cli,
        example_db,
        ("add-issue", "No severity", "--owner", "JONES", "--raised", "today"),
        "severity: required",
    )


def test_assumptions(example_cli: Cli, example_db: Database) -> None:
    result = example_cli(
        "add-assumption", "Match funding stays at 2026/27 levels", "--owner", "MORLEY",
        "--review", "2027-03-31",
    )  # fmt: skip
    assert ok(result) == out(
        "Added assumption AS04: Match funding stays at 2026/27 levels",
        "  review: Wed 31 Mar 2027",
    )
    assert shown(example_cli, "AS04")["fields"]["status"] == "holding"
    assert ok(example_cli("update-assumption", "AS04", "--status", "broken")) == out(
        "Updated assumption AS04:", "  status: holding → broken"
    )
    listed = rows_of(example_cli, "list", "assumptions")
    assert [ref for ref, row in listed.items() if row["status"] == "broken"] == ["AS03", "AS04"]
    assert ok(example_cli("remove-assumption", "AS04")) == out("Removed assumption AS04.")


# ---------------------------------------------------------------------------------------------
# KPIs
# ---------------------------------------------------------------------------------------------


def test_the_example_kpis_in_the_last_quarter(example_cli: Cli) -> None:
    # Without --period: the latest quarter ended by today (FY2026/27 Q2).
    document = json.loads(ok(example_cli("kpis", "--format", "json")))
    assert document == {
        "period": "FY2026/27 Q2",
        "rows": [
            {
                "ref": "KPI-01",
                "name": "Co-investment secured from partners and funders",
                "unit": "GBP",
                "target": 1250000,  # running: Q1 500,000 + Q2 750,000
                "actual": 1060000,  # running: Q1 420,000 + Q2 640,000
                "attainment_pct": 84.8,
                "rag": "AMBER",
            },
            {
                "ref": "KPI-02",
                "name": "Joint grant applications submitted",
                "unit": "count",
                "target": 3,
                "actual": 4,
                "attainment_pct": 133.3,
                "rag": "GREEN",
            },
            {
                "ref": "KPI-03",
                "name": "Researcher exchanges between the two universities",
                "unit": "count",
                "target": 6,
                "actual": 4,
                "attainment_pct": 66.7,
                "rag": "RED",
            },
            {
                "ref": "KPI-04",
                "name": "Median days to agree a data-sharing agreement",
                "unit": "count",
                "target": 60,
                "actual": 70,
                "attainment_pct": 85.7,  # lower is better: 60 ÷ 70
                "rag": "AMBER",
            },
        ],
    }
    assert_golden("kpis.txt", ok(example_cli("kpis", columns=140)))


def test_kpis_for_a_whole_year(example_cli: Cli) -> None:
    rows = rows_of(example_cli, "kpis", "--period", "2026/27")
    figures = {ref: (row["target"], row["actual"], row["rag"]) for ref, row in rows.items()}
    assert figures == {
        # Cumulative: the year has no figure of its own yet, so its quarters run on.
        "KPI-01": (3500000, 1060000, "RED"),
        # The year's own target (12); the actual adds up its quarters (2 + 4).
        "KPI-02": (12, 6, "RED"),
        # No year target: the quarters' targets add up (4 + 6 + 6 + 6).
        "KPI-03": (22, 7, "RED"),
        # Days are a count: added up too (a KPI of levels would take the latest quarter).
        "KPI-04": (165, 154, "GREEN"),
    }


def test_kpis_as_csv(example_cli: Cli) -> None:
    lines = ok(example_cli("kpis", "--period", "FY2026/27 Q2", "-f", "csv")).splitlines()
    assert lines[0] == (
        "ref,name,unit,direction,cumulative,period,target,actual,attainment_pct,rag,note"
    )
    assert lines[1] == (
        "KPI-01,Co-investment secured from partners and funders,GBP,higher,true,FY2026/27 Q2,"
        "1250000,1060000,84.8,AMBER,Industry contributions to the scale-up pathway pilot"
    )


def _kpi(cli: Cli, ref: str, *options: str) -> None:
    ok(cli("add-kpi", f"KPI {ref}", "--ref", ref, "--unit", "count", *options))


# Attainment at its edges: (direction, target, actual, attainment, RAG).
ATTAINMENT_CASES = [
    ("higher", 1000, 799, 79.9, "RED"),
    ("higher", 1000, 800, 80.0, "AMBER"),
    ("higher", 2000, 1599, 80.0, "AMBER"),  # 79.95 rounds (half up) to 80.0, as shown
    ("higher", 1000, 999, 99.9, "AMBER"),
    ("higher", 1000, 1000, 100.0, "GREEN"),
    ("higher", 3, 4, 133.3, "GREEN"),
    ("higher", 1000, 0, 0.0, "RED"),
    ("higher", 0, 5, None, "GREEN"),  # a target of nothing is met by anything
    ("lower", 60, 75, 80.0, "AMBER"),  # 60 ÷ 75
    ("lower", 60, 76, 78.9, "RED"),
    ("lower", 60, 60, 100.0, "GREEN"),
    ("lower", 60, 45, 133.3, "GREEN"),
    ("lower", 60, 0, None, "GREEN"),  # nothing at all is as low as it gets
    ("lower", 0, 3, 0.0, "RED"),
]


@pytest.mark.parametrize(
    ("direction", "target", "actual", "attainment", "rag"),
    ATTAINMENT_CASES,
    ids=[f"{case[0]}-{case[1]}-{case[2]}" for case in ATTAINMENT_CASES],
)
def test_kpi_attainment_and_rag_at_their_edges(
    example_cli: Cli, direction: str, target: int, actual: int, attainment: float | None, rag: str
) -> None:
    _kpi(example_cli, "EDGE", "--direction", direction, "--targets", f"FY2026/27 Q3:{target}")
    recorded = ok(example_cli("record-kpi", "EDGE", str(actual), "--period", "FY2026/27 Q3"))
    assert recorded.splitlines()[0] == f"Recorded EDGE for FY2026/27 Q3: {actual:,}"
    row = rows_of(example_cli, "kpis", "--period", "FY2026/27 Q3")["EDGE"]
    assert (row["target"], row["actual"], row["attainment_pct"], row["rag"]) == (
        target,
        actual,
        attainment,
        rag,
    )


def test_kpi_thresholds_are_settings(example_cli: Cli) -> None:
    _kpi(example_cli, "EDGE", "--targets", "FY2026/27 Q3:1000")
    ok(example_cli("record-kpi", "EDGE", "900", "--period", "FY2026/27 Q3"))

    def rag() -> str:
        return str(rows_of(example_cli, "kpis", "-p", "FY2026/27 Q3")["EDGE"]["rag"])

    assert rag() == "AMBER"
    ok(example_cli("config", "set", "kpi_green_pct", "90"))
    assert rag() == "GREEN"
    ok(example_cli("config", "set", "kpi_amber_pct", "90"))
    ok(example_cli("config", "set", "kpi_green_pct", "95"))
    assert rag() == "AMBER"
    ok(example_cli("config", "set", "kpi_amber_pct", "91"))
    assert rag() == "RED"
    # Wide enough that the note is one line.
    notes = ok(example_cli("kpis", "-p", "FY2026/27 Q3", columns=200)).splitlines()
    assert notes[-2] == (
        "KPI RAG: GREEN at 95% of target or more, AMBER from 91%, RED below 91% (settings "
        "kpi_green_pct and kpi_amber_pct); no target or no actual, no RAG."
    )


def test_a_cumulative_kpi_runs_on_across_the_year_boundary(example_cli: Cli) -> None:
    targets = "FY2026/27 Q4:1000,FY2027/28 Q1:1000"
    _kpi(example_cli, "RUN", "--cumulative", "--targets", targets)
    _kpi(example_cli, "FLAT", "--targets", targets)
    for ref in ("RUN", "FLAT"):
        ok(example_cli("record-kpi", ref, "700", "--period", "FY2026/27 Q4"))
        ok(example_cli("record-kpi", ref, "900", "--period", "FY2027/28 Q1"))
    rows = rows_of(example_cli, "kpis", "--period", "FY2027/28 Q1")
    # Running: 700 + 900 against 1000 + 1000, across the end of March 2027.
    assert [rows["RUN"][key] for key in ("target", "actual", "attainment_pct", "rag")] == [
        2000,
        1600,
        80.0,
        "AMBER",
    ]
    # The same figures quarter by quarter: 900 against 1000.
    assert [rows["FLAT"][key] for key in ("target", "actual", "attainment_pct", "rag")] == [
        1000,
        900,
        90.0,
        "AMBER",
    ]
    # A year's own target stands in for its quarters' once the year has ended.
    ok(example_cli("update-kpi", "RUN", "--targets", "FY2026/27:1500,FY2027/28 Q1:1000"))
    assert rows_of(example_cli, "kpis", "-p", "FY2027/28 Q1")["RUN"]["target"] == 2500
    assert rows_of(example_cli, "kpis", "-p", "FY2027/28 Q1")["RUN"]["rag"] == "RED"  # 64.0
    # A quarter with nothing recorded yet has no actual, so no RAG.
    later = rows_of(example_cli, "kpis", "-p", "FY2027/28 Q2")["RUN"]
    assert (later["target"], later["actual"], later["rag"]) == (2500, None, None)


def test_no_target_no_rag(example_cli: Cli) -> None:
    _kpi(example_cli, "NOTARGET")
    result = ok(example_cli("record-kpi", "NOTARGET", "5", "-p", "FY2026/27 Q3"))
    assert result == out(
        "Recorded NOTARGET for FY2026/27 Q3: 5", "  actual 5; no target, so no RAG"
    )
    row = rows_of(example_cli, "kpis", "-p", "FY2026/27 Q3")["NOTARGET"]
    assert (row["target"], row["attainment_pct"], row["rag"]) == (None, None, None)


def test_record_a_kpi_actual_again_and_remove_it(example_cli: Cli, example_db: Database) -> None:
    first = example_cli(
        "record-kpi", "KPI-01", "£350,000", "--period", "fy26/27 q3", "--note", "ERDF award"
    )
    assert ok(first) == out(
        "Recorded KPI-01 for FY2026/27 Q3: £350,000",
        "  running total £1,410,000 against running target £2,250,000; attainment 62.7%: RED",
    )
    again = example_cli("record-kpi", "KPI-01", "1100000", "--period", "FY2026/27 Q3")
    assert ok(again) == out(
        "Recorded KPI-01 for FY2026/27 Q3: £1,100,000",
        "  replaces £350,000",
        "  running total £2,160,000 against running target £2,250,000; attainment 96.0%: AMBER",
    )
    assert ok(example_cli("record-kpi", "KPI-01", "1100000", "-p", "FY2026/27 Q3")) == out(
        "KPI-01 already had that actual for FY2026/27 Q3; nothing changed."
    )
    actuals = shown(example_cli, "KPI-01")["fields"]["actuals"]
    assert actuals[-1] == {"period": "FY2026/27 Q3", "value": 1100000}  # the note went with it
    refused(
        example_cli,
        example_db,
        ("record-kpi", "KPI-01", "none", "-p", "FY2026/27 Q4"),
        "--period: KPI KPI-01 has no actual for FY2026/27 Q4 to remove",
    )
    assert ok(example_cli("record-kpi", "KPI-01", "none", "-p", "FY2026/27 Q3")) == out(
        "Removed the actual of KPI-01 for FY2026/27 Q3 (was £1,100,000)."
    )
    assert len(shown(example_cli, "KPI-01")["fields"]["actuals"]) == 2
    # Each recording is one command in the trail: undo brings the actual back.
    ok(example_cli("undo", "--yes"))
    assert shown(example_cli, "KPI-01")["fields"]["actuals"][-1]["value"] == 1100000


def test_record_a_kpi_for_the_previous_quarter(example_cli: Cli) -> None:
    result = ok(example_cli("record-kpi", "KPI-02", "3", "--period", "previous"))
    assert result == out(
        "Recorded KPI-02 for FY2026/27 Q2: 3",
        "  replaces 4",
        "  actual 3 against target 3; attainment 100.0%: GREEN",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("record-kpi", "KPI-02", "3", "--period", "Q5 2026"),
            "--period: expected a quarter such as FY2026/27 Q3 or a year such as FY2026/27; "
            "got 'Q5 2026'",
        ),
        (
            ("record-kpi", "KPI-02", "lots", "--period", "FY2026/27 Q3"),
            "VALUE: expected a number such as 1200000, 1,200,000 or 2.5 (a point before "
            "decimals); got 'lots'",
        ),
        (
            ("record-kpi", "KPI-02", "--period", "FY2026/27 Q3", "--", "-3"),
            "actuals: value must not be negative (got -3 for FY2026/27 Q3)",
        ),
        (
            ("record-kpi", "KPI-99", "3", "--period", "FY2026/27 Q3"),
            "KPI: no KPI with ref 'KPI-99'",
        ),
        (
            ("add-kpi", "Share of joint papers", "--unit", "percent", "--cumulative"),
            "cumulative: a percentage is not added up over periods; only GBP, count and FTE "
            "KPIs can be cumulative",
        ),
        (
            ("add-kpi", "Bids", "--unit", "count", "--targets", "FY2026/27:3,fy26/27:4"),
            "targets: FY2026/27 listed more than once",
        ),
        (
            ("update-kpi", "KPI-02", "--targets", "FY2026/27 Q5:3"),
            "targets.period: expected a quarter such as FY2026/27 Q3 or a year such as "
            "FY2026/27; got 'FY2026/27 Q5'",
        ),
        (("add-kpi", "Bids", "--unit", "euros"), None),  # a usage error: see below
    ],
)
def test_bad_kpi_input_is_refused(
    example_cli: Cli, example_db: Database, args: tuple[str, ...], message: str | None
) -> None:
    if message is None:
        before = snapshot(example_db)
        result = example_cli(*args)
        assert result.exit_code == 2 and "Traceback" not in result.stderr, result
        assert snapshot(example_db) == before
        return
    refused(example_cli, example_db, args, message)


def test_kpi_numbers_keep_their_decimals_and_round_trip(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "minimal.toml"
    path.write_text(MINIMAL, "utf-8")
    ok(cli("import", str(path)))
    ok(
        cli(
            "add-kpi", "Secondees in post", "--ref", "FTE", "--unit", "FTE", "--baseline", "0.5",
            "--targets", "FY2026/27 Q3:2.5,FY2026/27:3",
        )
    )  # fmt: skip
    assert ok(cli("record-kpi", "FTE", "2.25", "-p", "FY2026/27 Q3")) == out(
        "Recorded FTE for FY2026/27 Q3: 2.25 FTE",
        "  actual 2.25 FTE against target 2.5 FTE; attainment 90.0%: AMBER",
    )
    exported = ok(cli("export"))
    assert (
        'targets = [{ period = "FY2026/27", value = 3 }, { period = "FY2026/27 Q3", value = 2.5 }]'
        in exported
    )
    assert 'actuals = [{ period = "FY2026/27 Q3", value = 2.25 }]' in exported
    assert "baseline = 0.5\n" in exported
    again = Cli(f"sqlite:///{tmp_path / 'again.db'}")
    file = tmp_path / "exported.toml"
    file.write_text(exported, "utf-8")
    ok(again("import", str(file)))
    assert ok(again("export")) == exported


# ---------------------------------------------------------------------------------------------
# Dependencies between milestones
# ---------------------------------------------------------------------------------------------


def test_a_knock_on_shows_in_show_list_and_status(example_cli: Cli) -> None:
    detail = shown(example_cli, "MS-16", "--as-of", AS_OF)
    assert detail["fields"]["depends_on"] == ["MS-15"]
    assert detail["rag"]["at_risk_from"] == [
        {"ref": "MS-15", "finish": "2027-03-12", "completed": False}
    ]
    table = ok(example_cli("show", "MS-16", "--as-of", AS_OF))
    assert table.splitlines()[2] == (
        "At risk from MS-15: it finishes Fri 12 Mar 2027, after this milestone is due"
    )
    listed = ok(example_cli("list", "milestones", "--at-risk", "--as-of", AS_OF, "-f", "csv"))
    assert listed.splitlines()[1:] == [
        "MS-16,First annual MoU review reported to the four signatories,WS08,ACAD,LIV,VARGHESE,"
        "2027-02-19,,,planned,0,GREEN,,MS-15 (2027-03-12)"
    ]
    status = json.loads(ok(example_cli("status", "--as-of", AS_OF, "-f", "json")))
    assert status["overall"]["at_risk"] == 1
    assert {row["scope"]: row["at_risk"] for row in status["tables"]["theme"]}["ACAD"] == 1
    # MS-15 back on its due date (29 January) clears the knock-on.
    ok(example_cli("update-milestone", "MS-15", "--forecast", "none"))
    assert shown(example_cli, "MS-16", "--as-of", AS_OF)["rag"]["at_risk_from"] == []
    assert ok(example_cli("list", "milestones", "--at-risk", "--as-of", AS_OF)).endswith(
        "0 milestones.\n"
    )


def test_a_completed_predecessor_counts_by_its_completion(example_cli: Cli) -> None:
    # MS-13 (due 4 December) depends on MS-05, completed 18 June: no knock-on. Completed on
    # 10 December instead, it would finish after MS-13 is due.
    ok(example_cli("update-milestone", "MS-13", "--depends-on", "MS-05,MS-14"))
    # MS-14's forecast (24 December) is after MS-13's due date.
    assert shown(example_cli, "MS-13", "--as-of", AS_OF)["rag"]["at_risk_from"] == [
        {"ref": "MS-14", "finish": "2026-12-24", "completed": False}
    ]
    ok(example_cli("update-milestone", "MS-14", "--forecast", "none", "--due", "2026-11-20",
                   "--reason", "Brought forward"))  # fmt: skip
    assert shown(example_cli, "MS-13", "--as-of", AS_OF)["rag"]["at_risk_from"] == []
    # Done late (27 November, before as-of): its completion counts, and is before 4 December.
    ok(example_cli("update-milestone", "MS-14", "--done", "2026-11-27"))
    assert shown(example_cli, "MS-13", "--as-of", AS_OF)["rag"]["at_risk_from"] == []
    # A dependant already done is no longer at risk.
    listed = ok(example_cli("list", "milestones", "--at-risk", "--as-of", "2027-03-01"))
    assert "MS-13" not in listed


def test_dependency_cycles_are_refused(example_cli: Cli, example_db: Database) -> None:
    refused(
        example_cli,
        example_db,
        ("update-milestone", "MS-15", "--depends-on", "MS-15"),
        "depends_on: MS-15 cannot depend on itself",
    )
    refused(
        example_cli,
        example_db,
        ("update-milestone", "MS-15", "--depends-on", "MS-16"),
        "depends_on: would make a loop of dependencies (MS-15 → MS-16 → MS-15)",
    )
    # A longer loop: MS-20 → MS-14 → MS-10, so MS-10 may not depend on MS-20.
    refused(
        example_cli,
        example_db,
        ("update-milestone", "MS-10", "--depends-on", "MS-04,ms-20"),
        "depends_on: would make a loop of dependencies (MS-10 → MS-20 → MS-14 → MS-10)",
    )
    refused(
        example_cli,
        example_db,
        ("update-milestone", "MS-10", "--depends-on", "MS-99"),
        "depends_on: no milestone with ref 'MS-99'",
    )


def test_set_and_clear_dependencies(example_cli: Cli, example_db: Database) -> None:
    assert ok(example_cli("update-milestone", "MS-17", "--depends-on", "ms-07, MS-12")) == out(
        "Updated milestone MS-17:", "  depends_on: none → MS-07, MS-12"
    )
    assert ok(example_cli("update-milestone", "MS-17", "--no-depends-on")) == out(
        "Updated milestone MS-17:", "  depends_on: MS-07, MS-12 → none"
    )
    result = example_cli("update-milestone", "MS-17", "--no-depends-on", "--depends-on", "MS-07")
    assert result.exit_code == 2
    assert "--no-depends-on: cannot be combined with --depends-on" in result.stderr
    added = example_cli(
        "add-milestone", "Pilot report", "-w", "WS04", "--due", "2027-06-30",
        "--depends-on", "MS-17",
    )  # fmt: skip
    assert ok(added) == out(
        "Added milestone MS-23 to WS04: Pilot report",
        "  due: Wed 30 Jun 2027",
        "  owned by: LIV",
        "  depends on: MS-17",
    )


def test_removing_a_predecessor(example_cli: Cli, example_db: Database) -> None:
    refused(
        example_cli,
        example_db,
        ("remove-milestone", "MS-19"),
        "milestone MS-19 is used by milestone MS-21 (depends_on); change or remove those "
        "first, or use --cascade",
    )
    before = snapshot(example_db)
    assert ok(example_cli("remove-milestone", "MS-19", "--cascade")) == out(
        "Removed milestone MS-19.", "  took MS-19 out of milestone MS-21 depends_on"
    )
    after = snapshot(example_db)
    # Its re-baseline history went with it, and the link that named it.
    assert len(after["milestone_baseline"]) == len(before["milestone_baseline"]) - 1
    assert len(after["milestone_dependency"]) == len(before["milestone_dependency"]) - 1
    assert shown(example_cli, "MS-21")["fields"]["depends_on"] == []


def test_a_programme_file_with_a_loop_of_dependencies_is_refused_whole(
    cli: Cli, db: Database, tmp_path: Path
) -> None:
    extra = """
[[milestones]]
ref = "M1"
workstream = "W1"
title = "One"
due = 2026-05-01
depends_on = ["M3"]

[[milestones]]
ref = "M2"
workstream = "W1"
title = "Two"
due = 2026-06-01
depends_on = ["M1"]

[[milestones]]
ref = "M3"
workstream = "W2"
title = "Three"
due = 2026-07-01
depends_on = ["M2"]

[[milestones]]
ref = "M4"
workstream = "W2"
title = "Four"
due = 2026-08-01
depends_on = ["M4", "M9"]
"""
    path = tmp_path / "loop.toml"
    path.write_text(MINIMAL + extra, "utf-8")
    before = snapshot(db)
    result = cli("import", str(path))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        f"error: {path}: 1 problem; nothing was written",
        "  milestones M4 depends_on: unknown milestone 'M9'",
    ]
    path.write_text(MINIMAL + extra.replace(', "M9"', ""), "utf-8")
    result = cli("import", str(path))
    assert result.stderr.splitlines() == [
        f"error: {path}: 4 problems; nothing was written",
        "  milestones M1 depends_on: would make a loop of dependencies (M1 → M3 → M2 → M1)",
        "  milestones M2 depends_on: would make a loop of dependencies (M2 → M1 → M3 → M2)",
        "  milestones M3 depends_on: would make a loop of dependencies (M3 → M2 → M1 → M3)",
        "  milestones M4 depends_on: M4 cannot depend on itself",
    ]
    assert snapshot(db) == before


def test_an_import_cannot_close_a_loop_with_a_link_made_since(
    example_cli: Cli, example_db: Database, tmp_path: Path
) -> None:
    """A link added at the command line is kept by the next import; the file's own new link
    must not close a loop with it."""
    from tests.conftest import EXAMPLE

    ok(example_cli("update-milestone", "MS-12", "--depends-on", "MS-17"))
    edited = EXAMPLE.read_text("utf-8").replace(
        'owner = "WIERZBICKI"\n# Dates alone',
        'owner = "WIERZBICKI"\ndepends_on = ["MS-12"]\n# Dates alone',
    )
    assert edited != EXAMPLE.read_text("utf-8")
    path = tmp_path / "edited.toml"
    path.write_text(edited, "utf-8")
    before = snapshot(example_db)
    result = example_cli("import", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1] == (
        "  milestones MS-17 depends_on: would make a loop of dependencies (MS-17 → MS-12 → "
        "MS-17) (after keeping changes made in the database since the last import)"
    )
    assert snapshot(example_db) == before


# ---------------------------------------------------------------------------------------------
# Status and the quarterly report
# ---------------------------------------------------------------------------------------------


def test_status_has_a_risks_line_and_kpis(example_cli: Cli) -> None:
    table = ok(example_cli("status", "--as-of", AS_OF))
    assert table.splitlines()[7] == (
        "Risks: 6 open (3 red, 2 amber, 1 green); issues: 2 open (1 high or critical); "
        "1 assumption broken"
    )
    assert "\nKPIs in FY2026/27 Q2\n" in table
    document = json.loads(ok(example_cli("status", "--as-of", AS_OF, "-f", "json")))
    assert document["raid"] == {
        "risks_open": 6,
        "risks_red": 3,
        "risks_amber": 2,
        "risks_green": 1,
        "issues_open": 2,
        "issues_open_high": 1,
        "assumptions_broken": 1,
        "bands": {"red": 15, "amber": 8},
    }
    assert document["kpis"]["period"] == "FY2026/27 Q2"
    assert [row["rag"] for row in document["kpis"]["rows"]] == ["AMBER", "GREEN", "RED", "AMBER"]
    # As of the end of June, the KPIs are those of the quarter ended then.
    earlier = json.loads(ok(example_cli("status", "--as-of", "2026-07-01", "-f", "json")))
    assert earlier["kpis"]["period"] == "FY2026/27 Q1"


def test_status_without_a_register_has_no_risks_line(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "minimal.toml"
    path.write_text(MINIMAL, "utf-8")
    ok(cli("import", str(path)))
    table = ok(cli("status", "--as-of", "2026-06-30"))
    assert "Risks:" not in table and "KPIs in" not in table
    # Narrowed to a theme, the page is about that theme's milestones only.
    narrowed = json.loads(ok(cli("status", "--theme", "TOP", "-f", "json")))
    assert "raid" not in narrowed and "kpis" not in narrowed


REPORT_FILES = ("risks.csv", "issues.csv", "kpis.csv", "summary.csv")


def test_the_report_of_an_ended_quarter_has_the_register_and_kpis(
    example_cli: Cli, tmp_path: Path
) -> None:
    out_dir = tmp_path / "q2"
    ok(example_cli("report", "quarterly", "-q", "FY2026/27 Q2", "--out", str(out_dir)))
    for name in REPORT_FILES:
        data = (out_dir / name).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\r\n") == data.count(b"\n")
        text = data.decode("utf-8-sig").replace("\r\n", "\n")
        assert_golden(f"report_fy2026-27_q2/{name}", text)


def test_the_report_shows_scores_as_they_stood(example_cli: Cli) -> None:
    """A re-scoring recorded after a quarter does not change that quarter's report."""
    ok(example_cli("update-risk", "R03", "--likelihood", "5", "--reason", "Provider withdrew"))
    document = json.loads(
        ok(example_cli("report", "quarterly", "-q", "FY2026/27 Q2", "-f", "json"))
    )
    r03 = next(row for row in document["risks"] if row["ref"] == "R03")
    assert (r03["likelihood"], r03["score"], r03["band"]) == (3, 9, "AMBER")
    now = json.loads(ok(example_cli("report", "quarterly", "-q", "current", "-f", "json")))
    r03 = next(row for row in now["risks"] if row["ref"] == "R03")
    assert (r03["score"], r03["band"], r03["previous_score"], r03["movement"]) == (
        15,
        "RED",
        9,
        "up",
    )


def test_the_report_footer_prints_the_bands_in_use(example_cli: Cli) -> None:
    ok(example_cli("config", "set", "risk_red_score", "16"))
    table = ok(example_cli("report", "quarterly", "-q", "FY2026/27 Q2"))
    footer = " ".join(table.split("\n\n")[-1].split())  # the last paragraph, unwrapped
    assert (
        "Risk bands: RED 16 and above, AMBER 8 to 15, GREEN 7 and below. KPI RAG: GREEN at "
        "100% of target or more, AMBER from 80%, RED below 80%."
    ) in footer
    document = json.loads(
        ok(example_cli("report", "quarterly", "-q", "FY2026/27 Q2", "-f", "json"))
    )
    summary = document["summary"]
    assert [summary[key] for key in ("risk_red_score", "risk_amber_score")] == [16, 8]
    assert [summary[key] for key in ("risks_open", "risks_red", "risks_amber")] == [6, 1, 4]


def test_check_finds_a_loop_of_dependencies_written_by_another_tool(
    example_cli: Cli, example_db: Database
) -> None:
    assert example_cli("check").exit_code == 0
    import sqlalchemy as sa

    from tracker import models

    with example_db.writing() as session:
        ids = dict(session.execute(sa.select(models.Milestone.ref, models.Milestone.id)).all())
        # MS-15 on MS-16, which already depends on MS-15: a loop no command would write.
        session.add(
            models.MilestoneDependency(milestone_id=ids["MS-15"], depends_on_id=ids["MS-16"])
        )
    result = example_cli("check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "milestone MS-15: would make a loop of dependencies (MS-15 → MS-16 → MS-15)",
        "milestone MS-16: would make a loop of dependencies (MS-16 → MS-15 → MS-16)",
    ]


def test_an_import_that_moves_a_score_keeps_the_old_one(example_cli: Cli, tmp_path: Path) -> None:
    """A programme file is a way of editing too: the score it replaces goes into the history,
    with a reason that says so, and the history already there is never lost."""
    from tests.conftest import EXAMPLE

    text = EXAMPLE.read_text("utf-8")
    start = text.index('ref = "R03"')
    edited = text[:start] + text[start:].replace("likelihood = 3", "likelihood = 4", 1)
    path = tmp_path / "rescored.toml"
    path.write_text(edited, "utf-8")
    assert ok(example_cli("import", str(path))).startswith(
        f"Loaded {path} into MoU OXF-LIV-2026: 0 added, 1 changed, 121 unchanged."
    )
    fields = shown(example_cli, "R03")["fields"]
    [entry] = fields["score_history"]
    dt.date.fromisoformat(entry.pop("changed"))  # the day of the import
    assert (fields["likelihood"], entry) == (
        4,
        {"likelihood": 3, "impact": 3, "reason": f"score changed by importing {path}"},
    )


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("1,500", 1500), ("1,200,000", 1200000), ("1,234.5", 1234.5), ("£2,000", 2000), ("2.5", 2.5)],
)
def test_commas_in_a_figure_separate_thousands(example_cli: Cli, typed: str, stored: Any) -> None:
    ok(example_cli("record-kpi", "KPI-02", typed, "--period", "FY2026/27 Q3"))
    actuals = shown(example_cli, "KPI-02")["fields"]["actuals"]
    assert actuals[-1] == {"period": "FY2026/27 Q3", "value": stored}


@pytest.mark.parametrize("typed", ["1,5", "12,34,567", "1,2345", ",500", "1,000,00"])
def test_a_comma_that_is_not_between_thousands_is_refused(
    example_cli: Cli, example_db: Database, typed: str
) -> None:
    """A decimal comma ("1,5") was read as 15: a figure ten times too large in the pack."""
    refused(
        example_cli,
        example_db,
        ("record-kpi", "KPI-02", typed, "--period", "FY2026/27 Q3"),
        "VALUE: expected a number such as 1200000, 1,200,000 or 2.5 (a point before "
        f"decimals); got {typed!r}",
    )


def test_a_new_risk_takes_its_earlier_scores(example_cli: Cli, example_db: Database) -> None:
    """--score-history on add-risk: its numbers were passed on as text and always refused."""
    ok(
        example_cli(
            "add-risk", "Supplier exit", "--owner", "MORLEY", "--likelihood", "3", "--impact", "3",
            "--score-history", "2:4:First review:2026-01-01, 4:4:Supplier warned:14/03/2026",
        )
    )  # fmt: skip
    [risk] = [
        row for row in rows_of(example_cli, "risks").values() if row["title"] == "Supplier exit"
    ]
    assert shown(example_cli, risk["ref"])["fields"]["score_history"] == [
        {"likelihood": 2, "impact": 4, "reason": "First review", "changed": "2026-01-01"},
        {"likelihood": 4, "impact": 4, "reason": "Supplier warned", "changed": "2026-03-14"},
    ]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            "x:4:why:2026-01-01",
            "--score-history likelihood: expected a whole number such as 3; got 'x'",
        ),
        (
            "2:4:why:soon",
            "--score-history changed: expected a date such as 2026-06-30 or 30/06/2026 (also "
            "today, +30d, +2w, +3m, end of quarter); got 'soon'",
        ),
    ],
)
def test_a_bad_earlier_score_names_the_option_and_its_part(
    example_cli: Cli, example_db: Database, entry: str, message: str
) -> None:
    refused(
        example_cli,
        example_db,
        ("add-risk", "Supplier exit", "--owner", "MORLEY", "--likelihood", "3", "--impact", "3",
         "--score-history", entry),
        message,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("args", "flag", "typed", "day"),
    [
        (("update-issue", "ISS-01", "--status", "resolved"), "--resolved", "+6m", "2027-05-30"),
        (("update-action", "A04", "--status", "done"), "--completed", "+1y", "2027-11-30"),
        (("add-issue", "Cryostat delivery late", "--owner", "MORLEY", "--severity", "high"),
         "--raised", "01/05/2030", "2030-05-01"),
    ],
)  # fmt: skip
def test_a_date_something_happened_may_not_be_in_the_future(
    example_cli: Cli,
    example_db: Database,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    flag: str,
    typed: str,
    day: str,
) -> None:
    """A resolution dated next June left the issue open in the report but resolved in status:
    the two disagreed. As for a milestone's --done, the day must have come."""
    monkeypatch.setattr("tracker.cli.context.today", lambda: dt.date(2026, 11, 30))
    message = f"{flag}: {day} is in the future; record it on or after the day it happens"
    refused(example_cli, example_db, (*args, flag, typed), message)
    ok(example_cli(*args, flag, "2026-11-30"))  # today is not in the future
