"""Failures of the domain database, in one Russian line each: what, where and why.

A server that does not answer, a missing database, a login refused, a corrupt, read-only, busy
or full SQLite file; anything else the database answers with goes to the log
(domain/logbook.py) with the line saying where. PostgreSQL is asked why it refused rather than
its message read: libpq words it in the server's language.
"""

from __future__ import annotations

import errno
import getpass
import os
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import URL, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool
from sqlmodel import create_engine

from domain import logbook
from domain.database_urls import SqliteFile, parse_url, shown, sqlite_file, where, why_read_only
from domain.errors import DatabaseUnavailable, NastavnikError

CONNECT_TIMEOUT = 10  # seconds; libpq would otherwise wait for a silent host for minutes
BUSY_TIMEOUT = 10  # seconds a SQLite writer waits for another one
LIBPQ_SOCKETS = ("/var/run/postgresql", "/tmp")  # where libpq looks when a URL names no host


@contextmanager
def translated(url: str) -> Iterator[None]:
    """Turn what the database or its driver raises into one Russian line (see the module)."""
    try:
        yield
    except NastavnikError:
        raise
    except (DBAPIError, sqlite3.Error) as error:
        # "from None": the driver's text (PostgreSQL's DETAIL quotes rows) stays out of any
        # traceback that a caller, Prefect for one, might log; the log has it, made safe.
        raise explain(url, error) from None


def explain(url: str, error: DBAPIError | sqlite3.Error) -> DatabaseUnavailable:
    driver_error = error.orig if isinstance(error, DBAPIError) else error
    place = where(url)
    file = sqlite_file(url)
    if file is not None and isinstance(driver_error, sqlite3.Error):
        known = _sqlite_failure(file, driver_error)
        if known is not None:
            return known
    if (
        parse_url(url).get_backend_name() == "postgresql"
        and type(driver_error).__name__ == "OperationalError"
        and getattr(driver_error, "sqlstate", None) is None
    ):
        # No SQLSTATE: libpq could not connect, or lost the connection. Its text depends on
        # the server's language, so ask the server instead of reading it.
        known = _postgres_failure(parse_url(url), error)
        if known is not None:
            return known
    return DatabaseUnavailable(
        f"База данных {place} ответила ошибкой; изменения не сохранены, "
        + _logged(f"The domain database {place} answered with an error", error)
    )


def _logged(what: str, error: BaseException) -> str:
    """Log the error; the end of a Russian sentence saying where its details are."""
    path = logbook.log_failure(what, error)
    if path is None:
        return f"а записать подробности в журнал {logbook.log_path()} не удалось"
    return f"подробности — в журнале {path}"


def _sqlite_failure(file: SqliteFile, error: sqlite3.Error) -> DatabaseUnavailable | None:
    code = sqlite_code(error)
    path = file.path
    if code in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT):
        return DatabaseUnavailable(
            f"Файл базы данных {path} повреждён или не является базой SQLite: восстановите его "
            "из резервной копии или укажите другой файл в NASTAVNIK_DATABASE_URL"
        )
    if code == sqlite3.SQLITE_READONLY:
        why = why_read_only(file) or "система не даёт в него писать"
        return DatabaseUnavailable(
            f"Файл базы данных {path} открыт только для чтения — {why}. Изменения не сохранены"
        )
    if code == sqlite3.SQLITE_CANTOPEN:
        if not path.parent.is_dir():
            why = f"папки {path.parent} нет"
        elif not path.exists():
            why = "файла нет"
        else:
            why = why_read_only(file) or "нет права на чтение"
        return DatabaseUnavailable(f"Не удаётся открыть файл базы данных {path}: {why}")
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return DatabaseUnavailable(
            f"Файл базы данных {path} занят другой командой дольше {BUSY_TIMEOUT} с: "
            "изменения не сохранены, повторите команду позже"
        )
    if code == sqlite3.SQLITE_FULL:
        return DatabaseUnavailable(
            f"На диске с файлом базы данных {path} нет места: изменения не сохранены"
        )
    return None


