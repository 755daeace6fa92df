"""``nastavnik demo`` as a user runs it: the installed console script in its own process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from uuid import UUID

import pytest
from prefect import get_client

NASTAVNIK = str(Path(sys.executable).parent / "nastavnik")
TRANSITIONS = {"start", "complete", "skip"}


def run(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [NASTAVNIK, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def user_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "NASTAVNIK_"))}
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    return env | extra


async def test_demo_walks_all_34_stages_and_every_transition_has_a_known_flow_run(
    database_url: str, prefect_api: str, tmp_path: Path
) -> None:
    env = user_env(
        NASTAVNIK_DATABASE_URL=database_url,
        NASTAVNIK_HOME=str(tmp_path / "home"),
        PREFECT_API_URL=prefect_api,
    )
    demo = run("demo", env=env)
    assert demo.returncode == 0, demo.stderr
    assert "закрыто этапов 34 из 34" in demo.stdout
    assert "Попытка сразу сформировать пары отклонена" in demo.stdout
    # Invitations and reminders went out for real, to the demo's local json:// sink.
    sent = int(demo.stdout.split("Сообщений отправлено: ")[1].split(" ")[0])
    assert sent > 100
    assert f"приёмник получил {sent}." in demo.stdout
    for kind in ("приглашений", "напоминаний", "о просрочке", "координатору"):
        assert f"{kind} 0" not in demo.stdout

    shown = run("program", "show", "1", "--json", env=env)
    assert {stage["state"] for stage in json.loads(shown.stdout)["stages"]} == {"done"}

    history = json.loads(run("history", "1", "--json", env=env).stdout)
    transitions = [row for row in history if row["action"] in TRANSITIONS]
    assert len(transitions) >= 34 * 2
    assert all(row["status"] == "applied" and row["flow_run_id"] for row in transitions)
    async with get_client() as client:
        for row in transitions:
            flow_run = await client.read_flow_run(UUID(row["flow_run_id"]))
            assert f"stage:{row['stage_code']}" in flow_run.tags
            assert flow_run.state is not None and flow_run.state.is_completed()

    listing = run("history", "1", env=env)
    assert listing.returncode == 0 and transitions[-1]["flow_run_id"] in listing.stdout


@pytest.mark.slow
def test_demo_runs_on_the_embedded_defaults(tmp_path: Path) -> None:
    """The README's first command: no server, no database configured, nothing but a home."""
    env = user_env(HOME=str(tmp_path), PREFECT_HOME=str(tmp_path / ".prefect"))
    demo = run("demo", env=env, timeout=600)
    assert demo.returncode == 0, demo.stderr
    assert "закрыто этапов 34 из 34" in demo.stdout
    assert "из них API Prefect знает 83" in demo.stdout
    database_file = tmp_path / ".nastavnik" / "nastavnik.db"
    assert database_file.exists()
    assert str(database_file) in demo.stdout
    assert "Traceback" not in demo.stderr
