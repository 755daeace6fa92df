"""The schema comes from Alembic migrations that match the tables, on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import json
import stat
from collections.abc import Iterator
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
from domain.contacts import with_passwords
from domain.models import Organisation, Person, Program
from domain.programs import program_view
from domain.roadmap import STAGES
from domain.schedule import utc_now
from domain.states import Action
from domain.transitions import apply_entry, request_action


@contextlib.contextmanager
def database_at(
    revision: str, dialect: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[str, sa.Engine]]:
    """A new database of ``dialect`` migrated to ``revision`` only: its URL and engine."""
    name = f"nastavnik_test_at_{revision}"
    if dialect == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
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
            command.upgrade(config, revision)
        yield url, engine
    finally:
        engine.dispose()
        if dialect == "postgresql":
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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
    with database_at("0001", dialect, tmp_path, request) as (url, engine):
        with engine.begin() as connection:
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
        assert program.roadmap_version == 1
        assert program.model_dump(
            exclude={"reminder_days", "escalation_days", "roadmap_version"}
        ) == {
            "id": 1,
            "org_id": 1,
            "title": "Учитель – учитель",
            "forms": ["teacher_teacher", "traditional"],
            "role_model": "опытный – молодой",
            "start_date": date(2025, 9, 1),
            "end_date": date(2026, 5, 18),
            "created_at": datetime(2025, 8, 20, 9, 0, tzinfo=UTC),
        }
        # The free-text curator became a person of the school, the program's curator.
        with Session(engine) as db:
            view = program_view(db, 1, datetime(2025, 9, 2, 9, tzinfo=UTC))
            curator = db.get(Person, view.curator_id)
        assert view.curator == "Сидорова А. А."
        assert curator is not None and curator.org_id == 1
        assert (org.name, org.timezone, org.send_from_hour, org.smtp_url) == (
            "Школа № 1",
            "Europe/Samara",
            None,
            None,
        )


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_smtp_passwords_stored_in_the_clear_are_encrypted_by_the_upgrade(
    dialect: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A database at revision 0002 whose organisations keep their SMTP passwords in the clear,
    upgraded: the upgrade makes the key (owner-only) and encrypts each password with it, the
    URLs show *** instead, and delivery gets back each URL as it was. On SQLite no byte of a
    password is left in the file, even where SQLite does not zero freed space by default."""
    home = tmp_path / "home"
    monkeypatch.setenv("NASTAVNIK_HOME", str(home))
    monkeypatch.delenv("NASTAVNIK_SECRET_KEY", raising=False)
    given = {
        i: f"mailtos://login{i}:PlainSecret{i}x@smtp{i}.school.ru?from=noreply@school.ru"
        for i in range(1, 31)
    }
    given[31] = "mailto://smtp.school.ru?user=school&pass=PlainSecret31x&from=noreply@school.ru"
    given[32] = "mailto://127.0.0.1:2525?from=noreply@school.ru"  # no password
    with database_at("0002", dialect, tmp_path, request) as (url, engine):
        if dialect == "sqlite":
            # SQLite's own default; the Python here is built with secure_delete on.
            sa.event.listen(
                engine, "connect", lambda dbapi, _: dbapi.execute("PRAGMA secure_delete = OFF")
            )
            engine.dispose()  # the connections made so far had it on
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO organisation (id, name, kind, timezone, smtp_url, created_at) "
                    "VALUES (:id, :name, 'school', 'Europe/Moscow', :smtp, "
                    "'2025-08-20 09:00:00+00:00')"
                ),
                [{"id": i, "name": f"Школа № {i}", "smtp": smtp} for i, smtp in given.items()],
            )
            connection.execute(
                sa.text(
                    "INSERT INTO person (id, org_id, name, created_at) VALUES "
                    "(1, 1, 'Иванова', '2025-08-20 09:00:00+00:00')"
                )
            )

        database.upgrade(url)

        with engine.connect() as connection:
            stored = {
                org_id: (smtp, sealed)
                for org_id, smtp, sealed in connection.execute(
                    sa.text("SELECT id, smtp_url, smtp_password_encrypted FROM organisation")
                )
            }
        assert stored[1][0] == "mailtos://login1:***@smtp1.school.ru?from=noreply@school.ru"
        assert (
            stored[31][0] == "mailto://smtp.school.ru?user=school&pass=***&from=noreply@school.ru"
        )
        assert stored[32] == (given[32], None)
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT org_id, name FROM person")).all() == [
                (1, "Иванова")
            ]
        assert {i: with_passwords(*stored[i]) for i in given} == given
        assert stat.S_IMODE((home / "secret.key").stat().st_mode) == 0o600
        assert stat.S_IMODE(home.stat().st_mode) == 0o700
        monkeypatch.setenv("NASTAVNIK_DATABASE_URL", url)
        assert main(["org", "list", "--json"]) == 0
        listed = json.loads(capsys.readouterr().out)
        assert listed[0]["smtp_url"] == stored[1][0] and listed[0]["smtp_problem"] is None
        engine.dispose()  # SQLite copies its -wal file into the database file on closing
        if dialect == "sqlite":
            files = list(tmp_path.glob("old.db*"))
            assert files and not [f for f in files if b"PlainSecret" in f.read_bytes()]
        else:
            with engine.connect() as connection:
                assert "PlainSecret" not in str(
                    connection.execute(sa.text("SELECT * FROM organisation")).all()
                )

        # And back: a downgrade puts the passwords into the URLs again.
        with engine.begin() as connection:
            config = database._alembic_config(engine)
            config.attributes["connection"] = connection
            command.downgrade(config, "0002")
            assert (
                dict(connection.execute(sa.text("SELECT id, smtp_url FROM organisation")).all())
                == given
            )


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_a_program_stored_before_programs_kept_their_roadmap_works_after_the_upgrade(
    dialect: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """A database at revision 0003: a program whose stages carry only their codes, and an
    outbox row cancelled while it kept its key. Upgraded: every stage gets its catalogue
    version 1 entry (the program keeps working: shown, its stages started by their codes and
    numbers), and the cancelled row gives its key up, so the reminder can be queued again."""
    with database_at("0003", dialect, tmp_path, request) as (url, engine):
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO organisation (id, name, kind, timezone, created_at) VALUES "
                    "(1, 'Школа № 1', 'school', 'Europe/Moscow', '2025-08-20 09:00:00+00:00')"
                )
            )
            connection.execute(
                sa.text(
                    "INSERT INTO program (id, org_id, title, forms, start_date, end_date, "
                    "reminder_days, escalation_days, created_at) VALUES (1, 1, 'Программа', "
                    "'[]', '2026-09-01', '2027-05-18', '[3, 1]', 3, '2026-08-20 09:00:00+00:00')"
                )
            )
            connection.execute(
                sa.text(
                    "INSERT INTO stage (id, program_id, number, code, state, due_date) "
                    "VALUES (:n, 1, :n, :code, 'planned', '2026-09-08')"
                ),
                [{"n": d.number, "code": d.code} for d in STAGES],
            )
            connection.execute(
                sa.text(
                    "INSERT INTO person (id, org_id, name, created_at) VALUES "
                    "(1, 1, 'Куратор', '2026-08-20 09:00:00+00:00')"
                )
            )
            for row_id, status in ((1, "cancelled"), (2, "queued")):
                connection.execute(sa.text(
                    "INSERT INTO outbox (id, key, program_id, stage_id, person_id, org_id, kind, "
                    "due_date, subject, body, status, attempts, next_attempt_at, created_at) "
                    f"VALUES ({row_id}, '1/inform_teachers/0/1/reminder/{row_id}/2026-09-08', "
                    "1, 1, 1, 1, 'reminder', '2026-09-08', 'Т', 'Т', "
                    f"'{status}', 0, '2026-09-05 07:00:00+00:00', "
                    "'2026-09-05 07:00:00+00:00')"))  # fmt: skip

        database.upgrade(url)

        with engine.connect() as connection:
            keys = dict(connection.execute(sa.text("SELECT id, key FROM outbox")).all())
        assert keys == {
            1: "1/inform_teachers/0/1/reminder/1/2026-09-08~cancelled-1",
            2: "1/inform_teachers/0/1/reminder/2/2026-09-08",
        }
        with Session(engine) as db:
            view = program_view(db, 1, datetime(2026, 9, 2, 9, tzinfo=UTC))
            assert view.roadmap_version == 1 and view.stages_total == len(STAGES)
            for shown, definition in zip(view.stages, STAGES, strict=True):
                assert (shown.code, shown.title, shown.kind, shown.requires) == (
                    definition.code,
                    definition.title,
                    definition.kind.value,
                    list(definition.requires),
                )
            regular = next(s for s in view.stages if s.code == "regular_meetings")
            assert regular.who == ["pair"]
            for stage in ("inform_teachers", "2"):
                requested = request_action(
                    db, 1, stage, Action.START, actor="t",
                    now=datetime(2026, 9, 2, 9, tzinfo=UTC), requested_at=utc_now(),
                )  # fmt: skip
                assert apply_entry(db, requested.entry_id, None).to_value == "active"
            db.commit()
