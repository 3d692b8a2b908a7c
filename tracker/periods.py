"""Reporting periods: the quarters and years of the three year schemes (docs/rules.md,
"Reporting periods").

Boards quote quarters by label (``FY2026/27 Q1``), so a label must map to exactly one span of
days and back again. Everything here is plain arithmetic on ``datetime.date``; the UK *tax* year
(starting 6 April) is deliberately not one of the schemes.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date
from enum import StrEnum

from tracker.errors import InvalidInput

__all__ = [
    "Quarter",
    "Scheme",
    "Year",
    "last_ended_quarter",
    "parse_period",
    "parse_quarter",
    "parse_scheme",
    "quarter_of",
    "year_bounds",
]


class Scheme(StrEnum):
    """A way of cutting time into reporting years; the value is what users type."""

    UK_FY = "uk-fy"
    ACADEMIC = "academic"
    CALENDAR = "calendar"

    @property
    def start_month(self) -> int:
        """The month (1-12) on whose first day the scheme's year begins."""
        return _START_MONTH[self]


# Kept outside the enum body because any plain attribute there would become a member.
_START_MONTH: dict[Scheme, int] = {Scheme.UK_FY: 4, Scheme.ACADEMIC: 8, Scheme.CALENDAR: 1}

# The label prefix of the two split-year schemes; a calendar year needs none.
_PREFIX: dict[Scheme, str] = {Scheme.UK_FY: "FY", Scheme.ACADEMIC: "AY"}


def _month_index(scheme: Scheme, start_year: int, months_in: int) -> tuple[int, int]:
    """(year, month) of the month ``months_in`` months after the start of the scheme year."""
    zero_based = scheme.start_month - 1 + months_in
    return start_year + zero_based // 12, zero_based % 12 + 1


@dataclass(frozen=True, order=True)
class Quarter:
    """One quarter of one scheme, named by the year its scheme year starts in.

    ``start_year`` is the Y of the scheme year "1 Apr Y - 31 Mar Y+1", so the January-March
    quarter of 2027 is ``Quarter(Scheme.UK_FY, 2026, 4)``, as boards label it.
    """

    scheme: Scheme
    start_year: int
    number: int

    def __post_init__(self) -> None:
        # Refused here rather than left to fail later in ``start``/``end``, so that a Quarter
        # that exists always has real calendar bounds (needed at the edges of ``date``'s range,
        # where a scheme year can start in year 0 or end in year 10000).
        if not 1 <= self.number <= 4:
            raise ValueError(f"quarter number must be 1 to 4, not {self.number}")
        first_year, _ = _month_index(self.scheme, self.start_year, 3 * (self.number - 1))
        last_year, _ = _month_index(self.scheme, self.start_year, 3 * (self.number - 1) + 2)
        if first_year < MINYEAR or last_year > MAXYEAR:
            raise ValueError(f"quarter {self.number} of {self.start_year} is out of date range")

    @property
    def start(self) -> date:
        """The first day of the quarter."""
        year, month = _month_index(self.scheme, self.start_year, 3 * (self.number - 1))
        return date(year, month, 1)

    @property
    def end(self) -> date:
        """The last day of the quarter (bounds are inclusive, as in every report)."""
        year, month = _month_index(self.scheme, self.start_year, 3 * (self.number - 1) + 2)
        return date(year, month, calendar.monthrange(year, month)[1])

    @property
    def year_label(self) -> str:
        """The year part of the label: ``2026/27`` for split years, ``2026`` for calendar."""
        if self.scheme is Scheme.CALENDAR:
            return f"{self.start_year:04d}"
        # Four digits always, so that labels near year 0 still parse back to the same quarter.
        return f"{self.start_year:04d}/{(self.start_year + 1) % 100:02d}"

    @property
    def label(self) -> str:
        """The canonical label: ``FY2026/27 Q1``, ``AY2025/26 Q3`` or ``2026 Q1``."""
        return f"{_PREFIX.get(self.scheme, '')}{self.year_label} Q{self.number}"

    def next(self) -> Quarter:
        """The quarter that starts the day after this one ends."""
        if self.number == 4:
            return Quarter(self.scheme, self.start_year + 1, 1)
        return Quarter(self.scheme, self.start_year, self.number + 1)

    def previous(self) -> Quarter:
        """The quarter that ends the day before this one starts."""
        if self.number == 1:
            return Quarter(self.scheme, self.start_year - 1, 4)
        return Quarter(self.scheme, self.start_year, self.number - 1)

    def contains(self, d: date) -> bool:
        """Whether ``d`` falls in the quarter, both ends included."""
        return self.start <= d <= self.end

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True, order=True)
class Year:
    """One whole year of a scheme (``FY2026/27``), named like its quarters."""

    scheme: Scheme
    start_year: int

    @property
    def quarters(self) -> tuple[Quarter, ...]:
        return tuple(Quarter(self.scheme, self.start_year, number) for number in range(1, 5))

    @property
    def start(self) -> date:
        return self.quarters[0].start

    @property
    def end(self) -> date:
        return self.quarters[-1].end

    @property
    def label(self) -> str:
        return self.quarters[0].label.rsplit(" ", 1)[0]

    def contains(self, d: date) -> bool:
        return self.start <= d <= self.end

    def __str__(self) -> str:
        return self.label


