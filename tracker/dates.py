"""The one place where typed text becomes a date.

General-purpose parsers guess: ``dateutil.parser`` reads ``03/04/2026`` month-first, completes
``2026`` or ``4`` from today's date and finds dates inside sentences (see docs/guarantees.md,
"Dates"). A wrong due date is worse than a refused one, so only a few strict forms are accepted,
day-first as in the UK, nothing is ever filled in, and whenever the reading was a choice or
depended on today the result carries a note saying what was understood, for the CLI to show.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, UTC, date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from tracker.errors import InvalidInput, OutOfRange
from tracker.fields import date_in_range
from tracker.periods import Scheme, quarter_of, year_bounds

__all__ = [
    "ParsedDate",
    "format_date",
    "format_day",
    "parse_date",
    "parse_moment",
    "parse_optional_date",
]


@dataclass(frozen=True)
class ParsedDate:
    """A parsed date and, when the input was ambiguous or relative, what it was read as."""

    value: date
    note: str | None = None


# Fixed English names: ``strftime("%a %b")`` follows the process locale, and output (and the
# tests pinning it) must not change with the machine it runs on.
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_NAMES = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip


def format_date(d: date) -> str:
    """A date as people read it in notes and tables: ``Tue 30 Jun 2026``."""
    return f"{_DAY_NAMES[d.weekday()]} {d.day} {_MONTH_NAMES[d.month - 1]} {d.year}"


def format_day(d: date) -> str:
    """A date in a sentence, without its weekday: ``1 Nov 2026``."""
    return f"{d.day} {_MONTH_NAMES[d.month - 1]} {d.year}"


# ASCII digits only ([0-9], not \d): other scripts' digits are not dates anyone typed on purpose.
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
# Day-first with the year last; the backreference keeps "30/06-2026" out.
_DAY_FIRST = re.compile(r"([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4})")
# Six digits are ample for any real offset and keep int() away from pathological inputs.
_OFFSET = re.compile(r"([+-]) ?([0-9]{1,6}) ?([dwmy])")

# re.ASCII keeps \s to ordinary whitespace (str.split() would also split on control characters).
_SPACES = re.compile(r"\s+", re.ASCII)
_KEYWORD_DAYS = {"today": 0, "yesterday": -1, "tomorrow": 1}
_END_OF = {
    "end of month": "month",
    "eom": "month",
    "end of quarter": "quarter",
    "eoq": "quarter",
    "end of year": "year",
    "eoy": "year",
}


def _end_of(unit: str, today: date, scheme: Scheme) -> tuple[date, str]:
    """The last day of today's month, quarter or scheme year, and the period it closes."""
    if unit == "month":
        last = calendar.monthrange(today.year, today.month)[1]
        return today.replace(day=last), f"{_MONTH_NAMES[today.month - 1]} {today.year}"
    quarter = quarter_of(today, scheme)
    if unit == "quarter":
        return quarter.end, quarter.label
    # The label of the year is the quarter label without its " Qn".
    return year_bounds(today, scheme)[1], quarter.label.rsplit(" ", 1)[0]


def _offset(today: date, amount: int, unit: str) -> date:
    if unit == "d":
        return today + timedelta(days=amount)
    if unit == "w":
        return today + timedelta(weeks=amount)
    # relativedelta clamps to the month's last day (31 Jan + 1m = 28 or 29 Feb), which is what
    # "in a month's time" means for a deadline; plain day arithmetic would drift into March.
    if unit == "m":
        return today + relativedelta(months=amount)
    return today + relativedelta(years=amount)


def parse_date(
    text: str,
    *,
    field: str = "date",
    today: date,
    scheme: Scheme | None = None,
) -> ParsedDate:
    """Read a date typed by a user, or raise ``InvalidInput`` naming ``field``.

    Accepted: ISO ``2026-06-30``; day-first ``30/06/2026``, ``3/4/2026``, ``30.06.2026``,
    ``30-06-2026``; ``today``, ``yesterday``, ``tomorrow``; offsets from today ``+30d``, ``-2w``,
    ``+3m``, ``+1y``; ``end of month``/``quarter``/``year`` (or ``eom``, ``eoq``, ``eoy``), where
    quarter and year follow ``scheme`` (default uk-fy). ``today`` is passed in, never read from
    the clock, so that every caller and test agrees on what "today" was.
    """
    error = InvalidInput(
        f"{field}: expected a date such as 2026-06-30 or 30/06/2026 "
        f"(also today, +30d, +2w, +3m, end of quarter); got {text!r}"
    )
    # Surrounding whitespace may be any (pasted) kind; every accepted form itself is ASCII.
    cleaned = text.strip()
    if not cleaned.isascii():
        raise error
    try:
        parsed = _parse(cleaned, today, scheme or Scheme.UK_FY)
    except (ValueError, OverflowError):
        # Impossible dates (31/02/2026) and offsets or periods beyond date's range (+9999y).
        _no_such_day(cleaned, field)
        raise error from None
    date_in_range(parsed.value, field)
    return parsed


