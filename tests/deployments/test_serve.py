"""`nastavnik serve`: a long-running process that registers the reminder sweep on a cron schedule
and runs the runs that a Prefect server's scheduler makes of it; they send what is due.

Prefect's embedded server and the test harness's server run no scheduler, so the scheduled
sweeps are proven against real ``prefect server start`` processes: one the administrator runs
(PREFECT_API_URL), and the one ``serve`` starts for itself without it.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import sqlalchemy as sa
from conftest import TABLES
from prefect.client.orchestration import PrefectClient
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterName
from prefect.client.schemas.schedules import CronSchedule
from sinks import HttpEndpoint, http_server

from app.cli import main
from deployments.prefect_server import LocalPrefectServer, free_port
from domain import database

NASTAVNIK = str(Path(sys.executable).parent / "nastavnik")
DEPLOYMENT = "reminder-sweep"
EVERY_MINUTE = "* * * * *"
TZ = "Europe/Moscow"


def stop(process: subprocess.Popen[bytes], grace: float = 30) -> bool:
    """SIGTERM, then SIGKILL if it lingers; reaped either way. True if SIGTERM was enough."""
    if process.poll() is not None:
        return True
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace)
        return True
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return False


def user_env(tmp: Path, database_url: str, **extra: str) -> dict[str, str]:
    """A user's environment: a home of its own, nothing of the test session's Prefect."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "NASTAVNIK_"))}
    env |= {
        "HOME": str(tmp),
        "PREFECT_HOME": str(tmp / ".prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "NASTAVNIK_DATABASE_URL": database_url,
        "NASTAVNIK_HOME": str(tmp / ".nastavnik"),
    }
    return env | extra


def a_school_with_an_overdue_stage(
    database_url: str, endpoint: HttpEndpoint, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A program that started ten days ago, so that its first stage is three days overdue; its
    curator's address is ``path`` on ``endpoint``; sending hours all day, as the test may run
    at any hour. Made with the command line, as an administrator would."""
    monkeypatch.setenv("NASTAVNIK_DATABASE_URL", database_url)
    start = datetime.now(ZoneInfo(TZ)).date() - timedelta(days=10)
    for command in (
        ["org", "add", "--name", "Округ", "--kind", "municipality", "--tz", TZ],
        ["org", "add", "--name", "Школа", "--kind", "school", "--parent", "1", "--hours", "0-24"],
        [
            "program",
            "create",
            "--org",
            "2",
            "--title",
            "Учитель – учитель",
            "--form",
            "учитель – учитель",
            "--start",
            f"{start:%d.%m.%Y}",
        ],
        ["person", "add", "--org", "2", "--name", "Куратор", "--contact", endpoint.url(path)],
        ["program", "assign", "1", "1", "--role", "curator"],
    ):
        assert main(command) == 0, command


def overdue_notices(endpoint: HttpEndpoint, path: str) -> list[str]:
    return [body["title"] for where, body in endpoint.posts if where == path]


@pytest.fixture
def postgres_database(postgres_url: str) -> str:
    with database.engine_for(postgres_url).begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    return postgres_url


@pytest.fixture
def administrators_server(tmp_path: Path) -> Iterator[LocalPrefectServer]:
    """`prefect server start` as an administrator keeps it running, in a Prefect home of its
    own (not on 4200: the other `serve` may want that one)."""
    home = tmp_path / "admin"
    env = {"PREFECT_HOME": str(home / ".prefect"), "HOME": str(home)}
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        with LocalPrefectServer(home / "prefect-server.log", port=free_port(0)) as server:
            yield server
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


async def completed_scheduled_sweeps(api_url: str) -> int:
    """Runs of the sweep's deployment (made by the scheduler, not by hand) that completed."""
    async with PrefectClient(api_url) as client:
        runs = await client.read_flow_runs(
            deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=[DEPLOYMENT]))
        )
    return sum(1 for run in runs if run.state is not None and run.state.is_completed())


