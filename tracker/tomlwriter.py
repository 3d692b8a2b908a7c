"""A small TOML writer for programme files (the standard library reads TOML but does not
write it). It writes only what a programme file holds: one table, arrays of tables, and
strings, dates, integers, decimal numbers, booleans, lists and inline tables as values. The
same input always gives the same text, so an export can be compared byte for byte."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def dumps(document: dict[str, Any], *, header: str = "") -> str:
    """``document`` maps table names to a dict (a [table]) or a list of dicts ([[tables]])."""
    parts: list[str] = []
    if header:
        parts.append("".join(f"# {line}\n" if line else "#\n" for line in header.splitlines()))
    for name, content in document.items():
        if isinstance(content, dict):
            parts.append(f"[{_key(name)}]\n{_body(content)}")
        else:
            for record in content:
                parts.append(f"[[{_key(name)}]]\n{_body(record)}")
    return "\n".join(parts)


def _body(record: dict[str, Any]) -> str:
    return "".join(f"{_key(key)} = {_value(value)}\n" for key, value in record.items())


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _string(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # repr is the shortest text that reads back as the same float; TOML has no NaN here.
        if not math.isfinite(value):
            raise TypeError("programme files hold finite numbers only")
        text = repr(value)
        return text if any(char in text for char in ".en") else text + ".0"
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            raise TypeError("programme files hold local date-times (UTC, without a zone)")
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(f"{_key(key)} = {_value(item)}" for key, item in value.items())
        return "{ " + inner + " }" if inner else "{}"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _string(text: str) -> str:
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'
