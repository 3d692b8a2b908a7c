"""A programme file read a piece at a time gives exactly what the whole file gives: the same
records, settings and problems, or the same refusal with the same message. Pieces are made as
small as they go here (one header of an array of tables, one JSON element), so that every
boundary a large file has is crossed."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
import tomli
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.conftest import EXAMPLE, examples
from tracker.errors import MouError, ValidationFailed
from tracker.periods import Scheme
from tracker.services import programme_file

Outcome = tuple[Any, ...]


def outcome(read: Callable[[], tuple[programme_file.Programme, list[Any]]]) -> Outcome:
    try:
        programme, problems = read()
    except ValidationFailed as error:
        return ("refused", [str(problem) for problem in error.problems])
    except MouError as error:  # a setting that cannot be read at all
        return ("stopped", type(error), str(error))
    records = {
        table: {key: dict(record) for key, record in found.items()}
        for table, found in programme.records.items()
    }
    return (records, programme.settings, [str(problem) for problem in problems])


def whole(text: str, file_format: str) -> Outcome:
    """The file parsed whole, then read: what every file gave before pieces."""

    def read() -> tuple[programme_file.Programme, list[Any]]:
        parse = programme_file._parse_json if file_format == "json" else programme_file._parse_toml
        data = parse(text, "f")
        hint = programme_file._FORMAT_HINTS[file_format]
        return programme_file._Tables(Scheme.UK_FY, hint).read(iter([data]))

    return outcome(read)


def in_smallest_pieces(text: str, file_format: str) -> Outcome:
    """What reading the text gives in the smallest pieces there are. (For Hypothesis's tests,
    which cannot take the function-scoped ``pieces`` fixture.)"""
    with (
        mock.patch.object(programme_file, "PIECE_CHARS", 1),
        mock.patch.object(programme_file, "PIECE_ROWS", 1),
    ):
        return outcome(lambda: programme_file._read(text, "f", file_format, Scheme.UK_FY))


@pytest.fixture
def pieces(monkeypatch: pytest.MonkeyPatch) -> Callable[[str, str], tuple[Outcome, bool]]:
    """Read in the smallest pieces there are; also says whether the file had to be parsed
    whole after all."""
    monkeypatch.setattr(programme_file, "PIECE_CHARS", 1)
    monkeypatch.setattr(programme_file, "PIECE_ROWS", 1)
    parsed_whole: list[str] = []

    def counting(original: Callable[[str, str], Any]) -> Callable[[str, str], Any]:
        def parse(text: str, source: str) -> Any:
            parsed_whole.append(text)
            return original(text, source)

        return parse

    for name in ("_parse_toml", "_parse_json"):
        monkeypatch.setattr(programme_file, name, counting(getattr(programme_file, name)))

    def read(text: str, file_format: str) -> tuple[Outcome, bool]:
        parsed_whole.clear()
        found = outcome(lambda: programme_file._read(text, "f", file_format, Scheme.UK_FY))
        return found, bool(parsed_whole)

    return read


def as_json(text: str) -> str:
    """A TOML programme file as the same tables in JSON (dates as ISO strings)."""
    return json.dumps(tomli.loads(text), default=str, indent=1)


EXAMPLE_TEXT = EXAMPLE.read_text("utf-8")


@pytest.mark.parametrize("file_format", ["toml", "json"])
def test_the_example_reads_the_same_in_pieces(pieces: Any, file_format: str) -> None:
    text = EXAMPLE_TEXT if file_format == "toml" else as_json(EXAMPLE_TEXT)
    found, parsed_whole = pieces(text, file_format)
    assert found == whole(text, file_format)
    assert not parsed_whole
    assert len(found[0]["milestones"]) == 22


HEAD = """[mou]
ref = "M"
title = "A programme"

