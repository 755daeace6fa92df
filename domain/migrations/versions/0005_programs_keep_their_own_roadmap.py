"""programs keep their own roadmap

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29

A stage row carried only its code, looked up in the code's catalogue: renaming or removing a
stage there broke every program stored. Each stage row now carries its own copy (phase, kind,
week, audience, names, prerequisites, recurrence), and a program the catalogue version it was
copied from. Programs stored before were all made from version 1, which is what they get; a
stage may also be dropped from one program (dropped_at).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from domain.program_roadmap import stage_columns
from domain.roadmap import CATALOGUES

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COPIED = (
    sa.Column("phase", sa.Integer()),
    sa.Column("kind", sa.String()),
    sa.Column("week", sa.Integer()),
    sa.Column("who", sa.JSON()),
    sa.Column("title", sa.String()),
    sa.Column("name", sa.String()),
    sa.Column("requires", sa.JSON()),
)
REPEATS = (
    sa.Column("repeat_from_week", sa.Integer(), nullable=True),
    sa.Column("repeat_every_weeks", sa.Integer(), nullable=True),
)


def upgrade() -> None:
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("roadmap_version", sa.Integer(), nullable=False, server_default="1")
        )
    with op.batch_alter_table("stage", schema=None) as batch_op:
        for column in (*COPIED, *REPEATS):
            batch_op.add_column(sa.Column(column.name, column.type, nullable=True))
        batch_op.add_column(sa.Column("dropped_at", sa.DateTime(timezone=True), nullable=True))

    stage = sa.table(
        "stage",
        sa.column("code", sa.String()),
        *(sa.column(c.name, c.type) for c in (*COPIED, *REPEATS)),
    )
    for definition in CATALOGUES[1]:
        values = stage_columns(definition)
        del values["code"], values["number"]
        op.execute(stage.update().where(stage.c.code == definition.code).values(**values))
    unknown = op.get_bind().execute(sa.text("SELECT DISTINCT code FROM stage WHERE kind IS NULL"))
    codes = [row[0] for row in unknown]
    if codes:
        raise RuntimeError(f"stages of no known catalogue entry: {', '.join(codes)}")

    # SQLite makes a column NOT NULL by copying the table; domain.database.upgrade runs the
    # migrations with its foreign keys off, and checks them afterwards.
    with op.batch_alter_table("stage", schema=None) as batch_op:
        for column in COPIED:
            batch_op.alter_column(column.name, existing_type=column.type, nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("stage", schema=None) as batch_op:
        batch_op.drop_column("dropped_at")
        for column in (*REPEATS, *COPIED):
            batch_op.drop_column(column.name)
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.drop_column("roadmap_version")
