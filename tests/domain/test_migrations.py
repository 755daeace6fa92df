"""The schema comes from Alembic migrations that match the tables, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from postgres_server import database_url as postgres_database_url
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

import domain.models  # noqa: F401
from app.cli import main
from domain import database
from domain.models import Organisation, Program


def test_migrations_produce_exactly_the_tables_of_the_models(database_url: str) -> None:
    database.upgrade(database_url)
    with database.engine_for(database_url).connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []


def test_the_embedded_sqlite_file_is_created_and_migrated_on_first_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No NASTAVNIK_DATABASE_URL: the file under NASTAVNIK_HOME appears with the newest schema
    (a PostgreSQL schema, by contrast, is created by `nastavnik init` alone: see below)."""
    home = tmp_path / "home" / "nested"
    monkeypatch.delenv("NASTAVNIK_DATABASE_URL", raising=False)
    monkeypatch.setenv("NASTAVNIK_HOME", str(home))
    assert main(["org", "list", "--json"]) == 0
    assert capsys.readouterr().out.strip() == "[]"
    url = f"sqlite:///{home / 'nastavnik.db'}"
    assert (home / "nastavnik.db").exists()
    engine = database.engine_for(url)
    assert database.current_revision(engine) == database.head_revision(engine)


def test_postgres_without_schema_asks_for_init_then_init_creates_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, postgres_admin_url: str
) -> None:
    name = "nastavnik_test_uninitialised"
    with psycopg.connect(postgres_admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    # A "%" in the URL (here an escaped "/"; a password with "@" is another) reaches Alembic's
    # configparser, which reads it as interpolation unless escaped.
    url = (
        make_url(postgres_database_url(postgres_admin_url, name))
        .update_query_dict({"application_name": "nastavnik/init"})
        .render_as_string(hide_password=False)
    )
    assert "%2F" in url
    monkeypatch.setenv("NASTAVNIK_DATABASE_URL", url)
    try:
        assert main(["org", "list"]) == 5
        assert "nastavnik init" in capsys.readouterr().err
        assert main(["init"]) == 0
        assert "База данных готова" in capsys.readouterr().out
        assert main(["org", "list", "--json"]) == 0
        assert capsys.readouterr().out.strip() == "[]"
    finally:
        database.engine_for(url).dispose()
        with psycopg.connect(postgres_admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_a_program_stored_before_reminders_existed_gets_their_defaults(
    dialect: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """A database at revision 0001 with a program in it, upgraded to the newest schema: the
    program keeps its data and gets reminders 3 and 1 days before, escalation after 3 days."""
    if dialect == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        name = "nastavnik_test_from_0001"
        admin_url = request.getfixturevalue("postgres_admin_url")  # not for the sqlite case
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
        url = postgres_database_url(admin_url, name)
    engine = database.engine_for(url)
    try:
        with engine.begin() as connection:
            config = database._alembic_config(engine)
            config.attributes["connection"] = connection
            command.upgrade(config, "0001")
            connection.execute(
                sa.text(
                    "INSERT INTO organisation (id, name, kind, parent_id, timezone, created_at) "
                    "VALUES (1, 'Школа № 1', 'school', NULL, 'Europe/Samara', "
                    "'2025-08-20 09:00:00+00:00')"
                )
            )
            connection.execute(
                sa.text(
                    "INSERT INTO program (id, org_id, title, forms, role_model, start_date, "
                    "end_date, curator, created_at) VALUES (1, 1, 'Учитель – учитель', "
                    "'[\"teacher_teacher\", \"traditional\"]', 'опытный – молодой', "
                    "'2025-09-01', '2026-05-18', 'Сидорова А. А.', '2025-08-20 09:00:00+00:00')"
                )
            )
        assert database.current_revision(engine) == "0001"

        database.upgrade(url)

        assert database.current_revision(engine) == database.head_revision(engine)
        with Session(engine) as db:
            program = db.get(Program, 1)
            org = db.get(Organisation, 1)
        assert program is not None and org is not None
        assert (program.reminder_days, program.escalation_days) == ([3, 1], 3)
        assert program.model_dump(exclude={"reminder_days", "escalation_days"}) == {
            "id": 1,
            "org_id": 1,
            "title": "Учитель – учитель",
            "forms": ["teacher_teacher", "traditional"],
            "role_model": "опытный – молодой",
            "start_date": date(2025, 9, 1),
            "end_date": date(2026, 5, 18),
            "curator": "Сидорова А. А.",
            "created_at": datetime(2025, 8, 20, 9, 0, tzinfo=UTC),
        }
        assert (org.name, org.timezone, org.send_from_hour, org.smtp_url) == (
            "Школа № 1",
            "Europe/Samara",
            None,
            None,
        )
    finally:
        engine.dispose()
        if dialect == "postgresql":
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
