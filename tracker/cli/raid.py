"""``mou risks``, ``mou kpis`` and ``mou record-kpi``: the risk register with its grid, KPIs
against their targets, and recording a KPI's actual for a period."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tracker.cli import completion
from tracker.cli.options import Db, Format, OutputFormat
from tracker.enums import RiskStatus
from tracker.text import counted

if TYPE_CHECKING:
    from tracker.cli.render import Report, Section
    from tracker.services.kpis import KpiRow, KpiTable
    from tracker.services.raid import RiskRegister

app = typer.Typer()
PANEL = "Risks, issues and KPIs"

# How the grid names each point of the two scales.
LIKELIHOOD = {1: "rare", 2: "unlikely", 3: "possible", 4: "likely", 5: "almost certain"}
IMPACT = {1: "minimal", 2: "minor", 3: "moderate", 4: "major", 5: "severe"}

StatusChoice = StrEnum(  # type: ignore[misc]
    "StatusChoice", {**{status.name: status.value for status in RiskStatus}, "ALL": "all"}
)


@app.command("risks", rich_help_panel=PANEL)
def risks(
    theme: Annotated[
        str | None,
        typer.Option(
            "--theme",
            help="Only risks under this theme (directly, or through a workstream).",
            autocompletion=completion.refs("themes"),
        ),
    ] = None,
    status: Annotated[
        StatusChoice,
        typer.Option("--status", help="Only risks of this status.", case_sensitive=False),
    ] = StatusChoice.ALL,  # type: ignore[attr-defined]
    output: Format = OutputFormat.TABLE,
    db: Db = None,
) -> None:
    """Show the risk register by score, with a likelihood × impact grid.

    Example: mou risks --status open
    """
    from tracker.cli.context import open_db
    from tracker.cli.render import emit
    from tracker.services.raid import risk_register
    from tracker.services.settings import risk_bands

    chosen = None if status.value == "all" else RiskStatus(status.value)
    with open_db(db).reading() as session:
        register = risk_register(
            session=session, bands=risk_bands(session=session), theme=theme, status=chosen
        )
    emit(register_report(register, theme=theme, status=chosen), output)


REGISTER_COLUMNS = [
    # key, header, kind, drop order on a narrow terminal (0: always shown)
    ("ref", "Ref", "ref", 0),
    ("title", "Title", "text", 0),
    ("theme", "Theme", "ref", 6),
    ("workstream", "Workstream", "ref", 5),
    ("owner", "Owner", "ref", 4),
    ("likelihood", "L", "number", 0),
    ("impact", "I", "number", 0),
    ("score", "Score", "number", 0),
    ("band", "Band", "rag", 0),
    ("status", "Status", "ref", 1),
    ("response", "Response", "ref", 3),
    ("mitigation", "Mitigation", "text", 8),
    ("target", "Target", "date", 7),
    ("review", "Review", "date", 2),
    ("description", "Description", "text", 9),
]


def register_report(
    register: RiskRegister, *, theme: str | None, status: RiskStatus | None
) -> Report:
    from dataclasses import asdict

    from tracker.cli.render import Column, Report, Section

    rows = [asdict(row) for row in register.rows]
    columns = [Column(*spec) for spec in REGISTER_COLUMNS]  # type: ignore[arg-type]
    # The terminal leaves the long description to --format csv and json.
    table = Section("Risk register", columns[:-1], rows)
    register_section = Section("risks", columns, rows)
    count = len(rows)
    bands = register.bands
    document = {
        "theme": theme,
        "status": status.value if status else None,
        "bands": {"red": bands.red, "amber": bands.amber},
        "rows": rows,
    }
    return Report(
        document=document,
        csv=register_section,
        sections=[table, grid_section(register)],
        notes=[
            counted(count, "risk")
            + (f" (status {status.value})" if status else "")
            + (f" under theme {theme.upper()}" if theme else "")
            + ". Score = likelihood × impact, each from 1 to 5.",
            f"Bands: {bands.describe()} (settings risk_red_score and risk_amber_score).",
        ],
    )


def grid_section(register: RiskRegister) -> Section:
    """The 5 × 5 grid: likelihood down (most likely at the top), impact across; each cell
    holds how many risks sit there, shaded by the band of its score."""
    from tracker.cli.render import Column, Section, Shaded

    columns = [Column("likelihood", "Likelihood ↓  Impact →", "ref")]
    columns += [Column(f"i{impact}", f"{impact} {IMPACT[impact]}", "heat") for impact in IMPACT]
    rows: list[dict[str, Any]] = []
    for likelihood in sorted(LIKELIHOOD, reverse=True):
        row: dict[str, Any] = {"likelihood": f"{likelihood} {LIKELIHOOD[likelihood]}"}
        for impact in IMPACT:
            count = register.grid[likelihood - 1][impact - 1]
            band = register.bands.band(likelihood * impact).value
            row[f"i{impact}"] = Shaded(str(count) if count else "·", band)
        rows.append(row)
    return Section("Likelihood × impact: how many risks sit in each cell", columns, rows)


@app.command("kpis", rich_help_panel=PANEL)
def kpis(
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            "-p",
            help="A quarter (FY2026/27 Q2; current, previous, next) or a whole year "
            "(FY2026/27). Default: the latest quarter that has ended.",
            show_default=False,
        ),
    ] = None,
    output: Format = OutputFormat.TABLE,
    db: Db = None,
) -> None:
    """Show each KPI against its target for a period, with RAG and a trend.

    Example: mou kpis --period "FY2026/27 Q2"
    """
    from tracker.cli.context import open_db, today
    from tracker.cli.render import emit
    from tracker.services.kpis import choose_period, kpi_table
    from tracker.services.settings import kpi_thresholds, reporting_scheme

    with open_db(db).reading() as session:
        scheme = reporting_scheme(session=session)
        chosen = choose_period(period, scheme=scheme, today=today(), field="--period")
        table = kpi_table(
            session=session,
            period=chosen,
            thresholds=kpi_thresholds(session=session),
            scheme=scheme,
        )
    emit(kpi_report(table), output)


JSON_KEYS = ("ref", "name", "unit", "target", "actual", "attainment_pct", "rag")
CSV_COLUMNS = [
    ("ref", "ref"),
    ("name", "text"),
    ("unit", "ref"),
    ("direction", "ref"),
    ("cumulative", "ref"),
    ("period", "ref"),
    ("target", "number"),
    ("actual", "number"),
    ("attainment_pct", "number"),
    ("rag", "rag"),
    ("note", "text"),
]


def kpi_section(table: KpiTable, title: str) -> Section:
    """KPIs as the terminal shows them: amounts in their units, and a sparkline of the last
    quarters' actuals."""
    from tracker.cli.render import Column, Section
    from tracker.cli.values import show_amount, sparkline

    columns = [
        Column("ref", "Ref", "ref"),
        Column("kpi", "KPI", "text"),
        Column("basis", "Basis", "ref", 3),
        Column("target", "Target", "number"),
        Column("actual", "Actual", "number"),
        Column("attainment", "Attainment", "number"),
        Column("rag", "RAG", "rag"),
        Column("trend", "Trend", "ref", 2),
    ]
    rows = [
        {
            "ref": row.ref,
            "kpi": row.name,
            "basis": _basis(row),
            "target": show_amount(row.target, row.unit),
            "actual": show_amount(row.actual, row.unit),
            "attainment": "" if row.attainment_pct is None else f"{row.attainment_pct:.1f}%",
            "rag": row.rag,
            "trend": sparkline([value for _, value in row.trend]),
        }
        for row in table.rows
    ]
    return Section(title, columns, rows)


