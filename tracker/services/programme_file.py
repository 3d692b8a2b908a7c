"""Reading and validating a programme file (docs/programme-file.md) before anything is written.

Validation is complete, not fail-fast: every problem is collected with its table, ref and
field, so a user fixes a file in one pass. References may point into the file itself or to
records already in the database. Every kind is read the same way, from its description in
``tracker.kinds``.

A large file is never held whole in its parsed form (some 100 MB for 100,000 milestones): it
is parsed a piece at a time, each piece's records read and let go before the next (a file
that does not split so is parsed whole, with the same result), and the records kept compactly
(``FileRecords``) until they are written.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

# The parser tomllib comes from, compiled (about twice as fast on a long file); it reads
# TOML 1.1, a superset of the TOML 1.0 that tomllib reads.
import tomli

from tracker.errors import InvalidInput, MouError, Problem, ValidationFailed
from tracker.fields import FieldSpec, FieldType, in_the_future, refs_named
from tracker.kinds import BY_TABLE, FILE_ORDER, KINDS, KindSpec, Scope
from tracker.periods import Scheme, parse_period
from tracker.rules import Lookup, Record, parent_loops
from tracker.services.file_records import FileRecords
from tracker.services.settings import SETTINGS, out_of_order
from tracker.text import clean_ref

# For each table, the records the database already holds: key -> record (outside form).
Existing = dict[str, dict[str, Record]]
SETTINGS_TABLE = "settings"


@dataclass
class Programme:
    """A validated programme file: records in their normal form, keyed by table and key (a
    ref; a party: its institution's ref), and the settings it sets (stored form)."""

    records: dict[str, FileRecords] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)

    @property
    def mou(self) -> Record:
        return next(iter(self.records["mou"].values()))

    @property
    def mou_ref(self) -> str:
        return next(iter(self.records["mou"]))


class ProgrammeText:
    """A programme file's text, handed over to be parsed. Parsing takes it, so that once the
    file is read its text is let go: a caller that kept the text in a variable would keep a
    large file's text (15 MB for 100,000 milestones) for the whole import, while records are
    written."""

    def __init__(self, text: str) -> None:
        self._text = text

    def take(self) -> str:
        text, self._text = self._text, ""
        return text


def load_programme_text(
    text: str | ProgrammeText,
    *,
    source: str,
    existing: Existing,
    file_format: str = "toml",
    scheme: Scheme = Scheme.UK_FY,
    today: dt.date | None = None,
) -> Programme:
    """Parse and validate a programme file's text (TOML, or the same tables as JSON); raise
    ValidationFailed listing every problem. ``scheme`` is the database's reporting scheme,
    for period labels (a file's own [settings] scheme takes precedence). A date on which
    something happened (a completion) may not be later than ``today``."""
    if isinstance(text, ProgrammeText):
        text = text.take()
    programme, problems = _read(text, source, file_format, scheme)
    del text
    _check_mou(programme, existing, problems)
    # References are checked even when some fields were refused, so one pass shows all;
    # the rules between fields need every field read, so they wait for a clean read.
    _check_references(programme, existing, problems)
    if today is not None:
        _check_happened(programme, existing, today, problems)
    if not problems:
        lookup = _lookup(programme, existing)
        for kind in KINDS:
            programme.records[kind.table].fill_defaults(lookup)
        _check_rules(programme, existing, problems)
    if problems:
        raise ValidationFailed(problems, source)
    return programme


def _read(
    text: str, source: str, file_format: str, scheme: Scheme
) -> tuple[Programme, list[Problem]]:
    """The file's records and settings, and the problems found reading them: a piece at a
    time where the file splits, otherwise from the whole file parsed at once (which also
    gives the parser's own message for a file that is not valid).

    An error that stops reading (a setting no value of which is known) is raised from the
    whole file too: a file that is not valid further on says so instead, as it always has."""
    hint = _FORMAT_HINTS[file_format]
    pieces = _json_pieces(text) if file_format == "json" else _toml_pieces(text)
    try:
        return _Tables(scheme, hint).read(pieces)
    except (_Unsplittable, MouError, RecursionError):
        pieces.close()
    data = _parse_json(text, source) if file_format == "json" else _parse_toml(text, source)
    return _Tables(scheme, hint).read(iter([data]))


