"""``mou --help``, ``--version`` and completion must not pay for the storage layer: SQLAlchemy,
SQLModel and Alembic take most of a second to import."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# The installed entry point (tracker.cli.main), started as `mou` is.
PROBE = """
import json, sys
from tracker.cli.main import command
try:
    command()(sys.argv[1:])
except SystemExit:
    pass
heavy = sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'sqlmodel', 'alembic'})
if sys.argv[1:] in (["--help"], ["--version"]):
    # The list of commands is drawn from the index of their summaries: no command module is
    # imported, no command is made, and Typer's help formatter (Markdown, syntax
    # highlighting) is not needed.
    heavy += sorted(command().commands.built) + sorted({'typer.rich_utils'} & set(sys.modules))
    heavy += sorted(m for m in sys.modules if m.startswith('tracker.cli.') and m not in {
        'tracker.cli.main', 'tracker.cli.index', 'tracker.cli.lazy', 'tracker.cli.root',
        'tracker.cli.errors', 'tracker.cli.invocation', 'tracker.cli.render',
        'tracker.cli.options'})
print(json.dumps(heavy), file=sys.stderr)
"""


@pytest.mark.parametrize(
    "args",
    [["--help"], ["--version"], ["status", "--help"], ["import", "--help"], ["db", "--help"]],
)
def test_help_does_not_import_the_storage_layer(args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True
    )
    assert json.loads(result.stderr.strip().splitlines()[-1]) == []
    assert result.stdout


def test_version() -> None:
    from typer.testing import CliRunner

    from tracker import __version__
    from tracker.cli.app import app

    result = CliRunner().invoke(app, ["--version"])
    assert (result.exit_code, result.stdout) == (0, f"mou {__version__}\n")


def test_the_root_command_has_the_apps_commands_in_order() -> None:
    """`mou` makes each command on first use from the same definitions as the whole app."""
    import typer

    from tracker.cli.app import app
    from tracker.cli.lazy import LazyCommands, entries

    whole = typer.main.get_command(app)
    lazy = LazyCommands(entries(app))
    assert list(lazy) == list(whole.commands)  # type: ignore[attr-defined]
    for name, command in whole.commands.items():  # type: ignore[attr-defined]
        made = lazy[name]
        assert [p.name for p in made.params] == [p.name for p in command.params], name
        assert (made.help, made.rich_help_panel) == (command.help, command.rich_help_panel)
        assert lazy.entries[name].summary == (command.help or "").split("\n\n")[0].replace(
            "\n", " "
        ), name


def test_the_index_of_commands_is_current() -> None:
    """The entry point lists commands from tracker/cli/index.py, written by `make docs`."""
    from pathlib import Path

    from tracker.cli import index
    from tracker.cli.app import app
    from tracker.cli.lazy import index_source

    written = Path(index.__file__).read_text("utf-8")
    assert written == index_source(app), "tracker/cli/index.py is stale: run `make docs`"


def _shape(param: object) -> dict[str, object]:
    """What a parameter is, without the objects Typer makes afresh for each command made."""
    return {
        key: value
        for key, value in vars(param).items()
        if key not in ("type_descriptor", "_runtime_param", "_custom_shell_complete")
    }


def _named(function: object) -> str:
    return f"{getattr(function, '__module__', '')}.{getattr(function, '__qualname__', '')}"


def test_the_entry_point_runs_the_apps_commands() -> None:
    """The entry point makes a command from its own module where it stands alone there
    (tracker/cli/index.py names the module), else from the whole app: either way the same
    command, with the same options, help and panel."""
    from tracker.cli.app import command as whole
    from tracker.cli.main import command

    assert list(command().commands) == list(whole().commands)
    assert command().commands.entries["status"].module == "tracker.cli.status"
    assert command().commands.entries["report"].module is None
    for name, made in whole().commands.items():
        alone = command().commands[name]
        assert type(alone) is type(made), name
        assert [_shape(p) for p in alone.params] == [_shape(p) for p in made.params], name
        assert (alone.help, alone.rich_help_panel, _named(alone.callback)) == (
            made.help,
            made.rich_help_panel,
            _named(made.callback),
        ), name
    assert [p.name for p in command().params] == [p.name for p in whole().params]


def test_running_a_command_makes_only_that_command() -> None:
    probe = (
        "import sys; from tracker.cli.app import command\n"
        "try:\n    command()(['status', '--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(command().commands.built), file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.stderr.strip().splitlines()[-1] == "['status']"


def test_the_root_help_lists_every_command_under_its_panel() -> None:
    from typer.testing import CliRunner

    from tracker.cli.app import app
    from tracker.cli.lazy import entries

    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[1] == " Usage: mou [OPTIONS] COMMAND [ARGS]..."
    titles = [line.split(" ")[1] for line in lines if line.startswith("╭─ ")]
    assert titles[0] == "Options"
    for entry in entries(app):
        row = next(line for line in lines if line.startswith(f"│ {entry.name} "))
        assert entry.summary.split(" ")[0] in row, entry.name
    assert max(len(line) for line in lines) == 120


def test_the_core_tables_are_current() -> None:
    """Reads go through tracker/tables.py, written by `make docs` from the models."""
    from pathlib import Path

    from tracker import tables
    from tracker.tablegen import tables_source

    written = Path(tables.__file__).read_text("utf-8")
    assert written == tables_source(), "tracker/tables.py is stale: run `make docs`"


# The status page, run as `mou status` is, on a database holding the example.
STATUS_PROBE = """
import json, sys
from tracker.cli.main import command
try:
    command()(sys.argv[1:])
