"""Each kind of record, described once: its fields in a programme file and on the command
line, where they are stored, how a record belongs to the MoU, the rules between its fields,
its defaults, and how the command line offers it (help panel, example commands).

The importer, the exporter, the commands that add, edit, list and show records, undo and the
reconstruction of the past all work from these descriptions, so adding a plain kind of record
is a model, a migration and one ``KindSpec`` here. This module does not import SQLModel (the
CLI builds its commands from it at start-up); models are named here and resolved on use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, Any

from tracker import rules
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
from tracker.fields import FieldSpec, FieldType, RowsSpec
from tracker.periods import Scheme, months_of
from tracker.rules import DaysLate, Default, Lookup, Problem, Record, Rule

if TYPE_CHECKING:
    from tracker.models import KindModel, RefKindModel

T = FieldType


class Scope(StrEnum):
    """How a kind's records relate to the MoU."""

    SHARED = "shared"  # facts any MoU may use: institutions, people, sites
    MOU = "mou"  # the MoU itself
    OWN = "own"  # each record carries its MoU's id
    VIA = "via"  # through the record a REF field names (a milestone through its workstream)


@dataclass(frozen=True)
class Commands:
    """The generic commands the CLI builds for a kind (milestones have their own add and
    update, the MoU is only updated), with one example command line each for the help."""

    add: str | None = None
    update: str | None = None
    remove: str | None = None


@dataclass(frozen=True)
class History:
    """Fields whose earlier values are kept: when one changes, the values it replaced are added
    to the list field ``into`` with a reason and the date (a milestone's re-baselines). The
    list's columns are the tracked fields, then ``reason`` and ``changed``."""

    tracked: tuple[str, ...]
    into: str
    label: str  # what the tracked fields are called in a reason: "due date"
    # How a confirmation reports a new entry; {reason} and each tracked field (its old value).
    said: str = "{reason}"
    heading: str = "History"  # the title of the list in `mou show`

    def moved(self, before: Record, after: Record) -> bool:
        return any(before.get(name) != after.get(name) for name in self.tracked)

    def entry(self, before: Record, reason: str, changed: Any) -> tuple[Any, ...]:
        """The history entry recording the values ``before`` held."""
        return (*(before.get(name) for name in self.tracked), reason, changed)


@dataclass(frozen=True)
class Derived:
    """A value a record does not store but every listing shows: worked out from its fields and
    the settings in force (a risk's score and band). ``kind`` says how a table shows it."""

    key: str
    compute: Callable[[Record, Mapping[str, str]], Any]
    kind: str = "number"  # a column kind of the renderer: number, rag, ref, text
    after: str | None = None  # the field (or derived value) it is shown after; default: last


@dataclass(frozen=True)
class Unique:
    """Fields whose values together may name at most one record of a kind in an MoU (one
    commentary note per scope and quarter). Every write path checks it: the commands, an
    import (against the merged records) and undo. ``says`` names the values in a refusal:
    'theme CLIM in FY2026/27 Q3'."""

    fields: tuple[str, ...]
    says: Callable[[Record], str]
    # Where equal values are not the same text: a field's value as compared (a quarter's
    # label under two reporting schemes names the same months).
    compared: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)

    def values(self, record: Record) -> tuple[Any, ...]:
        return tuple(
            self.compared[name](record.get(name)) if name in self.compared else record.get(name)
            for name in self.fields
        )