class _Unsplittable(Exception):
    """The file cannot be read a piece at a time with the same result as whole; it is read
    whole instead."""


# Enough text per piece that the parser's own start-up is lost in the work (a few hundred
# milestones), little enough that a piece's parsed form is small.
PIECE_CHARS = 64 * 1024

# The header of an array of tables, alone on its line but for a comment: ``[[milestones]]``.
# Each piece of a TOML file after the first starts at one.
_ARRAY_HEADER = re.compile(
    r"^\[\[[ \t]*([A-Za-z0-9_-]+)[ \t]*\]\][ \t]*(?:#[^\n]*)?\r?$", re.MULTILINE
)


def _toml_pieces(text: str) -> Generator[dict[str, Any], None, None]:
    """A TOML file as the tables of consecutive pieces of its text, each parsed on its own.

    The first piece is the text before the first header of an array of tables; each later
    piece starts at such a header. A parser that reaches the end of a piece cleanly stopped
    between two statements, so the next piece starts where parsing the whole file would be
    too, at its header. Parsed on their own, later pieces can only hold arrays of tables that
    their own headers start; joined in order they are what the whole file gives, as long as
    no array of tables has the name of a table of the first piece (which the whole file
    refuses). Anything else (a piece that is not valid alone, or holds other tables) raises
    _Unsplittable, and the whole file is parsed instead."""
    found = _ARRAY_HEADER.search(text)
    end = found.start() if found else len(text)
    first = _toml_piece(text[:end])
    names = set(first)
    yield first
    del first
    while end < len(text):
        start = end
        found = _ARRAY_HEADER.search(text, start + PIECE_CHARS)
        end = found.start() if found else len(text)
        chunk = text[start:end]
        headers = set(_ARRAY_HEADER.findall(chunk))
        piece = _toml_piece(chunk)
        del chunk
        for name, value in piece.items():
            if name not in headers or name in names or not isinstance(value, list):
                raise _Unsplittable
        yield piece
        del piece


def _toml_piece(text: str) -> dict[str, Any]:
    try:
        return tomli.loads(text)
    except (ValueError, RecursionError):
        raise _Unsplittable from None


# JSON's white space, as the json module reads it.
_JSON_SPACE = re.compile(r"[ \t\n\r]*")
# After an element of an array: its comma and the white space on either side, or the end of
# the array (with the white space before it).
_JSON_NEXT = re.compile(r"[ \t\n\r]*(?:,[ \t\n\r]*|\])")
# Elements of a JSON array per piece.
PIECE_ROWS = 1_000


def _json_pieces(text: str) -> Generator[dict[str, Any], None, None]:
    """A JSON file's tables, its arrays of records an element at a time (in pieces of
    PIECE_ROWS): the outer object is read here, each value with the json module's own
    decoder, as ``json.loads`` reads it. The first piece holds every table before the first
    array of records (the settings, read before any record, are among them in files mou
    writes). Anything unusual, from a syntax error to a key given twice in the outer object,
    raises _Unsplittable, and the whole file is parsed instead (with the json module's
    message, when it is not valid)."""
    decoder = json.JSONDecoder(object_pairs_hook=_no_duplicate_keys)
    # What raw_decode calls, without its wrapping: once per element of a long array.
    scan: Callable[[str, int], tuple[Any, int]] = decoder.scan_once  # type: ignore[attr-defined]
    typed = {kind.table: _Typed.of(kind.fields) for kind in KINDS}
    streamed = {kind.table for kind in KINDS if kind.scope is not Scope.MOU}
    piece: dict[str, Any] = {}
    seen: set[str] = set()
    try:
        at = _expect(text, _skip(text, 0), "{")
        if text[at : at + 1] == "}":
            at += 1
        while text[at - 1 : at] != "}":
            if text[at : at + 1] != '"':
                raise _Unsplittable
            name, at = _scanstring(text, at + 1)
            if name in seen:
                raise _Unsplittable
            seen.add(name)
            at = _expect(text, _skip(text, at), ":")
            if name in streamed and text[at : at + 1] == "[":
                if piece:
                    yield piece
                    piece = {}
                rows: list[Any] = []
                at = _skip(text, at + 1)
                if text[at : at + 1] == "]":
                    at += 1
                while text[at - 1 : at] != "]":
                    row, at = scan(text, at)
                    if isinstance(row, dict):
                        _dates_from_json(typed[name], row)
                    rows.append(row)
                    if len(rows) == PIECE_ROWS:
                        yield {name: rows}
                        rows = []
                    # Past the comma after the element, or the end of the array.
                    after = _JSON_NEXT.match(text, at)
                    if after is None:
                        raise _Unsplittable
                    at = after.end()
                yield {name: rows}
                del rows
            else:
                value, at = decoder.raw_decode(text, at)
                if name in typed:
                    _dates_in_table(typed[name], value)
                piece[name] = value
            at = _after_item(text, at, "}")
    # JSONDecodeError and _DuplicateKey are ValueErrors; scan_once raises StopIteration where
    # it finds no value.
    except (ValueError, RecursionError, StopIteration):
        raise _Unsplittable from None
    if _skip(text, at) != len(text):
        raise _Unsplittable  # more after the outer object
    yield piece


