"""The schema comes from Alembic migrations that match the tables, on SQLite and PostgreSQL."""

from __future__ import annotations

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from conftest import POSTGRES_ADMIN_URL
from sqlmodel import SQLModel

import domain.models  # noqa: F401
from app.cli import main
from domain import database


def test_migrations_produce_exactly_the_tables_of_the_models(database_url: str) -> None:
    database.upgrade(database_url)
    with database.engine_for(database_url).connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []


def test_sqlite_file_is_created_on_first_use(database_url: str, tmp_path: object) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite only: a PostgreSQL schema is created by `nastavnik init` alone")
    assert main(["org", "list", "--json"]) == 0


def test_postgres_without_schema_asks_for_init_then_init_creates_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    name = "nastavnik_test_uninitialised"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    monkeypatch.setenv("NASTAVNIK_DATABASE_URL", url)
    try:
        assert main(["org", "list"]) == 5
        assert "nastavnik init" in capsys.readouterr().err
        assert main(["init"]) == 0
        assert "База данных готова" in capsys.readouterr().out
        assert main(["org", "list", "--json"]) == 0
        assert capsys.readouterr().out.strip() == "[]"
    finally:
        database.engine_for(url.replace("postgresql://", "postgresql+psycopg://")).dispose()
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
