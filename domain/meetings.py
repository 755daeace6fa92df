"""Meetings of pairs and groups as their participants report them: a mentor or a mentee marks
on their personal page that a meeting took place (one stage of meetings, or one date of the
regular ones), and the curator sees how many have marked each.

A mark is the participant's word, kept apart from the stage's state: the curator still closes
the stage, knowing who has met and who has not.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from domain.consents import may_process
from domain.errors import InvalidInput, NotFound, TransitionRefused
from domain.models import MeetingMark, Person, Program, ProgramRole, Stage, StageOccurrence
from domain.organisations import effective_timezone, get_organisation
from domain.program_roadmap import definition_of
from domain.roadmap import Role, StageKind
from domain.schedule import local_today
from domain.states import CLOSED, StageState
from domain.wording import day_text

WHOLE_STAGE = 0  # occurrence_seq of a meeting stage that has one date
PARTICIPANTS = (Role.MENTOR.value, Role.MENTEE.value)


def is_pair_meeting(stage: Stage) -> bool:
    """A stage whose meetings the pairs or groups hold themselves (first, trial, planning,
    regular and final meetings), as opposed to the curator's group meetings."""
    definition = definition_of(stage)
    return definition.kind == StageKind.MEETING and Role.PAIR in definition.who


@dataclass(frozen=True)
class MeetingSlot:
    """A meeting a participant may mark: the stage (seq 0) or one date of a recurring one."""

    stage_id: int
    seq: int
    due_date: date
    marked_on: date | None


def open_slots(db: Session, stage: Stage, person_id: int, today: date) -> list[MeetingSlot]:
    """What a participant may mark at a started stage of pair meetings: the stage itself, or
    each open date of a recurring stage up to the next one ahead (later ones are not due)."""
    if not is_pair_meeting(stage) or stage.state != StageState.ACTIVE.value:
        return []
    assert stage.id is not None
    marks = {
        m.occurrence_seq: m.held_on
        for m in db.exec(
            select(MeetingMark).where(
                MeetingMark.stage_id == stage.id, MeetingMark.person_id == person_id
            )
        ).all()
    }
    if definition_of(stage).recurrence is None:
        return [MeetingSlot(stage.id, WHOLE_STAGE, stage.due_date, marks.get(WHOLE_STAGE))]
    slots = []
    for occurrence in _occurrences(db, stage.id):
        if StageState(occurrence.state) in CLOSED:
            continue
        slots.append(
            MeetingSlot(stage.id, occurrence.seq, occurrence.due_date, marks.get(occurrence.seq))
        )
        if occurrence.due_date >= today:
            break
    return slots


def mark_held(
    db: Session, person: Person, stage_id: int, seq: int, held_on: date | None, *, now: datetime
) -> MeetingMark:
    """Record that ``person`` met their pair or group at this meeting on ``held_on`` (today, in
    the program's organisation, when None); marking
    again corrects the date. Refused in Russian for a stage that is not theirs, not started or
    closed, a date of it that is not open, a date ahead or before the program, and for a
    person without a valid consent to processing their data."""
    stage = db.get(Stage, stage_id)
    assert person.id is not None
    if stage is None or stage.dropped_at is not None or not _takes_part(db, person.id, stage):
        raise NotFound("Такой встречи нет среди ваших этапов")
    title = definition_of(stage).title
    program = db.get_one(Program, stage.program_id)
    today = local_today(now, effective_timezone(db, get_organisation(db, program.org_id)))
    if not may_process(db, person.id, today):
        raise TransitionRefused(
            "Отметить встречу нельзя: нет действующего согласия на обработку персональных "
            "данных — обратитесь к куратору программы"
        )
    allowed = {slot.seq for slot in open_slots(db, stage, person.id, today)}
    if seq not in allowed:
        raise TransitionRefused(
            f"Встречу «{title}» сейчас отметить нельзя: этап не начат или уже закрыт"
            if not allowed
            else f"Дата №{seq} этапа «{title}» не открыта для отметки"
        )
    held_on = held_on or today
    if held_on > today:
        raise InvalidInput(
            f"Дата встречи {day_text(held_on)} ещё не наступила: укажите день, когда она прошла"
        )
    if held_on < program.start_date:
        raise InvalidInput(
            f"Дата встречи {day_text(held_on)} раньше начала программы "
            f"({day_text(program.start_date)})"
        )
    mark = db.exec(
        select(MeetingMark).where(
            MeetingMark.stage_id == stage_id,
            MeetingMark.occurrence_seq == seq,
            MeetingMark.person_id == person.id,
        )
    ).first() or MeetingMark(stage_id=stage_id, occurrence_seq=seq, person_id=person.id,
                             held_on=held_on, marked_at=now)  # fmt: skip
    mark.held_on = held_on
    mark.marked_at = now
    db.add(mark)
    db.flush()
    return mark


def marks_by_date(db: Session, stage_id: int) -> dict[int, int]:
    """How many participants marked each date of a stage (seq 0: a stage of one date)."""
    seqs = db.exec(select(MeetingMark.occurrence_seq).where(MeetingMark.stage_id == stage_id))
    return dict(Counter(seqs.all()))


def _takes_part(db: Session, person_id: int, stage: Stage) -> bool:
    role = db.exec(
        select(ProgramRole.id).where(
            ProgramRole.program_id == stage.program_id,
            ProgramRole.person_id == person_id,
            col(ProgramRole.role).in_(PARTICIPANTS),
        )
    ).first()
    return role is not None and is_pair_meeting(stage)


def _occurrences(db: Session, stage_id: int) -> list[StageOccurrence]:
    query = select(StageOccurrence).where(StageOccurrence.stage_id == stage_id)
    return list(db.exec(query.order_by(col(StageOccurrence.seq))).all())
