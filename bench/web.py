"""Benchmark: the web pages over real HTTP, each against a floor measured in the same run.

A Prefect server (``prefect server start``) and the web application (uvicorn in a process of
its own, app.web.main.create_app as ``nastavnik serve`` serves it) run on free ports of
127.0.0.1, over a new SQLite database, secret key and Prefect home in a temporary folder that
is removed at the end; both servers are stopped at the end, on Ctrl+C and on errors too.

1. Stage actions: 20 curators, each of their own school, sign in through the sign-in form
   (its CSRF token; their own httpx client and cookies) and walk their program's roadmap at
   the same time, each as fast as the server answers: start stage 1, complete it, start stage
   2, ... (``--stages``; in roadmap order, so that the rules accept every one; each program
   has a curator and 3 consented mentors and 3 mentees, whom a start invites). Timed: each
   POST of the stage's form until its 303, whose message must be «Готово» (a refusal or a
   failure is counted and left out of the figures). Baseline: a bare async Prefect flow
   with one async task (tagged as actions are), run as many times by as many concurrent
   asyncio tasks against the same server. The two alternate in ``--rounds`` rounds, ABBA,
   so that both meet the same background load; the Prefect server is let go quiet (its
   services record the events of the runs before) ahead of each. Aim: the action's p50 at
   most 1.5 times the bare flow's.
2. The roadmap page: the database grown to 2,000 programs (bulk-inserted, every row with every
   column of its model, in the schema the migrations made: each program with its 34 stages,
   a curator, 5 mentors and 5 mentees with consents, its first stages done as far as a random
   point), then GET /programs/{id} for 200 programs picked at random, one at a time, by a
   signed-in administrator. Baseline: GET /login, the server's floor (a template and a
   cookie), in turn with them by blocks of 10. Aim: the page's p95 under 100 ms.

Besides the latencies it prints the CPU milliseconds each side costs per run, by process (the
Prefect server, the web server, this process) and what all other processes on the machine
took meanwhile: the latencies of a 2-core machine shared with other work say as much about
that work as about ours; the CPU ratio much less. Runs that fail under the load (Prefect's
server giving up, RUN_LIMIT passed) are counted and reported, as the system's; the exit code
is 0 whether the aims are met or not, and 1 only if the benchmark itself is wrong: an action
refused that no failure of the same curator explains, a database that does not hold what the
accepted actions did, or nothing that succeeded. ``--prefect-postgres`` keeps the Prefect
server's database on PostgreSQL instead of SQLite. Usage:

    .venv/bin/python bench/web.py [--curators 20] [--stages 2] [--rounds 2] \
        [--programs 2000] [--pages 200] [--prefect-postgres postgresql://...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import app  # noqa: F401  (Prefect's environment, set before Prefect is imported)
from deployments.prefect_server import LocalPrefectServer, free_port

os.environ["NASTAVNIK_HOME"] = tempfile.mkdtemp(prefix="nastavnik-bench-")  # never a real one
os.environ.pop("NASTAVNIK_DATABASE_URL", None)
os.environ.pop("NASTAVNIK_SECRET_KEY", None)
os.environ["PREFECT_HOME"] = os.path.join(os.environ["NASTAVNIK_HOME"], "prefect")
os.environ["PREFECT_API_URL"] = f"http://127.0.0.1:{free_port(0)}/api"  # started by main()

# isort: split

import httpx
import psycopg
import sqlalchemy as sa
from prefect import flow, tags, task
from prefect.cache_policies import NO_CACHE
from sqlalchemy import Engine
from sqlmodel import SQLModel

from app.web import flash
from domain import database, secrets, settings
from domain.accounts import add_account
from domain.consents import give_consent
from domain.models import (
    AuditEntry,
    Consent,
    Contact,
    EntryStatus,
    Organisation,
    Person,
    Program,
    ProgramRole,
    Stage,
    StageOccurrence,
)
from domain.organisations import add_organisation
from domain.people import add_person, assign
from domain.program_roadmap import stage_columns
from domain.programs import create_program, program_stages
from domain.roadmap import STAGES, Role, current_catalogue
from domain.schedule import due_date, occurrence_dates
from domain.states import StageState

FOLDER = Path(os.environ["NASTAVNIK_HOME"])
HOST = "127.0.0.1"
SETUP_TIME = datetime(2026, 8, 20, 9, tzinfo=UTC)
START = date(2026, 9, 1)
PASSWORD = "Пароль-бенчмарка-2026"
ACCEPTED = "Готово"  # the message of an accepted stage action
# The stages a program walks start-complete in roadmap order with no date to mark: 1 to 23
# (24, regular meetings, is completed date by date).
WALKABLE = [s.code for s in STAGES if s.number <= 23]
ACTION_AIM = 1.5  # the action's p50 against the bare flow's, at most
PAGE_AIM_MS = 100.0  # the roadmap page's p95, under
ACTION_PEOPLE = 3  # mentors and as many mentees in each acting curator's program
PAGE_PEOPLE = 5  # in each program of the grown database
PROGRAMS_PER_SCHOOL = 10  # in the grown database
SEED = 20261010
WEB_STARTUP = 60.0  # seconds
QUIET_LIMIT = 60.0  # seconds to wait for the Prefect server to go quiet
RUN_LIMIT = 300.0  # seconds an action or a bare flow run may take before it counts as failed
BLOCK = 10  # pages, then as many sign-in pages, in turn
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


# --- figures --------------------------------------------------------------------------------------


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def figures(values: list[float]) -> str:
    """p50 and p95 in milliseconds, and how many."""
    if len(values) < 2:
        return f"n={len(values)}"
    return (
        f"p50 {statistics.median(values) * 1000:.0f} ms, "
        f"p95 {percentile(values, 95) * 1000:.0f} ms (n={len(values)})"
    )


# --- the servers ----------------------------------------------------------------------------------


def _process_group_ticks(group: int) -> int:
    """CPU ticks used so far by the live processes of a process group (Linux /proc)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == group:  # pgrp; utime and stime are fields 14 and 15
                ticks += int(fields[11]) + int(fields[12])
    return ticks


