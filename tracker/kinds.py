"""What each kind of record looks like from outside: its fields in a programme file and on
the command line, their types, which are required, and where they are stored.

One description serves the importer, the exporter and the commands that add, edit, list and
show records, so a field's rules are written once. This module does not import SQLModel (the
CLI builds its commands from it at start-up); models are named here and resolved on use.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum, StrEnum, auto
from typing import TYPE_CHECKING, Any

from tracker.enums import (
    ActionStatus,
    AttendeeRole,
    InstitutionKind,
    MilestoneStatus,
    MouStatus,
    PartyRole,
    ReportedRag,
    SiteKind,
    VisitKind,
    VisitStatus,
    WorkstreamStatus,
    choices,
)
from tracker.errors import InvalidInput
from tracker.text import NAME_MAX, TEXT_MAX, clean_ref, clean_text

if TYPE_CHECKING:
    from sqlmodel import SQLModel


class FieldType(Enum):
    TEXT = auto()  # one line, at most NAME_MAX
    LONG_TEXT = auto()  # may span lines, at most TEXT_MAX
    DATE = auto()
    INT = auto()
    BOOL = auto()
    CHOICE = auto()  # one value of a vocabulary
    REF = auto()  # a ref of another kind
    REFS = auto()  # a list of refs of another kind, stored in a link table
    ATTENDEES = auto()  # a list of {person, role}
    REBASELINES = auto()  # a list of {due, reason, changed}


@dataclass(frozen=True)
class FieldSpec:
    key: str
    field_type: FieldType
    required: bool = False
    vocabulary: type[StrEnum] | None = None
    target: str | None = None  # the table a REF or REFS points into
    column: str | None = None  # the model attribute, when it is not the key (or key_id)
    default: Any = None

    @property
    def attribute(self) -> str:
        if self.column:
            return self.column
        return f"{self.key}_id" if self.field_type is FieldType.REF else self.key


@dataclass(frozen=True)
class KindSpec:
    table: str  # the programme-file table: "milestones"
    noun: str  # one record: "milestone"
    model_name: str  # the class in tracker.models
    fields: tuple[FieldSpec, ...]
    has_ref: bool = True
    in_mou: bool = False  # belongs to an MoU (gets its mou_id)
    ref_prefix: str = ""  # generated refs look like this prefix and a number: MS-07

    @property
    def command_noun(self) -> str:
        """The noun in command names: add-milestone, update-mou."""
        return self.noun.lower()

    @property
    def article(self) -> str:
        return "an" if self.noun[0].lower() in "aeiou" else "a"

    @property
    def model(self) -> type[SQLModel]:
        return _model(self.model_name)

    def field(self, key: str) -> FieldSpec:
        for spec in self.fields:
            if spec.key == key:
                return spec
        raise KeyError(key)

    @property
    def keys(self) -> tuple[str, ...]:
        return (("ref",) if self.has_ref else ()) + tuple(spec.key for spec in self.fields)


T = FieldType


def _f(key: str, type_: FieldType, **kwargs: Any) -> FieldSpec:
    return FieldSpec(key, type_, **kwargs)


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
        _f("renewal_notice_months", T.INT),
        _f("venue", T.TEXT),
        _f("binding", T.BOOL, default=False),
    ),
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
    ref_prefix="I",
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
    ref_prefix="P",
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
    has_ref=False,
    in_mou=True,
)
THEMES = KindSpec(
    "themes",
    "theme",
    "Theme",
    (
        _f("name", T.TEXT, required=True),
        _f("parent", T.REF, target="themes"),
    ),
    in_mou=True,
    ref_prefix="T",
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
    in_mou=True,
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
        _f("partners", T.REFS, target="institutions"),
        _f("owner", T.REF, target="people"),
        _f("commitments", T.REFS, target="commitments"),
        _f("status", T.CHOICE, vocabulary=WorkstreamStatus, default=WorkstreamStatus.PLANNED),
    ),
    in_mou=True,
    ref_prefix="WS",
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
        _f("completed", T.DATE),
        _f("status", T.CHOICE, vocabulary=MilestoneStatus),
        _f("institution", T.REF, target="institutions"),
        _f("owner", T.REF, target="people"),
        _f("reported_rag", T.CHOICE, vocabulary=ReportedRag),
        _f("reported_rag_reason", T.LONG_TEXT),
        _f("rebaselines", T.REBASELINES),
    ),
    ref_prefix="MS-",
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
    ref_prefix="S",
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
        _f("sites", T.REFS, target="sites"),
        _f("host", T.REF, required=True, target="institutions"),
        _f("attendees", T.ATTENDEES, target="people"),
        _f("purpose", T.LONG_TEXT),
        _f("outcomes", T.LONG_TEXT),
        _f("themes", T.REFS, target="themes"),
        _f("status", T.CHOICE, vocabulary=VisitStatus, default=VisitStatus.PLANNED),
    ),
    in_mou=True,
    ref_prefix="V",
)
ACTIONS = KindSpec(
    "actions",
    "action",
    "Action",
    (
        _f("visit", T.REF, required=True, target="visits"),
        _f("text", T.LONG_TEXT, required=True),
        _f("owner", T.REF, target="people"),
        _f("due", T.DATE),
        _f("status", T.CHOICE, vocabulary=ActionStatus),
        _f("completed", T.DATE),
    ),
    ref_prefix="A",
)

# In the order records must be written: everything a record points to comes before it.
KINDS: tuple[KindSpec, ...] = (
    MOU,
    INSTITUTIONS,
    PEOPLE,
    PARTIES,
    THEMES,
    COMMITMENTS,
    WORKSTREAMS,
    MILESTONES,
    SITES,
    VISITS,
    ACTIONS,
)
BY_TABLE = {kind.table: kind for kind in KINDS}

# Where the lists of refs are kept: (model name, column of the owner, column of the target).
LINKS: dict[tuple[str, str], tuple[str, str, str]] = {
    ("workstreams", "partners"): ("WorkstreamPartner", "workstream_id", "institution_id"),
    ("workstreams", "commitments"): ("WorkstreamCommitment", "workstream_id", "commitment_id"),
    ("visits", "sites"): ("VisitSite", "visit_id", "site_id"),
    ("visits", "themes"): ("VisitTheme", "visit_id", "theme_id"),
    ("visits", "attendees"): ("VisitAttendee", "visit_id", "person_id"),
}


def _model(name: str) -> type[SQLModel]:
    from tracker import models

    model: type[SQLModel] = getattr(models, name)
    return model


def link_model(table: str, key: str) -> tuple[type[SQLModel], str, str]:
    name, owner, target = LINKS[(table, key)]
    return _model(name), owner, target


def clean_value(spec: FieldSpec, value: Any) -> Any:
    """Check one value's type and normal form; raise InvalidInput naming the field."""
    field = spec.key
    match spec.field_type:
        case T.TEXT | T.LONG_TEXT:
            if not isinstance(value, str):
                raise InvalidInput(f"{field}: expected text in quotes")
            long = spec.field_type is T.LONG_TEXT
            text = clean_text(
                value, field=field, max_len=TEXT_MAX if long else NAME_MAX, multiline=long
            )
            if not text and spec.required:
                raise InvalidInput(f"{field}: must not be empty")
            return text or None
        case T.DATE:
            # tomllib gives datetimes for values with a time: a business date is a date.
            if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
                raise InvalidInput(
                    f"{field}: expected a date such as 2026-06-30 (unquoted in TOML)"
                )
            return value
        case T.INT:
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidInput(f"{field}: expected a whole number")
            if not 0 <= value <= 10_000:
                raise InvalidInput(f"{field}: expected a whole number from 0 to 10000")
            return value
        case T.BOOL:
            if not isinstance(value, bool):
                raise InvalidInput(f"{field}: expected true or false")
            return value
        case T.CHOICE:
            assert spec.vocabulary is not None
            accepted = {member.value.casefold(): member for member in spec.vocabulary}
            if not isinstance(value, str) or value.strip().casefold() not in accepted:
                raise InvalidInput(
                    f"{field}: expected one of {choices(spec.vocabulary)}; got {value!r}"
                )
            return accepted[value.strip().casefold()]
        case T.REF:
            if not isinstance(value, str):
                raise InvalidInput(f"{field}: expected a ref in quotes")
            return clean_ref(value, field=field)
        case T.REFS:
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                raise InvalidInput(f'{field}: expected a list of refs, like ["OXF", "LIV"]')
            refs = [clean_ref(item, field=field) for item in value]
            duplicates = sorted({ref for ref in refs if refs.count(ref) > 1})
            if duplicates:
                raise InvalidInput(f"{field}: {', '.join(duplicates)} listed more than once")
            return sorted(refs)  # a set of links has no order: one normal form to compare
        case T.ATTENDEES:
            return _clean_attendees(value)
        case T.REBASELINES:
            return _clean_rebaselines(value)
    raise AssertionError(spec.field_type)  # pragma: no cover


