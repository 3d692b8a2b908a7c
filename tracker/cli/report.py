"""``mou report quarterly``: the board's quarterly report, as CSV files or in the terminal."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tracker.cli import completion
from tracker.cli.options import AsOf, Db, Format, OutputFormat
from tracker.cli.status import progress_fields
from tracker.text import printable

if TYPE_CHECKING:
    from tracker.cli.render import Report, Section
    from tracker.services.reports import QuarterlyReport

app = typer.Typer(help="Produce reports for the governance board.", no_args_is_help=True)

FILES = (
    "summary.csv",
    "milestone_summary.csv",
    "milestones.csv",
    "theme_progress.csv",
    "institution_progress.csv",
    "visits.csv",
    "actions.csv",
)


@app.command("quarterly")
def quarterly(
    quarter: Annotated[
        str | None,
        typer.Option(
            "--quarter",
            "-q",
            help="FY2026/27 Q1 (or 2026/27 Q1, current, previous, next). "
            "Default: the latest quarter that has ended.",
            show_default=False,
            autocompletion=completion.quarters,
        ),
    ] = None,
    scheme: Annotated[
        str | None,
        typer.Option(
            "--scheme",
            help="uk-fy, academic or calendar. Default: the scheme setting (uk-fy).",
            show_default=False,
        ),
    ] = None,
    as_of: AsOf = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Folder to write the CSV files into. Without it, the report is shown.",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace report files already in the folder.")
    ] = False,
    output: Format = OutputFormat.TABLE,
    db: Db = None,
) -> None:
    """Write the quarterly report: summary, milestones, progress, visits and actions.

    Example: mou report quarterly --quarter "FY2026/27 Q2" --out reports/2026-q2
    """
    from tracker.cli.context import open_db, today
    from tracker.dates import parse_date
    from tracker.errors import UsageError
    from tracker.periods import last_ended_quarter, parse_quarter, parse_scheme
    from tracker.services.reports import quarterly_report
    from tracker.services.settings import reporting_scheme, tolerances

    if out is not None and output is not OutputFormat.TABLE:
        raise UsageError("--format: the files in --out are always CSV; leave out --format")
    now = today()
    database = open_db(db)
    with database.reading() as session:
        chosen = parse_scheme(scheme) if scheme else reporting_scheme(session=session)
        period = (
            parse_quarter(quarter, scheme=chosen, today=now)
            if quarter
            else last_ended_quarter(now, chosen)
        )
        when = (
            parse_date(as_of, field="--as-of", today=now, scheme=chosen).value
            if as_of
            else period.end
        )
        report = quarterly_report(
            session=session, quarter=period, as_of=when, tolerances=tolerances(session=session)
        )
    sections = report_sections(report)
    if out is not None:
        _write_folder(out, sections, force=force)
        typer.echo(
            f"Wrote the {report.quarter.label} report (as of {report.as_of}) to "
            f"{printable(str(out))}:"
        )
        for name in FILES:
            rows = len(sections[name].rows)
            typer.echo(f"  {name}: {rows} row{'s' if rows != 1 else ''}")
        return
    from tracker.cli.render import emit

    emit(_terminal_report(report, sections), output)


def report_sections(report: QuarterlyReport) -> dict[str, Section]:
    """One section per file, with the column names of docs/rules.md (a contract)."""
    from tracker.cli.render import Column, Section

    def section(name: str, rows: list[dict[str, Any]], kinds: dict[str, str]) -> Section:
        # The kinds tables list every column in file order, so an empty file keeps its header.
        columns = [
            Column(key, key, kind, _DROP_ORDER.get(key, 0))  # type: ignore[arg-type]
            for key, kind in kinds.items()
        ]
        return Section(name.removesuffix(".csv").replace("_", " ").capitalize(), columns, rows)

    summary_rows = [asdict(row) for row in report.milestone_summary]
    milestone_rows = [asdict(row) for row in report.milestones]
    visit_rows = [asdict(row) for row in report.visits]
    progress = {
        "theme_progress.csv": report.theme_progress,
        "institution_progress.csv": report.institution_progress,
    }
    sections = {
        "summary.csv": section(
            "summary.csv", [report.summary], dict.fromkeys(report.summary, "text")
        ),
        "milestone_summary.csv": section("milestone_summary.csv", summary_rows, _SUMMARY_KINDS),
        "milestones.csv": section("milestones.csv", milestone_rows, _MILESTONE_KINDS),
    }
    for name, table in progress.items():
        rows = [progress_fields(row.scope, row.name, row.counts) for row in table.rows]
        sections[name] = section(name, rows, _PROGRESS_KINDS)
    sections["visits.csv"] = section("visits.csv", visit_rows, _VISIT_KINDS)
    action_rows = [asdict(row) for row in report.actions]
    sections["actions.csv"] = section("actions.csv", action_rows, _ACTION_KINDS)
    return sections


# On a narrow terminal, these columns give way first (highest first); files keep them all.
_DROP_ORDER = {
    "owner": 9,
    "theme": 8,
    "purpose": 8,
    "workstream": 7,
    "themes": 7,
    "attendees": 6,
    "slippage_days": 5,
    "forecast": 4,
    "kind": 4,
    "sites": 3,
    "institution": 3,
    "status": 2,
    "end": 2,
    "green": 2,
    "amber": 2,
    "next_ref": 1,
    "meeting": 5,
    "visit": 4,
    "overdue": 3,
}

_SUMMARY_KINDS = {
    "scope_type": "ref",
    "scope": "ref",
    "due_in_period": "number",
    "achieved_in_period": "number",
    "achieved_on_time": "number",
    "achieved_late": "number",
    "missed_in_period": "number",
    "overdue_at_period_end": "number",
    "forecast_next_period": "number",
    "pct_on_time": "number",
}
_MILESTONE_KINDS = {
    "ref": "ref",
    "title": "text",
    "workstream": "ref",
    "theme": "ref",
    "institution": "ref",
    "owner": "ref",
    "due": "date",
    "forecast": "date",
    "completed": "date",
    "status": "ref",
    "slippage_days": "number",
    "rag": "rag",
    "due_in_period": "ref",
    "achieved_in_period": "ref",
    "on_time": "ref",
    "missed": "ref",
}
_PROGRESS_KINDS = {
    "scope": "ref",
    "name": "text",
    "total": "number",
    "done": "number",
    "green": "number",
    "amber": "number",
    "red": "number",
    "overdue": "number",
    "pct_complete": "number",
    "rag": "rag",
    "next_ref": "ref",
    "next_due": "date",
}
_VISIT_KINDS = {
    "ref": "ref",
    "title": "text",
    "kind": "ref",
    "date": "date",
    "end": "date",
    "status": "ref",
    "host": "ref",
    "sites": "text",
    "attendees": "text",
    "themes": "text",
    "purpose": "text",
    "outcomes": "text",
    "open_actions": "text",
}
_ACTION_KINDS = {
    "ref": "ref",
    "text": "text",
    "visit": "ref",
    "meeting": "ref",
    "owner": "ref",
    "institution": "ref",
    "due": "date",
    "status": "ref",
    "completed": "date",
    "overdue": "ref",
    "days_overdue": "number",
}


def _write_folder(out: Path, sections: dict[str, Section], *, force: bool) -> None:
    from tracker.cli.render import excel_csv
    from tracker.errors import Conflict, InvalidInput
    from tracker.files import write_files

    if out.exists() and not out.is_dir():
        raise InvalidInput(f"--out: {out} is a file; expected a folder for the report")
    existing = [name for name in FILES if (out / name).exists()]
    if existing and not force:
        raise Conflict(
            f"--out: {out} already holds {', '.join(existing)}; use --force to replace them"
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InvalidInput(f"--out: cannot create {out}: {error.strerror}") from None
    write_files({out / name: excel_csv(sections[name]) for name in FILES})


def _terminal_report(report: QuarterlyReport, sections: dict[str, Section]) -> Report:
    from rich.text import Text

    from tracker.cli.render import Report

    document = {
        "summary": report.summary,
        **{
            name.removesuffix(".csv"): sections[name].rows
            for name in FILES
            if name != "summary.csv"
        },
    }
    shown = [sections[name] for name in FILES if name != "summary.csv"]
    summary = report.summary
    heading = [
        Text(f"{report.mou}  {report.title}", style="bold"),
        Text(
            f"Quarterly report {report.quarter.label} ({summary['start']} to {summary['end']}), "
            f"as of {report.as_of}: {summary['rag']}"
        ),
        Text(
            f"{summary['due_in_period']} due in the period, {summary['achieved_in_period']} "
            f"achieved ({summary['achieved_on_time']} on time, {summary['achieved_late']} late), "
            f"{summary['missed_in_period']} missed, {summary['overdue_at_period_end']} overdue "
            f"at the end, {summary['forecast_next_period']} forecast next quarter"
        ),
    ]
    return Report(
        document=document,
        csv=sections["milestone_summary.csv"],
        sections=shown,
        heading=heading,
        notes=[
            f"Scheme {report.quarter.scheme.value}; on time means completed within "
            f"{report.tolerances.green_days} days of due; RAG tolerances: green up to "
            f"{report.tolerances.green_days} days, red beyond {report.tolerances.red_days} days."
        ],
    )
