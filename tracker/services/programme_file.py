"""Reading and validating a programme file (DOMAIN.md §6) before anything is written.

Validation is complete, not fail-fast: every problem is collected with its table, ref and
field, so a user fixes a file in one pass. References may point into the file itself or to
records already in the database.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

from tracker.errors import InvalidInput, Problem, ValidationFailed
from tracker.kinds import (
    BY_TABLE,
    KINDS,
    MOU,
    FieldType,
    KindSpec,
    clean_value,
)
from tracker.services.rules import Record, fill_defaults, parent_loops, record_problems
from tracker.text import clean_ref

# For each table, what the database already holds: ref -> the fields a check may need.
Existing = dict[str, dict[str, Record]]


@dataclass
class Programme:
    """A validated programme file: records in their normal form, keyed by table and ref.

    Parties have no ref of their own and are keyed by their institution's ref.
    """

    records: dict[str, dict[str, Record]] = field(default_factory=dict)

    @property
    def mou(self) -> Record:
        return next(iter(self.records["mou"].values()))


def load_programme_text(
    text: str, *, source: str, existing: Existing, file_format: str = "toml"
) -> Programme:
    """Parse and validate a programme file's text (TOML, or the same tables as JSON); raise
    ValidationFailed listing every problem."""
    data = _parse_json(text, source) if file_format == "json" else _parse_toml(text, source)
    problems: list[Problem] = []
    programme = _read_tables(data, problems)
    # References are checked even when some fields were refused, so one pass shows all;
    # the rules between fields need every field read, so they wait for a clean read.
    _check_references(programme, existing, problems)
    if not problems:
        _apply_defaults(programme, existing)
        _check_rules(programme, existing, problems)
    if problems:
        raise ValidationFailed(problems, source)
    return programme


def _parse_toml(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except (ValueError, RecursionError) as error:  # TOMLDecodeError is a ValueError
        problem = Problem("file", None, None, f"not valid TOML: {_reason(error)}")
        raise ValidationFailed([problem], source) from None


def _reason(error: Exception) -> str:
    if isinstance(error, RecursionError):
        return "nested too deeply"
    return str(error).splitlines()[0]


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _parse_json(text: str, source: str) -> dict[str, Any]:
    """JSON has no date type: dates arrive as ISO strings and are read back as dates here, so
    validation sees what it sees from TOML."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:  # JSONDecodeError is a ValueError
        problem = Problem("file", None, None, f"not valid JSON: {_reason(error)}")
        raise ValidationFailed([problem], source) from None
    if not isinstance(data, dict):
        raise ValidationFailed(
            [Problem("file", None, None, "expected a JSON object of tables")], source
        )
    for kind in KINDS:
        content = data.get(kind.table)
        records = [content] if isinstance(content, dict) else content
        for record in records if isinstance(records, list) else []:
            if isinstance(record, dict):
                _dates_from_json(kind, record)
    return data


def _dates_from_json(kind: KindSpec, record: dict[str, Any]) -> None:
    for spec in kind.fields:
        if spec.field_type is FieldType.DATE:
            record[spec.key] = _as_date(record.get(spec.key))
        elif spec.field_type is FieldType.REBASELINES and isinstance(record.get(spec.key), list):
            for entry in record[spec.key]:
                if isinstance(entry, dict):
                    for key in ("due", "changed"):
                        entry[key] = _as_date(entry.get(key))
    for key in [key for key, value in record.items() if value is None]:
        del record[key]  # JSON null means "not given", as an absent key does in TOML


def _as_date(value: Any) -> Any:
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _read_tables(data: dict[str, Any], problems: list[Problem]) -> Programme:
    programme = Programme()
    for table in sorted(set(data) - set(BY_TABLE)):
        problems.append(
            Problem(table, None, None, f"unknown table; expected {', '.join(BY_TABLE)}")
        )
    if "mou" not in data:
        problems.append(Problem("mou", None, None, "missing: the file needs one [mou] table"))
    for kind in KINDS:
        raw = data.get(kind.table, {} if kind is MOU else [])
        if kind is MOU:
            if not isinstance(raw, dict):
                problems.append(Problem("mou", None, None, "expected one [mou] table"))
                raw = {}
            rows = [raw] if raw else []
        elif not isinstance(raw, list) or not all(isinstance(row, dict) for row in raw):
            problems.append(
                Problem(kind.table, None, None, f"expected an array of tables [[{kind.table}]]")
            )
            rows = []
        else:
            rows = raw
        programme.records[kind.table] = _read_records(kind, rows, problems)
    return programme


