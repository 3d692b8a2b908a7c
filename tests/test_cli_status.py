"""``mou status`` through the command line: exact output, pinned in golden files. The same
files serve both backends, so SQLite and PostgreSQL print the same bytes."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Cli
from tests.golden import assert_golden

AS_OF = "2026-11-28"


def test_status_table(example_cli: Cli) -> None:
    result = example_cli("status", "--as-of", AS_OF)
    assert result.exit_code == 0, result
    assert_golden("status.txt", result.stdout)


@pytest.mark.parametrize("by", ["theme", "institution", "workstream", "commitment"])
def test_status_by_one_scope_as_json(example_cli: Cli, by: str) -> None:
    result = example_cli("status", "--by", by, "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0, result
    document = json.loads(result.stdout)
    assert list(document) == ["as_of", "by", "rows"]
    assert (document["as_of"], document["by"]) == (AS_OF, by)
    assert list(document["rows"][0]) == [
        "scope", "name", "total", "done", "green", "amber", "red", "overdue",
        "pct_complete", "rag", "next_ref", "next_due", "rag_previous", "trend", "at_risk",
    ]  # fmt: skip
    assert_golden(f"status_by_{by}.json", result.stdout)


def test_status_on_a_narrow_terminal_leaves_out_whole_columns(example_cli: Cli) -> None:
    result = example_cli("status", "--as-of", AS_OF, columns=80)
    assert result.exit_code == 0, result
    tables = result.stdout.split("Progress by theme")[1].split("Left out")[0]
    assert max(len(line.rstrip()) for line in tables.splitlines()) <= 80
    assert (
        "Left out to fit 80 columns: Name, Green, Amber, Next, Next due, At risk, Basis."
        in result.stdout
    )
    assert_golden("status_80.txt", result.stdout)


def test_status_by_workstream_table(example_cli: Cli) -> None:
    result = example_cli("status", "--by", "workstream", "--as-of", AS_OF)
    assert result.exit_code == 0, result
    assert_golden("status_by_workstream.txt", result.stdout)


def test_status_csv_has_both_tables(example_cli: Cli) -> None:
    result = example_cli("status", "--as-of", AS_OF, "--format", "csv")
    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "scope_type,scope,name,total,done,green,amber,red,overdue,pct_complete,rag,"
        "next_ref,next_due,rag_previous,trend,at_risk"
    )
    assert lines[1] == (
        "theme,ACAD,Academic and research partnership,6,3,3,0,0,0,50.0,GREEN,MS-16,2027-02-19,"
        "GREEN,same,1"
    )
    assert_golden("status.csv", result.stdout)


def test_status_whole_programme_json(example_cli: Cli) -> None:
    result = example_cli("status", "--as-of", AS_OF, "-f", "json")
    assert result.exit_code == 0, result
    document = json.loads(result.stdout)
    assert document["overall"]["rag"] == "RED"
    assert document["overall"]["total"] == 21
    assert list(document["tables"]) == ["theme", "institution"]


def test_status_narrowed(example_cli: Cli) -> None:
    result = example_cli(
        "status", "--by", "workstream", "--theme", "life", "--as-of", AS_OF, "-f", "csv"
    )
    assert result.exit_code == 0, result
    assert [line.split(",")[1] for line in result.stdout.splitlines()[1:]] == [
        "WS03", "WS04", "WS05",
    ]  # fmt: skip


def test_status_as_of_changes_the_answer(example_cli: Cli) -> None:
    early = example_cli("status", "--by", "institution", "--as-of", "2026-03-01", "-f", "json")
    rows = {row["scope"]: row for row in json.loads(early.stdout)["rows"]}
    assert rows["OXF"]["done"] == 2
    assert rows["OXF"]["red"] == 0


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["--as-of", "31/02/2026"],
            1,
            "error: --as-of: 31/02/2026 is not a day of the calendar: February 2026 has 28 days\n",
        ),
        (
            ["--compare-to", "1899-12-31"],
            1,
            "error: --compare-to: 1899-12-31 is outside the years 1900 to 2199\n",
        ),
        (
            ["--compare-to", "FY1899/00 Q1"],
            1,
            "error: --compare-to: FY1899/00 Q1 is outside the years 1900 to 2199\n",
        ),
        (["--theme", "NOPE"], 1, "error: --theme: no theme with ref 'NOPE'\n"),
        (["--institution", "bad ref!"], 1, None),
        (["--by", "planet"], 2, None),
        (["--format", "xml"], 2, None),
        (["--colour"], 2, None),
    ],
)
def test_status_bad_input(
    example_cli: Cli, args: list[str], code: int, message: str | None
) -> None:
    result = example_cli("status", *args)
    assert result.exit_code == code
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    if message is not None:
        assert result.stderr == message
    if code == 1:
        assert len(result.stderr.splitlines()) == 1


def test_status_on_an_empty_database(cli: Cli) -> None:
    result = cli("status")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: no MoU in this database yet: load a programme with `mou import FILE.toml`\n"
    )


def test_user_text_is_never_markup(cli: Cli, tmp_path: object) -> None:
    from pathlib import Path

    from tests.helpers import MINIMAL

    hostile = MINIMAL.replace('name = "Workstream one"', 'name = "[bold red]x[/] [/]"')
    path = Path(str(tmp_path)) / "hostile.toml"
    path.write_text(hostile, "utf-8")
    assert cli("import", str(path)).exit_code == 0
    result = cli("status", "--by", "workstream")
    assert result.exit_code == 0, result
    assert "[bold red]x[/] [/]" in result.stdout
