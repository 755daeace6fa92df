"""What a person sees on their own page, opened from their personal link: the programs they
take part in, the stages that are theirs with their deadlines, the meetings they may mark, the
open questionnaires addressed to them and whether they have answered, and, for a legal
representative, the minors whose consent they give. Nothing about anyone else."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, select

from domain.consents import allowed
from domain.meetings import MeetingSlot, open_slots
from domain.models import Person, ProgramRole, Stage
from domain.notices import NoticeKind, recipient_roles
from domain.organisations import effective_timezone, get_organisation
from domain.participants import represented
from domain.program_roadmap import definition_of
from domain.programs import get_program, program_stages, program_timezone
from domain.roadmap import ROLE_LABELS, Role
from domain.schedule import days_overdue, local_today
from domain.states import CLOSED, STATE_LABELS, StageState
from domain.surveys import answered_on, open_questionnaires_for

PARTICIPANTS = frozenset({Role.MENTOR, Role.MENTEE})


@dataclass(frozen=True)
class PersonalStage:
    number: int
    title: str
    name: str
    state_label: str
    due_date: date
    days_overdue: int
    meetings: list[MeetingSlot]


@dataclass(frozen=True)
class PersonalProgram:
    id: int
    title: str
    org_name: str
    role_labels: list[str]
    # A mentor or mentee without a valid consent sees no stages: their data is not processed.
    consent_missing: bool
    stages: list[PersonalStage] = field(default_factory=list)
    # Once stage 20 fixed the pairs: «Ваш наставник», «Ваши наставляемые» and their names.
    partners: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)


@dataclass(frozen=True)
class PersonalQuestionnaire:
    """An open questionnaire the person is asked to answer (app/web/questionnaire_pages.py)."""

    id: int
    title: str
    program_title: str
    stage_number: int
    stage_title: str
    due_date: date
    answered_on: date | None  # the day of their last answers, in the program's zone


@dataclass(frozen=True)
class Represented:
    name: str
    consent_given: bool


@dataclass(frozen=True)
class PersonalPage:
    name: str
    today: date  # in the person's organisation: dates ahead of it cannot be marked
    programs: list[PersonalProgram]
    represented: list[Represented]
    questionnaires: list[PersonalQuestionnaire] = field(default_factory=list)


def personal_page(db: Session, person: Person, now: datetime) -> PersonalPage:
    assert person.id is not None
    roles_by_program: dict[int, set[Role]] = {}
    for program_id, role in db.exec(
        select(ProgramRole.program_id, ProgramRole.role)
        .where(ProgramRole.person_id == person.id)
        .order_by(col(ProgramRole.id))
    ).all():
        roles_by_program.setdefault(program_id, set()).add(Role(role))
    programs = [
        _program(db, person.id, program_id, roles, now)
        for program_id, roles in roles_by_program.items()
    ]
    minors = represented(db, person.id)
    today = local_today(now, effective_timezone(db, get_organisation(db, person.org_id)))
    consenting = allowed(db, [m.id for m in minors if m.id is not None], today)
    return PersonalPage(
        name=person.name,
        today=today,
        programs=programs,
        represented=[Represented(m.name, m.id in consenting) for m in minors],
        questionnaires=_questionnaires(db, person.id, now),
    )


def _questionnaires(db: Session, person_id: int, now: datetime) -> list[PersonalQuestionnaire]:
    shown = []
    for found in open_questionnaires_for(db, person_id, now):
        assert found.row.id is not None
        shown.append(
            PersonalQuestionnaire(
                id=found.row.id,
                title=found.questionnaire.title,
                program_title=get_program(db, found.row.program_id).title,
                stage_number=found.stage.number,
                stage_title=found.stage.title,
                due_date=found.stage.due_date,
                answered_on=answered_on(db, found),
            )
        )
    return shown


def _program(
    db: Session, person_id: int, program_id: int, roles: set[Role], now: datetime
) -> PersonalProgram:
    program = get_program(db, program_id)
    assert program.id is not None
    tz = program_timezone(db, program_id)
    today = local_today(now, tz)
    consent_missing = bool(roles & PARTICIPANTS) and not allowed(db, [person_id], today)
    shown = PersonalProgram(
        id=program.id,
        title=program.title,
        org_name=get_organisation(db, program.org_id).name,
        role_labels=[ROLE_LABELS[r] for r in sorted(roles, key=list(Role).index)],
        consent_missing=consent_missing,
    )
    if consent_missing:
        return shown
    shown.partners.extend(_partners(db, program_id, person_id, roles))
    for stage in program_stages(db, program_id):
        if _is_theirs(stage, roles):
            shown.stages.append(_stage(db, stage, person_id, today, now, tz))
    shown.stages.sort(key=lambda s: (s.due_date, s.number))
    return shown


def _partners(
    db: Session, program_id: int, person_id: int, roles: set[Role]
) -> list[tuple[str, tuple[str, ...]]]:
    """Whom the person was paired with, once the order fixed the pairs (a proposal may still
    change, and is the curator's to show)."""
    if not roles & PARTICIPANTS:
        return []
    from domain import pairs  # numpy and scipy: only for a participant's page

    told = pairs.partners_of(db, program_id, person_id)
    found = []
    for role in (Role.MENTOR, Role.MENTEE):
        names = told.get((person_id, role), ())
        if names and role == Role.MENTEE:
            found.append(("Ваш наставник", names))
        elif names:
            found.append(("Ваш наставляемый" if len(names) == 1 else "Ваши наставляемые", names))
    return found


def _is_theirs(stage: Stage, roles: set[Role]) -> bool:
    """An open stage the person hears of in one of their roles (as the messages say)."""
    if stage.dropped_at is not None or StageState(stage.state) in CLOSED:
        return False
    return bool(recipient_roles(definition_of(stage), NoticeKind.OVERDUE) & roles)


def _stage(
    db: Session, stage: Stage, person_id: int, today: date, now: datetime, tz: str
) -> PersonalStage:
    definition = definition_of(stage)
    state = StageState(stage.state)
    return PersonalStage(
        number=stage.number,
        title=definition.title,
        name=definition.name,
        state_label=STATE_LABELS[state],
        due_date=stage.due_date,
        days_overdue=days_overdue(stage.due_date, now, tz),
        meetings=open_slots(db, stage, person_id, today),
    )
