"""Two stateful tests over random sequences of commands, through the command line.

1. The past is reproducible: snapshots of several read commands are taken along the way, and
   at the end every one is reproduced, byte for byte, with ``--recorded-by`` the moment it was
   taken, from the final database (adds, updates, removals, imports, undo and redo mixed).
2. Loading a changing programme file never loses work recorded at the command line: a field
   changed at the command line since the last import keeps its value after any import, unless
   the import reported a conflict (and wrote nothing) or was told ``--prefer file``; a field
   changed only in the file is taken.

Both run a quick profile in ``make test`` and at least 200 steps in CI (CI=true).
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from tests.conftest import THOROUGH, Cli
from tests.helpers import MINIMAL
from tracker.migrate import upgrade

AS_OF = "2026-11-28"
READS = (
    ("status", "--as-of", AS_OF, "--format", "json"),
    ("list", "milestones", "--as-of", AS_OF, "--format", "csv"),
    ("export",),
)
TITLES = st.text(alphabet="abcdefgh ZoëÅ", min_size=1, max_size=10).map(str.strip).filter(bool)
DATES = st.dates(min_value=dt.date(2026, 6, 1), max_value=dt.date(2027, 6, 30))

_TEMPLATE: Path | None = None


def _template() -> Path:
    global _TEMPLATE
    if _TEMPLATE is None:
        _TEMPLATE = Path(tempfile.mkdtemp()) / "template.db"
        upgrade(f"sqlite:///{_TEMPLATE}")
    return _TEMPLATE


def _now() -> str:
    """The moment just after a command returned, as --recorded-by reads it (UTC)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _milestones_toml(milestones: dict[str, dict[str, Any]]) -> str:
    parts = []
    for ref, fields in sorted(milestones.items()):
        lines = ["[[milestones]]", f'ref = "{ref}"', 'workstream = "W1"',
                 f'title = "{fields["title"]}"', f"due = {fields['due'].isoformat()}"]  # fmt: skip
        if fields.get("forecast"):
            lines.append(f"forecast = {fields['forecast'].isoformat()}")
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


