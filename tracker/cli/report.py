"""``mou report``: the board's quarterly report (as CSV files, in the terminal or as JSON),
issuing it, listing the issued reports, and what changed since one was issued."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tracker.cli import completion
from tracker.cli.columns import (
    ACTION_COLUMNS,
    CHANGE_COLUMNS,
    ISSUE_COLUMNS,
    KPI_COLUMNS,
    MILESTONE_COLUMNS,
    RISK_COLUMNS,
    VISIT_COLUMNS,
    terminal_kinds,
)
from tracker.cli.options import AsOf, Db, Format, OutputFormat, RecordedBy
from tracker.text import counted, printable

if TYPE_CHECKING:
    from rich.text import Text

    from tracker.cli.render import Report, Section
    from tracker.db import Reader
    from tracker.periods import Quarter
    from tracker.services.issuing import Issued

app = typer.Typer(help="Produce reports for the governance board.", no_args_is_help=True)

QuarterOption = Annotated[
    str | None,
    typer.Option(
        "--quarter",
        "-q",
        help="FY2026/27 Q1 (or 2026/27 Q1, current, previous, next). "
        "Default: the latest quarter that has ended.",
        show_default=False,
        autocompletion=completion.quarters,
    ),
]
SchemeOption = Annotated[
    str | None,
    typer.Option(
        "--scheme",
        help="uk-fy, academic or calendar. Default: the scheme setting (uk-fy).",
        show_default=False,
    ),
]


# The sections a large programme's report lists tens of thousands of rows in.
_LONG_SECTIONS = ("milestones", "milestone_exceptions")


def files() -> tuple[str, ...]:
    from tracker.services.reports import SECTIONS

    return tuple(f"{name}.csv" for name in SECTIONS)


@app.command("quarterly")
def quarterly(
    quarter: QuarterOption = None,
    scheme: SchemeOption = None,
    as_of: AsOf = None,
    recorded_by: RecordedBy = None,
    fresh: Annotated[
        bool,
        typer.Option(
            "--fresh", help="For an issued quarter, compute the report again from today's records."
        ),
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Folder to write the CSV files into. Without it, the report is shown.",
            show_default=False,
        ),
    ] = None,
    xlsx: Annotated[
        Path | None,
        typer.Option(
            "--xlsx",
            help="Write the board pack as one workbook (.xlsx): a summary, then a sheet per "
            "section.",
            show_default=False,
            metavar="FILE",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Replace report files already in the folder, or the workbook."
        ),
    ] = False,
    section: Annotated[
        str | None,
        typer.Option(
            "--section",
            help="Only this section (summary, milestone_summary, milestones, "
            "theme_progress, institution_progress, visits, actions, risks, issues, kpis, "
            "changes, milestone_exceptions, commentary, delivery_by_quarter): how to print one "
            "as CSV.",
            show_default=False,
        ),
    ] = None,
    output: Format = OutputFormat.TABLE,
    db: Db = None,
) -> None:
    """Show the quarter's board pack, or write it as CSV files (--out) or a workbook (--xlsx).

    Example: mou report quarterly --quarter "FY2026/27 Q2" --xlsx board-pack.xlsx
    """
    from tracker.cli.context import moment, reading, reading_rows
    from tracker.errors import UsageError

    names = [name.removesuffix(".csv") for name in files()]
    if section is not None and section.strip().lower() not in names:
        raise UsageError(f"--section: expected one of {', '.join(names)}; got {section!r}")
    if output is OutputFormat.CSV and out is None and section is None:
        raise UsageError(
            "--format csv: the report is several files; give --out DIR to write them all, "
            "or --section NAME to print one"
        )
    if out is not None and section is not None:
        raise UsageError("--section: the folder always holds every section; leave it out")
    if out is not None and output is not OutputFormat.TABLE:
        raise UsageError("--format: the files in --out are always CSV; leave out --format")
    if xlsx is not None and section is not None:
        raise UsageError("--section: the workbook always holds every section; leave it out")
    if xlsx is not None and output is not OutputFormat.TABLE:
        raise UsageError("--format: the workbook is always .xlsx; leave out --format")
    if xlsx is not None and xlsx.suffix.lower() != ".xlsx":
        raise UsageError(f"--xlsx: expected a file name ending in .xlsx; got {str(xlsx)!r}")
    when = moment(recorded_by, None, db)
    seen: dt.datetime | None = None  # when the newest command the report's read sees committed
    # The whole document as JSON: its long sections are encoded as their rows are read
    # (tracker.cli.render.EncodedRows), and the document written once the read has ended.
    streamed = output is OutputFormat.JSON and section is None and out is None and xlsx is None
    # Today's records are read on a Core connection, without the mapped classes (which only
    # the "what changed" section builds, when it has the past to rebuild).
    opened = reading(db, when.recorded) if when.recorded else reading_rows(db)
    with opened as session:
        period, document, issued, title = _report(
            session, quarter, scheme, as_of, today=when.as_of, fresh=fresh, lazy=streamed
        )
        if streamed and issued is None:  # an issued report's rows are at hand already
            from tracker.cli.render import EncodedRows

            for key in _LONG_SECTIONS:
                document[key] = EncodedRows(document[key])
        if issued is None and when.recorded is None:
            from tracker.services.trail import last_moment

            seen = last_moment(session)
    # Worked out on connections of its own, with no read of this command's open: on SQLite a
    # writer committing meanwhile would wait for that read, and the read for the writer. It
    # goes up to the last command the report's read saw, so a command that commits in between
    # is in neither its figures nor what changed.
    if issued is None:
        document["changes"] = _changes(db, period, document, when.recorded, seen)
    if streamed:
        from tracker.cli.render import json_pieces, write_data

        write_data(json_pieces(_shown(document, issued)))
        return
    sections = sections_from(document)
    if out is not None or xlsx is not None:
        from tracker.files import write_files

        written = _folder_files(out, sections, force=force) if out is not None else {}
        if xlsx is not None:
            written[xlsx] = _workbook(xlsx, document, issued, force=force)
        write_files(written)  # all of them, or (on any failure) none
        shown_as_of = _as_of(document, issued)
        if out is not None:
            typer.echo(f"Wrote the {period.label} report ({shown_as_of}) to {printable(str(out))}:")
            for name in files():
                rows = len(sections[name].rows)
                typer.echo(f"  {name}: {counted(rows, 'row')}")
        if xlsx is not None:
            from tracker.cli.workbook import SHEETS

            typer.echo(
                f"Wrote the {period.label} board pack ({shown_as_of}) to {printable(str(xlsx))}: "
                f"{len(SHEETS)} sheets ({', '.join(SHEETS)})."
            )
        return
    from tracker.cli.render import Report, emit

    shown = _terminal_report(period, document, issued, title, sections)
    if section is not None:
        picked = sections[f"{section.strip().lower()}.csv"]
        shown = Report(
            document=shown.document, csv=picked, sections=[picked], heading=shown.heading
        )
    elif output is OutputFormat.TABLE:
        from tracker.cli.pack import terminal_pack
        from tracker.services.board_pack import board_pack

        shown = terminal_pack(board_pack(document), issued=issued, document=shown.document)
    emit(shown, output)


def _period(session: Reader, quarter: str | None, scheme: str | None, today: dt.date) -> Quarter:
    from tracker.fields import period_in_range
    from tracker.periods import last_ended_quarter, parse_quarter, parse_scheme
    from tracker.services.settings import reporting_scheme

    chosen = parse_scheme(scheme) if scheme else reporting_scheme(session=session)
    if not quarter:
        return last_ended_quarter(today, chosen)
    found = parse_quarter(quarter, scheme=chosen, today=today)
    # A report's dates are business dates like any other.
    period_in_range(found.label, found.start, found.end, "quarter")
    return found


def _fresh(
    session: Reader, period: Quarter, as_of: str | None, today: dt.date, *, lazy: bool = False
) -> tuple[dict[str, Any], dt.date]:
    """The report computed from the records the session sees (``lazy``: see
    ``report_document``)."""
    from tracker.dates import parse_date
    from tracker.services.reports import quarterly_report, report_document
    from tracker.services.settings import kpi_thresholds, risk_bands, tolerances

    # A quarter that has not ended is reported to date, never as if its remaining weeks had
    # already passed.
    when = (
        parse_date(as_of, field="--as-of", today=today, scheme=period.scheme).value
        if as_of
        else min(period.end, today)
    )
    report = quarterly_report(
        session=session,
        quarter=period,
        as_of=when,
        tolerances=tolerances(session=session),
        bands=risk_bands(session=session),
        thresholds=kpi_thresholds(session=session),
    )
    return report_document(report, lazy=lazy), when


def _report(
    session: Reader,
    quarter: str | None,
    scheme: str | None,
    as_of: str | None,
    *,
    today: dt.date,
    fresh: bool,
    lazy: bool = False,
) -> tuple[Quarter, dict[str, Any], Issued | None, str]:
    """The quarter, its report's document (the issued one unless told otherwise), the issue
    it came from, and the MoU's title."""
    from tracker.services.issuing import in_force
    from tracker.services.lookup import current_mou

    period = _period(session, quarter, scheme, today)
    title = current_mou(session=session).title
    issued = None if fresh or as_of else in_force(period, session=session)
    if issued is not None:
        return period, issued.document, issued, title
    document, _ = _fresh(session, period, as_of, today, lazy=lazy)
    return period, document, None, title


