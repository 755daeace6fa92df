"""Prefect failing under the command line: an unreachable server is exit 6 and one Russian line
for every command that runs flows; Prefect's own tracebacks never reach the terminal (two
identical actions at once, a sweep on a database before init). As a user runs them: the
installed console script in its own process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Cli, snapshot

NASTAVNIK = str(Path(sys.executable).parent / "nastavnik")
FLOW_COMMANDS = [
    ["stage", "start", "1", "inform_teachers"],
    ["stage", "complete", "1", "inform_teachers"],
    ["stage", "skip", "1", "inform_parents", "--reason", "нет родителей"],
    ["stage", "due", "1", "inform_teachers", "2026-09-20"],
    ["reminders", "run"],
    ["demo"],
    ["serve"],
]


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [NASTAVNIK, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def add_program_one(cli: Cli) -> None:
    cli.json("org", "add", "--name", "Округ", "--kind", "municipality", "--tz", "Europe/Moscow")
    cli.json("org", "add", "--name", "Школа", "--kind", "school", "--parent", "1")
    cli.json("program", "create", "--org", "2", "--title", "Программа", "--start", "2026-09-01")


@pytest.fixture
def program_one(cli: Cli) -> None:
    add_program_one(cli)


@pytest.fixture
def sqlite_program(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> str:
    """Program 1 on a SQLite file: Prefect's reachability does not depend on the database."""
    url = f"sqlite:///{tmp_path / 'nastavnik.db'}"
    monkeypatch.setenv("NASTAVNIK_DATABASE_URL", url)
    add_program_one(Cli(capsys))
    return url


@pytest.mark.slow
@pytest.mark.parametrize("command", FLOW_COMMANDS, ids=" ".join)
def test_an_unreachable_prefect_is_exit_6_and_one_russian_line_for_every_flow_command(
    sqlite_program: str, tmp_path: Path, command: list[str]
) -> None:
    database_url = sqlite_program
    before = snapshot(database_url)
    env = dict(
        os.environ,
        PREFECT_API_URL="http://127.0.0.1:9/api",
        NASTAVNIK_DATABASE_URL=database_url,
        NASTAVNIK_HOME=str(tmp_path / "home"),
    )
    done = run(*command, env=env)
    assert done.returncode == 6, done.stdout + done.stderr
    assert done.stderr.startswith("Ошибка: Сервер Prefect http://127.0.0.1:9/api"), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert snapshot(database_url) == before


@pytest.mark.slow
def test_two_identical_actions_at_once_one_applies_the_other_is_refused_in_one_line(
    program_one: None, database_url: str, prefect_api: str, tmp_path: Path
) -> None:
    env = dict(os.environ, NASTAVNIK_DATABASE_URL=database_url, NASTAVNIK_HOME=str(tmp_path))
    both = [
        subprocess.Popen(
            [NASTAVNIK, "stage", "start", "1", "inform_teachers"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [(p.wait(timeout=300), *p.communicate()) for p in both]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 4], results
    for _, out, err in results:
        assert "Traceback" not in out + err and len(err.strip().splitlines()) <= 1, err
    [refusal] = [err for code, _, err in results if code == 4]
    # Refused by its flow run (the state changed since its check), or, when the other had
    # already applied by then, at its check: either way it names the state «идёт».
    assert any(
        said in refusal
        for said in ("состояние уже «идёт»", "изменилось одновременно", "в состоянии «идёт»")
    ), refusal


@pytest.mark.slow
def test_a_sweep_on_a_postgresql_database_before_init_says_init_in_one_line(
    postgres_admin_url: str, prefect_api: str, tmp_path: Path
) -> None:
    import uuid

    import psycopg
    from postgres_server import database_url as url_of

    name = f"nastavnik_uninit_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        env = dict(
            os.environ,
            NASTAVNIK_DATABASE_URL=url_of(postgres_admin_url, name),
            NASTAVNIK_HOME=str(tmp_path),
        )
        done = run("reminders", "run", env=env)
        assert done.returncode == 5, done.stdout + done.stderr
        assert "nastavnik init" in done.stderr and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    finally:
        with psycopg.connect(postgres_admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_wrong_expect_says_which_state_was_expected_and_which_was_found(
    program_one: None, database_url: str, prefect_api: str, tmp_path: Path
) -> None:
    env = dict(os.environ, NASTAVNIK_DATABASE_URL=database_url, NASTAVNIK_HOME=str(tmp_path))
    done = run("stage", "start", "1", "inform_teachers", "--expect", "active", env=env)
    assert done.returncode == 4, done.stdout + done.stderr
    assert "ожидало «идёт»" in done.stderr and "«запланирован»" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