def _read_records(kind: KindSpec, rows: list[Record], problems: list[Problem]) -> dict[str, Record]:
    records: dict[str, Record] = {}
    for position, row in enumerate(rows, start=1):
        key = _record_key(kind, row, position, problems)
        if key is None:
            continue
        shown = key if kind.has_ref else f"#{position} ({key})"
        if key in records:
            what = "ref" if kind.has_ref else "institution"
            problems.append(Problem(kind.table, shown, what, "duplicate: appears more than once"))
            continue
        records[key] = _read_fields(kind, row, shown, problems)
    return records


def _record_key(kind: KindSpec, row: Record, position: int, problems: list[Problem]) -> str | None:
    key_field = "ref" if kind.has_ref else "institution"
    where = f"#{position}"
    if key_field not in row:
        problems.append(Problem(kind.table, where, key_field, "missing (required)"))
        return None
    value = row[key_field]
    if not isinstance(value, str):
        problems.append(Problem(kind.table, where, key_field, "expected a ref in quotes"))
        return None
    try:
        return clean_ref(value, field=key_field)
    except InvalidInput as error:
        problems.append(Problem(kind.table, where, key_field, _detail(error, key_field)))
        return None


def _read_fields(kind: KindSpec, row: Record, shown: str, problems: list[Problem]) -> Record:
    record: Record = {}
    for key in sorted(set(row) - set(kind.keys)):
        problems.append(
            Problem(kind.table, shown, key, f"unknown field; expected {', '.join(kind.keys)}")
        )
    for spec in kind.fields:
        if spec.key not in row:
            if spec.required:
                problems.append(Problem(kind.table, shown, spec.key, "missing (required)"))
            record[spec.key] = spec.default
            continue
        try:
            record[spec.key] = clean_value(spec, row[spec.key])
        except InvalidInput as error:
            problems.append(Problem(kind.table, shown, spec.key, _detail(error, spec.key)))
    return record


def _detail(error: InvalidInput, key: str) -> str:
    """The message without its leading field name: the Problem names the field already."""
    prefix = f"{key}: "
    return error.message[len(prefix) :] if error.message.startswith(prefix) else error.message


def _check_references(programme: Programme, existing: Existing, problems: list[Problem]) -> None:
    def known(table: str, ref: str) -> bool:
        return ref in programme.records[table] or ref in existing.get(table, {})

    for kind in KINDS:
        for key, record in programme.records[kind.table].items():
            shown = key
            for spec in kind.fields:
                value = record.get(spec.key)
                if value is None or spec.target is None:
                    continue
                target = spec.target
                refs: list[str]
                if spec.field_type is FieldType.REF:
                    refs = [value]
                elif spec.field_type is FieldType.ATTENDEES:
                    refs = [person for person, _role in value]
                else:
                    refs = value
                for ref in refs:
                    if not known(target, ref):
                        noun = BY_TABLE[target].noun
                        problems.append(
                            Problem(kind.table, shown, spec.key, f"unknown {noun} {ref!r}")
                        )


def _apply_defaults(programme: Programme, existing: Existing) -> None:
    def lookup(table: str, ref: str) -> Record:
        return programme.records[table].get(ref) or existing[table][ref]

    for kind in KINDS:
        for record in programme.records[kind.table].values():
            fill_defaults(kind.table, record, lookup)


def _check_rules(programme: Programme, existing: Existing, problems: list[Problem]) -> None:
    records = programme.records
    if len(records["mou"]) != 1:
        problems.append(Problem("mou", None, None, "the file needs exactly one [mou] table"))
    for kind in KINDS:
        for key, record in records[kind.table].items():
            for field_name, message in record_problems(kind.table, record):
                problems.append(Problem(kind.table, key, field_name, message))
    mou = next(iter(records["mou"]), None)
    for kind in KINDS:
        if not kind.in_mou or not kind.has_ref:
            continue
        for ref in records[kind.table]:
            owner = existing.get(kind.table, {}).get(ref, {}).get("mou")
            if owner is not None and owner != mou:
                problems.append(
                    Problem(
                        kind.table,
                        ref,
                        "ref",
                        f"already belongs to MoU {owner}; refs are "
                        "unique across the MoUs in a database",
                    )
                )
    for table in ("themes", "sites"):
        parents = {ref: row.get("parent") for ref, row in existing.get(table, {}).items()}
        parents.update({ref: row["parent"] for ref, row in records[table].items()})
        for ref in parent_loops(parents, list(records[table])):
            problems.append(Problem(table, ref, "parent", "makes a loop of parents"))