Period = Quarter | Year


def _start_year(d: date, scheme: Scheme) -> int:
    return d.year if d.month >= scheme.start_month else d.year - 1


def quarter_of(d: date, scheme: Scheme) -> Quarter:
    """The quarter of ``scheme`` that contains ``d``.

    Raises ``ValueError`` only for November and December 9999 in the academic scheme, whose
    quarter would end after ``date.max``.
    """
    number = (d.month - scheme.start_month) % 12 // 3 + 1
    return Quarter(scheme, _start_year(d, scheme), number)


def year_bounds(d: date, scheme: Scheme) -> tuple[date, date]:
    """First and last day (inclusive) of the scheme year containing ``d``.

    Raises ``ValueError`` only where the year runs past ``date.max`` (split years of 9999).
    """
    start_year = _start_year(d, scheme)
    start = date(start_year, scheme.start_month, 1)
    end_year, end_month = _month_index(scheme, start_year, 11)
    return start, date(end_year, end_month, calendar.monthrange(end_year, end_month)[1])


def last_ended_quarter(today: date, scheme: Scheme) -> Quarter:
    """The quarter before the one containing ``today``: the latest one a report can be final for."""
    return quarter_of(today, scheme).previous()


def parse_scheme(text: str) -> Scheme:
    """Read a scheme name as typed (case and surrounding spaces ignored)."""
    try:
        return Scheme(text.strip().lower())
    except ValueError:
        raise InvalidInput(
            f"scheme: expected one of uk-fy, academic, calendar; got {text!r}"
        ) from None


# A year is "2026" or a pair "2026/27", "2026-27", "2026/2027" (or "26/27" after FY/AY). ASCII
# only, so that no other script's digits are read as a year.
_YEAR = (
    r"(?:(?P<prefix>fy|ay)\s*)?"
    r"(?P<first>[0-9]{4}|[0-9]{2})"
    r"(?:\s*[/-]\s*(?P<second>[0-9]{4}|[0-9]{2}))?"
)
_QUARTER = r"q\s*(?P<number>[1-4])"
# "2026Q1" is a common spelling; "Q12026" is not, so the quarter-first form needs a separator.
_YEAR_FIRST = re.compile(rf"{_YEAR}\s*(?:-\s*)?{_QUARTER}", re.ASCII)
_QUARTER_FIRST = re.compile(rf"{_QUARTER}(?:\s*-\s*|\s+){_YEAR}", re.ASCII)
_PREFIX_SCHEME = {"fy": Scheme.UK_FY, "ay": Scheme.ACADEMIC}


def _label_quarter(match: re.Match[str], scheme: Scheme) -> Quarter | None:
    """The quarter a matched label names, or None when the label does not make sense."""
    year = _label_year(match, scheme)
    if year is None:
        return None
    try:
        return Quarter(year.scheme, year.start_year, int(match["number"]))
    except ValueError:
        return None


