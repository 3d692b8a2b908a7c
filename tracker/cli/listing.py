"""``mou list KIND`` and ``mou show REF``: looking records up."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tracker.cli.options import AsOf, Db, Format, OutputFormat, RecordedBy
from tracker.enums import MilestoneStatus, Rag
from tracker.text import counted

if TYPE_CHECKING:
    from tracker.cli.render import Report
    from tracker.kinds import KindSpec
    from tracker.services.listing import MilestoneRow, RecordDetail

app = typer.Typer()
PANEL = "Looking up"


def _listable() -> dict[str, str]:
    from tracker.kinds import KINDS, Scope

    return {kind.table.upper(): kind.table for kind in KINDS if kind.scope is not Scope.MOU}


# Generated from the kind descriptions: a new kind of record can be listed without a change here.
Kind = StrEnum("Kind", _listable())  # type: ignore[misc]
# The RAG values one milestone can have (NOT_STARTED belongs to scopes with no milestones).
RagChoice = StrEnum(  # type: ignore[misc]
    "RagChoice", {rag.name: rag.value for rag in Rag if rag is not Rag.NOT_STARTED}
)


@app.command("list", rich_help_panel=PANEL)
def list_command(
    kind: Annotated[Kind, typer.Argument(help="What to list.", case_sensitive=False)],
    theme: Annotated[
        str | None, typer.Option("--theme", help="Only under this theme (and its sub-themes).")
    ] = None,
    institution: Annotated[
        str | None, typer.Option("--institution", help="Only those of this institution.")
    ] = None,
    workstream: Annotated[
        str | None, typer.Option("--workstream", help="Milestones: only this workstream's.")
    ] = None,
    status: Annotated[
        MilestoneStatus | None,
        typer.Option("--status", help="Milestones: only this status.", case_sensitive=False),
    ] = None,
    rag: Annotated[
        RagChoice | None,
        typer.Option("--rag", help="Milestones: only this derived RAG.", case_sensitive=False),
    ] = None,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Milestones: only those overdue.")
    ] = False,
    at_risk: Annotated[
        bool,
        typer.Option(
            "--at-risk", help="Milestones: only those at risk from a milestone they depend on."
        ),
    ] = False,
    due_before: Annotated[
        str | None,
        typer.Option("--due-before", help="Milestones: due before this date.", metavar="DATE"),
    ] = None,
    due_after: Annotated[
        str | None,
        typer.Option("--due-after", help="Milestones: due after this date.", metavar="DATE"),
    ] = None,
    as_of: AsOf = None,
    recorded_by: RecordedBy = None,
    output: Format = OutputFormat.TABLE,
    db: Db = None,
) -> None:
    """List records of one kind; milestones with their RAG as of a date.

    Example: mou list milestones --institution LIV --overdue
    """
    from tracker.cli.context import moment, parse_option_date, reading
    from tracker.cli.render import emit
    from tracker.errors import UsageError
    from tracker.kinds import BY_TABLE
    from tracker.services.listing import (
        MilestoneFilter,
        filter_records,
        list_milestones,
        list_records,
    )
    from tracker.services.settings import stored_settings, tolerances

    moment_ = moment(recorded_by, as_of, db)
    when = moment_.as_of
    if kind != "milestones":
        only_milestones = {
            "--workstream": workstream,
            "--status": status,
            "--rag": rag,
            "--overdue": overdue or None,
            "--at-risk": at_risk or None,
            "--due-before": due_before,
            "--due-after": due_after,
        }
        given = [name for name, value in only_milestones.items() if value is not None]
        if given:
            raise UsageError(f"{given[0]}: only for milestones; not for {kind.value}")
    with reading(db, moment_.recorded) as session:
        if kind == "milestones":
            filters = MilestoneFilter(
                theme=theme,
                institution=institution,
                workstream=workstream,
                status=status,
                rag=Rag(rag.value) if rag else None,
                overdue=overdue,
                at_risk=at_risk,
                due_before=parse_option_date(due_before, "--due-before", db),
                due_after=parse_option_date(due_after, "--due-after", db),
            )
            rows = list_milestones(
                session=session, as_of=when, tolerances=tolerances(session=session), filters=filters
            )
            report = milestones_report(rows, when)
        else:
            spec = BY_TABLE[kind.value]
            records = list_records(spec, session=session)
            records = filter_records(
                spec, records, theme=theme, institution=institution, session=session
            )
            report = records_report(spec, records, stored_settings(session=session))
    emit(report, output)


MILESTONE_COLUMNS = [
    # key, header, kind, drop order on a narrow terminal
    ("ref", "Ref", "ref", 0),
    ("title", "Title", "text", 0),
    ("workstream", "Workstream", "ref", 4),
    ("theme", "Theme", "ref", 6),
    ("institution", "Owner inst.", "ref", 5),
    ("owner", "Owner", "ref", 7),
    ("due", "Due", "date", 0),
    ("forecast", "Forecast", "date", 2),
    ("completed", "Completed", "date", 3),
    ("status", "Status", "ref", 1),
    ("slippage_days", "Slip", "number", 8),
    ("rag", "RAG", "rag", 0),
    ("reported_rag", "Reported", "rag", 9),
    ("at_risk_from", "At risk from", "ref", 2),
]


def milestones_report(rows: list[MilestoneRow], as_of: dt.date) -> Report:
    from dataclasses import asdict

    from tracker.cli.render import Column, Report, Section

    columns = [Column(*spec) for spec in MILESTONE_COLUMNS]  # type: ignore[arg-type]
    plain = [asdict(row) for row in rows]
    section = Section(f"Milestones as of {as_of.isoformat()}", columns, plain)
    # The terminal gives the knock-on column room only when some milestone has one.
    knock_ons = any(row["at_risk_from"] for row in plain)
    shown = [column for column in columns if knock_ons or column.key != "at_risk_from"]
    return Report(
        document={"as_of": as_of, "kind": "milestones", "rows": plain},
        csv=section,
        sections=[Section(section.title, shown, plain)],
        notes=[f"{counted(len(rows), 'milestone')}."],
    )


def records_report(
    spec: KindSpec, records: list[tuple[str, dict[str, Any]]], settings: dict[str, str]
) -> Report:
    from tracker.cli.render import Column, Report, Section
    from tracker.fields import FieldType

    key_name = spec.key_field
    columns = [Column(key_name, key_name.capitalize(), "ref")]
    drop = {FieldType.LONG_TEXT: 6, FieldType.REFS: 4, FieldType.ROWS: 5}
    for field in spec.fields:
        if field.key == key_name:
            continue
        kind = "date" if field.field_type is FieldType.DATE else "text"
        if field.field_type in (FieldType.REF, FieldType.CHOICE, FieldType.INT):
            kind = "ref"
        if field.field_type is FieldType.NUMBER:
            kind = "number"
        header = field.key.replace("_", " ").capitalize()
        columns.append(Column(field.key, header, kind, drop.get(field.field_type, 0)))  # type: ignore[arg-type]
    for item in spec.derived:
        column = Column(item.key, item.key.replace("_", " ").capitalize(), item.kind)  # type: ignore[arg-type]
        columns.insert(_position(columns, item.after), column)
    derived = [spec.derive(record, settings) for _, record in records]
    rows = [
        {key_name: key, **_flat(record), **values}
        for (key, record), values in zip(records, derived, strict=True)
    ]
    section = Section(spec.nouns[:1].upper() + spec.nouns[1:], columns, rows)
    document = {
        "kind": spec.table,
        "rows": [
            _with_derived(spec, _full(spec, key, record), values)
            for (key, record), values in zip(records, derived, strict=True)
        ],
    }
    return Report(document=document, csv=section, sections=[section])


def _position(columns: list[Any], after: str | None) -> int:
    """Where a derived column goes: after the named column, else last."""
    keys = [column.key for column in columns]
    return keys.index(after) + 1 if after in keys else len(columns)


def _with_derived(spec: KindSpec, row: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """A record's JSON row with its derived values placed where its table shows them."""
    items = list(row.items())
    for item in spec.derived:
        keys = [key for key, _ in items]
        position = keys.index(item.after) + 1 if item.after in keys else len(items)
        items.insert(position, (item.key, values[item.key]))
    return dict(items)


