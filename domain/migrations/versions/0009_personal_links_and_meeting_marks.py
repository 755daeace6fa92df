"""personal links and meeting marks

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30

A person's personal links carry a generation that revoking them all moves on; participants
mark from their page that a meeting took place.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("link_generation", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "meeting_mark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("occurrence_seq", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["stage_id"], ["stage.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("stage_id", "occurrence_seq", "person_id"),
    )
    with op.batch_alter_table("meeting_mark", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_mark_stage_id"), ["stage_id"])
        batch_op.create_index(batch_op.f("ix_meeting_mark_person_id"), ["person_id"])


def downgrade() -> None:
    op.drop_table("meeting_mark")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("link_generation")
