"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "institution",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "university",
                "combined_authority",
                "local_authority",
                "research_council",
                "national_facility",
                "company",
                "other",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("region", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.CheckConstraint("ref = upper(ref)", name=op.f("ck_institution_ref_upper")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_institution")),
        sa.UniqueConstraint("ref", name=op.f("uq_institution_ref")),
    )
    op.create_table(
        "mou",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "signed",
                "active",
                "under_review",
                "renewed",
                "expired",
                "terminated",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("signed", sa.Date(), nullable=True),
        sa.Column("effective", sa.Date(), nullable=True),
        sa.Column("expires", sa.Date(), nullable=True),
        sa.Column("review", sa.Date(), nullable=True),
        sa.Column("renewal_notice_months", sa.Integer(), nullable=True),
        sa.Column("venue", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("binding", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "expires IS NULL OR effective IS NULL OR expires >= effective",
            name=op.f("ck_mou_expires_after"),
        ),
        sa.CheckConstraint("ref = upper(ref)", name=op.f("ck_mou_ref_upper")),
        sa.CheckConstraint(
            "renewal_notice_months IS NULL OR renewal_notice_months >= 0",
            name=op.f("ck_mou_renewal_notice_positive"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mou")),
        sa.UniqueConstraint("ref", name=op.f("uq_mou_ref")),
    )
    op.create_table(
        "setting",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_setting")),
    )
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("ref = upper(ref)", name=op.f("ck_person_ref_upper")),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_person_institution_id_institution"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("ref", name=op.f("uq_person_ref")),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_institution_id"), ["institution_id"], unique=False
        )

    op.create_table(
        "site",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "campus",
                "facility",
                "laboratory",
                "venue",
                "office",
                "other",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("location", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.CheckConstraint(
            "parent_id IS NULL OR parent_id <> id", name=op.f("ck_site_not_own_parent")
        ),
        sa.CheckConstraint("ref = upper(ref)", name=op.f("ck_site_ref_upper")),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["institution.id"], name=op.f("fk_site_operator_id_institution")
        ),
        sa.ForeignKeyConstraint(["parent_id"], ["site.id"], name=op.f("fk_site_parent_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site")),
        sa.UniqueConstraint("ref", name=op.f("uq_site_ref")),
    )
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_site_operator_id"), ["operator_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_site_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "theme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("mou_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "parent_id IS NULL OR parent_id <> id", name=op.f("ck_theme_not_own_parent")
        ),
        sa.CheckConstraint("ref = upper(ref)", name=op.f("ck_theme_ref_upper")),
        sa.ForeignKeyConstraint(["mou_id"], ["mou.id"], name=op.f("fk_theme_mou_id_mou")),
        sa.ForeignKeyConstraint(["parent_id"], ["theme.id"], name=op.f("fk_theme_parent_id_theme")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theme")),
        sa.UniqueConstraint("ref", name=op.f("uq_theme_ref")),
    )
    with op.batch_alter_table("theme", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_theme_mou_id"), ["mou_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_theme_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("mou_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "site_visit",
                "delegation",
                "signing",
                "workshop",
                "meeting",
                "other",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("outcomes", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "confirmed",
                "completed",
                "postponed",
                "cancelled",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.CheckConstraint(
            "end_date IS NULL OR end_date >= start_date", name=op.f("ck_visit_ends_after_start")
        ),
        sa.CheckConstraint("ref = upper(ref)", name=op.f("ck_visit_ref_upper")),
        sa.ForeignKeyConstraint(
            ["host_id"], ["institution.id"], name=op.f("fk_visit_host_id_institution")
        ),
        sa.ForeignKeyConstraint(["mou_id"], ["mou.id"], name=op.f("fk_visit_mou_id_mou")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit")),
        sa.UniqueConstraint("ref", name=op.f("uq_visit_ref")),
    )
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_host_id"), ["host_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_visit_mou_id"), ["mou_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_visit_start_date"), ["start_date"], unique=False)

    op.create_table(
        "action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "in_progress",
                "done",
                "cancelled",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("completed", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "(status = 'done' AND completed IS NOT NULL) OR (status <> 'done' AND completed IS NULL)",
            name=op.f("ck_action_completed_iff_done"),
        ),
        sa.CheckConstraint("ref = upper(ref)", name=op.f("ck_action_ref_upper")),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["person.id"], name=op.f("fk_action_owner_id_person")
        ),
        sa.ForeignKeyConstraint(["visit_id"], ["visit.id"], name=op.f("fk_action_visit_id_visit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action")),
        sa.UniqueConstraint("ref", name=op.f("uq_action_ref")),
    )
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_action_visit_id"), ["visit_id"], unique=False)

    op.create_table(
        "commitment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("mou_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("ref = upper(ref)", name=op.f("ck_commitment_ref_upper")),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["institution.id"], name=op.f("fk_commitment_lead_id_institution")
        ),
        sa.ForeignKeyConstraint(["mou_id"], ["mou.id"], name=op.f("fk_commitment_mou_id_mou")),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["theme.id"], name=op.f("fk_commitment_theme_id_theme")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitment")),
        sa.UniqueConstraint("ref", name=op.f("uq_commitment_ref")),
    )
    with op.batch_alter_table("commitment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commitment_lead_id"), ["lead_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_commitment_mou_id"), ["mou_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_commitment_theme_id"), ["theme_id"], unique=False)

    op.create_table(
        "party",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mou_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "signatory",
                "partner",
                "host",
                "funder",
                "observer",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("signatory_id", sa.Integer(), nullable=True),
        sa.Column("signatory_title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("signed", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["institution_id"], ["institution.id"], name=op.f("fk_party_institution_id_institution")
        ),
        sa.ForeignKeyConstraint(
            ["mou_id"], ["mou.id"], name=op.f("fk_party_mou_id_mou"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["signatory_id"], ["person.id"], name=op.f("fk_party_signatory_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party")),
        sa.UniqueConstraint("mou_id", "institution_id", name="uq_party_member"),
    )
    with op.batch_alter_table("party", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_party_institution_id"), ["institution_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_party_mou_id"), ["mou_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_party_signatory_id"), ["signatory_id"], unique=False)

    op.create_table(
        "visit_attendee",
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "host",
                "delegate",
                "signatory",
                "speaker",
                "observer",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_visit_attendee_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visit.id"],
            name=op.f("fk_visit_attendee_visit_id_visit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("visit_id", "person_id", name=op.f("pk_visit_attendee")),
    )
    with op.batch_alter_table("visit_attendee", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_visit_attendee_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "visit_site",
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_visit_site_site_id_site")),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visit.id"],
            name=op.f("fk_visit_site_visit_id_visit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("visit_id", "site_id", name=op.f("pk_visit_site")),
    )
    with op.batch_alter_table("visit_site", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_site_site_id"), ["site_id"], unique=False)

    op.create_table(
        "visit_theme",
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["theme.id"], name=op.f("fk_visit_theme_theme_id_theme")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visit.id"],
            name=op.f("fk_visit_theme_visit_id_visit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("visit_id", "theme_id", name=op.f("pk_visit_theme")),
    )
    with op.batch_alter_table("visit_theme", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_theme_theme_id"), ["theme_id"], unique=False)

    op.create_table(
        "workstream",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("mou_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "live",
                "finished",
                "closed_early",
                "on_hold",
                "cancelled",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.CheckConstraint("ref = upper(ref)", name=op.f("ck_workstream_ref_upper")),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["institution.id"], name=op.f("fk_workstream_lead_id_institution")
        ),
        sa.ForeignKeyConstraint(["mou_id"], ["mou.id"], name=op.f("fk_workstream_mou_id_mou")),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["person.id"], name=op.f("fk_workstream_owner_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["theme.id"], name=op.f("fk_workstream_theme_id_theme")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workstream")),
        sa.UniqueConstraint("ref", name=op.f("uq_workstream_ref")),
    )
    with op.batch_alter_table("workstream", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workstream_lead_id"), ["lead_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_workstream_mou_id"), ["mou_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_workstream_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_workstream_theme_id"), ["theme_id"], unique=False)

    op.create_table(
        "milestone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("workstream_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("forecast", sa.Date(), nullable=True),
        sa.Column("completed", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "in_progress",
                "done",
                "cancelled",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column(
            "reported_rag",
            sa.Enum(
                "GREEN",
                "AMBER",
                "RED",
                name="reported_rag",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=True,
        ),
        sa.Column(
            "reported_rag_reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True
        ),
        sa.CheckConstraint(
            "(status = 'done' AND completed IS NOT NULL) OR (status <> 'done' AND completed IS NULL)",
            name=op.f("ck_milestone_completed_iff_done"),
        ),
        sa.CheckConstraint("ref = upper(ref)", name=op.f("ck_milestone_ref_upper")),
        sa.CheckConstraint(
            "reported_rag IS NULL OR reported_rag_reason IS NOT NULL",
            name=op.f("ck_milestone_rag_has_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_milestone_institution_id_institution"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["person.id"], name=op.f("fk_milestone_owner_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["workstream_id"], ["workstream.id"], name=op.f("fk_milestone_workstream_id_workstream")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestone")),
        sa.UniqueConstraint("ref", name=op.f("uq_milestone_ref")),
    )
    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_milestone_institution_id"), ["institution_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_milestone_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index("ix_milestone_status_due", ["status", "due"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_milestone_workstream_id"), ["workstream_id"], unique=False
        )

    op.create_table(
        "workstream_commitment",
        sa.Column("workstream_id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["commitment.id"],
            name=op.f("fk_workstream_commitment_commitment_id_commitment"),
        ),
        sa.ForeignKeyConstraint(
            ["workstream_id"],
            ["workstream.id"],
            name=op.f("fk_workstream_commitment_workstream_id_workstream"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "workstream_id", "commitment_id", name=op.f("pk_workstream_commitment")
        ),
    )
    with op.batch_alter_table("workstream_commitment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workstream_commitment_commitment_id"), ["commitment_id"], unique=False
        )

    op.create_table(
        "workstream_partner",
        sa.Column("workstream_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_workstream_partner_institution_id_institution"),
        ),
        sa.ForeignKeyConstraint(
            ["workstream_id"],
            ["workstream.id"],
            name=op.f("fk_workstream_partner_workstream_id_workstream"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "workstream_id", "institution_id", name=op.f("pk_workstream_partner")
        ),
    )
    with op.batch_alter_table("workstream_partner", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workstream_partner_institution_id"), ["institution_id"], unique=False
        )

    op.create_table(
        "milestone_baseline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("milestone_id", sa.Integer(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("changed", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["milestone.id"],
            name=op.f("fk_milestone_baseline_milestone_id_milestone"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestone_baseline")),
    )
    with op.batch_alter_table("milestone_baseline", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_milestone_baseline_milestone_id"), ["milestone_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("milestone_baseline", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_milestone_baseline_milestone_id"))

    op.drop_table("milestone_baseline")
    with op.batch_alter_table("workstream_partner", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workstream_partner_institution_id"))

    op.drop_table("workstream_partner")
    with op.batch_alter_table("workstream_commitment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workstream_commitment_commitment_id"))

    op.drop_table("workstream_commitment")
    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_milestone_workstream_id"))
        batch_op.drop_index("ix_milestone_status_due")
        batch_op.drop_index(batch_op.f("ix_milestone_owner_id"))
        batch_op.drop_index(batch_op.f("ix_milestone_institution_id"))

    op.drop_table("milestone")
    with op.batch_alter_table("workstream", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workstream_theme_id"))
        batch_op.drop_index(batch_op.f("ix_workstream_owner_id"))
        batch_op.drop_index(batch_op.f("ix_workstream_mou_id"))
        batch_op.drop_index(batch_op.f("ix_workstream_lead_id"))

    op.drop_table("workstream")
    with op.batch_alter_table("visit_theme", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_theme_theme_id"))

    op.drop_table("visit_theme")
    with op.batch_alter_table("visit_site", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_site_site_id"))

    op.drop_table("visit_site")
    with op.batch_alter_table("visit_attendee", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_attendee_person_id"))

    op.drop_table("visit_attendee")
    with op.batch_alter_table("party", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_party_signatory_id"))
        batch_op.drop_index(batch_op.f("ix_party_mou_id"))
        batch_op.drop_index(batch_op.f("ix_party_institution_id"))

    op.drop_table("party")
    with op.batch_alter_table("commitment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commitment_theme_id"))
        batch_op.drop_index(batch_op.f("ix_commitment_mou_id"))
        batch_op.drop_index(batch_op.f("ix_commitment_lead_id"))

    op.drop_table("commitment")
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_visit_id"))
        batch_op.drop_index(batch_op.f("ix_action_owner_id"))

    op.drop_table("action")
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_start_date"))
        batch_op.drop_index(batch_op.f("ix_visit_mou_id"))
        batch_op.drop_index(batch_op.f("ix_visit_host_id"))

    op.drop_table("visit")
    with op.batch_alter_table("theme", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_theme_parent_id"))
        batch_op.drop_index(batch_op.f("ix_theme_mou_id"))

    op.drop_table("theme")
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_site_parent_id"))
        batch_op.drop_index(batch_op.f("ix_site_operator_id"))

    op.drop_table("site")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_institution_id"))

    op.drop_table("person")
    op.drop_table("setting")
    op.drop_table("mou")
    op.drop_table("institution")
