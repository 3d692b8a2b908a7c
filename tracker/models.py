"""The data model of an MoU programme (docs/rules.md, "The programme"), as SQLModel tables.

Institutions, people and sites are shared facts; themes, commitments, workstreams, milestones,
visits, board meetings and actions belong to one MoU, so a database can hold a portfolio of
several MoUs later without a redesign. Every kind with a ``ref`` stores it in upper case: refs
are case-insensitive on input, and a check constraint keeps that true whoever writes the row.

Vocabularies are stored as short strings with a named check constraint (not native enum types),
so the same migrations serve SQLite and PostgreSQL and adding a value is a plain migration.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, ClassVar, Protocol

import sqlalchemy as sa
from pydantic import ConfigDict
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel

from tracker.enums import (
    ActionStatus,
    AssumptionStatus,
    AttendeeRole,
    InstitutionKind,
    IssueSeverity,
    IssueStatus,
    KpiDirection,
    KpiUnit,
    MeetingStatus,
    MilestoneStatus,
    MouStatus,
    PartyRole,
    ReportedRag,
    RiskResponse,
    RiskStatus,
    SiteKind,
    VisitKind,
    VisitStatus,
    WorkstreamStatus,
)
from tracker.periods import Scheme
from tracker.text import NAME_MAX, TEXT_MAX

# Constraints need stable names, or later batch migrations on SQLite cannot find them.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

REF_LEN = 32


def _vocabulary(enum: type[StrEnum], name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(
        sa.Enum(
            enum,
            name=name,
            native_enum=False,
            create_constraint=True,
            length=24,
            values_callable=lambda members: [member.value for member in members],
            validate_strings=True,
        ),
        nullable=nullable,
    )


def _ref_checks(*extra: Any) -> tuple[Any, ...]:
    return (sa.CheckConstraint("ref = upper(ref)", name="ref_upper"), *extra)


def _fk(target: str, *, nullable: bool = False, ondelete: str | None = None) -> sa.Column[int]:
    return sa.Column(sa.ForeignKey(target, ondelete=ondelete), nullable=nullable, index=True)


class RowModel(Protocol):
    """What every model offers: its table, and rows made from column values."""

    __table__: ClassVar[sa.Table]

    def __init__(self, **values: Any) -> None: ...


class KindModel(RowModel, Protocol):
    """What every kind's model offers (``tracker.kinds`` names them): an id and a table.
    Other columns are reached through ``__table__.c`` or, for a ``RefKindModel``'s ref, with
    ``sqlmodel.col``, so queries stay typed."""

    __tablename__: ClassVar[Any]
    id: int | None


class RefKindModel(KindModel, Protocol):
    """The model of a kind whose records have a ref: every kind but the parties, which are
    known by their institution (``KindSpec.has_ref``)."""

    ref: str


class Table(SQLModel):
    """The base of every table. Pydantic's validators for a model are built when first used
    rather than when the class is made: mou builds its records through SQLAlchemy and never
    validates them with Pydantic, and building 32 validators was a sixth of a command's start."""

    # Pydantic merges this into the configuration SQLModel gives its models.
    model_config = ConfigDict(defer_build=True)  # type: ignore[assignment]


class EditableRecord(Table):
    """A record that people edit: an id, and a version raised by every change. An edit based
    on data read before someone else's change then fails instead of overwriting it (the write
    paths also lock the row first, so in mou's own commands this is the second line of
    defence)."""

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"}, nullable=False)

    @declared_attr  # type: ignore[arg-type]
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class RefRecord(EditableRecord):
    """An editable record with a short human ref, unique per kind and stored in upper case
    (refs are case-insensitive on input; a check constraint keeps that true whoever writes)."""

    ref: str = Field(max_length=REF_LEN, unique=True)


def _link_owner(target: str) -> sa.Column[int]:
    """The owning side of a link row (a workstream's partner): it goes with its owner."""
    return sa.Column(sa.ForeignKey(target, ondelete="CASCADE"), primary_key=True, nullable=False)


