"""Shell completion: refs for every option and argument that takes one, read from the database
the command line points at, without importing the storage layer; quarter labels for
``--quarter`` and ``--from``."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import ROOT
from tracker import db as storage
from tracker.cli import completion
from tracker.cli.app import app
from tracker.db import Database
from tracker.kinds import KINDS


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tracker.cli.context.today", lambda: dt.date(2026, 11, 28))


def complete(line: str, cword: int | None = None, **env: str) -> list[str]:
    """What bash completion offers for the last word of ``line`` (which may be empty), or for
    word number ``cword``."""
    words = line.split(" ")
    result = CliRunner().invoke(
        app,
        [],
        env={
            "_MOU_COMPLETE": "complete_bash",
            "COMP_WORDS": line,
            "COMP_CWORD": str(len(words) - 1 if cword is None else cword),
            **env,
        },
        prog_name="mou",
    )
    assert (result.exit_code, result.stderr) == (0, ""), result
    return [item for item in result.stdout.splitlines() if item]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("mou show MS-1", [f"MS-{n}" for n in range(10, 20)]),
        ("mou show bm", ["bm01", "bm02", "bm03"]),  # in the case it was typed
        ("mou update-milestone ms-2", ["ms-20", "ms-21", "ms-22"]),
        ("mou list milestones --workstream WS0", [f"WS0{n}" for n in range(10)]),
        ("mou status --theme LIFE-", ["LIFE-IPC", "LIFE-NEURO", "LIFE-VAX", "LIFE-WH"]),
        ("mou add-workstream X --partners OXF,L", ["OXF,LCRCA", "OXF,LIV"]),
        ("mou add-visit X --attendees TRACEY:h", ["TRACEY:host"]),
        ("mou add-visit X --attendees TRACEY:host,JO", ["TRACEY:host,JONES"]),
        ("mou update-party O", ["OCC", "OXF"]),
        ("mou add-party STF", ["STFC"]),
        ("mou add-action X --meeting BM0", ["BM01", "BM02", "BM03"]),
        ("mou update-board-meeting BM03 --chair MO", ["MOLYNEUX", "MORLEY"]),
        ("mou update-mou OXF-LIV-2026 --owner VAR", ["VARGHESE"]),
        ("mou history A1", ["A10", "A11"]),
        ("mou due --owner M", ["MOLYNEUX", "MORLEY"]),
        ("mou calendar --owner FAIR", ["FAIRBAIRN"]),
        ("mou timeline --theme GROW-", ["GROW-INVEST", "GROW-RETAIN"]),
        ("mou export --mou ", ["OXF-LIV-2026"]),
        ("mou add-milestone X --workstream WS09 --owner HUX", ["HUXTABLE"]),
        ("mou show NOPE", []),
    ],
)
def test_refs_are_completed_from_the_database(
    example_db: Database, line: str, expected: list[str]
) -> None:
    assert complete(line, MOU_DATABASE_URL=example_db.url) == expected


def test_any_kind_of_ref_for_show(example_db: Database) -> None:
    found = complete("mou show ", MOU_DATABASE_URL=example_db.url)
    assert len(found) == len(set(found)) == 117  # 118 records with refs; HARWELL names two
    assert {"OXF", "HARWELL", "OXF-LIV-2026", "BM02", "A11", "MS-22", "C12"} <= set(found)


def test_the_database_the_command_line_names(example_db: Database, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.db"
    line = f"mou show --db {elsewhere} MS-1"
    assert complete(line, MOU_DATABASE_URL=example_db.url) == []
    assert not elsewhere.exists()  # completion never creates a database
    url = example_db.url
    assert complete(f"mou show --db {url} MS-2", MOU_DB=str(elsewhere)) == [
        "MS-20",
        "MS-21",
        "MS-22",
    ]


def test_mou_db_and_the_default_database(example_db: Database, tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    assert complete("mou show MS-1", MOU_DB=str(missing)) == []
    assert not missing.exists()
    assert complete("mou show MS-1") == []  # the default file does not exist in the tests
    if example_db.url.startswith("sqlite"):
        path = example_db.url.removeprefix("sqlite:///")
        assert len(complete("mou show MS-1", MOU_DB=path)) == 10


def test_an_unreachable_server_gives_nothing(tmp_path: Path) -> None:
    url = "postgresql+psycopg://mou@127.0.0.1:1/nowhere"
    assert complete("mou show MS-1", MOU_DATABASE_URL=url) == []
    garbage = tmp_path / "garbage.db"
    garbage.write_text("not a database\n")
    assert complete("mou show MS-1", MOU_DB=str(garbage)) == []


def test_quarter_labels(cli: object) -> None:
    found = complete("mou report quarterly --quarter ")
    assert found[:3] == ["current", "previous", "next"]
    assert found[3:] == [
        "FY2024/25 Q3", "FY2024/25 Q4", "FY2025/26 Q1", "FY2025/26 Q2", "FY2025/26 Q3",
        "FY2025/26 Q4", "FY2026/27 Q1", "FY2026/27 Q2", "FY2026/27 Q3", "FY2026/27 Q4",
        "FY2027/28 Q1", "FY2027/28 Q2", "FY2027/28 Q3",
    ]  # fmt: skip
    # A label is one word, typed in quotes: "FY2026/27 Q<TAB>.
    assert complete('mou report quarterly -q "FY2026/27 Q', cword=4) == [
        "FY2026/27 Q1", "FY2026/27 Q2", "FY2026/27 Q3", "FY2026/27 Q4",
    ]  # fmt: skip
    assert complete("mou report quarterly -q fy2025/26") == [
        "fy2025/26 Q1", "fy2025/26 Q2", "fy2025/26 Q3", "fy2025/26 Q4",
    ]  # fmt: skip
    assert complete("mou report quarterly --scheme academic --quarter AY2026")[:2] == [
        "AY2026/27 Q1",
        "AY2026/27 Q2",
    ]
    assert complete("mou timeline --from pre") == ["previous"]


def test_quarter_labels_follow_the_scheme_setting(example_db: Database) -> None:
    from tests.conftest import Cli

    assert Cli(example_db.url)("config", "set", "scheme", "calendar").exit_code == 0
    found = complete("mou report quarterly --quarter 2026", MOU_DATABASE_URL=example_db.url)
    assert found == ["2026 Q1", "2026 Q2", "2026 Q3", "2026 Q4"]


PROBE = """
import json, sys
from tracker.cli.app import app
try:
    app(prog_name="mou")