def _skip(text: str, at: int) -> int:
    """Where the JSON white space from ``at`` ends."""
    return _JSON_SPACE.match(text, at).end()  # type: ignore[union-attr]  # always matches


def _expect(text: str, at: int, mark: str) -> int:
    """Past ``mark`` (and the white space after it) at ``at``."""
    if text[at : at + 1] != mark:
        raise _Unsplittable
    return _skip(text, at + 1)


def _after_item(text: str, at: int, close: str) -> int:
    """Past the comma (and white space) after an item of an array or object, or just past
    its closing mark; a comma before the closing mark is refused by the next item's read."""
    at = _skip(text, at)
    if text[at : at + 1] == close:
        return at + 1
    return _expect(text, at, ",")


def _scanstring(text: str, at: int) -> tuple[str, int]:
    """A key of the outer object, read as the json module reads every string."""
    scan: Any = json.decoder.scanstring  # type: ignore[attr-defined]
    name, end = scan(text, at)
    return name, end


def _parse_toml(text: str, source: str) -> dict[str, Any]:
    try:
        return tomli.loads(text)
    except (ValueError, RecursionError) as error:  # TOMLDecodeError is a ValueError
        problem = Problem("file", None, None, f"not valid TOML: {_reason(error)}")
        raise ValidationFailed([problem], source) from None


def _reason(error: Exception) -> str:
    if isinstance(error, RecursionError):
        return "nested too deeply"
    return str(error).splitlines()[0]


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FORMAT_HINTS = {"toml": " (unquoted in TOML)", "json": ' (a string "2026-06-30" in JSON)'}


class _DuplicateKey(ValueError):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """JSON allows a key twice and keeps the last silently; a programme file may not."""
    seen = dict(pairs)
    if len(seen) < len(pairs):  # only then look for the key, to name it
        keys: set[str] = set()
        for key, _ in pairs:
            if key in keys:
                raise _DuplicateKey(f"the key {key!r} appears twice in one object")
            keys.add(key)
    return seen


def _parse_json(text: str, source: str) -> dict[str, Any]:
    """JSON has no date type: dates arrive as ISO strings and are read back as dates here, so
    validation sees what it sees from TOML."""
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except (ValueError, RecursionError) as error:  # JSONDecodeError is a ValueError
        problem = Problem("file", None, None, f"not valid JSON: {_reason(error)}")
        raise ValidationFailed([problem], source) from None
    if not isinstance(data, dict):
        raise ValidationFailed(
            [Problem("file", None, None, "expected a JSON object of tables")], source
        )
    for kind in KINDS:
        _dates_in_table(_Typed.of(kind.fields), data.get(kind.table))
    return data


def _dates_in_table(typed: _Typed, content: Any) -> None:
    """Dates read back in a table's records: one record (the MoU) or a list of them."""
    records = [content] if isinstance(content, dict) else content
    for record in records if isinstance(records, list) else []:
        if isinstance(record, dict):
            _dates_from_json(typed, record)


