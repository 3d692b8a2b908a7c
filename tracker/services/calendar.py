"""The programme as a calendar feed (docs/rules.md, "The calendar feed"): one all-day event
per dated item, in RFC 5545 form, written with the ``icalendar`` library.

Calendar programs recognise an event they have seen by its UID and keep the newest copy, so
each event's UID is built from the MoU's ref and the record's ref alone, never from a date: an
event whose forecast moves is the same event, moved. DTSTAMP is the time of the record's last
change in the audit trail and SEQUENCE its version, never the time of the export, so exporting
an unchanged programme twice gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import icalendar
import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker import models, tables
from tracker.enums import MeetingStatus, MilestoneStatus, VisitStatus
from tracker.kinds import BOARD_MEETINGS, VISITS
from tracker.services import actions as action_rules
from tracker.services import lifecycle
from tracker.services.lifecycle import mou_dates
from tracker.services.lookahead import window_end
from tracker.services.lookup import by_ref, current_mou
from tracker.services.milestone_rows import milestone_select
from tracker.services.rag import Tolerances, effective_date, rag_expression
from tracker.services.store import RecordStore

PRODID = "-//mou//MoU programme calendar//EN"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)  # the stamp of a record the trail never saw
SUMMARY_MAX = 100  # characters of an action's text in its event's title


class Status(StrEnum):
    """RFC 5545 event statuses: a cancelled event is removed by calendars that had it."""

    CONFIRMED = "CONFIRMED"
    TENTATIVE = "TENTATIVE"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True)
class CalendarEvent:
    kind: str  # milestone, visit, meeting, action, mou
    ref: str  # the record's ref (an MoU date: the MoU's ref)
    uid: str
    summary: str
    start: dt.date
    end: dt.date  # the day after the last day (all-day events end exclusively)
    description: str
    status: Status
    stamp: dt.datetime  # UTC
    sequence: int
    location: str | None = None
    busy: bool = False  # visits and meetings take the day; deadlines do not

    def overlaps(self, first: dt.date, last: dt.date) -> bool:
        return self.start <= last and self.end > first


@dataclass(frozen=True)
class ProgrammeCalendar:
    mou: str
    title: str
    events: list[CalendarEvent]

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for event in self.events:
            found[event.kind] = found.get(event.kind, 0) + 1
        return found


KIND_ORDER = ("mou", "milestone", "action", "meeting", "visit")


def programme_calendar(
    *,
    session: Session,
    as_of: dt.date,
    tolerances: Tolerances,
    within: int | None = None,
    owner: str | None = None,
) -> ProgrammeCalendar:
    """Every dated item of the programme (with ``within``, those in the next so many days
    from ``as_of``; with ``owner``, those of one person), soonest first."""
    mou = current_mou(session=session)
    assert mou.id is not None
    person_id = None
    if owner is not None:
        person_id = by_ref("people", owner, session=session, field="--owner").id
    feed = _Feed(session, mou, as_of, tolerances)
    events = [
        *feed.lifecycle(person_id),
        *feed.milestones(person_id),
        *feed.actions(person_id),
        *feed.meetings(person_id),
        *feed.visits(person_id),
    ]
    if within is not None:
        last = window_end(as_of, within)
        events = [event for event in events if event.overlaps(as_of, last)]
    events.sort(key=lambda event: (event.start, KIND_ORDER.index(event.kind), event.ref))
    return ProgrammeCalendar(mou=mou.ref, title=mou.title, events=events)


def uid(mou: str, kind: str, ref: str) -> str:
    """The same for the same record in every export, whatever its dates."""
    return f"{mou}/{kind}/{ref}@mou"


class _Feed:
    def __init__(
        self, session: Session, mou: models.Mou, as_of: dt.date, tolerances: Tolerances
    ) -> None:
        assert mou.id is not None
        self.session = session
        self.mou = mou
        self.mou_id = mou.id
        self.as_of = as_of
        self.tolerances = tolerances
        self.store = RecordStore(session, mou_id=mou.id)
        self.stamps = _last_changes(session)
        self.fallback = max(self.stamps.values(), default=EPOCH)
        people = session.execute(
            sa.select(col(models.Person.ref), col(models.Person.name), col(models.Person.id))
        )
        self.names: dict[str, str] = {}
        self.person_refs: dict[int, str] = {}
        for ref, name, person_id in people:
            self.names[ref] = name
            self.person_refs[person_id] = ref

    def stamp(self, kind: str, ref: str) -> dt.datetime:
        return self.stamps.get((kind, ref), self.fallback)

    def who(self, ref: str | None) -> str:
        return f"{self.names.get(ref, ref)} ({ref})" if ref else "none"

    def event(
        self, kind: str, ref: str, table: str, *, name: str | None = None, **values: Any
    ) -> CalendarEvent:
        """An event for the record ``ref`` of ``table``; ``name`` tells apart several events
        of one record (the MoU's dates)."""
        return CalendarEvent(
            kind=kind,
            ref=ref,
            uid=uid(self.mou.ref, kind, name or ref),
            stamp=self.stamp(table, ref),
            **values,
        )

    def lifecycle(self, person_id: int | None) -> list[CalendarEvent]:
        mou = self.mou
        if person_id is not None and mou.owner_id != person_id:
            return []
        owner = self.person_refs.get(mou.owner_id) if mou.owner_id else None
        dates = mou_dates(mou)
        notice = lifecycle.renewal_notice_deadline(mou.expires, mou.renewal_notice_months)
        held = [
            (lifecycle.Event.REVIEW, mou.review, "The MoU's review date."),
            (
                lifecycle.Event.NOTICE,
                notice,
                f"Last day to give notice of renewal: {mou.renewal_notice_months} months "
                f"before the MoU expires on {mou.expires}.",
            ),
            (lifecycle.Event.EXPIRY, mou.expires, "The MoU expires."),
        ]
        events = []
        for event, date, words in held:
            if date is None:
                continue
            lines = [
                f"{mou.ref} {mou.title}",
                words,
                f"Status of the MoU: {mou.status.value} "
                f"({lifecycle.stage(dates, self.as_of)} as of {self.as_of})",
                f"Owner: {self.who(owner)}",
            ]
            events.append(
                self.event(
                    "mou",
                    mou.ref,
                    "mou",
                    name=event.value,
                    summary=f"{mou.ref} {lifecycle.TITLES[event]}",
                    start=date,
                    end=date + dt.timedelta(days=1),
                    description="\n".join(lines),
                    status=Status.CONFIRMED,
                    sequence=mou.version - 1,
                )
            )
        return events

    def milestones(self, person_id: int | None) -> list[CalendarEvent]:
        stmt = milestone_select(
            self.mou_id,
            rag_expression(self.as_of, self.tolerances),
            effective_date().label("effective"),
            tables.workstream.c.name.label("workstream_name"),
        )
        if person_id is not None:
            stmt = stmt.where(tables.milestone.c.owner_id == person_id)
        events = []
        for milestone in self.session.execute(stmt):
            when = milestone.effective
            lines = [
                f"Milestone {milestone.ref} of workstream {milestone.workstream} "
                f"({milestone.workstream_name})",
                f"Due: {milestone.due}",
                *([f"Forecast: {milestone.forecast}"] if milestone.forecast else []),
                *([f"Completed: {milestone.completed}"] if milestone.completed else []),
                f"Status: {milestone.status.value}",
                f"RAG as of {self.as_of}: {milestone.rag}",
                f"Owner: {self.who(milestone.owner)}",
                f"Institution: {milestone.institution}",
            ]
            cancelled = milestone.status is MilestoneStatus.CANCELLED
            events.append(
                self.event(
                    "milestone",
                    milestone.ref,
                    "milestones",
                    summary=f"{milestone.ref} {milestone.title}",
                    start=when,
                    end=when + dt.timedelta(days=1),
                    description="\n".join(lines),
                    status=Status.CANCELLED if cancelled else Status.CONFIRMED,
                    sequence=milestone.version - 1,
                )
            )
        return events

    def actions(self, person_id: int | None) -> list[CalendarEvent]:
        action = tables.action.c
        stmt = action_rules.action_select(self.mou_id, self.as_of).where(action.due.is_not(None))
        if person_id is not None:
            stmt = stmt.where(action.owner_id == person_id)
        titles = self._titles()
        events = []
        for row in self.session.execute(stmt):
            listed = action_rules.action_row(row, self.as_of)
            assert listed.due is not None
            if listed.meeting:
                source = f", agreed at board meeting {listed.meeting} ({titles[listed.meeting]})"
            elif listed.visit:
                source = f", following up visit {listed.visit} ({titles[listed.visit]})"
            else:
                source = ""
            lines = [
                f"Action {listed.ref}{source}",
                listed.text,
                f"Due: {listed.due}",
                f"Status: {listed.status}",
                *([f"Completed: {listed.completed}"] if listed.completed else []),
                *(
                    [f"Overdue as of {self.as_of} by {listed.days_overdue} days"]
                    if listed.overdue
                    else []
                ),
                f"Owner: {self.who(listed.owner)}",
            ]
            cancelled = listed.status == "cancelled"
            events.append(
                self.event(
                    "action",
                    listed.ref,
                    "actions",
                    summary=f"{listed.ref} {_shortened(listed.text)}",
                    start=listed.due,
                    end=listed.due + dt.timedelta(days=1),
                    description="\n".join(lines),
                    status=Status.CANCELLED if cancelled else Status.CONFIRMED,
                    sequence=row.version - 1,
                )
            )
        return events

    def _titles(self) -> dict[str, str]:
        """Titles of the MoU's visits and board meetings, by ref (their refs differ in form,
        and an action names one or the other)."""
        found: dict[str, str] = {}
        for model in (models.Visit, models.BoardMeeting):
            m: Any = model
            for ref, title in self.session.execute(
                sa.select(m.ref, m.title).where(m.mou_id == self.mou_id)
            ):
                found[ref] = title
        return found

    def meetings(self, person_id: int | None) -> list[CalendarEvent]:
        b = models.BoardMeeting
        rows = list(self.session.exec(select(b).where(b.mou_id == self.mou_id)).all())
        records = self.store.records_of(BOARD_MEETINGS, rows)
        agreed: dict[int, list[str]] = {}
        for meeting_id, ref in self.session.execute(
            sa.select(col(models.Action.meeting_id), col(models.Action.ref))
            .where(
                col(models.Action.mou_id) == self.mou_id, col(models.Action.meeting_id).is_not(None)
            )
            .order_by(col(models.Action.ref))
        ):
            agreed.setdefault(meeting_id, []).append(ref)
        events = []
        for meeting, record in zip(rows, records, strict=True):
            people = {record["chair"], *record["attendees"]} - {None}
            if person_id is not None and self.person_refs.get(person_id) not in people:
                continue
            lines = [
                f"Board meeting {meeting.ref}",
                f"Status: {meeting.status.value}",
                f"Chair: {self.who(record['chair'])}",
                f"Attendees: {_names(self.who(ref) for ref in record['attendees'])}",
                *([f"Minutes: {meeting.minutes}"] if meeting.minutes else []),
                *([f"Decisions: {meeting.decisions}"] if meeting.decisions else []),
                *(
                    [f"Actions agreed: {', '.join(agreed[meeting.id])}"]
                    if meeting.id in agreed
                    else []
                ),
            ]
            status = {
                MeetingStatus.CANCELLED: Status.CANCELLED,
                MeetingStatus.POSTPONED: Status.TENTATIVE,
            }.get(meeting.status, Status.CONFIRMED)
            events.append(
                self.event(
                    "meeting",
                    meeting.ref,
                    "board_meetings",
                    summary=f"{meeting.ref} {meeting.title}",
                    start=meeting.meeting_date,
                    end=meeting.meeting_date + dt.timedelta(days=1),
                    description="\n".join(lines),
                    status=status,
                    sequence=meeting.version - 1,
                    location=meeting.venue,
                    busy=True,
                )
            )
        return events

    def visits(self, person_id: int | None) -> list[CalendarEvent]:
        v = models.Visit
        rows = list(self.session.exec(select(v).where(v.mou_id == self.mou_id)).all())
        records = self.store.records_of(VISITS, rows)
        sites: dict[str, str] = {
            ref: name
            for ref, name in self.session.execute(
                sa.select(col(models.Site.ref), col(models.Site.name))
            )
        }
        events = []
        for visit, record in zip(rows, records, strict=True):
            attendees = record["attendees"]
            if person_id is not None and self.person_refs.get(person_id) not in {
                person for person, _ in attendees
            }:
                continue
            last = visit.end_date or visit.start_date
            lines = [
                f"Visit {visit.ref} ({visit.kind.value.replace('_', ' ')}), hosted by "
                f"{record['host']}",
                f"Status: {visit.status.value}",
                *(
                    [f"Sites: {_names(sites[ref] for ref in record['sites'])}"]
                    if record["sites"]
                    else []
                ),
                f"Attendees: {_names(f'{self.who(ref)}, {role.value}' for ref, role in attendees)}",
                *([f"Purpose: {visit.purpose}"] if visit.purpose else []),
                *([f"Outcomes: {visit.outcomes}"] if visit.outcomes else []),
            ]
            status = {
                VisitStatus.CANCELLED: Status.CANCELLED,
                VisitStatus.PLANNED: Status.TENTATIVE,
                VisitStatus.POSTPONED: Status.TENTATIVE,
            }.get(visit.status, Status.CONFIRMED)
            events.append(
                self.event(
                    "visit",
                    visit.ref,
                    "visits",
                    summary=f"{visit.ref} {visit.title}",
                    start=visit.start_date,
                    end=last + dt.timedelta(days=1),
                    description="\n".join(lines),
                    status=status,
                    sequence=visit.version - 1,
                    location=_names(sites[ref] for ref in record["sites"]) or None,
                    busy=True,
                )
            )
        return events


def _names(items: Iterable[str]) -> str:
    return "; ".join(items)


def _shortened(text: str) -> str:
    first = text.splitlines()[0] if text else ""
    if len(first) <= SUMMARY_MAX and first == text:
        return first
    return first[: SUMMARY_MAX - 1].rstrip() + "…"


def _last_changes(session: Session) -> dict[tuple[str, str], dt.datetime]:
    """When each record (by kind and ref) last changed, in UTC, from the audit trail. An
    import's note of a file it read is not a change."""
    e, c = models.AuditEntry, models.AuditCommand
    rows = session.execute(
        sa.select(col(e.kind), col(e.ref), sa.func.max(col(c.at)))
        .join(c, col(c.id) == e.command_id)
        .where(col(e.action) != "base")
        .group_by(col(e.kind), col(e.ref))
    )
    return {(kind, ref): at.replace(microsecond=0, tzinfo=dt.UTC) for kind, ref, at in rows}


def to_ics(calendar: ProgrammeCalendar) -> bytes:
    """The calendar in RFC 5545 form (CRLF line ends, long lines folded)."""
    feed = icalendar.Calendar()
    feed.add("prodid", PRODID)
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("method", "PUBLISH")
    feed.add("x-wr-calname", f"{calendar.mou} {calendar.title}")
    for item in calendar.events:
        event = icalendar.Event()
        event.add("uid", item.uid)
        event.add("dtstamp", item.stamp)
        event.add("sequence", item.sequence)
        event.add("dtstart", item.start)
        event.add("dtend", item.end)
        event.add("summary", item.summary)
        event.add("description", item.description)
        if item.location:
            event.add("location", item.location)
        event.add("status", item.status.value)
        event.add("transp", "OPAQUE" if item.busy else "TRANSPARENT")
        event.add("categories", [item.kind])
        feed.add_component(event)
    data: bytes = feed.to_ical()
    return data
