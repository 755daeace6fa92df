"""The domain database: engines, sessions and the Alembic migrations that shape it.

The embedded default is a SQLite file that is created and migrated on first use; a PostgreSQL
database is migrated only by ``nastavnik init``, never behind an administrator's back.

A database that cannot be used (a URL that is not one, a server that does not answer, a
missing database, a corrupt or read-only file) is a ``DatabaseUnavailable`` with one Russian
line saying what, where and why (domain/database_failures.py); so is any other error the
database answers with, whose details go to the log (domain/logbook.py). Every interface gets
that from here: ``session()``, ``ensure_schema`` and ``upgrade`` raise nothing else of the
database's. Where the database is, and whether its file may be written: database_urls.py.
"""

from __future__ import annotations

import errno
import functools
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, event
from sqlmodel import Session, create_engine

from domain import settings
from domain.database_failures import BUSY_TIMEOUT, CONNECT_TIMEOUT, sqlite_code, translated
from domain.database_urls import (
    SqliteFile,
    may_write,
    parse_url,
    shown,
    sqlite_file,
    where,
    why_read_only,
)
from domain.errors import DatabaseUnavailable, SchemaOutdated

MIGRATIONS = Path(__file__).parent / "migrations"


def _open_sqlite(
    file: SqliteFile, _dialect: Any, _record: Any, cargs: list[Any], cparams: dict[str, Any]
) -> sqlite3.Connection:
    """Open one connection, read-only when the URL says so or the OS will not let us write.

    Decided per connection, not per engine: the rights can change while a process lives. A
    read-only file is opened with mode=ro and never switched to WAL (that is a write). In a
    read-only folder a WAL database also needs immutable=1: SQLite cannot create the -shm file
    it reads through otherwise. immutable skips locking, which is safe only as nobody writes
    there, so it is used only when no -shm file says that somebody does.
    """
    read_only = why_read_only(file) is not None
    if read_only:
        uri = cargs[0] if cparams.get("uri") else file.path.as_uri()
        options = ["mode=ro"] if "mode=ro" not in uri else []
        shm = file.path.with_name(file.path.name + "-shm")
        if not may_write(file.path.parent) and not shm.exists() and "immutable=" not in uri:
            options.append("immutable=1")
        if options:
            uri += ("&" if "?" in uri else "?") + "&".join(options)
        cargs, cparams = [uri], {**cparams, "uri": True}
    elif not file.path.exists():
        _create_private(file.path)
    connection = sqlite3.connect(*cargs, **cparams)
    try:
        # Foreign keys are off in SQLite unless asked for; WAL lets readers and one writer
        # overlap, and the busy timeout makes a second writer wait instead of failing at once.
        connection.execute("PRAGMA foreign_keys=ON")
        if not read_only:
            try:
                connection.execute("PRAGMA journal_mode=WAL")
            except sqlite3.OperationalError as error:
                if sqlite_code(error) != sqlite3.SQLITE_READONLY:
                    raise
                # The OS refused what os.access allowed (a network share, say): stay as is.
        connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT * 1000}")
    except BaseException:
        connection.close()
        raise
    return connection


def _create_private(path: Path) -> None:
    """An empty SQLite file readable by its owner only, in a folder that is too. SQLite gives
    the -wal and -shm files it makes later the rights of the database file."""
    try:
        settings.private_folder(path.parent)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass  # another process made it first
    except OSError as error:
        raise DatabaseUnavailable(
            f"Не удалось создать файл базы данных {path}: {_os_reason(error)}"
        ) from None


def _os_reason(error: OSError) -> str:
    folder = Path(error.filename).parent if error.filename else None
    reasons = {
        errno.EACCES: f"нет права на запись в папку {folder}",
        errno.EPERM: f"нет права на запись в папку {folder}",
        errno.EROFS: "файловая система открыта только для чтения",
        errno.ENOSPC: "на диске нет места",
        errno.ENOTDIR: f"{folder} — не папка",
    }
    return reasons.get(error.errno or 0, f"ошибка ОС {errno.errorcode.get(error.errno or 0)}")


# --- Engines -------------------------------------------------------------------------------


