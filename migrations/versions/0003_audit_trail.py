"""audit trail

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_command",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("command", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("undoes", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["undoes"], ["audit_command.id"], name=op.f("fk_audit_command_undoes_audit_command")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_command")),
    )
    with op.batch_alter_table("audit_command", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_command_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_command_undoes"), ["undoes"], unique=False)

    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("command_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("field", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("old", sa.Text(), nullable=True),
        sa.Column("new", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "action IN ('add', 'change', 'remove')", name=op.f("ck_audit_entry_action")
        ),
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


def downgrade() -> None:
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entry_record")
        batch_op.drop_index(batch_op.f("ix_audit_entry_command_id"))

    op.drop_table("audit_entry")
    with op.batch_alter_table("audit_command", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_command_undoes"))
        batch_op.drop_index(batch_op.f("ix_audit_command_at"))

    op.drop_table("audit_command")