def _basis(row: KpiRow) -> str:
    """'running total, lower is better': how the figures are compared."""
    words = "running total" if row.cumulative else "in period"
    return words + (", lower is better" if row.direction == "lower" else "")


def kpi_notes(table: KpiTable) -> list[str]:
    from tracker.scoring import quarters_to
    from tracker.services.kpis import TREND_QUARTERS

    quarters = quarters_to(table.period, TREND_QUARTERS)
    return [
        f"KPI RAG: {table.thresholds.describe()} (settings kpi_green_pct and kpi_amber_pct); "
        "no target or no actual, no RAG.",
        f"KPI trend: each quarter's own actual, {quarters[0].label} to {quarters[-1].label}; "
        "· where none was recorded.",
    ]


def kpi_report(table: KpiTable) -> Report:
    from tracker.cli.render import Column, Report, Section

    label = table.period.label
    document = {
        "period": label,
        "rows": [{key: getattr(row, key) for key in JSON_KEYS} for row in table.rows],
    }
    flat = Section(
        "kpis",
        [Column(key, key, kind) for key, kind in CSV_COLUMNS],  # type: ignore[arg-type]
        [{**_plain(row), "period": label} for row in table.rows],
    )
    count = len(table.rows)
    return Report(
        document=document,
        csv=flat,
        sections=[kpi_section(table, f"KPIs in {label}")],
        notes=[f"{counted(count, 'KPI')}.", *kpi_notes(table)],
    )


