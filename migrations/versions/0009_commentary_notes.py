"""commentary notes: the programme office's words for a quarter's board pack

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30

A new table only: one note per scope (the programme, a theme or a workstream) and quarter.
No existing table or row changes, so every revision before this one upgrades without
touching its data.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("mou_id", sa.Integer(), nullable=False),
        sa.Column("quarter", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=True),
        sa.Column("workstream_id", sa.Integer(), nullable=True),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.CheckConstraint("ref = upper(ref)", name=op.f("ck_note_ref_upper")),
        sa.CheckConstraint(
            "theme_id IS NULL OR workstream_id IS NULL", name=op.f("ck_note_one_scope")
        ),
        sa.ForeignKeyConstraint(["mou_id"], ["mou.id"], name=op.f("fk_note_mou_id_mou")),
        sa.ForeignKeyConstraint(["theme_id"], ["theme.id"], name=op.f("fk_note_theme_id_theme")),
        sa.ForeignKeyConstraint(
            ["workstream_id"], ["workstream.id"], name=op.f("fk_note_workstream_id_workstream")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note")),
        sa.UniqueConstraint("ref", name=op.f("uq_note_ref")),
    )
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_note_mou_id"), ["mou_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_note_theme_id"), ["theme_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_note_workstream_id"), ["workstream_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_note_workstream_id"))
        batch_op.drop_index(batch_op.f("ix_note_theme_id"))
        batch_op.drop_index(batch_op.f("ix_note_mou_id"))

    op.drop_table("note")
