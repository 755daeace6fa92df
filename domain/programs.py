"""Programs: creating one instantiates its 34 stages from the catalogue; the roadmap view."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, func, select

from domain import inputs, settings
from domain.consents import consent_progress
from domain.errors import InvalidInput, NotFound
from domain.forms import FORMS, form_code
from domain.meetings import is_pair_meeting, marks_by_date
from domain.models import (
    TERRITORIES,
    AuditEntry,
    EntryStatus,
    OrgKind,
    OutboxMessage,
    OutboxStatus,
    Person,
    Program,
    ProgramRole,
    Stage,
)
from domain.models import StageOccurrence as Occurrence
from domain.organisations import effective_timezone, get_organisation
from domain.program_roadmap import definition_of, stage_columns
from domain.roadmap import ROLE_LABELS, Role, current_catalogue
from domain.schedule import (
    as_moment,
    days_overdue,
    due_date,
    local_today,
    occurrence_dates,
    zone,
)
from domain.states import CLOSED, STATE_LABELS, StageState


@dataclass(frozen=True)
class OccurrenceView:
    seq: int
    state: str
    state_label: str
    due_date: date
    days_overdue: int
    meetings_marked: int | None = None  # participants who marked this date's meeting held


@dataclass(frozen=True)
class StageView:
    number: int
    code: str
    title: str
    name: str
    phase: int
    kind: str
    who: list[str]  # role codes
    who_labels: list[str]
    requires: list[str]
    state: str
    state_label: str
    due_date: date
    days_overdue: int
    started_at: datetime | None
    finished_at: datetime | None
    occurrences: list[OccurrenceView] = field(default_factory=list)
    occurrences_closed: int = 0
    # Stages that collect consents (5, 6, 10): collected against expected, today.
    consents_collected: int | None = None
    consents_expected: int | None = None
    # Meetings of pairs (21-24, 26): participants who marked the stage's meeting held on their
    # pages (for regular meetings, per date), of the program's mentors and mentees.
    meetings_marked: int | None = None
    meetings_expected: int | None = None


@dataclass(frozen=True)
class ProgramView:
    id: int
    org_id: int
    org_name: str
    timezone: str
    title: str
    forms: list[str]
    form_labels: list[str]
    role_model: str | None
    start_date: date
    end_date: date
    curator: str | None  # the name of its curator (a person with the curator role)
    curator_id: int | None
    roadmap_version: int  # of the catalogue its roadmap was copied from
    stages_total: int
    stages_closed: int
    stages_overdue: int
    current: list[str]  # codes of the active stages
    messages_failed: int  # outbox messages given up on: the curator should look
    stages: list[StageView] = field(default_factory=list)


# Days before a deadline that a reminder may go, and after it that an escalation may.
NOTICE_DAYS = (1, 60)


def create_program(
    db: Session,
    *,
    org_id: int,
    title: str,
    now: datetime,
    actor: str,
    forms: list[str] | None = None,
    role_model: str | None = None,
    start: date | None = None,
    end: date | None = None,
    curator: int | None = None,
    reminder_days: list[int] | None = None,
    escalation_days: int | None = None,
) -> ProgramView:
    """A new program with its own copy of the current roadmap catalogue (34 stages), each due
    ``week`` weeks after ``start`` (local dates)."""
    org = get_organisation(db, org_id)
    if OrgKind(org.kind) in TERRITORIES:
        raise InvalidInput(
            f"«{org.name}» — это территория, а программа наставничества принадлежит "
            "образовательной или партнёрской организации"
        )
    title = inputs.text(title, "«название программы» (--title)", inputs.NAME)
    role_model = inputs.optional_text(role_model, "«ролевая модель» (--role-model)", inputs.REASON)
    if curator is not None:
        person = db.get(Person, inputs.identifier(curator, "куратора"))
        if person is None:
            raise NotFound(
                f"Куратор — человек с номером {curator} — не найден (nastavnik person list)"
            )
    codes = list(dict.fromkeys(form_code(form) for form in forms or []))
    tz = effective_timezone(db, org)
    now = as_moment(now, tz)
    start = start or local_today(now, tz)
    version, stages = current_catalogue()
    end = end or due_date(start, max(stage.week for stage in stages))
    if end < start:
        raise InvalidInput(
            f"Дата окончания {end:%d.%m.%Y} раньше даты начала {start:%d.%m.%Y} (--end)"
        )
    if reminder_days is None:
        reminder_days = list(settings.current().reminder_days)
    reminders = sorted(set(reminder_days), reverse=True)
    low, high = NOTICE_DAYS
    if any(days < low or days > high for days in reminders):
        raise InvalidInput(
            f"Напоминания задаются в днях до срока, от {low} до {high} (--remind 3,1)"
        )
    if escalation_days is not None and not low <= escalation_days <= high:
        raise InvalidInput(
            f"Передача координатору — через {low}-{high} дней просрочки (--escalate-after)"
        )
    program = Program(
        org_id=org_id,
        reminder_days=reminders,
        escalation_days=escalation_days or settings.current().escalation_days,
        title=title.strip(),
        forms=codes,
        role_model=(role_model or "").strip() or None,
        start_date=start,
        end_date=end,
        roadmap_version=version,
        created_at=now,
    )
    db.add(program)
    db.flush()
    assert program.id is not None
    for definition in stages:
        stage = Stage(
            program_id=program.id,
            due_date=due_date(start, definition.week),
            **stage_columns(definition),
        )
        db.add(stage)
        if definition.recurrence:
            db.flush()
            assert stage.id is not None
            dates = occurrence_dates(start, definition.recurrence, definition.week)
            for seq, day in enumerate(dates, start=1):
                db.add(Occurrence(stage_id=stage.id, seq=seq, due_date=day))
    if curator is not None:
        db.add(ProgramRole(program_id=program.id, person_id=curator, role=Role.CURATOR.value))
    db.add(
        AuditEntry(
            program_id=program.id,
            action="create",
            to_value=start.isoformat(),
            actor=actor,
            status=EntryStatus.APPLIED,
            requested_at=now,
            effective_at=now,
        )
    )
    db.flush()
    return program_view(db, program.id, now)


def get_program(db: Session, program_id: int) -> Program:
    program = db.get(Program, inputs.identifier(program_id, "программы"))
    if program is None:
        raise NotFound(
            f"Программа с номером {program_id} не найдена (список: nastavnik program list)"
        )
    return program


def program_timezone(db: Session, program_id: int) -> str:
    """The IANA zone a program's dates are in: its organisation's."""
    return effective_timezone(db, get_organisation(db, get_program(db, program_id).org_id))


def program_stages(db: Session, program_id: int) -> list[Stage]:
    """The stages of a program's roadmap, in order; not those its curator dropped."""
    query = (
        select(Stage)
        .where(Stage.program_id == program_id, col(Stage.dropped_at).is_(None))
        .order_by(col(Stage.number))
    )
    return list(db.exec(query).all())


