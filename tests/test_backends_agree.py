"""SQLite and PostgreSQL must give the same answers: the example is loaded into both and every
read command's output is compared byte for byte. New read commands join READ_COMMANDS.

``mou calendar`` is not among them: each event's DTSTAMP is the time its record last changed,
and the two databases were loaded at different moments (tests/test_calendar.py compares the
rest)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, Cli, PostgresServer

READ_COMMANDS = [
    ["status", "--as-of", "2026-11-28"],
    ["status", "--as-of", "2026-11-28", "--format", "json"],
    ["status", "--as-of", "2026-11-28", "--format", "csv"],
    ["status", "--as-of", "2026-06-30", "--by", "workstream"],
    ["status", "--as-of", "2027-03-31", "--by", "commitment", "--format", "json"],
    ["status", "--as-of", "2026-11-28", "--by", "theme", "--theme", "GROW"],
    ["status", "--as-of", "2026-11-28", "--by", "institution", "--institution", "oxf"],
    ["status", "--as-of", "2026-11-28", "--tree"],
    ["list", "milestones", "--as-of", "2026-11-28", "--format", "csv"],
    ["list", "visits", "--format", "json"],
    ["show", "MS-19", "--as-of", "2026-11-28"],
    ["show", "OXF", "--format", "json"],
    ["config", "show"],
    ["export"],
    ["export", "--format", "json"],
    ["report", "quarterly", "-q", "FY2026/27 Q3", "--as-of", "2026-11-28"],
    ["report", "quarterly", "-q", "FY2025/26 Q4", "--format", "json"],
    ["report", "quarterly", "-q", "2026 Q2", "--scheme", "calendar", "--section", "milestones"],
    [
        "report",
        "quarterly",
        "-q",
        "2026 Q2",
        "--scheme",
        "calendar",
        "--section",
        "milestone_summary",
        "-f",
        "csv",
    ],
    *(
        [
            "report",
            "quarterly",
            "-q",
            "FY2026/27 Q3",
            "--as-of",
            "2026-11-28",
            "-f",
            "csv",
            "--section",
            name,
        ]
        for name in ("milestones", "actions", "risks", "issues", "kpis", "changes")
    ),
    ["report", "quarterly", "-q", "FY2026/27 Q2", "-f", "json"],
    ["list", "milestones", "--at-risk", "--as-of", "2026-11-28"],
    ["list", "risks", "--format", "json"],
    ["list", "kpis", "--format", "csv"],
    ["show", "R01"],
    ["show", "MS-16", "--as-of", "2026-11-28", "--format", "json"],
    ["risks"],
    ["risks", "--status", "open", "--theme", "GROW", "--format", "json"],
    ["risks", "--format", "csv"],
    ["kpis", "--period", "FY2026/27 Q2"],
    ["kpis", "--period", "FY2026/27", "--format", "json"],
    ["kpis", "--period", "FY2026/27 Q1", "--format", "csv"],
    ["report", "quarterly", "-q", "FY2026/27 Q3", "--as-of", "2026-11-28", "-f", "json"],
    ["list", "actions", "--as-of", "2026-11-28"],
    ["list", "actions", "--as-of", "2027-01-31", "--overdue", "--format", "json"],
    ["show", "BM02", "--as-of", "2026-11-28"],
    ["show", "V03", "--as-of", "2026-11-28", "--format", "json"],
    ["due", "--as-of", "2026-11-28"],
    ["due", "--as-of", "2026-11-28", "--by", "owner"],
    ["due", "--as-of", "2027-03-01", "--within", "90d", "--format", "json"],
    ["due", "--as-of", "2031-03-01", "--format", "csv"],
    ["timeline", "--as-of", "2026-11-28"],
    ["timeline", "--as-of", "2026-11-28", "--quarters", "12", "--format", "json"],
    ["changes", "--since", "2000-01-01", "--format", "csv"],
    ["report", "quarterly", "-q", "FY2026/27 Q3", "--as-of", "2026-11-30"],
    ["report", "quarterly", "-q", "FY2026/27 Q2", "--section", "milestone_exceptions", "-f", "csv"],
    ["report", "quarterly", "-q", "FY2026/27 Q2", "--section", "delivery_by_quarter"],
    ["note", "list", "--format", "json"],
    ["show", "LIFE", "--as-of", "2026-11-28"],
    ["show", "OCC", "--as-of", "2026-11-28", "--format", "json"],
    ["show", "OXF-LIV-2026", "--as-of", "2026-11-28"],
]


# Once a report is issued, the export and the issued list carry the moment it was issued.
AFTER_ISSUE = [
    ["report", "diff", "FY2026/27 Q2"],
    ["report", "diff", "FY2026/27 Q2", "--format", "json"],
    ["report", "quarterly", "-q", "FY2026/27 Q2", "-f", "json"],
]


@pytest.fixture
def both(tmp_path: Path, sqlite_template: Path, postgres: PostgresServer) -> tuple[Cli, Cli]:
    import shutil

    path = tmp_path / "agree.db"
    shutil.copyfile(sqlite_template, path)
    clis = (Cli(f"sqlite:///{path}"), Cli(postgres.create(template=postgres.template)))
    for cli in clis:
        result = cli("import", str(EXAMPLE))
        assert result.exit_code == 0, result
    return clis


def test_every_read_command_prints_the_same_on_both_backends(both: tuple[Cli, Cli]) -> None:
    sqlite, postgresql = both
    for command in READ_COMMANDS:
        on_sqlite = sqlite(*command)
        on_postgresql = postgresql(*command)
        assert on_sqlite.exit_code == on_postgresql.exit_code == 0, command
        assert on_sqlite.stdout == on_postgresql.stdout, command


def test_the_calendar_is_the_same_on_both_backends_but_for_its_stamps(
    both: tuple[Cli, Cli],
) -> None:
    """Each DTSTAMP is the time its record last changed, which differs between the two loads;
    every other byte is the same."""

    def unstamped(cli: Cli) -> str:
        result = cli("calendar", "--as-of", "2026-11-28")
        assert result.exit_code == 0, result
        lines = result.stdout.splitlines()
        assert sum(line.startswith("DTSTAMP:") for line in lines) == 43
        return "\n".join(line for line in lines if not line.startswith("DTSTAMP:"))

    sqlite, postgresql = both
    assert unstamped(sqlite) == unstamped(postgresql)


def test_an_issued_report_reads_the_same_on_both_backends(both: tuple[Cli, Cli]) -> None:
    sqlite, postgresql = both
    for cli in both:
        result = cli("report", "issue", "-q", "FY2026/27 Q2", "--as-of", "2026-10-14")
        assert result.exit_code == 0, result
    for command in AFTER_ISSUE:
        on_sqlite = sqlite(*command)
        on_postgresql = postgresql(*command)
        assert on_sqlite.exit_code == on_postgresql.exit_code == 0, command
        assert _unstamped(on_sqlite.stdout) == _unstamped(on_postgresql.stdout), command
        assert "FY2026-27-Q2.1" in on_sqlite.stdout, command


def _unstamped(text: str) -> str:
    """The two reports were issued a moment apart: the moment, down to the day, is set aside."""
    return re.sub(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d)?|\d{1,2} \w{3} \d{4}", "<issued>", text)


def test_the_workbook_is_the_same_on_both_backends(both: tuple[Cli, Cli], tmp_path: Path) -> None:
    """The board pack's workbook depends on the report's document alone: byte for byte."""
    packs = []
    for number, cli in enumerate(both):
        target = tmp_path / f"pack-{number}.xlsx"
        result = cli("report", "quarterly", "-q", "FY2026/27 Q2", "--xlsx", str(target))
        assert result.exit_code == 0, result
        packs.append(target.read_bytes())
    assert packs[0] == packs[1]