except SystemExit as end:
    code = end.code
# (tracker.cli.app: the whole app, every command's module, is not needed to run one.)
mapped = {'sqlmodel', 'sqlalchemy.orm', 'tracker.models', 'alembic', 'tracker.cli.app'}
print(json.dumps([code, sorted(mapped & set(sys.modules))]), file=sys.stderr)
"""


@pytest.mark.parametrize(
    "args",
    [
        ["status"],
        ["status", "--format", "json"],
        ["status", "--tree"],
        ["status", "--by", "commitment", "--theme", "LIFE"],
        ["status", "--compare-to", "FY2026/27 Q1"],
    ],
)
def test_status_reads_without_the_mapped_classes(
    args: list[str], sqlite_example_template: Path
) -> None:
    """`mou status` is what people run most: it reads through Core tables, and never pays
    for building the SQLModel classes (or importing SQLModel and the ORM)."""
    result = subprocess.run(
        [sys.executable, "-c", STATUS_PROBE, *args, "--db", str(sqlite_example_template)],
        capture_output=True,
        text=True,
        check=True,
    )
    # (What the page says is pinned by test_cli_status.py's goldens, on this same path.)
    assert "OXF-LIV-2026" in result.stdout or "Slippage tolerances" in result.stdout
    assert json.loads(result.stderr.strip().splitlines()[-1]) == [0, []]


@pytest.mark.parametrize(
    "args",
    [
        ["report", "quarterly", "--quarter", "FY2026/27 Q2", "--format", "json"],
        ["report", "quarterly", "--quarter", "FY2026/27 Q2"],
        ["report", "quarterly", "--quarter", "FY2026/27 Q2", "--section", "milestones",
         "--format", "csv"],
    ],
)  # fmt: skip
def test_the_report_reads_without_the_mapped_classes(
    args: list[str], sqlite_example_template: Path
) -> None:
    """The board's report reads through the Core tables too. (Its "what changed" section
    rebuilds the past through the models, once the audit trail reaches back to the previous
    quarter; the example's trail begins after it.)"""
    result = subprocess.run(
        [sys.executable, "-c", STATUS_PROBE, *args, "--db", str(sqlite_example_template)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "MS-" in result.stdout
    # (`mou report` is a group of commands: groups are made from the whole app, which
    # imports every command's module but none of the storage layer's.)
    assert json.loads(result.stderr.strip().splitlines()[-1]) == [0, ["tracker.cli.app"]]
