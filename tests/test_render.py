"""The renderer decides which columns fit from widths it works out, never by drawing the
table: these tests draw the table and check the sum against what Rich really draws."""

from __future__ import annotations

import io
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console

from tests.conftest import examples
from tracker.cli.render import (
    Column,
    EncodedRows,
    Section,
    _narrowest,
    json_pieces,
    rich_table,
    table_width,
    to_json,
    write_data,
)

KINDS = ["ref", "text", "number", "date", "rag", "bar"]
# Cells as reports hold them: refs and words (some wide: CJK takes two cells), numbers, dates.
WORDS = st.text(alphabet=st.sampled_from("ab -_/Zoë東京"), min_size=0, max_size=30)
VALUES: dict[str, Any] = {
    "ref": st.from_regex(r"[A-Z]{1,4}-?[0-9]{0,3}", fullmatch=True),
    "text": WORDS,
    "number": st.one_of(st.integers(0, 100_000), st.floats(0, 100, allow_nan=False)),
    "date": st.dates().map(lambda day: day.isoformat()),
    "rag": st.sampled_from(["GREEN", "AMBER", "RED ↓", "COMPLETE →", "NOT_STARTED"]),
    "bar": st.floats(0, 100, allow_nan=False),
}


@st.composite
def sections(draw: Any) -> Section:
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=8))
    columns = [
        Column(f"c{position}", draw(WORDS.filter(bool)), kind)  # type: ignore[arg-type]
        for position, kind in enumerate(kinds)
    ]
    rows = draw(
        st.lists(
            st.fixed_dictionaries(
                {column.key: st.one_of(st.none(), VALUES[column.kind]) for column in columns}
            ),
            max_size=6,
        )
    )
    indent = {index: draw(st.integers(0, 2)) for index in range(len(rows))}
    return Section(draw(WORDS), columns, rows, indent)


def drawn_width(section: Section) -> int:
    probe = Console(file=io.StringIO(), width=10_000, no_color=True, highlight=False)
    probe.print(rich_table(section, narrowest=True))
    lines = probe.file.getvalue().splitlines()  # type: ignore[attr-defined]
    return max((cell_len(line.rstrip()) for line in lines), default=0)


@settings(max_examples=examples(100, 1000), deadline=None)
@given(sections())
def test_the_width_worked_out_is_the_width_rich_draws(section: Section) -> None:
    widths = [_narrowest(column, section) for column in section.columns]
    assert table_width(widths) == drawn_width(section)


def test_an_example_by_hand() -> None:
    section = Section(
        "Progress",
        [Column("scope", "Ref", "ref"), Column("name", "Name"), Column("total", "Total", "number")],
        [{"scope": "GROW-INVEST", "name": "Attract investment", "total": 1}],
    )
    # 11 (GROW-INVEST) + 16 (free text at its narrowest) + 5 (Total), and two gaps of two.
    assert table_width([_narrowest(column, section) for column in section.columns]) == 36
    assert drawn_width(section) == 36


class _CountingBytes(io.BytesIO):
    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, data: Any) -> int:
        self.writes += 1
        return super().write(data)


# Larger than one chunk of write_data, with text that is not ASCII on every row.
LARGE_DOCUMENT = {
    "summary": {"period": "FY2026/27 Q2", "as_of": "2026-11-28"},
    "milestones": [
        {"ref": f"MS-{number:05d}", "title": f"Zoë's 東京 visit {number}", "slippage_days": number}
        for number in range(3_000)
    ],
    "empty": [],
}


def test_json_written_in_pieces_is_the_json_of_the_document(monkeypatch: Any) -> None:
    """A large report is written a chunk at a time, as UTF-8 whatever the terminal's encoding;
    what arrives is exactly the document's JSON, with nothing lost at a chunk's edge."""
    written = _CountingBytes()
    monkeypatch.setattr("sys.stdout", io.TextIOWrapper(written, encoding="ascii"))
    write_data(json_pieces(LARGE_DOCUMENT))
    text = written.getvalue().decode("utf-8")
    assert text == to_json(LARGE_DOCUMENT)
    assert json.loads(text) == LARGE_DOCUMENT
    assert written.writes > 3  # in several chunks, each edge crossed


def test_rows_encoded_ahead_are_written_as_the_rows_themselves(monkeypatch: Any) -> None:
    """A report's long sections are encoded while the database is read and written out after:
    the JSON is exactly the rows', every character whole, past the spool's memory and with
    line breaks of every kind inside the values."""
    monkeypatch.setattr("tracker.cli.render._SPOOL_IN_MEMORY", 1_000)  # on to disk early
    rows = [
        *LARGE_DOCUMENT["milestones"],
        {"ref": "MS-LINES", "title": "one\ntwo\rthree\r\nfour\u2028five\u0085six\x1cseven"},
    ]
    document = {"summary": {"n": 1}, "rows": EncodedRows(iter(rows)), "none": EncodedRows([])}
    assert to_json(document) == to_json({"summary": {"n": 1}, "rows": rows, "none": []})


def test_rows_read_as_the_json_is_written_are_written_as_lists() -> None:
    """A report's long sections are ``Lines``, read from the database as they are written."""
    from tracker.services.reports import Lines

    rows = LARGE_DOCUMENT["milestones"]
    lazy = {"rows": Lines(lambda: iter(rows)), "none": Lines(lambda: iter(())), "after": 1}
    assert to_json(lazy) == to_json({"rows": rows, "none": [], "after": 1})


def test_json_in_pieces_reaches_a_stream_without_bytes(monkeypatch: Any) -> None:
    written = io.StringIO()
    monkeypatch.setattr("sys.stdout", written)
    write_data(json_pieces(LARGE_DOCUMENT))
    assert written.getvalue() == to_json(LARGE_DOCUMENT)
