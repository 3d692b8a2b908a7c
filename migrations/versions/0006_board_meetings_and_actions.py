"""board meetings; actions of their own (an MoU, and a visit, a meeting or nothing); MoU owner

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

Actions belonged to the MoU through their visit. They now carry the MoU themselves, so an
action may follow a visit, a board meeting, or nothing at all: ``mou_id`` is filled from each
existing action's visit before it is made NOT NULL, and ``visit_id`` becomes optional. A check
keeps an action from following a visit and a meeting at once. The MoU gains an owner (the person
who answers for its review, renewal notice and expiry dates).

Downgrading is refused while an action follows no visit: the older schema has no place for it,
and mou never deletes records to make a migration fit.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from tracker.errors import DatabaseError

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


class ActionsWithoutVisit(DatabaseError):
    """Refused: the older schema requires every action to follow a visit."""


def _create_board_meetings() -> None:
    op.create_table(
        "board_meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("mou_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("meeting_date", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "held",
                "postponed",
                "cancelled",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("chair_id", sa.Integer(), nullable=True),
        sa.Column("venue", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("minutes", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("decisions", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.CheckConstraint("ref = upper(ref)", name=op.f("ck_board_meeting_ref_upper")),
        sa.ForeignKeyConstraint(
            ["chair_id"], ["person.id"], name=op.f("fk_board_meeting_chair_id_person")
        ),
        sa.ForeignKeyConstraint(["mou_id"], ["mou.id"], name=op.f("fk_board_meeting_mou_id_mou")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_meeting")),
        sa.UniqueConstraint("ref", name=op.f("uq_board_meeting_ref")),
    )
    with op.batch_alter_table("board_meeting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_board_meeting_chair_id"), ["chair_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_board_meeting_meeting_date"), ["meeting_date"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_board_meeting_mou_id"), ["mou_id"], unique=False)

    op.create_table(
        "board_meeting_attendee",
        sa.Column("board_meeting_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["board_meeting_id"],
            ["board_meeting.id"],
            name=op.f("fk_board_meeting_attendee_board_meeting_id_board_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_board_meeting_attendee_person_id_person")
        ),
        sa.PrimaryKeyConstraint(
            "board_meeting_id", "person_id", name=op.f("pk_board_meeting_attendee")
        ),
    )
    with op.batch_alter_table("board_meeting_attendee", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_board_meeting_attendee_person_id"), ["person_id"], unique=False
        )


def upgrade() -> None:
    with op.batch_alter_table("mou", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_mou_owner_id"), ["owner_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_mou_owner_id_person"), "person", ["owner_id"], ["id"]
        )

    _create_board_meetings()

    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mou_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("meeting_id", sa.Integer(), nullable=True))
    # Every existing action follows a visit: it belongs to that visit's MoU.
    op.execute(
        "UPDATE action SET mou_id = (SELECT visit.mou_id FROM visit WHERE visit.id = action.visit_id)"
    )
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.alter_column("mou_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("visit_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f("ix_action_mou_id"), ["mou_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_action_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_action_mou_id_mou"), "mou", ["mou_id"], ["id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_action_meeting_id_board_meeting"),
            "board_meeting",
            ["meeting_id"],
            ["id"],
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_action_one_source"), sa.text("visit_id IS NULL OR meeting_id IS NULL")
        )


def downgrade() -> None:
    connection = op.get_bind()
    # Sorted here, not by the database: the message reads the same on every backend.
    orphans = sorted(
        ref
        for (ref,) in connection.execute(sa.text("SELECT ref FROM action WHERE visit_id IS NULL"))
    )
    if orphans:
        shown = ", ".join(orphans[:5])
        more = f" and {len(orphans) - 5} more" if len(orphans) > 5 else ""
        raise ActionsWithoutVisit(
            f"cannot downgrade below 0006: {len(orphans)} action(s) follow no visit "
            f"({shown}{more}); give each a visit or remove it first"
        )
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_action_one_source"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_action_meeting_id_board_meeting"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_action_mou_id_mou"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_action_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_action_mou_id"))
        batch_op.alter_column("visit_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("meeting_id")
        batch_op.drop_column("mou_id")

    with op.batch_alter_table("board_meeting_attendee", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_board_meeting_attendee_person_id"))
    op.drop_table("board_meeting_attendee")
    with op.batch_alter_table("board_meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_board_meeting_mou_id"))
        batch_op.drop_index(batch_op.f("ix_board_meeting_meeting_date"))
        batch_op.drop_index(batch_op.f("ix_board_meeting_chair_id"))
    op.drop_table("board_meeting")

    with op.batch_alter_table("mou", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_mou_owner_id_person"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_mou_owner_id"))
        batch_op.drop_column("owner_id")
