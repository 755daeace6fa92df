"""A broken environment is an answer, not a crash: a corrupt or read-only SQLite file, a URL that
names no usable database, a server that refuses. Each gives one Russian line on stderr and exit
7 (5 for a schema that is old and cannot be upgraded), changes nothing, and lets no secret out."""

from __future__ import annotations

import hashlib
import os
import pwd
import re
import shutil
import sqlite3
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, closing, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import postgres_server
import psycopg
import pytest
import sqlalchemy as sa
from alembic import command
from conftest import Cli, snapshot
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from domain import database
from notifications.outbox import enqueue_due

UNAVAILABLE, OUTDATED = 7, 5
SECRET = "Пароль-42"  # a password nobody may read in the output or in the log
# What a driver or a traceback would print; none of it may reach a person.
FOREIGN = (
    "traceback",
    "sqlalchemy",
    "psycopg",
    "sqlite3",
    "error",
    "failed",
    "does not exist",
    "refused",
    "readonly",
    "not a database",
    "malformed",
    "unable to open",
)

READS = [
    (("org", "list"), "Школа № 1"),
    (("program", "list"), "Наставничество педагогов"),
    (("program", "show", "1"), "Информирование педагогов"),
    (("history", "1"), "создать программу"),
    (("outbox", "list"), "просрочка"),
    (("person", "list"), "Петрова Анна"),
]
WRITES = [
    ("org", "add", "--name", "Школа № 2", "--kind", "school", "--tz", "Europe/Moscow"),
    ("person", "add", "--org", "1", "--name", "Сидоров Иван", "--contact", "mailto://s@school.ru"),
]