def _busy_ticks() -> int:
    """CPU ticks the whole machine has spent busy (not idle, not waiting for disk)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(fields) - fields[3] - fields[4]


@dataclass
class Phase:
    """One side of part 1, over all its rounds: the latencies of what was accepted, what was
    refused or failed, and the wall-clock and CPU seconds (by process) of its concurrent parts."""

    latencies: list[float] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    cascaded: list[str] = field(default_factory=list)  # refused after a failure
    seconds: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)

    def runs(self) -> int:
        return len(self.latencies) + len(self.refused) + len(self.failed) + len(self.cascaded)

    def cpu_ours(self) -> float:
        """CPU seconds per run of the Prefect server, the web server and this process."""
        spent = sum(seconds for name, seconds in self.cpu.items() if name != "machine")
        return spent / max(self.runs(), 1)

    def cpu_per_run(self) -> str:
        """CPU milliseconds per run: by process, and of the other processes on the machine."""
        spent = {name: seconds * 1000 / max(self.runs(), 1) for name, seconds in self.cpu.items()}
        machine = spent.pop("machine", 0.0)
        spent["other processes"] = max(0.0, machine - sum(spent.values()))
        return ", ".join(f"{name} {ms:.0f}" for name, ms in spent.items())


@dataclass
class CpuMeter:
    """CPU seconds of the Prefect server and the web server (each a process group of its own),
    of this process, and of the whole machine (with --prefect-postgres, the PostgreSQL server
    is among the other processes: its backends come and go)."""

    prefect: int
    web: int

    def now(self) -> dict[str, float]:
        hertz = os.sysconf("SC_CLK_TCK")
        mine = os.times()
        return {
            "Prefect server": _process_group_ticks(self.prefect) / hertz,
            "web server": _process_group_ticks(self.web) / hertz,
            "this process": mine.user + mine.system,
            "machine": _busy_ticks() / hertz,
        }

    @contextmanager
    def measuring(self, phase: Phase) -> Iterator[None]:
        before, started = self.now(), time.perf_counter()
        yield
        phase.seconds += time.perf_counter() - started
        for name, seconds in self.now().items():
            phase.cpu[name] = phase.cpu.get(name, 0.0) + seconds - before[name]


def wait_quiet(group: int) -> float:
    """Wait until the process group has used under 5% of a CPU for two seconds running (the
    Prefect server recording the events of earlier runs), at most QUIET_LIMIT seconds; how
    long it waited."""
    hertz = os.sysconf("SC_CLK_TCK")
    started = time.monotonic()
    calm = 0
    before = _process_group_ticks(group)
    while calm < 2 and time.monotonic() - started < QUIET_LIMIT:
        time.sleep(1)
        now = _process_group_ticks(group)
        calm = calm + 1 if now - before < 0.05 * hertz else 0
        before = now
    return time.monotonic() - started


@contextmanager
def web_server(port: int, log: Path) -> Iterator[tuple[str, int]]:
    """The web application served by uvicorn in a process of its own, as `nastavnik serve`
    configures it (app.web.main.create_app, log level warning); its base URL and process id
    (also its process group's)."""
    command = [sys.executable, "-m", "uvicorn", "app.web.main:create_app", "--factory"]
    command += ["--host", HOST, "--port", str(port), "--log-level", "warning"]
    with log.open("ab") as sink:
        process = subprocess.Popen(
            command,
            cwd=Path(__file__).resolve().parent.parent,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl+C reaches us; we stop it
        )
    url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + WEB_STARTUP
        while True:
            if process.poll() is not None:
                raise SystemExit(f"the web server exited ({process.returncode}): {tail(log)}")
            with suppress(httpx.HTTPError):
                if httpx.get(f"{url}/login", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise SystemExit(f"the web server did not answer in {WEB_STARTUP:.0f} s")
            time.sleep(0.2)
        yield url, process.pid
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@contextmanager
def prefect_database(server_url: str | None) -> Iterator[str]:
    """Where the Prefect server keeps its database: SQLite in its home (Prefect's default, and
    what `nastavnik serve` starts), or a new database on the PostgreSQL server ``server_url``
    (a URL to connect to for CREATE/DROP DATABASE), dropped at the end. Says which."""
    if server_url is None:
        yield f"SQLite in {os.environ['PREFECT_HOME']}"
        return
    admin_url = server_url.replace("postgresql+psycopg://", "postgresql://", 1)
    if not admin_url.startswith(("postgresql://", "postgres://")):
        raise SystemExit("--prefect-postgres: a postgresql:// URL of a server")
    name = f"nastavnik_bench_prefect_{os.getpid()}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = admin_url.split("?", 1)[0].rsplit("/", 1)[0].split("://", 1)[1]
    os.environ["PREFECT_API_DATABASE_CONNECTION_URL"] = f"postgresql+asyncpg://{base}/{name}"
    try:
        yield f"PostgreSQL, database {name} (dropped at the end)"
    finally:
        os.environ.pop("PREFECT_API_DATABASE_CONNECTION_URL", None)
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def tail(log: Path, lines: int = 20) -> str:
    with suppress(OSError):
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    return ""


# --- a browser ------------------------------------------------------------------------------------


def http_client(url: str, timeout: float) -> httpx.AsyncClient:
    """An HTTP client of one person. It lets a kept-alive connection go after 2 s idle, before
    uvicorn closes it (after 5 s): a request sent on a connection as the server closes it
    fails, and a POST is not to be sent twice."""
    limits = httpx.Limits(keepalive_expiry=2.0)
    return httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits)


@dataclass
class Browser:
    """One person's httpx client with cookies of its own. The application's cookies are
    Secure, which the standard cookie jar sends over HTTPS only (a browser sends them to
    localhost too): so they are kept here and sent by hand."""

    client: httpx.AsyncClient
    cookies: dict[str, str] = field(default_factory=dict)

    async def request(self, method: str, path: str, **given: Any) -> httpx.Response:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        response = await self.client.request(method, path, headers=headers, **given)
        for line in response.headers.get_list("set-cookie"):
            cookie: SimpleCookie = SimpleCookie()
            cookie.load(line)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or not morsel.value.strip('"'):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        self.client.cookies.clear()  # httpx's own jar: never sent over http, not wanted
        return response

    async def sign_in(self, login: str) -> None:
        page = await self.request("GET", "/login")
        token = CSRF.search(page.text)
        assert token, "no CSRF token on the sign-in page"
        answer = await self.request(
            "POST", "/login", data={"login": login, "password": PASSWORD, "csrf": token[1]}
        )
        if answer.status_code != 303 or answer.headers.get("location") != "/programs":
            raise SystemExit(f"{login} could not sign in: {answer.status_code} {answer.text[:200]}")

    async def csrf(self, program_id: int) -> str:
        page = await self.request("GET", f"/programs/{program_id}")
        token = CSRF.search(page.text)
        assert page.status_code == 200 and token, f"program {program_id}: {page.status_code}"
        return token[1]


def said(browser: Browser, response: httpx.Response) -> str | None:
    """The message of a stage action's redirect, or None if it was no redirect: in the sealed
    cookie that carries it to the next page (app/web/flash.py; this process has the key), which
    the page would then forget, or else in the address."""
    if response.status_code != 303:
        return None
    sealed = browser.cookies.pop(flash.COOKIE, None)
    if sealed:
        return str(json.loads(secrets.unseal(sealed, flash.LIFETIME))["message"])
    query = parse_qs(urlsplit(response.headers.get("location", "")).query)
    return query.get("message", [""])[0]


# --- part 1: stage actions ------------------------------------------------------------------------


@task(cache_policy=NO_CACHE, persist_result=False)
async def bare_task(number: int) -> int:
    return number


@flow(persist_result=False)
async def bare_flow(number: int) -> int:
    return await bare_task(number)


@dataclass
class Curator:
    login: str
    program_id: int
    accepted: list[tuple[str, str]] = field(default_factory=list)  # (stage, action)
    failed: bool = False  # an action of theirs failed


def schools_with_programs(count: int) -> tuple[list[Curator], int]:
    """A municipality with ``count`` schools, each with a program, its curator (a person and
    an account) and its mentors and mentees, made by the domain's own functions; and a
    school with a program for the warm-up (its id). Also the administrator."""
    secrets.ensure_key()  # as `nastavnik init` does: the key that seals the sessions
    curators = []
    with database.session() as db:
        town = add_organisation(
            db, name="Бенчмарк-округ", kind="municipality", timezone="Europe/Moscow",
            now=SETUP_TIME,
        )  # fmt: skip
        add_account(db, login="admin", role="administrator", password=PASSWORD, now=SETUP_TIME)
        for number in range(count + 1):  # school 0: the warm-up
            school = add_organisation(
                db, name=f"Школа № {number}", kind="school", parent_id=town.id, now=SETUP_TIME
            )
            curator = add_person(
                db, org_id=school.id, name=f"Куратор {number}",
                contacts=[f"json://{HOST}:9/curator{number}"], now=SETUP_TIME,
            )  # fmt: skip
            program = create_program(
                db, org_id=school.id, title=f"Программа {number}", forms=["teacher_teacher"],
                start=START, curator=curator.id, actor="bench", now=SETUP_TIME,
            )  # fmt: skip
            for role in (Role.MENTOR, Role.MENTEE) * ACTION_PEOPLE:
                person = add_person(
                    db, org_id=school.id, name=f"{role.value} {number}",
                    contacts=[f"json://{HOST}:9/{role.value}{number}"], now=SETUP_TIME,
                )  # fmt: skip
                assign(db, program_id=program.id, person_id=person.id, role=role.value)
                give_consent(
                    db, person_id=person.id, kind="processing", given_by_id=None,
                    given_on=SETUP_TIME.date(), document=None, actor="bench", now=SETUP_TIME,
                )  # fmt: skip
            if number == 0:
                warm_up = program.id
                continue
            login = f"curator{number:02d}"
            add_account(
                db, login=login, role="curator", password=PASSWORD, now=SETUP_TIME,
                org_id=school.id,
            )  # fmt: skip
            curators.append(Curator(login, program.id))
    return curators, warm_up


def walk(stages: int) -> list[tuple[str, str]]:
    return [(code, action) for code in WALKABLE[:stages] for action in ("start", "complete")]


class Refused(Exception):
    """An action the roadmap's rules refused: its message."""


class Failed(Exception):
    """An action that did not run: an HTTP error, or Prefect failing (the page says so)."""


async def act(browser: Browser, program_id: int, csrf: str, code: str, action: str) -> float:
    """One stage action as the form posts it; its latency, or Refused or Failed."""
    started = time.perf_counter()
    response = await browser.request(
        "POST", f"/programs/{program_id}/stages/{code}/{action}", data={"csrf": csrf}
    )
    elapsed = time.perf_counter() - started
    message = said(browser, response)
    if message is None:
        raise Failed(f"{code} {action}: HTTP {response.status_code} {response.text[:200]}")
    if message != ACCEPTED:
        failed = "Prefect" in message or "прервано" in message or "журнал" in message
        raise (Failed if failed else Refused)(f"{code} {action}: {message}")
    return elapsed


def in_rounds(steps: list[tuple[str, str]], rounds: int) -> list[list[tuple[str, str]]]:
    """The steps in ``rounds`` consecutive parts, as equal as they can be."""
    rounds = min(rounds, len(steps))
    size, extra = divmod(len(steps), rounds)
    parts, start = [], 0
    for number in range(rounds):
        end = start + size + (number < extra)
        parts.append(steps[start:end])
        start = end
    return parts


async def stage_actions(
    url: str, curators: list[Curator], steps: list[tuple[str, str]], rounds: int, warm_up: int,
    quiet: Callable[[], float], meter: CpuMeter,
) -> tuple[Phase, Phase, float]:  # fmt: skip
    """Part 1. Warm up: the administrator's first actions (the first imports Prefect in the
    web server) and two bare flow runs here. Sign every curator in and read their program's
    page (its CSRF token). Then, in ``rounds`` rounds, alternately first and second: every
    curator takes the round's steps of their walk at the same time, one after another, and
    as many concurrent workers run the bare flow as many times; the Prefect server is let go
    quiet before each. Returns the bare flow's phase, the actions' and the seconds waited."""
    bare, actions = Phase(), Phase()
    waited = 0.0
    clients = [http_client(url, RUN_LIMIT) for _ in range(len(curators) + 1)]
    try:
        admin, *people = (Browser(client) for client in clients)
        await admin.sign_in("admin")
        token = await admin.csrf(warm_up)
        for code, action in steps[:4]:  # a failure here shows in the measured phases
            with suppress(Failed, Refused):
                await act(admin, warm_up, token, code, action)
        for number in range(2):
            with suppress(Exception):
                await asyncio.wait_for(bare_flow(number), RUN_LIMIT)
        tokens = []
        for browser, curator in zip(people, curators, strict=True):
            await browser.sign_in(curator.login)
            tokens.append(await browser.csrf(curator.program_id))

        async def curator_steps(number: int, part: list[tuple[str, str]]) -> None:
            browser, curator, csrf = people[number], curators[number], tokens[number]
            for code, action in part:
                try:
                    actions.latencies.append(
                        await act(browser, curator.program_id, csrf, code, action)
                    )
                    curator.accepted.append((code, action))
                except Refused as refusal:  # after a failure of theirs, the walk's order breaks
                    (actions.cascaded if curator.failed else actions.refused).append(str(refusal))
                except (Failed, httpx.HTTPError) as failure:
                    http = isinstance(failure, httpx.HTTPError)
                    actions.failed.append(
                        f"{code} {action}: {type(failure).__name__}" if http else str(failure)
                    )
                    curator.failed = True

        async def bare_runs(number: int, part: list[tuple[str, str]]) -> None:
            for _ in part:
                started = time.perf_counter()
                try:
                    with tags(f"program:{number}", "org:0", "stage:bench", "action:bench"):
                        await asyncio.wait_for(bare_flow(number), RUN_LIMIT)
                except Exception as failure:  # Prefect's server gave up: counted, not timed
                    bare.failed.append(f"{type(failure).__name__}: {str(failure)[:200]}")
                    continue
                bare.latencies.append(time.perf_counter() - started)

        for number, part in enumerate(in_rounds(steps, rounds)):
            sides = [(bare, bare_runs), (actions, curator_steps)]
            for phase, side in sides if number % 2 == 0 else reversed(sides):
                waited += await asyncio.to_thread(quiet)
                with meter.measuring(phase):
                    await asyncio.gather(*(side(n, part) for n in range(len(curators))))
    finally:
        for client in clients:
            await client.aclose()
    return bare, actions, waited


def check_walked(curators: list[Curator]) -> list[str]:
    """What the database holds after the walk, against the actions that were accepted: the
    stages completed are done, those only started active, and one applied audit entry each."""
    problems = []
    with database.session() as db:
        for curator in curators:
            states = {s.code: s.state for s in program_stages(db, curator.program_id)}
            expected = {code: StageState.ACTIVE.value for code, _ in curator.accepted}
            expected |= {c: StageState.DONE.value for c, a in curator.accepted if a == "complete"}
            wrong = [code for code, state in expected.items() if states[code] != state]
            if wrong:
                problems.append(f"program {curator.program_id}: wrong state of {', '.join(wrong)}")
            applied = db.execute(
                sa.select(sa.func.count()).where(
                    AuditEntry.program_id == curator.program_id,  # type: ignore[arg-type]
                    AuditEntry.status == EntryStatus.APPLIED.value,  # type: ignore[arg-type]
                    AuditEntry.action != "create",  # type: ignore[arg-type]
                )
            ).scalar_one()
            if applied != len(curator.accepted):
                problems.append(
                    f"program {curator.program_id}: {applied} applied actions in its audit log, "
                    f"{len(curator.accepted)} accepted"
                )
    return problems


# --- part 2: the roadmap page on a grown database -------------------------------------------------


def grow(engine: Engine, total: int, rng: random.Random) -> int:
    """Bulk-insert programs (with explicit ids, after those there are) until the database
    holds ``total``: in new schools of a new municipality, 10 to a school, each with its
    roadmap (34 stages and the dates of the two recurring ones), a curator, 5 mentors and 5
    mentees with their addresses and consents, stages done as far as a random point up to 23
    and the next one active, and the audit entries of all that. Every row has every column of
    its model, the model's defaults where not given. Returns how many it made."""
    tables: dict[str, type[SQLModel]] = {
        "organisation": Organisation,
        "program": Program,
        "stage": Stage,
        "stage_occurrence": StageOccurrence,
        "person": Person,
        "contact": Contact,
        "program_role": ProgramRole,
        "consent": Consent,
        "audit_entry": AuditEntry,
    }
    with engine.connect() as connection:
        ids = {
            name: connection.execute(
                sa.select(sa.func.coalesce(sa.func.max(model.__table__.c.id), 0))  # type: ignore[attr-defined]
            ).scalar_one()
            for name, model in tables.items()
        }
    making = total - ids["program"]
    if making <= 0:
        return 0
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in tables}
    defaults = {name: model().model_dump() for name, model in tables.items()}

    def add(table: str, **values: Any) -> int:
        ids[table] += 1
        rows[table].append({**defaults[table], **values, "id": ids[table]})
        return int(ids[table])

    version, catalogue = current_catalogue()
    columns = {definition.code: stage_columns(definition) for definition in catalogue}
    end = due_date(START, max(s.week for s in catalogue))
    moment = datetime.combine(START, datetime.min.time(), UTC)
    town = add("organisation", name="Городской округ № 2", kind="municipality",
               timezone="Europe/Moscow", created_at=SETUP_TIME)  # fmt: skip
    school = 0
    for n in range(making):
        if n % PROGRAMS_PER_SCHOOL == 0:
            school = add("organisation", name=f"Школа № {ids['organisation'] + 1}",
                         kind="school", parent_id=town, created_at=SETUP_TIME)  # fmt: skip
        program = add("program", org_id=school, title=f"Программа {ids['program'] + 1}",
                      forms=["teacher_teacher"], start_date=START, end_date=end,
                      roadmap_version=version, created_at=SETUP_TIME)  # fmt: skip
        applied = {"program_id": program, "actor": "bench", "status": EntryStatus.APPLIED.value}
        add("audit_entry", **applied, action="create", to_value=START.isoformat(),
            requested_at=SETUP_TIME, effective_at=SETUP_TIME)  # fmt: skip
        done_until = rng.randint(0, len(WALKABLE))  # stages 1..done_until done, the next active
        for definition in catalogue:
            number = definition.number
            active = number <= min(done_until + 1, len(WALKABLE))
            started = moment + timedelta(days=2 * number) if active else None
            finished = moment + timedelta(days=2 * number + 1) if number <= done_until else None
            state = "done" if finished else "active" if started else "planned"
            stage = add("stage", program_id=program, **columns[definition.code], state=state,
                        due_date=due_date(START, definition.week), started_at=started,
                        finished_at=finished)  # fmt: skip
            if started:
                add("audit_entry", **applied, action="start", stage_id=stage,
                    from_value="planned", to_value="active", requested_at=started,
                    effective_at=started)  # fmt: skip
            if finished:
                add("audit_entry", **applied, action="complete", stage_id=stage,
                    from_value="active", to_value="done", requested_at=finished,
                    effective_at=finished)  # fmt: skip
            if definition.recurrence:
                days = occurrence_dates(START, definition.recurrence, definition.week)
                for seq, day in enumerate(days, start=1):
                    add("stage_occurrence", stage_id=stage, seq=seq, due_date=day)
        for role in [Role.CURATOR] + [Role.MENTOR, Role.MENTEE] * PAGE_PEOPLE:
            person = add("person", org_id=school, name=f"{role.value} {ids['person'] + 1}",
                         created_at=SETUP_TIME)  # fmt: skip
            add("contact", person_id=person, url=f"json://{HOST}:9/p{person}", preferred=True)
            add("program_role", program_id=program, person_id=person, role=role.value)
            if role != Role.CURATOR:
                add("consent", person_id=person, kind="processing", given_by_id=person,
                    given_on=SETUP_TIME.date(), recorded_at=SETUP_TIME,
                    recorded_by="bench")  # fmt: skip
    with engine.begin() as connection:
        for name, model in tables.items():
            table = model.__table__  # type: ignore[attr-defined]
            for offset in range(0, len(rows[name]), 10_000):
                connection.execute(table.insert(), rows[name][offset : offset + 10_000])
    return making