def _no_such_day(cleaned: str, field: str) -> None:
    """Say so when a date in a known form names a day its month does not have (29/02/2026)."""
    if match := _ISO.fullmatch(cleaned):
        year, month, day = (int(part) for part in match.group(1, 2, 3))
    elif match := _DAY_FIRST.fullmatch(cleaned):
        day, month, year = (int(part) for part in match.group(1, 3, 4))
    else:
        return
    if MINYEAR <= year <= MAXYEAR and 1 <= month <= 12:
        days = calendar.monthrange(year, month)[1]
        if day > days:
            raise OutOfRange(
                f"{field}: {cleaned} is not a day of the calendar: "
                f"{calendar.month_name[month]} {year} has {days} days"
            )


def _parse(cleaned: str, today: date, scheme: Scheme) -> ParsedDate:
    """The parse proper; signals refusal with ValueError, which the caller turns into words."""
    if match := _ISO.fullmatch(cleaned):
        year, month, day = (int(part) for part in match.group(1, 2, 3))
        return ParsedDate(date(year, month, day))

    if match := _DAY_FIRST.fullmatch(cleaned):
        day, month, year = (int(part) for part in match.group(1, 3, 4))
        value = date(year, month, day)
        # Only when both readings are real, different dates is day-first a choice worth saying.
        if day <= 12 and month <= 12 and day != month:
            return ParsedDate(value, f"{cleaned} read day-first as {format_date(value)}")
        return ParsedDate(value)

    if match := _OFFSET.fullmatch(cleaned.lower()):
        sign, digits, unit = match.group(1, 2, 3)
        amount = int(digits) if sign == "+" else -int(digits)
        value = _offset(today, amount, unit)
        return ParsedDate(value, f"{sign}{digits}{unit} is {format_date(value)}")

    # Keywords: case and the spacing between words do not matter.
    words = _SPACES.sub(" ", cleaned.lower())
    if words in _KEYWORD_DAYS:
        value = today + timedelta(days=_KEYWORD_DAYS[words])
        return ParsedDate(value, f"{words} is {format_date(value)}")
    if words in _END_OF:
        value, period = _end_of(_END_OF[words], today, scheme)
        return ParsedDate(value, f"end of {_END_OF[words]} is {format_date(value)} ({period})")

    raise ValueError(cleaned)


def parse_optional_date(
    text: str,
    *,
    field: str,
    today: date,
    scheme: Scheme | None = None,
) -> ParsedDate | None:
    """Like ``parse_date``, but ``none``, ``-`` or nothing clears the date (returns None)."""
    if text.strip().lower() in {"", "none", "-"}:
        return None
    return parse_date(text, field=field, today=today, scheme=scheme)


_DATE_TIME = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]([0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?)"
    r"(Z|[+-][0-9]{2}:?[0-9]{2})?"
)


def parse_moment(
    text: str, *, field: str, today: date, scheme: Scheme | None = None
) -> tuple[datetime, date]:
    """A moment as typed: an ISO date-time (local time unless it says its zone), or any date
    ``parse_date`` reads, meaning the end of that day in local time. Returns the moment in UTC
    (naive, as the audit trail keeps times) and the local date it falls on."""
    cleaned = text.strip()
    if _DATE_TIME.fullmatch(cleaned):
        try:
            moment = datetime.fromisoformat(cleaned.replace("Z", "+00:00").replace(" ", "T", 1))
        except ValueError:
            raise InvalidInput(
                f"{field}: expected a date such as 2026-09-30 or a date and time such as "
                f"2026-09-30T17:00; got {text!r}"
            ) from None
        date_in_range(moment.date(), field)
        if moment.tzinfo is None:
            moment = moment.astimezone()  # local time, like every date the user types
        local = moment.astimezone().date()
        return moment.astimezone(UTC).replace(tzinfo=None), local
    day = parse_date(text, field=field, today=today, scheme=scheme).value
    end = datetime.combine(day, time.max).astimezone()
    return end.astimezone(UTC).replace(tzinfo=None), day
