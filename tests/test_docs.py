"""The command reference and the help text stay true to the app."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typer

from tracker.cli.app import app

ROOT = Path(__file__).resolve().parent.parent


def _commands() -> dict[str, object]:
    group = typer.main.get_command(app)
    commands: dict[str, object] = {}
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        sub = getattr(command, "commands", None)
        if sub:
            commands.update({f"{name} {child}": value for child, value in sub.items()})
        else:
            commands[name] = command
    return commands


def test_the_command_reference_is_current() -> None:
    generated = subprocess.run(
        [sys.executable, "-m", "typer", "tracker.cli.app", "utils", "docs", "--name", "mou",
         "--title", "mou command reference"],
        capture_output=True, text=True, check=True, cwd=ROOT,
    ).stdout  # fmt: skip
    documented = (ROOT / "docs" / "cli.md").read_text("utf-8")
    assert generated.strip() == documented.strip(), "docs/cli.md is stale: run `make docs`"


@pytest.mark.parametrize("name", sorted(_commands()))
def test_every_command_has_a_summary_and_an_example(name: str) -> None:
    command = _commands()[name]
    help_text = command.help or ""  # type: ignore[attr-defined]
    summary, _, rest = help_text.partition("\n")
    assert summary.strip().endswith("."), f"{name}: one-line summary ending in a full stop"
    assert "Example: mou " in rest, f"{name}: help needs an example"


def test_the_readme_names_the_two_setup_commands() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "make demo" in readme
    assert "make test" in readme
