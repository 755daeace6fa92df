"""Benchmark: one reminder sweep over a territory, against a plain select-and-post baseline
measured in the same run.

The territory: 500 schools under 5 municipalities (5 time zones, UTC+3..UTC+10), 4 programs
per school, each with its 34 stages (and the 14 dates of its two recurring stages), 15 mentors
and 15 mentees per program (60,000 participants) plus a curator, every person with one
preferred ``json://`` address on a local HTTP sink. Exactly 20,000 reminders are due at the
benchmark's ``now`` (10:00-17:00 local, inside the sending hours): in 646 programs the first
meeting of the pairs (stage 21, "who" = pair: 30 people) is active and due the next local day,
and in 20 programs the curator's work on cases (stage 33, curator and pair: 31 people) is. No
other stage or date is due.

1. Baseline: a plain SQL select of the due rows (stage, program, role, person, preferred
   contact; subject and text built in Python), then a plain async post loop of the same
   messages with httpx.AsyncClient at the same concurrency (a client per concurrent worker:
   see post_all), JSON bodies as apprise's json:// plugin posts them, to the same sink.
2. Measured: ``await reminder_sweep(now)``, the real flow: it queues the 20,000 reminders in
   the outbox, then delivers them through apprise in batches, one Prefect task per batch.
   Its split (enqueue task, delivery tasks, the rest) comes from the task runs' times as the
   Prefect API records them.

Both sides must deliver every message: the sink, a separate process, counts what it receives.
Runs against PREFECT_API_URL when set, else against Prefect's embedded server (started by a
trivial flow before anything is timed). The domain database is a new SQLite file in a temporary
folder, or with ``--database-url`` a new database created on that PostgreSQL server (the URL
names a database to connect to for CREATE/DROP DATABASE, e.g. ``postgres``), dropped at the
end. Usage:

    .venv/bin/python bench/reminders.py [--scale 1.0] [--concurrency 50] \
        [--database-url postgresql://postgres@127.0.0.1:5432/postgres]

``--scale 0.05`` shrinks the territory and the due reminders proportionally (the count due is
printed, exact). Every measured phase is given up after PHASE_LIMIT seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import app  # noqa: F401  (Prefect's environment, set before Prefect is imported)

# isort: split

import httpx
import psycopg
import sqlalchemy as sa
from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.client.schemas.sorting import TaskRunSort
from sqlalchemy import Engine

from domain import database, settings
from domain.models import (
    Consent,
    Contact,
    Organisation,
    OutboxMessage,
    OutboxStatus,
    Person,
    Program,
    ProgramRole,
    Stage,
    StageOccurrence,
)
from domain.notices import NoticeKind, recipient_roles
from domain.program_roadmap import stage_columns
from domain.roadmap import BY_CODE, STAGES, Role
from domain.schedule import due_date, occurrence_dates
from domain.states import StageState
from flows.reminders import SweepOutcome, reminder_sweep

# 07:00 UTC: 10:00 in Moscow ... 17:00 in Vladivostok, one local date everywhere.
NOW = datetime(2026, 10, 6, 7, 0, tzinfo=UTC)
ZONES = (
    "Europe/Moscow",
    "Asia/Yekaterinburg",
    "Asia/Novosibirsk",
    "Asia/Irkutsk",
    "Asia/Vladivostok",
)
SCHOOLS = 500
PROGRAMS_PER_SCHOOL = 4
MENTORS = MENTEES = 15  # per program
DUE = 20_000
PAIR_STAGE = "first_meeting"  # stage 21, "who" = pair: one reminder to each of 30 people
WIDE_STAGE = "write_cases"  # stage 33, curator and pair: 31 people
REMINDER_DAYS = [3, 1]
PHASE_LIMIT = 1800.0  # seconds any one measured phase may take
SEED = 20261006
LAST_WEEK = max(stage.week for stage in STAGES)


# --- the sink: a separate process -----------------------------------------------------------------


class _SinkProtocol(asyncio.Protocol):
    """HTTP/1.1 with keep-alive, bodies by Content-Length: 200 to every POST, counted;
    ``GET /count`` answers the count so far."""

    counts: ClassVar[dict[str, int]] = {"posts": 0}

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.buffer = bytearray()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            head = bytes(self.buffer[:end]).decode("latin-1").lower()
            length = 0
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip() == "content-length":
                    length = int(value)
            if len(self.buffer) < end + 4 + length:
                return
            del self.buffer[: end + 4 + length]
            method, path = head.split(" ", 2)[:2]
            if method == "post":
                self.counts["posts"] += 1
                reply = b""
            elif path == "/count":
                reply = str(self.counts["posts"]).encode()
            else:
                reply = b"unknown"
            self.transport.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s"
                % (len(reply), reply)
            )
            if "connection: close" in head:
                self.transport.close()
                return


async def _serve_sink() -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_SinkProtocol, "127.0.0.1", 0, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    # The benchmark closes our stdin when it is done, or by dying: then we stop.
    await loop.run_in_executor(None, sys.stdin.buffer.read)
    server.close()


@dataclass
class Sink:
    port: int

    def count(self) -> int:
        return int(httpx.get(f"http://127.0.0.1:{self.port}/count", timeout=10).text)


@contextmanager
def sink() -> Iterator[Sink]:
    process = subprocess.Popen(
        [sys.executable, __file__, "--sink"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.strip():
            raise RuntimeError("the sink did not start")
        yield Sink(int(line))
    finally:
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- the domain database --------------------------------------------------------------------------


@contextmanager
def domain_database(server_url: str | None, folder: str) -> Iterator[str]:
    """A new, migrated domain database: a SQLite file in ``folder``, or a database of its own
    on the PostgreSQL server ``server_url``, dropped afterwards."""
    if server_url is None:
        url = f"sqlite:///{os.path.join(folder, 'nastavnik.db')}"
        database.upgrade(url)
        try:
            yield url
        finally:
            database.engine_for(url).dispose()
        return
    admin_url = server_url.replace("postgresql+psycopg://", "postgresql://", 1).replace(
        "postgres://", "postgresql://", 1
    )
    if not admin_url.startswith("postgresql://"):
        raise SystemExit("--database-url: a postgresql:// URL of a server to create a database on")
    name = f"nastavnik_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = admin_url.split("?", 1)[0].rsplit("/", 1)[0]
    url = base.replace("postgresql://", "postgresql+psycopg://", 1) + f"/{name}"
    try:
        database.upgrade(url)
        yield url
    finally:
        database.engine_for(url).dispose()
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass(frozen=True)
class Territory:
    municipalities: int
    schools: int
    programs: int
    stages: int
    occurrences: int
    participants: int
    curators: int
    contacts: int
    roles: int
    pair_programs: int  # programs whose PAIR_STAGE is due
    wide_programs: int  # programs whose WIDE_STAGE is due
    due: int  # reminders due at NOW


def split_due(target: int) -> tuple[int, int]:
    """Programs with PAIR_STAGE due (30 reminders each) and with WIDE_STAGE due (31 each) whose
    reminders add up to ``target`` exactly, or as close below it as they can."""
    pair_size, wide_size = MENTORS + MENTEES, MENTORS + MENTEES + 1
    wide = target % pair_size  # 31 * wide == target (mod 30)
    while wide * wide_size > target:
        wide -= pair_size  # not reachable exactly: fewer wide programs, fewer reminders
    wide = max(wide, 0)
    return (target - wide * wide_size) // pair_size, wide


def build(engine: Engine, scale: float, port: int) -> Territory:
    """The territory, bulk-inserted with SQLAlchemy Core (explicit ids)."""
    schools = max(1, round(SCHOOLS * scale))
    municipalities = min(len(ZONES), schools)
    programs = schools * PROGRAMS_PER_SCHOOL
    pair_count, wide_count = split_due(round(DUE * scale))
    if pair_count + wide_count == 0 or pair_count + wide_count > programs:
        raise SystemExit(f"--scale {scale} is too small for a territory with reminders due")
    chosen = random.Random(SEED).sample(range(1, programs + 1), pair_count + wide_count)
    due_kind = {pid: PAIR_STAGE for pid in chosen[:pair_count]}
    due_kind.update({pid: WIDE_STAGE for pid in chosen[pair_count:]})

    created = NOW - timedelta(days=200)
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    zone_of: dict[int, str] = {}
    for m in range(1, municipalities + 1):
        zone_of[m] = ZONES[m - 1]
        rows["organisation"].append(
            {
                "id": m,
                "name": f"Муниципальный округ № {m}",
                "kind": "municipality",
                "parent_id": None,
                "timezone": ZONES[m - 1],
                "created_at": created,
            }
        )
    for s in range(1, schools + 1):
        org_id = municipalities + s
        parent = (s - 1) % municipalities + 1
        zone_of[org_id] = zone_of[parent]
        rows["organisation"].append(
            {
                "id": org_id,
                "name": f"Школа № {s}",
                "kind": "school",
                "parent_id": parent,
                "timezone": None,
                "created_at": created,
            }
        )
    stage_id = occurrence_id = person_id = 0
    for program_id in range(1, programs + 1):
        org_id = municipalities + (program_id - 1) // PROGRAMS_PER_SCHOOL + 1
        local = NOW.astimezone(ZoneInfo(zone_of[org_id]))
        first, until = settings.current().sending_hours
        assert first <= local.hour < until, "NOW is outside sending hours"
        tomorrow = local.date() + timedelta(days=1)
        code = due_kind.get(program_id)
        # A program whose stage is due started that stage's week before tomorrow; the stages
        # before it are done, it is active, the later ones are planned (a week away or more).
        # The others start a month from now: nothing of theirs is due.
        start = (
            tomorrow - timedelta(weeks=BY_CODE[code].week)
            if code
            else local.date() + timedelta(days=30)
        )
        curator = person_id + 1
        rows["program"].append(
            {
                "id": program_id,
                "org_id": org_id,
                "title": f"Наставничество 2026/27, программа {program_id}",
                "forms": ["teacher_teacher"],
                "role_model": None,
                "start_date": start,
                "end_date": due_date(start, LAST_WEEK),
                "curator": f"Куратор {curator}",
                "reminder_days": REMINDER_DAYS,
                "escalation_days": 3,
                "roadmap_version": 1,
                "created_at": created,
            }
        )
        for definition in STAGES:
            stage_id += 1
            due = due_date(start, definition.week)
            state = StageState.PLANNED.value
            started = finished = None
            if code and definition.code == code:
                due, state, started = tomorrow, StageState.ACTIVE.value, created
            elif code and definition.number < BY_CODE[code].number:
                state, started, finished = StageState.DONE.value, created, created
            assert state != StageState.PLANNED.value or due > tomorrow + timedelta(days=3)
            rows["stage"].append(
                {
                    "id": stage_id,
                    "program_id": program_id,
                    **stage_columns(definition),
                    "dropped_at": None,
                    "state": state,
                    "due_date": due,
                    "started_at": started,
                    "finished_at": finished,
                }
            )
            if definition.recurrence:
                days = occurrence_dates(start, definition.recurrence, definition.week)
                for seq, day in enumerate(days, start=1):
                    occurrence_id += 1
                    rows["stage_occurrence"].append(
                        {
                            "id": occurrence_id,
                            "stage_id": stage_id,
                            "seq": seq,
                            "state": state,  # a done stage's dates are done
                            "due_date": day,
                            "finished_at": finished,
                        }
                    )
        people = [("Куратор", Role.CURATOR)]
        people += [("Наставник", Role.MENTOR)] * MENTORS + [("Наставляемый", Role.MENTEE)] * MENTEES
        for label, role in people:
            person_id += 1
            rows["person"].append(
                {
                    "id": person_id,
                    "org_id": org_id,
                    "name": f"{label} {person_id}",
                    "created_at": created,
                }
            )
            rows["contact"].append(
                {
                    "id": person_id,
                    "person_id": person_id,
                    "url": f"json://127.0.0.1:{port}/p{person_id}",
                    "preferred": True,
                }
            )
            rows["program_role"].append(
                {
                    "id": person_id,
                    "program_id": program_id,
                    "person_id": person_id,
                    "role": role.value,
                }
            )
            if role != Role.CURATOR:  # participants hear only with their consent (152-ФЗ)
                rows["consent"].append(
                    {
                        "id": len(rows["consent"]) + 1,
                        "person_id": person_id,
                        "kind": "processing",
                        "given_by_id": person_id,
                        "given_on": created.date(),
                        "recorded_at": created,
                        "recorded_by": "bench",
                    }
                )
    tables = {
        "organisation": Organisation,
        "program": Program,
        "stage": Stage,
        "stage_occurrence": StageOccurrence,
        "person": Person,
        "contact": Contact,
        "program_role": ProgramRole,
        "consent": Consent,
    }
    with engine.begin() as connection:
        for name, model in tables.items():
            table = model.__table__  # type: ignore[attr-defined]
            for offset in range(0, len(rows[name]), 10_000):
                connection.execute(table.insert(), rows[name][offset : offset + 10_000])
            if engine.dialect.name == "postgresql":  # ids were given: move the sequences on
                connection.execute(
                    sa.text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), :last)"),
                    {"last": len(rows[name])},
                )
    wide_size = MENTORS + MENTEES + 1
    return Territory(
        municipalities=municipalities,
        schools=schools,
        programs=programs,
        stages=len(rows["stage"]),
        occurrences=len(rows["stage_occurrence"]),
        participants=programs * (MENTORS + MENTEES),
        curators=programs,
        contacts=len(rows["contact"]),
        roles=len(rows["program_role"]),
        pair_programs=pair_count,
        wide_programs=wide_count,
        due=pair_count * (MENTORS + MENTEES) + wide_count * wide_size,
    )


# --- the baseline: a plain select and a plain post loop -------------------------------------------


def select_due(engine: Engine) -> list[tuple[str, str, str]]:
    """(address, subject, text) of every reminder due at NOW, by one plain SQL select: the
    stages due within the reminder window whose "who" names the person's role."""
    stage, program = Stage.__table__, Program.__table__  # type: ignore[attr-defined]
    role, person = ProgramRole.__table__, Person.__table__  # type: ignore[attr-defined]
    contact = Contact.__table__  # type: ignore[attr-defined]
    dates = {NOW.astimezone(ZoneInfo(zone)).date() for zone in ZONES}
    assert len(dates) == 1, "NOW must be one local date in every zone"
    today = dates.pop()
    who: dict[frozenset[Role], list[str]] = defaultdict(list)
    for definition in STAGES:
        who[recipient_roles(definition, NoticeKind.REMINDER)].append(definition.code)
    query = (
        sa.select(contact.c.url, person.c.name, program.c.title, stage.c.number, stage.c.due_date)
        .select_from(
            stage.join(program, program.c.id == stage.c.program_id)
            .join(role, role.c.program_id == program.c.id)
            .join(person, person.c.id == role.c.person_id)
            .join(contact, sa.and_(contact.c.person_id == person.c.id, contact.c.preferred))
        )
        .where(
            stage.c.state.in_([StageState.PLANNED.value, StageState.ACTIVE.value]),
            stage.c.due_date > today,
            stage.c.due_date <= today + timedelta(days=max(REMINDER_DAYS)),
            sa.or_(
                *(
                    sa.and_(stage.c.code.in_(codes), role.c.role.in_([r.value for r in roles]))
                    for roles, codes in who.items()
                )
            ),
        )
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return [
        (
            url,
            f"Напоминание: этап {number} программы «{title}» — до {due:%d.%m.%Y}",
            f"{name}, срок этапа {number} программы «{title}» — {due:%d.%m.%Y}, "
            f"дней до срока: {(due - today).days}.",
        )
        for url, name, title, number, due in rows
    ]


async def post_all(messages: list[tuple[str, str, str]], concurrency: int) -> int:
    """POST each message as apprise's json:// plugin does, ``concurrency`` at a time; returns
    how many got a 2xx answer.

    Each of the ``concurrency`` workers has a client of its own with one kept-alive connection:
    one client shared by all, with a pool of ``concurrency`` connections, is several times
    slower (httpcore 1.0's pool looks at every connection for every request: with 50, about
    200 posts/s against about 1,300 this way, measured on 2 CPUs), which would make a baseline
    slower than the sweep itself."""
    headers = {"User-Agent": "Apprise", "Content-Type": "application/json"}
    pending = iter(messages)
    ok = 0

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal ok
        for url, subject, text in pending:
            payload = {
                "version": "1.0",
                "title": subject,
                "message": text,
                "attachments": [],
                "type": "info",
            }
            response = await client.post(
                "http://" + url.removeprefix("json://"),
                content=json.dumps(payload),
                headers=headers,
            )
            ok += response.is_success

    async def client_of_one() -> None:
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=1), timeout=30) as client:
            await worker(client)

    await asyncio.gather(*(client_of_one() for _ in range(concurrency)))
    return ok