def _postgres_failure(parsed: URL, error: BaseException) -> DatabaseUnavailable | None:
    """Why a PostgreSQL server refused or dropped the connection, asked of the server itself:
    does it answer, does the database exist, may this user log in at all."""
    host, port = parsed.host, parsed.port or 5432
    server = f"{host}:{port}" if host else f"(локальный сокет, порт {port})"
    user = parsed.username or getpass.getuser()  # libpq's default, as for the login
    folder_or_host = parsed.query.get("host", host)  # a Unix socket's folder in ?host=
    if not isinstance(folder_or_host, str):
        folder_or_host = None  # several: leave it to the person
    where = shown(parsed)
    silent = _server_silent(parsed)
    if silent is not None:
        return DatabaseUnavailable(
            f"Сервер PostgreSQL {server} не отвечает ({silent}): проверьте, что он запущен и "
            f"принимает подключения по адресу {where} (NASTAVNIK_DATABASE_URL)"
        )
    name = parsed.database or user
    exists = _database_exists(parsed, name)
    if exists is False:
        createdb = " ".join(
            ["createdb"]
            + ([f"-h {folder_or_host}"] if folder_or_host else [])
            + ([f"-p {parsed.port}"] if parsed.port else [])
            + ([f"-U {parsed.username}"] if parsed.username else [])
            + [name]
        )
        return DatabaseUnavailable(
            f"Базы данных «{name}» нет на сервере PostgreSQL {server}: создайте её "
            f"({createdb}), затем выполните: nastavnik init"
        )
    details = _logged(f"Cannot connect to the domain database {where}", error)
    if exists is None:
        return DatabaseUnavailable(
            f"Сервер PostgreSQL {server} не впустил пользователя «{user}»: "
            "проверьте имя пользователя и пароль в NASTAVNIK_DATABASE_URL и правила входа "
            f"сервера (pg_hba.conf); {details}"
        )
    return DatabaseUnavailable(
        f"Сервер PostgreSQL {server} не дал подключиться к базе «{name}» пользователю "
        f"«{user}» (нет права CONNECT, или связь оборвалась); {details}"
    )


def _server_silent(parsed: URL) -> str | None:
    """Why nothing answers at the URL's address, in Russian: its TCP port, or its Unix socket
    (a folder in ?host= or the host part, else libpq's default folders). None when something
    answers, or when the URL lists several hosts (the login check then tells)."""
    host = parsed.query.get("host", parsed.host)
    port = parsed.port or 5432
    if not isinstance(host, str | None) or (host and "," in host):
        return None
    if host and not host.startswith("/"):
        try:
            with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT):
                return None
        except socket.gaierror:
            return f"имя «{host}» не найдено"
        except TimeoutError:
            return f"нет ответа за {CONNECT_TIMEOUT} с"
        except ConnectionRefusedError:
            return "на этом порту никто не принимает подключения"
        except OSError as error:
            return f"сеть недоступна: {errno.errorcode.get(error.errno or 0, 'ошибка ОС')}"
    if host is None and os.environ.get("PGHOST"):
        return None  # libpq goes where PGHOST says
    sockets = [Path(folder) / f".s.PGSQL.{port}" for folder in ([host] if host else LIBPQ_SOCKETS)]
    for path in sockets:
        if path.exists():
            try:
                with socket.socket(socket.AF_UNIX) as probe:
                    probe.settimeout(CONNECT_TIMEOUT)
                    probe.connect(str(path))
                return None
            except OSError:
                return f"сокет {path} не принимает подключения"
    return f"нет сокета {' и '.join(str(path) for path in sockets)}"


def _database_exists(parsed: URL, name: str) -> bool | None:
    """Whether the server lists the database, asked through a maintenance database with the
    same login; None when that login is refused everywhere."""
    for maintenance in ("postgres", "template1"):
        if maintenance == name:
            continue
        probe = create_engine(
            parsed.set(database=maintenance),
            poolclass=NullPool,
            hide_parameters=True,
            connect_args={"connect_timeout": CONNECT_TIMEOUT},
        )
        try:
            with probe.connect() as connection:
                found = connection.execute(
                    text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
                ).first()
                return found is not None
        except DBAPIError:
            continue
        finally:
            probe.dispose()
    return None


def sqlite_code(error: sqlite3.Error) -> int:
    """The primary result code of a SQLite error (its extended code names a variant)."""
    return int(getattr(error, "sqlite_errorcode", -1)) & 0xFF