@dataclass(frozen=True)
class _Typed:
    """Which keys of a kind's records (or of a list field's rows) hold dates, dates and
    times, or lists of rows: worked out once per kind, not once per record of a large file."""

    dates: frozenset[str]
    times: frozenset[str]
    lists: dict[str, _Typed]

    @classmethod
    def of(cls, fields: tuple[FieldSpec, ...]) -> _Typed:
        return cls(
            dates=frozenset(spec.key for spec in fields if spec.field_type is FieldType.DATE),
            times=frozenset(spec.key for spec in fields if spec.field_type is FieldType.DATETIME),
            lists={
                spec.key: cls.of(spec.rows.columns)
                for spec in fields
                if spec.field_type is FieldType.ROWS and spec.rows is not None
            },
        )


def _dates_from_json(typed: _Typed, record: dict[str, Any]) -> None:
    # A kind has a few date fields, and each record some dozen keys, new strings each when
    # the file is read a record at a time: looked up, not hashed into sets.
    for key in typed.dates:
        if key in record:
            record[key] = _as_date(record[key])
    for key in typed.times:
        if key in record:
            record[key] = _as_datetime(record[key])
    for key, columns in typed.lists.items():
        entries = record.get(key)
        for entry in entries if isinstance(entries, list) else ():
            if isinstance(entry, dict):
                _dates_from_json(columns, entry)
    if None in record.values():
        for key in [key for key, value in record.items() if value is None]:
            del record[key]  # JSON null means "not given", as an absent key does in TOML


def _as_datetime(value: Any) -> Any:
    if isinstance(value, str) and _ISO_DATE.match(value[:10]) and len(value) > 10:
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


def _as_date(value: Any) -> Any:
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _read_settings(raw: Any, problems: list[Problem]) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(Problem(SETTINGS_TABLE, None, None, "expected one [settings] table"))
        return {}
    settings: dict[str, str] = {}
    for key, value in raw.items():
        setting = SETTINGS.get(key)
        if setting is None:
            problems.append(
                Problem(
                    SETTINGS_TABLE, None, key, f"unknown setting; expected {', '.join(SETTINGS)}"
                )
            )
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            problems.append(Problem(SETTINGS_TABLE, None, key, "expected text or a whole number"))
            continue
        try:
            settings[key] = setting.parse(str(value))
        except ValueError as error:
            problems.append(Problem(SETTINGS_TABLE, None, key, f"expected {error}; got {value!r}"))
    wrong = out_of_order(settings)
    if wrong is not None:
        problems.append(Problem(SETTINGS_TABLE, None, wrong[0], f"must not exceed {wrong[1]}"))
    return settings


class _Tables:
    """Reads a file's tables from its pieces (``_toml_pieces``, ``_json_pieces``, or the
    whole file as one piece) into records, collecting every problem in the order a whole
    file's are given: the settings', unknown tables', a missing MoU's, then each table's in
    the order of a programme file."""

    def __init__(self, scheme: Scheme, hint: str) -> None:
        self.scheme = scheme
        self.hint = hint
        self.settings: dict[str, str] = {}
        self.problems: list[Problem] = []  # the settings' own
        self.named: set[str] = set()  # every table the file names, known or not
        self.readers: dict[str, _Reader] = {}

    def read(self, pieces: Iterator[dict[str, Any]]) -> tuple[Programme, list[Problem]]:
        for number, piece in enumerate(pieces):
            if number == 0:
                self._settings(piece)
            elif SETTINGS_TABLE in piece:
                # Records already read were read under the database's reporting scheme.
                raise _Unsplittable
            for table in list(piece):
                # Taken out of the piece as it is read, so the file's own form of a table is
                # freed as its records are made.
                value = piece.pop(table)
                self.named.add(table)
                reader = self.readers.get(table)
                if reader is not None:
                    reader.take(value)
            del piece
        return self._programme()

    def _settings(self, piece: dict[str, Any]) -> None:
        if SETTINGS_TABLE in piece:
            self.named.add(SETTINGS_TABLE)
            self.settings = _read_settings(piece.pop(SETTINGS_TABLE), self.problems)
        scheme = Scheme(self.settings["scheme"]) if "scheme" in self.settings else self.scheme
        self.readers = {kind.table: _Reader(kind, scheme, self.hint) for kind in FILE_ORDER}

    def _programme(self) -> tuple[Programme, list[Problem]]:
        problems = self.problems
        known = [*(kind.table for kind in FILE_ORDER), SETTINGS_TABLE]
        for table in sorted(self.named - set(known)):
            problems.append(
                Problem(table, None, None, f"unknown table; expected {', '.join(known)}")
            )
        if "mou" not in self.named:
            problems.append(Problem("mou", None, None, "missing: the file needs one [mou] table"))
        programme = Programme(settings=self.settings)
        for kind in FILE_ORDER:
            reader = self.readers[kind.table]
            problems += reader.problems
            programme.records[kind.table] = reader.records
        return programme, problems


