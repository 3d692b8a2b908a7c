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

import array
import datetime as dt
import itertools
import json
import re
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, overload

# The parser tomllib comes from, compiled (about twice as fast on a long file); it reads
# TOML 1.1, a superset of the TOML 1.0 that tomllib reads.
import tomli

from tracker.errors import InvalidInput, MouError, Problem, ValidationFailed
from tracker.fields import FieldSpec, FieldType, in_the_future, refs_named
from tracker.kinds import BY_TABLE, FILE_ORDER, KINDS, KindSpec, Scope
from tracker.periods import Scheme, parse_period
from tracker.rules import Lookup, Record, parent_loops
from tracker.services.settings import SETTINGS, out_of_order
from tracker.text import clean_ref

# For each table, the records the database already holds: key -> record (outside form).
Existing = dict[str, dict[str, Record]]
SETTINGS_TABLE = "settings"


class FileRecords(Mapping[str, Record]):
    """One table's records as a programme file gives them, in the file's order, by key (a
    ref; a party: its institution's ref). Reading one makes it as a dict, afresh each time.

    They are held field by field, not as a dict per record: a dict of a milestone's dozen
    fields takes some 650 bytes, the same record held so about 100 (a pointer a field, and
    its values, kept once where they repeat: refs to the same workstream, the same dates).
    Each block of BLOCK records has a list per field; the lists' memory comes from the
    system allocator, which takes it back for the database's pages as soon as a block's
    records are written (``written``).

    A list field the file does not give is held as None; once the record's defaults are
    filled in (``fill_defaults``) it reads as an empty list."""

    BLOCK = 1_024

    def __init__(self, kind: KindSpec) -> None:
        self.kind = kind
        self._names = tuple(spec.key for spec in kind.fields)
        self._index = {name: index for index, name in enumerate(self._names)}
        self._lists = tuple(spec.key for spec in kind.list_fields)
        self._list_indexes = tuple(self._index[name] for name in self._lists)
        self._repeating = tuple(spec.field_type in _REPEATING for spec in kind.fields)
        self._texts = tuple(spec.field_type in _TEXTS for spec in kind.fields)
        self._shared: dict[Any, Any] = {}
        # Where each record is: its block's number (one int for a block's records) and its
        # place in the block, from that block's own index (places are ints every block
        # shares). A position of its own for each record would be an int for each: 3 MB
        # for 100,000 records, in memory that stays with Python once freed.
        self._block_of: dict[str, int] = {}
        self._places: list[dict[str, int]] = []
        self._place_numbers = _numbers_to(self.BLOCK)
        self._number = 0  # the last block's number
        # Per block, a list per field (None once its records are written), and how many of
        # its records are written.
        self._blocks: list[_Block | None] = []
        self._written: list[int] = []
        # Records added but not yet in a block: they go in a block at a time, turned from
        # rows into columns in one step.
        self._added: list[list[Any]] = []
        self._filled = 0  # how many records, from the first, have their defaults

    def add(self, key: str, values: list[Any]) -> None:
        """A new record: its values in the order of the kind's fields."""
        if not self._places or len(self._places[-1]) == self.BLOCK:
            self._places.append({})
            self._number = len(self._places) - 1
        places = self._places[-1]
        places[key] = self._place_numbers[len(places)]
        self._block_of[key] = self._number
        self._added.append(values)
        if len(self._added) == self.BLOCK:
            self._settle()

    def _settle(self) -> None:
        """The records added into blocks: the last block filled up first, if it is not full
        (records read before more are added)."""
        added, self._added = self._added, []
        shared = self._shared
        while added:
            if not self._blocks or len(self._block(-1)[0]) == self.BLOCK:
                self._blocks.append(tuple([] for _ in self._names))
                self._written.append(0)
            last = self._block(-1)
            room = self.BLOCK - len(last[0])
            rows, added = added[:room], added[room:]
            block = []
            for held, repeating, text, values in zip(
                last, self._repeating, self._texts, zip(*rows, strict=True), strict=True
            ):
                column = list(held)
                column.extend(map(shared.setdefault, values, values) if repeating else values)
                block.append(_Texts(column) if text and _Texts.fit(column) else column)
            self._blocks[-1] = tuple(block)

    def __getitem__(self, key: str) -> Record:
        return self.made([key])[0]

    def __contains__(self, key: object) -> bool:
        return key in self._block_of

    def __iter__(self) -> Iterator[str]:
        return iter(self._block_of)

    def __len__(self) -> int:
        return len(self._block_of)

    def value(self, key: str, name: str) -> Any:
        """One field of one record, without making the whole record."""
        number = self._block_of[key]
        return self._field(self._index[name], number, self._places[number][key])

    def column(self, name: str) -> Iterator[Any]:
        """One field of every record, in the file's order, as held (a list field not given
        is None)."""
        index = self._index[name]
        return itertools.chain.from_iterable(block[index] for block in self._every_block())

    def view(self, key: str) -> Mapping[str, Any] | None:
        """A record to read a field or two of (what rules look up), without making it."""
        number = self._block_of.get(key)
        if number is None:
            return None
        return _RecordView(self, number, self._places[number][key])

    def each(self) -> Iterator[tuple[str, Record]]:
        """Every record, made in turn, in the file's order."""
        names, lists = self._names, self._lists
        keys = iter(self._block_of)
        position = 0
        for block in self._every_block():
            for row in zip(*block, strict=True):
                record = dict(zip(names, row, strict=True))
                if position < self._filled:
                    for name in lists:
                        if record[name] is None:
                            record[name] = []
                yield next(keys), record
                position += 1

    def made(self, keys: list[str]) -> list[Record]:
        """The records of these keys, each made once."""
        blocks = self._settled()
        names, lists = self._names, self._lists
        records = []
        # Keys that follow one another in a block (as a table's keys mostly do) are read
        # together, a run of each field's values at a time.
        for number, start, stop in self._runs(keys):
            block = blocks[number]
            assert block is not None, "a record written already"
            position = number * self.BLOCK + start
            for row in zip(*[column[start:stop] for column in block], strict=True):
                record = dict(zip(names, row, strict=True))
                if position < self._filled:
                    for name in lists:
                        if record[name] is None:
                            record[name] = []
                records.append(record)
                position += 1
        return records

    def _runs(self, keys: list[str]) -> Iterator[tuple[int, int, int]]:
        """(block number, first place, place after the last) of each run of keys that
        follow one another in a block."""
        run: list[int] = []
        for key in keys:
            number = self._block_of[key]
            place = self._places[number][key]
            if run and (number != run[0] or place != run[2]):
                yield run[0], run[1], run[2]
                run = []
            if not run:
                run = [number, place, place]
            run[2] += 1
        if run:
            yield run[0], run[1], run[2]

    def fill_defaults(self, lookup: Lookup) -> None:
        """Fill in every record's defaults that depend on other fields or records, in the
        file's order (a default may look up a record filled in before it). What the kind's
        ``fill_defaults`` does to list fields (an empty list for one not given) is how these
        records read once filled: only its defaults are run here."""
        defaults, names, lists = self.kind.defaults, self._names, self._list_indexes
        if not defaults:
            self._filled = len(self)
            return
        for block in self._every_block():
            for offset, row in enumerate(zip(*block, strict=True)):
                record = dict(zip(names, row, strict=True))
                for default in defaults:
                    default(record, lookup)
                # Put back what the defaults changed (most records give every value).
                if tuple(record.values()) != row:
                    for index, (held, value) in enumerate(zip(row, record.values(), strict=True)):
                        if value is not held:
                            block[index][offset] = None if index in lists and not value else value
                self._filled += 1

    def written(self, keys: list[str]) -> None:
        """These records are written and will not be read again: each block of them all is
        let go."""
        for number in map(self._block_of.__getitem__, keys):
            self._written[number] += 1
            block = self._blocks[number]
            if block is not None and self._written[number] == len(block[0]):
                self._blocks[number] = None
                self._places[number] = {}

    def release(self) -> None:
        """Let every record go (once written)."""
        self._block_of = {}
        self._places = []
        self._blocks = []
        self._written = []
        self._shared = {}

    def _settled(self) -> list[_Block | None]:
        if self._added:
            self._settle()
        return self._blocks

    def _every_block(self) -> Iterator[_Block]:
        for block in self._settled():
            assert block is not None, "records written already"
            yield block

    def _block(self, number: int) -> _Block:
        block = self._blocks[number]
        assert block is not None, "records written already"
        return block

    def _field(self, index: int, number: int, offset: int) -> Any:
        block = self._settled()[number]
        assert block is not None, "a record written already"
        value = block[index][offset]
        filled = number * self.BLOCK + offset < self._filled
        if value is None and filled and index in self._list_indexes:
            return []
        return value


