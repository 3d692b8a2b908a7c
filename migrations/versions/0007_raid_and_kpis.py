"""risks, issues, assumptions, KPIs and milestone dependencies

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-30

New tables only: the risk register (with each risk's score history), issues, assumptions,
KPIs with their targets and actuals per reporting period, and the milestones each milestone
depends on. No existing table or row changes, so every revision before this one upgrades
without touching its data.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assumption",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("mou_id", sa.Integer(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "holding",
                "broken",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("review", sa.Date(), nullable=True),
        sa.CheckConstraint("ref = upper(ref)", name=op.f("ck_assumption_ref_upper")),
        sa.ForeignKeyConstraint(["mou_id"], ["mou.id"], name=op.f("fk_assumption_mou_id_mou")),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["person.id"], name=op.f("fk_assumption_owner_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assumption")),
        sa.UniqueConstraint("ref", name=op.f("uq_assumption_ref")),
    )
    with op.batch_alter_table("assumption", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assumption_mou_id"), ["mou_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assumption_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "kpi",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("mou_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "unit",
            sa.Enum(
                "GBP",
                "count",
                "FTE",
                "percent",
                name="unit",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "direction",
            sa.Enum(
                "higher",
                "lower",
                name="direction",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("theme_id", sa.Integer(), nullable=True),
        sa.Column("institution_id", sa.Integer(), nullable=True),
        sa.Column("baseline", sa.Double(), nullable=True),
        sa.Column("cumulative", sa.Boolean(), nullable=False),
        sa.CheckConstraint("ref = upper(ref)", name=op.f("ck_kpi_ref_upper")),
        sa.ForeignKeyConstraint(
            ["institution_id"], ["institution.id"], name=op.f("fk_kpi_institution_id_institution")
        ),
        sa.ForeignKeyConstraint(["mou_id"], ["mou.id"], name=op.f("fk_kpi_mou_id_mou")),
        sa.ForeignKeyConstraint(["theme_id"], ["theme.id"], name=op.f("fk_kpi_theme_id_theme")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpi")),
        sa.UniqueConstraint("ref", name=op.f("uq_kpi_ref")),
    )
    with op.batch_alter_table("kpi", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kpi_institution_id"), ["institution_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_kpi_mou_id"), ["mou_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_kpi_theme_id"), ["theme_id"], unique=False)

    op.create_table(
        "kpi_actual",
        sa.Column("kpi_id", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.ForeignKeyConstraint(
            ["kpi_id"], ["kpi.id"], name=op.f("fk_kpi_actual_kpi_id_kpi"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("kpi_id", "period", name=op.f("pk_kpi_actual")),
    )
    op.create_table(
        "kpi_target",
        sa.Column("kpi_id", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["kpi_id"], ["kpi.id"], name=op.f("fk_kpi_target_kpi_id_kpi"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("kpi_id", "period", name=op.f("pk_kpi_target")),
    )
    op.create_table(
        "risk",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("mou_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("theme_id", sa.Integer(), nullable=True),
        sa.Column("workstream_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("likelihood", sa.Integer(), nullable=False),
        sa.Column("impact", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "closed",
                "occurred",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "response",
            sa.Enum(
                "avoid",
                "reduce",
                "transfer",
                "accept",
                name="response",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=True,
        ),
        sa.Column("mitigation", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("target", sa.Date(), nullable=True),
        sa.Column("review", sa.Date(), nullable=True),
        sa.CheckConstraint("impact BETWEEN 1 AND 5", name=op.f("ck_risk_impact_scale")),
        sa.CheckConstraint("likelihood BETWEEN 1 AND 5", name=op.f("ck_risk_likelihood_scale")),
        sa.CheckConstraint("ref = upper(ref)", name=op.f("ck_risk_ref_upper")),
        sa.ForeignKeyConstraint(["mou_id"], ["mou.id"], name=op.f("fk_risk_mou_id_mou")),
        sa.ForeignKeyConstraint(["owner_id"], ["person.id"], name=op.f("fk_risk_owner_id_person")),
        sa.ForeignKeyConstraint(["theme_id"], ["theme.id"], name=op.f("fk_risk_theme_id_theme")),
        sa.ForeignKeyConstraint(
            ["workstream_id"], ["workstream.id"], name=op.f("fk_risk_workstream_id_workstream")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk")),
        sa.UniqueConstraint("ref", name=op.f("uq_risk_ref")),
    )
    with op.batch_alter_table("risk", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_mou_id"), ["mou_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_risk_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_risk_theme_id"), ["theme_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_risk_workstream_id"), ["workstream_id"], unique=False)

    op.create_table(
        "issue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("mou_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("raised", sa.Date(), nullable=False),
        sa.Column(
            "severity",
            sa.Enum(
                "low",
                "medium",
                "high",
                "critical",
                name="severity",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "resolved",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("resolved", sa.Date(), nullable=True),
        sa.Column("risk_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(status = 'resolved' AND resolved IS NOT NULL) OR (status <> 'resolved' AND resolved IS NULL)",
            name=op.f("ck_issue_resolved_iff_resolved"),
        ),
        sa.CheckConstraint("ref = upper(ref)", name=op.f("ck_issue_ref_upper")),
        sa.CheckConstraint(
            "resolved IS NULL OR resolved >= raised", name=op.f("ck_issue_resolved_after")
        ),
        sa.ForeignKeyConstraint(["mou_id"], ["mou.id"], name=op.f("fk_issue_mou_id_mou")),
        sa.ForeignKeyConstraint(["owner_id"], ["person.id"], name=op.f("fk_issue_owner_id_person")),
        sa.ForeignKeyConstraint(["risk_id"], ["risk.id"], name=op.f("fk_issue_risk_id_risk")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issue")),
        sa.UniqueConstraint("ref", name=op.f("uq_issue_ref")),
    )
    with op.batch_alter_table("issue", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_issue_mou_id"), ["mou_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_issue_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_issue_risk_id"), ["risk_id"], unique=False)

    op.create_table(
        "milestone_dependency",
        sa.Column("milestone_id", sa.Integer(), nullable=False),
        sa.Column("depends_on_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "milestone_id <> depends_on_id", name=op.f("ck_milestone_dependency_not_on_itself")
        ),
        sa.ForeignKeyConstraint(
            ["depends_on_id"],
            ["milestone.id"],
            name=op.f("fk_milestone_dependency_depends_on_id_milestone"),
        ),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["milestone.id"],
            name=op.f("fk_milestone_dependency_milestone_id_milestone"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "milestone_id", "depends_on_id", name=op.f("pk_milestone_dependency")
        ),
    )
    with op.batch_alter_table("milestone_dependency", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_milestone_dependency_depends_on_id"), ["depends_on_id"], unique=False
        )

    op.create_table(
        "risk_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.Column("likelihood", sa.Integer(), nullable=False),
        sa.Column("impact", sa.Integer(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("changed", sa.Date(), nullable=False),
        sa.CheckConstraint("impact BETWEEN 1 AND 5", name=op.f("ck_risk_score_impact_scale")),
        sa.CheckConstraint(
            "likelihood BETWEEN 1 AND 5", name=op.f("ck_risk_score_likelihood_scale")
        ),
        sa.ForeignKeyConstraint(
            ["risk_id"], ["risk.id"], name=op.f("fk_risk_score_risk_id_risk"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_score")),
    )
    with op.batch_alter_table("risk_score", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_score_risk_id"), ["risk_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("risk_score", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_score_risk_id"))

    op.drop_table("risk_score")
    with op.batch_alter_table("milestone_dependency", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_milestone_dependency_depends_on_id"))

    op.drop_table("milestone_dependency")
    with op.batch_alter_table("issue", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_issue_risk_id"))
        batch_op.drop_index(batch_op.f("ix_issue_owner_id"))
        batch_op.drop_index(batch_op.f("ix_issue_mou_id"))

    op.drop_table("issue")
    with op.batch_alter_table("risk", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_workstream_id"))
        batch_op.drop_index(batch_op.f("ix_risk_theme_id"))
        batch_op.drop_index(batch_op.f("ix_risk_owner_id"))
        batch_op.drop_index(batch_op.f("ix_risk_mou_id"))

    op.drop_table("risk")
    op.drop_table("kpi_target")
    op.drop_table("kpi_actual")
    with op.batch_alter_table("kpi", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kpi_theme_id"))
        batch_op.drop_index(batch_op.f("ix_kpi_mou_id"))
        batch_op.drop_index(batch_op.f("ix_kpi_institution_id"))

    op.drop_table("kpi")
    with op.batch_alter_table("assumption", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assumption_owner_id"))
        batch_op.drop_index(batch_op.f("ix_assumption_mou_id"))

    op.drop_table("assumption")
