"""cancelled messages free their keys

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29

An outbox key stands for what is still to be sent: a cancelled message gives it up
("…~cancelled-<id>"), so that a deadline moved away and back calls for its reminders again.
Messages cancelled before this revision kept their keys and blocked them for ever.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

outbox = sa.table(
    "outbox",
    sa.column("id", sa.Integer()),
    sa.column("key", sa.String()),
    sa.column("status", sa.String()),
)
SUFFIX = "~cancelled-"


def upgrade() -> None:
    op.execute(
        outbox.update()
        .where(outbox.c.status == "cancelled", ~outbox.c.key.contains(SUFFIX))
        .values(key=outbox.c.key + SUFFIX + sa.cast(outbox.c.id, sa.String))
    )


def downgrade() -> None:
    pass  # the freed keys stay unique; 0003's schema takes them as they are
