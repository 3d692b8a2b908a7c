"""What a field of a record is: its type, whether it is required, and how a value typed in a
programme file or on the command line is checked and put in its one normal form.

Values in normal form ("outside form", as a programme file holds them, with refs rather than
ids): text is NFC and stripped, a choice is its vocabulary member, a list of refs is sorted,
and a list of small tables (``ROWS``) is a list of tuples in the order of the row's columns
(sorted by its key column when it has one, in history order otherwise).

This module imports neither SQLAlchemy nor SQLModel: the CLI builds its options from it at
start-up.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum, StrEnum, auto
from functools import cache, cached_property
from typing import Any

from tracker.enums import choices
from tracker.errors import InvalidInput, OutOfRange
from tracker.text import NAME_MAX, TEXT_MAX, clean_ref, clean_text

# The dates anyone means in a programme: refused outside, so a typo such as 0026 or 20266 is
# caught where it is typed (and year 1 never reaches a report heading).
FIRST_YEAR, LAST_YEAR = 1900, 2199
NUMBER_LIMIT = 1e15  # money in pounds, counts, FTE: far beyond any real programme


class FieldType(Enum):
    TEXT = auto()  # one line, at most NAME_MAX
    LONG_TEXT = auto()  # may span lines, at most TEXT_MAX
    DATE = auto()
    DATETIME = auto()  # a moment (UTC), as a frozen report records when it was issued
    INT = auto()  # a whole number; ``bounds`` gives its range
    NUMBER = auto()  # a number that may have decimals (money, FTE)
    BOOL = auto()
    CHOICE = auto()  # one value of a vocabulary
    PERIOD = auto()  # a reporting period label: a quarter or a whole year
    DOCUMENT = auto()  # a JSON document kept whole (an issued report's content), as text
    REF = auto()  # a ref of another kind
    REFS = auto()  # a set of refs of another kind, stored in a link table
    ROWS = auto()  # a list of small tables, stored in a child table


SCALARS = frozenset(
    {
        FieldType.TEXT,
        FieldType.LONG_TEXT,
        FieldType.DATE,
        FieldType.DATETIME,
        FieldType.INT,
        FieldType.NUMBER,
        FieldType.BOOL,
        FieldType.CHOICE,
        FieldType.PERIOD,
        FieldType.DOCUMENT,
    }
)
LISTS = frozenset({FieldType.REFS, FieldType.ROWS})


@dataclass(frozen=True)
class RowsSpec:
    """Where a list field is stored: a child table with one row per entry.

    ``columns`` are the entry's fields in file order (a REF column is stored as its id).
    ``key`` names the column that identifies an entry: entries are then a set, sorted by it
    and unique. Without a key, entries are a history kept in the order they were added.
    """

    model_name: str
    owner_column: str
    columns: tuple[FieldSpec, ...]
    key: str | None = None

    @property
    def form(self) -> str:
        """An example entry, for error messages: ``[{ person = "REF", role = "delegate" }]``."""
        examples = {
            FieldType.REF: '"REF"',
            FieldType.DATE: "2026-06-30",
            FieldType.PERIOD: '"FY2026/27 Q3"',
            FieldType.NUMBER: "1000",
            FieldType.INT: "3",
            FieldType.CHOICE: '"…"',
        }
        parts = [
            f"{column.key} = {examples.get(column.field_type, chr(34) + '...' + chr(34))}"
            for column in self.columns
        ]
        return "[{ " + ", ".join(parts) + " }]"


@dataclass(frozen=True)
class FieldSpec:
    key: str
    field_type: FieldType
    required: bool = False
    vocabulary: type[StrEnum] | None = None
    target: str | None = None  # the table a REF or REFS points into
    column: str | None = None  # the model attribute, when it is not the key (or key_id)
    default: Any = None
    rows: RowsSpec | None = None  # REFS and ROWS: where the entries are stored
    bounds: tuple[int, int] = (0, 10_000)  # INT: the accepted range
    help: str = ""  # what the option means on the command line, when the key does not say
    # An optional REF that the record cannot stand without once it is set: ``--cascade``
    # removes the record with its target rather than clearing the link (a theme's commentary
    # would otherwise become the programme's).
    removed_with: bool = False
    # A DATE on which something happened (completed, resolved, raised): typed on the command
    # line, it may not be later than today. Reports read such a date as already past.
    happened: bool = False

    # Worked out once per field (a frozen dataclass keeps them in the instance's dict): a
    # large import asks each of them once per record.
    @cached_property
    def attribute(self) -> str:
        if self.column:
            return self.column
        return f"{self.key}_id" if self.field_type is FieldType.REF else self.key

    @cached_property
    def is_list(self) -> bool:
        return self.field_type in LISTS

    @cached_property
    def checker(self) -> Callable[[FieldSpec, Any, PeriodParser | None], Any]:
        """The function that checks this field's values (``clean_value``)."""
        return _CLEANERS[self.field_type]

    @property
    def flag(self) -> str:
        return "--" + self.key.replace("_", "-")


