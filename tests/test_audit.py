"""The audit trail, undo and redo: every change recorded with its command, nothing recorded
that was not written, any command taken back whole, and undo stepping back like undo
everywhere else."""

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
    line = "mou --actor 'Jo Bloggs' update-milestone MS-13 --forecast 2027-01-15 --owner none"
    commands = log(example_cli, "--limit", "1")
    assert [(e["command_id"], e["actor"], e["command"], e["summary"]) for e in commands] == [
        (2, "Jo Bloggs", line, "2 fields on MS-13")
    ]  # the import was command 1
    assert set(commands[0]) == {"command_id", "at", "actor", "command", "summary"}
    fields = log(example_cli, "--fields", "--limit", "2")
    assert [
        (e["actor"], e["command"], e["kind"], e["ref"], e["action"], e["field"], e["old"], e["new"])
        for e in fields
    ] == [
        ("Jo Bloggs", line, "milestones", "MS-13", "change", "forecast", None, "2027-01-15"),
        ("Jo Bloggs", line, "milestones", "MS-13", "change", "owner", "BRANNIGAN", None),
    ]
    assert {e["command_id"] for e in fields} == {2}
    assert {e["summary"] for e in fields} == {"2 fields on MS-13"}


def test_the_import_is_recorded_as_one_entry_per_record(example_cli: Cli) -> None:
    [command] = log(example_cli, "--limit", "0")
    assert (command["command"], command["summary"]) == ("(library call)", "122 records: 122 added")
    fields = log(example_cli, "--fields", "--limit", "0")
    assert len({(entry["kind"], entry["ref"]) for entry in fields}) == 122


def test_log_shows_one_line_per_command_and_says_when_it_is_cut(example_cli: Cli) -> None:
    example_cli("update-milestone", "MS-13", "--title", "A")
    example_cli("add-milestone", "New", "-w", "WS01", "--due", "2027-06-30")
    example_cli("remove-milestone", "MS-23")
    example_cli("config", "set", "green_tol_days", "10")
    table = example_cli("log", "--limit", "3")
    assert table.exit_code == 0
    assert [e["summary"] for e in log(example_cli)] == [
        "1 field on green_tol_days",
        "removed milestone MS-23",
        "added milestone MS-23",
        "1 field on MS-13",
        "122 records: 122 added",
    ]
    assert table.stdout.splitlines()[-1] == (
        "Showing the newest 3 commands; there are more (--limit 0 shows all)."
    )
    assert example_cli("log").stdout.splitlines()[-1] == "5 commands."


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
        ["log"], ["log", "--fields"], ["history", "MS-13"], ["config", "show"], ["export"],
        ["db", "status"], ["report", "quarterly", "-q", "FY2026/27 Q2"], ["check"],
    ):  # fmt: skip
        assert example_cli(*command).exit_code in (0, 1), command
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_log_filters(example_cli: Cli) -> None:
    example_cli("--actor", "Ann", "update-milestone", "MS-13", "--title", "A")
    example_cli("--actor", "Bob", "update-milestone", "MS-14", "--title", "B")
    assert [e["summary"] for e in log(example_cli, "--actor-is", "ann")] == ["1 field on MS-13"]
    assert [e["actor"] for e in log(example_cli, "ms-14", "--limit", "0")] == [
        "Bob",
        getpass.getuser(),
    ]
    assert log(example_cli, "--since", "2199-01-01") == []
    assert len(log(example_cli, "--since", "today")) == 3  # a local date, against UTC times
    history = example_cli("history", "MS-14", "-f", "json")
    fields = [(e["action"], e["field"]) for e in json.loads(history.stdout)["entries"]]
    assert fields[-1] == ("change", "title")  # oldest first
    assert fields[0][0] == "add"


@pytest.mark.parametrize("command", ["log", "history"])
def test_an_unknown_ref_is_an_error_with_a_suggestion(example_cli: Cli, command: str) -> None:
    assert example_cli(command, "NOPE").stderr == "error: ref: no record has the ref 'NOPE'\n"
    assert example_cli(command, "NOPE").exit_code == 1
    assert example_cli(command, "MS13").stderr == (
        "error: ref: no record has the ref 'MS13'; did you mean MS-13?\n"
    )