def _changes(
    db: str | None,
    period: Quarter,
    document: dict[str, Any],
    recorded: dt.datetime | None,
    seen: dt.datetime | None,
) -> list[dict[str, Any]]:
    """What changed since the previous quarter's report (the rows of changes.csv), as recorded
    at ``recorded`` and going no further than ``seen``, the newest command the figures
    include."""
    from tracker.cli.context import open_db
    from tracker.services.changes import since_last_quarter

    database = open_db(db)
    try:
        as_of = dt.date.fromisoformat(document["summary"]["as_of"])
        rows = since_last_quarter(database, period, as_of, recorded=recorded, seen=seen)
    finally:
        database.dispose()
    return rows or []


def _as_of(document: dict[str, Any], issued: Issued | None) -> str:
    return as_of_words(document["summary"], issued)


def as_of_words(summary: dict[str, Any], issued: Issued | None) -> str:
    """'as of 2026-12-31', 'to date, as of 2026-11-29', or with 'as issued on …'."""
    prefix = "to date, " if summary.get("to_date") else ""
    text = f"{prefix}as of {summary['as_of']}"
    if issued is not None:
        from tracker.dates import format_day

        text += f", as issued on {format_day(issued.at.date())} by {issued.by}"
    return text


# How each column is shown in the terminal; the files keep every column as it is.
_KINDS: dict[str, dict[str, str]] = {
    "milestone_summary": {
        "scope_type": "ref", "scope": "ref", "due_in_period": "number",
        "achieved_in_period": "number", "achieved_on_time": "number", "achieved_late": "number",
        "missed_in_period": "number", "overdue_at_period_end": "number",
        "forecast_next_period": "number", "pct_on_time": "number",
        "due_rest_of_period": "number",
    },
    "progress": {
        "scope": "ref", "name": "text", "total": "number", "done": "number",
        "green": "number", "amber": "number", "red": "number", "overdue": "number",
        "pct_complete": "number", "rag": "rag", "next_ref": "ref", "next_due": "date",
        "rag_previous": "rag", "trend": "ref", "at_risk": "number",
    },
    "milestone_exceptions": {
        "ref": "ref", "title": "text", "workstream": "ref", "theme": "ref",
        "institution": "ref", "owner": "ref", "due": "date", "forecast": "date",
        "completed": "date", "status": "ref", "slippage_days": "number", "rag": "rag",
        "overdue": "ref", "days_overdue": "number", "reported_rag": "rag",
        "reported_rag_reason": "text", "at_risk_from": "text",
    },
    "commentary": {
        "ref": "ref", "scope_type": "ref", "scope": "ref", "name": "text", "text": "text",
    },
    "delivery_by_quarter": {
        "period": "ref", "start": "date", "end": "date", "as_of": "date",
        "due_in_period": "number", "achieved_in_period": "number",
        "achieved_on_time": "number", "achieved_late": "number", "missed_in_period": "number",
        "pct_on_time": "number",
    },
}  # fmt: skip
_KINDS["theme_progress"] = _KINDS["institution_progress"] = _KINDS["progress"]
# The sections the workbook also shows take their columns from the one description.
_KINDS |= {
    "milestones": terminal_kinds(MILESTONE_COLUMNS),
    "visits": terminal_kinds(VISIT_COLUMNS),
    "actions": terminal_kinds(ACTION_COLUMNS),
    "risks": terminal_kinds(RISK_COLUMNS),
    "issues": terminal_kinds(ISSUE_COLUMNS),
    "kpis": terminal_kinds(KPI_COLUMNS),
    "changes": terminal_kinds(CHANGE_COLUMNS),
}