@pytest.mark.slow
async def test_serve_runs_scheduled_sweeps_that_send_due_reminders_with_and_without_a_server(
    tmp_path: Path,
    postgres_database: str,
    administrators_server: LocalPrefectServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sqlite_database = f"sqlite:///{tmp_path / 'own' / 'nastavnik.db'}"
    with http_server() as endpoint:
        a_school_with_an_overdue_stage(postgres_database, endpoint, "/with-server", monkeypatch)
        a_school_with_an_overdue_stage(sqlite_database, endpoint, "/own-server", monkeypatch)
        logs = {name: tmp_path / f"{name}.out" for name in ("with", "own")}
        with logs["with"].open("wb") as out_with, logs["own"].open("wb") as out_own:
            with_server = subprocess.Popen(
                [NASTAVNIK, "serve", "--cron", EVERY_MINUTE, "--no-web"],
                env=user_env(
                    tmp_path / "with",
                    postgres_database,
                    PREFECT_API_URL=administrators_server.api_url,
                ),
                stdout=out_with,
                stderr=subprocess.STDOUT,
            )
            web_port = free_port(0)  # any: 4200 is the Prefect server's
            own_server = subprocess.Popen(
                [NASTAVNIK, "serve", "--cron", EVERY_MINUTE, "--web-port", str(web_port)],
                env=user_env(tmp_path / "own", sqlite_database),
                stdout=out_own,
                stderr=subprocess.STDOUT,
            )
        try:
            # The own server is said, with where it is, while serve runs.
            deadline = time.monotonic() + 240
            while not (
                found := re.search(r"Сервер Prefect запущен: (\S+)", logs["own"].read_text())
            ):
                assert own_server.poll() is None, logs["own"].read_text()
                assert time.monotonic() < deadline, logs["own"].read_text()
                await asyncio.sleep(0.5)
            own_url = found.group(1)
            assert own_url.startswith("http://127.0.0.1:")
            # The web pages run beside it, and the first run says how to make an account.
            while "Учётных записей ещё нет" not in logs["own"].read_text():
                assert own_server.poll() is None and time.monotonic() < deadline
                await asyncio.sleep(0.5)
            assert f"Веб-интерфейс: http://127.0.0.1:{web_port}/login" in logs["own"].read_text()
            login_page = httpx.get(f"http://127.0.0.1:{web_port}/login", timeout=10)
            assert login_page.status_code == 200 and "Вход в систему" in login_page.text

            # Each sweep ran on the minute, as a scheduled run of the deployment, and the
            # overdue notice of the first stage reached the curator, once.
            servers = {
                "/with-server": administrators_server.api_url,
                "/own-server": f"{own_url}/api",
            }
            deadline = time.monotonic() + 200
            while True:
                for process, log in ((with_server, "with"), (own_server, "own")):
                    assert process.poll() is None, logs[log].read_text()
                done = {
                    path: await completed_scheduled_sweeps(api) > 0
                    and len(overdue_notices(endpoint, path)) > 0
                    for path, api in servers.items()
                }
                if all(done.values()):
                    break
                assert time.monotonic() < deadline, (done, logs["own"].read_text())
                await asyncio.sleep(2)
            for path in servers:
                [title] = overdue_notices(endpoint, path)  # a second sweep sends it no more
                assert title.startswith("Просрочен этап «Информирование")
            # The notice carries the curator's personal link to the pages serve runs (no
            # public address was set), and it opens their page; without the pages, no link.
            texts = {where: body["message"] for where, body in endpoint.posts}
            link = re.search(rf"http://127\.0\.0\.1:{web_port}/p/\S+", texts["/own-server"])
            assert link, texts["/own-server"]
            own_page = httpx.get(link[0], timeout=10)
            assert own_page.status_code == 200 and "Куратор" in own_page.text
            assert "/p/" not in texts["/with-server"]

            async with PrefectClient(administrators_server.api_url) as client:
                [deployment] = await client.read_deployments()
                [schedule] = await client.read_deployment_schedules(deployment.id)
            assert schedule.active and isinstance(schedule.schedule, CronSchedule)
            assert schedule.schedule.cron == EVERY_MINUTE
            assert set(deployment.tags) >= {"nastavnik", "sweep"}
        finally:
            stopped = {
                name: stop(process)
                for name, process in (("with", with_server), ("own", own_server))
            }
    assert stopped == {"with": True, "own": True}, "serve did not stop within 30 s of SIGTERM"
    # The server that serve started stopped with it.
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{own_url}/api/health", timeout=2)
    said = logs["with"].read_text()
    assert f"Сервер Prefect: {administrators_server.api_url}" in said
    assert "Обход напоминаний по расписанию «* * * * *»" in said
    assert "NASTAVNIK_PUBLIC_URL не задан: личные ссылки в письмах ведут на" in (
        logs["own"].read_text()
    )
    assert "Traceback" not in said + logs["own"].read_text()


def test_a_cron_line_that_is_not_one_is_refused_before_anything_starts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for cron in ("каждый час", "61 * * * *", "* * *"):
        assert main(["serve", "--cron", cron]) == 2
        error = capsys.readouterr().err
        assert "--cron" in error and "*/15 * * * *" in error, error
    assert main(["serve", "--cron", " "]) == 2
    assert "Пустое значение «--cron»" in capsys.readouterr().err


def test_serve_against_a_prefect_server_that_does_not_answer_exits_6(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = f"http://127.0.0.1:{free_port(0)}/api"
    monkeypatch.setenv("PREFECT_API_URL", dead)
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: dead}):
        assert main(["serve", "--cron", EVERY_MINUTE]) == 6
    error = capsys.readouterr().err
    assert dead in error and "не отвечает" in error
