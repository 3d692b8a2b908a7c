"""The board pack (docs/rules.md, "The board pack"): what a governance board reads first,
picked from a quarterly report's document. The terminal and the workbook both show this, so
they agree; and since it reads nothing but the document, the pack of an issued report is the
pack as issued.

Plain data in, plain data out: nothing here reads the database or prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# How many open risks the summary names, highest score first.
TOP_RISKS = 5
OPEN_ACTIONS = ("open", "in_progress")


@dataclass(frozen=True)
class ScopeRow:
    """A theme's or an institution's line: its progress as of A beside its quarter's figures,
    and the commentary written for it."""

    scope: str
    name: str
    depth: int  # a sub-theme sits one level under its theme
    rag: str
    rag_previous: str | None
    trend: str
    total: int
    done: int
    pct_complete: float | None
    due_in_period: int
    achieved_in_period: int
    achieved_on_time: int
    achieved_late: int
    missed_in_period: int
    overdue_at_period_end: int
    forecast_next_period: int
    pct_on_time: float | None
    at_risk: int
    commentary: str | None = None


@dataclass
class BoardPack:
    summary: dict[str, Any]
    mou: dict[str, Any]
    milestones_red: list[dict[str, Any]]  # open, RED (derived or reported)
    milestones_at_risk: list[dict[str, Any]]  # open, at risk from a predecessor, not RED
    actions_overdue: list[dict[str, Any]]
    actions_open: int
    top_risks: list[dict[str, Any]]
    lifecycle: list[dict[str, Any]]
    themes: list[ScopeRow]
    institutions: list[ScopeRow]
    programme_commentary: str | None
    workstream_commentary: list[dict[str, Any]] = field(default_factory=list)
    # A report issued before the pack existed lacks some sections: they are named here.
    missing: list[str] = field(default_factory=list)


def board_pack(document: dict[str, Any]) -> BoardPack:
    summary = document["summary"]
    mou = document.get("mou") or {}
    missing = [key for key in ("mou", "milestone_exceptions", "commentary") if key not in document]
    exceptions = document.get("milestone_exceptions", [])
    red = [row for row in exceptions if "RED" in (row.get("rag"), row.get("reported_rag"))]
    at_risk = [row for row in exceptions if row not in red and row.get("at_risk_from")]
    actions = document.get("actions", [])
    risks = [row for row in document.get("risks", []) if row.get("status") == "open"]
    commentary = document.get("commentary", [])
    by_scope = {(row["scope_type"], row["scope"]): row["text"] for row in commentary}
    programme = next((row["text"] for row in commentary if row["scope_type"] == "programme"), None)
    return BoardPack(
        summary=summary,
        mou=mou,
        milestones_red=red,
        milestones_at_risk=at_risk,
        actions_overdue=sorted(
            (row for row in actions if row.get("overdue")),
            key=lambda row: (-(row.get("days_overdue") or 0), row["ref"]),
        ),
        actions_open=sum(1 for row in actions if row.get("status") in OPEN_ACTIONS),
        top_risks=sorted(risks, key=lambda row: (-row["score"], row["ref"]))[:TOP_RISKS],
        lifecycle=list(mou.get("lifecycle", [])),
        themes=_scope_rows(document, "theme", by_scope, _depths(mou)),
        institutions=_scope_rows(document, "institution", by_scope, {}),
        programme_commentary=programme,
        workstream_commentary=[row for row in commentary if row["scope_type"] == "workstream"],
        missing=missing,
    )


def _depths(mou: dict[str, Any]) -> dict[str, int]:
    """How deep each theme sits in the theme tree (0 for a theme with no parent)."""
    parents = {theme["ref"]: theme.get("parent") for theme in mou.get("themes", [])}
    depths: dict[str, int] = {}
    for ref in parents:
        depth, seen, parent = 0, {ref}, parents.get(ref)
        while parent is not None and parent not in seen:  # a loop of parents stops here
            depth += 1
            seen.add(parent)
            parent = parents.get(parent)
        depths[ref] = depth
    return depths


def _scope_rows(
    document: dict[str, Any],
    scope_type: str,
    commentary: dict[tuple[str, str], str],
    depths: dict[str, int],
) -> list[ScopeRow]:
    figures = {
        row["scope"]: row
        for row in document.get("milestone_summary", [])
        if row["scope_type"] == scope_type
    }
    rows = []
    for progress in document.get(f"{scope_type}_progress", []):
        quarter = figures.get(progress["scope"], {})
        rows.append(
            ScopeRow(
                scope=progress["scope"],
                name=progress["name"],
                depth=depths.get(progress["scope"], 0),
                rag=progress["rag"],
                rag_previous=progress.get("rag_previous"),
                trend=progress.get("trend") or "new",
                total=progress["total"],
                done=progress["done"],
                pct_complete=progress["pct_complete"],
                due_in_period=quarter.get("due_in_period", 0),
                achieved_in_period=quarter.get("achieved_in_period", 0),
                achieved_on_time=quarter.get("achieved_on_time", 0),
                achieved_late=quarter.get("achieved_late", 0),
                missed_in_period=quarter.get("missed_in_period", 0),
                overdue_at_period_end=quarter.get("overdue_at_period_end", 0),
                forecast_next_period=quarter.get("forecast_next_period", 0),
                pct_on_time=quarter.get("pct_on_time"),
                at_risk=progress.get("at_risk") or 0,
                commentary=commentary.get((scope_type, progress["scope"])),
            )
        )
    return rows