_TITLES = {
    "kpis": "KPIs",
    "milestone_exceptions": "Milestones red or at risk",
    "delivery_by_quarter": "Delivery by quarter",
}

# On a narrow terminal, these columns give way first (highest first); files keep them all.
_DROP_ORDER = {
    "owner": 9, "theme": 8, "purpose": 8, "workstream": 7, "themes": 7, "attendees": 6,
    "slippage_days": 5, "forecast": 4, "kind": 4, "sites": 3, "institution": 3, "status": 2,
    "end": 2, "green": 2, "amber": 2, "next_ref": 1, "rag_previous": 3, "trend": 2,
    "meeting": 5, "visit": 4,
}  # fmt: skip


def sections_from(document: dict[str, Any]) -> dict[str, Section]:
    """One section per file, with the column names of docs/rules.md (a contract). A section
    an older issued report lacks is an empty file with its header."""
    from tracker.cli.render import Column, Section

    sections = {}
    for name in files():
        key = name.removesuffix(".csv")
        content = document.get(key, [] if key != "summary" else {})
        rows = [content] if key == "summary" else list(content)
        kinds = _KINDS.get(key) or dict.fromkeys(document.get("summary", {}), "text")
        columns = [
            Column(column, column, kind, _DROP_ORDER.get(column, 0))  # type: ignore[arg-type]
            for column, kind in kinds.items()
        ]
        sections[name] = Section(
            _TITLES.get(key, key.replace("_", " ").capitalize()), columns, rows
        )
    return sections


