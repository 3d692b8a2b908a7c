"""The README's "Monday morning" section shows what the commands print: each output it quotes
is checked here against the command, run on the example as of Monday 30 November 2026."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from tests.conftest import ROOT, Cli

README = (ROOT / "README.md").read_text("utf-8")
MONDAY = "2026-11-30"


def printed(cli: Cli, *args: str, columns: int, lines: int | None = None) -> str:
    result = cli(*args, columns=columns)
    assert (result.exit_code, result.stderr) == (0, ""), result
    shown = [line.rstrip() for line in result.stdout.splitlines()]
    return "\n".join(shown[:lines])


@pytest.mark.parametrize(
    ("args", "columns", "lines"),
    [
        (("due", "--as-of", MONDAY), 100, None),
        (("due", "--as-of", MONDAY, "--by", "owner", "--owner", "MOLYNEUX"), 100, None),
        (("status", "--as-of", MONDAY), 100, 9),
        (("timeline", "--as-of", MONDAY), 80, None),
    ],
    ids=["due", "due by owner", "status", "timeline"],
)
def test_the_readme_quotes_what_the_commands_print(
    example_cli: Cli, args: tuple[str, ...], columns: int, lines: int | None
) -> None:
    quoted = printed(example_cli, *args, columns=columns, lines=lines)
    assert f"```\n{quoted}\n```" in README


def test_the_readme_quotes_the_calendar_export(
    example_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    quoted = printed(
        example_cli, "calendar", "--as-of", MONDAY, "--out", "programme.ics", columns=100
    )
    assert f"```\n{quoted}\n```" in README


def _note_commands(text: str, prefix: str) -> list[list[str]]:
    return [shlex.split(line)[1:] for line in text.splitlines() if line.startswith(prefix)]


def test_the_readme_quotes_the_board_pack(example_cli: Cli) -> None:
    """Step 11: the commentary written by the commands it shows, then the pack at 80 columns.
    The picture's script writes the same commentary."""
    commands = _note_commands(README, "mou note add ")
    assert len(commands) == 3
    added = "\n".join(printed(example_cli, *command, columns=100) for command in commands)
    assert f"```\n{added}\n```" in README
    quoted = printed(example_cli, "report", "quarterly", "-q", "FY2026/27 Q3", "--as-of",
                     "2026-11-30", columns=80)  # fmt: skip
    assert f"```\n{quoted}\n```" in README
    script = (ROOT / "docs" / "board-pack-picture.sh").read_text("utf-8")
    assert _note_commands(script, '"$MOU" note add ') == [
        [*command, ">/dev/null"] for command in commands
    ]
