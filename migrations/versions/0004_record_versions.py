"""record versions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("commitment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("institution", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("mou", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("party", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("theme", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("workstream", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("workstream", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("theme", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("party", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("mou", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("institution", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("commitment", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.drop_column("version")