def _workbook(
    target: Path, document: dict[str, Any], issued: Issued | None, *, force: bool
) -> bytes:
    """The board pack's workbook, once the target is known to be writable."""
    from tracker.cli.workbook import workbook_bytes
    from tracker.files import check_target
    from tracker.services.board_pack import board_pack

    check_target(target, force=force, option="--xlsx")
    return workbook_bytes(board_pack(document), document, issued)


def _folder_files(out: Path, sections: dict[str, Section], *, force: bool) -> dict[Path, bytes]:
    """The report folder's files by path, once the folder is known to be writable."""
    from tracker.cli.render import excel_csv
    from tracker.errors import Conflict, InvalidInput
    from tracker.files import check_target

    names = files()
    if out.exists() and not out.is_dir():
        raise InvalidInput(f"--out: {out} is a file; expected a folder for the report")
    existing = [name for name in names if (out / name).exists() or (out / name).is_symlink()]
    if existing and not force:
        raise Conflict(
            f"--out: {out} already holds {', '.join(existing)}; use --force to replace them"
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InvalidInput(f"--out: cannot create {out}: {error.strerror}") from None
    for name in names:
        check_target(out / name, force=True)
    return {out / name: excel_csv(sections[name]) for name in names}


def _terminal_report(
    period: Quarter,
    document: dict[str, Any],
    issued: Issued | None,
    title: str,
    sections: dict[str, Section],
) -> Report:
    from rich.text import Text

    from tracker.cli.render import Report

    summary = document["summary"]
    shown = [sections[name] for name in files() if name != "summary.csv"]
    heading = [
        Text(f"{summary['programme']}  {title}", style="bold"),
        Text(
            f"Quarterly report {period.label} ({summary['start']} to {summary['end']}), "
            f"{_as_of(document, issued)}: {summary['rag']}"
        ),
        Text(
            f"{summary['due_in_period']} due in the period, {summary['achieved_in_period']} "
            f"achieved ({summary['achieved_on_time']} on time, {summary['achieved_late']} late), "
            f"{summary['missed_in_period']} missed, {summary['overdue_at_period_end']} overdue "
            f"at the end, {summary['forecast_next_period']} forecast next quarter"
        ),
        *_register_heading(summary),
    ]
    if issued is not None and issued.note:
        heading.append(Text(f"Note: {issued.note}"))
    green, red = summary["green_tol_days"], summary["red_tol_days"]
    return Report(
        document=_shown(document, issued),
        csv=sections["milestone_summary.csv"],
        sections=shown,
        heading=heading,
        notes=[
            f"Scheme {summary['scheme']}; on time means completed within {green} days of due; "
            f"RAG tolerances: green up to {green} days, red beyond {red} days.",
            *_register_notes(summary),
        ],
    )


def _shown(document: dict[str, Any], issued: Issued | None) -> dict[str, Any]:
    """The document as ``--format json`` prints it: an issued report says which issue."""
    return {**document, "issued": issued.stamp} if issued is not None else document


def _register_heading(summary: dict[str, Any]) -> list[Text]:
    """The risks, issues and KPIs line; a report issued before the register existed has none."""
    from rich.text import Text

    if "risks_open" not in summary:
        return []
    return [
        Text(
            f"Risks: {summary['risks_open']} open ({summary['risks_red']} red, "
            f"{summary['risks_amber']} amber, {summary['risks_green']} green); issues: "
            f"{summary['issues_open']} open; KPIs: {summary['kpis_green']} green, "
            f"{summary['kpis_amber']} amber, {summary['kpis_red']} red"
        )
    ]


def _register_notes(summary: dict[str, Any]) -> list[str]:
    from tracker.scoring import KpiThresholds, RiskBands

    if "risk_red_score" not in summary:
        return []
    bands = RiskBands(red=summary["risk_red_score"], amber=summary["risk_amber_score"])
    thresholds = KpiThresholds(green=summary["kpi_green_pct"], amber=summary["kpi_amber_pct"])
    return [f"Risk bands: {bands.describe()}. KPI RAG: {thresholds.describe()}."]


@app.command("issue")
def issue(
    quarter: QuarterOption = None,
    scheme: SchemeOption = None,
    as_of: AsOf = None,
    note: Annotated[
        str | None, typer.Option("--note", help="Why, or what the board was told.")
    ] = None,
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Issue a quarter again; the earlier issue is kept."),
    ] = False,
    db: Db = None,
) -> None:
    """Freeze the quarterly report as issued to the board, with who issued it and when.

    Example: mou report issue --quarter "FY2026/27 Q2" --note "Board of 14 October"
    """
    from tracker.cli.context import open_db, today
    from tracker.services.issuing import issue as freeze
    from tracker.text import clean_text

    text = clean_text(note, field="--note", multiline=True) if note else None
    with open_db(db).writing() as session:
        period = _period(session, quarter, scheme, today())
        document, when = _fresh(session, period, as_of, today())
        # Read from other connections (committed state), up to the newest command this
        # transaction sees, as the report's figures do.
        from tracker.services.trail import last_moment

        document["changes"] = _changes(db, period, document, None, last_moment(session))
        issued = freeze(period, document, session=session, as_of=when, note=text, replace=replace)
    typer.echo(
        f"Issued the {period.label} report ({_as_of(document, None)}) as {issued.ref}, by "
        f"{issued.by} at {issued.at.isoformat(sep=' ', timespec='minutes')} UTC."
    )
    typer.echo(
        "  mou report quarterly now shows this issue for the quarter (--fresh computes it again)."
    )