def _as_tables(value: Any, keys: tuple[str, ...]) -> Any:
    """Accept entries already in their stored form (tuples), so cleaning a stored record
    again gives the same record."""
    if isinstance(value, list):
        return [
            dict(zip(keys, item, strict=True))
            if isinstance(item, tuple) and len(item) == len(keys)
            else item
            for item in value
        ]
    return value


def _table_items(value: Any, field: str, keys: set[str], form: str) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise InvalidInput(f"{field}: expected a list of tables like {form}")
    for item in value:
        unknown = sorted(set(item) - keys)
        if unknown:
            raise InvalidInput(f"{field}: unknown key {unknown[0]!r}; expected {form}")
    return value


def _clean_attendees(value: Any) -> list[tuple[str, AttendeeRole]]:
    form = '[{ person = "REF", role = "delegate" }]'
    value = _as_tables(value, ("person", "role"))
    items = _table_items(value, "attendees", {"person", "role"}, form)
    role_spec = FieldSpec("attendees.role", T.CHOICE, vocabulary=AttendeeRole)
    people: list[tuple[str, AttendeeRole]] = []
    for item in items:
        if "person" not in item:
            raise InvalidInput(f"attendees: each attendee needs a person; expected {form}")
        person = clean_value(FieldSpec("attendees.person", T.REF), item["person"])
        role = clean_value(role_spec, item.get("role", AttendeeRole.DELEGATE.value))
        if any(existing == person for existing, _ in people):
            raise InvalidInput(f"attendees: {person} listed more than once")
        people.append((person, role))
    return sorted(people)


def _clean_rebaselines(value: Any) -> list[tuple[dt.date, str, dt.date]]:
    form = '[{ due = 2026-06-30, reason = "...", changed = 2026-05-12 }]'
    value = _as_tables(value, ("due", "reason", "changed"))
    items = _table_items(value, "rebaselines", {"due", "reason", "changed"}, form)
    history = []
    for item in items:
        missing = [key for key in ("due", "reason", "changed") if key not in item]
        if missing:
            raise InvalidInput(f"rebaselines: each entry needs {missing[0]}; expected {form}")
        due = clean_value(FieldSpec("rebaselines.due", T.DATE), item["due"])
        changed = clean_value(FieldSpec("rebaselines.changed", T.DATE), item["changed"])
        reason = clean_value(
            FieldSpec("rebaselines.reason", T.LONG_TEXT, required=True), item["reason"]
        )
        history.append((due, reason, changed))
    return history