def _link_target(target: str) -> sa.Column[int]:
    """The other side of a link row: removing the target is refused while a link names it."""
    return sa.Column(sa.ForeignKey(target), primary_key=True, nullable=False, index=True)


class Institution(RefRecord, table=True):
    __tablename__ = "institution"
    __table_args__ = _ref_checks()

    name: str = Field(max_length=NAME_MAX)
    kind: InstitutionKind = Field(sa_column=_vocabulary(InstitutionKind, "kind"))
    region: str | None = Field(default=None, max_length=NAME_MAX)


class Person(RefRecord, table=True):
    __tablename__ = "person"
    __table_args__ = _ref_checks()

    name: str = Field(max_length=NAME_MAX)
    role: str | None = Field(default=None, max_length=NAME_MAX)
    institution_id: int = Field(sa_column=_fk("institution.id"))


class Mou(RefRecord, table=True):
    __tablename__ = "mou"
    __table_args__ = _ref_checks(
        sa.CheckConstraint(
            "expires IS NULL OR effective IS NULL OR expires >= effective", name="expires_after"
        ),
        sa.CheckConstraint(
            "renewal_notice_months IS NULL OR renewal_notice_months >= 0",
            name="renewal_notice_positive",
        ),
    )

    title: str = Field(max_length=NAME_MAX)
    status: MouStatus = Field(sa_column=_vocabulary(MouStatus, "status"))
    signed: dt.date | None = None
    effective: dt.date | None = None
    expires: dt.date | None = None
    review: dt.date | None = None
    renewal_notice_months: int | None = None
    venue: str | None = Field(default=None, max_length=NAME_MAX)
    binding: bool = False
    # Who answers for the MoU's own dates (review, renewal notice, expiry).
    owner_id: int | None = Field(sa_column=_fk("person.id", nullable=True))


class Party(EditableRecord, table=True):
    """An institution's place in an MoU, with its signatory as they were when signing."""

    __tablename__ = "party"
    __table_args__ = (sa.UniqueConstraint("mou_id", "institution_id", name="uq_party_member"),)

    mou_id: int = Field(sa_column=_fk("mou.id", ondelete="CASCADE"))
    institution_id: int = Field(sa_column=_fk("institution.id"))
    role: PartyRole = Field(sa_column=_vocabulary(PartyRole, "role"))
    signatory_id: int | None = Field(sa_column=_fk("person.id", nullable=True))
    # The title held when signing: people change jobs, the signature does not.
    signatory_title: str | None = Field(default=None, max_length=NAME_MAX)
    signed: dt.date | None = None


class Theme(RefRecord, table=True):
    __tablename__ = "theme"
    __table_args__ = _ref_checks(
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
    )

    mou_id: int = Field(sa_column=_fk("mou.id"))
    name: str = Field(max_length=NAME_MAX)
    parent_id: int | None = Field(sa_column=_fk("theme.id", nullable=True))


class Commitment(RefRecord, table=True):
    __tablename__ = "commitment"
    __table_args__ = _ref_checks()

    mou_id: int = Field(sa_column=_fk("mou.id"))
    theme_id: int = Field(sa_column=_fk("theme.id"))
    text: str = Field(max_length=TEXT_MAX)
    lead_id: int = Field(sa_column=_fk("institution.id"))


class Workstream(RefRecord, table=True):
    __tablename__ = "workstream"
    __table_args__ = _ref_checks()

    mou_id: int = Field(sa_column=_fk("mou.id"))
    name: str = Field(max_length=NAME_MAX)
    theme_id: int = Field(sa_column=_fk("theme.id"))
    lead_id: int = Field(sa_column=_fk("institution.id"))
    owner_id: int | None = Field(sa_column=_fk("person.id", nullable=True))
    status: WorkstreamStatus = Field(sa_column=_vocabulary(WorkstreamStatus, "status"))


