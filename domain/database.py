"""The domain database: engines, sessions and the Alembic migrations that shape it.

The embedded default is a SQLite file that is created and migrated on first use; a PostgreSQL
database is migrated only by ``nastavnik init``, never behind an administrator's back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, event
from sqlmodel import Session, create_engine

from domain import settings
from domain.errors import SchemaOutdated

MIGRATIONS = Path(__file__).parent / "migrations"


def _on_sqlite_connect(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    # Foreign keys are off in SQLite unless asked for; WAL lets readers and one writer overlap,
    # and the busy timeout makes a second writer wait instead of failing at once.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


@cache
def engine_for(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _on_sqlite_connect)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # configparser reads "%" as interpolation: a password with "@" (%40) or a socket directory
    # (?host=%2Ftmp...) in the URL would be a syntax error.
    url = engine.url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(_alembic_config(engine)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(url: str | None = None) -> Path | str:
    """Create or upgrade the schema to the newest migration; returns where the database is."""
    url = url or settings.database_url()
    engine = engine_for(url)
    sqlite_file = _sqlite_path(url)
    if sqlite_file is not None:
        sqlite_file.parent.mkdir(parents=True, exist_ok=True)
    with engine.begin() as connection:
        config = _alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    _checked.add(url)
    return sqlite_file or engine.url.render_as_string(hide_password=True)


def _sqlite_path(url: str) -> Path | None:
    prefix = "sqlite:///"
    if url.startswith(prefix) and url != prefix + ":memory:":
        return Path(url[len(prefix) :])
    return None


_checked: set[str] = set()


def ensure_schema(url: str) -> None:
    """On first use in a process: migrate the embedded SQLite file, or refuse an old schema."""
    if url in _checked:
        return
    sqlite_file = _sqlite_path(url)
    if sqlite_file is not None and not sqlite_file.exists():
        upgrade(url)
        return
    engine = engine_for(url)
    if current_revision(engine) != head_revision(engine):
        if sqlite_file is None:
            raise SchemaOutdated(
                "Схема базы данных не создана или устарела. Выполните: nastavnik init"
            )
        upgrade(url)
    _checked.add(url)


def location() -> str:
    """Where the domain database is, for people: a file path or a URL without its password."""
    url = settings.database_url()
    path = _sqlite_path(url)
    return str(path) if path else engine_for(url).url.render_as_string(hide_password=True)


@contextmanager
def session() -> Iterator[Session]:
    """A session on the configured database; commits on success, rolls back on error."""
    url = settings.database_url()
    ensure_schema(url)
    with Session(engine_for(url), expire_on_commit=False) as db:
        try:
            yield db
            db.commit()
        except BaseException:
            db.rollback()
            raise
