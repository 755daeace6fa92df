"""Shared test harness: one Prefect test server for the session, the domain database on SQLite
and on PostgreSQL (see postgres_server.py for which server), and a snapshot of every table."""

from __future__ import annotations

import contextlib
import inspect
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import app  # noqa: F401  (Prefect's environment, as the command line sets it)

os.environ["NASTAVNIK_ACTOR"] = "test-curator"

import postgres_server
import psycopg
import pytest
import sqlalchemy as sa
from prefect.context import _temporary_global_settings_context, get_settings_context
from prefect.events.worker import EventsWorker
from prefect.logging.handlers import APILogWorker
from prefect.server.api.server import SubprocessASGIServer
from prefect.settings import (
    PREFECT_API_URL,
    PREFECT_SERVER_DATABASE_CONNECTION_URL,
    temporary_settings,
)
from prefect.utilities.asyncutils import run_coro_as_sync
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

import domain.models  # noqa: F401  (registers every table on SQLModel.metadata)
from app.cli import main
from domain import database

# Every domain table, children first (the order TRUNCATE and snapshots use).
TABLES = [table.name for table in reversed(SQLModel.metadata.sorted_tables)]


@pytest.fixture(scope="session")
def prefect_api(postgres_admin_url: str) -> Iterator[str]:
    """A Prefect server of its own for the whole session, on a PostgreSQL database of its own.

    Not on SQLite, as Prefect's test harness has it: there about one API write in eight meets
    SQLITE_BUSY_SNAPSHOT (WAL) and the client retries it after 2 s, which made a flow-heavy
    test a third slower (measured). The embedded SQLite server is what the demo test on the
    embedded defaults runs on.
    """
    name = f"prefect_test_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = (
        make_url(postgres_admin_url)
        .set(drivername="postgresql+asyncpg", database=name)
        .render_as_string(hide_password=False)
    )
    with temporary_settings({PREFECT_SERVER_DATABASE_CONNECTION_URL: url}):
        server = SubprocessASGIServer(port=postgres_server.free_port())
        # Prefect code that asks for "the" subprocess server gets this one, not a second.
        SubprocessASGIServer._instances[None] = server
        server.start(timeout=120)
    try:
        # As Prefect's own harness: code in a context copied earlier sees this server too.
        with (
            temporary_settings({PREFECT_API_URL: server.api_url}),
            _temporary_global_settings_context(get_settings_context()),
        ):
            os.environ["PREFECT_API_URL"] = server.api_url  # for nastavnik subprocesses
            yield server.api_url
            # Logs and events still queued go out now, not at exit to a stopped server.
            run_coro_as_sync(_drain_prefect_workers())
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        server.stop()
        SubprocessASGIServer._instances.pop(None, None)
        with psycopg.connect(postgres_admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _drain_prefect_workers() -> None:
    with contextlib.suppress(RuntimeError):  # the log worker never started
        drained = APILogWorker.instance().drain()
        if inspect.isawaitable(drained):
            await drained
    drained = EventsWorker.drain_all()
    if inspect.isawaitable(drained):
        await drained


def pytest_report_header(config: pytest.Config) -> str:
    return postgres_server.choice().describe()


POSTGRES_FIXTURES = {"postgres_url", "postgres_admin_url", "postgres_database"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark what runs on PostgreSQL (the database fixture's postgresql case, or a test that asks
    for the server itself), so that the fast loop can leave it out. The session's Prefect
    server keeps its own data in PostgreSQL too; that does not count."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("database_url") == "postgresql"
        asks = isinstance(item, pytest.Function) and POSTGRES_FIXTURES & set(
            inspect.signature(item.function).parameters
        )
        if on_postgres or asks:
            item.add_marker(pytest.mark.postgresql)


@pytest.fixture(scope="session")
def postgres_admin_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A URL psycopg connects to with the right to create databases, on the session's server.
    No server to be had is one error, for the first test that needs it, and ends the run as -x
    does: never a skip, nor an error per test. (pytest.exit from a fixture's setup crashes in
    the teardown of the test's tmp_path.)"""
    try:
        with postgres_server.admin_url() as url:
            yield url
    except postgres_server.Unavailable as error:
        request.session.shouldfail = "stopping: no PostgreSQL server for the tests"
        raise pytest.fail.Exception(str(error), pytrace=False) from None


@pytest.fixture(scope="session")
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database for this session, migrated to the newest schema."""
    name = f"nastavnik_test_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = postgres_server.database_url(postgres_admin_url, name)
    database.upgrade(url)
    yield url
    database.engine_for(url).dispose()
    with psycopg.connect(postgres_admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """The domain database a test runs on: a new SQLite file, or the session's PostgreSQL
    database emptied. Set as NASTAVNIK_DATABASE_URL, as a user would."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'nastavnik.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
        with database.engine_for(url).begin() as connection:
            connection.execute(sa.text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    monkeypatch.setenv("NASTAVNIK_DATABASE_URL", url)
    monkeypatch.setenv("NASTAVNIK_HOME", str(tmp_path / "home"))
    return url


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every domain table, to prove that a refused command changed nothing."""
    engine = database.engine_for(url)
    with engine.connect() as connection:
        return {
            table: sorted(
                tuple(str(value) for value in row)
                for row in connection.execute(sa.text(f"SELECT * FROM {table}"))
            )
            for table in TABLES
        }


class Cli:
    """The command line in this process, as a person would type it; keeps what it printed."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys
        self.out = self.err = ""

    def __call__(self, *args: str) -> int:
        self.capsys.readouterr()
        code = main(list(args))
        self.out, self.err = self.capsys.readouterr()
        return code

    def json(self, *args: str) -> Any:
        assert self(*args, "--json") == 0, self.err
        return json.loads(self.out)

    def ok(self, *args: str) -> str:
        """What a command that must succeed printed, its white space folded."""
        assert self(*args) == 0, self.err
        return " ".join(self.out.split())


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], database_url: str) -> Cli:
    return Cli(capsys)
