"""The fields of one progress row, as status tables and the quarterly report give them.

Kept apart from ``tracker.services.status`` (which counts in the database) so that the CLI can
use it without importing the storage layer at start-up."""

from __future__ import annotations

from typing import Any

ARROWS = {"up": "↑", "down": "↓", "same": "→", "new": "new"}


def row_fields(row: Any, *, tree: bool = False) -> dict[str, Any]:
    """A progress row (``tracker.services.status.ProgressRow``) with its trend."""
    return progress_fields(
        row.scope,
        row.name,
        row.counts,
        row.scope_type if tree else "",
        rag_previous=row.rag_previous,
        trend=row.trend,
    )


def progress_fields(
    scope: str,
    name: str,
    counts: Any,
    scope_type: str = "",
    *,
    rag_previous: str | None,
    trend: str,
) -> dict[str, Any]:
    """The columns of a progress row, in order: a contract for JSON and CSV; the RAG it is
    compared with and the direction of travel come after the counts, then the milestones at
    risk from a predecessor."""
    # Only a tree mixes kinds of scope in one table, so only a tree's rows say which is which.
    kind = {"scope_type": scope_type} if scope_type else {}
    return {
        **kind,
        "scope": scope,
        "name": name,
        "total": counts.total,
        "done": counts.done,
        "green": counts.green,
        "amber": counts.amber,
        "red": counts.red,
        "overdue": counts.overdue,
        "pct_complete": counts.pct_complete,
        "rag": counts.rag.value,
        "next_ref": counts.next_ref,
        "next_due": counts.next_due,
        "rag_previous": rag_previous,
        "trend": trend,
        "at_risk": counts.at_risk,
    }