async def pages_over_http(url: str, program_ids: list[int], meter: CpuMeter) -> tuple[Phase, Phase]:
    """GET /programs/{id} by a signed-in administrator (each page checked: its program's
    number), and GET /login by nobody, one request at a time, in alternating blocks of
    BLOCK requests after a warm-up of both; the two phases."""
    pages, logins = Phase(), Phase()
    async with (
        http_client(url, 60) as admin_client,
        http_client(url, 60) as anonymous,
    ):
        admin = Browser(admin_client)
        await admin.sign_in("admin")

        async def page(program_id: int) -> None:
            started = time.perf_counter()
            answer = await admin.request("GET", f"/programs/{program_id}")
            pages.latencies.append(time.perf_counter() - started)
            if answer.status_code != 200 or f"№{program_id} " not in answer.text:
                pages.failed.append(f"GET /programs/{program_id}: {answer.status_code}")

        async def login(_: int) -> None:
            started = time.perf_counter()
            answer = await anonymous.get("/login")
            logins.latencies.append(time.perf_counter() - started)
            if answer.status_code != 200:
                logins.failed.append(f"GET /login: {answer.status_code}")

        for program_id in program_ids[:BLOCK]:  # the warm-up, not kept
            await page(program_id)
            await login(program_id)
        pages.latencies.clear()
        logins.latencies.clear()
        for start in range(0, len(program_ids), BLOCK):
            block = program_ids[start : start + BLOCK]
            for phase, side in ((pages, page), (logins, login)):
                with meter.measuring(phase):
                    for program_id in block:
                        await side(program_id)
    return pages, logins


