"""The board pack in the terminal: what ``mou report quarterly`` shows without ``--out`` or
``--section``. Headline and exceptions first, then the themes and institutions with their
quarter's figures and trend, KPIs and the commentary, with plain-English headers; every line
fits the terminal (whole columns are left out, and named, as ``mou status`` does)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from rich.text import Text

from tracker.cli.columns import rag_as_reported
from tracker.cli.render import RAG_STYLES, Column, Report, Section
from tracker.services.status_rows import ARROWS
from tracker.text import counted, days_away

if TYPE_CHECKING:
    from tracker.services.board_pack import BoardPack, ScopeRow
    from tracker.services.issuing import Issued

# The detail a board pack leaves to --section (and to the workbook's sheets).
DETAIL = ("milestones", "visits", "actions", "risks", "issues", "changes")

# key, header, kind, drop order on a narrow terminal (the highest goes first; 0 never).
SCOPE_COLUMNS = [
    ("scope", "Ref", "ref", 0),
    ("name", "{noun}", "text", 0),
    ("rag_trend", "RAG", "rag", 0),
    ("due_in_period", "Due", "number", 0),
    ("achieved_in_period", "Achieved", "number", 7),
    ("achieved_on_time", "Achieved\non time", "number", 1),
    ("achieved_late", "Late", "number", 8),
    ("missed_in_period", "Missed", "number", 1),
    ("overdue_at_period_end", "Overdue", "number", 2),
    ("forecast_next_period", "Due next\nquarter", "number", 9),
    ("pct_on_time", "% on\ntime", "number", 0),
    ("total", "Total", "number", 5),
    ("done", "Done", "number", 4),
    ("pct_complete", "%\ndone", "number", 6),
    ("at_risk", "At\nrisk", "number", 3),
]
RED_COLUMNS = [
    ("ref", "Ref", "ref", 0),
    ("title", "Milestone", "text", 0),
    ("owner", "Owner", "ref", 0),  # the board asks who: never left out
    ("due", "Due", "date", 0),
    ("forecast", "Forecast", "date", 15),
    ("days_overdue", "Days\nlate", "number", 12),
    ("rag_shown", "RAG", "rag", 0),
    ("reported_rag_reason", "Reason given", "text", 10),
]
AT_RISK_COLUMNS = [
    ("ref", "Ref", "ref", 0),
    ("title", "Milestone", "text", 0),
    ("owner", "Owner", "ref", 14),
    ("due", "Due", "date", 0),
    ("at_risk_from", "At risk from", "text", 0),
]
ACTION_COLUMNS = [
    ("ref", "Ref", "ref", 0),
    ("text", "Action", "text", 0),
    ("owner", "Owner", "ref", 14),
    ("follows", "Follows", "ref", 15),
    ("due", "Due", "date", 0),
    ("days_overdue", "Days\nlate", "number", 13),
]
RISK_COLUMNS = [
    ("ref", "Ref", "ref", 0),
    ("title", "Risk", "text", 0),
    ("owner", "Owner", "ref", 14),
    ("score", "Score", "number", 0),
    ("band", "Band", "rag", 0),
    ("movement_shown", "Since\nlast qtr", "ref", 16),
]
DATE_COLUMNS = [
    ("date", "Date", "date", 0),
    ("title", "What", "text", 0),
    ("when", "When", "ref", 0),
]
KPI_COLUMNS = [
    ("ref", "Ref", "ref", 0),
    ("name", "KPI", "text", 0),
    ("target_shown", "Target", "number", 0),
    ("actual_shown", "Actual", "number", 0),
    ("attainment", "Attain-\nment", "number", 0),
    ("rag", "RAG", "rag", 0),
]
MOVEMENT = {"up": "↑ worse", "down": "↓ better", "same": "→ same"}


def _columns(specs: list[tuple[str, str, str, int]], noun: str = "") -> list[Column]:
    return [
        Column(key, header.format(noun=noun), kind, drop)  # type: ignore[arg-type]
        for key, header, kind, drop in specs
    ]


def terminal_pack(pack: BoardPack, *, issued: Issued | None, document: dict[str, Any]) -> Report:
    """The pack as a Report for the one renderer: heading lines, then its sections."""
    summary = pack.summary
    sections: list[Section] = []
    if pack.programme_commentary:
        sections.append(_text_section("Commentary on the programme", pack.programme_commentary))
    sections += [
        _rows_or_none(
            "Milestones red or overdue",
            _columns(RED_COLUMNS),
            [_red_row(row) for row in pack.milestones_red],
            "None: no open milestone is red.",
        ),
        _rows_or_none(
            "Milestones at risk from one they depend on",
            _columns(AT_RISK_COLUMNS),
            pack.milestones_at_risk,
            "None: no open milestone waits on one that finishes after it is due.",
        ),
        _rows_or_none(
            "Overdue actions",
            _columns(ACTION_COLUMNS),
            [_action_row(row) for row in pack.actions_overdue],
            "None: every open action is within its due date.",
        ),
        _rows_or_none(
            f"Top risks (the {len(pack.top_risks)} open risks that score highest)"
            if pack.top_risks
            else "Top risks",
            _columns(RISK_COLUMNS),
            [_risk_row(row) for row in pack.top_risks],
            "None: no risk is open.",
        ),
        _rows_or_none(
            "The MoU's dates coming up"
            + (f" (to {_day(pack.mou['look_ahead_to'])})" if pack.mou.get("look_ahead_to") else ""),
            _columns(DATE_COLUMNS),
            [_date_row(row) for row in pack.lifecycle],
            "None in the next two quarters.",
        ),
        _scope_section("Themes", "Theme", pack.themes),
    ]
    themed = [row for row in pack.themes if row.commentary]
    if themed or pack.workstream_commentary:
        lines: list[Text] = []
        for row in themed:
            lines += _commentary_lines(f"{row.scope} {row.name}", row.commentary or "")
        for item in pack.workstream_commentary:
            lines += _commentary_lines(f"{item['scope']} {item['name']}", item["text"])
        sections.append(Section("Commentary on themes and workstreams", [], [], lines=lines[:-1]))
    sections.append(_scope_section("Institutions", "Institution", pack.institutions))
    kpis = document.get("kpis", [])
    if kpis:
        sections.append(
            Section(
                f"KPIs in {summary['period']}",
                _columns(KPI_COLUMNS),
                [_kpi_row(row) for row in kpis],
            )
        )
    return Report(
        document=document,
        csv=Section("", [], []),  # not used: the caller gives the report's own CSV
        sections=sections,
        heading=_heading(pack, issued),
        notes=_notes(pack),
    )


def _heading(pack: BoardPack, issued: Issued | None) -> list[Text]:
    from tracker.cli.report import as_of_words
    from tracker.dates import format_date

    summary, mou = pack.summary, pack.mou
    title = Text(summary["programme"], style="bold")
    if mou.get("title"):
        title.append("  ")
        title.append(mou["title"], style="bold")
    lines = [
        title,
        Text(
            f"Board pack for {summary['period']} ({summary['start']} to {summary['end']}), "
            f"{as_of_words(summary, issued)}"
        ),
    ]
    if mou:
        names = [party["name"] for party in mou.get("parties", [])]
        line = "Parties: " + _and(names) + "." if names else ""
        if mou.get("signed"):
            line += f" Signed {format_date(dt.date.fromisoformat(mou['signed']))};"
        line += f" {mou.get('stage', mou.get('status', ''))}."
        lines.append(Text(line.strip()))
    rag = Text("Programme RAG: ")
    rag.append(summary["rag"], style=RAG_STYLES.get(summary["rag"], ""))
    trend = summary.get("trend")
    if trend:
        rag.append(f" {ARROWS[trend]}")
        previous = summary.get("rag_previous")
        rag.append(
            f" ({previous} at the end of the previous quarter)"
            if previous
            else " (no milestones at the end of the previous quarter)"
        )
    lines.append(rag)
    on_time = summary["pct_on_time"]
    lines.append(
        Text(
            f"In the quarter: {counted(summary['due_in_period'], 'milestone')} due, "
            f"{summary['achieved_in_period']} achieved ({summary['achieved_on_time']} on time, "
            f"{summary['achieved_late']} late), {summary['missed_in_period']} missed, "
            f"{summary['overdue_at_period_end']} overdue at the end, "
            f"{summary['forecast_next_period']} forecast next quarter"
            + (f"; {on_time:.1f}% on time." if on_time is not None else ".")
        )
    )
    lines.append(
        Text(
            f"To date: {counted(summary['total'], 'milestone')}, {summary['done']} done, "
            f"{summary['green']} green, {summary['amber']} amber, {summary['red']} red"
            + (
                f"; {summary['at_risk']} at risk from a dependency."
                if summary.get("at_risk")
                else "."
            )
        )
    )
    if "risks_open" in summary:
        lines.append(
            Text(
                f"Open: {counted(pack.actions_open, 'action')} "
                f"({len(pack.actions_overdue)} overdue), "
                f"{counted(summary['risks_open'], 'risk')} ({summary['risks_red']} red, "
                f"{summary['risks_amber']} amber, {summary['risks_green']} green), "
                f"{counted(summary['issues_open'], 'issue')}. KPIs: {summary['kpis_green']} "
                f"green, {summary['kpis_amber']} amber, {summary['kpis_red']} red."
            )
        )
    if issued is not None and issued.note:
        lines.append(Text(f"Note: {issued.note}"))
    return lines


def _notes(pack: BoardPack) -> list[str]:
    summary = pack.summary
    green, red = summary["green_tol_days"], summary["red_tol_days"]
    notes = [
        f"RAG: {ARROWS['up']} better, {ARROWS['down']} worse, {ARROWS['same']} the same as at "
        "the end of the previous quarter (as issued, where it was). On time means completed "
        f"within {green} days of due; green up to {green} days' slippage, red beyond {red}.",
    ]
    if "risk_red_score" in summary:
        from tracker.scoring import KpiThresholds, RiskBands

        bands = RiskBands(red=summary["risk_red_score"], amber=summary["risk_amber_score"])
        thresholds = KpiThresholds(green=summary["kpi_green_pct"], amber=summary["kpi_amber_pct"])
        notes.append(f"Risk bands: {bands.describe()}. KPI RAG: {thresholds.describe()}.")
    if pack.missing:
        notes.append(
            "Issued before the board pack existed: "
            + ", ".join(name.replace("_", " ") for name in pack.missing)
            + " not recorded."
        )
    notes.append(
        "Detail: --section " + ", ".join(DETAIL) + "; every sheet: --xlsx FILE; "
        "everything: --format json."
    )
    return notes


def _scope_section(title: str, noun: str, rows: list[ScopeRow]) -> Section:
    from dataclasses import asdict

    shown = [
        {**asdict(row), "rag_trend": f"{row.rag} {ARROWS.get(row.trend, row.trend)}"}
        for row in rows
    ]
    return Section(
        title,
        _columns(SCOPE_COLUMNS, noun),
        shown,
        indent={index: row.depth for index, row in enumerate(rows) if row.depth},
    )


def _rows_or_none(
    title: str, columns: list[Column], rows: list[dict[str, Any]], none: str
) -> Section:
    """A table, without the optional columns no row fills (no reason was given, nothing is
    overdue), or a line saying there is nothing to list."""
    if not rows:
        return Section(title, columns, [], lines=[Text(none)])
    filled = [
        column
        for column in columns
        if not column.drop_order or any(row.get(column.key) not in (None, "") for row in rows)
    ]
    return Section(title, filled, rows)


def _text_section(title: str, text: str) -> Section:
    return Section(title, [], [], lines=[Text(part) for part in text.split("\n")])


def _commentary_lines(label: str, text: str) -> list[Text]:
    first, *rest = text.split("\n")
    line = Text(label, style="bold")
    line.append(f": {first}")
    return [line, *(Text(part) for part in rest), Text("")]


def _red_row(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "rag_shown": rag_as_reported(row)}


def _action_row(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "follows": row.get("visit") or row.get("meeting")}


def _risk_row(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "movement_shown": MOVEMENT.get(row.get("movement") or "", "")}


def _date_row(row: dict[str, Any]) -> dict[str, Any]:
    when = days_away(row["days"], overdue=row["overdue"])
    return {"date": dt.date.fromisoformat(row["date"]), "title": row["title"], "when": when}


def _kpi_row(row: dict[str, Any]) -> dict[str, Any]:
    from tracker.cli.values import show_amount

    attainment = row.get("attainment_pct")
    return {
        **row,
        "target_shown": show_amount(row.get("target"), row["unit"]),
        "actual_shown": show_amount(row.get("actual"), row["unit"]),
        "attainment": "" if attainment is None else f"{attainment:.1f}%",
    }


def _day(iso: str) -> str:
    from tracker.dates import format_day

    return format_day(dt.date.fromisoformat(iso))


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