def _full(spec: KindSpec, key: str, record: dict[str, Any]) -> dict[str, Any]:
    """A record as JSON rows give it: every field, in the programme file's form."""
    from tracker.services.exporter import outside

    shown = outside(spec, key, record)
    return {
        spec.key_field: key,
        **{
            field.key: shown.get(field.key, [] if field.is_list else None)
            for field in spec.fields
            if field.key != spec.key_field
        },
    }


def _flat(record: dict[str, Any]) -> dict[str, Any]:
    """Lists as one cell: 'OXF; LIV', attendees as 'IT (signatory)'."""
    from tracker.cli.values import show
    from tracker.fields import plain

    flat: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, list):
            flat[key] = "; ".join(show([item]) for item in value)
        else:
            flat[key] = plain(value)
    return flat


@app.command("show", rich_help_panel=PANEL)
def show(
    ref: Annotated[str, typer.Argument(help="Ref of the record.", show_default=False)],
    kind: Annotated[
        Kind | None,
        typer.Option("--kind", help="Which kind, when the ref names more than one record."),
    ] = None,
    as_of: AsOf = None,
    recorded_by: RecordedBy = None,
    output: Format = OutputFormat.TABLE,
    db: Db = None,
) -> None:
    """Show everything about one record: fields, links, RAG and re-baseline history.

    Example: mou show MS-14 --as-of 2026-12-31
    """
    from tracker.cli.context import moment, reading
    from tracker.cli.render import emit
    from tracker.kinds import BY_TABLE
    from tracker.services.listing import record_detail
    from tracker.services.settings import tolerances

    when = moment(recorded_by, as_of, db)
    with reading(db, when.recorded) as session:
        detail = record_detail(
            ref,
            session=session,
            as_of=when.as_of,
            tolerances=tolerances(session=session),
            kind=BY_TABLE[kind.value] if kind else None,
        )
    emit(detail_report(detail), output)