"""
INSTITUTION = '[[institutions]]\nref = "{ref}"\nname = "Institution {ref}"\nkind = "university"\n\n'

TOML_CASES = {
    # Each case: the text, and whether it is read in pieces (False: parsed whole after all).
    "arrays interleaved": (
        HEAD + INSTITUTION.format(ref="A") + '[[people]]\nref = "P"\nname = "P"\n'
        'institution = "A"\n\n' + INSTITUTION.format(ref="B"),
        True,
    ),
    "a duplicate in a later piece": (
        HEAD + INSTITUTION.format(ref="A") + INSTITUTION.format(ref="a"),
        True,
    ),
    "headers with spaces and comments": (
        HEAD + "[[ institutions ]]   # the first\nref = 'A'\nname = 'N'\nkind = 'other'\n",
        True,
    ),
    "windows line ends": ((HEAD + INSTITUTION.format(ref="A") * 2).replace("\n", "\r\n"), True),
    "settings after the arrays": (
        HEAD + INSTITUTION.format(ref="A") + '[settings]\nscheme = "calendar"\n',
        False,
    ),
    "a setting with no such value, and a file not valid further on": (
        '[settings]\nscheme = "lunar"\n' + HEAD + INSTITUTION.format(ref="A") + "[[x]]\n= 1\n",
        False,
    ),
    "a setting with no such value": (
        '[settings]\nscheme = "lunar"\n' + HEAD + INSTITUTION.format(ref="A"),
        False,
    ),
    "settings before them": (
        '[settings]\nscheme = "calendar"\n' + HEAD + INSTITUTION.format(ref="A"),
        True,
    ),
    "a header inside a multi-line string": (
        HEAD
        + INSTITUTION.format(ref="A").replace(
            'name = "Institution A"', 'name = """x\n[[institutions]]\ny"""'
        )
        + INSTITUTION.format(ref="B"),
        False,
    ),
    "a header inside a literal string": (
        HEAD.replace('"A programme"', "'''x\n[[institutions]]\n'''") + INSTITUTION.format(ref="A"),
        False,
    ),
    "a sub-table of an earlier array": (
        HEAD
        + INSTITUTION.format(ref="A")
        + '[[people]]\nref = "P"\n\n[institutions.extra]\nx = 1\n',
        False,
    ),
    "a sub-table of its own array": (
        HEAD + INSTITUTION.format(ref="A") + "[institutions.extra]\nx = 1\n",
        True,
    ),
    "an inline array and then an array of tables": (
        "institutions = []\n" + HEAD + INSTITUTION.format(ref="A"),
        False,
    ),
    "a table of the first piece again": (
        HEAD + INSTITUTION.format(ref="A") + "[[mou]]\nref = 'X'\n",
        False,
    ),
    "the MoU as an array of tables": (
        "[[mou]]\nref = 'X'\ntitle = 'T'\n\n[[mou]]\nref = 'Y'\ntitle = 'T'\n",
        True,
    ),
    "an array of an unknown table": (HEAD + "[[colours]]\nname = 'blue'\n", True),
    "invalid in a later piece": (
        HEAD + INSTITUTION.format(ref="A") + INSTITUTION.format(ref="B").replace("kind =", "kind"),
        False,
    ),
    "a table declared twice across pieces": (
        HEAD + INSTITUTION.format(ref="A") + "[mou]\nvenue = 'x'\n",
        False,
    ),
    "nothing but a header": ("[[institutions]]\n", True),
    "empty": ("", True),
    "a value that runs into the next header": (
        HEAD + "[[institutions]]\nref = [\n[[institutions]]\n]\n",
        False,
    ),
}


@pytest.mark.parametrize(
    "header", ["[[institutions]]", "[[ institutions ]]", "[[institutions]]  # a comment"]
)
@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
def test_a_long_toml_file_is_read_in_many_pieces(
    monkeypatch: pytest.MonkeyPatch, header: str, line_end: str
) -> None:
    monkeypatch.setattr(programme_file, "PIECE_CHARS", 1)
    institutions = "".join(INSTITUTION.format(ref=f"I{number}") for number in range(5))
    text = (HEAD + institutions.replace("[[institutions]]", header)).replace("\n", line_end)
    pieces = list(programme_file._toml_pieces(text))
    assert [list(piece) for piece in pieces] == [["mou"]] + [["institutions"]] * 5


def test_a_long_json_array_is_read_in_many_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(programme_file, "PIECE_ROWS", 2)
    rows = ", ".join(f'{{"ref": "I{number}"}}' for number in range(5))
    text = f'{{"settings": {{}}, "mou": {{"ref": "M"}}, "institutions": [{rows}], "people": []}}'
    pieces = [
        {name: len(value) for name, value in piece.items()}
        for piece in programme_file._json_pieces(text)
    ]
    assert pieces == [
        {"settings": 0, "mou": 1},
        {"institutions": 2},
        {"institutions": 2},
        {"institutions": 1},
        {"people": 0},
        {},
    ]


JSON_HEAD = '{"mou": {"ref": "M", "title": "A programme"}'
JSON_INSTITUTIONS = (
    '"institutions": [{"ref": "A", "name": "N", "kind": "other"}, '
    '{"ref": "B", "name": "N", "kind": "university", "region": null}]'
)

JSON_CASES = {
    "plain": (JSON_HEAD + ", " + JSON_INSTITUTIONS + "}", True),
    "no white space": ((JSON_HEAD + "," + JSON_INSTITUTIONS + "}").replace(" ", ""), True),
    "every kind of white space": (
        " \t\r\n"
        + (JSON_HEAD + ",\r\n\t" + JSON_INSTITUTIONS + "\n}").replace(": ", " :\t")
        + "\n",
        True,
    ),
    "settings first": ('{"settings": {"scheme": "calendar"}, ' + JSON_INSTITUTIONS + "}", True),
    "settings after the records": (
        JSON_HEAD + ", " + JSON_INSTITUTIONS + ', "settings": {"scheme": "calendar"}}',
        False,
    ),
    "the MoU after the records": ("{" + JSON_INSTITUTIONS + ", " + JSON_HEAD[1:] + "}", True),
    "a table given twice": (
        JSON_HEAD + ", " + JSON_INSTITUTIONS + ", " + JSON_INSTITUTIONS + "}",
        False,
    ),
    "a key given twice in a record": (
        JSON_HEAD + ', "institutions": [{"ref": "A", "ref": "B"}]}',
        False,
    ),
    "a comma before the end of an array": (
        JSON_HEAD + ', "institutions": [{"ref": "A"},]}',
        False,
    ),
    "a comma before the end of the object": (JSON_HEAD + ", " + JSON_INSTITUTIONS + ",}", False),
    "more after the object": (JSON_HEAD + "} {}", False),
    "an array of tables, not an object": ("[" + JSON_HEAD + "}]", False),
    "a record that is not an object": (
        JSON_HEAD
        + ', "institutions": [{"ref": "A", "name": "N", "kind": "other"}, 3, {"ref": "B"}]}',
        True,
    ),
    "records as an object": (JSON_HEAD + ', "institutions": {"ref": "A"}}', True),
    "an empty array": (JSON_HEAD + ', "institutions": []}', True),
    "an empty object": ("{}", True),
    "not a number": (JSON_HEAD + ', "kpis": [{"ref": "K", "target": NaN}]}', True),
    "an unknown table": (JSON_HEAD + ', "colours": [1, 2, {"a": [3]}]}', True),
    "cut short": (JSON_HEAD + ", " + JSON_INSTITUTIONS[:-20], False),
    "a byte-order mark": ("\ufeff" + JSON_HEAD + "}", False),
    "nested too deeply": (
        JSON_HEAD + ', "institutions": [' + "[" * 100_000 + "]" * 100_000 + "]}",
        False,
    ),
    "dates in the MoU and its records": (
        '{"mou": {"ref": "M", "title": "T", "signed": "2026-02-19"}, "milestones": '
        '[{"ref": "M1", "due": "2026-06-30", "completed": "2026-13-01"}]}',
        True,
    ),
}


CASES = {("toml", name): case for name, case in TOML_CASES.items()} | {
    ("json", name): case for name, case in JSON_CASES.items()
}


@pytest.mark.parametrize(("file_format", "case"), CASES, ids=[" ".join(key) for key in CASES])
def test_a_file_in_pieces_is_the_whole_file(pieces: Any, file_format: str, case: str) -> None:
    text, in_pieces = CASES[(file_format, case)]
    found, parsed_whole = pieces(text, file_format)
    assert found == whole(text, file_format)
    assert parsed_whole is not in_pieces


# Bits of TOML text put together at random: headers of tables and arrays of tables (some of
# them inside strings), values, and lines that are not valid.
TOML_BITS = st.sampled_from(
    [
        "[[institutions]]\n",
        "[[ institutions ]] # a comment\n",
        "[[people]]\n",
        "[[mou]]\n",
        "[[colours]]\n",
        "[mou]\n",
        "[settings]\n",
        "[institutions.extra]\n",
        "[[institutions.extra]]\n",
        "[people]\n",
        'ref = "A"\n',
        'ref = "B"\n',
        "ref = 'a'\n",
        'name = "N"\n',
        'kind = "university"\n',
        'title = "T"\n',
        'institution = "A"\n',
        'scheme = "calendar"\n',
        "institutions = []\n",
        'name = """\n[[institutions]]\n"""\n',
        "name = '''\n[[people]]\n'''\n",
        'name = """\n',
        "region = [\n",
        "]\n",
        "= broken\n",
        "# a comment\n",
        "\n",
        "\r\n",
    ]
)


