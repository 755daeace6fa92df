"""Where the domain database is: NASTAVNIK_DATABASE_URL checked, and the SQLite file it
names, with whether this process may write it. Nothing here connects to a database."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sqlalchemy import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.util import asbool

from domain.errors import DatabaseUnavailable

SUPPORTED = "sqlite:///путь/к/файлу.db или postgresql://пользователь@сервер:порт/база"


def masked(text_url: str) -> str:
    """A string that failed to parse as a URL, its password (if any) starred out."""
    shown = text_url.replace("postgresql+psycopg://", "postgresql://", 1)
    return re.sub(r"(://[^/:@]*:)[^/@]*@", r"\1***@", shown)


def parse_url(url: str) -> URL:
    """The URL, or a Russian refusal: not a URL, or a database Nastavnik does not work with."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as error:
        # make_url raises ValueError for a port that is not a number, ArgumentError otherwise.
        why = ", порт должен быть числом" if isinstance(error, ValueError) else ""
        raise DatabaseUnavailable(
            f"NASTAVNIK_DATABASE_URL — не адрес базы данных: «{masked(url)}»{why}. "
            f"Ожидается {SUPPORTED}"
        ) from None
    backend, _, driver = parsed.drivername.partition("+")
    if backend not in ("sqlite", "postgresql"):
        raise DatabaseUnavailable(
            f"NASTAVNIK_DATABASE_URL указывает на базу «{backend}» ({shown(parsed)}), а "
            f"Наставник работает только с SQLite и PostgreSQL: {SUPPORTED}"
        )
    if backend == "postgresql" and not driver:
        return parsed.set(drivername="postgresql+psycopg")  # the driver Nastavnik installs
    if driver not in ("", "pysqlite", "psycopg"):
        raise DatabaseUnavailable(
            f"Драйвер «{driver}» в NASTAVNIK_DATABASE_URL ({shown(parsed)}) не поддерживается: "
            f"укажите адрес без драйвера, {SUPPORTED}"
        )
    return parsed


def shown(parsed: URL) -> str:
    """The URL as a person wrote it, without its password."""
    # unquote: a socket folder in ?host= reads as /run/postgresql, not %2Frun%2Fpostgresql.
    shown = unquote(parsed.render_as_string(hide_password=True))
    return shown.replace("postgresql+psycopg://", "postgresql://", 1)


def where(url: str) -> str:
    """The database for people: a SQLite file's path, or a URL without its password."""
    file = sqlite_file(url)
    return str(file.path) if file else shown(parse_url(url))


@dataclass(frozen=True)
class SqliteFile:
    path: Path
    url_read_only: bool  # the URL opens it read-only: file:...?mode=ro (or immutable=1)&uri=true


def sqlite_file(url: str) -> SqliteFile | None:
    """The file of a SQLite URL, plain (sqlite:///path) or a SQLite URI (sqlite:///file:path?
    mode=ro&uri=true); None for any other database and for an in-memory one."""
    parsed = parse_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    options = {key: str(value) for key, value in parsed.query.items()}
    if asbool(options.get("uri", False)) and database.startswith("file:"):
        if options.get("mode") == "memory":
            return None
        read_only = options.get("mode") == "ro" or asbool(options.get("immutable", False))
        return SqliteFile(Path(os.path.abspath(unquote(urlsplit(database).path))), read_only)
    return SqliteFile(Path(os.path.abspath(database)), False)


def may_write(path: Path) -> bool:
    # The effective user's rights, as the kernel will check them: os.access asks for the real
    # user's by default, which differ under seteuid (and tests run that way as root).
    effective = os.access in os.supports_effective_ids
    return os.access(path, os.W_OK, effective_ids=effective)


def why_read_only(file: SqliteFile) -> str | None:
    """Why this process cannot write the file, in Russian; None when it can."""
    if file.url_read_only:
        return "так задано в NASTAVNIK_DATABASE_URL (mode=ro)"
    if file.path.exists() and not may_write(file.path):
        return "у этого пользователя нет права на запись в файл"
    folder = file.path.parent
    if folder.exists() and not may_write(folder):
        # SQLite writes its journal (-wal, -shm) beside the file: no writing without them.
        return f"папка {folder} закрыта для записи, а SQLite пишет рядом с базой свои файлы"
    return None
