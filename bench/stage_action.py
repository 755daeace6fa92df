"""Benchmark: what a stage action costs, against Prefect's own floor, measured in the same run.

1. In process: ``act_on_stage`` (check, pending audit entry, one async flow run with one task,
   apply) against a bare async Prefect flow with one async task and the same tags.
2. As a person runs it: ``nastavnik stage complete`` against a fresh process that runs the
   same bare flow once (Prefect's floor for one flow run from a new process), median of 5 each.

Runs against PREFECT_API_URL when set, else against Prefect's embedded server (the in-process
part then starts it once; each CLI call starts its own). Usage:

    .venv/bin/python bench/stage_action.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import app  # noqa: F401  (Prefect's environment, set before Prefect is imported)

os.environ["NASTAVNIK_HOME"] = tempfile.mkdtemp(prefix="nastavnik-bench-")  # never a real one
os.environ.pop("NASTAVNIK_DATABASE_URL", None)

from prefect import flow, tags, task
from prefect.cache_policies import NO_CACHE

from domain import database
from domain.organisations import add_organisation
from domain.programs import create_program
from domain.roadmap import STAGES
from domain.states import Action
from flows.actions import act_on_stage

NASTAVNIK = str(Path(sys.executable).parent / "nastavnik")
NOW = datetime(2026, 8, 25, 9, tzinfo=UTC)


@task(cache_policy=NO_CACHE, persist_result=False)
async def bare_task(entry_id: int) -> int:
    return entry_id


@flow(persist_result=False)
async def bare_flow(entry_id: int) -> int:
    return await bare_task(entry_id)


def new_program() -> int:
    with database.session() as db:
        town = add_organisation(
            db, name="Бенчмарк", kind="municipality", timezone="Europe/Moscow", now=NOW
        )
        school = add_organisation(db, name="Школа", kind="school", parent_id=town.id, now=NOW)
        return create_program(
            db, org_id=school.id, title="Бенчмарк", actor="bench", now=NOW, start=date(2026, 9, 1)
        ).id


async def in_process(rounds: int) -> tuple[float, float]:
    await bare_flow(0)  # the embedded server starts here, outside both measurements
    base, ours = [], []
    independent = [s.code for s in STAGES if not s.requires][1:]  # stages 2-4
    pairs = [(code, action) for code in independent for action in (Action.START, Action.COMPLETE)]
    program_ids = [new_program() for _ in range(rounds // len(pairs) + 1)]
    work = [(pid, code, action) for pid in program_ids for code, action in pairs]
    for i in range(rounds):
        started = time.perf_counter()
        with tags("program:0", "org:0", "stage:bench", "action:bench"):
            await bare_flow(i)
        base.append(time.perf_counter() - started)
        pid, code, action = work[i]
        started = time.perf_counter()
        await act_on_stage(pid, code, action, actor="bench")
        ours.append(time.perf_counter() - started)
    return statistics.median(base), statistics.median(ours)


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def from_the_command_line() -> tuple[float, float]:
    program_id = new_program()
    base = statistics.median(timed([sys.executable, __file__, "--bare-flow"]) for _ in range(5))
    ours = []
    for number in (1, 2, 3, 4, 5):
        subprocess.run(
            [NASTAVNIK, "stage", "start", str(program_id), str(number)],
            check=True,
            capture_output=True,
        )
        started = time.perf_counter()
        subprocess.run(
            [NASTAVNIK, "stage", "complete", str(program_id), str(number)],
            check=True,
            capture_output=True,
        )
        ours.append(time.perf_counter() - started)
    return base, statistics.median(ours)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--bare-flow", action="store_true", help="run the baseline flow once")
    arguments = parser.parse_args()
    if arguments.bare_flow:
        asyncio.run(bare_flow(0))
        return
    rounds = arguments.rounds
    server = os.environ.get("PREFECT_API_URL") or "embedded"
    print(f"Prefect API: {server}; domain database: {database.location()}")
    base, ours = asyncio.run(in_process(rounds))
    print(
        f"in process, median of {rounds}: bare one-task flow {base * 1000:.0f} ms, "
        f"act_on_stage {ours * 1000:.0f} ms, ratio {ours / base:.2f}"
    )
    base, ours = from_the_command_line()
    print(
        f"command line, median of 5: a process running the bare flow {base:.2f} s, "
        f"`nastavnik stage complete` {ours:.2f} s, ratio {ours / base:.2f}"
    )


if __name__ == "__main__":
    main()