def assert_answered(cli: Cli, code: int, expected: int, *fragments: str) -> str:
    """One Russian line on stderr with the expected exit code, and nothing foreign."""
    assert code == expected, (code, cli.out, cli.err)
    lines = cli.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Ошибка: "), cli.err
    assert re.search("[а-яё]{4}", lines[0]), cli.err
    # Paths are names (a test's temporary folder may be called anything), not driver text.
    printed = re.sub(r"/\S+", "", cli.out + cli.err).lower()
    assert not [word for word in FOREIGN if word in printed], cli.err
    assert SECRET not in cli.out + cli.err
    for fragment in fragments:
        assert fragment in lines[0], cli.err
    return lines[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- A corrupt file ------------------------------------------------------------------------


@pytest.mark.parametrize("damage", ["random bytes", "truncated"])
def test_a_corrupt_file_is_named_as_such_by_every_command(
    damage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = Cli(capsys)
    path = tmp_path / "nastavnik.db"
    url = f"sqlite:///{path}"
    monkeypatch.setenv("NASTAVNIK_DATABASE_URL", url)
    monkeypatch.setenv("NASTAVNIK_HOME", str(tmp_path / "home"))
    if damage == "random bytes":
        path.write_bytes(os.urandom(64 * 1024))
    else:
        populate(cli)
        database.engine_for(url).dispose()  # as a new process would find it: no journal open
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    before = digest(path)

    for args in [("org", "list"), ("program", "list"), *WRITES, ("init",)]:
        assert_answered(cli, cli(*args), UNAVAILABLE, str(path), "повреждён")

    assert digest(path) == before


# --- A read-only file ----------------------------------------------------------------------


NOBODY = pwd.getpwnam("nobody")


@contextmanager
def refused_writing() -> Iterator[None]:
    """Run as a user that the kernel refuses to write: root writes a file whatever its mode
    bits say (chmod 0444 stops everyone else), so as root the command runs with the effective
    user and group of `nobody`, who owns the file; the kernel checks the effective ids. This is
    the real refusal a service user meets, in this process; a read-only mount or chattr +i
    would need privileges that containers seldom grant. Another user is refused as itself."""
    if os.geteuid() != 0:
        yield
        return
    groups = os.getgroups()
    os.setgroups([])
    os.setegid(NOBODY.pw_gid)
    os.seteuid(NOBODY.pw_uid)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)
        os.setgroups(groups)


@dataclass
class ReadOnly:
    path: Path  # the database file
    refused: Callable[[], AbstractContextManager[None]]  # the rights commands run with

    def run(self, cli: Cli, *args: str) -> int:
        with self.refused():
            return cli(*args)


@pytest.fixture
def area() -> Iterator[Path]:
    """A folder that `nobody` can reach, when the tests run as root: pytest's tmp_path is 0700."""
    folder = Path(tempfile.mkdtemp(prefix="nastavnik-ro-"))
    os.chmod(folder, 0o755)
    yield folder
    for inner in [folder, *folder.rglob("*")]:
        if inner.is_dir():
            os.chmod(inner, 0o755)  # not root: rmtree needs to write the folders
    shutil.rmtree(folder)


def make_read_only(how: str, area: Path, monkeypatch: pytest.MonkeyPatch) -> ReadOnly:
    """The database in ``area``/data made read-only in one of three ways: by the URL
    (file:...?mode=ro&uri=true, which a user may configure), by the file's mode (0444), or by
    its folder's (0555: SQLite cannot write its journal beside the file)."""
    folder = area / "data"
    path = folder / "nastavnik.db"
    url = f"sqlite:///{path}"
    database.engine_for(url).dispose()  # no connection opened with write access survives
    if how == "url":
        monkeypatch.setenv("NASTAVNIK_DATABASE_URL", f"sqlite:///file:{path}?mode=ro&uri=true")
        return ReadOnly(path, nullcontext)
    if os.geteuid() == 0:
        for owned in (area / "home", folder, path):
            if owned.exists():
                os.chown(owned, NOBODY.pw_uid, NOBODY.pw_gid)
    if how == "file":
        os.chmod(path, 0o444)
    else:
        os.chmod(folder, 0o555)
    return ReadOnly(path, refused_writing)


def populate(cli: Cli) -> None:
    """A school, a person on a program, and a notice in the outbox: something for every read."""
    cli.ok("org", "add", "--name", "Школа № 1", "--kind", "school", "--tz", "Europe/Moscow")
    cli.ok("person", "add", "--org", "1", "--name", "Петрова Анна", "--contact", "mailto://p@s.ru")
    cli.ok(
        "program", "create", "--org", "1", "--title", "Наставничество педагогов",
        "--start", "01.09.2026", "--curator", "1",
    )  # fmt: skip
    # The sweep's first step, without Prefect: the overdue notice of the first stage.
    with database.session() as db:
        assert enqueue_due(db, datetime(2026, 9, 9, 10, tzinfo=UTC)) > 0


@pytest.mark.parametrize("journal", ["wal", "delete"])
@pytest.mark.parametrize("how", ["url", "file", "folder"])
def test_a_read_only_file_is_read_and_not_written(
    how: str,
    journal: str,
    area: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Nastavnik keeps its file in WAL mode; a copy may be in SQLite's default rollback mode,
    which cannot be switched to WAL without writing."""
    cli = Cli(capsys)
    path = area / "data" / "nastavnik.db"
    url = f"sqlite:///{path}"
    monkeypatch.setenv("NASTAVNIK_DATABASE_URL", url)
    monkeypatch.setenv("NASTAVNIK_HOME", str(area / "home"))
    populate(cli)
    before = snapshot(url)
    database.engine_for(url).dispose()
    if journal == "delete":
        with closing(sqlite3.connect(path)) as copy:
            assert copy.execute("PRAGMA journal_mode=DELETE").fetchone() == ("delete",)
    database_file = make_read_only(how, area, monkeypatch)
    unchanged = digest(path)

    for args, shown in READS:
        assert database_file.run(cli, *args) == 0, cli.err
        assert shown in cli.out, (args, cli.out)
        assert cli.err == ""
    for args in WRITES:
        code = database_file.run(cli, *args)
        assert_answered(cli, code, UNAVAILABLE, str(path), "только для чтения")
    code = database_file.run(cli, "init")
    assert_answered(cli, code, UNAVAILABLE, str(path), "Схема в нём новейшая")

    assert digest(path) == unchanged
    assert snapshot(url) == before


@pytest.mark.parametrize("how", ["url", "file", "folder"])
def test_an_outdated_read_only_file_is_refused_not_migrated(
    how: str, area: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """First use migrates an outdated file; a read-only one is refused instead, and unchanged."""
    cli = Cli(capsys)
    path = area / "data" / "nastavnik.db"
    url = f"sqlite:///{path}"
    monkeypatch.setenv("NASTAVNIK_HOME", str(area / "home"))
    engine = database.engine_for(url)
    with engine.begin() as connection:
        config = database._alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    monkeypatch.setenv("NASTAVNIK_DATABASE_URL", url)
    database_file = make_read_only(how, area, monkeypatch)
    before = digest(path)

    code = database_file.run(cli, "org", "list")
    assert_answered(cli, code, OUTDATED, str(path), "прежней версией", "nastavnik init")
    code = database_file.run(cli, "init")
    assert_answered(cli, code, UNAVAILABLE, str(path), "Схему не обновить")

    assert digest(path) == before
    assert database.current_revision(database.engine_for(url)) == "0001"


def test_no_file_is_created_in_a_read_only_folder(
    area: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = Cli(capsys)
    home = area / "home"
    home.mkdir()
    os.chmod(home, 0o555)
    if os.geteuid() == 0:
        os.chown(home, NOBODY.pw_uid, NOBODY.pw_gid)
    monkeypatch.delenv("NASTAVNIK_DATABASE_URL", raising=False)
    monkeypatch.setenv("NASTAVNIK_HOME", str(home))

    for args in [("org", "list"), *WRITES, ("init",)]:
        with refused_writing():
            code = cli(*args)
        assert_answered(cli, code, UNAVAILABLE, str(home / "nastavnik.db"), "закрыта для записи")
    assert list(home.iterdir()) == []


# --- URLs and servers ----------------------------------------------------------------------


def url_cases() -> list[tuple[str, str]]:
    port = postgres_server.free_port()  # nothing listens there
    return [
        ("foo", "не адрес базы данных"),
        (f"postgresql://nastavnik:{SECRET}@localhost:notaport/db", "порт должен быть числом"),
        (f"mysql://nastavnik:{SECRET}@localhost/db", "только с SQLite и PostgreSQL"),
        (f"mongodb://nastavnik:{SECRET}@localhost/db", "только с SQLite и PostgreSQL"),
        (f"postgresql://postgres:{SECRET}@127.0.0.1:{port}/db", f"127.0.0.1:{port} не отвечает"),
        ("postgresql://postgres@/db?host=/nonexistent/folder", "нет сокета /nonexistent/folder"),
    ]


@pytest.mark.parametrize(
    ("url", "expected"),
    url_cases(),
    ids=["not a URL", "port not a number", "mysql", "mongodb", "nothing listens", "no socket"],
)
def test_a_url_that_names_no_usable_database(
    url: str,
    expected: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cli = Cli(capsys)
    monkeypatch.setenv("NASTAVNIK_DATABASE_URL", url)
    monkeypatch.setenv("NASTAVNIK_HOME", str(tmp_path / "home"))
    for args in [("org", "list"), *WRITES, ("init",)]:
        assert_answered(cli, cli(*args), UNAVAILABLE, expected)
    assert not (tmp_path / "home" / "nastavnik.db").exists()  # no fallback to the default file


def test_a_database_missing_on_a_live_server_is_named_with_how_to_create_it(
    postgres_admin_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cli = Cli(capsys)
    name = "nastavnik_test_no_such_db"
    url = postgres_server.database_url(postgres_admin_url, name)
    monkeypatch.setenv("NASTAVNIK_DATABASE_URL", url)
    monkeypatch.setenv("NASTAVNIK_HOME", str(tmp_path / "home"))
    for args in [("org", "list"), *WRITES, ("init",)]:
        assert_answered(cli, cli(*args), UNAVAILABLE, f"«{name}» нет", "createdb", "nastavnik init")
    with psycopg.connect(postgres_admin_url) as admin:
        found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    assert found is None


def test_a_user_unknown_to_the_server_cannot_log_in(
    postgres_admin_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cli = Cli(capsys)
    url = make_url(postgres_server.database_url(postgres_admin_url, "postgres")).set(
        username="nastavnik_no_such_role", password=SECRET
    )
    monkeypatch.setenv("NASTAVNIK_DATABASE_URL", url.render_as_string(hide_password=False))
    monkeypatch.setenv("NASTAVNIK_HOME", str(tmp_path / "home"))
    for args in [("org", "list"), ("init",)]:
        line = assert_answered(cli, cli(*args), UNAVAILABLE, "«nastavnik_no_such_role»")
        log = tmp_path / "home" / "nastavnik.log"
        assert str(log) in line
    assert SECRET not in log.read_text()


# --- Secrets and rights --------------------------------------------------------------------


def test_a_write_the_database_rejects_leaks_no_value_to_output_or_log(
    cli: Cli, database_url: str, tmp_path: Path
) -> None:
    """The database refuses a row that carries a mail password and a person's name (a trigger on
    SQLite, a CHECK on PostgreSQL, whose message would quote the whole failing row)."""
    cli.ok("org", "list")  # the SQLite file exists and is migrated
    engine = database.engine_for(database_url)
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(
                sa.text(
                    "CREATE TRIGGER refuse BEFORE INSERT ON organisation "
                    "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
                )
            )
        else:
            connection.execute(
                sa.text("ALTER TABLE organisation ADD CONSTRAINT refuse CHECK (smtp_url IS NULL)")
            )
    before = snapshot(database_url)
    try:
        code = cli(
            "org", "add", "--name", "Школа Секретовой", "--kind", "school",
            "--tz", "Europe/Moscow",
            "--smtp", f"mailtos://login:{SECRET}@smtp.school.ru?from=noreply@school.ru",
        )  # fmt: skip
        home = tmp_path / "home"
        log = home / "nastavnik.log"
        assert_answered(cli, code, UNAVAILABLE, "ответила ошибкой", str(log))
        assert "Секретовой" not in cli.out + cli.err
        written = log.read_text()
        assert "INSERT INTO organisation" in written  # the details are there...
        assert SECRET not in written and "Секретовой" not in written  # ...and no value
        assert stat.S_IMODE(log.stat().st_mode) == 0o600
        assert stat.S_IMODE(home.stat().st_mode) == 0o700
        assert snapshot(database_url) == before
    finally:
        if engine.dialect.name == "postgresql":
            with engine.begin() as connection:
                connection.execute(sa.text("ALTER TABLE organisation DROP CONSTRAINT refuse"))


def test_no_database_error_quotes_the_values_of_its_statement(database_url: str) -> None:
    """Every engine hides statement parameters: an error that escapes to any log (Prefect's)
    names the statement, never the values."""
    database.upgrade(database_url)
    insert = sa.text(
        "INSERT INTO organisation (id, name, kind, timezone, smtp_url, created_at) "
        "VALUES (1, 'Школа', 'school', 'Europe/Moscow', :smtp, '2026-09-01 09:00:00+00:00')"
    )
    with database.engine_for(database_url).begin() as connection:
        connection.execute(insert, {"smtp": "mailto://first@school.ru"})
    with pytest.raises(DBAPIError) as raised, database.engine_for(database_url).begin() as again:
        again.execute(insert, {"smtp": f"mailtos://login:{SECRET}@smtp.school.ru"})
    assert "INSERT INTO organisation" in str(raised.value)
    assert SECRET not in str(raised.value)


def test_a_fresh_home_is_its_owners_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home" / "nested"
    monkeypatch.delenv("NASTAVNIK_DATABASE_URL", raising=False)
    monkeypatch.setenv("NASTAVNIK_HOME", str(home))
    Cli(capsys).ok("org", "add", "--name", "Школа № 1", "--kind", "school", "--tz", "Europe/Moscow")

    files = [home / name for name in ("nastavnik.db", "nastavnik.db-wal", "nastavnik.db-shm")]
    # The command's connection is still pooled in this process: its -wal and -shm are there.
    assert {path.name: stat.S_IMODE(path.stat().st_mode) for path in files} == {
        path.name: 0o600 for path in files
    }
    for folder in (home, home.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