class WorkstreamPartner(Table, table=True):
    __tablename__ = "workstream_partner"

    workstream_id: int = Field(sa_column=_link_owner("workstream.id"))
    institution_id: int = Field(sa_column=_link_target("institution.id"))


class WorkstreamCommitment(Table, table=True):
    __tablename__ = "workstream_commitment"

    workstream_id: int = Field(sa_column=_link_owner("workstream.id"))
    commitment_id: int = Field(sa_column=_link_target("commitment.id"))


class Milestone(RefRecord, table=True):
    __tablename__ = "milestone"
    __table_args__ = _ref_checks(
        # Completed is set exactly when the status is done.
        sa.CheckConstraint(
            "(status = 'done' AND completed IS NOT NULL)"
            " OR (status <> 'done' AND completed IS NULL)",
            name="completed_iff_done",
        ),
        # A reported RAG differs from the derived one only with a written reason.
        sa.CheckConstraint(
            "reported_rag IS NULL OR reported_rag_reason IS NOT NULL", name="rag_has_reason"
        ),
        # Lists filter on status and dates.
        sa.Index("ix_milestone_status_due", "status", "due"),
        # Status counts every milestone per (workstream, institution) cell: this index holds
        # every column those counts read, so they never visit the table (about 4x faster at
        # 100,000 milestones; see benchmarks/bench_status.py).
        sa.Index(
            "ix_milestone_cells",
            "workstream_id",
            "institution_id",
            "status",
            "due",
            "forecast",
            "completed",
            "ref",
        ),
    )

    workstream_id: int = Field(sa_column=_fk("workstream.id"))
    title: str = Field(max_length=NAME_MAX)
    due: dt.date
    forecast: dt.date | None = None
    completed: dt.date | None = None
    status: MilestoneStatus = Field(sa_column=_vocabulary(MilestoneStatus, "status"))
    institution_id: int = Field(sa_column=_fk("institution.id"))
    owner_id: int | None = Field(sa_column=_fk("person.id", nullable=True))
    reported_rag: ReportedRag | None = Field(
        sa_column=_vocabulary(ReportedRag, "reported_rag", nullable=True)
    )
    reported_rag_reason: str | None = Field(default=None, max_length=TEXT_MAX)


class MilestoneBaseline(Table, table=True):
    """A baseline (due date) that was replaced: re-baselining keeps its history."""

    __tablename__ = "milestone_baseline"

    id: int | None = Field(default=None, primary_key=True)
    milestone_id: int = Field(sa_column=_fk("milestone.id", ondelete="CASCADE"))
    due: dt.date
    reason: str = Field(max_length=TEXT_MAX)
    changed: dt.date


class MilestoneDependency(Table, table=True):
    """A milestone that cannot be met before another one: the dependant goes with its links,
    and a predecessor cannot be removed while a dependant names it."""

    __tablename__ = "milestone_dependency"
    __table_args__ = (sa.CheckConstraint("milestone_id <> depends_on_id", name="not_on_itself"),)

    milestone_id: int = Field(sa_column=_link_owner("milestone.id"))
    depends_on_id: int = Field(sa_column=_link_target("milestone.id"))


class Site(RefRecord, table=True):
    __tablename__ = "site"
    __table_args__ = _ref_checks(
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
    )

    name: str = Field(max_length=NAME_MAX)
    kind: SiteKind = Field(sa_column=_vocabulary(SiteKind, "kind"))
    parent_id: int | None = Field(sa_column=_fk("site.id", nullable=True))
    operator_id: int | None = Field(sa_column=_fk("institution.id", nullable=True))
    location: str | None = Field(default=None, max_length=NAME_MAX)


