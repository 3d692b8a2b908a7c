"""A programme file's records as the importer holds them (``FileRecords``): compactly, a list
per field, yet read back exactly as the dicts they were before."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from tracker.enums import MilestoneStatus
from tracker.kinds import MILESTONES, WORKSTREAMS
from tracker.services.file_records import FileRecords

FIELDS = [spec.key for spec in MILESTONES.fields]


def milestone(number: int, **values: Any) -> list[Any]:
    record: dict[str, Any] = dict.fromkeys(FIELDS)
    record.update(
        workstream="WS" + str(number % 3),
        title=f"Milestone {number}",
        due=dt.date(2026, 1, 1) + dt.timedelta(days=number % 5),
    )
    record.update(values)
    return [record[key] for key in FIELDS]


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(FileRecords, "BLOCK", 3)


@pytest.mark.usefixtures("small_batches")
def test_records_read_back_as_they_were_added_in_order() -> None:
    records = FileRecords(MILESTONES)
    added = {f"M{number}": milestone(number) for number in range(10)}
    for key, values in added.items():
        records.add(key, values)
    assert list(records) == list(added)
    assert len(records) == 10
    assert "M3" in records
    assert "M10" not in records
    for key, values in added.items():
        assert records[key] == dict(zip(FIELDS, values, strict=True))
        assert records.value(key, "title") == values[FIELDS.index("title")]
    assert dict(records.each()) == {key: records[key] for key in added}
    assert records.made(["M7", "M2", "M9"]) == [records["M7"], records["M2"], records["M9"]]
    assert records.made(["M4"]) == [records["M4"]]
    assert list(records.column("title")) == [f"Milestone {number}" for number in range(10)]


@pytest.mark.usefixtures("small_batches")
def test_values_that_repeat_are_kept_once() -> None:
    records = FileRecords(MILESTONES)
    for number in range(10):
        values = milestone(number)
        # Equal, but not the same objects, as a parser makes them.
        values[FIELDS.index("workstream")] = "".join(["WS", "1"])
        values[FIELDS.index("due")] = dt.date(2026, 5, 1)
        records.add(f"M{number}", values)
    first, last = records["M0"], records["M9"]
    assert first["workstream"] is last["workstream"]
    assert first["due"] is last["due"]
    assert first["title"] is not last["title"]


def test_a_list_not_given_is_empty_once_defaults_are_filled() -> None:
    records = FileRecords(MILESTONES)
    records.add("M1", milestone(1))
    records.add("M2", milestone(2, depends_on=["M1"]))
    assert records["M1"]["depends_on"] is None
    records.fill_defaults(lambda _table, _ref: {})
    assert records["M1"]["depends_on"] == []
    assert records["M1"]["rebaselines"] == []
    assert records.value("M1", "depends_on") == []
    view = records.view("M1")
    assert view is not None
    assert view.get("depends_on") == []
    assert records["M2"]["depends_on"] == ["M1"]
    # Each read is a new dict, and a new list: changing one changes nothing held.
    records["M1"]["depends_on"].append("M2")
    assert records["M1"]["depends_on"] == []


def test_defaults_are_filled_in_as_they_are_for_a_dict() -> None:
    workstreams = FileRecords(WORKSTREAMS)
    workstream: dict[str, Any] = dict.fromkeys(spec.key for spec in WORKSTREAMS.fields)
    workstream.update(name="W", theme="T", lead="LIV")
    workstreams.add("WS1", list(workstream.values()))
    records = FileRecords(MILESTONES)
    records.add("M1", milestone(1, workstream="WS1"))
    records.add("M2", milestone(2, workstream="WS1", institution="OXF"))
    records.add("M3", milestone(3, workstream="WS1", completed=dt.date(2026, 2, 1)))
    expected = {key: records[key] for key in records}

    def lookup(table: str, ref: str) -> Any:
        return workstreams.view(ref) if table == "workstreams" else {}

    for record in expected.values():
        MILESTONES.fill_defaults(record, lookup)
    records.fill_defaults(lookup)
    assert {key: records[key] for key in records} == expected
    assert records["M1"]["institution"] == "LIV"
    assert records["M2"]["institution"] == "OXF"
    assert records["M3"]["status"] is MilestoneStatus.DONE


def test_a_default_sees_the_records_filled_in_before_it() -> None:
    """As when each record was a dict filled in place, in the file's order."""

    def look(_record: dict[str, Any], lookup: Any) -> None:
        lookup("milestones", "M0")

    kind = dataclasses.replace(MILESTONES, defaults=(*MILESTONES.defaults, look))
    records = FileRecords(kind)
    for number in range(3):
        records.add(f"M{number}", milestone(number))
    seen: list[Any] = []

    def lookup(table: str, _ref: str) -> Any:
        if table == "milestones":
            seen.append([records.value(key, "rebaselines") for key in ("M0", "M1", "M2")])
        return {}

    records.fill_defaults(lookup)
    assert seen == [[None, None, None], [[], None, None], [[], [], None]]


def test_released_records_are_gone() -> None:
    records = FileRecords(MILESTONES)
    records.add("M1", milestone(1))
    records.release()
    assert len(records) == 0
    assert "M1" not in records


@pytest.mark.usefixtures("small_batches")
def test_a_block_is_let_go_once_every_record_in_it_is_written() -> None:
    records = FileRecords(MILESTONES)
    for number in range(7):
        records.add(f"M{number}", milestone(number))
    records.made(["M0"])  # blocks of three: M0-M2, M3-M5, M6
    records.written(["M4", "M0", "M1"])
    assert [block is None for block in records._blocks] == [False, False, False]
    assert records["M2"]["title"] == "Milestone 2"
    records.written(["M2"])
    assert [block is None for block in records._blocks] == [True, False, False]
    assert records.made(["M5", "M3", "M6"]) == [
        dict(zip(FIELDS, milestone(number), strict=True)) for number in (5, 3, 6)
    ]


@pytest.mark.usefixtures("small_batches")
def test_text_reads_back_as_it_was_given_and_as_a_default_changes_it() -> None:
    titles = ["Zoë's milestone", "", "日本語のタイトル", "x" * 200, "Milestone 5", "Last"]
    reasons = [None, "A reason", None, "Another", "Why", "Because"]

    def retitle(record: dict[str, Any], _lookup: Any) -> None:
        if record["title"] == "":
            record["title"] = "Given by a default"

    kind = dataclasses.replace(MILESTONES, defaults=(*MILESTONES.defaults, retitle))
    records = FileRecords(kind)
    for number, (title, reason) in enumerate(zip(titles, reasons, strict=True)):
        records.add(f"M{number}", milestone(number, title=title, reported_rag_reason=reason))
    assert [records[f"M{number}"]["title"] for number in range(6)] == titles
    assert list(records.column("reported_rag_reason")) == reasons
    records.fill_defaults(lambda _table, _ref: {})
    assert [record["title"] for _, record in records.each()] == [
        titles[0],
        "Given by a default",
        *titles[2:],
    ]
    assert records.value("M1", "title") == "Given by a default"
    assert records.made(["M1", "M3"])[1]["title"] == "x" * 200
    # Keys that follow one another are read a run at a time, across blocks too.
    keys = [f"M{number}" for number in range(1, 6)]
    assert records.made(keys) == [records[key] for key in keys]
    assert [record["title"] for record in records.made(keys)][:2] == [
        "Given by a default",
        titles[2],
    ]
