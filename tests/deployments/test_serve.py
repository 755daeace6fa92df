"""`nastavnik serve`: a long-running process that registers the reminder sweep with the Prefect
API on a cron schedule and runs its scheduled runs; here against the session's Prefect server."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from prefect import get_client
from prefect.client.schemas.schedules import CronSchedule
from prefect.exceptions import ObjectNotFound

NASTAVNIK = str(Path(sys.executable).parent / "nastavnik")
DEPLOYMENT = "reminder-sweep/reminder-sweep"
CRON = "*/15 * * * *"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """The process's domain database: a SQLite file of its own (nothing here depends on the
    database's kind; the sweep itself is tested on both in tests/notifications)."""
    return f"sqlite:///{tmp_path / 'nastavnik.db'}"


def stop(process: subprocess.Popen[bytes], grace: float = 20) -> bool:
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


@pytest.fixture
def served(
    prefect_api: str, sqlite_url: str, tmp_path: Path
) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    """`nastavnik serve` running; stopped with SIGTERM (SIGKILL if it lingers) and reaped."""
    out, err = tmp_path / "serve.out", tmp_path / "serve.err"
    env = dict(
        os.environ,
        PREFECT_API_URL=prefect_api,
        NASTAVNIK_DATABASE_URL=sqlite_url,
        NASTAVNIK_HOME=str(tmp_path / "home"),
    )
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [NASTAVNIK, "serve", "--cron", CRON], env=env, stdout=stdout, stderr=stderr
        )
    try:
        yield process, out
    finally:
        stop(process)


async def test_serve_registers_the_sweep_on_its_cron_schedule(
    served: tuple[subprocess.Popen[bytes], Path],
) -> None:
    process, out = served
    async with get_client() as client:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, out.with_suffix(".err").read_text()
            try:
                deployment = await client.read_deployment_by_name(DEPLOYMENT)
                break
            except ObjectNotFound:
                assert time.monotonic() < deadline, "no deployment after 60 s"
                await asyncio.sleep(0.25)
        try:
            schedules = await client.read_deployment_schedules(deployment.id)
            assert [s.active for s in schedules] == [True]
            assert isinstance(schedules[0].schedule, CronSchedule)
            assert schedules[0].schedule.cron == CRON
            assert set(deployment.tags) >= {"nastavnik", "sweep"}
            # Said while it runs, not only when it stops.
            assert "Обход напоминаний по расписанию «*/15 * * * *»" in out.read_text()
            assert stop(process), "nastavnik serve did not stop within 20 s of SIGTERM"
        finally:
            stop(process)
            # The session's server is shared: no deployment (nor its scheduled runs) is left.
            await client.delete_deployment(deployment.id)
