"""matching: setup, profiles, pins and forbids, proposals and their pairs

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30

Stage 19 matches mentors and mentees into a proposal; the curator pins and forbids pairs and
chooses the method and the weights; completing stage 20 fixes the proposal with its order.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "match_setup",
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["program_id"], ["program.id"]),
        sa.PrimaryKeyConstraint("program_id"),
    )
    op.create_table(
        "match_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("form", sa.String(), nullable=True),
        sa.Column("psych_type", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["program_id"], ["program.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("program_id", "person_id"),
    )
    with op.batch_alter_table("match_profile", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_match_profile_program_id"), ["program_id"])
        batch_op.create_index(batch_op.f("ix_match_profile_person_id"), ["person_id"])
    op.create_table(
        "match_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("mentee_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("set_by", sa.String(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["program_id"], ["program.id"]),
        sa.ForeignKeyConstraint(["mentor_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["mentee_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("program_id", "mentor_id", "mentee_id"),
    )
    with op.batch_alter_table("match_rule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_match_rule_program_id"), ["program_id"])
    op.create_table(
        "match_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("optimum", sa.Float(), nullable=True),
        sa.Column("blocking", sa.JSON(), nullable=False),
        sa.Column("unmatched", sa.JSON(), nullable=False),
        sa.Column("made_by", sa.String(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fixed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("order_docx", sa.LargeBinary(), nullable=True),
        sa.Column("order_html", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["program_id"], ["program.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("match_proposal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_match_proposal_program_id"), ["program_id"])
    op.create_table(
        "match_pair",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("mentee_id", sa.Integer(), nullable=False),
        sa.Column("form", sa.String(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("breakdown", sa.JSON(), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["proposal_id"], ["match_proposal.id"]),
        sa.ForeignKeyConstraint(["mentor_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["mentee_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("proposal_id", "mentee_id"),
    )
    with op.batch_alter_table("match_pair", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_match_pair_proposal_id"), ["proposal_id"])
        batch_op.create_index(batch_op.f("ix_match_pair_mentor_id"), ["mentor_id"])
        batch_op.create_index(batch_op.f("ix_match_pair_mentee_id"), ["mentee_id"])


def downgrade() -> None:
    for table in ("match_pair", "match_proposal", "match_rule", "match_profile", "match_setup"):
        op.drop_table(table)