class _Reader:
    """Reads one table's records, collecting every problem; a table may come in pieces."""

    def __init__(self, kind: KindSpec, scheme: Scheme, hint: str):
        self.kind = kind
        self.problems: list[Problem] = []
        self.hint = hint
        self.period = lambda text: parse_period(text, scheme=scheme).label
        self.known_keys = frozenset(kind.keys)
        # Each field with its key and the function clean_value would call: read once here,
        # not for each of half a million values of a large file.
        self.checks = tuple((spec, spec.key, spec.checker) for spec in kind.fields)
        self.records = FileRecords(kind)
        self.position = 0  # of the last record read, from 1
        self.refused = False  # the table is not in a form records are read from

    def take(self, value: Any) -> None:
        """Read the table's value, or its next piece (a list of records)."""
        kind = self.kind
        if self.refused:
            return
        if kind.scope is Scope.MOU:
            if not isinstance(value, dict):
                self._refuse(Problem("mou", None, None, "expected one [mou] table"))
                return
            rows = [value] if value else []
        elif not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
            self._refuse(
                Problem(kind.table, None, None, f"expected an array of tables [[{kind.table}]]")
            )
            return
        else:
            rows = value
        self._read(rows)

    def _refuse(self, problem: Problem) -> None:
        """The whole table is refused, and none of its records read (pieces of it read
        already are dropped)."""
        self.refused = True
        self.records = FileRecords(self.kind)
        self.problems = [problem]

    def _read(self, rows: list[Any]) -> None:
        records = self.records
        kind = self.kind
        for index, row in enumerate(rows):
            rows[index] = None  # the parsed row is not needed once read: let it go
            self.position += 1
            key = self._key(row, self.position)
            if key is None:
                continue
            shown = key if kind.has_ref else f"#{self.position} ({key})"
            if key in records:
                self._problem(shown, kind.key_field, "duplicate: appears more than once")
                continue
            records.add(key, self._fields(row, shown))

    def _problem(self, where: str | None, field_name: str | None, message: str) -> None:
        self.problems.append(Problem(self.kind.table, where, field_name, message))

    def _key(self, row: Record, position: int) -> str | None:
        key_field = self.kind.key_field
        where = f"#{position}"
        if key_field not in row:
            self._problem(where, key_field, "missing (required)")
            return None
        value = row[key_field]
        if not isinstance(value, str):
            self._problem(where, key_field, "expected a ref in quotes")
            return None
        try:
            return clean_ref(value, field=key_field)
        except InvalidInput as error:
            self._problem(where, key_field, _detail(error, key_field))
            return None

    def _fields(self, row: Record, shown: str) -> list[Any]:
        """The record's values, in the order of its kind's fields (None for one refused)."""
        kind = self.kind
        values: list[Any] = []
        if not self.known_keys.issuperset(row):
            for key in sorted(set(row) - self.known_keys):
                self._problem(shown, key, f"unknown field; expected {', '.join(kind.keys)}")
        period = self.period
        for spec, key, check in self.checks:
            given = row.get(key, _ABSENT)
            if given is _ABSENT:
                if spec.required:
                    self._problem(shown, key, "missing (required)")
                values.append(spec.default)
                continue
            try:
                value = check(spec, given, period)
            except InvalidInput as error:
                detail = _detail(error, key)
                if detail.startswith("expected a date"):
                    detail += self.hint
                self._problem(shown, spec.key, detail)
                value = None
            values.append(value)
        return values


_ABSENT = object()  # a field a record does not give


