"""The audit trail and undo: every change recorded with its command, nothing recorded that was
not written, and any command taken back whole."""

from __future__ import annotations

import getpass
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli
from tests.helpers import snapshot
from tracker.db import Database


def log(cli: Cli, *args: str) -> list[dict[str, Any]]:
    result = cli("log", *args, "--format", "json")
    assert result.exit_code == 0, result
    entries: list[dict[str, Any]] = json.loads(result.stdout)["entries"]
    return entries


def test_every_change_is_recorded_with_its_command(example_cli: Cli) -> None:
    result = example_cli("--actor", "Jo Bloggs", "update-milestone", "MS-13", "--forecast",
                         "2027-01-15", "--owner", "none")  # fmt: skip
    assert result.exit_code == 0, result
    entries = log(example_cli, "--limit", "2")
    assert [
        (e["actor"], e["command"], e["kind"], e["ref"], e["action"], e["field"], e["old"], e["new"])
        for e in entries
    ] == [
        ("Jo Bloggs", "mou --actor 'Jo Bloggs' update-milestone MS-13 --forecast 2027-01-15 "
         "--owner none", "milestones", "MS-13", "change", "forecast", None, "2027-01-15"),
        ("Jo Bloggs", "mou --actor 'Jo Bloggs' update-milestone MS-13 --forecast 2027-01-15 "
         "--owner none", "milestones", "MS-13", "change", "owner", "BRANNIGAN", None),
    ]  # fmt: skip
    assert entries[0]["command_id"] == entries[1]["command_id"] == 2  # the import was 1


def test_the_import_is_recorded_too(example_cli: Cli) -> None:
    entries = log(example_cli, "--limit", "0")
    assert {entry["command"] for entry in entries} == {"(library call)"}
    assert len({(entry["kind"], entry["ref"]) for entry in entries}) == 96


@pytest.mark.parametrize(
    ("env", "args", "setting", "expected"),
    [
        ({"MOU_ACTOR": "From env"}, ["--actor", "From flag"], None, "From flag"),
        ({"MOU_ACTOR": "From env"}, [], "From setting", "From env"),
        ({}, [], "From setting", "From setting"),
        ({}, [], None, getpass.getuser()),
    ],
)
def test_who_is_recorded(
    example_cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    args: list[str],
    setting: str | None,
    expected: str,
) -> None:
    if setting:
        example_cli("config", "set", "actor", setting)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert example_cli(*args, "update-milestone", "MS-13", "--title", "Renamed").exit_code == 0
    assert log(example_cli, "--limit", "1")[0]["actor"] == expected


def test_no_record_without_a_change(example_cli: Cli, example_db: Database) -> None:
    before = snapshot(example_db)
    assert example_cli("update-milestone", "MS-99", "--title", "x").exit_code == 1
    assert example_cli("add-milestone", "x", "-w", "WS01", "--due", "bad").exit_code == 1
    assert example_cli("remove-institution", "OXF").exit_code == 1
    owner = json.loads(example_cli("show", "MS-13", "-f", "json").stdout)["fields"]["owner"]
    assert example_cli("update-milestone", "MS-13", "--owner", owner).exit_code == 0  # no-op
    assert snapshot(example_db) == before


def test_reads_never_write(example_db: Database, example_cli: Cli) -> None:
    if not example_db.url.startswith("sqlite"):
        pytest.skip("file checksum: SQLite only")
    path = Path(example_db.url.removeprefix("sqlite:///"))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    for command in (
        ["status"], ["status", "--tree"], ["list", "milestones"], ["show", "MS-13"],
        ["log"], ["history", "MS-13"], ["config", "show"], ["export"], ["db", "status"],
        ["report", "quarterly", "-q", "FY2026/27 Q2"], ["check"],
    ):  # fmt: skip
        assert example_cli(*command).exit_code in (0, 1), command
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_log_filters(example_cli: Cli) -> None:
    example_cli("--actor", "Ann", "update-milestone", "MS-13", "--title", "A")
    example_cli("--actor", "Bob", "update-milestone", "MS-14", "--title", "B")
    assert {e["ref"] for e in log(example_cli, "--actor-is", "ann")} == {"MS-13"}
    assert {e["actor"] for e in log(example_cli, "ms-14", "--limit", "0")} == {"Bob", "root"} or {
        e["actor"] for e in log(example_cli, "ms-14", "--limit", "0")
    } == {"Bob", getpass.getuser()}
    assert log(example_cli, "--since", "2199-01-01") == []
    history = example_cli("history", "MS-14", "-f", "json")
    fields = [(e["action"], e["field"]) for e in json.loads(history.stdout)["entries"]]
    assert fields[-1] == ("change", "title")  # oldest first
    assert fields[0][0] == "add"


def test_undo_the_last_command_and_undo_the_undo(example_cli: Cli) -> None:
    original = example_cli("export").stdout
    example_cli("update-milestone", "MS-13", "--forecast", "2027-01-15")
    changed = example_cli("export").stdout
    result = example_cli("undo", "--yes")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines()[1:] == [
        "  restore milestone MS-13: forecast",
        "Undid command 2.",
    ]
    assert example_cli("export").stdout == original
    assert example_cli("undo", "-y").exit_code == 0  # the undo was a command too: redo
    assert example_cli("export").stdout == changed


def test_undo_a_cascade_restores_everything(example_cli: Cli) -> None:
    original = example_cli("export").stdout
    removed = example_cli("remove-institution", "OXF", "--cascade")
    assert removed.exit_code == 0, removed
    assert "OXF" not in json.loads(example_cli("export", "-f", "json").stdout)["institutions"]
    assert example_cli("undo", "-y").exit_code == 0
    assert example_cli("export").stdout == original


def test_undo_refuses_when_later_commands_touched_the_same_records(example_cli: Cli) -> None:
    example_cli("update-milestone", "MS-13", "--title", "First")
    example_cli("update-milestone", "MS-13", "--title", "Second")
    example_cli("update-milestone", "MS-14", "--title", "Other")
    refused = example_cli("undo", "2", "--yes")
    assert (refused.exit_code, refused.stderr) == (
        1,
        "error: cannot undo command 2: later commands changed the same records: "
        "milestone MS-13 (by command 3); undo those first\n",
    )
    assert example_cli("undo", "4", "--yes").exit_code == 0  # MS-14's change stands alone


def test_undo_asks_first(example_cli: Cli) -> None:
    example_cli("config", "set", "green_tol_days", "10")
    declined = example_cli("undo", input="n\n")
    assert declined.exit_code == 1
    assert declined.stdout.splitlines() == [
        f"Command 2 by {log(example_cli)[0]['actor']} at {log(example_cli)[0]['at']} UTC: "
        "mou config set green_tol_days 10",
        "  restore setting green_tol_days: value",
        "Undo this command? [y/N]: n",
    ]
    assert declined.stderr == "error: nothing was undone\n"
    assert json.loads(example_cli("config", "show", "-f", "json").stdout)["green_tol_days"] == "10"
    accepted = example_cli("undo", input="y\n")
    assert accepted.exit_code == 0
    assert json.loads(example_cli("config", "show", "-f", "json").stdout)["green_tol_days"] == "7"


def test_nothing_to_undo(cli: Cli) -> None:
    result = cli("undo", "--yes")
    assert (result.exit_code, result.stderr) == (
        1,
        "error: nothing to undo: no command has changed this database yet\n",
    )
    assert cli("undo", "42", "--yes").stderr == (
        "error: COMMAND: no command 42 in the log (see mou log)\n"
    )