def _plain(row: KpiRow) -> dict[str, Any]:
    from dataclasses import asdict

    values = asdict(row)
    values.pop("trend")
    return values


@app.command("record-kpi", rich_help_panel=PANEL)
def record_kpi(
    kpi: Annotated[
        str,
        typer.Argument(
            help="The KPI.",
            metavar="KPI",
            show_default=False,
            autocompletion=completion.refs("kpis"),
        ),
    ],
    value: Annotated[
        str,
        typer.Argument(
            help="The actual (1200000, 1,200,000, 2.5), or none to remove the period's actual.",
            metavar="VALUE",
            show_default=False,
        ),
    ],
    period: Annotated[
        str,
        typer.Option(
            "--period",
            "-p",
            help="The quarter (FY2026/27 Q2; current, previous) or year it is for.",
            show_default=False,
        ),
    ],
    note: Annotated[
        str | None,
        typer.Option("--note", help="Where the figure comes from, or what it covers."),
    ] = None,
    db: Db = None,
) -> None:
    """Record a KPI's actual for a period; recording it again replaces it.

    Example: mou record-kpi KPI-01 1200000 --period "FY2026/27 Q2" --note "UKRI award letter"
    """
    from tracker.cli.context import open_db, today
    from tracker.cli.values import CLEAR_WORDS, number, show_amount
    from tracker.services.kpis import choose_period, record_actual
    from tracker.services.settings import kpi_thresholds, reporting_scheme

    amount = None if value.strip().casefold() in CLEAR_WORDS else number("VALUE", value)
    with open_db(db).writing() as session:
        scheme = reporting_scheme(session=session)
        chosen = choose_period(period, scheme=scheme, today=today(), field="--period")
        recorded = record_actual(
            kpi,
            amount,
            period=chosen,
            note=note,
            session=session,
            thresholds=kpi_thresholds(session=session),
            scheme=scheme,
        )
    row = recorded.row
    key = recorded.saved.key
    if recorded.value is None:
        typer.echo(
            f"Removed the actual of {key} for {recorded.period} (was "
            f"{show_amount(recorded.previous, row.unit)})."
        )
        return
    if not recorded.saved.changed:
        typer.echo(f"{key} already had that actual for {recorded.period}; nothing changed.")
        return
    typer.echo(f"Recorded {key} for {recorded.period}: {show_amount(recorded.value, row.unit)}")
    if recorded.previous is not None:
        typer.echo(f"  replaces {show_amount(recorded.previous, row.unit)}")
    typer.echo("  " + _standing(row))


def _standing(row: KpiRow) -> str:
    """'target £1,000,000; attainment 120.0%: GREEN', or why there is no RAG."""
    from tracker.cli.values import show_amount

    actual, target = "actual", "target"
    if row.cumulative:
        actual, target = "running total", "running target"
    if row.target is None:
        return f"{actual} {show_amount(row.actual, row.unit)}; no {target}, so no RAG"
    attained = "" if row.attainment_pct is None else f"attainment {row.attainment_pct:.1f}%: "
    return (
        f"{actual} {show_amount(row.actual, row.unit)} against {target} "
        f"{show_amount(row.target, row.unit)}; {attained}{row.rag}"
    )