class _Machine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp())
        path = self.folder / "mou.db"
        shutil.copyfile(_template(), path)
        self.cli = Cli(f"sqlite:///{path}")
        self.counter = 0
        # The programme file as it stands: milestone ref -> title, due, forecast.
        self.file: dict[str, dict[str, Any]] = {}

    def teardown(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def _next(self) -> str:
        self.counter += 1
        return f"M{self.counter}"

    def _write_file(self) -> Path:
        path = self.folder / "programme.toml"
        path.write_text(MINIMAL + "\n" + _milestones_toml(self.file), "utf-8")
        return path

    def _milestones(self) -> dict[str, dict[str, Any]]:
        """What the database holds now, read back through export."""
        import json

        document = json.loads(self.cli("export", "--format", "json").stdout)
        return {
            row["ref"]: {
                "title": row["title"],
                "due": dt.date.fromisoformat(row["due"]),
                "forecast": dt.date.fromisoformat(row["forecast"]) if "forecast" in row else None,
            }
            for row in document.get("milestones", [])
        }


class RecordedByMachine(_Machine):
    """Every snapshot taken along the way is reproduced from the final database."""

    def __init__(self) -> None:
        super().__init__()
        self.snapshots: list[tuple[str, tuple[str, ...], tuple[int, str, str]]] = []

    def _snapshot(self) -> None:
        moment = _now()
        for read in READS:
            result = self.cli(*read)  # an undone import leaves no MoU: errors are printed too
            self.snapshots.append((moment, read, (result.exit_code, result.stdout, result.stderr)))

    @initialize()
    def load(self) -> None:
        assert self.cli("import", str(self._write_file())).exit_code == 0
        self._snapshot()

    @rule(title=TITLES, due=DATES)
    def add_milestone(self, title: str, due: dt.date) -> None:
        ref = self._next()
        result = self.cli(
            "add-milestone", title, "-w", "W1", "--due", due.isoformat(), "--ref", ref
        )
        assert result.exit_code == 0, result
        self._snapshot()

    @rule(data=st.data(), forecast=DATES)
    def slip(self, data: st.DataObject, forecast: dt.date) -> None:
        refs = sorted(self._milestones())
        if not refs:
            return
        ref = data.draw(st.sampled_from(refs))
        self.cli("update-milestone", ref, "--forecast", forecast.isoformat())
        self._snapshot()

    @rule(data=st.data(), title=TITLES)
    def rename_institution(self, data: st.DataObject, title: str) -> None:
        ref = data.draw(st.sampled_from(["A", "B"]))
        self.cli("update-institution", ref, "--name", title)
        self._snapshot()

    @rule(data=st.data())
    def remove_milestone(self, data: st.DataObject) -> None:
        refs = sorted(self._milestones())
        if not refs:
            return
        self.cli("remove-milestone", data.draw(st.sampled_from(refs)))
        self._snapshot()

    @rule(data=st.data(), title=TITLES, due=DATES)
    def edit_and_import_the_file(self, data: st.DataObject, title: str, due: dt.date) -> None:
        if self.file and data.draw(st.booleans()):
            ref = data.draw(st.sampled_from(sorted(self.file)))
            self.file[ref]["title"] = title
        else:
            self.file[self._next()] = {"title": title, "due": due, "forecast": None}
        prefer = data.draw(st.sampled_from([[], ["--prefer", "file"], ["--prefer", "database"]]))
        self.cli("import", str(self._write_file()), *prefer)
        self._snapshot()

    @rule()
    def undo(self) -> None:
        self.cli("undo", "--yes")
        self._snapshot()

    @rule()
    def redo(self) -> None:
        self.cli("redo", "--yes")
        self._snapshot()

    def teardown(self) -> None:
        try:
            for moment, read, printed in self.snapshots:
                again = self.cli(*read, "--recorded-by", moment)
                assert (again.exit_code, again.stdout, again.stderr) == printed, (moment, read)
        finally:
            super().teardown()


class MergeMachine(_Machine):
    """No command-line change is lost to an import unless a conflict was reported or the
    file was preferred; changes made only in the file are taken."""

    def __init__(self) -> None:
        super().__init__()
        self.base: dict[str, dict[str, Any]] = {}  # the file as last imported

    @initialize(due=DATES)
    def load(self, due: dt.date) -> None:
        self.file = {"M0": {"title": "first", "due": due, "forecast": None}}
        assert self.cli("import", str(self._write_file())).exit_code == 0
        self.base = {ref: dict(fields) for ref, fields in self.file.items()}

    @rule(data=st.data(), title=TITLES, forecast=st.none() | DATES)
    def edit_at_the_command_line(
        self, data: st.DataObject, title: str, forecast: dt.date | None
    ) -> None:
        refs = sorted(self._milestones())
        if not refs:
            return
        ref = data.draw(st.sampled_from(refs))
        if data.draw(st.booleans()):
            self.cli("update-milestone", ref, "--title", title)
        else:
            self.cli(
                "update-milestone", ref, "--forecast", forecast.isoformat() if forecast else "none"
            )

    @rule(title=TITLES, due=DATES)
    def add_at_the_command_line(self, title: str, due: dt.date) -> None:
        self.cli(
            "add-milestone", title, "-w", "W1", "--due", due.isoformat(), "--ref", self._next()
        )

    @rule(data=st.data(), title=TITLES, forecast=st.none() | DATES, due=DATES)
    def edit_the_file(
        self, data: st.DataObject, title: str, forecast: dt.date | None, due: dt.date
    ) -> None:
        choice = data.draw(st.sampled_from(["title", "forecast", "new", "adopt"]))
        if choice == "new" or not self.file:
            self.file[self._next()] = {"title": title, "due": due, "forecast": None}
        elif choice == "adopt":
            # The file takes up a milestone first added at the command line.
            database = self._milestones()
            typed = sorted(set(database) - set(self.file))
            if typed:
                ref = data.draw(st.sampled_from(typed))
                self.file[ref] = {**database[ref], "title": title}
        else:
            ref = data.draw(st.sampled_from(sorted(self.file)))
            self.file[ref][choice] = title if choice == "title" else forecast

    @precondition(lambda self: bool(self.file))
    @rule(prefer=st.sampled_from([None, "file", "database"]))
    def load_the_file(self, prefer: str | None) -> None:
        before = self._milestones()
        expected: dict[str, dict[str, Any]] = {ref: dict(fields) for ref, fields in before.items()}
        conflict = False
        for ref, mine in self.file.items():
            current, base = before.get(ref), self.base.get(ref)
            if current is None:
                if base is None or mine != base or prefer == "file":
                    if base is not None and mine != base and prefer != "file":
                        conflict = True  # removed here, changed in the file
                    else:
                        expected[ref] = dict(mine)
                continue
            for name in ("title", "forecast"):
                theirs, was = current[name], (base or {}).get(name, object())
                if mine[name] == theirs:
                    continue
                if base is None or mine[name] == was:
                    take = prefer == "file"  # changed only here: kept
                elif theirs == was:
                    take = True  # changed only in the file
                else:
                    conflict = True
                    take = prefer == "file"
                if take:
                    expected[ref][name] = mine[name]
            if base is not None and mine["due"] != base["due"] and current["due"] == base["due"]:
                expected[ref]["due"] = mine["due"]
        flags = ["--prefer", prefer] if prefer else []
        result = self.cli("import", str(self._write_file()), *flags)
        if conflict and prefer is None:
            assert result.exit_code == 1, result
            assert self._milestones() == before  # nothing written
            return
        assert result.exit_code == 0, result
        self.base = {ref: dict(fields) for ref, fields in self.file.items()}
        assert self._milestones() == expected

    @invariant()
    def nothing_else_changes(self) -> None:
        assert all(ref.startswith("M") for ref in self._milestones())


RecordedByMachine.TestCase.settings = settings(
    max_examples=2 if THOROUGH else 1, stateful_step_count=200 if THOROUGH else 25, deadline=None
)
MergeMachine.TestCase.settings = settings(
    max_examples=6 if THOROUGH else 3, stateful_step_count=50 if THOROUGH else 20, deadline=None
)
test_the_past_is_reproduced_byte_for_byte = RecordedByMachine.TestCase
test_no_command_line_change_is_lost_to_an_import = MergeMachine.TestCase
