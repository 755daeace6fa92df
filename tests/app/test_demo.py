"""``nastavnik demo`` as a user runs it: the installed console script in its own process.

The demo is the most expensive scenario of the suite (a minute and more of flow runs), so it
runs once per database: here on PostgreSQL against the session's Prefect server, shared by the
tests that read what it left; on the embedded defaults (SQLite) in test_demo_embedded.py, a
module of its own so that the two run on different workers.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from uuid import UUID

import docx
import psycopg
import pytest
from factories import SETUP_TIME, program
from fastapi.testclient import TestClient
from postgres_server import database_url
from prefect import get_client

from app.demo import walk_plan
from app.web.main import create_app
from domain import database
from domain.programs import program_view
from domain.states import Action

NASTAVNIK = str(Path(sys.executable).parent / "nastavnik")
TRANSITIONS = {"start", "complete", "skip"}


def run(*args: str, env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [NASTAVNIK, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def user_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "NASTAVNIK_"))}
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    return env | extra


@dataclass(frozen=True)
class DemoRun:
    env: dict[str, str]
    stdout: str
    stderr: str


@pytest.fixture(scope="module")
def demo_on_postgres(
    postgres_admin_url: str, prefect_api: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoRun]:
    """One demo on a PostgreSQL database of its own, against the session's Prefect server."""
    name = f"nastavnik_demo_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    env = user_env(
        NASTAVNIK_DATABASE_URL=database_url(postgres_admin_url, name),
        NASTAVNIK_HOME=str(tmp_path_factory.mktemp("demo-home")),
        PREFECT_API_URL=prefect_api,
    )
    try:
        assert run("init", env=env).returncode == 0
        demo = run("demo", env=env)
        assert demo.returncode == 0, demo.stderr
        yield DemoRun(env, demo.stdout, demo.stderr)
    finally:
        with psycopg.connect(postgres_admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow
def test_the_demo_closes_all_34_stages_and_its_messages_reach_the_sink(
    demo_on_postgres: DemoRun,
) -> None:
    out = demo_on_postgres.stdout
    # 34 of the catalogue, one added to this program's roadmap and one dropped from it.
    assert "добавлен этап 35 «Открытый урок молодого педагога»" in out
    assert "исключён этап 2 «Информирование родителей»" in out
    assert "35. Открытый урок молодого педагога — выполнен" in out
    assert "закрыто этапов 34 из 34" in out
    assert "Попытка сразу сформировать пары отклонена" in out
    # Participants: a consent asked for and given; questionnaires answered; the databases.
    assert "Наставляемый 2 получил запрос согласия и дал его" in out
    assert "Согласие ученика 8 класса за себя не принято" in out
    assert "дал его законный представитель" in out
    assert "(наставляемого)» заполнили: Наставляемый 1\n" in out
    assert "заполнили: Наставник 1, Наставник 2" in out
    assert "demo-mentees.xlsx" in out and "demo-mentors.xlsx" in out
    assert "Наставник 1 отметил на своей странице: первая встреча прошла" in out
    # Stage 19 proposed pairs; the curator pinned one and matching went round it.
    said = " ".join(out.split())  # long lines wrap at the terminal's width
    assert "Подбор пар (наибольшая общая совместимость): " in said
    assert "Куратор закрепил пару Наставник 2 – Наставляемый 2" in said
    assert "Демо: Наставник 2 – Демо: Наставляемый 2 (2,00) закреплена" in said
    assert "Почему пара Демо: Наставник 1 – Демо: Наставляемый 1:" in said
    assert "• Запрос наставляемого и компетенции наставника: 1,00 × 3 = 3,00" in said
    assert "запросов согласия 1, о парах 4)" in said  # two mentors, two mentees told their pair
    # Invitations and reminders went out for real, to the demo's local json:// sink.
    sent = int(out.split("Сообщений отправлено: ")[1].split(" ")[0])
    assert sent > 100
    assert f"приёмник получил {sent}." in out
    for kind in ("приглашений", "напоминаний", "о просрочке", "координатору"):
        assert f"{kind} 0" not in out
    assert "Traceback" not in demo_on_postgres.stderr


@pytest.mark.slow
def test_the_demos_personal_link_opens_the_mentors_page(
    demo_on_postgres: DemoRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = re.search(
        r"как в его письмах: http://127\.0\.0\.1:8000(/p/\S+)", demo_on_postgres.stdout
    )
    assert found, demo_on_postgres.stdout
    for name in ("NASTAVNIK_DATABASE_URL", "NASTAVNIK_HOME"):  # the demo's, and its key
        monkeypatch.setenv(name, demo_on_postgres.env[name])
    page = TestClient(create_app(), base_url="http://127.0.0.1:8000").get(found[1])
    assert page.status_code == 200 and "Демо: Наставник 1" in page.text


@pytest.mark.slow
def test_the_demos_order_fixes_its_pairs_ready_to_sign(demo_on_postgres: DemoRun) -> None:
    said = " ".join(demo_on_postgres.stdout.split())
    order = r"Приказ о закреплении пар: (\S+\.docx) \(и для печати (\S+\.html)\)"
    found = re.search(order, said)
    assert found, demo_on_postgres.stdout
    docx_path, html_path = Path(found[1]), Path(found[2])
    assert docx_path.parent == Path(demo_on_postgres.env["NASTAVNIK_HOME"])
    assert docx_path.stat().st_mode & 0o777 == 0o600
    order = docx.Document(str(docx_path))
    text = "\n".join(paragraph.text for paragraph in order.paragraphs)
    assert "О закреплении наставнических пар (групп)" in text
    assert "Директор\tДемо: Руководитель" in text  # the director's position from the people
    [table] = order.tables
    rows = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    assert [(row[1].split(",")[0], row[2].split(",")[0]) for row in rows] == [
        ("Демо: Наставник 1", "Демо: Наставляемый 1"),
        ("Демо: Наставник 2", "Демо: Наставляемый 2"),
    ]
    assert {row[3] for row in rows} == {"учитель – учитель"}
    assert "Демо: Наставляемый 2" in html_path.read_text(encoding="utf-8")
    shown = json.loads(run("match", "show", "1", "--json", env=demo_on_postgres.env).stdout)
    assert shown["proposal"]["fixed_at"]


def test_after_the_demo_every_stage_of_its_program_is_done(demo_on_postgres: DemoRun) -> None:
    shown = run("program", "show", "1", "--json", env=demo_on_postgres.env)
    stages = json.loads(shown.stdout)["stages"]
    assert {stage["state"] for stage in stages} == {"done"}
    assert "inform_parents" not in {stage["code"] for stage in stages}


@pytest.mark.slow
async def test_every_transition_of_the_demo_has_a_completed_flow_run_that_prefect_knows(
    demo_on_postgres: DemoRun,
) -> None:
    history = json.loads(run("history", "1", "--json", env=demo_on_postgres.env).stdout)
    transitions = [row for row in history if row["action"] in TRANSITIONS]
    assert len(transitions) >= 34 * 2
    assert all(row["status"] == "applied" and row["flow_run_id"] for row in transitions)
    async with get_client() as client:
        for row in transitions:
            flow_run = await client.read_flow_run(UUID(row["flow_run_id"]))
            assert f"stage:{row['stage_code']}" in flow_run.tags
            assert flow_run.state is not None and flow_run.state.is_completed()

    listing = run("history", "1", env=demo_on_postgres.env)
    assert listing.returncode == 0 and transitions[-1]["flow_run_id"] in listing.stdout


def test_the_demos_plan_takes_each_stage_after_what_it_needs(database_url: str) -> None:
    """The walk the demo takes (fast: no flow runs): every stage starts after its
    prerequisites closed, closes after it started and after each of its dates, and the
    reminder sweeps come three and one days before the deadlines."""
    created = program(start=date(2026, 9, 1))
    with database.session() as db:
        view = program_view(db, created.id, SETUP_TIME)
    steps = walk_plan(view)
    assert steps == sorted(steps)
    started = {s.number: s.at for s in steps if s.action == Action.START}
    closed = {s.number: s.at for s in steps if s.action == Action.COMPLETE and s.occurrence is None}
    assert sorted(started) == sorted(closed) == list(range(1, 35))
    number = {stage.code: stage.number for stage in view.stages}
    for stage in view.stages:
        for code in stage.requires:
            assert started[stage.number] > closed[number[code]], stage.code
        assert closed[stage.number] > started[stage.number]
    sweep_days = {s.at.date() for s in steps if s.action is None}
    for stage in view.stages:
        assert {stage.due_date - timedelta(days=n) for n in (3, 1)} <= sweep_days, stage.code