def _label_year(match: re.Match[str], scheme: Scheme) -> Year | None:
    """The scheme year a matched label names, or None when the label does not make sense."""
    prefix, first, second = match["prefix"], match["first"], match["second"]
    if prefix is not None:
        # An explicit prefix wins over the scheme in use: "AY2025/26 Q3" can only mean that.
        scheme = _PREFIX_SCHEME[prefix]
    if scheme is Scheme.CALENDAR:
        # A bare "2026/27" while reporting by calendar year could be FY or AY: refuse to guess.
        if second is not None or len(first) != 4:
            return None
        start_year = int(first)
    else:
        # "2026 Q1" while reporting by financial year is a calendar label (or "FY2026" in one of
        # two opposite conventions): refuse it rather than pick one.
        if second is None:
            return None
        if len(first) == 2:
            # A two-digit start year is an accepted abbreviation only as "FY26/27".
            if prefix is None or len(second) != 2:
                return None
            start_year = 2000 + int(first)
        else:
            start_year = int(first)
        expected = start_year + 1 if len(second) == 4 else (start_year + 1) % 100
        if int(second) != expected:
            return None
    try:
        Quarter(scheme, start_year, 1), Quarter(scheme, start_year, 4)
    except ValueError:
        return None
    return Year(scheme, start_year)


def months_of(label: str) -> tuple[date, date] | None:
    """The first and last day of a stored quarter label, whatever scheme it was written in
    (FY2026/27 Q2 and 2026 Q3 name the same months); None for a label no scheme reads."""
    try:
        # The calendar scheme reads its own labels and those of the FY and AY schemes.
        found = parse_quarter(label, scheme=Scheme.CALENDAR, today=date.today())
    except InvalidInput:
        return None
    return found.start, found.end


def parse_quarter(text: str, *, scheme: Scheme, today: date) -> Quarter:
    """Read a quarter as typed: a label of ``scheme`` (or of the scheme its prefix names), or
    ``current``, ``previous`` (the last ended quarter) or ``next`` relative to ``today``."""
    current = quarter_of(today, scheme)
    error = InvalidInput(
        f"quarter: expected a label such as {current.label} (or current, previous, next); "
        f"got {text!r}"
    )
    # Surrounding whitespace may be any (pasted) kind; inside, only what the patterns allow.
    cleaned = text.strip()
    if not cleaned.isascii():
        raise error
    cleaned = cleaned.lower()
    try:
        if cleaned == "current":
            return current
        if cleaned == "previous":
            return current.previous()
        if cleaned == "next":
            return current.next()
    except ValueError:
        # Only at the very ends of the date range.
        raise error from None
    match = _YEAR_FIRST.fullmatch(cleaned) or _QUARTER_FIRST.fullmatch(cleaned)
    quarter = _label_quarter(match, scheme) if match is not None else None
    if quarter is None:
        raise error
    return quarter


_YEAR_ONLY = re.compile(_YEAR, re.ASCII)


def parse_period(text: str, *, scheme: Scheme) -> Period:
    """A reporting period as typed: a quarter label (``FY2026/27 Q3``) or a whole year
    (``FY2026/27``, ``2026/27``; ``2026`` in the calendar scheme)."""
    cleaned = text.strip().lower()
    example = Quarter(scheme, 2026, 3).label
    error = InvalidInput(
        f"period: expected a quarter such as {example} or a year such as "
        f"{example.rsplit(' ', 1)[0]}; got {text!r}"
    )
    if not cleaned.isascii():
        raise error
    match = _YEAR_FIRST.fullmatch(cleaned) or _QUARTER_FIRST.fullmatch(cleaned)
    period: Period | None = _label_quarter(match, scheme) if match is not None else None
    if period is None and (year_match := _YEAR_ONLY.fullmatch(cleaned)):
        period = _label_year(year_match, scheme)
    if period is None:
        raise error
    return period