@cache
def _accepted(vocabulary: type[StrEnum]) -> dict[str, StrEnum]:
    """A vocabulary's members by the text that names them, in any case."""
    return {member.value.casefold(): member for member in vocabulary}


def in_window(value: dt.date) -> bool:
    """Whether a date is one a programme can mean: from 1900 to 2199."""
    return FIRST_YEAR <= value.year <= LAST_YEAR


def date_in_range(value: dt.date, field: str) -> dt.date:
    """Refuse dates no programme means (before 1900 or after 2199), naming the window."""
    if not in_window(value):
        raise OutOfRange(
            f"{field}: {value.isoformat()} is outside the years {FIRST_YEAR} to {LAST_YEAR}"
        )
    return value


def in_the_future(spec: FieldSpec, value: Any, today: dt.date) -> str | None:
    """What is wrong with a date on which something happened (``FieldSpec.happened``: a
    completion, a resolution) that is later than today, or None. A milestone completed next
    week is not done yet, whether typed on the command line or in a programme file."""
    if spec.happened and isinstance(value, dt.date) and value > today:
        return f"{value.isoformat()} is in the future; record it on or after the day it happens"
    return None


def period_in_range(label: str, first: dt.date, last: dt.date, field: str) -> None:
    """Refuse a period (a report's quarter) whose days fall outside the window, by its label."""
    if not (in_window(first) and in_window(last)):
        raise OutOfRange(f"{field}: {label} is outside the years {FIRST_YEAR} to {LAST_YEAR}")


PeriodParser = Callable[[str], str]


def clean_value(spec: FieldSpec, value: Any, *, period: PeriodParser | None = None) -> Any:
    """Check one value's type and normal form; raise InvalidInput naming the field.

    ``period`` reads a period label into its canonical form (it depends on the reporting
    scheme, which lives in the database); without it a label is only trimmed."""
    return spec.checker(spec, value, period)


def _clean_text(spec: FieldSpec, value: Any, _period: PeriodParser | None) -> Any:
    field = spec.key
    if not isinstance(value, str):
        raise InvalidInput(f"{field}: expected text in quotes")
    long = spec.field_type is FieldType.LONG_TEXT
    text = clean_text(value, field=field, max_len=TEXT_MAX if long else NAME_MAX, multiline=long)
    if not text and spec.required:
        raise InvalidInput(f"{field}: must not be empty")
    return text or None


def _clean_date(spec: FieldSpec, value: Any, _period: PeriodParser | None) -> Any:
    # The TOML reader gives datetimes for values with a time: a business date is a date.
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise InvalidInput(f"{spec.key}: expected a date such as 2026-06-30")
    return date_in_range(value, spec.key)


def _clean_datetime(spec: FieldSpec, value: Any, _period: PeriodParser | None) -> Any:
    if not isinstance(value, dt.datetime) or value.tzinfo is not None:
        raise InvalidInput(f"{spec.key}: expected a date and time such as 2026-10-14T09:30:00")
    date_in_range(value.date(), spec.key)
    return value


def _clean_int(spec: FieldSpec, value: Any, _period: PeriodParser | None) -> Any:
    low, high = spec.bounds
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"{spec.key}: expected a whole number from {low} to {high}")
    return value


def _clean_bool(spec: FieldSpec, value: Any, _period: PeriodParser | None) -> Any:
    if not isinstance(value, bool):
        raise InvalidInput(f"{spec.key}: expected true or false")
    return value


def _clean_choice(spec: FieldSpec, value: Any, _period: PeriodParser | None) -> Any:
    assert spec.vocabulary is not None
    accepted = _accepted(spec.vocabulary)
    if not isinstance(value, str) or value.strip().casefold() not in accepted:
        raise InvalidInput(f"{spec.key}: expected one of {choices(spec.vocabulary)}; got {value!r}")
    return accepted[value.strip().casefold()]


def _clean_period(spec: FieldSpec, value: Any, period: PeriodParser | None) -> Any:
    field = spec.key
    if not isinstance(value, str):
        raise InvalidInput(f"{field}: expected a period label in quotes, like FY2026/27")
    if period is None:
        return value.strip()
    try:
        return period(value)
    except InvalidInput as error:  # the parser names its value "period"
        raise InvalidInput(error.message.replace("period:", f"{field}:", 1)) from None


def _clean_one_ref(spec: FieldSpec, value: Any, _period: PeriodParser | None) -> Any:
    if not isinstance(value, str):
        raise InvalidInput(f"{spec.key}: expected a ref in quotes")
    return clean_ref(value, field=spec.key)


def _clean_refs(spec: FieldSpec, value: Any, _period: PeriodParser | None) -> Any:
    field = spec.key
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidInput(f'{field}: expected a list of refs, like ["OXF", "LIV"]')
    refs = sorted(clean_ref(item, field=field) for item in value)
    # Sorted first, so repeats are neighbours: linear, even for 100,000 partners.
    repeated = sorted({a for a, b in itertools.pairwise(refs) if a == b})
    if repeated:
        raise InvalidInput(f"{field}: {', '.join(repeated)} listed more than once")
    return refs  # a set of links has no order: one normal form to compare