# --- the sweep ------------------------------------------------------------------------------------


@task(cache_policy=NO_CACHE, persist_result=False)
async def bare_task() -> int:
    return 0


@flow(persist_result=False)
async def bare_flow() -> int:
    return await bare_task()


async def sweep_split(flow_run_id: uuid.UUID, batches: int) -> tuple[float, float, int] | None:
    """Seconds in the enqueue task, seconds in the delivery tasks and their number, from the
    Prefect API; None if the task runs are not all recorded within 30 s."""
    async with get_client() as client:
        for _ in range(60):
            runs = await client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])),
                sort=TaskRunSort.EXPECTED_START_TIME_ASC,
                limit=batches + 10,
            )
            timed = [r for r in runs if r.start_time and r.end_time]
            if len(timed) >= batches + 1:
                break
            await asyncio.sleep(0.5)
        else:
            return None
    spent: dict[str, float] = defaultdict(float)
    count = 0
    for run in timed:
        assert run.start_time and run.end_time
        kind = "enqueue" if run.name.startswith("enqueue-due-notices") else "deliver"
        spent[kind] += (run.end_time - run.start_time).total_seconds()
        count += kind == "deliver"
    return spent["enqueue"], spent["deliver"], count


def outbox_counts(engine: Engine) -> dict[str, int]:
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(table.c.status, sa.func.count()).group_by(table.c.status)
        ).all()
    return {status: count for status, count in rows}


