"""``mou calendar``: an RFC 5545 feed that calendar programs read back (checked here with the
icalendar library), one event per dated item, the same bytes for an unchanged programme, and
stable UIDs so a moved date moves the same event."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import icalendar
import pytest

from tests.conftest import Cli
from tests.helpers import snapshot
from tracker.db import Database

AS_OF = "2026-11-28"


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tracker.cli.context.today", lambda: dt.date(2026, 11, 28))


def feed(cli: Cli, *args: str) -> str:
    result = cli("calendar", "--as-of", AS_OF, *args)
    assert (result.exit_code, result.stderr) == (0, ""), result
    return result.stdout


def events(text: str) -> dict[str, Any]:
    """The feed's events by UID, parsed back."""
    calendar = icalendar.Calendar.from_ical(text)
    found = {str(event["uid"]): event for event in calendar.walk("VEVENT")}
    assert len(found) == len(calendar.walk("VEVENT")), "two events share a UID"
    return found


def uid(kind: str, ref: str) -> str:
    return f"OXF-LIV-2026/{kind}/{ref}@mou"


EXAMPLE_UIDS = {
    *(uid("milestone", f"MS-{n:02d}") for n in range(1, 23)),
    *(uid("visit", f"V{n:02d}") for n in range(1, 5)),
    *(uid("meeting", f"BM{n:02d}") for n in range(1, 4)),
    *(uid("action", f"A{n:02d}") for n in range(1, 12)),
    *(uid("mou", event) for event in ("review", "notice", "expiry")),
}


def test_one_event_per_dated_item(example_cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "feed"
    folder.mkdir()
    target = folder / "programme.ics"
    result = example_cli("calendar", "--as-of", AS_OF, "--out", str(target))
    assert (result.exit_code, result.stderr) == (0, ""), result
    assert result.stdout == (
        f"Wrote 43 events of MoU OXF-LIV-2026 to {target}: 22 milestones, 4 visits, "
        "3 board meetings, 11 actions, 3 MoU dates.\n"
    )
    data = target.read_bytes()
    assert data.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert data.endswith(b"END:VCALENDAR\r\n")
    assert data.count(b"\n") == data.count(b"\r\n")  # CRLF throughout, as RFC 5545 says
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))  # long lines folded
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["prodid"]) == "-//mou//MoU programme calendar//EN"
    assert set(events(data.decode("utf-8"))) == EXAMPLE_UIDS
    # The same without --out (the test runner reads stdout with its CRLF as LF).
    assert data.decode("utf-8").replace("\r\n", "\n") == feed(example_cli)
    assert [path.name for path in folder.iterdir()] == ["programme.ics"]  # no temporary file


def test_each_kind_of_event(example_cli: Cli) -> None:
    found = events(feed(example_cli))
    milestone = found[uid("milestone", "MS-09")]
    assert str(milestone["summary"]) == (
        "MS-09 First scale-up pathway pilot cohort of firms recruited"
    )
    # On its effective date (the forecast), all day, with its dates and RAG described.
    assert milestone["dtstart"].dt == dt.date(2026, 11, 13)
    assert milestone["dtend"].dt == dt.date(2026, 11, 14)
    assert str(milestone["description"]).splitlines() == [
        "Milestone MS-09 of workstream WS06 (Oxfordshire–Liverpool City Region "  # noqa: RUF001
        "scale-up pathway)",
        "Due: 2026-09-30",
        "Forecast: 2026-11-13",
        "Status: in_progress",
        "RAG as of 2026-11-28: RED",
        "Owner: Priya Chandrasekar (CHANDRASEKAR)",
        "Institution: OCC",
    ]
    assert (str(milestone["status"]), str(milestone["transp"])) == ("CONFIRMED", "TRANSPARENT")
    assert str(found[uid("milestone", "MS-11")]["status"]) == "CANCELLED"
    visit = found[uid("visit", "V03")]
    assert (visit["dtstart"].dt, visit["dtend"].dt) == (dt.date(2026, 10, 8), dt.date(2026, 10, 10))
    assert str(visit["location"]) == "Harwell Science and Innovation Campus"
    assert str(visit["transp"]) == "OPAQUE"
    assert str(found[uid("visit", "V04")]["status"]) == "CONFIRMED"
    meeting = found[uid("meeting", "BM02")]
    assert str(meeting["summary"]) == "BM02 Programme board: half-year review"
    assert "Minutes: PB/2026/02" in str(meeting["description"]).splitlines()
    assert "Actions agreed: A08, A09, A10" in str(meeting["description"]).splitlines()
    action = found[uid("action", "A09")]
    assert action["dtstart"].dt == dt.date(2026, 11, 20)
    assert str(action["description"]).splitlines()[:2] == [
        "Action A09, agreed at board meeting BM02 (Programme board: half-year review)",
        "Bring a costed plan for the joint investment prospectus to the next board.",
    ]
    assert "Overdue as of 2026-11-28 by 8 days" in str(action["description"])
    notice = found[uid("mou", "notice")]
    assert str(notice["summary"]) == "OXF-LIV-2026 MoU renewal notice deadline"
    assert notice["dtstart"].dt == dt.date(2030, 2, 18)
    assert found[uid("mou", "review")]["dtstart"].dt == dt.date(2027, 2, 19)
    assert found[uid("mou", "expiry")]["dtstart"].dt == dt.date(2031, 2, 18)