def _detail(error: InvalidInput, key: str) -> str:
    """The message without its leading field name: the Problem names the field already."""
    prefix = f"{key}: "
    return error.message[len(prefix) :] if error.message.startswith(prefix) else error.message


def _check_mou(programme: Programme, existing: Existing, problems: list[Problem]) -> None:
    """Until a database holds a portfolio of MoUs, it holds one: a file for another MoU is
    refused whole, whether or not its refs clash."""
    held = sorted(existing.get("mou", {}))
    if not held or not programme.records.get("mou"):
        return
    if programme.mou_ref not in held:
        problems.append(
            Problem(
                "mou",
                programme.mou_ref,
                "ref",
                f"this database holds MoU {held[0]}, and the file is for MoU "
                f"{programme.mou_ref}; keep each MoU in its own database (--db)",
            )
        )


def _check_references(programme: Programme, existing: Existing, problems: list[Problem]) -> None:
    def known(table: str, ref: str) -> bool:
        return ref in programme.records[table] or ref in existing.get(table, {})

    for kind in FILE_ORDER:
        records = programme.records[kind.table]
        # Each ref a kind names is checked once (a 100,000-milestone file names some 400,000
        # refs, most of them many times over); the records are gone through again, in
        # order, only to say where an unknown one is.
        named: set[tuple[str, str]] = set()
        for spec in kind.ref_fields:
            values: Iterable[Any] = records.column(spec.key)
            if spec.field_type is FieldType.REF:
                values = set(values)  # one ref each: the same few hundred, many times over
            for value in values:
                named.update(refs_named(spec, value))
        if all(known(table, ref) for table, ref in named):
            continue
        for key in records:
            for spec in kind.ref_fields:
                for table, ref in refs_named(spec, records.value(key, spec.key)):
                    if not known(table, ref):
                        noun = BY_TABLE[table].noun
                        problems.append(
                            Problem(kind.table, key, spec.key, f"unknown {noun} {ref!r}")
                        )


def _check_happened(
    programme: Programme, existing: Existing, today: dt.date, problems: list[Problem]
) -> None:
    """A date on which something happened may not be later than today. A date the database
    already holds for the record is let be (recorded before mou refused such dates in files,
    or by another tool; mou check lists it), so the database's own export still loads."""
    for kind in FILE_ORDER:
        happened = [spec for spec in kind.fields if spec.happened]
        stored = existing.get(kind.table, {})
        records = programme.records[kind.table]
        if not happened:
            continue
        columns = zip(*[records.column(spec.key) for spec in happened], strict=True)
        for key, values in zip(records, columns, strict=True):
            for spec, value in zip(happened, values, strict=True):
                if value is None or stored.get(key, {}).get(spec.key) == value:
                    continue
                wrong = in_the_future(spec, value, today)
                if wrong is not None:
                    problems.append(Problem(kind.table, key, spec.key, wrong))


def _lookup(programme: Programme, existing: Existing) -> Lookup:
    def lookup(table: str, ref: str) -> Mapping[str, Any]:
        found = programme.records[table].view(ref)
        return found if found is not None else existing.get(table, {}).get(ref) or {}

    return lookup


def _check_rules(programme: Programme, existing: Existing, problems: list[Problem]) -> None:
    records = programme.records
    if len(records["mou"]) != 1:
        problems.append(Problem("mou", None, None, "the file needs exactly one [mou] table"))
    lookup = _lookup(programme, existing)
    for kind in FILE_ORDER:
        for key, record in records[kind.table].each() if kind.rules else ():
            # The record is made afresh: it takes its own ref here, for the rules to see,
            # rather than be copied with it (``KindSpec.problems``).
            if kind.has_ref:
                record["ref"] = key
            for field_name, message in kind.problems(record, lookup):
                problems.append(Problem(kind.table, key, field_name, message))
        if kind.parent is not None:
            spec = kind.field(kind.parent)
            parents = {ref: row.get(spec.key) for ref, row in existing.get(kind.table, {}).items()}
            parents.update(
                zip(records[kind.table], records[kind.table].column(spec.key), strict=True)
            )
            for ref in parent_loops(parents, list(records[kind.table])):
                problems.append(Problem(kind.table, ref, kind.parent, "makes a loop of parents"))