class Visit(RefRecord, table=True):
    __tablename__ = "visit"
    __table_args__ = _ref_checks(
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="ends_after_start"),
    )

    mou_id: int = Field(sa_column=_fk("mou.id"))
    title: str = Field(max_length=NAME_MAX)
    kind: VisitKind = Field(sa_column=_vocabulary(VisitKind, "kind"))
    start_date: dt.date = Field(index=True)
    end_date: dt.date | None = None
    host_id: int = Field(sa_column=_fk("institution.id"))
    purpose: str | None = Field(default=None, max_length=TEXT_MAX)
    outcomes: str | None = Field(default=None, max_length=TEXT_MAX)
    status: VisitStatus = Field(sa_column=_vocabulary(VisitStatus, "status"))


class VisitSite(Table, table=True):
    __tablename__ = "visit_site"

    visit_id: int = Field(sa_column=_link_owner("visit.id"))
    site_id: int = Field(sa_column=_link_target("site.id"))


class VisitAttendee(Table, table=True):
    __tablename__ = "visit_attendee"

    visit_id: int = Field(sa_column=_link_owner("visit.id"))
    person_id: int = Field(sa_column=_link_target("person.id"))
    role: AttendeeRole = Field(sa_column=_vocabulary(AttendeeRole, "role"))


class VisitTheme(Table, table=True):
    __tablename__ = "visit_theme"

    visit_id: int = Field(sa_column=_link_owner("visit.id"))
    theme_id: int = Field(sa_column=_link_target("theme.id"))


class BoardMeeting(RefRecord, table=True):
    """A meeting of the programme board or steering group: who met, where the minutes are,
    and (through ``Action.meeting_id``) the actions it agreed."""

    __tablename__ = "board_meeting"
    __table_args__ = _ref_checks()

    mou_id: int = Field(sa_column=_fk("mou.id"))
    title: str = Field(max_length=NAME_MAX)
    meeting_date: dt.date = Field(index=True)
    status: MeetingStatus = Field(sa_column=_vocabulary(MeetingStatus, "status"))
    chair_id: int | None = Field(sa_column=_fk("person.id", nullable=True))
    venue: str | None = Field(default=None, max_length=NAME_MAX)
    minutes: str | None = Field(default=None, max_length=NAME_MAX)
    decisions: str | None = Field(default=None, max_length=TEXT_MAX)


class BoardMeetingAttendee(Table, table=True):
    __tablename__ = "board_meeting_attendee"

    board_meeting_id: int = Field(sa_column=_link_owner("board_meeting.id"))
    person_id: int = Field(sa_column=_link_target("person.id"))


class Action(RefRecord, table=True):
    """A follow-up action: agreed at a visit or a board meeting, or standing alone."""

    __tablename__ = "action"
    __table_args__ = _ref_checks(
        sa.CheckConstraint(
            "(status = 'done' AND completed IS NOT NULL)"
            " OR (status <> 'done' AND completed IS NULL)",
            name="completed_iff_done",
        ),
        # An action follows one event at most: a visit or a board meeting, not both.
        sa.CheckConstraint("visit_id IS NULL OR meeting_id IS NULL", name="one_source"),
    )

    mou_id: int = Field(sa_column=_fk("mou.id"))
    visit_id: int | None = Field(sa_column=_fk("visit.id", nullable=True))
    meeting_id: int | None = Field(sa_column=_fk("board_meeting.id", nullable=True))
    text: str = Field(max_length=TEXT_MAX)
    owner_id: int | None = Field(sa_column=_fk("person.id", nullable=True))
    due: dt.date | None = None
    status: ActionStatus = Field(sa_column=_vocabulary(ActionStatus, "status"))
    completed: dt.date | None = None


class IssuedReport(RefRecord, table=True):
    """A quarterly report as it went to the board, frozen: its whole content (the report's
    JSON document), who issued it and when. Issuing a quarter again keeps the earlier issue."""

    __tablename__ = "issued_report"
    __table_args__ = _ref_checks()

    mou_id: int = Field(sa_column=_fk("mou.id"))
    quarter: str = Field(max_length=32)  # the period's label: FY2026/27 Q2
    scheme: Scheme = Field(sa_column=_vocabulary(Scheme, "scheme"))
    as_of: dt.date
    issued_at: dt.datetime = Field(sa_column=sa.Column(sa.DateTime(), nullable=False))
    issued_by: str = Field(max_length=64)
    note: str | None = Field(default=None, max_length=TEXT_MAX)
    content: str = Field(sa_column=sa.Column(sa.Text, nullable=False))


