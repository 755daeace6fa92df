"""Participants mark meetings held (domain/meetings.py): at a started stage of pair meetings
only; for regular meetings each open date up to the next one ahead; never a date to come, one
the curator closed, or someone else's meeting. SQLite and PostgreSQL; real flow runs start and
close the stages."""

from __future__ import annotations

import asyncio
from datetime import date, datetime

import pytest
from factories import SETUP_TIME, close_prerequisites, consented, program
from sqlmodel import select

from domain import database
from domain.errors import InvalidInput, NotFound, TransitionRefused
from domain.meetings import mark_held, marks_by_date, open_slots
from domain.models import OutboxMessage, Person, Stage
from domain.people import add_person, assign
from domain.programs import program_view
from domain.states import Action
from flows.actions import act_on_stage
from notifications.outbox import enqueue_due

pytestmark = pytest.mark.usefixtures("prefect_api")
# 10:00 in Moscow on 1 February 2027, halfway through the regular meetings (every two weeks
# from week 16 of a program started on 1 September 2026: ..., 19.01, 02.02, 16.02, ...).
NOW = datetime.fromisoformat("2027-02-01T10:00+03:00")


@pytest.fixture
def meetings(database_url: str) -> dict[str, int]:
    shown = program()
    with database.session() as db:
        people = {
            who: add_person(db, org_id=shown.org_id, name=who, contacts=[f"mailto://{who}@s.ru"],
                            now=SETUP_TIME).id
            for who in ("mentor", "mentee", "teacher")
        }  # fmt: skip
        assign(db, program_id=shown.id, person_id=people["mentor"], role="mentor")
        assign(db, program_id=shown.id, person_id=people["mentee"], role="mentee")
    consented(*people.values())
    close_prerequisites(shown.id, "regular_meetings")
    asyncio.run(act_on_stage(shown.id, "regular_meetings", Action.START, actor="curator", now=NOW))
    with database.session() as db:
        stage = db.query(Stage).filter_by(program_id=shown.id, code="regular_meetings").one()
    return {**people, "program": shown.id, "stage": stage.id}


def slots(person_id: int, stage_id: int, today: date) -> list[tuple[int, date]]:
    with database.session() as db:
        stage = db.get_one(Stage, stage_id)
        return [(s.seq, s.due_date) for s in open_slots(db, stage, person_id, today)]


def mark(person_id: int, stage_id: int, seq: int, held_on: date | None) -> None:
    with database.session() as db:
        mark_held(db, db.get_one(Person, person_id), stage_id, seq, held_on, now=NOW)


def test_regular_meetings_offer_each_open_date_up_to_the_next_one(
    meetings: dict[str, int],
) -> None:
    offered = slots(meetings["mentor"], meetings["stage"], NOW.date())
    assert [due for _, due in offered][-2:] == [date(2027, 1, 19), date(2027, 2, 2)]
    assert all(due < NOW.date() for _, due in offered[:-1])  # only the next date ahead
    first, ahead = offered[0][0], offered[-1][0]
    mark(meetings["mentor"], meetings["stage"], first, date(2026, 12, 14))
    mark(meetings["mentee"], meetings["stage"], first, None)  # today
    mark(meetings["mentor"], meetings["stage"], ahead, None)  # a date ahead, met early
    with database.session() as db:
        assert marks_by_date(db, meetings["stage"]) == {first: 2, ahead: 1}
        # The curator's roadmap shows it per date, of the program's two participants.
        [stage] = [s for s in program_view(db, meetings["program"], NOW).stages
                   if s.code == "regular_meetings"]  # fmt: skip
        marked = {o.seq: o.meetings_marked for o in stage.occurrences}
        assert (marked[first], marked[ahead], marked[ahead + 1]) == (2, 1, 0)
        assert stage.meetings_expected == 2

    later = ahead + 1
    with pytest.raises(TransitionRefused, match=f"Дата №{later} .* не открыта"):
        mark(meetings["mentor"], meetings["stage"], later, None)
    with pytest.raises(InvalidInput, match="ещё не наступила"):
        mark(meetings["mentor"], meetings["stage"], first, date(2027, 2, 2))
    with pytest.raises(InvalidInput, match="раньше начала программы"):
        mark(meetings["mentor"], meetings["stage"], first, date(2026, 8, 31))


def test_a_date_the_curator_closed_is_no_longer_offered_or_markable(
    meetings: dict[str, int],
) -> None:
    first = slots(meetings["mentor"], meetings["stage"], NOW.date())[0][0]
    asyncio.run(
        act_on_stage(meetings["program"], "regular_meetings", Action.COMPLETE,
                     actor="curator", now=NOW, occurrence=first)
    )  # fmt: skip
    assert first not in [seq for seq, _ in slots(meetings["mentor"], meetings["stage"], NOW.date())]
    with pytest.raises(TransitionRefused, match="не открыта"):
        mark(meetings["mentor"], meetings["stage"], first, None)


def test_only_the_programs_mentors_and_mentees_mark_its_meetings(
    meetings: dict[str, int],
) -> None:
    first = slots(meetings["mentor"], meetings["stage"], NOW.date())[0][0]
    with pytest.raises(NotFound, match="Такой встречи нет"):
        mark(meetings["teacher"], meetings["stage"], first, None)
    with database.session() as db:
        curator_stage = (
            db.query(Stage).filter_by(program_id=meetings["program"], code="group_meeting").one()
        )  # the curator's meeting, not the pairs'
        assert open_slots(db, curator_stage, meetings["mentor"], NOW.date()) == []
        assert marks_by_date(db, meetings["stage"]) == {}


def test_who_marked_a_meeting_is_not_reminded_of_it_and_the_others_are(
    meetings: dict[str, int],
) -> None:
    """The next date (02.02) is a day ahead at NOW: its reminder is due. The mentor met the
    mentee early and marked it; only the mentee, who did not, is reminded."""
    offered = slots(meetings["mentor"], meetings["stage"], NOW.date())
    ahead = offered[-1][0]
    mark(meetings["mentor"], meetings["stage"], ahead, None)
    with database.session() as db:
        enqueue_due(db, NOW)
        reminded = {
            (m.person_id, m.kind)
            for m in db.exec(
                select(OutboxMessage).where(
                    OutboxMessage.stage_id == meetings["stage"],
                    OutboxMessage.occurrence_seq == ahead,
                )
            ).all()
        }
    assert reminded == {(meetings["mentee"], "reminder")}