@cache
def _numbers_to(count: int) -> tuple[int, ...]:
    """The ints from 0 to ``count``, made once for every table's records."""
    return tuple(range(count))


# Field types whose values are immutable and repeat across a file's records.
_REPEATING = frozenset({FieldType.REF, FieldType.DATE, FieldType.PERIOD})
# Field types whose values are text, most of it different in each record (names, titles).
_TEXTS = frozenset({FieldType.TEXT, FieldType.LONG_TEXT})


class _Texts:
    """A block's values of a text field, when each is text: one string of them all, and
    where each ends. A string of its own for each title of 100,000 milestones takes 6 MB,
    in small pieces of memory that stay with Python once freed; kept so, they take 2 MB,
    which the system allocator takes back for the database's pages once they are written.
    A value read is a new string; one changed (by a default) is kept apart."""

    __slots__ = ("_changed", "_ends", "_joined")

    def __init__(self, values: list[str]) -> None:
        self._joined = "".join(values)
        self._ends = array.array("I", itertools.accumulate(map(len, values)))
        self._changed: dict[int, Any] = {}

    @staticmethod
    def fit(values: list[Any]) -> bool:
        """Whether these values can be kept so: all text (not None), and not too long."""
        return all(type(value) is str for value in values) and sum(map(len, values)) < 2**32

    def __len__(self) -> int:
        return len(self._ends)

    @overload
    def __getitem__(self, offset: int) -> Any: ...

    @overload
    def __getitem__(self, offset: slice) -> list[Any]: ...

    def __getitem__(self, offset: int | slice) -> Any:
        if isinstance(offset, slice):
            return list(self._values(offset.start or 0, offset.stop))
        if offset in self._changed:
            return self._changed[offset]
        return self._joined[self._ends[offset - 1] if offset else 0 : self._ends[offset]]

    def __setitem__(self, offset: int, value: Any) -> None:
        self._changed[offset] = value

    def __iter__(self) -> Iterator[Any]:
        return self._values(0, len(self))

    def _values(self, start: int, stop: int) -> Iterator[Any]:
        ends = self._ends[start:stop]
        starts = itertools.chain((self._ends[start - 1] if start else 0,), ends)
        values = map(self._joined.__getitem__, map(slice, starts, ends))
        if not self._changed:
            return values
        changed = self._changed
        return (changed.get(offset, value) for offset, value in enumerate(values, start))


# A block: for each field of its kind, its records' values.
_Block = tuple[list[Any] | _Texts, ...]


class _RecordView(Mapping[str, Any]):
    """A record of ``FileRecords`` read a field at a time."""

    __slots__ = ("_number", "_offset", "_records")

    def __init__(self, records: FileRecords, number: int, offset: int) -> None:
        self._records = records
        self._number = number
        self._offset = offset

    def __getitem__(self, name: str) -> Any:
        return self._records._field(self._records._index[name], self._number, self._offset)

    def get(self, name: str, default: Any = None) -> Any:
        index = self._records._index.get(name)
        if index is None:
            return default
        return self._records._field(index, self._number, self._offset)

    def __iter__(self) -> Iterator[str]:
        return iter(self._records._names)

    def __len__(self) -> int:
        return len(self._records._names)


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
