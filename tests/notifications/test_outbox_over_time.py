"""The outbox over time: deadlines moved back and forth, dates of recurring stages watched like
stages, who hears before a stage starts, and leases on the real clock whatever ``now`` a sweep
is run at. The stage actions go through the same function their flow runs call (tasks/
transitions.py), without Prefect, so that many sequences run in seconds. SQLite and PostgreSQL.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
from factories import close_prerequisites
from sinks import HttpEndpoint, http_server
from sqlmodel import select
from test_sweep import School, at

from domain import database
from domain.models import Coordinator, OutboxMessage, Program, Stage, StageOccurrence
from domain.notices import NoticeKind, notices_due, recipient_roles
from domain.roadmap import BY_CODE, Role
from domain.schedule import utc_now
from domain.states import Action
from domain.transitions import request_action
from notifications import outbox
from notifications.delivery import Delivered
from tasks.transitions import apply_with_messages

TZ = "Europe/Moscow"


@pytest.fixture
def endpoint() -> Iterator[HttpEndpoint]:
    with http_server() as server:
        yield server


def act(program_id: int, code: str, action: Action, when: datetime, **options: object) -> None:
    """A stage action as its flow run applies it: the transition and its messages at once."""
    with database.session() as db:
        requested = request_action(
            db, program_id, code, action, actor="t", now=when, requested_at=utc_now(), **options
        )
    with database.session() as db:
        apply_with_messages(db, requested.entry_id, None)


def sweep_queue(moment: datetime) -> int:
    with database.session() as db:
        return outbox.enqueue_due(db, moment)


def messages(program_id: int, code: str) -> list[OutboxMessage]:
    with database.session() as db:
        stage = db.exec(
            select(Stage).where(Stage.program_id == program_id, Stage.code == code)
        ).one()
        return list(db.exec(select(OutboxMessage).where(OutboxMessage.stage_id == stage.id)).all())


def live(rows: list[OutboxMessage]) -> set[tuple[int | None, str, int, str, date]]:
    """(date's number, kind, days, recipient, due) of the notices queued or sent."""
    return {
        (m.occurrence_seq, m.kind, int(m.key.split("/")[5]), str(m.person_id), m.due_date)
        for m in rows
        if m.status in ("queued", "sent") and m.kind != "invitation"
    }


# --- 1. a moved deadline never loses a reminder ------------------------------------------


def test_a_deadline_moved_away_and_back_is_reminded_of_again(
    database_url: str, endpoint: HttpEndpoint
) -> None:
    school = School(endpoint)
    close_prerequisites(school.program_id, "first_meeting")
    act(school.program_id, "first_meeting", Action.START, datetime(2026, 11, 20, 9))
    due_a = date(2026, 12, 1)
    sweep_queue(at(due_a - timedelta(days=3), 10))
    reminded = {m.person_id for m in messages(school.program_id, "first_meeting")
                if m.kind == "reminder" and m.status == "queued"}  # fmt: skip
    assert len(reminded) == 2  # the pair
    # Moved to B: A's reminders are cancelled. Moved back to A the same day: due again.
    act(school.program_id, "first_meeting", Action.RESCHEDULE, at(due_a - timedelta(3), 11),
        due=date(2026, 12, 8))  # fmt: skip
    act(school.program_id, "first_meeting", Action.RESCHEDULE, at(due_a - timedelta(3), 12),
        due=due_a)  # fmt: skip
    sweep_queue(at(due_a - timedelta(days=3), 13))
    again = {m.person_id for m in messages(school.program_id, "first_meeting")
             if m.kind == "reminder" and m.status == "queued" and m.due_date == due_a}  # fmt: skip
    assert again == reminded


def test_moving_one_date_of_a_recurring_stage_leaves_the_other_dates_reminders(
    database_url: str, endpoint: HttpEndpoint
) -> None:
    school = School(endpoint)
    close_prerequisites(school.program_id, "regular_meetings")
    act(school.program_id, "regular_meetings", Action.START, datetime(2026, 12, 10, 9))
    with database.session() as db:
        dates = {
            o.seq: o.due_date
            for o in db.exec(select(StageOccurrence).join(Stage).where(
                Stage.program_id == school.program_id, Stage.code == "regular_meetings")).all()
        }  # fmt: skip
    # Dates 1 and 2 are a fortnight apart: one sweep three days before date 1 queues its
    # reminder; move the whole stage's deadline and date 2: date 1's reminder stays.
    sweep_queue(at(dates[1] - timedelta(days=3), 10))
    before = live(messages(school.program_id, "regular_meetings"))
    assert {row[0] for row in before} == {1}
    act(school.program_id, "regular_meetings", Action.RESCHEDULE, at(dates[1] - timedelta(3), 11),
        due=date(2027, 4, 30))  # fmt: skip
    act(school.program_id, "regular_meetings", Action.RESCHEDULE, at(dates[1] - timedelta(3), 12),
        due=dates[2] + timedelta(days=2), occurrence=2)  # fmt: skip
    assert live(messages(school.program_id, "regular_meetings")) == before


def expected(program_id: int, today: date, due: date) -> set[tuple[str, int]]:
    """What a deadline calls for on ``today``, as (kind, days): domain/notices.py's rule."""
    with database.session() as db:
        program = db.get(Program, program_id)
        assert program is not None
        return {
            (kind.value, days)
            for kind, days in notices_due(
                today, due, program.reminder_days, program.escalation_days
            )
        }


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize(
    ("code", "occurrence"),
    [("first_meeting", None), ("regular_meetings", 2)],
    ids=["stage", "date"],
)
def test_any_sequence_of_moves_ends_with_what_the_final_date_calls_for(
    database_url: str, endpoint: HttpEndpoint, seed: int, code: str, occurrence: int | None
) -> None:
    """Random moves of a deadline (a stage's, or one date of a recurring stage) among a few
    dates, so that it often comes back to one it had, with sweeps between them: afterwards
    nothing is queued for a date that is not the deadline, and everything the deadline calls
    for today is queued or was sent (a reminder sent before a move stays sent)."""
    chance = random.Random(seed)
    school = School(endpoint)
    close_prerequisites(school.program_id, code)
    day = date(2026, 12, 10)
    act(school.program_id, code, Action.START, at(day, 9))
    candidates = [day + timedelta(days=n) for n in (2, 3, 6)]
    due = None
    for step in range(chance.randint(2, 7)):
        day += timedelta(days=chance.random() < 0.3)
        if chance.random() < 0.7:
            due = chance.choice(candidates[:2] if chance.random() < 0.8 else candidates)
            act(school.program_id, code, Action.RESCHEDULE, at(day, 11 + step % 5), due=due,
                occurrence=occurrence)  # fmt: skip
        if chance.random() < 0.8:
            sweep_queue(at(day, 16))
            with database.session() as db:  # some go out, as a sweep would send them
                queued = db.exec(
                    select(OutboxMessage).where(OutboxMessage.status == "queued")
                ).all()
                for message in queued:
                    if chance.random() < 0.2:
                        message.status = "sent"
                        db.add(message)
    sweep_queue(at(day, 17))
    with database.session() as db:
        stage = db.exec(
            select(Stage).where(Stage.program_id == school.program_id, Stage.code == code)
        ).one()
        if occurrence is None:
            final = stage.due_date
        else:
            final = db.exec(
                select(StageOccurrence.due_date).where(
                    StageOccurrence.stage_id == stage.id, StageOccurrence.seq == occurrence
                )
            ).one()
    assert due is None or final == due
    rows = [m for m in messages(school.program_id, code) if m.occurrence_seq == occurrence]
    queued_dates = {m.due_date for m in rows if m.status == "queued" and m.kind != "invitation"}
    assert queued_dates <= {final}, (seed, queued_dates, final)
    for kind, days in expected(school.program_id, day, final):
        # Everyone who hears this kind of notice of this deadline has it queued or sent.
        hears = {m.person_id for m in rows if m.kind == kind}
        has = {m.person_id for m in rows if m.status in ("queued", "sent") and m.kind == kind
               and m.due_date == final and m.key.split("/")[5] == str(days)}  # fmt: skip
        assert hears and has == hears, (seed, kind, days, hears, has)


# --- 2. dates of recurring stages are watched like stages --------------------------------


def test_a_date_of_regular_meetings_that_passes_gets_its_overdue_notice_and_escalation(
    database_url: str, endpoint: HttpEndpoint
) -> None:
    school = School(endpoint)
    close_prerequisites(school.program_id, "regular_meetings")
    act(school.program_id, "regular_meetings", Action.START, datetime(2026, 12, 10, 9))
    first = date(2026, 12, 22)  # week 16 of a program started on 1 September
    sweep_queue(at(first + timedelta(days=1), 10))
    overdue = [m for m in messages(school.program_id, "regular_meetings") if m.kind == "overdue"]
    assert {(m.occurrence_seq, m.due_date) for m in overdue} == {(1, first)}
    assert len(overdue) == 3  # the pair and the curator
    sweep_queue(at(first + timedelta(days=3), 10))
    escalated = [
        m for m in messages(school.program_id, "regular_meetings") if m.kind == "escalation"
    ]
    with database.session() as db:
        coordinator = db.exec(select(Coordinator.person_id)).one()
    assert [(m.occurrence_seq, m.person_id) for m in escalated] == [(1, coordinator)]


# --- 6. who hears before a stage starts --------------------------------------------------


def test_until_a_stage_starts_only_its_curator_is_reminded(
    database_url: str, endpoint: HttpEndpoint
) -> None:
    school = School(endpoint)
    close_prerequisites(school.program_id, "first_meeting")  # may start; not started
    due = date(2026, 12, 1)
    sweep_queue(at(due - timedelta(days=3), 10))
    heard = {m.person_id for m in messages(school.program_id, "first_meeting")}
    assert heard == {school.people["curator/1"]}
    assert recipient_roles(BY_CODE["first_meeting"], NoticeKind.REMINDER, started=False) == {
        Role.CURATOR
    }
    act(school.program_id, "first_meeting", Action.START, at(due - timedelta(days=2), 9))
    sweep_queue(at(due - timedelta(days=1), 10))
    reminded = {
        m.person_id
        for m in messages(school.program_id, "first_meeting")
        if m.kind == "reminder" and m.due_date == due and m.key.split("/")[5] == "1"
    }
    assert reminded == {school.people["mentor/1"], school.people["mentee/1"]}


# --- 3. leases on the real clock ---------------------------------------------------------


def queue_invitations(endpoint: HttpEndpoint, mentors: int = 3) -> School:
    school = School(endpoint, mentors=mentors)
    close_prerequisites(school.program_id, "first_meeting")
    act(school.program_id, "first_meeting", Action.START, at(date(2026, 11, 24), 9))
    return school


def test_a_sweep_at_a_past_or_future_now_never_takes_rows_another_holds(
    database_url: str, endpoint: HttpEndpoint
) -> None:
    queue_invitations(endpoint)
    moment = at(date(2026, 11, 24), 10)  # in the past by the real clock: a replayed day
    with database.session() as db:
        held = outbox.claim(db, moment, "past", 100)
    assert len(held) == 4
    for when in (moment, moment + timedelta(days=30)):  # a lease is never "over" in sim time
        with database.session() as db:
            assert outbox.claim(db, when, "other", 100) == []


def test_a_dead_sweeps_rows_return_after_the_real_lease_and_it_cannot_record_them(
    database_url: str, endpoint: HttpEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NASTAVNIK_CLAIM_LEASE", "1")
    queue_invitations(endpoint)
    future = at(date(2026, 11, 24), 10) + timedelta(days=30)
    with database.session() as db:
        dead = outbox.claim(db, future, "dead", 100)  # a sweep at a future now that dies
    time.sleep(1.2)
    with database.session() as db:
        taken = outbox.claim(db, at(date(2026, 11, 24), 10), "next", 100)
    assert {m.id for m in taken} == {m.id for m in dead}  # nothing stuck
    with database.session() as db:  # the dead one wakes up: its rows are no longer its own
        assert outbox.record(db, [Delivered(m.id, True, None) for m in dead], future, "dead") == (
            0,
            0,
            0,
        )
        assert outbox.record(db, [Delivered(m.id, True, None) for m in taken], future, "next") == (
            4,
            0,
            0,
        )


# --- 4. a message given up at its deadline is not retried ---------------------------------


def test_a_message_given_up_while_it_may_still_go_out_is_failed_not_retried(
    database_url: str, endpoint: HttpEndpoint
) -> None:
    """Delivery gave it up at its deadline while an abandoned worker may still send it: a
    retry could make it go twice, so it is failed at once (a curator may retry it by hand)."""
    queue_invitations(endpoint, mentors=1)
    moment = at(date(2026, 11, 24), 10)
    with database.session() as db:
        first, second = outbox.claim(db, moment, "sweep", 2)
    with database.session() as db:
        counts = outbox.record(
            db,
            [Delivered(first.id, False, "timed out after 15 s", uncertain=True),
             Delivered(second.id, False, "HTTP 503")],
            moment,
            "sweep",
        )  # fmt: skip
    assert counts == (0, 1, 1)
    with database.session() as db:
        assert db.get(OutboxMessage, first.id).status == "failed"  # type: ignore[union-attr]
        later = outbox.claim(db, moment + timedelta(hours=1), "later", 100)
    assert first.id not in {m.id for m in later} and second.id in {m.id for m in later}


# --- a naive now is each organisation's own wall clock ----------------------------------


def test_a_sweep_at_a_naive_now_reads_it_as_each_schools_wall_clock(
    database_url: str, endpoint: HttpEndpoint
) -> None:
    """`reminders run --now 2026-11-30T17:00`: 17:00 on 30 November in Moscow and in
    Vladivostok alike, so both schools' first meetings (due 1 December) are one day away and
    their people are reminded, and both may be sent (within 9-18). Read as UTC, it would be
    3 a.m. on the due date in Vladivostok: no reminder there, and nothing sendable."""
    schools = [
        School(endpoint, tz="Europe/Moscow", slug="moscow"),
        School(endpoint, tz="Asia/Vladivostok", name="Школа № 2", slug="vladivostok"),
    ]
    for school in schools:
        close_prerequisites(school.program_id, "first_meeting")
        act(school.program_id, "first_meeting", Action.START, datetime(2026, 11, 20, 9))
    naive = datetime(2026, 11, 30, 17)
    sweep_queue(naive)
    for school in schools:
        reminded = {
            m.person_id
            for m in messages(school.program_id, "first_meeting")
            if m.kind == "reminder" and m.key.split("/")[5] == "1"
        }
        assert reminded == {school.people["mentor/1"], school.people["mentee/1"]}
    with database.session() as db:
        claimed = outbox.claim(db, naive, "naive", 100)
    assert {m.id for m in claimed} >= {
        m.id for school in schools for m in messages(school.program_id, "first_meeting")
        if m.kind == "reminder"
    }  # fmt: skip
