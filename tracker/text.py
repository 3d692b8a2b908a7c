"""Text as the database stores it: one normal form, so "Zoë" typed two ways is one name."""

from __future__ import annotations

import re
import unicodedata

from tracker.errors import InvalidInput

REF_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,31}$")
REF_FORM = "letters, digits, '.', '_' or '-', starting with a letter or digit, at most 32"

# Characters that are invisible but change what is shown or compared: bidirectional marks,
# overrides and isolates (which can make a name read backwards), and zero-width spaces, word
# joiners and byte-order marks (which make two names look the same). The zero-width joiner
# and non-joiner stay allowed: emoji sequences and several scripts need them.
INVISIBLE = frozenset(
    "\u061c\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063"
    "\u2064\u2066\u2067\u2068\u2069\ufeff"
)

# What clean_text refuses, as one pattern so that a long import checks each text in one pass
# in C: the control characters (Unicode category Cc: U+0000 to U+001F and U+007F to U+009F),
# the lone surrogates (Cs), and the invisible characters above.
_INVISIBLE_CLASS = "".join(f"\\u{ord(char):04x}" for char in sorted(INVISIBLE))
_REFUSED = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f\\ud800-\\udfff{_INVISIBLE_CLASS}]")
_REFUSED_ON_ONE_LINE_ONLY = "\n"

NAME_MAX = 200
TEXT_MAX = 2000


def clean_text(value: str, *, field: str, max_len: int = NAME_MAX, multiline: bool = False) -> str:
    """NFC-normalise and trim ``value``; refuse control characters and over-long text.

    The same limits apply on SQLite and PostgreSQL because they are checked here: SQLite would
    happily store 10,000 characters in a ``VARCHAR(200)``.
    """
    text = unicodedata.normalize("NFC", value).strip()
    for found in _REFUSED.finditer(text):
        char = found.group()
        if multiline and char == _REFUSED_ON_ONE_LINE_ONLY:
            continue
        raise InvalidInput(f"{field}: control characters are not allowed (found U+{ord(char):04X})")
    if len(text) > max_len:
        raise InvalidInput(f"{field}: at most {max_len} characters (got {len(text)})")
    return text


def printable(text: str) -> str:
    """Text safe to print on one terminal line: control characters (escape sequences, bells,
    newlines) and the invisible characters refused in stored text (direction overrides,
    zero-width spaces) are written out as escapes instead of being acted on. The one rule for
    whatever reaches a terminal or the audit trail's command lines."""
    return "".join(
        repr(char)[1:-1]
        if unicodedata.category(char) in ("Cc", "Cs") or char in INVISIBLE
        else char
        for char in text
    )


def clean_ref(value: str, *, field: str = "ref") -> str:
    """Refs are case-insensitive on input, so they are stored in upper case."""
    ref = unicodedata.normalize("NFC", value).strip().upper()
    if not REF_PATTERN.match(ref):
        raise InvalidInput(f"{field}: expected a ref of {REF_FORM} characters; got {value!r}")
    return ref


# user:password@ in any URL, and password=... in a query string or a libpq key=value string.
# The password runs to the last '@' before the host, so an unencoded '@' in it is hidden too.
_URL_PASSWORD = re.compile(
    r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*:/{0,3}[^/:@\s]*:)[^\s]*?(?=@[^@/\s]*(?:[/?\s'\"]|$))"
)
_PASSWORD_PARAM = re.compile(r"(?i)(?P<head>\bpassword=)[^&\s]*")


def redact(text: str) -> str:
    """Text with every password it holds replaced by ***: a URL's user:password@ and any
    password= parameter. Used on anything that is stored, printed or logged."""
    text = _URL_PASSWORD.sub(lambda match: match["head"] + "***", text)
    return _PASSWORD_PARAM.sub(lambda match: match["head"] + "***", text)


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``1 milestone``, ``3 milestones``; ``plural`` for nouns that do not just take an s."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def days_away(days: int, *, overdue: bool) -> str:
    """A date as seen from the as-of date: ``in 3 days``, ``today``, ``overdue by 1 day``."""
    if overdue:
        return f"overdue by {counted(-days, 'day')}"
    return "today" if days == 0 else f"in {counted(days, 'day')}"