@app.command("issued")
def issued(
    recorded_by: RecordedBy = None,
    output: Format = OutputFormat.TABLE,
    db: Db = None,
) -> None:
    """List the reports issued to the board, oldest first.

    Example: mou report issued
    """
    from tracker.cli.context import moment, reading
    from tracker.cli.render import Column, Report, Section, emit
    from tracker.services.issuing import issued_reports

    when = moment(recorded_by, None, db)
    with reading(db, when.recorded) as session:
        found = issued_reports(session=session)
    rows = [
        {
            "ref": item.ref,
            "quarter": item.quarter,
            "as_of": item.as_of,
            "issued_at": item.at.isoformat(sep=" ", timespec="seconds"),
            "issued_by": item.by,
            "in_force": item.in_force,
            "note": item.note,
        }
        for item in found
    ]
    columns = [
        Column("ref", "Ref", "ref"),
        Column("quarter", "Quarter", "ref"),
        Column("as_of", "As of", "date"),
        Column("issued_at", "Issued (UTC)", "ref"),
        Column("issued_by", "By", "ref"),
        Column("in_force", "In force", "ref"),
        Column("note", "Note", "text", 1),
    ]
    section = Section("Issued reports", columns, rows)
    emit(
        Report(
            document={"issued": rows},
            csv=section,
            sections=[section],
            notes=[f"{counted(len(rows), 'issued report')}."],
        ),
        output,
    )