@dataclass(frozen=True)
class KindSpec:
    table: str  # the programme-file table: "milestones"
    noun: str  # one record: "milestone"
    model_name: str  # the class in tracker.models
    fields: tuple[FieldSpec, ...]
    panel: str  # the help panel of its commands
    commands: Commands = field(default_factory=Commands)
    scope: Scope = Scope.SHARED
    via: str | None = None  # Scope.VIA: the REF field leading to the record that has the MoU
    key_field: str = "ref"  # what identifies a record: its ref, or (a party) a REF field
    ref_prefix: str = ""  # generated refs look like this prefix and a number: MS-07
    parent: str | None = None  # the REF field that nests records of this kind in a tree
    defaults: tuple[Default, ...] = ()
    rules: tuple[Rule, ...] = ()
    plural: str = ""  # the noun for several records, when not noun + "s"
    history: History | None = None
    # Written once and never edited (an issued report): the board's record of the programme,
    # not a change to it.
    frozen: bool = False
    derived: tuple[Derived, ...] = ()
    # REF fields naming the record this one follows up: ``show`` of that record lists these
    # records with their state (a visit's or a board meeting's actions).
    shown_under: tuple[str, ...] = ()
    # How many days a record is overdue as of a date (None: it is not).
    days_late: DaysLate | None = None
    unique: Unique | None = None
    # The progress table a record of this kind heads a row of ("theme", "workstream",
    # "institution"), or "programme" for the MoU: `mou show` gives its RAG, trend and counts
    # (and, for a scope, its milestones) as of the date asked.
    progress: str | None = None

    @property
    def has_ref(self) -> bool:
        return self.key_field == "ref"

    @property
    def in_mou(self) -> bool:
        """Whether its records carry the id of their MoU."""
        return self.scope is Scope.OWN

    @property
    def command_noun(self) -> str:
        """The noun in command names: add-milestone, update-mou."""
        return self.noun.lower().replace(" ", "-")

    @property
    def article(self) -> str:
        return "an" if self.noun[0].lower() in "aeiou" else "a"

    @property
    def nouns(self) -> str:
        return self.plural or f"{self.noun}s"

    @property
    def model(self) -> type[KindModel]:
        model: type[KindModel] = _model(self.model_name)
        return model

    @property
    def ref_model(self) -> type[RefKindModel]:
        """``model``, for a kind whose records have a ref: its ``ref`` column is typed."""
        assert self.has_ref, f"{self.table} records have no ref"
        model: type[RefKindModel] = _model(self.model_name)
        return model

    def field(self, key: str) -> FieldSpec:
        for spec in self.fields:
            if spec.key == key:
                return spec
        raise KeyError(key)

    @cached_property
    def keys(self) -> tuple[str, ...]:
        """Every key a programme file's record may hold, its key first."""
        return (("ref",) if self.has_ref else ()) + tuple(spec.key for spec in self.fields)

    @property
    def primary(self) -> FieldSpec:
        """The field an add command takes as its argument: the name, title or text (a party:
        its institution)."""
        if not self.has_ref:
            return self.field(self.key_field)
        return next(
            spec
            for spec in self.fields
            if spec.required and spec.field_type in (T.TEXT, T.LONG_TEXT)
        )

    @cached_property
    def ref_fields(self) -> tuple[FieldSpec, ...]:
        """The fields whose values name other records (a REF, REFS, or entries with a ref)."""
        return tuple(
            spec
            for spec in self.fields
            if spec.field_type in (T.REF, T.REFS)
            or (spec.rows is not None and any(c.field_type is T.REF for c in spec.rows.columns))
        )

    @cached_property
    def list_fields(self) -> tuple[FieldSpec, ...]:
        return tuple(spec for spec in self.fields if spec.is_list)

    def fill_defaults(self, record: Record, lookup: Lookup) -> None:
        """Defaults that depend on other fields or records, then empty lists."""
        for default in self.defaults:
            default(record, lookup)
        for spec in self.list_fields:
            record[spec.key] = record.get(spec.key) or []

    def problems(self, record: Record, lookup: Lookup, key: str | None = None) -> list[Problem]:
        """Broken rules between fields of one record, as (field, message) pairs. ``key`` is
        the record's own ref, which rules that follow other records see as ``ref``."""
        subject = {**record, "ref": key} if key is not None and self.has_ref else record
        return [problem for rule in self.rules for problem in rule(subject, lookup)]

    def clash(self, key: str, record: Record, others: Mapping[str, Record]) -> Problem | None:
        """The problem when another record (of ``others``, keyed) has the values ``unique``
        says only one record may have."""
        if self.unique is None:
            return None
        wanted = self.unique.values(record)
        for other_key, other in sorted(others.items()):
            if other_key != key and self.unique.values(other) == wanted:
                return self.taken(record, other_key)
        return None

    def taken(self, record: Record, other_key: str) -> Problem:
        """'quarter: theme CLIM in FY2026/27 Q3 already has a note: N03'."""
        assert self.unique is not None
        says = f"{self.unique.says(record)} already has {self.article} {self.noun}"
        return (self.unique.fields[0], f"{says}: {other_key}")

    def derive(self, record: Record, settings: Mapping[str, str]) -> dict[str, Any]:
        """The record's derived values, in the kind's order."""
        return {item.key: item.compute(record, settings) for item in self.derived}


