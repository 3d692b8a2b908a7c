"""The rule for stored text, checked against its definition in Unicode's own terms."""

from __future__ import annotations

import unicodedata

import pytest

from tracker.errors import InvalidInput
from tracker.text import INVISIBLE, clean_text

# Every control character and lone surrogate lies in these ranges, and so does every
# invisible character refused; a sample of the rest of the code space stands for it.
CHECKED = [
    *range(0x0000, 0x3000),
    *range(0xD800, 0xE000),
    *range(0xFE00, 0x10000),
    *range(0x10000, 0x110000, 997),
]


def _refused_by_definition(char: str, *, multiline: bool) -> bool:
    if multiline and char == "\n":
        return False
    return unicodedata.category(char) in ("Cc", "Cs") or char in INVISIBLE


@pytest.mark.parametrize("multiline", [False, True])
def test_clean_text_refuses_exactly_the_control_surrogate_and_invisible_characters(
    multiline: bool,
) -> None:
    assert {chr(point) for point in CHECKED} >= INVISIBLE
    disagreements = []
    for point in CHECKED:
        char = chr(point)
        try:
            clean_text(f"a{char}b", field="title", max_len=10, multiline=multiline)
            refused = False
        except InvalidInput as error:
            assert error.message == (
                f"title: control characters are not allowed (found U+{point:04X})"
            )
            refused = True
        if refused != _refused_by_definition(char, multiline=multiline):
            disagreements.append(f"U+{point:04X}")
    assert disagreements == []