@app.command("diff")
def diff(
    quarter: Annotated[
        str,
        typer.Argument(help="The issued quarter (FY2026/27 Q2, previous…).", show_default=False),
    ],
    scheme: SchemeOption = None,
    output: Format = OutputFormat.TABLE,
    db: Db = None,
) -> None:
    """Show what differs between an issued report and the same quarter computed today, and why.

    Example: mou report diff "FY2026/27 Q2"
    """
    from tracker.cli.context import open_db, today
    from tracker.cli.render import Column, Report, Section, emit
    from tracker.errors import NotFound
    from tracker.services.issuing import differences, explanations, in_force

    with open_db(db).reading() as session:
        period = _period(session, quarter, scheme, today())
        issued = in_force(period, session=session)
        if issued is None:
            raise NotFound(
                f"QUARTER: {period.label} has not been issued (mou report issue); see mou report "
                "issued"
            )
        as_of = issued.document["summary"]["as_of"]
        fresh, _ = _fresh(session, period, as_of, today())
        found = differences(issued.document, fresh)
        explained = explanations(issued, found, session=session)
    rows = [
        {"section": d.section, "row": d.key, "field": d.field, "issued": d.issued, "fresh": d.fresh}
        for d in found
    ]
    why = [
        {
            "command_id": e.command_id,
            "at": e.at.isoformat(sep=" ", timespec="seconds"),
            "actor": e.actor,
            "command": e.command,
            "summary": e.summary,
            "refs": ", ".join(e.refs),
        }
        for e in explained
    ]
    differ = Section(
        "Differences (issued → today's records)",
        [
            Column("section", "Section", "ref"),
            Column("row", "Row", "ref"),
            Column("field", "Field", "ref"),
            Column("issued", "Issued", "text"),
            Column("fresh", "Fresh", "text"),
        ],
        rows,
    )
    explain = Section(
        "Recorded since the issue",
        [
            Column("command_id", "Cmd", "number"),
            Column("at", "When (UTC)", "ref", 2),
            Column("actor", "Actor", "ref", 3),
            Column("command", "Command", "text", 1),
            Column("summary", "Summary", "text"),
        ],
        why,
    )
    from rich.text import Text

    heading = [
        Text(
            f"{period.label}: the report issued as {issued.ref} on "
            f"{issued.at.isoformat(sep=' ', timespec='minutes')} UTC by {issued.by}, against "
            f"the same quarter as of {as_of} from today's records"
        ),
        Text(
            counted(len(rows), "difference")
            + ("" if rows else ": the issued report still stands as it was")
        ),
    ]
    emit(
        Report(
            document={
                "quarter": period.label,
                "issued": issued.stamp,
                "differences": rows,
                "explained_by": why,
            },
            csv=differ,
            sections=[differ, explain] if rows else [],
            heading=heading,
        ),
        output,
    )
