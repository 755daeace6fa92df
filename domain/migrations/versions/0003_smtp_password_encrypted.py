"""smtp password encrypted

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30

An organisation's SMTP URL loses its password: "***" takes its place, and the password is
stored encrypted with the secret key (domain/secrets.py), which is made here if a password
needs it and there is none yet.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from domain.contacts import hide_passwords, seal, with_passwords
from domain.errors import SecretKeyUnavailable

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

organisation = sa.table(
    "organisation",
    sa.column("id", sa.Integer()),
    sa.column("smtp_url", sa.String()),
    sa.column("smtp_password_encrypted", sa.String()),
)


def upgrade() -> None:
    connection = op.get_bind()
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # SQLite leaves a changed row's old bytes in the file unless told to zero them: the
        # plaintext passwords must not stay behind in its free space.
        secure_delete = connection.exec_driver_sql("PRAGMA secure_delete").scalar()
        connection.exec_driver_sql("PRAGMA secure_delete = ON")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("smtp_password_encrypted", sa.String(), nullable=True))

    rows = connection.execute(
        sa.select(organisation.c.id, organisation.c.smtp_url).where(
            organisation.c.smtp_url.is_not(None)
        )
    ).all()
    for org_id, url in rows:
        masked, passwords = hide_passwords(url)
        if not passwords:
            continue
        try:
            sealed = seal(passwords)
        except SecretKeyUnavailable as error:
            raise SecretKeyUnavailable(
                "Схему базы данных не обновить: пароли почтовых серверов теперь хранятся "
                f"зашифрованными, а {error}",
                error.cause,
            ) from None
        connection.execute(
            organisation.update()
            .where(organisation.c.id == org_id)
            .values(smtp_url=masked, smtp_password_encrypted=sealed)
        )
    if sqlite:
        _rewrite_zeroing_old_bytes(connection, "organisation")
        connection.exec_driver_sql(f"PRAGMA secure_delete = {int(secure_delete or 0)}")


def _rewrite_zeroing_old_bytes(connection: sa.Connection, name: str) -> None:
    """Delete and insert again every row of a SQLite table, with secure_delete on: the old
    bytes of its rows (the plaintext passwords among them), wherever earlier writes left them in
    the table's pages, are zeroed. The rows are copied as stored, through a temporary table;
    foreign keys are checked at commit, when every row is back."""
    connection.exec_driver_sql(f"CREATE TEMP TABLE copy_of_{name} AS SELECT * FROM {name}")
    connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")  # until this commit
    connection.exec_driver_sql(f"DELETE FROM {name}")
    connection.exec_driver_sql(f"INSERT INTO {name} SELECT * FROM copy_of_{name}")
    connection.exec_driver_sql(f"DROP TABLE copy_of_{name}")


def downgrade() -> None:
    # The passwords go back into the URLs in the clear: that needs the key.
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            organisation.c.id, organisation.c.smtp_url, organisation.c.smtp_password_encrypted
        ).where(organisation.c.smtp_password_encrypted.is_not(None))
    ).all()
    for org_id, url, sealed in rows:
        connection.execute(
            organisation.update()
            .where(organisation.c.id == org_id)
            .values(smtp_url=with_passwords(url, sealed))
        )
    # Not in batch mode: SQLite would copy the table and drop it, which the rows that refer to
    # it forbid; SQLite drops a column itself since 3.35.
    op.drop_column("organisation", "smtp_password_encrypted")