def test_the_history_of_a_removed_record_is_still_there(example_cli: Cli) -> None:
    assert example_cli("remove-milestone", "MS-21").exit_code == 0
    history = json.loads(example_cli("history", "MS-21", "-f", "json").stdout)["entries"]
    assert history[0]["action"] == "add"
    assert history[-1]["action"] == "remove"


def test_undo_steps_back_and_redo_steps_forward(example_cli: Cli) -> None:
    original = example_cli("export").stdout
    example_cli("update-milestone", "MS-13", "--forecast", "2027-01-15")
    first = example_cli("export").stdout
    example_cli("update-milestone", "MS-13", "--forecast", "2027-02-01")
    second = example_cli("export").stdout
    result = example_cli("undo", "--yes")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines()[1:] == [
        "  restore milestone MS-13: forecast",
        "Undid command 3.",
    ]
    assert example_cli("export").stdout == first
    # Undo again steps back past the undo itself, to the command before.
    assert example_cli("undo", "-y").stdout.splitlines()[-1] == "Undid command 2."
    assert example_cli("export").stdout == original
    # Redo applies again the command most recently undone, then the one before it.
    assert example_cli("redo", "-y").stdout.splitlines()[-1] == "Redid command 2."
    assert example_cli("export").stdout == first
    assert example_cli("redo", "-y").stdout.splitlines()[-1] == "Redid command 3."
    assert example_cli("export").stdout == second
    assert example_cli("redo", "-y").stderr == "error: nothing to redo: no command is undone\n"
    assert [e["summary"] for e in log(example_cli, "--limit", "4")] == [
        "redo of command 3",
        "redo of command 2",
        "undo of command 2",
        "undo of command 3",
    ]


def test_undo_and_redo_name_the_command_they_cannot_take(example_cli: Cli) -> None:
    example_cli("update-milestone", "MS-13", "--title", "First")
    assert example_cli("undo", "2", "-y").exit_code == 0
    assert example_cli("undo", "2", "-y").stderr == (
        "error: command 2 is already undone (mou redo applies it again)\n"
    )
    assert example_cli("undo", "3", "-y").stderr == (
        "error: COMMAND: command 3 is an undo of command 2; use mou undo 2\n"
    )
    assert example_cli("redo", "1", "-y").stderr == (
        "error: command 1 is not undone; there is nothing to redo\n"
    )


def test_undo_a_cascade_restores_everything(example_cli: Cli) -> None:
    original = example_cli("export").stdout
    removed = example_cli("remove-institution", "OXF", "--cascade")
    assert removed.exit_code == 0, removed
    assert "OXF" not in json.loads(example_cli("export", "-f", "json").stdout)["institutions"]
    assert example_cli("undo", "-y").exit_code == 0
    assert example_cli("export").stdout == original
    assert example_cli("redo", "-y").exit_code == 0
    assert "OXF" not in json.loads(example_cli("export", "-f", "json").stdout)["institutions"]


def test_undo_refuses_when_later_commands_changed_the_same_fields(example_cli: Cli) -> None:
    example_cli("update-milestone", "MS-13", "--title", "First")
    example_cli("update-milestone", "MS-13", "--title", "Second")
    example_cli("update-milestone", "MS-14", "--title", "Other")
    refused = example_cli("undo", "2", "--yes")
    assert (refused.exit_code, refused.stderr) == (
        1,
        "error: cannot undo command 2: milestone MS-13 title changed since by command 3; "
        "undo that first\n",
    )
    assert example_cli("undo", "4", "--yes").exit_code == 0  # MS-14's change stands alone


def test_redo_refuses_when_the_record_changed_after_the_undo(example_cli: Cli) -> None:
    example_cli("update-milestone", "MS-13", "--title", "First")
    example_cli("undo", "-y")
    example_cli("update-milestone", "MS-13", "--title", "Meanwhile")
    refused = example_cli("redo", "-y")
    assert (refused.exit_code, refused.stderr) == (
        1,
        "error: cannot redo command 2: milestone MS-13 title changed since by command 4; "
        "redo that first\n",
    )


def test_undo_asks_first(example_cli: Cli) -> None:
    example_cli("config", "set", "green_tol_days", "10")
    declined = example_cli("undo", input="n\n")
    assert declined.exit_code == 1
    at = log(example_cli)[0]["at"]
    assert declined.stdout.splitlines() == [
        f"Command 2 by {log(example_cli)[0]['actor']} at {at} UTC: "
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
    assert cli("redo", "--yes").stderr == "error: nothing to redo: no command is undone\n"