def _number(*, nullable: bool) -> sa.Column[float]:
    """Money, counts, FTE, percentages: a double, so whole pounds up to 10^15 are exact."""
    return sa.Column(sa.Double(), nullable=nullable)


def _scale(column: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"{column} BETWEEN 1 AND 5", name=f"{column}_scale")


class Risk(RefRecord, table=True):
    """Something that could go wrong, scored likelihood × impact on scales of 1 to 5."""

    __tablename__ = "risk"
    __table_args__ = _ref_checks(_scale("likelihood"), _scale("impact"))

    mou_id: int = Field(sa_column=_fk("mou.id"))
    title: str = Field(max_length=NAME_MAX)
    description: str | None = Field(default=None, max_length=TEXT_MAX)
    theme_id: int | None = Field(sa_column=_fk("theme.id", nullable=True))
    workstream_id: int | None = Field(sa_column=_fk("workstream.id", nullable=True))
    owner_id: int = Field(sa_column=_fk("person.id"))
    likelihood: int
    impact: int
    status: RiskStatus = Field(sa_column=_vocabulary(RiskStatus, "status"))
    response: RiskResponse | None = Field(
        sa_column=_vocabulary(RiskResponse, "response", nullable=True)
    )
    mitigation: str | None = Field(default=None, max_length=TEXT_MAX)
    target: dt.date | None = None
    review: dt.date | None = None


class RiskScore(Table, table=True):
    """A score that was replaced: re-scoring a risk keeps the old likelihood and impact."""

    __tablename__ = "risk_score"
    __table_args__ = (_scale("likelihood"), _scale("impact"))

    id: int | None = Field(default=None, primary_key=True)
    risk_id: int = Field(sa_column=_fk("risk.id", ondelete="CASCADE"))
    likelihood: int
    impact: int
    reason: str = Field(max_length=TEXT_MAX)
    changed: dt.date


class Issue(RefRecord, table=True):
    """Something that has gone wrong (perhaps a risk that occurred)."""

    __tablename__ = "issue"
    __table_args__ = _ref_checks(
        sa.CheckConstraint(
            "(status = 'resolved' AND resolved IS NOT NULL)"
            " OR (status <> 'resolved' AND resolved IS NULL)",
            name="resolved_iff_resolved",
        ),
        sa.CheckConstraint("resolved IS NULL OR resolved >= raised", name="resolved_after"),
    )

    mou_id: int = Field(sa_column=_fk("mou.id"))
    title: str = Field(max_length=NAME_MAX)
    owner_id: int = Field(sa_column=_fk("person.id"))
    raised: dt.date
    severity: IssueSeverity = Field(sa_column=_vocabulary(IssueSeverity, "severity"))
    status: IssueStatus = Field(sa_column=_vocabulary(IssueStatus, "status"))
    resolved: dt.date | None = None
    risk_id: int | None = Field(sa_column=_fk("risk.id", nullable=True))


class Assumption(RefRecord, table=True):
    """Something the plan takes for granted, reviewed until it breaks."""

    __tablename__ = "assumption"
    __table_args__ = _ref_checks()

    mou_id: int = Field(sa_column=_fk("mou.id"))
    text: str = Field(max_length=TEXT_MAX)
    owner_id: int = Field(sa_column=_fk("person.id"))
    status: AssumptionStatus = Field(sa_column=_vocabulary(AssumptionStatus, "status"))
    review: dt.date | None = None


