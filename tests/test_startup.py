"""``mou --help``, ``--version`` and completion must not pay for the storage layer: SQLAlchemy,
SQLModel and Alembic take most of a second to import."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PROBE = """
import json, sys
from tracker.cli.app import app
try:
    app(sys.argv[1:])
except SystemExit:
    pass
heavy = sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'sqlmodel', 'alembic'})
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