# --- the run --------------------------------------------------------------------------------------


def verdict(met: bool) -> str:
    return "aim met" if met else "aim missed"


def run(arguments: argparse.Namespace) -> list[str]:
    """Start the servers, measure both parts, print the results; what did not add up."""
    problems: list[str] = []  # the benchmark's own: exit 1
    notes: list[str] = []  # the system's failures under load: reported
    summary: list[str] = []
    rng = random.Random(SEED)
    api_url = os.environ["PREFECT_API_URL"]
    prefect_port = int(urlsplit(api_url).port or 0)
    url = database.upgrade()
    print(f"Prefect API: {api_url} (a server of our own); domain database: {url}")
    print(f"{os.cpu_count()} CPUs; load average before: {os.getloadavg()[0]:.1f}")
    with ExitStack() as stack:
        where = stack.enter_context(prefect_database(arguments.prefect_postgres))
        print(f"Prefect server's database: {where}")
        started = time.perf_counter()
        prefect = stack.enter_context(
            LocalPrefectServer(FOLDER / "prefect-server.log", port=prefect_port)
        )
        assert prefect._process is not None
        group = prefect._process.pid  # its own session: the process group of its services
        web_log = FOLDER / "web.log"
        web, web_group = stack.enter_context(web_server(free_port(0), web_log))
        print(f"servers up in {time.perf_counter() - started:.1f} s; web: {web}")
        meter = CpuMeter(prefect=group, web=web_group)

        # --- part 1
        started = time.perf_counter()
        curators, warm_up = schools_with_programs(arguments.curators)
        steps = walk(arguments.stages)
        print(
            f"\n1. stage actions: {len(curators)} curators at once, each {len(steps)} actions "
            f"(start and complete of stages 1-{arguments.stages}) on their own program, in "
            f"{min(arguments.rounds, len(steps))} rounds alternating with the baseline "
            f"(made in {time.perf_counter() - started:.1f} s)"
        )
        bare, actions, waited = asyncio.run(
            stage_actions(
                web, curators, steps, arguments.rounds, warm_up, lambda: wait_quiet(group), meter
            )
        )
        print(f"  (waited {waited:.0f} s in all for the Prefect server to go quiet)")
        for name, phase, unit in (
            (f"baseline, bare one-task flow, {len(curators)} concurrent", bare, "run"),
            (f"stage actions over HTTP, {len(curators)} concurrent", actions, "action"),
        ):
            refusals = f", refused {len(phase.refused)}" if phase is actions else ""
            if phase.cascaded:
                refusals += f", refused after a failure {len(phase.cascaded)}"
            print(
                f"{name}: {figures(phase.latencies)}; {phase.runs() / phase.seconds:.1f} "
                f"{unit}s/s; failed {len(phase.failed)}{refusals}\n"
                f"  CPU ms per {unit}: {phase.cpu_per_run()}"
            )
        # Failures are the system's under this load: reported, part of the measurement. A
        # refusal that no failure explains, or a database that disagrees, is the benchmark's.
        for what, failed in (("bare flow runs", bare.failed), ("actions", actions.failed)):
            if failed:
                print(f"  {len(failed)} {what} failed, e.g. {'; '.join(failed[:3])}")
                notes.append(f"{len(failed)} {what} failed")
        if actions.refused:
            problems.append(f"{len(actions.refused)} actions refused, e.g. {actions.refused[0]}")
        problems += check_walked(curators)
        if not actions.latencies or not bare.latencies:
            problems.append("no action or no bare flow run succeeded")
        if actions.latencies and bare.latencies:
            ratio = statistics.median(actions.latencies) / statistics.median(bare.latencies)
            line = (
                f"stage action p50 / bare flow p50: {ratio:.2f} (aim {ACTION_AIM} or less): "
                f"{verdict(ratio <= ACTION_AIM)}"
            )
            cpu = actions.cpu_ours() / bare.cpu_ours()
            print(line)
            print(
                f"  CPU of our three processes per action / per bare run: {cpu:.2f} (which "
                "depends far less than the latencies on what else the machine is doing)"
            )
            summary.append(
                f"stage actions: {figures(actions.latencies)} vs bare flow "
                f"{figures(bare.latencies)}; {line}; CPU ratio {cpu:.2f}"
                + "".join(f"; {note}" for note in notes)
            )

        # --- part 2
        started = time.perf_counter()
        made = grow(database.engine_for(settings.database_url()), arguments.programs, rng)
        with database.session() as db:
            count = db.execute(sa.select(sa.func.count()).select_from(Program)).scalar_one()
            stages = db.execute(sa.select(sa.func.count()).select_from(Stage)).scalar_one()
            people = db.execute(sa.select(sa.func.count()).select_from(Person)).scalar_one()
        print(
            f"\n2. the roadmap page: {count} programs ({made} bulk-inserted in "
            f"{time.perf_counter() - started:.1f} s), {stages} stages, {people} people"
        )
        sample = rng.sample(range(1, count + 1), min(arguments.pages, count))
        wait_quiet(group)
        pages, logins = asyncio.run(pages_over_http(web, sample, meter))
        problems += pages.failed + logins.failed
        page_p95 = percentile(pages.latencies, 95) * 1000
        ratio = statistics.median(pages.latencies) / statistics.median(logins.latencies)
        for name, phase in (
            ("GET /programs/{id}, administrator, one at a time", pages),
            (f"baseline, GET /login, in turn with them by {BLOCK}", logins),
        ):
            print(f"{name}: {figures(phase.latencies)}\n  CPU ms per page: {phase.cpu_per_run()}")
        line = (
            f"roadmap page p95 {page_p95:.0f} ms (aim under {PAGE_AIM_MS:.0f} ms): "
            f"{verdict(page_p95 < PAGE_AIM_MS)}; p50 / GET /login p50: {ratio:.1f}"
        )
        print(line)
        summary.append(
            f"roadmap page, {count} programs: {figures(pages.latencies)} vs GET /login "
            f"{figures(logins.latencies)}; " + line
        )
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    print("\nsummary:")
    for line in summary:
        print(f"  {line}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--curators", type=int, default=20, help="concurrent curators")
    parser.add_argument(
        "--stages", type=int, default=2, help=f"stages each walks, 1-{len(WALKABLE)}"
    )
    parser.add_argument(
        "--rounds", type=int, default=2, help="rounds alternating actions and baseline"
    )
    parser.add_argument(
        "--prefect-postgres",
        metavar="URL",
        help="keep the Prefect server's database on this PostgreSQL server (a new database, "
        "dropped at the end), e.g. postgresql://postgres@127.0.0.1:5432/postgres; "
        "default: SQLite in its temporary home",
    )
    parser.add_argument("--programs", type=int, default=2000, help="programs in part 2")
    parser.add_argument("--pages", type=int, default=200, help="roadmap pages fetched")
    try:  # the temporary folder was made on import: removed however this ends
        arguments = parser.parse_args()
        if min(arguments.curators, arguments.rounds) < 1:
            parser.error("--curators and --rounds: at least 1")
        if not 1 <= arguments.stages <= len(WALKABLE):
            parser.error(f"--stages: 1-{len(WALKABLE)}")
        if arguments.pages < 2 or arguments.programs < arguments.curators + 1:
            parser.error("--pages: at least 2; --programs: at least --curators + 1")
        # SIGTERM as Ctrl+C: the servers are stopped on the way out.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        problems = run(arguments)
    finally:
        shutil.rmtree(FOLDER, ignore_errors=True)
    if problems:
        raise SystemExit("FAILED: " + "; ".join(problems))


if __name__ == "__main__":
    with suppress(KeyboardInterrupt):
        main()
