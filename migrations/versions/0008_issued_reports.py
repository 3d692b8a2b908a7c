"""issued reports: quarterly reports frozen as they went to the board

Revision ID: 0008
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "issued_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("mou_id", sa.Integer(), nullable=False),
        sa.Column("quarter", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column(
            "scheme",
            sa.Enum(
                "uk-fy",
                "academic",
                "calendar",
                name="scheme",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("issued_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.CheckConstraint("ref = upper(ref)", name=op.f("ck_issued_report_ref_upper")),
        sa.ForeignKeyConstraint(["mou_id"], ["mou.id"], name=op.f("fk_issued_report_mou_id_mou")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_report")),
        sa.UniqueConstraint("ref", name=op.f("uq_issued_report_ref")),
    )
    with op.batch_alter_table("issued_report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_issued_report_mou_id"), ["mou_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("issued_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_issued_report_mou_id"))
    op.drop_table("issued_report")