def _f(key: str, type_: FieldType, **kwargs: Any) -> FieldSpec:
    return FieldSpec(key, type_, **kwargs)


def _refs(key: str, target: str, model: str, owner: str, column: str) -> FieldSpec:
    """A set of refs kept in a link table: (owner id, target id) rows."""
    link = RowsSpec(model, owner, (_f(key, T.REF, required=True, target=target, column=column),))
    return _f(key, T.REFS, target=target, rows=link)


MOU = KindSpec(
    "mou",
    "MoU",
    "Mou",
    (
        _f("title", T.TEXT, required=True),
        _f("status", T.CHOICE, vocabulary=MouStatus),
        _f("signed", T.DATE),
        _f("effective", T.DATE),
        _f("expires", T.DATE),
        _f("review", T.DATE),
        _f("renewal_notice_months", T.INT, bounds=(0, 120)),
        _f("venue", T.TEXT),
        _f("binding", T.BOOL, default=False),
        _f(
            "owner",
            T.REF,
            target="people",
            help="Person who answers for the MoU's review, renewal notice and expiry dates",
        ),
    ),
    panel="Programme",
    commands=Commands(update="mou update-mou OXF-LIV-2026 --review 2027-02-19"),
    scope=Scope.MOU,
    progress="programme",
    defaults=(rules.status_from_signed(MouStatus.ACTIVE, MouStatus.DRAFT),),
    rules=(rules.not_before("expires", "effective"),),
    plural="MoUs",
)
INSTITUTIONS = KindSpec(
    "institutions",
    "institution",
    "Institution",
    (
        _f("name", T.TEXT, required=True),
        _f("kind", T.CHOICE, required=True, vocabulary=InstitutionKind),
        _f("region", T.TEXT),
    ),
    panel="People and places",
    commands=Commands(
        'mou add-institution "University of Manchester" --ref MAN --kind university',
        'mou update-institution MAN --region "Greater Manchester"',
        "mou remove-institution MAN",
    ),
    ref_prefix="I",
    progress="institution",
)
PEOPLE = KindSpec(
    "people",
    "person",
    "Person",
    (
        _f("name", T.TEXT, required=True),
        _f("role", T.TEXT),
        _f("institution", T.REF, required=True, target="institutions"),
    ),
    panel="People and places",
    commands=Commands(
        'mou add-person "Dr Asha Patel" --ref AP --institution LIV --role "Programme lead"',
        'mou update-person AP --role "Director of partnerships"',
        "mou remove-person AP",
    ),
    ref_prefix="P",
    plural="people",
)
SITES = KindSpec(
    "sites",
    "site",
    "Site",
    (
        _f("name", T.TEXT, required=True),
        _f("kind", T.CHOICE, vocabulary=SiteKind, default=SiteKind.OTHER),
        _f("parent", T.REF, target="sites"),
        _f("operator", T.REF, target="institutions"),
        _f("location", T.TEXT),
    ),
    panel="People and places",
    commands=Commands(
        'mou add-site "Sci-Tech Daresbury" --kind campus --location "Halton, Cheshire"',
        "mou update-site S05 --operator STFC",
        "mou remove-site S05",
    ),
    ref_prefix="S",
    parent="parent",
)
PARTIES = KindSpec(
    "parties",
    "party",
    "Party",
    (
        _f("institution", T.REF, required=True, target="institutions"),
        _f("role", T.CHOICE, required=True, vocabulary=PartyRole),
        _f("signatory", T.REF, target="people"),
        _f("signatory_title", T.TEXT),
        _f("signed", T.DATE),
    ),
    panel="Programme",
    commands=Commands(
        "mou add-party MAN --role partner",
        "mou update-party MAN --role observer",
        "mou remove-party MAN",
    ),
    scope=Scope.OWN,
    key_field="institution",
    defaults=(rules.copied_from("signatory_title", "signatory", "people", "role"),),
    rules=(rules.needs("signatory", when="signed"),),
    plural="parties",
)
THEMES = KindSpec(
    "themes",
    "theme",
    "Theme",
    (
        _f("name", T.TEXT, required=True),
        _f("parent", T.REF, target="themes"),
    ),
    panel="Programme",
    commands=Commands(
        'mou add-theme "Quantum technologies" --ref QUANT --parent CHEM',
        'mou update-theme QUANT --name "Quantum materials"',
        "mou remove-theme QUANT",
    ),
    scope=Scope.OWN,
    ref_prefix="T",
    parent="parent",
    progress="theme",
)
COMMITMENTS = KindSpec(
    "commitments",
    "commitment",
    "Commitment",
    (
        _f("theme", T.REF, required=True, target="themes"),
        _f("text", T.LONG_TEXT, required=True),
        _f("lead", T.REF, required=True, target="institutions"),
    ),
    panel="Programme",
    commands=Commands(
        'mou add-commitment "Share access to national facilities" --theme CHEM --lead LIV',
        "mou update-commitment C13 --lead OXF",
        "mou remove-commitment C13",
    ),
    scope=Scope.OWN,
    ref_prefix="C",
)
WORKSTREAMS = KindSpec(
    "workstreams",
    "workstream",
    "Workstream",
    (
        _f("name", T.TEXT, required=True),
        _f("theme", T.REF, required=True, target="themes"),
        _f("lead", T.REF, required=True, target="institutions"),
        _refs("partners", "institutions", "WorkstreamPartner", "workstream_id", "institution_id"),
        _f("owner", T.REF, target="people"),
        _refs(
            "commitments", "commitments", "WorkstreamCommitment", "workstream_id", "commitment_id"
        ),
        _f("status", T.CHOICE, vocabulary=WorkstreamStatus, default=WorkstreamStatus.PLANNED),
    ),
    panel="Programme",
    commands=Commands(
        'mou add-workstream "Battery materials" --theme CHEM --lead LIV --partners OXF,OCC',
        "mou update-workstream WS10 --status live --owner AP",
        "mou remove-workstream WS10 --cascade",
    ),
    scope=Scope.OWN,
    ref_prefix="WS",
    rules=(rules.not_among("lead", "partners"),),
    progress="workstream",
)
MILESTONES = KindSpec(
    "milestones",
    "milestone",
    "Milestone",
    (
        _f("workstream", T.REF, required=True, target="workstreams"),
        _f("title", T.TEXT, required=True),
        _f("due", T.DATE, required=True),
        _f("forecast", T.DATE),
        _f("completed", T.DATE, happened=True),
        _f("status", T.CHOICE, vocabulary=MilestoneStatus),
        _f("institution", T.REF, target="institutions"),
        _f("owner", T.REF, target="people"),
        _refs("depends_on", "milestones", "MilestoneDependency", "milestone_id", "depends_on_id"),
        _f("reported_rag", T.CHOICE, vocabulary=ReportedRag),
        _f("reported_rag_reason", T.LONG_TEXT),
        _f(
            "rebaselines",
            T.ROWS,
            rows=RowsSpec(
                "MilestoneBaseline",
                "milestone_id",
                (
                    _f("due", T.DATE, required=True),
                    _f("reason", T.LONG_TEXT, required=True),
                    _f("changed", T.DATE, required=True),
                ),
            ),
        ),
    ),
    panel="Milestones",
    commands=Commands(remove="mou remove-milestone MS-23"),
    history=History(
        ("due",),
        "rebaselines",
        "due date",
        "re-baselined: was due {due}; reason: {reason}",
        heading="Re-baselines",
    ),
    scope=Scope.VIA,
    via="workstream",
    ref_prefix="MS-",
    defaults=(
        rules.status_from_completed(MilestoneStatus.DONE, MilestoneStatus.PLANNED),
        rules.copied_from("institution", "workstream", "workstreams", "lead"),
    ),
    rules=(
        rules.completed_iff_done(MilestoneStatus.DONE),
        rules.needs("reported_rag_reason", when="reported_rag", says="required with reported_rag"),
        rules.no_cycle("depends_on", "milestones"),
    ),
)
VISITS = KindSpec(
    "visits",
    "visit",
    "Visit",
    (
        _f("title", T.TEXT, required=True),
        _f("kind", T.CHOICE, vocabulary=VisitKind, default=VisitKind.SITE_VISIT),
        _f("date", T.DATE, required=True, column="start_date"),
        _f("end", T.DATE, column="end_date"),
        _refs("sites", "sites", "VisitSite", "visit_id", "site_id"),
        _f("host", T.REF, required=True, target="institutions"),
        _f(
            "attendees",
            T.ROWS,
            help="People and their roles (host, delegate, signatory, speaker, observer), "
            "e.g. IT:signatory,TJ",
            rows=RowsSpec(
                "VisitAttendee",
                "visit_id",
                (
                    _f("person", T.REF, required=True, target="people", column="person_id"),
                    _f("role", T.CHOICE, vocabulary=AttendeeRole, default=AttendeeRole.DELEGATE),
                ),
                key="person",
            ),
        ),
        _f("purpose", T.LONG_TEXT),
        _f("outcomes", T.LONG_TEXT),
        _refs("themes", "themes", "VisitTheme", "visit_id", "theme_id"),
        _f("status", T.CHOICE, vocabulary=VisitStatus, default=VisitStatus.PLANNED),
    ),
    panel="Visits",
    commands=Commands(
        'mou add-visit "Daresbury delegation" --date 21/01/2027 --host LIV --sites DARESBURY '
        "--attendees IT:delegate,TJ:host",
        'mou update-visit V05 --status completed --outcomes "Agreed a joint bid"',
        "mou remove-visit V05 --cascade",
    ),
    scope=Scope.OWN,
    ref_prefix="V",
    rules=(rules.not_before("end", "date"),),
)
BOARD_MEETINGS = KindSpec(
    "board_meetings",
    "board meeting",
    "BoardMeeting",
    (
        _f("title", T.TEXT, required=True),
        _f("date", T.DATE, required=True, column="meeting_date"),
        _f("status", T.CHOICE, vocabulary=MeetingStatus, default=MeetingStatus.PLANNED),
        _f("chair", T.REF, target="people"),
        _refs("attendees", "people", "BoardMeetingAttendee", "board_meeting_id", "person_id"),
        _f("venue", T.TEXT),
        _f(
            "minutes",
            T.TEXT,
            help="Where the minutes are: a reference such as PB/2026/03, or a link",
        ),
        _f("decisions", T.LONG_TEXT),
    ),
    panel="Meetings and actions",
    commands=Commands(
        'mou add-board-meeting "Programme board" --date 10/12/2026 --chair MORLEY '
        "--attendees VARGHESE,MOLYNEUX",
        'mou update-board-meeting BM03 --status held --minutes "PB/2026/03"',
        "mou remove-board-meeting BM03 --cascade",
    ),
    scope=Scope.OWN,
    ref_prefix="BM",
)
ACTIONS = KindSpec(
    "actions",
    "action",
    "Action",
    (
        _f("visit", T.REF, target="visits", help="The visit it follows up, if any"),
        _f(
            "meeting",
            T.REF,
            target="board_meetings",
            help="The board meeting that agreed it, if any",
        ),
        _f("text", T.LONG_TEXT, required=True),
        _f("owner", T.REF, target="people"),
        _f("due", T.DATE),
        _f("status", T.CHOICE, vocabulary=ActionStatus),
        _f("completed", T.DATE, happened=True),
    ),
    panel="Meetings and actions",
    commands=Commands(
        'mou add-action "Circulate the visit note" --visit V02 --owner AP --due +2w',
        "mou update-action A07 --status done --completed today",
        "mou remove-action A07",
    ),
    scope=Scope.OWN,
    ref_prefix="A",
    shown_under=("visit", "meeting"),
    days_late=rules.days_late("due", "completed", closed=(ActionStatus.CANCELLED,)),
    defaults=(rules.status_from_completed(ActionStatus.DONE, ActionStatus.OPEN),),
    rules=(
        rules.completed_iff_done(ActionStatus.DONE),
        rules.at_most_one_of(
            ("visit", "meeting"), says="an action follows a visit or a board meeting, not both"
        ),
        rules.not_before_linked("due", "visit", "visits", "date"),
        rules.not_before_linked("due", "meeting", "board_meetings", "date"),
    ),
)

