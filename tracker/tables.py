"""The tables of ``tracker.models`` as plain SQLAlchemy Core clauses, for reading.

Written by `make docs` from the models (tracker/tablegen.py); do not edit by hand. A test
keeps it current. Building the 32 SQLModel classes takes longer than everything else
``mou status`` does before it queries, and a read needs no mapped classes: the status page,
the quarterly report and the listings' queries read through these. Columns have the models'
types, so values read the same either way (dates as dates, vocabularies as their members).
"""

from __future__ import annotations

from enum import StrEnum

import sqlalchemy as sa

from tracker import enums, periods


def _vocabulary(members: type[StrEnum]) -> sa.Enum:
    return sa.Enum(
        members,
        native_enum=False,
        create_constraint=False,
        length=24,
        values_callable=lambda found: [member.value for member in found],
        validate_strings=True,
    )


action = sa.table(
    "action",
    sa.column("id", sa.Integer()),
    sa.column("version", sa.Integer()),
    sa.column("ref", sa.String()),
    sa.column("mou_id", sa.Integer()),
    sa.column("visit_id", sa.Integer()),
    sa.column("meeting_id", sa.Integer()),
    sa.column("text", sa.String()),
    sa.column("owner_id", sa.Integer()),
    sa.column("due", sa.Date()),
    sa.column("status", _vocabulary(enums.ActionStatus)),
    sa.column("completed", sa.Date()),
)

assumption = sa.table(
    "assumption",
    sa.column("id", sa.Integer()),
    sa.column("version", sa.Integer()),
    sa.column("ref", sa.String()),
    sa.column("mou_id", sa.Integer()),
    sa.column("text", sa.String()),
    sa.column("owner_id", sa.Integer()),
    sa.column("status", _vocabulary(enums.AssumptionStatus)),
    sa.column("review", sa.Date()),
)

audit_command = sa.table(
    "audit_command",
    sa.column("id", sa.Integer()),
    sa.column("at", sa.DateTime(timezone=False)),
    sa.column("actor", sa.String()),
    sa.column("command", sa.String()),
    sa.column("undoes", sa.Integer()),
    sa.column("redoes", sa.Integer()),
)

audit_entry = sa.table(
    "audit_entry",
    sa.column("id", sa.Integer()),
    sa.column("command_id", sa.Integer()),
    sa.column("kind", sa.String()),
    sa.column("ref", sa.String()),
    sa.column("action", sa.String()),
    sa.column("old", sa.Text()),
    sa.column("new", sa.Text()),
    sa.column("base", sa.Text()),
)

board_meeting = sa.table(
    "board_meeting",
    sa.column("id", sa.Integer()),
    sa.column("version", sa.Integer()),
    sa.column("ref", sa.String()),
    sa.column("mou_id", sa.Integer()),
    sa.column("title", sa.String()),
    sa.column("meeting_date", sa.Date()),
    sa.column("status", _vocabulary(enums.MeetingStatus)),
    sa.column("chair_id", sa.Integer()),
    sa.column("venue", sa.String()),
    sa.column("minutes", sa.String()),
    sa.column("decisions", sa.String()),
)

board_meeting_attendee = sa.table(
    "board_meeting_attendee",
    sa.column("board_meeting_id", sa.Integer()),
    sa.column("person_id", sa.Integer()),
)

commitment = sa.table(
    "commitment",
    sa.column("id", sa.Integer()),
    sa.column("version", sa.Integer()),
    sa.column("ref", sa.String()),
    sa.column("mou_id", sa.Integer()),
    sa.column("theme_id", sa.Integer()),
    sa.column("text", sa.String()),
    sa.column("lead_id", sa.Integer()),
)

institution = sa.table(
    "institution",
    sa.column("id", sa.Integer()),
    sa.column("version", sa.Integer()),
    sa.column("ref", sa.String()),
    sa.column("name", sa.String()),
    sa.column("kind", _vocabulary(enums.InstitutionKind)),
    sa.column("region", sa.String()),
)

issue = sa.table(
    "issue",
    sa.column("id", sa.Integer()),
    sa.column("version", sa.Integer()),
    sa.column("ref", sa.String()),
    sa.column("mou_id", sa.Integer()),
    sa.column("title", sa.String()),
    sa.column("owner_id", sa.Integer()),
    sa.column("raised", sa.Date()),
    sa.column("severity", _vocabulary(enums.IssueSeverity)),
    sa.column("status", _vocabulary(enums.IssueStatus)),
    sa.column("resolved", sa.Date()),
    sa.column("risk_id", sa.Integer()),
)