def detail_report(detail: RecordDetail) -> Report:
    from rich.text import Text

    from tracker.cli.render import Column, Report, Section
    from tracker.cli.values import show as shown

    kind = detail.kind
    history = kind.history
    fields = {
        key: value
        for key, value in _full(kind, detail.key, detail.fields).items()
        if key in detail.fields
    }
    field_rows = [
        {"field": key, "value": shown(value)}
        for key, value in detail.fields.items()
        if history is None or key != history.into
    ]
    for item in kind.derived:
        keys = [row["field"] for row in field_rows]
        position = keys.index(item.after) + 1 if item.after in keys else len(field_rows)
        field_rows.insert(position, {"field": item.key, "value": shown(detail.derived[item.key])})
    sections = [
        Section("Fields", [Column("field", "Field", "ref"), Column("value", "Value")], field_rows)
    ]
    heading = [Text(f"{kind.noun[:1].upper()}{kind.noun[1:]} {detail.key}", style="bold")]
    if detail.rag:
        rag = detail.rag
        line = Text(f"RAG as of {shown(rag['as_of'])}: {rag['derived']}")
        line.append(f" (slippage {rag['slippage_days']} days)")
        if rag["reported"]:
            line.append(f"; reported {rag['reported']}: {rag['reported_reason']}")
        heading.append(line)
        for item in rag.get("at_risk_from", []):
            finish = "completed" if item["completed"] else "finishes"
            heading.append(
                Text(
                    f"At risk from {item['ref']}: it {finish} {shown(item['finish'])}, after "
                    "this milestone is due",
                    style="bold yellow",
                )
            )
    entries = detail.fields.get(history.into) if history is not None else None
    if history is not None and entries:
        spec = kind.field(history.into)
        assert spec.rows is not None
        names = [column.key for column in spec.rows.columns]
        types = {column.key: column.field_type.name for column in spec.rows.columns}
        shown_as = {"DATE": "date", "INT": "number", "NUMBER": "number"}
        sections.append(
            Section(
                history.heading,
                [
                    *(
                        Column(name, f"Was {name}", shown_as.get(types[name], "ref"))  # type: ignore[arg-type]
                        for name in history.tracked
                    ),
                    Column("changed", "Changed", "date"),
                    Column("reason", "Reason"),
                ],
                [dict(zip(names, entry, strict=True)) for entry in entries],
            )
        )
    references = [
        {"kind": item.noun, "ref": item.ref, "field": item.field} for item in detail.referenced_by
    ]
    if references:
        sections.append(
            Section(
                "Referenced by",
                [
                    Column("kind", "Kind", "ref"),
                    Column("ref", "Ref", "ref"),
                    Column("field", "Field", "ref"),
                ],
                references,
            )
        )
    document = {
        "kind": kind.noun,
        "ref": detail.key,
        "fields": fields,
        "derived": detail.derived,
        "rag": detail.rag or None,
        "referenced_by": references,
    }
    csv_rows = [{"field": key, "value": shown(value)} for key, value in detail.fields.items()]
    csv_rows += [{"field": key, "value": shown(value)} for key, value in detail.derived.items()]
    return Report(
        document=document,
        csv=Section("fields", [Column("field", "field"), Column("value", "value")], csv_rows),
        sections=sections,
        heading=heading,
    )