def stage_occurrences(db: Session, stage_id: int) -> list[Occurrence]:
    query = select(Occurrence).where(Occurrence.stage_id == stage_id).order_by(col(Occurrence.seq))
    return list(db.exec(query).all())


def list_programs(db: Session, now: datetime, org_id: int | None = None) -> list[ProgramView]:
    query = select(Program.id).order_by(col(Program.id))
    if org_id is not None:
        get_organisation(db, org_id)
        query = query.where(Program.org_id == org_id)
    return [program_view(db, pid, now, with_stages=False) for pid in db.exec(query).all() if pid]


def program_view(
    db: Session, program_id: int, now: datetime, *, with_stages: bool = True
) -> ProgramView:
    """The program and its roadmap as seen at ``now`` in the organisation's time zone."""
    program = get_program(db, program_id)
    org = get_organisation(db, program.org_id)
    tz = effective_timezone(db, org)
    now = as_moment(now, tz)
    participants = _participants(db, program_id)  # read once, not once per meeting stage
    stages = [
        _stage_view(db, stage, now, tz, participants) for stage in program_stages(db, program_id)
    ]
    curator_person = _curator(db, program_id)
    assert program.id is not None
    return ProgramView(
        id=program.id,
        org_id=program.org_id,
        org_name=org.name,
        timezone=tz,
        title=program.title,
        forms=list(program.forms),
        form_labels=[FORMS[code] for code in program.forms],
        role_model=program.role_model,
        start_date=program.start_date,
        end_date=program.end_date,
        curator=curator_person.name if curator_person else None,
        curator_id=curator_person.id if curator_person else None,
        roadmap_version=program.roadmap_version,
        stages_total=len(stages),
        stages_closed=sum(1 for s in stages if StageState(s.state) in CLOSED),
        stages_overdue=sum(1 for s in stages if s.days_overdue),
        current=[s.code for s in stages if s.state == StageState.ACTIVE],
        messages_failed=_failed_messages(db, program.id),
        stages=stages if with_stages else [],
    )