except SystemExit:
    pass
heavy = sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'sqlmodel', 'alembic'})
print(json.dumps(heavy), file=sys.stderr)
"""


def test_completion_never_imports_the_storage_layer(example_db: Database) -> None:
    """On every TAB the shell runs mou: it must not pay most of a second for the ORM, on
    SQLite (sqlite3) or PostgreSQL (psycopg alone)."""
    env = {
        **os.environ,
        "_MOU_COMPLETE": "complete_bash",
        "COMP_WORDS": "mou show MS-1",
        "COMP_CWORD": "2",
        "MOU_DATABASE_URL": example_db.url,
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, env=env
    )
    assert result.stdout.splitlines() == [f"MS-{n}" for n in range(10, 20)]
    assert json.loads(result.stderr.strip().splitlines()[-1]) == []


def test_each_kind_is_found_in_its_table() -> None:
    """Completion names each kind's table without the models (snake case of the model)."""
    for kind in KINDS:
        if kind.has_ref:
            assert completion._sql_table(kind.table) == kind.model.__tablename__, kind.table


def test_completion_reads_the_database_settings_as_mou_does() -> None:
    assert (completion.ENV_URL, completion.ENV_PATH) == (storage.ENV_URL, storage.ENV_PATH)
    assert completion.LOOKS_LIKE_URL.pattern == storage._LOOKS_LIKE_URL.pattern


def _commands() -> dict[str, object]:
    import typer

    group = typer.main.get_command(app)
    found: dict[str, object] = {}
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        sub = getattr(command, "commands", None)
        found.update({f"{name} {child}": value for child, value in sub.items()} if sub else {})
        if not sub:
            found[name] = command
    return found


# Parameters that take an existing record's ref, by name (and every option shown as REF).
REF_PARAMETERS = {"theme", "institution", "workstream", "owner", "mou", "ref"}


def _entries_start_with_a_ref(command: str, option: str) -> bool:
    """Whether a list of entries (``A:B,…``) starts each entry with a ref (``TRACEY:host``),
    rather than a period or a number (a KPI's ``FY2026/27 Q1:6``, a risk's earlier scores)."""
    from tracker.fields import FieldType
    from tracker.kinds import KINDS

    noun = command.split("-", 1)[1].replace("-", " ")
    kind = next(kind for kind in KINDS if kind.noun.lower() == noun)
    rows = kind.field(option).rows
    assert rows is not None
    return rows.columns[0].field_type is FieldType.REF


def test_every_option_and_argument_that_takes_a_ref_completes_it() -> None:
    missing = []
    for name, command in sorted(_commands().items()):
        for param in command.params:  # type: ignore[attr-defined]
            entries = param.metavar == "A:B,…" and _entries_start_with_a_ref(name, param.name)
            takes_ref = (
                entries
                or param.metavar in ("REF", "REF,REF…")
                or (param.name in REF_PARAMETERS and param.param_type_name == "argument")
            )
            if param.name in REF_PARAMETERS - {"ref"} and param.param_type_name == "option":
                takes_ref = True
            new_ref = name.startswith("add-") and param.name == "ref"  # names a new record
            if takes_ref and not new_ref and param._custom_shell_complete is None:
                missing.append(f"{name} {param.name}")
    assert missing == []
    # And the quarter options.
    for name in ("report quarterly", "timeline"):
        command = _commands()[name]
        quarter = next(p for p in command.params if p.name in ("quarter", "start"))  # type: ignore[attr-defined]
        assert quarter._custom_shell_complete is not None, name
