"""What a stage action reports when the machinery fails under it: a real fault between the
transition and its outbox changes (a database trigger that refuses the outbox's insert), a
cancelled run, a process killed mid-action. Afterwards the stage moved with its messages or
neither happened, the answer says which, and history tells a failure from a refusal. SQLite
and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from factories import close_prerequisites, consented, program

from domain import database
from domain.errors import NastavnikError
from domain.history import program_history
from domain.models import OutboxMessage
from domain.people import add_person, assign
from domain.schedule import utc_now
from domain.states import Action
from domain.transitions import request_action
from flows.actions import act_on_stage

pytestmark = pytest.mark.usefixtures("prefect_api")

CLASS_NAME = re.compile(r"\b[A-Z][A-Za-z]*(Error|Exception|Interrupt)\b")
TRIGGER = {
    "sqlite": [
        "CREATE TRIGGER refuse_outbox BEFORE INSERT ON outbox "
        "BEGIN SELECT RAISE(ABORT, 'injected fault'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse_outbox() RETURNS trigger AS $$ BEGIN "
        "RAISE EXCEPTION 'injected fault'; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER refuse_outbox BEFORE INSERT ON outbox "
        "FOR EACH ROW EXECUTE FUNCTION refuse_outbox()",
    ],
}
UNDO = {
    "sqlite": ["DROP TRIGGER IF EXISTS refuse_outbox"],
    "postgresql": [
        "DROP TRIGGER IF EXISTS refuse_outbox ON outbox",
        "DROP FUNCTION IF EXISTS refuse_outbox()",
    ],
}


def dialect(url: str) -> str:
    return "postgresql" if url.startswith("postgresql") else "sqlite"


@pytest.fixture
def first_meeting(database_url: str) -> int:
    """A program whose first meeting may start, with a mentor to invite to it."""
    created = program()
    close_prerequisites(created.id, "first_meeting")
    with database.session() as db:
        mentor = add_person(
            db, org_id=created.org_id, name="Наставник", contacts=["json://h/x"], now=utc_now()
        )
        assign(db, program_id=created.id, person_id=mentor.id, role="mentor")
    consented(mentor.id)
    return created.id


@pytest.fixture
def outbox_refuses_inserts(database_url: str) -> Iterator[None]:
    engine = database.engine_for(database_url)
    with engine.begin() as connection:
        for statement in TRIGGER[dialect(database_url)]:
            connection.execute(sa.text(statement))
    try:
        yield
    finally:
        with engine.begin() as connection:
            for statement in UNDO[dialect(database_url)]:
                connection.execute(sa.text(statement))


def state_and_messages(program_id: int) -> tuple[str, int]:
    with database.session() as db:
        state = db.execute(
            sa.text("SELECT state FROM stage WHERE program_id = :p AND code = 'first_meeting'"),
            {"p": program_id},
        ).scalar_one()
        messages = db.execute(
            sa.select(sa.func.count())
            .select_from(OutboxMessage)
            .where(
                OutboxMessage.program_id == program_id  # type: ignore[arg-type]
            )
        ).scalar_one()
    return state, messages


async def test_a_transition_whose_invitations_cannot_be_queued_does_not_happen(
    first_meeting: int, database_url: str, request: pytest.FixtureRequest
) -> None:
    request.getfixturevalue("outbox_refuses_inserts")
    with pytest.raises(NastavnikError) as failure:
        await act_on_stage(first_meeting, "first_meeting", Action.START, actor="t")
    said = str(failure.value)
    assert "изменения не сохранены" in said and not CLASS_NAME.search(said), said
    # Neither happened: the stage did not move and no invitation waits.
    assert state_and_messages(first_meeting) == ("planned", 0)
    with database.session() as db:
        entry = program_history(db, first_meeting)[-1]
    assert (entry.status, entry.status_label) == ("failed", "сбой")
    assert entry.message and "этап не изменён" in entry.message
    assert not CLASS_NAME.search(entry.message)


async def test_after_the_fault_is_gone_the_same_action_succeeds_with_its_invitation(
    first_meeting: int, database_url: str
) -> None:
    engine = database.engine_for(database_url)
    with engine.begin() as connection:
        for statement in TRIGGER[dialect(database_url)]:
            connection.execute(sa.text(statement))
    try:
        with pytest.raises(NastavnikError):
            await act_on_stage(first_meeting, "first_meeting", Action.START, actor="t")
    finally:
        with engine.begin() as connection:
            for statement in UNDO[dialect(database_url)]:
                connection.execute(sa.text(statement))
    # Starting it again is not refused (the stage did not move), and both happen together.
    applied = await act_on_stage(first_meeting, "first_meeting", Action.START, actor="t")
    assert (applied.from_value, applied.to_value) == ("planned", "active")
    assert state_and_messages(first_meeting) == ("active", 1)
    with database.session() as db:
        statuses = [row.status for row in program_history(db, first_meeting)]
    assert statuses[-2:] == ["failed", "applied"]


async def test_a_cancelled_action_leaves_nothing_pending_and_both_or_neither(
    first_meeting: int,
) -> None:
    """Ctrl+C, or a caller giving up: the run is cancelled wherever it is."""
    for delay in (0.0, 0.05, 0.2, 0.5):
        # A fast machine may finish the action within the longer delays: then it is applied.
        with contextlib.suppress(TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(
                act_on_stage(first_meeting, "first_meeting", Action.START, actor="t"), delay
            )
        with database.session() as db:
            starts = [r for r in program_history(db, first_meeting) if r.action == "start"]
        state, messages = state_and_messages(first_meeting)
        assert all(entry.status != "pending" for entry in starts), starts
        if starts and starts[-1].status == "applied":  # done before the cancel reached it
            assert (state, messages) == ("active", 1)
            return
        assert all(e.message == "Действие прервано; этап не изменён" for e in starts), starts
        assert (state, messages) == ("planned", 0)


async def test_an_action_left_pending_by_a_killed_process_is_marked_failed_by_the_next(
    first_meeting: int,
) -> None:
    """SIGKILL between the request and its flow run: the entry would stay pending for ever."""
    with database.session() as db:
        request_action(
            db,
            first_meeting,
            "first_meeting",
            Action.START,
            actor="t",
            now=datetime(2026, 11, 24, 9),
            requested_at=utc_now() - timedelta(hours=1),
        )
    await act_on_stage(first_meeting, "first_meeting", Action.START, actor="t")
    with database.session() as db:
        killed, done = program_history(db, first_meeting)[-2:]
    assert killed.status == "failed" and "процесс остановлен" in (killed.message or "")
    assert done.status == "applied"