def _stage_view(db: Session, stage: Stage, now: datetime, tz: str, participants: int) -> StageView:
    definition = definition_of(stage)
    state = StageState(stage.state)
    assert stage.id is not None
    marks = marks_by_date(db, stage.id) if is_pair_meeting(stage) else None
    occurrences = []
    if definition.recurrence:
        occurrences = [
            OccurrenceView(
                seq=occ.seq,
                state=occ.state,
                state_label=STATE_LABELS[StageState(occ.state)],
                due_date=occ.due_date,
                days_overdue=_overdue(StageState(occ.state), occ.due_date, now, tz),
                meetings_marked=marks.get(occ.seq, 0) if marks is not None else None,
            )
            for occ in stage_occurrences(db, stage.id)
        ]
    progress = consent_progress(db, stage.program_id, stage.code, local_today(now, tz))
    return StageView(
        number=stage.number,
        code=stage.code,
        title=definition.title,
        name=definition.name,
        phase=definition.phase,
        kind=definition.kind.value,
        who=[role.value for role in definition.who],
        who_labels=[ROLE_LABELS[role] for role in definition.who],
        requires=list(definition.requires),
        state=state.value,
        state_label=STATE_LABELS[state],
        due_date=stage.due_date,
        days_overdue=_overdue(state, stage.due_date, now, tz),
        # Moments as the organisation reads them (stored in UTC).
        started_at=stage.started_at.astimezone(zone(tz)) if stage.started_at else None,
        finished_at=stage.finished_at.astimezone(zone(tz)) if stage.finished_at else None,
        occurrences=occurrences,
        occurrences_closed=sum(1 for o in occurrences if StageState(o.state) in CLOSED),
        consents_collected=progress.collected if progress else None,
        consents_expected=progress.expected if progress else None,
        meetings_marked=marks.get(0, 0) if marks is not None and not occurrences else None,
        meetings_expected=participants if marks is not None else None,
    )


def _participants(db: Session, program_id: int) -> int:
    query = select(func.count(func.distinct(ProgramRole.person_id))).where(
        ProgramRole.program_id == program_id,
        col(ProgramRole.role).in_([Role.MENTOR.value, Role.MENTEE.value]),
    )
    return int(db.exec(query).one())


def _curator(db: Session, program_id: int) -> Person | None:
    """The program's curator: the first person given the role."""
    query = (
        select(Person)
        .join(ProgramRole, col(ProgramRole.person_id) == col(Person.id))
        .where(ProgramRole.program_id == program_id, ProgramRole.role == Role.CURATOR.value)
        .order_by(col(ProgramRole.id))
    )
    return db.exec(query).first()


def _failed_messages(db: Session, program_id: int) -> int:
    query = select(func.count()).where(
        OutboxMessage.program_id == program_id, OutboxMessage.status == OutboxStatus.FAILED.value
    )
    return int(db.exec(query).one())


def _overdue(state: StageState, due: date, now: datetime, tz: str) -> int:
    return 0 if state in CLOSED else days_overdue(due, now, tz)
