"""A stateful test: random sequences of add, update, remove, undo and export, checked after
every step against a simple model of what the database should hold."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from tests.conftest import examples
from tests.helpers import MINIMAL
from tracker.db import Database
from tracker.errors import Conflict
from tracker.kinds import INSTITUTIONS, MILESTONES
from tracker.migrate import open_database, upgrade
from tracker.services.editing import add_record, update_record
from tracker.services.exporter import export_programme
from tracker.services.importer import import_programme
from tracker.services.references import remove_record
from tracker.services.undo import perform, plan

NAMES = st.text(alphabet="abcdefghij ZoëÅ日", min_size=1, max_size=12).map(str.strip).filter(bool)
DATES = st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2027, 12, 31))

_TEMPLATE: Path | None = None


def _template() -> Path:
    global _TEMPLATE
    if _TEMPLATE is None:
        _TEMPLATE = Path(tempfile.mkdtemp()) / "template.db"
        upgrade(f"sqlite:///{_TEMPLATE}")
    return _TEMPLATE


State = dict[str, dict[str, Any]]  # {"institutions": {ref: name}, "milestones": {ref: (..)}}


class ProgrammeMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp())
        path = self.folder / "mou.db"
        shutil.copyfile(_template(), path)
        self.database: Database = open_database(str(path))
        self.counter = 0
        # The state after each command in effect (the import first); undo steps back through
        # them, and redo steps forward again until a new command is made.
        self.states: list[State] = []
        self.redoable: list[State] = []

    def teardown(self) -> None:
        self.database.dispose()
        shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def model(self) -> State:
        return self.states[-1]

    def _commit(self, change: Any) -> None:
        state = {kind: dict(records) for kind, records in self.model.items()}
        change(state)
        self.states.append(state)
        self.redoable.clear()

    def _next(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    @initialize()
    def load(self) -> None:
        with self.database.writing() as session:
            import_programme(MINIMAL, session=session, source="minimal")
        self.states.append(
            {"institutions": {"A": "Institution A", "B": "Institution B"}, "milestones": {}}
        )

    @rule(name=NAMES)
    def add_institution(self, name: str) -> None:
        ref = self._next("I")
        with self.database.writing() as session:
            add_record(INSTITUTIONS, {"name": name, "kind": "other"}, session=session, ref=ref)
        self._commit(lambda state: state["institutions"].__setitem__(ref, name))

    @precondition(lambda self: len(self.model["institutions"]) > 0)
    @rule(data=st.data(), name=NAMES)
    def rename_institution(self, data: st.DataObject, name: str) -> None:
        ref = data.draw(st.sampled_from(sorted(self.model["institutions"])))
        if self.model["institutions"][ref] == name:
            return  # no change, no command
        with self.database.writing() as session:
            update_record(INSTITUTIONS, ref, {"name": name}, session=session)
        self._commit(lambda state: state["institutions"].__setitem__(ref, name))

    @precondition(lambda self: any(ref.startswith("I") for ref in self.model["institutions"]))
    @rule(data=st.data())
    def remove_institution(self, data: st.DataObject) -> None:
        ref = data.draw(
            st.sampled_from(sorted(r for r in self.model["institutions"] if r.startswith("I")))
        )
        with self.database.writing() as session:
            remove_record(INSTITUTIONS, ref, session=session, cascade=False)
        self._commit(lambda state: state["institutions"].pop(ref))

    @rule(title=NAMES, due=DATES)
    def add_milestone(self, title: str, due: dt.date) -> None:
        ref = self._next("M")
        with self.database.writing() as session:
            add_record(
                MILESTONES,
                {"title": title, "workstream": "W1", "due": due},
                session=session,
                ref=ref,
            )
        self._commit(lambda state: state["milestones"].__setitem__(ref, (title, due, None)))

    @precondition(lambda self: len(self.model["milestones"]) > 0)
    @rule(data=st.data(), forecast=st.none() | DATES)
    def slip_milestone(self, data: st.DataObject, forecast: dt.date | None) -> None:
        ref = data.draw(st.sampled_from(sorted(self.model["milestones"])))
        title, due, current = self.model["milestones"][ref]
        if current == forecast:
            return
        with self.database.writing() as session:
            update_record(MILESTONES, ref, {"forecast": forecast}, session=session)
        self._commit(lambda state: state["milestones"].__setitem__(ref, (title, due, forecast)))

    @precondition(lambda self: len(self.model["milestones"]) > 0)
    @rule(data=st.data())
    def remove_milestone(self, data: st.DataObject) -> None:
        ref = data.draw(st.sampled_from(sorted(self.model["milestones"])))
        with self.database.writing() as session:
            remove_record(MILESTONES, ref, session=session, cascade=False)
        self._commit(lambda state: state["milestones"].pop(ref))

    def _undo_or_redo(self, direction: Any) -> None:
        with self.database.reading() as session:
            target = plan(direction, session=session).command.id
        with self.database.writing() as session:
            perform(direction, session=session, command_id=target)

    @precondition(lambda self: len(self.states) > 1)
    @rule()
    def undo(self) -> None:
        """Undo steps back through the commands in effect, newest first."""
        self._undo_or_redo("undo")
        self.redoable.append(self.states.pop())

    @precondition(lambda self: len(self.redoable) > 0)
    @rule()
    def redo(self) -> None:
        """Redo applies again the command most recently undone."""
        self._undo_or_redo("redo")
        self.states.append(self.redoable.pop())

    @rule()
    def try_undoing_the_import(self) -> None:
        """Undoing the first command (the import) is refused while later commands depend on
        its records (milestones in its workstream) or changed them (a renamed institution).
        Tried in a transaction that is always rolled back, so the model stands."""
        imported = {"A": "Institution A", "B": "Institution B"}
        renamed = any(self.model["institutions"].get(ref) != name for ref, name in imported.items())
        refused = bool(self.model["milestones"]) or renamed
        try:
            with self.database.writing(commit=False) as session:
                perform("undo", session=session, command_id=1)
        except Conflict:
            assert refused
        else:
            assert not refused

    @invariant()
    def database_equals_model(self) -> None:
        with self.database.reading() as session:
            document = export_programme(session=session)
        institutions = {row["ref"]: row["name"] for row in document.get("institutions", [])}
        milestones = {
            row["ref"]: (row["title"], row["due"], row.get("forecast"))
            for row in document.get("milestones", [])
        }
        assert institutions == self.model["institutions"]
        assert milestones == self.model["milestones"]


ProgrammeMachine.TestCase.settings = settings(
    max_examples=examples(12, 50), stateful_step_count=examples(15, 30), deadline=None
)
test_programme_machine = ProgrammeMachine.TestCase