ISSUED_REPORTS = KindSpec(
    "issued_reports",
    "issued report",
    "IssuedReport",
    (
        _f("quarter", T.TEXT, required=True),
        _f("scheme", T.CHOICE, required=True, vocabulary=Scheme),
        _f("as_of", T.DATE, required=True),
        _f("issued_at", T.DATETIME, required=True),
        _f("issued_by", T.TEXT, required=True),
        _f("note", T.LONG_TEXT),
        _f("content", T.DOCUMENT, required=True),
    ),
    panel="Reporting",  # issued with mou report issue; never edited
    scope=Scope.OWN,
    frozen=True,
)


def _risk_score(record: Mapping[str, Any], settings: Mapping[str, str]) -> int | None:
    # Scoring (with its decimal arithmetic) is imported when a risk is first scored, not
    # whenever a command starts.
    from tracker.scoring import score_of

    return score_of(record, settings)


def _risk_band(record: Mapping[str, Any], settings: Mapping[str, str]) -> str | None:
    from tracker.scoring import band_of

    return band_of(record, settings)


RISKS = KindSpec(
    "risks",
    "risk",
    "Risk",
    (
        _f("title", T.TEXT, required=True),
        _f("description", T.LONG_TEXT),
        _f("theme", T.REF, target="themes"),
        _f("workstream", T.REF, target="workstreams"),
        _f("owner", T.REF, required=True, target="people"),
        _f("likelihood", T.INT, required=True, bounds=(1, 5)),
        _f("impact", T.INT, required=True, bounds=(1, 5)),
        _f("status", T.CHOICE, required=True, vocabulary=RiskStatus, default=RiskStatus.OPEN),
        _f("response", T.CHOICE, vocabulary=RiskResponse),
        _f("mitigation", T.LONG_TEXT),
        _f("target", T.DATE, help="Date by which the mitigation should bring the risk down"),
        _f("review", T.DATE, help="Next review date"),
        _f(
            "score_history",
            T.ROWS,
            rows=RowsSpec(
                "RiskScore",
                "risk_id",
                (
                    _f("likelihood", T.INT, required=True, bounds=(1, 5)),
                    _f("impact", T.INT, required=True, bounds=(1, 5)),
                    _f("reason", T.LONG_TEXT, required=True),
                    _f("changed", T.DATE, required=True),
                ),
            ),
        ),
    ),
    panel="Risks, issues and KPIs",
    commands=Commands(
        'mou add-risk "Beamtime allocation falls short" --owner CADDICK --likelihood 3 '
        "--impact 4 --workstream WS01",
        'mou update-risk R01 --likelihood 2 --reason "Diamond confirmed the allocation"',
        "mou remove-risk R09",
    ),
    scope=Scope.OWN,
    ref_prefix="R",
    history=History(
        ("likelihood", "impact"),
        "score_history",
        "score",
        "re-scored: was likelihood {likelihood}, impact {impact}; reason: {reason}",
        heading="Earlier scores",
    ),
    derived=(
        Derived("score", _risk_score, after="impact"),
        Derived("band", _risk_band, "rag", after="score"),
    ),
)
ISSUES = KindSpec(
    "issues",
    "issue",
    "Issue",
    (
        _f("title", T.TEXT, required=True),
        _f("owner", T.REF, required=True, target="people"),
        _f("raised", T.DATE, required=True, happened=True),
        _f("severity", T.CHOICE, required=True, vocabulary=IssueSeverity),
        _f("status", T.CHOICE, required=True, vocabulary=IssueStatus, default=IssueStatus.OPEN),
        _f("resolved", T.DATE, happened=True),
        _f("risk", T.REF, target="risks", help="Ref of the risk it came from"),
    ),
    panel="Risks, issues and KPIs",
    commands=Commands(
        'mou add-issue "Ethics approval delayed at the second pilot site" --owner WIERZBICKI '
        "--raised today --severity high --risk R04",
        "mou update-issue ISS-04 --status resolved --resolved today",
        "mou remove-issue ISS-04",
    ),
    scope=Scope.OWN,
    ref_prefix="ISS-",
    rules=(
        rules.completed_iff_done(IssueStatus.RESOLVED, field="resolved"),
        rules.not_before("resolved", "raised"),
    ),
)
ASSUMPTIONS = KindSpec(
    "assumptions",
    "assumption",
    "Assumption",
    (
        _f("text", T.LONG_TEXT, required=True),
        _f("owner", T.REF, required=True, target="people"),
        _f(
            "status",
            T.CHOICE,
            required=True,
            vocabulary=AssumptionStatus,
            default=AssumptionStatus.HOLDING,
        ),
        _f("review", T.DATE, help="Next review date"),
    ),
    panel="Risks, issues and KPIs",
    commands=Commands(
        'mou add-assumption "Both universities keep match funding at 2026/27 levels" '
        "--owner MORLEY --review 2027-03-31",
        "mou update-assumption AS04 --status broken",
        "mou remove-assumption AS04",
    ),
    scope=Scope.OWN,
    ref_prefix="AS",
)
KPIS = KindSpec(
    "kpis",
    "KPI",
    "Kpi",
    (
        _f("name", T.TEXT, required=True),
        _f("unit", T.CHOICE, required=True, vocabulary=KpiUnit),
        _f(
            "direction",
            T.CHOICE,
            required=True,
            vocabulary=KpiDirection,
            default=KpiDirection.HIGHER,
            help="Whether higher or lower values are better",
        ),
        _f("theme", T.REF, target="themes"),
        _f("institution", T.REF, target="institutions"),
        _f("baseline", T.NUMBER, help="The value before the MoU (1200000, 2.5)"),
        _f(
            "cumulative",
            T.BOOL,
            default=False,
            help="Compare the running total with the running target",
        ),
        _f(
            "targets",
            T.ROWS,
            help="Targets per period, e.g. 'FY2026/27:12,FY2026/27 Q3:3'",
            rows=RowsSpec(
                "KpiTarget",
                "kpi_id",
                (
                    _f("period", T.PERIOD, required=True),
                    _f("value", T.NUMBER, required=True),
                ),
                key="period",
            ),
        ),
        _f(
            "actuals",
            T.ROWS,
            help="Actuals per period, e.g. 'FY2026/27 Q2:4' (notes: mou record-kpi)",
            rows=RowsSpec(
                "KpiActual",
                "kpi_id",
                (
                    _f("period", T.PERIOD, required=True),
                    _f("value", T.NUMBER, required=True),
                    _f("note", T.LONG_TEXT),
                ),
                key="period",
            ),
        ),
    ),
    panel="Risks, issues and KPIs",
    commands=Commands(
        'mou add-kpi "Joint grant applications submitted" --ref KPI-05 --unit count '
        "--targets 'FY2026/27:12'",
        "mou update-kpi KPI-05 --targets 'FY2026/27:12,FY2027/28:16'",
        "mou remove-kpi KPI-05",
    ),
    scope=Scope.OWN,
    ref_prefix="KPI-",
    plural="KPIs",
    rules=(
        rules.not_negative("baseline"),
        rules.not_negative("targets", entry_value=1, says="value"),
        rules.not_negative("actuals", entry_value=1, says="value"),
        rules.only_with(
            "cumulative",
            "unit",
            (KpiUnit.GBP, KpiUnit.COUNT, KpiUnit.FTE),
            "a percentage is not added up over periods; only GBP, count and FTE KPIs can "
            "be cumulative",
        ),
    ),
)