def test_an_unchanged_programme_gives_the_same_bytes(example_cli: Cli, tmp_path: Path) -> None:
    first, second = tmp_path / "first.ics", tmp_path / "second.ics"
    assert example_cli("calendar", "--as-of", AS_OF, "-o", str(first)).exit_code == 0
    # Reading, and edits that change nothing, leave every stamp as it was.
    assert example_cli("status").exit_code == 0
    assert example_cli("update-milestone", "MS-13", "--title", "Climate and health seed-fund "
                       "call opened").exit_code == 0  # fmt: skip
    assert example_cli("calendar", "--as-of", AS_OF, "-o", str(second)).exit_code == 0
    assert first.read_bytes() == second.read_bytes()


def test_a_moved_forecast_moves_the_same_event(example_cli: Cli) -> None:
    before = events(feed(example_cli))
    moved = example_cli("update-milestone", "MS-13", "--forecast", "2026-12-18")
    assert moved.exit_code == 0, moved
    after = events(feed(example_cli))
    assert set(after) == set(before)  # no event added or lost: the UID is the same
    old, new = before[uid("milestone", "MS-13")], after[uid("milestone", "MS-13")]
    assert (old["dtstart"].dt, new["dtstart"].dt) == (dt.date(2026, 12, 4), dt.date(2026, 12, 18))
    assert (old["sequence"], new["sequence"]) == (0, 1)  # a calendar keeps the newer copy
    assert new["dtstamp"].dt > old["dtstamp"].dt  # stamped with the change
    assert new["dtstamp"].dt.tzinfo is not None
    assert "Forecast: 2026-12-18" in str(new["description"])
    unchanged = [key for key in before if key != uid("milestone", "MS-13")]
    assert [before[key].to_ical() for key in unchanged] == [
        after[key].to_ical() for key in unchanged
    ]


def test_a_removed_milestone_leaves_and_a_cancelled_one_is_marked(example_cli: Cli) -> None:
    assert example_cli("remove-milestone", "MS-22").exit_code == 0
    assert example_cli("update-milestone", "MS-20", "--status", "cancelled").exit_code == 0
    found = events(feed(example_cli))
    assert uid("milestone", "MS-22") not in found
    assert str(found[uid("milestone", "MS-20")]["status"]) == "CANCELLED"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--within", "30d"],
            ["MS-13", "A05", "BM03", "A10", "MS-14"],
        ),
        (
            ["--within", "90d", "--owner", "MORLEY"],
            ["BM03", "A11", "V04", "OXF-LIV-2026"],
        ),
        (
            ["--owner", "varghese"],
            ["V02", "BM01", "BM02", "A08", "BM03", "A10", "MS-16", "MS-19", "MS-21"],
        ),
    ],
)
def test_within_and_owner(example_cli: Cli, args: list[str], expected: list[str]) -> None:
    found = icalendar.Calendar.from_ical(feed(example_cli, *args)).walk("VEVENT")
    assert [str(event["summary"]).split()[0] for event in found] == expected


def test_refusals(example_cli: Cli, example_db: Database, tmp_path: Path) -> None:
    target = tmp_path / "programme.ics"
    target.write_text("mine", "utf-8")
    before = snapshot(example_db)
    cases = [
        (["--out", str(target)], f"--out: {target} already exists; use --force to replace it"),
        (
            ["--out", str(tmp_path)],
            f"--out: {tmp_path} is a folder; expected a file name such as x.ics",
        ),
        (
            ["--out", str(tmp_path / "no" / "x.ics")],
            f"--out: the folder {tmp_path / 'no'} does not exist",
        ),
        (
            ["--within", "a week"],
            "--within: expected a number of days such as 30d (or weeks, 4w); got 'a week'",
        ),
        (["--owner", "NOPE"], "--owner: no person with ref 'NOPE'"),
    ]
    for args, message in cases:
        result = example_cli("calendar", *args)
        assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"error: {message}\n")
    assert target.read_text("utf-8") == "mine"
    assert example_cli("calendar", "--out", str(target), "--force").exit_code == 0
    assert target.read_text("utf-8").startswith("BEGIN:VCALENDAR")
    assert snapshot(example_db) == before


def test_stamps_come_from_the_audit_trail(example_cli: Cli) -> None:
    text = feed(example_cli)
    stamps = set(re.findall(r"^DTSTAMP:(\d{8}T\d{6}Z)$", text, re.MULTILINE))
    assert len(stamps) == 1  # everything was loaded by one import
    assert example_cli("update-action", "A09", "--due", "2026-12-01").exit_code == 0
    after = events(feed(example_cli))
    assert after[uid("action", "A09")]["dtstamp"].dt > after[uid("action", "A04")]["dtstamp"].dt
