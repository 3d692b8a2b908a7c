"""Small shared vocabularies.

Kept apart from the models so that the CLI can offer them (help, completion) without importing
SQLModel, which costs most of a second at start-up.
"""

from __future__ import annotations

from enum import StrEnum


class MouStatus(StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"
    ACTIVE = "active"
    UNDER_REVIEW = "under_review"
    RENEWED = "renewed"
    EXPIRED = "expired"
    TERMINATED = "terminated"


class InstitutionKind(StrEnum):
    UNIVERSITY = "university"
    COMBINED_AUTHORITY = "combined_authority"
    LOCAL_AUTHORITY = "local_authority"
    RESEARCH_COUNCIL = "research_council"
    NATIONAL_FACILITY = "national_facility"
    COMPANY = "company"
    OTHER = "other"


class PartyRole(StrEnum):
    SIGNATORY = "signatory"
    PARTNER = "partner"
    HOST = "host"
    FUNDER = "funder"
    OBSERVER = "observer"


class WorkstreamStatus(StrEnum):
    PLANNED = "planned"
    LIVE = "live"
    FINISHED = "finished"
    CLOSED_EARLY = "closed_early"
    ON_HOLD = "on_hold"
    CANCELLED = "cancelled"


class MilestoneStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class Rag(StrEnum):
    """Derived and rolled-up RAG values (docs/rules.md, "RAG")."""

    GREEN = "GREEN"
    AMBER = "AMBER"
    RED = "RED"
    COMPLETE = "COMPLETE"
    NOT_APPLICABLE = "N/A"
    NOT_STARTED = "NOT_STARTED"


class ReportedRag(StrEnum):
    """What a human may record beside the derived RAG, always with a reason."""

    GREEN = "GREEN"
    AMBER = "AMBER"
    RED = "RED"


class SiteKind(StrEnum):
    CAMPUS = "campus"
    FACILITY = "facility"
    LABORATORY = "laboratory"
    VENUE = "venue"
    OFFICE = "office"
    OTHER = "other"


class VisitKind(StrEnum):
    SITE_VISIT = "site_visit"
    DELEGATION = "delegation"
    SIGNING = "signing"
    WORKSHOP = "workshop"
    MEETING = "meeting"
    OTHER = "other"


class VisitStatus(StrEnum):
    PLANNED = "planned"
    CONFIRMED = "confirmed"
    COMPLETED = "completed"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"


class AttendeeRole(StrEnum):
    HOST = "host"
    DELEGATE = "delegate"
    SIGNATORY = "signatory"
    SPEAKER = "speaker"
    OBSERVER = "observer"


class MeetingStatus(StrEnum):
    """A board or steering-group meeting: planned, held, moved to a date not yet set, or
    called off."""

    PLANNED = "planned"
    HELD = "held"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"


class ActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class RiskStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    OCCURRED = "occurred"  # it happened: usually an issue is raised from it


class RiskResponse(StrEnum):
    AVOID = "avoid"
    REDUCE = "reduce"
    TRANSFER = "transfer"
    ACCEPT = "accept"


class IssueSeverity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class IssueStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class AssumptionStatus(StrEnum):
    HOLDING = "holding"
    BROKEN = "broken"


class KpiUnit(StrEnum):
    """What a KPI counts. Money and counts add up over periods; FTE and percentages are levels."""

    GBP = "GBP"
    COUNT = "count"
    FTE = "FTE"
    PERCENT = "percent"


class KpiDirection(StrEnum):
    HIGHER = "higher"  # more is better: co-investment, joint bids
    LOWER = "lower"  # less is better: days to sign a data-sharing agreement


class ItemKind(StrEnum):
    """What a row of the look-ahead is; the order is the order of rows on the same day."""

    MOU = "mou"
    MILESTONE = "milestone"
    ACTION = "action"
    MEETING = "meeting"
    VISIT = "visit"


class ScopeKind(StrEnum):
    THEME = "theme"
    INSTITUTION = "institution"
    WORKSTREAM = "workstream"
    COMMITMENT = "commitment"
    TREE = "tree"  # themes, their sub-themes and workstreams, nested


class Prefer(StrEnum):
    """Which side an import takes where the file and the database changed the same field."""

    FILE = "file"
    DATABASE = "database"


def choices(enum: type[StrEnum]) -> str:
    """The accepted values of a vocabulary, as a user reads them in an error message."""
    return ", ".join(member.value for member in enum)