def _the_months(label: Any) -> Any:
    """A quarter label as the months it names: FY2026/27 Q2 and 2026 Q3 are one quarter."""
    return (months_of(label) if isinstance(label, str) else None) or label


def _commentary_scope(record: Record) -> str:
    """'theme CLIM in FY2026/27 Q3', 'the programme in FY2026/27 Q3'."""
    if record.get("theme"):
        scope = f"theme {record['theme']}"
    elif record.get("workstream"):
        scope = f"workstream {record['workstream']}"
    else:
        scope = "the programme"
    return f"{scope} in {record.get('quarter')}"


# Commentary at most this long: a board reads one short paragraph per theme.
NOTE_WORDS = 250

NOTES = KindSpec(
    "notes",
    "note",
    "Note",
    (
        _f("quarter", T.PERIOD, required=True, help="The quarter it comments on (FY2026/27 Q3)"),
        _f(
            "theme",
            T.REF,
            target="themes",
            removed_with=True,
            help="The theme it comments on (none: the whole programme)",
        ),
        _f(
            "workstream",
            T.REF,
            target="workstreams",
            removed_with=True,
            help="The workstream it comments on (none: the whole programme)",
        ),
        _f("text", T.LONG_TEXT, required=True),
    ),
    panel="Reporting",  # written with mou note add, update and remove
    scope=Scope.OWN,
    ref_prefix="N",
    unique=Unique(
        ("quarter", "theme", "workstream"),
        _commentary_scope,
        compared={"quarter": _the_months},
    ),
    rules=(
        rules.a_quarter("quarter"),
        rules.at_most_one_of(
            ("theme", "workstream"),
            says="a note comments on a theme, a workstream or the whole programme: one of them",
        ),
        rules.at_most_words("text", NOTE_WORDS),
    ),
)

