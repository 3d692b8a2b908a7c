"""Loading a programme file again never undoes work recorded at the command line since: a
three-way merge of the last import (the base), the file and the database, field by field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tests.conftest import EXAMPLE, Cli
from tests.helpers import MINIMAL, snapshot
from tracker.db import Database

TEXT = EXAMPLE.read_text("utf-8")


def edited(tmp_path: Path, *changes: tuple[str, str], name: str = "edited.toml") -> Path:
    """The example with each (old, new) text replaced once, written to a file."""
    text = TEXT
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


MS13_FORECAST = ('title = "Climate and health seed-fund call opened"\ndue = 2026-12-04',
                 'title = "Climate and health seed-fund call opened"\ndue = 2026-12-04\n'
                 "forecast = 2027-01-15")  # fmt: skip


def shown(cli: Cli, ref: str) -> dict[str, Any]:
    result = cli("show", ref, "-f", "json")
    assert result.exit_code == 0, result
    fields: dict[str, Any] = json.loads(result.stdout)["fields"]
    return fields


def first_line(result: Any) -> str:
    assert result.exit_code == 0, result
    return str(result.stdout.splitlines()[0])


def test_a_completion_recorded_at_the_command_line_survives_loading_the_file_again(
    example_cli: Cli,
) -> None:
    assert example_cli("update-milestone", "MS-14", "--done", "2026-11-27").exit_code == 0
    result = example_cli("import", str(EXAMPLE))
    assert first_line(result).endswith(
        "0 added, 0 changed, 122 unchanged; kept 2 fields changed since the last import."
    )
    fields = shown(example_cli, "MS-14")
    assert (fields["status"], fields["completed"]) == ("done", "2026-11-27")


def test_a_field_changed_only_in_the_file_is_taken(example_cli: Cli, tmp_path: Path) -> None:
    assert example_cli("update-milestone", "MS-14", "--done", "2026-11-27").exit_code == 0
    path = edited(tmp_path, MS13_FORECAST)
    result = example_cli("import", str(path))
    assert first_line(result).endswith(
        "0 added, 1 changed, 121 unchanged; kept 2 fields changed since the last import."
    )
    assert shown(example_cli, "MS-13")["forecast"] == "2027-01-15"
    assert shown(example_cli, "MS-14")["status"] == "done"


def test_a_field_changed_on_both_sides_is_a_conflict_and_nothing_is_written(
    example_cli: Cli, example_db: Database, tmp_path: Path
) -> None:
    example_cli("--actor", "Jo Bloggs", "update-milestone", "MS-13", "--forecast", "2027-02-01")
    path = edited(tmp_path, MS13_FORECAST)
    before = snapshot(example_db)
    result = example_cli("import", str(path))
    at = json.loads(example_cli("log", "--limit", "1", "-f", "json").stdout)["entries"][0]["at"]
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: {path}: 1 field was changed both in the file and in the database since the "
        "last import; nothing was written (choose with --prefer file or --prefer database)",
        f"  milestones MS-13 forecast: file 2027-01-15, database 2027-02-01 (changed by Jo "
        f"Bloggs at {at} UTC)",
    ]
    assert snapshot(example_db) == before


def test_prefer_file_or_database_resolves_every_conflict_and_can_be_undone(
    example_cli: Cli, tmp_path: Path
) -> None:
    example_cli("update-milestone", "MS-13", "--forecast", "2027-02-01")
    path = edited(tmp_path, MS13_FORECAST)
    kept = example_cli("import", str(path), "--prefer", "database")
    assert kept.exit_code == 0, kept
    assert "Changed on both sides since the last import (the database's value taken):" in (
        kept.stdout
    )
    assert shown(example_cli, "MS-13")["forecast"] == "2027-02-01"
    taken = example_cli("import", str(path), "--prefer", "file")
    assert taken.exit_code == 0, taken
    assert shown(example_cli, "MS-13")["forecast"] == "2027-01-15"
    # The choice is audited and undoable like any import.
    log = json.loads(example_cli("log", "--limit", "1", "-f", "json").stdout)["entries"]
    assert log[0]["command"] == f"mou import {path} --prefer file"
    assert example_cli("undo", "-y").exit_code == 0
    assert shown(example_cli, "MS-13")["forecast"] == "2027-02-01"


def test_after_prefer_database_the_next_import_of_the_same_file_keeps_quietly(
    example_cli: Cli, tmp_path: Path
) -> None:
    example_cli("update-milestone", "MS-13", "--forecast", "2027-02-01")
    path = edited(tmp_path, MS13_FORECAST)
    assert example_cli("import", str(path), "--prefer", "database").exit_code == 0
    again = example_cli("import", str(path))
    assert first_line(again).endswith(
        "0 added, 0 changed, 122 unchanged; kept 1 field changed since the last import."
    )


def test_records_with_no_earlier_import_are_not_overwritten_without_prefer_file(
    cli: Cli, database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "minimal.toml"
    path.write_text(MINIMAL, "utf-8")
    assert cli("import", str(path)).exit_code == 0
    assert cli("update-institution", "A", "--name", "Typed name").exit_code == 0
    # A trail with no import in it (a database built before imports were remembered, or by
    # hand): every field that differs counts as changed in the database.
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE audit_entry SET base = NULL"))
    engine.dispose()
    result = cli("import", str(path))
    assert first_line(result).endswith("kept 1 field changed since the last import.")
    assert json.loads(cli("show", "A", "-f", "json").stdout)["fields"]["name"] == "Typed name"
    forced = cli("import", str(path), "--prefer", "file")
    assert forced.exit_code == 0, forced
    assert json.loads(cli("show", "A", "-f", "json").stdout)["fields"]["name"] == "Institution A"


def test_a_record_removed_at_the_command_line_stays_removed(example_cli: Cli) -> None:
    assert example_cli("remove-milestone", "MS-21").exit_code == 0
    result = example_cli("import", str(EXAMPLE))
    assert first_line(result).endswith(
        "0 added, 0 changed, 121 unchanged; kept 1 field changed since the last import."
    )
    assert example_cli("show", "MS-21").exit_code == 1


def test_a_record_added_at_the_command_line_is_left_alone(example_cli: Cli) -> None:
    example_cli("add-milestone", "Typed", "-w", "WS01", "--due", "2027-06-30")
    result = example_cli("import", str(EXAMPLE))
    assert first_line(result).endswith("0 added, 0 changed, 122 unchanged.")
    assert shown(example_cli, "MS-23")["title"] == "Typed"


def test_a_dry_run_lists_every_field_that_would_change_and_every_field_kept(
    example_cli: Cli, tmp_path: Path
) -> None:
    assert example_cli("update-milestone", "MS-14", "--done", "2026-11-27").exit_code == 0
    path = edited(tmp_path, MS13_FORECAST)
    result = example_cli("import", str(path), "--dry-run")
    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    start = lines.index("milestones")
    assert lines[start:] == [
        "milestones",
        "  MS-13 forecast: none → 2027-01-15",
        "Kept (changed in the database since the last import):",
        f"  milestones MS-14 completed: database 2026-11-27, file none (changed by "
        f"{_actor(example_cli)} at {_at(example_cli)} UTC)",
        f"  milestones MS-14 status: database done, file in_progress (changed by "
        f"{_actor(example_cli)} at {_at(example_cli)} UTC)",
        "Dry run: nothing was written.",
    ]
    document = json.loads(example_cli("import", str(path), "--dry-run", "-f", "json").stdout)
    assert document["dry_run"] is True
    assert document["changes"] == [
        {
            "table": "milestones",
            "ref": "MS-13",
            "field": "forecast",
            "database": None,
            "file": "2027-01-15",
            "changed_by": None,
            "changed_at": None,
        }
    ]
    assert [(k["ref"], k["field"], k["database"], k["file"]) for k in document["kept"]] == [
        ("MS-14", "completed", "2026-11-27", None),
        ("MS-14", "status", "done", "in_progress"),
    ]
    assert shown(example_cli, "MS-13")["forecast"] is None


def _actor(cli: Cli) -> str:
    return str(json.loads(cli("log", "--limit", "1", "-f", "json").stdout)["entries"][0]["actor"])


def _at(cli: Cli) -> str:
    return str(json.loads(cli("log", "--limit", "1", "-f", "json").stdout)["entries"][0]["at"])


def test_an_export_loaded_back_into_the_same_database_changes_nothing(
    example_cli: Cli, example_db: Database, tmp_path: Path
) -> None:
    example_cli("update-milestone", "MS-14", "--done", "2026-11-27")
    example_cli("config", "set", "green_tol_days", "10")
    exported = tmp_path / "export.toml"
    assert example_cli("export", "--out", str(exported)).exit_code == 0
    before = snapshot(example_db)
    result = example_cli("import", str(exported))
    assert result.exit_code == 0, result
    assert "0 added, 0 changed" in first_line(result)
    tables = {k: v for k, v in before.items() if k not in ("audit_command", "audit_entry")}
    after = snapshot(example_db)
    assert {k: v for k, v in after.items() if k in tables} == tables


def test_settings_travel_with_the_file_and_merge_like_records(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "with-settings.toml"
    path.write_text('[settings]\ngreen_tol_days = 10\nscheme = "academic"\n' + MINIMAL, "utf-8")
    # Never set here: the file's values are taken.
    assert cli("import", str(path)).exit_code == 0
    settings = json.loads(cli("config", "show", "-f", "json").stdout)
    assert (settings["green_tol_days"], settings["scheme"]) == ("10", "academic")
    # Changed here since: kept when the file has not changed them.
    cli("config", "set", "green_tol_days", "12")
    again = cli("import", str(path))
    assert first_line(again).endswith("kept 1 field changed since the last import.")
    assert json.loads(cli("config", "show", "-f", "json").stdout)["green_tol_days"] == "12"
    # Exported with the programme, only those set.
    exported = cli("export").stdout
    assert exported.split("[mou]")[0].endswith(
        '[settings]\nscheme = "academic"\ngreen_tol_days = 12\n\n'
    )
