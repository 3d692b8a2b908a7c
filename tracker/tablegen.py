"""Writes ``tracker/tables.py``: the tables of ``tracker.models`` as plain SQLAlchemy Core
clauses, for the commands that only read (``make docs`` runs it; a test keeps it current)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel

import tracker.models  # noqa: F401  (registers the tables)

HEADER = '''"""The tables of ``tracker.models`` as plain SQLAlchemy Core clauses, for reading.

Written by `make docs` from the models (tracker/tablegen.py); do not edit by hand. A test
keeps it current. Building the 32 SQLModel classes takes longer than everything else
``mou status`` does before it queries, and a read needs no mapped classes: the status page,
the quarterly report and the listings' queries read through these. Columns have the models'
types, so values read the same either way (dates as dates, vocabularies as their members).
"""

from __future__ import annotations

from enum import StrEnum

import sqlalchemy as sa

from tracker import enums, periods


def _vocabulary(members: type[StrEnum]) -> sa.Enum:
    return sa.Enum(
        members,
        native_enum=False,
        create_constraint=False,
        length=24,
        values_callable=lambda found: [member.value for member in found],
        validate_strings=True,
    )

'''

_PLAIN = {
    sa.Integer: "sa.Integer()",
    sa.Date: "sa.Date()",
    sa.Text: "sa.Text()",
    sa.Double: "sa.Double()",
    sa.Boolean: "sa.Boolean()",
}


def _type(column: sa.Column[Any]) -> str:
    kind = column.type
    if isinstance(kind, sa.Enum):
        assert kind.enum_class is not None, column
        module = kind.enum_class.__module__.removeprefix("tracker.")
        return f"_vocabulary({module}.{kind.enum_class.__name__})"
    if isinstance(kind, sa.DateTime):
        return f"sa.DateTime(timezone={kind.timezone})"
    for plain, source in _PLAIN.items():
        if type(kind) is plain:
            return source
    if isinstance(kind, sa.String) or isinstance(getattr(kind, "impl", None), sa.String):
        return "sa.String()"  # SQLModel's AutoString is a String underneath
    raise TypeError(f"{column.table.name}.{column.name}: no Core form for {kind!r}")


def tables_source() -> str:
    tables = sorted(SQLModel.metadata.tables.values(), key=lambda table: table.name)
    parts = [HEADER]
    for table in tables:
        columns = "".join(
            f'    sa.column("{column.name}", {_type(column)}),\n' for column in table.columns
        )
        parts.append(f'\n{table.name} = sa.table(\n    "{table.name}",\n{columns})\n')
    models = {
        mapper.class_.__name__: mapper.class_.__tablename__
        for mapper in SQLModel._sa_registry.mappers
    }
    by_model = "".join(f'    "{name}": {models[name]},\n' for name in sorted(models))
    parts.append(
        "\n# Each model's table by the model's name, as tracker.kinds names them.\n"
        f"BY_MODEL: dict[str, sa.TableClause] = {{\n{by_model}}}\n"
    )
    return "".join(parts)