def clean_document(value: Any, field: str) -> str:
    """A JSON document in one normal form (sorted keys, no spaces), so the same content always
    reads back as the same text."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise InvalidInput(f"{field}: expected a JSON document") from None
    if not isinstance(value, dict):
        raise InvalidInput(f"{field}: expected a JSON document (an object)")
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def clean_number(value: Any, field: str) -> int | float:
    """A number as stored: whole numbers stay whole (5000000, not 5000000.0), so a file
    written back reads as it was typed."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidInput(f"{field}: expected a number such as 1200000 or 2.5")
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInput(f"{field}: expected a number such as 1200000 or 2.5")
    if abs(value) > NUMBER_LIMIT:
        raise InvalidInput(f"{field}: expected a number no larger than {NUMBER_LIMIT:.0e}")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def whole(value: Any) -> Any:
    """A number as read back from storage (a double): whole numbers are whole again."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _clean_rows(spec: FieldSpec, value: Any, period: PeriodParser | None) -> list[tuple[Any, ...]]:
    rows = spec.rows
    assert rows is not None
    field, form = spec.key, rows.form
    names = [column.key for column in rows.columns]
    if isinstance(value, list):
        # Entries already in their stored form (tuples) are accepted, so cleaning a stored
        # record again gives the same record.
        value = [
            dict(zip(names, item, strict=True))
            if isinstance(item, tuple) and len(item) == len(names)
            else item
            for item in value
        ]
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise InvalidInput(f"{field}: expected a list of tables like {form}")
    entries: list[tuple[Any, ...]] = []
    for item in value:
        unknown = sorted(set(item) - set(names))
        if unknown:
            raise InvalidInput(f"{field}: unknown key {unknown[0]!r}; expected {form}")
        entry = []
        for column in rows.columns:
            name = f"{field}.{column.key}"
            raw = item.get(column.key)
            if raw is None:
                if column.required and column.default is None:
                    raise InvalidInput(f"{field}: each entry needs {column.key}; expected {form}")
                entry.append(column.default)
                continue
            entry.append(clean_value(_renamed(column, name), raw, period=period))
        entries.append(tuple(entry))
    if rows.key is None:
        return entries
    position = names.index(rows.key)
    counted = Counter(entry[position] for entry in entries)
    repeated = sorted(str(key) for key, times in counted.items() if times > 1)
    if repeated:
        raise InvalidInput(f"{field}: {', '.join(repeated)} listed more than once")
    return sorted(entries, key=lambda entry: str(entry[position]))


# One checker per type, which each field keeps (FieldSpec.checker): a match statement tried
# the types in turn for each of the half a million values of a 100,000-milestone import.
_CLEANERS: dict[FieldType, Callable[[FieldSpec, Any, PeriodParser | None], Any]] = {
    FieldType.TEXT: _clean_text,
    FieldType.LONG_TEXT: _clean_text,
    FieldType.DATE: _clean_date,
    FieldType.DATETIME: _clean_datetime,
    FieldType.DOCUMENT: lambda spec, value, _period: clean_document(value, spec.key),
    FieldType.INT: _clean_int,
    FieldType.NUMBER: lambda spec, value, _period: clean_number(value, spec.key),
    FieldType.BOOL: _clean_bool,
    FieldType.CHOICE: _clean_choice,
    FieldType.PERIOD: _clean_period,
    FieldType.REF: _clean_one_ref,
    FieldType.REFS: _clean_refs,
    FieldType.ROWS: _clean_rows,
}


def _renamed(column: FieldSpec, name: str) -> FieldSpec:
    """The column with its full name (``attendees.role``), for messages."""
    return FieldSpec(
        name,
        column.field_type,
        required=column.required,
        vocabulary=column.vocabulary,
        target=column.target,
        bounds=column.bounds,
    )


def refs_named(spec: FieldSpec, value: Any) -> list[tuple[str, str]]:
    """(table, ref) for every ref a field's value (in normal form) names."""
    if value is None:
        return []
    if spec.field_type is FieldType.REF:
        assert spec.target is not None
        return [(spec.target, value)]
    if spec.field_type is FieldType.REFS:
        assert spec.target is not None
        return [(spec.target, ref) for ref in value]
    if spec.field_type is FieldType.ROWS:
        assert spec.rows is not None
        named = []
        for position, column in enumerate(spec.rows.columns):
            if column.field_type is FieldType.REF:
                assert column.target is not None
                named += [(column.target, entry[position]) for entry in value]
        return named
    return []


def plain(value: Any) -> Any:
    """A value as JSON and TOML write it: vocabulary members as their text, tuples as lists.
    Dates stay dates (each writer has its own form for them)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value