issued_report = sa.table(
    "issued_report",
    sa.column("id", sa.Integer()),
    sa.column("version", sa.Integer()),
    sa.column("ref", sa.String()),
    sa.column("mou_id", sa.Integer()),
    sa.column("quarter", sa.String()),
    sa.column("scheme", _vocabulary(periods.Scheme)),
    sa.column("as_of", sa.Date()),
    sa.column("issued_at", sa.DateTime(timezone=False)),
    sa.column("issued_by", sa.String()),
    sa.column("note", sa.String()),
    sa.column("content", sa.Text()),
)

kpi = sa.table(
    "kpi",
    sa.column("id", sa.Integer()),
    sa.column("version", sa.Integer()),
    sa.column("ref", sa.String()),
    sa.column("mou_id", sa.Integer()),
    sa.column("name", sa.String()),
    sa.column("unit", _vocabulary(enums.KpiUnit)),
    sa.column("direction", _vocabulary(enums.KpiDirection)),
    sa.column("theme_id", sa.Integer()),
    sa.column("institution_id", sa.Integer()),
    sa.column("baseline", sa.Double()),
    sa.column("cumulative", sa.Boolean()),
)

kpi_actual = sa.table(
    "kpi_actual",
    sa.column("kpi_id", sa.Integer()),
    sa.column("period", sa.String()),
    sa.column("value", sa.Double()),
    sa.column("note", sa.String()),
)

kpi_target = sa.table(
    "kpi_target",
    sa.column("kpi_id", sa.Integer()),
    sa.column("period", sa.String()),
    sa.column("value", sa.Double()),
)

milestone = sa.table(
    "milestone",
    sa.column("id", sa.Integer()),
    sa.column("version", sa.Integer()),
    sa.column("ref", sa.String()),
    sa.column("workstream_id", sa.Integer()),
    sa.column("title", sa.String()),
    sa.column("due", sa.Date()),
    sa.column("forecast", sa.Date()),
    sa.column("completed", sa.Date()),
    sa.column("status", _vocabulary(enums.MilestoneStatus)),
    sa.column("institution_id", sa.Integer()),
    sa.column("owner_id", sa.Integer()),
    sa.column("reported_rag", _vocabulary(enums.ReportedRag)),
    sa.column("reported_rag_reason", sa.String()),
)

milestone_baseline = sa.table(
    "milestone_baseline",
    sa.column("id", sa.Integer()),
    sa.column("milestone_id", sa.Integer()),
    sa.column("due", sa.Date()),
    sa.column("reason", sa.String()),
    sa.column("changed", sa.Date()),
)

milestone_dependency = sa.table(
    "milestone_dependency",
    sa.column("milestone_id", sa.Integer()),
    sa.column("depends_on_id", sa.Integer()),
)

mou = sa.table(
    "mou",
    sa.column("id", sa.Integer()),
    sa.column("version", sa.Integer()),
    sa.column("ref", sa.String()),
    sa.column("title", sa.String()),
    sa.column("status", _vocabulary(enums.MouStatus)),
    sa.column("signed", sa.Date()),
    sa.column("effective", sa.Date()),
    sa.column("expires", sa.Date()),
    sa.column("review", sa.Date()),
    sa.column("renewal_notice_months", sa.Integer()),
    sa.column("venue", sa.String()),
    sa.column("binding", sa.Boolean()),
    sa.column("owner_id", sa.Integer()),
)

note = sa.table(
    "note",
    sa.column("id", sa.Integer()),
    sa.column("version", sa.Integer()),
    sa.column("ref", sa.String()),
    sa.column("mou_id", sa.Integer()),
    sa.column("quarter", sa.String()),
    sa.column("theme_id", sa.Integer()),
    sa.column("workstream_id", sa.Integer()),
    sa.column("text", sa.String()),
)

party = sa.table(
    "party",
    sa.column("id", sa.Integer()),
    sa.column("version", sa.Integer()),
    sa.column("mou_id", sa.Integer()),
    sa.column("institution_id", sa.Integer()),
    sa.column("role", _vocabulary(enums.PartyRole)),
    sa.column("signatory_id", sa.Integer()),
    sa.column("signatory_title", sa.String()),
    sa.column("signed", sa.Date()),
)

person = sa.table(
    "person",
    sa.column("id", sa.Integer()),
    sa.column("version", sa.Integer()),
    sa.column("ref", sa.String()),
    sa.column("name", sa.String()),
    sa.column("role", sa.String()),
    sa.column("institution_id", sa.Integer()),
)

risk = sa.table(
    "risk",
    sa.column("id", sa.Integer()),
    sa.column("version", sa.Integer()),
    sa.column("ref", sa.String()),
    sa.column("mou_id", sa.Integer()),
    sa.column("title", sa.String()),
    sa.column("description", sa.String()),
    sa.column("theme_id", sa.Integer()),
    sa.column("workstream_id", sa.Integer()),
    sa.column("owner_id", sa.Integer()),
    sa.column("likelihood", sa.Integer()),
    sa.column("impact", sa.Integer()),
    sa.column("status", _vocabulary(enums.RiskStatus)),
    sa.column("response", _vocabulary(enums.RiskResponse)),
    sa.column("mitigation", sa.String()),
    sa.column("target", sa.Date()),
    sa.column("review", sa.Date()),
)