# In the order records must be written: everything a record points to comes before it.
KINDS: tuple[KindSpec, ...] = (
    INSTITUTIONS,
    PEOPLE,
    MOU,  # after people: it names its owner
    PARTIES,
    THEMES,
    COMMITMENTS,
    WORKSTREAMS,
    MILESTONES,
    SITES,
    VISITS,
    BOARD_MEETINGS,
    ACTIONS,
    RISKS,
    ISSUES,
    ASSUMPTIONS,
    KPIS,
    NOTES,
    ISSUED_REPORTS,
)
BY_TABLE = {kind.table: kind for kind in KINDS}
# The order a programme file lists its tables and the help lists the commands: the MoU first,
# then the write order.
FILE_ORDER: tuple[KindSpec, ...] = tuple(
    sorted(KINDS, key=lambda kind: kind.scope is not Scope.MOU)
)
# The order of the help panels in `mou --help`: weekly work first.
PANELS = (
    "Milestones",
    "Visits",
    "Meetings and actions",
    "Risks, issues and KPIs",
    "Programme",
    "People and places",
)


def by_model_table(name: str) -> KindSpec | None:
    """The kind stored in the database table ``name`` (``milestone`` → milestones)."""
    for kind in KINDS:
        if kind.model.__tablename__ == name:
            return kind
    return None


def list_owner(model_name: str) -> tuple[KindSpec, FieldSpec] | None:
    """The kind and field whose entries a child table holds (``VisitSite`` → visits, sites)."""
    for kind in KINDS:
        for spec in kind.list_fields:
            if spec.rows is not None and spec.rows.model_name == model_name:
                return kind, spec
    return None


def _model(name: str) -> Any:
    from tracker import models

    return getattr(models, name)
