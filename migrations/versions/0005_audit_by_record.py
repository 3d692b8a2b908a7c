"""audit trail: one entry per record, import bases, redo, no passwords

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30

The trail kept one row per changed field. It now keeps one row per changed record, its fields
before and after as JSON objects, so an import of 100,000 records writes 100,000 rows rather
than a million, and the record as an import's file gave it (``base``) for the next import's
three-way merge. Commands gain ``redoes``; command lines lose any password typed in them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The password of user:password@ in a URL, and password=... anywhere (as tracker.text.redact
# did when this was written: a migration does not change when the code does).
_URL_PASSWORD = re.compile(
    r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*:/{0,3}[^/:@\s]*:)[^\s]*?(?=@[^@/\s]*(?:[/?\s'\"]|$))"
)
_PASSWORD_PARAM = re.compile(r"(?i)(?P<head>\bpassword=)[^&\s]*")


def _redact(text: str) -> str:
    text = _URL_PASSWORD.sub(lambda match: match["head"] + "***", text)
    return _PASSWORD_PARAM.sub(lambda match: match["head"] + "***", text)


_command = sa.table("audit_command", sa.column("id", sa.Integer), sa.column("command", sa.String))


def _redact_commands(connection: Any) -> None:
    for row_id, text in connection.execute(sa.select(_command.c.id, _command.c.command)):
        cleaned = _redact(text)
        if cleaned != text:
            connection.execute(
                _command.update().where(_command.c.id == row_id).values(command=cleaned)
            )


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _dumps(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _create_entries(*, by_record: bool) -> None:
    """The audit_entry table as this revision (``by_record``) or the one before defines it,
    with the same constraint and index names either way."""
    if by_record:
        middle = [
            sa.Column("old", sa.Text(), nullable=True),
            sa.Column("new", sa.Text(), nullable=True),
            sa.Column("base", sa.Text(), nullable=True),
        ]
        actions = "action IN ('add', 'change', 'remove', 'base')"
    else:
        middle = [
            sa.Column("field", sa.String(length=64), nullable=False),
            sa.Column("old", sa.Text(), nullable=True),
            sa.Column("new", sa.Text(), nullable=True),
        ]
        actions = "action IN ('add', 'change', 'remove')"
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("command_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        *middle,
        sa.CheckConstraint(actions, name=op.f("ck_audit_entry_action")),
        sa.ForeignKeyConstraint(
            ["command_id"],
            ["audit_command.id"],
            name=op.f("fk_audit_entry_command_id_audit_command"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_command_id"), ["command_id"], unique=False)
        batch_op.create_index("ix_audit_entry_record", ["kind", "ref"], unique=False)


def _replace_entries(rows: list[dict[str, Any]], *, by_record: bool) -> None:
    """Drop audit_entry and create it again in the other form, holding ``rows``."""
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entry_record")
        batch_op.drop_index(batch_op.f("ix_audit_entry_command_id"))
    op.drop_table("audit_entry")
    _create_entries(by_record=by_record)
    connection = op.get_bind()
    if rows:
        table = sa.table("audit_entry", *(sa.column(name) for name in rows[0]))
        connection.execute(sa.insert(table), rows)
    if connection.dialect.name == "postgresql":
        connection.execute(
            sa.text(
                "SELECT setval(pg_get_serial_sequence('audit_entry', 'id'), "
                "(SELECT coalesce(max(id), 0) + 1 FROM audit_entry), false)"
            )
        )


def _read_entries() -> list[Any]:
    return list(op.get_bind().execute(sa.text("SELECT * FROM audit_entry ORDER BY id")).mappings())


def upgrade() -> None:
    with op.batch_alter_table("audit_command", schema=None) as batch_op:
        batch_op.add_column(sa.Column("redoes", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_audit_command_redoes"), ["redoes"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_command_redoes_audit_command"),
            "audit_command",
            ["redoes"],
            ["id"],
        )
    _redact_commands(op.get_bind())
    # One command may change a record and later remove it (a cascade): each run of rows for
    # the same record and action becomes one entry, in order.
    grouped: list[dict[str, Any]] = []
    for row in _read_entries():
        last = grouped[-1] if grouped else None
        key = (row["command_id"], row["kind"], row["ref"], row["action"])
        if last is None or last["key"] != key:
            last = {"key": key, "old": {}, "new": {}}
            grouped.append(last)
        if row["field"] == "ref" and row["kind"] != "settings":
            continue  # the trace left for a record with no fields set
        if row["field"] not in last["old"]:
            last["old"][row["field"]] = _loads(row["old"])
        last["new"][row["field"]] = _loads(row["new"])
    rows = []
    for position, entry in enumerate(grouped, start=1):
        command_id, kind, ref, action = entry["key"]
        rows.append(
            {
                "id": position,
                "command_id": command_id,
                "kind": kind,
                "ref": ref,
                "action": action,
                "old": None if action == "add" else _dumps(entry["old"]),
                "new": None if action == "remove" else _dumps(entry["new"]),
                "base": None,
            }
        )
    _replace_entries(rows, by_record=True)


def downgrade() -> None:
    rows = []
    for row in _read_entries():
        if row["action"] == "base":
            continue  # an import base has no place in the per-field trail
        before, after = _loads(row["old"]) or {}, _loads(row["new"]) or {}
        for field in sorted({*before, *after}):
            old_value, new_value = before.get(field), after.get(field)
            if old_value == new_value and row["action"] == "change":
                continue
            rows.append(
                {
                    "id": len(rows) + 1,
                    "command_id": row["command_id"],
                    "kind": row["kind"],
                    "ref": row["ref"],
                    "action": row["action"],
                    "field": field,
                    "old": _dumps(old_value),
                    "new": _dumps(new_value),
                }
            )
    _replace_entries(rows, by_record=False)
    with op.batch_alter_table("audit_command", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_audit_command_redoes_audit_command"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_audit_command_redoes"))
        batch_op.drop_column("redoes")