risk_score = sa.table(
    "risk_score",
    sa.column("id", sa.Integer()),
    sa.column("risk_id", sa.Integer()),
    sa.column("likelihood", sa.Integer()),
    sa.column("impact", sa.Integer()),
    sa.column("reason", sa.String()),
    sa.column("changed", sa.Date()),
)

setting = sa.table(
    "setting",
    sa.column("key", sa.String()),
    sa.column("value", sa.String()),
)

site = sa.table(
    "site",
    sa.column("id", sa.Integer()),
    sa.column("version", sa.Integer()),
    sa.column("ref", sa.String()),
    sa.column("name", sa.String()),
    sa.column("kind", _vocabulary(enums.SiteKind)),
    sa.column("parent_id", sa.Integer()),
    sa.column("operator_id", sa.Integer()),
    sa.column("location", sa.String()),
)

theme = sa.table(
    "theme",
    sa.column("id", sa.Integer()),
    sa.column("version", sa.Integer()),
    sa.column("ref", sa.String()),
    sa.column("mou_id", sa.Integer()),
    sa.column("name", sa.String()),
    sa.column("parent_id", sa.Integer()),
)

visit = sa.table(
    "visit",
    sa.column("id", sa.Integer()),
    sa.column("version", sa.Integer()),
    sa.column("ref", sa.String()),
    sa.column("mou_id", sa.Integer()),
    sa.column("title", sa.String()),
    sa.column("kind", _vocabulary(enums.VisitKind)),
    sa.column("start_date", sa.Date()),
    sa.column("end_date", sa.Date()),
    sa.column("host_id", sa.Integer()),
    sa.column("purpose", sa.String()),
    sa.column("outcomes", sa.String()),
    sa.column("status", _vocabulary(enums.VisitStatus)),
)

visit_attendee = sa.table(
    "visit_attendee",
    sa.column("visit_id", sa.Integer()),
    sa.column("person_id", sa.Integer()),
    sa.column("role", _vocabulary(enums.AttendeeRole)),
)

visit_site = sa.table(
    "visit_site",
    sa.column("visit_id", sa.Integer()),
    sa.column("site_id", sa.Integer()),
)

visit_theme = sa.table(
    "visit_theme",
    sa.column("visit_id", sa.Integer()),
    sa.column("theme_id", sa.Integer()),
)

workstream = sa.table(
    "workstream",
    sa.column("id", sa.Integer()),
    sa.column("version", sa.Integer()),
    sa.column("ref", sa.String()),
    sa.column("mou_id", sa.Integer()),
    sa.column("name", sa.String()),
    sa.column("theme_id", sa.Integer()),
    sa.column("lead_id", sa.Integer()),
    sa.column("owner_id", sa.Integer()),
    sa.column("status", _vocabulary(enums.WorkstreamStatus)),
)

workstream_commitment = sa.table(
    "workstream_commitment",
    sa.column("workstream_id", sa.Integer()),
    sa.column("commitment_id", sa.Integer()),
)

workstream_partner = sa.table(
    "workstream_partner",
    sa.column("workstream_id", sa.Integer()),
    sa.column("institution_id", sa.Integer()),
)

# Each model's table by the model's name, as tracker.kinds names them.
BY_MODEL: dict[str, sa.TableClause] = {
    "Action": action,
    "Assumption": assumption,
    "AuditCommand": audit_command,
    "AuditEntry": audit_entry,
    "BoardMeeting": board_meeting,
    "BoardMeetingAttendee": board_meeting_attendee,
    "Commitment": commitment,
    "Institution": institution,
    "Issue": issue,
    "IssuedReport": issued_report,
    "Kpi": kpi,
    "KpiActual": kpi_actual,
    "KpiTarget": kpi_target,
    "Milestone": milestone,
    "MilestoneBaseline": milestone_baseline,
    "MilestoneDependency": milestone_dependency,
    "Mou": mou,
    "Note": note,
    "Party": party,
    "Person": person,
    "Risk": risk,
    "RiskScore": risk_score,
    "Setting": setting,
    "Site": site,
    "Theme": theme,
    "Visit": visit,
    "VisitAttendee": visit_attendee,
    "VisitSite": visit_site,
    "VisitTheme": visit_theme,
    "Workstream": workstream,
    "WorkstreamCommitment": workstream_commitment,
    "WorkstreamPartner": workstream_partner,
}