@cache
def engine_for(url: str) -> Engine:
    parsed = parse_url(url)
    # hide_parameters: no exception text carries a statement's values (a password, a name).
    file = sqlite_file(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            parsed, hide_parameters=True, connect_args={"check_same_thread": False}
        )
        if file is not None:
            event.listen(engine, "do_connect", lambda *args: _open_sqlite(file, *args))
        else:
            event.listen(engine, "connect", _on_memory_connect)
        return engine
    timeout = {} if "connect_timeout" in parsed.query else {"connect_timeout": CONNECT_TIMEOUT}
    return create_engine(parsed, hide_parameters=True, pool_pre_ping=True, connect_args=timeout)


def _on_memory_connect(connection: Any, _record: Any) -> None:
    connection.execute("PRAGMA foreign_keys=ON")


def _alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # configparser reads "%" as interpolation: a password with "@" (%40) or a socket directory
    # (?host=%2Ftmp...) in the URL would be a syntax error.
    url = engine.url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision(engine: Engine) -> str | None:
    return _head_of_migrations()


@functools.cache
def _head_of_migrations() -> str | None:
    """The newest migration, read from the migration files once a process: they do not change
    while it runs, and every first use of a database asks."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


# --- Schema --------------------------------------------------------------------------------


def upgrade(url: str | None = None) -> Path | str:
    """Create or upgrade the schema to the newest migration; returns where the database is."""
    url = url or settings.database_url()
    engine = engine_for(url)
    file = sqlite_file(url)
    with translated(url):
        if file is not None:
            _refuse_read_only(file, engine)
        with engine.connect() as connection:
            if file is not None:
                # SQLite alters a table by copying it; its foreign keys must be off meanwhile
                # (they cannot be switched inside a transaction) and are checked at the end.
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                connection.commit()  # SQLAlchemy's own bookkeeping: the driver began nothing
            try:
                with connection.begin():
                    config = _alembic_config(engine)
                    config.attributes["connection"] = connection
                    command.upgrade(config, "head")
                    if file is not None:
                        _check_foreign_keys(connection)
            finally:
                if file is not None:
                    connection.rollback()  # nothing is left to undo: ends a failed begin()
                    connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                    connection.commit()
    _checked.add(url)
    return file.path if file else shown(engine.url)


def _check_foreign_keys(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        tables = ", ".join(sorted({str(row[0]) for row in broken}))
        raise RuntimeError(f"the migration left rows without their parents in {tables}")


def _refuse_read_only(file: SqliteFile, engine: Engine) -> None:
    """A file that cannot be created or written is refused before Alembic tries."""
    why = why_read_only(file)
    if why is None:
        return
    path = file.path
    if not path.exists():
        if file.url_read_only:
            raise DatabaseUnavailable(
                f"Файла базы данных {path} нет, а NASTAVNIK_DATABASE_URL открывает его только "
                "для чтения (mode=ro): создать его нельзя"
            )
        raise DatabaseUnavailable(
            f"Не удалось создать файл базы данных {path}: папка {path.parent} закрыта для записи"
        )
    current = current_revision(engine) == head_revision(engine)
    state = "Схема в нём новейшая: читать можно, менять нельзя" if current else "Схему не обновить"
    raise DatabaseUnavailable(f"Файл базы данных {path} открыт только для чтения — {why}. {state}")


_checked: set[str] = set()


def ensure_schema(url: str) -> None:
    """On first use in a process: migrate the embedded SQLite file, or refuse an old schema."""
    if url in _checked:
        return
    file = sqlite_file(url)
    engine = engine_for(url)
    with translated(url):
        if file is not None and not file.path.exists():
            upgrade(url)
            return
        if current_revision(engine) != head_revision(engine):
            if file is None:
                raise SchemaOutdated(
                    "Схема базы данных не создана или устарела. Выполните: nastavnik init"
                )
            why = why_read_only(file)
            if why is not None:
                raise SchemaOutdated(
                    f"Файл базы данных {file.path} создан прежней версией Наставника или пуст, "
                    f"а обновить его нельзя: {why}. Откройте его для записи и выполните: "
                    "nastavnik init"
                )
            upgrade(url)
    _checked.add(url)


def location() -> str:
    """Where the domain database is, for people: a file path or a URL without its password."""
    return where(settings.database_url())


@contextmanager
def session() -> Iterator[Session]:
    """A session on the configured database; commits on success, rolls back on error."""
    url = settings.database_url()
    ensure_schema(url)
    with translated(url), Session(engine_for(url), expire_on_commit=False) as db:
        try:
            yield db
            db.commit()
        except BaseException:
            db.rollback()
            raise
