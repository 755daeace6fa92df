"""The log of failures a person is told about in one line: ``$NASTAVNIK_HOME/nastavnik.log``.

The command line never prints a traceback; it says what failed and that the details are here.
The file is the owner's alone (0600, in a 0700 folder) and holds no personal data: a database
driver's message is reduced to what names no value (SQLAlchemy statements carry placeholders
only, as every engine hides its parameters; PostgreSQL's DETAIL, "Key (name)=(...)" or
"Failing row contains (...)", is left out).
"""

from __future__ import annotations

import os
import traceback
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.exc import StatementError

from domain import settings

LOG_NAME = "nastavnik.log"


def log_path() -> Path:
    return settings.home() / LOG_NAME


def log_failure(what: str, error: BaseException) -> Path | None:
    """Append ``what`` (English, no personal data) and the traceback of ``error`` and of the
    errors it came from to the log; returns the log's path, or None when it cannot be written
    (the caller says so instead of naming it)."""
    path = log_path()
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    entry = f"{stamp} pid {os.getpid()}: {what}\n{format_error(error)}\n"
    try:
        settings.private_folder(path.parent)
        # Created owner-only; an existing file keeps the rights its owner gave it.
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as log:
            log.write(entry)
    except OSError:
        return None
    return path


def format_error(error: BaseException) -> str:
    """A traceback as Python prints it, the oldest error first, each error's message made safe
    by ``describe``."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        if current.__cause__ is not None or current.__suppress_context__:
            current = current.__cause__
        else:
            current = current.__context__
    parts = []
    for earlier, failure in enumerate(reversed(chain)):
        if earlier:
            parts.append("\nThe above exception led to the following one:\n\n")
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_tb(failure.__traceback__))
        kind = type(failure)
        parts.append(f"{kind.__module__}.{kind.__qualname__}: {describe(failure)}\n")
    return "".join(parts)


def describe(error: BaseException) -> str:
    """The message of ``error`` without the values a database driver may quote in it."""
    if isinstance(error, StatementError):
        # str() would repeat the driver's message (logged on its own, as the cause).
        return f"[SQL: {error.statement}]" if error.statement else "(while connecting)"
    sqlstate = getattr(error, "sqlstate", None)
    diag = getattr(error, "diag", None)
    if type(error).__module__.startswith("psycopg") and sqlstate and diag is not None:
        # The primary message names tables and constraints; a data exception (class 22)
        # quotes the value it could not take, so only its code is kept.
        primary = "" if sqlstate.startswith("22") else f" {diag.message_primary}"
        names = [
            f"{name}={value}"
            for name in ("schema_name", "table_name", "column_name", "constraint_name")
            if (value := getattr(diag, name, None))
        ]
        return f"SQLSTATE {sqlstate}:{primary} {' '.join(names)}".rstrip()
    return str(error)