# --- the run --------------------------------------------------------------------------------------


async def measure(engine: Engine, sink: Sink, due: int, concurrency: int) -> list[str]:
    """Time the baseline and the sweep, print the results; returns what did not add up."""
    problems: list[str] = []

    def expect(ok: bool, problem: str) -> None:
        if not ok:
            problems.append(problem)

    await bare_flow()  # the embedded server starts here, outside every measurement

    received = sink.count()
    started = time.perf_counter()
    messages = await asyncio.to_thread(select_due, engine)
    selected = time.perf_counter()
    posted = await asyncio.wait_for(post_all(messages, concurrency), PHASE_LIMIT)
    done = time.perf_counter()
    expect(len(messages) == due, f"the baseline selected {len(messages)} rows, not {due}")
    expect(posted == due, f"the baseline had {posted} posts answered, not {due}")
    got = sink.count() - received
    expect(got == due, f"the sink received {got} baseline posts, not {due}")
    select_s, post_s = selected - started, done - selected
    baseline = select_s + post_s
    print(
        f"baseline: select {select_s:.2f} s + post loop {post_s:.2f} s "
        f"({due / post_s:.0f} msgs/s, httpx, concurrency {concurrency}) = {baseline:.2f} s"
    )

    received = sink.count()
    started = time.perf_counter()
    state = await asyncio.wait_for(
        reminder_sweep(NOW, concurrency=concurrency, return_state=True), PHASE_LIMIT
    )
    sweep = time.perf_counter() - started
    outcome = await state.aresult()
    assert isinstance(outcome, SweepOutcome)
    expect(
        outcome == SweepOutcome(due, due, due, 0, 0),
        f"the sweep returned {outcome}, not {SweepOutcome(due, due, due, 0, 0)}",
    )
    in_outbox = outbox_counts(engine)
    expect(in_outbox == {OutboxStatus.SENT.value: due}, f"the outbox holds {in_outbox}")
    got = sink.count() - received
    expect(got == due, f"the sink received {got} messages of the sweep, not {due}")
    print(
        f"sweep: {sweep:.2f} s ({due / sweep:.0f} msgs/s): queued {outcome.queued}, "
        f"sent {outcome.sent}, retrying {outcome.retrying}, failed {outcome.failed}; "
        f"outbox {in_outbox}; sink received {got}"
    )
    batch_size = settings.current().batch_size
    batches = -(-due // batch_size) + (due % batch_size == 0)  # the last one claims less
    flow_run_id = state.state_details.flow_run_id
    split = await sweep_split(flow_run_id, batches) if flow_run_id else None
    if split:
        enqueue_s, deliver_s, tasks = split
        print(
            f"  of which: enqueue task {enqueue_s:.2f} s, {tasks} deliver-batch tasks "
            f"{deliver_s:.2f} s ({due / deliver_s:.0f} msgs/s), flow and task orchestration "
            f"{sweep - enqueue_s - deliver_s:.2f} s"
        )
    print(f"ratio sweep / baseline: {sweep / baseline:.2f} (aim: 2 or less)")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--concurrency", type=int, default=settings.current().concurrency)
    parser.add_argument("--database-url", help="a PostgreSQL server to create a database on")
    parser.add_argument("--sink", action="store_true", help="run the HTTP sink (internal)")
    arguments = parser.parse_args()
    if arguments.sink:
        asyncio.run(_serve_sink())
        return
    if arguments.scale <= 0 or arguments.concurrency < 1:
        parser.error("--scale must be positive and --concurrency at least 1")
    folder = tempfile.mkdtemp(prefix="nastavnik-bench-")
    try:
        os.environ["NASTAVNIK_HOME"] = folder  # never a real one
        with domain_database(arguments.database_url, folder) as url, sink() as http_sink:
            os.environ["NASTAVNIK_DATABASE_URL"] = url
            engine = database.engine_for(url)
            server = os.environ.get("PREFECT_API_URL") or "embedded"
            print(f"Prefect API: {server}; domain database: {database.location()}")
            started = time.perf_counter()
            territory = build(engine, arguments.scale, http_sink.port)
            print(
                f"territory (built in {time.perf_counter() - started:.1f} s): "
                f"{territory.municipalities} municipalities, {territory.schools} schools, "
                f"{territory.programs} programs, {territory.stages} stages, "
                f"{territory.occurrences} stage dates, {territory.participants} participants "
                f"+ {territory.curators} curators, {territory.contacts} contacts, "
                f"{territory.roles} program roles"
            )
            print(
                f"due at {NOW.isoformat()}: {territory.due} reminders ({territory.pair_programs} "
                f"programs x {PAIR_STAGE} + {territory.wide_programs} programs x {WIDE_STAGE})"
            )
            problems = asyncio.run(measure(engine, http_sink, territory.due, arguments.concurrency))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if problems:
        raise SystemExit("FAILED: " + "; ".join(problems))


if __name__ == "__main__":
    with suppress(KeyboardInterrupt):
        main()