class Kpi(RefRecord, table=True):
    """A measured output the MoU is meant to produce, with targets and actuals per period."""

    __tablename__ = "kpi"
    __table_args__ = _ref_checks()

    mou_id: int = Field(sa_column=_fk("mou.id"))
    name: str = Field(max_length=NAME_MAX)
    unit: KpiUnit = Field(sa_column=_vocabulary(KpiUnit, "unit"))
    direction: KpiDirection = Field(sa_column=_vocabulary(KpiDirection, "direction"))
    theme_id: int | None = Field(sa_column=_fk("theme.id", nullable=True))
    institution_id: int | None = Field(sa_column=_fk("institution.id", nullable=True))
    baseline: float | None = Field(sa_column=_number(nullable=True))
    cumulative: bool = False


class KpiTarget(Table, table=True):
    """A KPI's target for one reporting period (a quarter or a whole year)."""

    __tablename__ = "kpi_target"

    kpi_id: int = Field(sa_column=_link_owner("kpi.id"))
    period: str = Field(primary_key=True, max_length=32)
    value: float = Field(sa_column=_number(nullable=False))


class KpiActual(Table, table=True):
    """What a KPI measured in one reporting period, with a note on where the figure came from."""

    __tablename__ = "kpi_actual"

    kpi_id: int = Field(sa_column=_link_owner("kpi.id"))
    period: str = Field(primary_key=True, max_length=32)
    value: float = Field(sa_column=_number(nullable=False))
    note: str | None = Field(default=None, max_length=TEXT_MAX)


class Note(RefRecord, table=True):
    """The programme office's commentary for one quarter's report: on a theme, a workstream
    or (neither) the whole programme. At most one per scope and quarter (``tracker.kinds``);
    a note goes with its theme or workstream."""

    __tablename__ = "note"
    __table_args__ = _ref_checks(
        sa.CheckConstraint("theme_id IS NULL OR workstream_id IS NULL", name="one_scope"),
    )

    mou_id: int = Field(sa_column=_fk("mou.id"))
    quarter: str = Field(max_length=32)  # the quarter's label: FY2026/27 Q3
    theme_id: int | None = Field(sa_column=_fk("theme.id", nullable=True))
    workstream_id: int | None = Field(sa_column=_fk("workstream.id", nullable=True))
    text: str = Field(max_length=TEXT_MAX)


class Setting(Table, table=True):
    """A programme-office convention (docs/rules.md, "Settings"), stored with the data so
    that everyone sharing a database reports the same way."""

    __tablename__ = "setting"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=NAME_MAX)


class AuditCommand(Table, table=True):
    """One command that changed data: who, when (UTC), and the command line they typed (with
    any password in it replaced by ***)."""

    __tablename__ = "audit_command"

    id: int | None = Field(default=None, primary_key=True)
    # UTC, stored without a zone so both backends give back the same naive value; set as the
    # command commits, to the microsecond, so the order of times is the order of commits.
    at: dt.datetime = Field(sa_column=sa.Column(sa.DateTime(), nullable=False, index=True))
    actor: str = Field(max_length=64)
    command: str = Field(max_length=TEXT_MAX)
    # Set when this command reverted another (mou undo) or applied it again (mou redo).
    undoes: int | None = Field(
        sa_column=sa.Column(sa.ForeignKey("audit_command.id"), nullable=True, index=True)
    )
    redoes: int | None = Field(
        sa_column=sa.Column(sa.ForeignKey("audit_command.id"), nullable=True, index=True)
    )


class AuditEntry(Table, table=True):
    """One record's change: its fields before and after (JSON objects; the whole record when
    it was added or removed, the changed fields otherwise). An import also keeps, in ``base``,
    the record as the file gave it: the base of the next import's three-way merge."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        sa.CheckConstraint("action IN ('add', 'change', 'remove', 'base')", name="action"),
        sa.Index("ix_audit_entry_record", "kind", "ref"),
    )

    id: int | None = Field(default=None, primary_key=True)
    command_id: int = Field(sa_column=_fk("audit_command.id", ondelete="CASCADE"))
    kind: str = Field(max_length=32)  # the programme-file table: milestones, settings…
    ref: str = Field(max_length=64)
    action: str = Field(max_length=8)
    old: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    new: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    base: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