@given(st.lists(TOML_BITS, max_size=14))
@hypothesis_settings(max_examples=examples(150, 2_000), deadline=None)
def test_any_toml_in_pieces_is_the_whole_file(bits: list[str]) -> None:
    text = "".join(bits)
    assert in_smallest_pieces(text, "toml") == whole(text, "toml")


JSON_SCALARS = st.sampled_from([None, True, 3, -1.5, "A", "a", "N", "2026-02-19", "2026-13-01"])
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["ref", "name", "kind", "due"]), inner, max_size=3)
    ),
    max_leaves=6,
)
JSON_RECORDS = st.fixed_dictionaries(
    {},
    optional={
        "ref": st.sampled_from(["A", "a", "B", 3]),
        "name": st.sampled_from(["N", None]),
        "kind": st.sampled_from(["university", "x"]),
        "signed": st.sampled_from(["2026-02-19", "2026-13-01", None]),
        "scheme": st.sampled_from(["calendar", "x"]),
    },
)
JSON_TABLES = st.lists(
    st.tuples(
        st.sampled_from(["mou", "settings", "institutions", "people", "colours"]),
        st.lists(JSON_RECORDS | JSON_VALUES, max_size=4) | JSON_RECORDS | JSON_VALUES,
    ),
    max_size=5,
)
# Now and then a character changed, so that broken files are read too.
JSON_EDITS = st.none() | st.tuples(
    st.integers(min_value=0), st.sampled_from(["", ",", "]", "}", "[", '"', " ", "\n"])
)


@given(JSON_TABLES, st.sampled_from([", ", ",", ",\n  "]), JSON_EDITS)
@hypothesis_settings(max_examples=examples(150, 2_000), deadline=None)
def test_any_json_in_pieces_is_the_whole_file(
    tables: list[tuple[str, Any]], comma: str, edit: tuple[int, str] | None
) -> None:
    # Written a key at a time, so a table may be given twice.
    text = "{" + comma.join(f"{json.dumps(name)}: {json.dumps(value)}" for name, value in tables)
    text += "}"
    if edit is not None:
        at = edit[0] % (len(text) + 1)
        text = text[:at] + edit[1] + text[at + 1 :]
    assert in_smallest_pieces(text, "json") == whole(text, "json")
