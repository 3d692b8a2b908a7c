"""A programme file's records as an import holds them between reading and writing: compactly,
a list per field in blocks of records, each block let go once its records are written. A
dict per record, from the moment it was read until it was written, took more memory than
everything else an import of 100,000 milestones holds."""

from __future__ import annotations

import array
import itertools
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any, overload

from tracker.fields import FieldType
from tracker.kinds import KindSpec
from tracker.rules import Lookup, Record


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
