"""participants and consents

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29

People become participants: date of birth, category, class, first year of teaching, place of
study or work, and a minor's legal representatives; consents under 152-ФЗ are recorded. A
program's free-text curator becomes the curator person: the person of that name in the
program's organisation if there is one, else a new person (without an address until someone
adds one), given the curator's role in the program.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("birth_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("category", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("school_class", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("teaching_since", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("place", sa.String(), nullable=True))
    op.create_table(
        "representative",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("representative_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["representative_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_id", "representative_id"),
    )
    with op.batch_alter_table("representative", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_representative_person_id"), ["person_id"])
        batch_op.create_index(
            batch_op.f("ix_representative_representative_id"), ["representative_id"]
        )
    op.create_table(
        "consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("given_by_id", sa.Integer(), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("document", sa.String(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["given_by_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consent_person_id"), ["person_id"])

    _curators_become_people()
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.drop_column("curator")


def _curators_become_people() -> None:
    bind = op.get_bind()
    programs = bind.execute(
        sa.text("SELECT id, org_id, curator FROM program WHERE curator IS NOT NULL")
    ).all()
    now = datetime.now(UTC)
    if bind.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # stored as naive UTC there (domain/models.py)
    for program_id, org_id, name in programs:
        name = name.strip()
        if not name:
            continue
        has_curator = bind.execute(
            sa.text("SELECT 1 FROM program_role WHERE program_id = :p AND role = 'curator'"),
            {"p": program_id},
        ).first()
        if has_curator:
            continue
        person_id = bind.execute(
            sa.text("SELECT id FROM person WHERE org_id = :o AND name = :n ORDER BY id"),
            {"o": org_id, "n": name},
        ).scalar()
        if person_id is None:
            person_id = bind.execute(
                sa.text(
                    "INSERT INTO person (org_id, name, created_at) VALUES (:o, :n, :t) RETURNING id"
                ),
                {"o": org_id, "n": name, "t": now},
            ).scalar()
        bind.execute(
            sa.text(
                "INSERT INTO program_role (program_id, person_id, role) "
                "VALUES (:p, :person, 'curator')"
            ),
            {"p": program_id, "person": person_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.add_column(sa.Column("curator", sa.String(), nullable=True))
    op.execute(
        "UPDATE program SET curator = (SELECT person.name FROM program_role JOIN person "
        "ON person.id = program_role.person_id WHERE program_role.program_id = program.id "
        "AND program_role.role = 'curator' ORDER BY program_role.id LIMIT 1)"
    )
    op.drop_table("consent")
    op.drop_table("representative")
    with op.batch_alter_table("person", schema=None) as batch_op:
        for column in ("place", "teaching_since", "school_class", "category", "birth_date"):
            batch_op.drop_column(column)
