"""``mou list KIND`` and ``mou show REF``: looking records up."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tracker.cli import completion
from tracker.cli.options import AsOf, Db, Format, OutputFormat, RecordedBy
from tracker.enums import ActionStatus, MilestoneStatus, Rag
from tracker.text import counted

if TYPE_CHECKING:
    from tracker.cli.render import Report, Section
    from tracker.kinds import KindSpec
    from tracker.services.actions import ActionRow
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
# The statuses of milestones and of actions; each kind accepts its own.
StatusChoice = StrEnum(  # type: ignore[misc]
    "StatusChoice", {status.name: status.value for status in (*MilestoneStatus, *ActionStatus)}
)


@app.command("list", rich_help_panel=PANEL)
def list_command(
    kind: Annotated[Kind, typer.Argument(help="What to list.", case_sensitive=False)],
    theme: Annotated[
        str | None,
        typer.Option(
            "--theme",
            help="Only under this theme (and its sub-themes).",
            autocompletion=completion.refs("themes"),
        ),
    ] = None,
    institution: Annotated[
        str | None,
        typer.Option(
            "--institution",
            help="Only those of this institution (actions: their owner's).",
            autocompletion=completion.refs("institutions"),
        ),
    ] = None,
    workstream: Annotated[
        str | None,
        typer.Option(
            "--workstream",
            help="Milestones: only this workstream's.",
            autocompletion=completion.refs("workstreams"),
        ),
    ] = None,
    owner: Annotated[
        str | None,
        typer.Option(
            "--owner",
            help="Milestones and actions: only this person's.",
            metavar="REF",
            autocompletion=completion.refs("people"),
        ),
    ] = None,
    status: Annotated[
        StatusChoice | None,
        typer.Option(
            "--status", help="Milestones and actions: only this status.", case_sensitive=False
        ),
    ] = None,
    rag: Annotated[
        RagChoice | None,
        typer.Option("--rag", help="Milestones: only this derived RAG.", case_sensitive=False),
    ] = None,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Milestones and actions: only those overdue.")
    ] = False,
    at_risk: Annotated[
        bool,
        typer.Option(
            "--at-risk", help="Milestones: only those at risk from a milestone they depend on."
        ),
    ] = False,
    due_before: Annotated[
        str | None,
        typer.Option(
            "--due-before",
            help="Milestones and actions: due before this date.",
            metavar="DATE",
        ),
    ] = None,
    due_after: Annotated[
        str | None,
        typer.Option(
            "--due-after", help="Milestones and actions: due after this date.", metavar="DATE"
        ),
    ] = None,
    as_of: AsOf = None,
    recorded_by: RecordedBy = None,
    output: Format = OutputFormat.TABLE,
    db: Db = None,
) -> None:
    """List records of one kind; milestones and actions with their state as of a date.

    Example: mou list milestones --institution LIV --overdue
    """
    from tracker.cli.context import moment, parse_option_date, reading
    from tracker.cli.render import emit
    from tracker.errors import UsageError
    from tracker.kinds import BY_TABLE
    from tracker.services.actions import ActionFilter, list_actions
    from tracker.services.listing import (
        MilestoneFilter,
        filter_records,
        list_milestones,
        list_records,
    )
    from tracker.services.settings import stored_settings, tolerances

    moment_ = moment(recorded_by, as_of, db)
    when = moment_.as_of
    dated = kind in ("milestones", "actions")
    only_for = {
        "--workstream": (workstream, kind == "milestones", "milestones"),
        "--rag": (rag, kind == "milestones", "milestones"),
        "--at-risk": (at_risk or None, kind == "milestones", "milestones"),
        "--owner": (owner, dated, "milestones and actions"),
        "--status": (status, dated, "milestones and actions"),
        "--overdue": (overdue or None, dated, "milestones and actions"),
        "--due-before": (due_before, dated, "milestones and actions"),
        "--due-after": (due_after, dated, "milestones and actions"),
        "--theme": (theme, kind != "actions", "kinds that have a theme"),
    }
    for name, (value, allowed, kinds) in only_for.items():
        if value is not None and not allowed:
            raise UsageError(f"{name}: only for {kinds}; not for {kind.value}")
    vocabulary = {"milestones": MilestoneStatus, "actions": ActionStatus}.get(kind.value)
    if status is not None and vocabulary is not None:
        accepted = [member.value for member in vocabulary]
        if status.value not in accepted:
            raise UsageError(
                f"--status: expected one of {', '.join(accepted)} for {kind.value}; "
                f"got {status.value!r}"
            )
    with reading(db, moment_.recorded) as session:
        if kind == "milestones":
            filters = MilestoneFilter(
                theme=theme,
                institution=institution,
                workstream=workstream,
                owner=owner,
                status=MilestoneStatus(status.value) if status else None,
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
        elif kind == "actions":
            action_filter = ActionFilter(
                status=ActionStatus(status.value) if status else None,
                owner=owner,
                institution=institution,
                overdue=overdue,
                due_before=parse_option_date(due_before, "--due-before", db),
                due_after=parse_option_date(due_after, "--due-after", db),
            )
            report = actions_report(
                list_actions(session=session, as_of=when, filters=action_filter), when
            )
        else:
            spec = BY_TABLE[kind.value]
            records = list_records(spec, session=session)
            records = filter_records(
                spec, records, theme=theme, institution=institution, session=session
            )
            report = records_report(spec, records, stored_settings(session=session))
    emit(report, output)


ACTION_COLUMNS = [
    # key, header, kind, drop order on a narrow terminal
    ("ref", "Ref", "ref", 0),
    ("text", "Text", "text", 0),
    ("visit", "Visit", "ref", 5),
    ("meeting", "Meeting", "ref", 6),
    ("owner", "Owner", "ref", 3),
    ("institution", "Inst.", "ref", 7),
    ("due", "Due", "date", 0),
    ("status", "Status", "ref", 1),
    ("completed", "Completed", "date", 4),
    ("overdue", "Overdue", "ref", 8),
    ("days_overdue", "Days late", "number", 2),
]


def actions_report(rows: list[ActionRow], as_of: dt.date) -> Report:
    from dataclasses import asdict

    from tracker.cli.render import Column, Report, Section

    columns = [Column(*spec) for spec in ACTION_COLUMNS]  # type: ignore[arg-type]
    plain = [asdict(row) for row in rows]
    section = Section(f"Actions as of {as_of.isoformat()}", columns, plain)
    late = sum(1 for row in rows if row.overdue)
    return Report(
        document={"as_of": as_of, "kind": "actions", "rows": plain},
        csv=section,
        sections=[section],
        notes=[f"{counted(len(rows), 'action')}, {late} overdue."],
    )


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
    ref: Annotated[
        str,
        typer.Argument(
            help="Ref of the record.", show_default=False, autocompletion=completion.any_ref
        ),
    ],
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


def _follow_up_rows(table: str, items: list[Any]) -> list[dict[str, Any]]:
    """Records following up the one shown, in their programme-file form, with their state."""
    from tracker.kinds import BY_TABLE

    kind = BY_TABLE[table]
    rows = []
    for item in items:
        fields = {
            key: value
            for key, value in _full(kind, item.key, item.fields).items()
            if key not in kind.shown_under
        }
        if kind.days_late is not None:
            fields["overdue"] = item.days_overdue is not None
            fields["days_overdue"] = item.days_overdue
        rows.append(fields)
    return rows


def _follow_up_section(table: str, rows: list[dict[str, Any]]) -> Section:
    from tracker.cli.render import Column, Section
    from tracker.fields import FieldType
    from tracker.kinds import BY_TABLE

    kind = BY_TABLE[table]
    columns = [Column(kind.key_field, kind.key_field.capitalize(), "ref")]
    for spec in kind.fields:
        if spec.key in kind.shown_under or spec.is_list:
            continue
        column_kind = {
            FieldType.DATE: "date",
            FieldType.REF: "ref",
            FieldType.CHOICE: "ref",
        }.get(spec.field_type, "text")
        header = spec.key.replace("_", " ").capitalize()
        columns.append(Column(spec.key, header, column_kind))  # type: ignore[arg-type]
    if kind.days_late is not None:
        columns.append(Column("days_overdue", "Days late", "number"))
    return Section(kind.nouns.capitalize(), columns, rows)


def _progress_line(progress: dict[str, Any], as_of: dt.date) -> Any:
    """'As of Mon 30 Nov 2026: RED ↓ (AMBER before)  6 milestones: 3 done, …'."""
    from rich.text import Text

    from tracker.cli.render import RAG_STYLES
    from tracker.dates import format_date
    from tracker.services.status_rows import ARROWS

    line = Text(f"As of {format_date(as_of)}: ")
    line.append(progress["rag"], style=RAG_STYLES.get(progress["rag"], ""))
    line.append(f" {ARROWS[progress['trend']]}")
    if progress["rag_previous"] and progress["trend"] != "same":
        line.append(f" ({progress['rag_previous']} at the end of the previous quarter)")
    line.append(
        f"  {counted(progress['total'], 'milestone')}: {progress['done']} done, "
        f"{progress['green']} green, {progress['amber']} amber, {progress['red']} red "
        f"({progress['overdue']} overdue"
        + (f", {progress['at_risk']} at risk from a dependency" if progress["at_risk"] else "")
        + ")"
    )
    if progress["next_ref"]:
        line.append(f"; next {progress['next_ref']}, due {format_date(progress['next_due'])}")
    return line


def _programme_heading(detail: RecordDetail) -> list[Any]:
    """The MoU as `mou status` heads its page: its stage, parties and signatories, where the
    programme stands, and its actions and next date."""
    from rich.text import Text

    from tracker.cli.values import show as shown

    programme = detail.programme
    assert programme is not None and detail.progress is not None
    fields = detail.fields
    line = Text(fields["title"])
    line.append(f"  ({programme['stage']}")
    if fields.get("signed"):
        line.append(f", signed {shown(fields['signed'])}")
    line.append(")")
    lines = [line]
    for party in programme["parties"]:
        text = Text(f"  {party['name']}")
        if party["signatory"]:
            text.append(f": {party['signatory']}")
            if party["signatory_title"]:
                text.append(f", {party['signatory_title']}")
        lines.append(text)
    lines.append(_progress_line(detail.progress, detail.rag_as_of))
    actions = programme["actions"]
    lines.append(Text(f"Actions: {actions['open']} open, {actions['overdue']} overdue."))
    return lines


def _dates_section(dates: list[dict[str, Any]]) -> Section:
    from tracker.cli.render import Column, Section

    rows = [
        {
            "date": item["date"],
            "title": item["title"],
            "when": (
                f"overdue by {counted(-item['days'], 'day')}"
                if item["overdue"]
                else "today"
                if item["days"] == 0
                else f"in {counted(item['days'], 'day')}"
            ),
        }
        for item in dates
    ]
    columns = [Column("date", "Date", "date"), Column("title", "What"), Column("when", "When")]
    return Section("The MoU's dates", columns, rows)


def detail_report(detail: RecordDetail) -> Report:
    from dataclasses import asdict

    from rich.text import Text

    from tracker.cli.render import Column, Report, Section
    from tracker.cli.values import show as shown
    from tracker.kinds import BY_TABLE

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
    if detail.programme is not None:
        heading += _programme_heading(detail)
        sections.append(_dates_section(detail.programme["dates"]))
    elif detail.progress is not None:
        heading.append(_progress_line(detail.progress, detail.rag_as_of))
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
    if kind.progress is not None and kind.progress != "programme":
        milestones = milestones_report(detail.milestones, detail.rag_as_of).sections[0]
        milestones.title = f"Milestones ({counted(len(detail.milestones), 'milestone')})"
        sections.append(milestones)
    follow_ups = {
        table: _follow_up_rows(table, items) for table, items in detail.follow_ups.items()
    }
    for table, rows in follow_ups.items():
        sections.append(_follow_up_section(table, rows))
    references = [
        {"kind": item.noun, "ref": item.ref, "field": item.field} for item in detail.referenced_by
    ]
    # The follow-ups listed above are not listed again as mere references.
    listed = {
        (BY_TABLE[table].noun, item.key)
        for table, items in detail.follow_ups.items()
        for item in items
    }
    others = [row for row in references if (row["kind"], row["ref"]) not in listed]
    if others:
        sections.append(
            Section(
                "Referenced by",
                [
                    Column("kind", "Kind", "ref"),
                    Column("ref", "Ref", "ref"),
                    Column("field", "Field", "ref"),
                ],
                others,
            )
        )
    document = {
        "kind": kind.noun,
        "ref": detail.key,
        "fields": fields,
        # Only kinds that have derived values (a risk's score and band) carry the key.
        **({"derived": detail.derived} if kind.derived else {}),
        "rag": detail.rag or None,
        # Only scopes (themes, workstreams, institutions) and the MoU carry these keys.
        **({"progress": detail.progress} if kind.progress else {}),
        **(
            {"milestones": [asdict(row) for row in detail.milestones]}
            if kind.progress and kind.progress != "programme"
            else {}
        ),
        **({"programme": detail.programme} if detail.programme is not None else {}),
        "referenced_by": references,
        **follow_ups,
    }
    csv_rows = [{"field": key, "value": shown(value)} for key, value in detail.fields.items()]
    csv_rows += [{"field": key, "value": shown(value)} for key, value in detail.derived.items()]
    return Report(
        document=document,
        csv=Section("fields", [Column("field", "field"), Column("value", "value")], csv_rows),
        sections=sections,
        heading=heading,
    )
