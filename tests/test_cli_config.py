"""``mou config``: settings stored with the data, validated, and used by status."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Cli


def test_defaults(cli: Cli) -> None:
    result = cli("config", "show", "--format", "json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout) == {
        "scheme": "uk-fy",
        "green_tol_days": "7",
        "red_tol_days": "30",
        "actor": "",
        "risk_red_score": "15",
        "risk_amber_score": "8",
        "kpi_green_pct": "100",
        "kpi_amber_pct": "80",
    }


def test_set_and_unset(cli: Cli) -> None:
    assert cli("config", "set", "green_tol_days", "10").stdout == "green_tol_days: 7 → 10\n"
    assert cli("config", "set", "scheme", "Academic").stdout == "scheme: uk-fy → academic\n"
    assert cli("config", "set", "actor", "  Programme office ").stdout == (
        "actor: (none) → Programme office\n"
    )
    assert json.loads(cli("config", "show", "-f", "json").stdout) == {
        "scheme": "academic",
        "green_tol_days": "10",
        "red_tol_days": "30",
        "actor": "Programme office",
        "risk_red_score": "15",
        "risk_amber_score": "8",
        "kpi_green_pct": "100",
        "kpi_amber_pct": "80",
    }
    assert cli("config", "unset", "scheme").stdout == "scheme: academic → uk-fy (default)\n"
    assert cli("config", "unset", "actor").stdout == "actor: Programme office → (none) (default)\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["set", "colour", "x"],
         "KEY: expected one of scheme, green_tol_days, red_tol_days, actor, risk_red_score, "
         "risk_amber_score, kpi_green_pct, kpi_amber_pct; got 'colour'"),
        (["set", "scheme", "fiscal"], "scheme: expected one of uk-fy, academic, calendar; "
         "got 'fiscal'"),
        (["set", "green_tol_days", "1.5"], "green_tol_days: expected a whole number of days from 0 "
         "to 3650; got '1.5'"),
        (["set", "red_tol_days", "5"], "red_tol_days: green_tol_days (7) must not exceed "
         "red_tol_days (5)"),
        (["unset", "colour"], "KEY: expected one of scheme, green_tol_days, red_tol_days, actor, "
         "risk_red_score, risk_amber_score, kpi_green_pct, kpi_amber_pct; got 'colour'"),
    ],
)  # fmt: skip
def test_invalid_values_are_refused(cli: Cli, args: list[str], message: str) -> None:
    result = cli("config", *args)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"error: {message}\n")
    assert json.loads(cli("config", "show", "-f", "json").stdout)["red_tol_days"] == "30"


def test_unset_that_would_break_the_order_is_refused(cli: Cli) -> None:
    cli("config", "set", "red_tol_days", "60")
    cli("config", "set", "green_tol_days", "40")
    result = cli("config", "unset", "red_tol_days")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: red_tol_days: green_tol_days (40) must not exceed red_tol_days (30)\n"
    )


def test_status_uses_the_tolerances(example_cli: Cli) -> None:
    def amber_and_red() -> tuple[int, int]:
        result = example_cli("status", "--as-of", "2026-11-28", "-f", "json")
        overall = json.loads(result.stdout)["overall"]
        return overall["amber"], overall["red"]

    assert amber_and_red() == (1, 3)
    example_cli("config", "set", "green_tol_days", "14")  # MS-14 slips 13 days: now green
    assert amber_and_red() == (0, 3)
    example_cli("config", "set", "red_tol_days", "45")  # MS-15 slips 42 days: now amber
    assert amber_and_red() == (1, 2)
    table = example_cli("status", "--as-of", "2026-11-28", "--by", "theme")
    assert table.stdout.splitlines()[-1] == (
        "As of 2026-11-28. Slippage tolerances: green up to 14 days, red beyond 45 days."
    )
