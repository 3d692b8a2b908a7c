"""The columns of the report's sections, described once: each column's key (the column of
its CSV file and the key of its JSON rows, in their order: a contract, see docs/rules.md), the
header a board reads in the workbook, and the kind of value it holds. The workbook and the
terminal both draw their columns from here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Col:
    """A column of a sheet: the document's key, the header a board reads, and its kind:
    text, wrap (long text), ref, date, number, pct (a percentage given as 0 to 100), rag,
    bool, trend or movement (words for a direction)."""

    key: str
    header: str
    kind: str = "text"


def cols(*specs: tuple[str, str, str]) -> list[Col]:
    """Columns from (key, header, kind) triples."""
    return [Col(*spec) for spec in specs]


SCOPE_COLUMNS = cols(
    ("scope", "Ref", "ref"), ("name", "{noun}", "text"), ("rag", "RAG", "rag"),
    ("rag_previous", "RAG before", "rag"), ("trend", "Trend", "trend"),
    ("due_in_period", "Due", "number"), ("achieved_in_period", "Achieved", "number"),
    ("achieved_on_time", "Achieved on time", "number"), ("achieved_late", "Late", "number"),
    ("missed_in_period", "Missed", "number"),
    ("overdue_at_period_end", "Overdue at the end", "number"),
    ("forecast_next_period", "Due next quarter", "number"), ("pct_on_time", "% on time", "pct"),
    ("total", "Milestones", "number"), ("done", "Done", "number"),
    ("pct_complete", "% done", "pct"), ("at_risk", "At risk", "number"),
)  # fmt: skip
MILESTONE_COLUMNS = cols(
    ("ref", "Ref", "ref"), ("title", "Milestone", "wrap"), ("workstream", "Workstream", "ref"),
    ("theme", "Theme", "ref"), ("institution", "Institution", "ref"), ("owner", "Owner", "ref"),
    ("due", "Due", "date"), ("forecast", "Forecast", "date"), ("completed", "Completed", "date"),
    ("status", "Status", "ref"), ("slippage_days", "Slippage (days)", "number"),
    ("rag", "RAG", "rag"), ("due_in_period", "Due in quarter", "bool"),
    ("achieved_in_period", "Achieved in quarter", "bool"), ("on_time", "On time", "bool"),
    ("missed", "Missed", "bool"), ("at_risk_from", "At risk from", "text"),
    ("reported_rag", "Reported RAG", "rag"), ("reported_rag_reason", "Reason given", "wrap"),
)  # fmt: skip
ACTION_COLUMNS = cols(
    ("ref", "Ref", "ref"), ("text", "Action", "wrap"), ("visit", "Visit", "ref"),
    ("meeting", "Meeting", "ref"), ("owner", "Owner", "ref"),
    ("institution", "Institution", "ref"), ("due", "Due", "date"), ("status", "Status", "ref"),
    ("completed", "Completed", "date"), ("overdue", "Overdue", "bool"),
    ("days_overdue", "Days overdue", "number"),
)  # fmt: skip
VISIT_COLUMNS = cols(
    ("ref", "Ref", "ref"), ("title", "Visit", "wrap"), ("kind", "Kind", "ref"),
    ("date", "Date", "date"), ("end", "End", "date"), ("status", "Status", "ref"),
    ("host", "Host", "ref"), ("sites", "Sites", "text"), ("attendees", "Attendees", "wrap"),
    ("themes", "Themes", "text"), ("purpose", "Purpose", "wrap"),
    ("outcomes", "Outcomes", "wrap"), ("open_actions", "Open actions", "wrap"),
)  # fmt: skip
RISK_COLUMNS = cols(
    ("ref", "Ref", "ref"), ("title", "Risk", "wrap"), ("theme", "Theme", "ref"),
    ("workstream", "Workstream", "ref"), ("owner", "Owner", "ref"),
    ("likelihood", "Likelihood", "number"), ("impact", "Impact", "number"),
    ("score", "Score", "number"), ("band", "Band", "rag"),
    ("previous_score", "Score at the start", "number"), ("movement", "Movement", "movement"),
    ("status", "Status", "ref"), ("response", "Response", "ref"),
    ("mitigation", "Mitigation", "wrap"), ("target", "Target date", "date"),
    ("review", "Review", "date"),
)  # fmt: skip
ISSUE_COLUMNS = cols(
    ("ref", "Ref", "ref"), ("title", "Issue", "wrap"), ("owner", "Owner", "ref"),
    ("severity", "Severity", "ref"), ("status", "Status", "ref"), ("raised", "Raised", "date"),
    ("resolved", "Resolved", "date"), ("days_open", "Days open", "number"),
    ("risk", "From risk", "ref"),
)  # fmt: skip
KPI_COLUMNS = cols(
    ("ref", "Ref", "ref"), ("name", "KPI", "wrap"), ("unit", "Unit", "ref"),
    ("direction", "Better when", "ref"), ("cumulative", "Cumulative", "bool"),
    ("theme", "Theme", "ref"), ("institution", "Institution", "ref"),
    ("baseline", "Baseline", "number"), ("period", "Period", "ref"),
    ("target", "Target", "number"), ("actual", "Actual", "number"),
    ("attainment_pct", "Attainment", "pct"), ("rag", "RAG", "rag"), ("note", "Note", "wrap"),
)  # fmt: skip
CHANGE_COLUMNS = cols(
    ("theme", "Theme", "ref"), ("change", "Change", "ref"), ("kind", "Kind", "ref"),
    ("ref", "Ref", "ref"), ("title", "Title", "wrap"), ("old", "Was", "text"),
    ("new", "Now", "text"), ("days", "Days", "number"), ("reason", "Reason", "wrap"),
)  # fmt: skip
COMMENTARY_COLUMNS = cols(
    ("scope", "Ref", "ref"), ("name", "Workstream", "text"), ("text", "Commentary", "wrap")
)
DELIVERY_COLUMNS = cols(
    ("period", "Quarter", "ref"), ("due_in_period", "Due", "number"),
    ("achieved_on_time", "Achieved on time", "number"), ("pct_on_time", "% on time", "pct"),
)  # fmt: skip


# How the terminal shows each kind: long text wraps, flags and directions are words.
_TERMINAL_KIND = {"wrap": "text", "bool": "ref", "pct": "number", "trend": "ref", "movement": "ref"}


def terminal_kinds(columns: list[Col]) -> dict[str, str]:
    """Each column's key and the kind the terminal renderer knows it by."""
    return {column.key: _TERMINAL_KIND.get(column.kind, column.kind) for column in columns}


def rag_as_reported(row: dict[str, Any]) -> str:
    """A milestone's RAG as the board pack shows it, in the terminal and the workbook alike:
    the derived RAG, and the owner's reported RAG beside it when they differ ('AMBER
    (reported RED)'). The derived RAG comes first: it is the one the rules work out."""
    derived, reported = row["rag"], row.get("reported_rag")
    return f"{derived} (reported {reported})" if reported and reported != derived else derived
