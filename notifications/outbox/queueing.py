"""What the outbox queues and cancels: a stage's invitations when it starts, the reminders,
overdue notices and escalations due at a moment, and the unsent messages of a stage that closes
or moves. Each is rendered once (notifications/messages.py) and inserted under its unique key."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from domain import consents, surveys
from domain.errors import NotFound
from domain.meetings import is_pair_meeting
from domain.models import (
    AuditEntry,
    OutboxMessage,
    OutboxStatus,
    Person,
    Program,
    Stage,
    StageOccurrence,
)
from domain.notices import NoticeKind, notices_due, recipient_roles
from domain.organisations import resolve_organisations
from domain.participants import is_minor, representatives
from domain.person_links import public_url
from domain.program_roadmap import definition_of
from domain.roadmap import Role, StageDef
from domain.schedule import as_moment, local_today
from domain.states import Action, StageState
from domain.survey_links import make_token
from notifications.messages import MessageContext, render
from notifications.outbox.keys import message_key
from notifications.outbox.recipients import Directory, Recipient

OPEN = (StageState.PLANNED.value, StageState.ACTIVE.value)


@dataclass(frozen=True)
class _Due:
    """One notice of one stage (or one date of it), before it is addressed and rendered."""

    program: Program
    stage: Stage
    definition: StageDef
    occurrence: int | None
    due: date
    kind: NoticeKind
    days: int
    today: date


def _rows(directory: Directory, notices: Iterable[_Due], now: datetime) -> list[dict[str, Any]]:
    rows = []
    for notice in notices:
        program = notice.program
        assert program.id is not None and notice.stage.id is not None
        people = directory.recipients(
            program,
            recipient_roles(
                notice.definition,
                notice.kind,
                started=notice.stage.state != StageState.PLANNED.value,
            ),
            notice.today,
        )
        if notice.kind in (NoticeKind.REMINDER, NoticeKind.OVERDUE) and is_pair_meeting(
            notice.stage
        ):
            people = directory.not_met(people, notice.stage.id, notice.occurrence)
        if notice.kind == NoticeKind.REMINDER and notice.occurrence is None:
            known = {person.person_id for person in people}
            people += [
                person
                for person in directory.waiting(notice.stage.id, notice.today)
                if person.person_id not in known
            ]
        for person in people:
            key = message_key(
                program.id,
                notice.definition.code,
                notice.occurrence,
                person.person_id,
                notice.kind,
                notice.due,
                notice.days,
            )
            rows.append(
                {
                    "key": key,
                    "notice": notice,
                    "person": person,
                    "program_id": program.id,
                    "stage_id": notice.stage.id,
                }
            )
    return rows


def _new_only(db: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows whose key is not in the outbox yet, so that only they are rendered."""
    seen: set[str] = set()
    keys = [row["key"] for row in rows]
    for start in range(0, len(keys), 5000):
        chunk = keys[start : start + 5000]
        seen.update(
            db.exec(select(OutboxMessage.key).where(col(OutboxMessage.key).in_(chunk))).all()
        )
    fresh, taken = [], set()
    for row in rows:
        if row["key"] not in seen and row["key"] not in taken:
            taken.add(row["key"])
            fresh.append(row)
    return fresh


def _insert(db: Session, directory: Directory, rows: list[dict[str, Any]], now: datetime) -> int:
    """Render and insert; a key another sweep inserted meanwhile is skipped, not duplicated."""
    values = []
    pages = public_url() is not None  # messages will carry personal links: texts may say so
    for row in _new_only(db, rows):
        notice: _Due = row["notice"]
        person: Recipient = row["person"]
        program = notice.program
        queued_at = as_moment(now, directory.orgs[program.org_id].timezone)  # naive: local
        text = render(
            MessageContext(
                kind=notice.kind,
                recipient_name=person.name,
                role=person.role,
                program_title=program.title,
                org_name=directory.orgs[program.org_id].name,
                stage_number=notice.definition.number,
                stage_name=notice.definition.name,
                stage_kind=notice.definition.kind,
                due_date=notice.due,
                days_left=(notice.due - notice.today).days
                if notice.kind == NoticeKind.REMINDER
                else None,
                days_overdue=(notice.today - notice.due).days
                if notice.kind in (NoticeKind.OVERDUE, NoticeKind.ESCALATION)
                else None,
                occurrence=notice.occurrence,
                curator_name=directory.curator_name(program),
                about_name=row.get("about_name"),
                questionnaire_title=row.get("questionnaire_title"),
                link_token=row.get("link_token"),
                partners=row.get("partners"),
                personal_page=pages,
            )
        )
        values.append(
            {
                "key": row["key"],
                "program_id": row["program_id"],
                "stage_id": row["stage_id"],
                "occurrence_seq": notice.occurrence,
                "person_id": person.person_id,
                "org_id": person.org_id,
                "kind": notice.kind.value,
                "due_date": notice.due,
                "subject": text.subject,
                "body": text.body,
                "status": OutboxStatus.QUEUED.value,
                "attempts": 0,
                "next_attempt_at": queued_at,
                "created_at": queued_at,
            }
        )
    if not values:
        return 0
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    # One statement for all rows (SQLAlchemy batches it); RETURNING counts the rows really
    # inserted: a key another sweep inserted meanwhile returns nothing (rowcount would not
    # tell, psycopg reports -1 for this statement).
    statement = (
        dialect.insert(OutboxMessage.__table__)  # type: ignore[attr-defined]
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(sa.literal_column("id"))
    )
    return len(db.execute(statement, values).all())


def _stage_notice(
    db: Session, stage_id: int, kind: NoticeKind, now: datetime
) -> tuple[Directory, _Due]:
    """The stage's program read into a directory, and one notice of ``kind`` about the stage
    on the program's day at ``now``."""
    stage = db.get(Stage, stage_id)
    if stage is None:
        raise NotFound(f"Этап №{stage_id} не найден")
    directory = Directory(db, [stage.program_id])
    program = directory.programs[stage.program_id]
    today = local_today(now, directory.orgs[program.org_id].timezone)
    return directory, _Due(
        program, stage, definition_of(stage), None, stage.due_date, kind, 0, today
    )


def enqueue_invitations(db: Session, stage_id: int, now: datetime) -> int:
    """Invitations to the people a stage concerns, when it starts."""
    directory, notice = _stage_notice(db, stage_id, NoticeKind.INVITATION, now)
    return _insert(db, directory, _rows(directory, [notice], now), now)


def enqueue_consent_requests(db: Session, stage_id: int, now: datetime) -> int:
    """When a stage that collects consents starts: a consent request to each participant it
    asks who has no valid consent yet, or for a minor to each legal representative."""
    stage = db.get(Stage, stage_id)
    if stage is not None and stage.code not in consents.COLLECTED_AT:
        return 0  # before the program is read: most stages collect no consents
    directory, notice = _stage_notice(db, stage_id, NoticeKind.CONSENT_REQUEST, now)
    program, stage, today = notice.program, notice.stage, notice.today
    assert program.id is not None
    audience = consents.consent_audience(db, program.id, stage.code, today)
    have = consents.allowed(db, [p.id for p in audience if p.id is not None], today)
    role, _ = consents.COLLECTED_AT[stage.code]
    rows = []
    for person in audience:
        assert person.id is not None
        if person.id in have:
            continue
        minor = is_minor(person, today)
        for asked in representatives(db, person.id) if minor else [person]:
            assert asked.id is not None
            rows.append(
                {
                    "key": message_key(
                        program.id,
                        stage.code,
                        None,
                        asked.id,
                        NoticeKind.CONSENT_REQUEST,
                        stage.due_date,
                        0,
                        topic=f"about-{person.id}" if minor else None,
                    ),
                    "notice": notice,
                    "person": Recipient(asked.id, asked.name, asked.org_id, role),
                    "program_id": program.id,
                    "stage_id": stage.id,
                    "about_name": person.name if minor else None,
                }
            )
    return _insert(db, directory, rows, now)


def enqueue_questionnaires(db: Session, stage_id: int, now: datetime) -> int:
    """Each open questionnaire of a stage, with a personal link, to each person asked who has
    not answered it yet (its audience: domain/surveys.py)."""
    directory, notice = _stage_notice(db, stage_id, NoticeKind.QUESTIONNAIRE, now)
    program, stage, today = notice.program, notice.stage, notice.today
    assert program.id is not None and stage.id is not None
    rows = []
    for questionnaire in surveys.program_questionnaires(db, program.id, stage.id):
        assert questionnaire.id is not None
        answered = surveys.respondents(db, questionnaire.id)
        title = surveys.questionnaire_of(questionnaire).title
        for person in surveys.audience(db, questionnaire, today):
            assert person.id is not None
            if person.id in answered:
                continue
            key = message_key(
                program.id, stage.code, None, person.id, NoticeKind.QUESTIONNAIRE,
                stage.due_date, 0, topic=f"questionnaire-{questionnaire.id}",
            )  # fmt: skip
            role = Role(surveys.roles_of(surveys.questionnaire_of(questionnaire))[0])
            rows.append(
                {
                    "key": key,
                    "notice": notice,
                    "person": Recipient(person.id, person.name, person.org_id, role),
                    "program_id": program.id,
                    "stage_id": stage.id,
                    "questionnaire_title": title,
                    "link_token": make_token(questionnaire.id, person.id),
                }
            )
    return _insert(db, directory, rows, now)


def enqueue_pair_notices(db: Session, stage_id: int, now: datetime) -> int:
    """When stage 20 fixes the pairs: each mentor hears their mentees, each mentee their
    mentor (domain/pairs.py); once per fixed proposal."""
    from domain import pairs  # numpy and scipy: not for every command that touches the outbox

    directory, notice = _stage_notice(db, stage_id, NoticeKind.PAIR, now)
    program, stage = notice.program, notice.stage
    assert program.id is not None and stage.id is not None
    proposal = pairs.fixed_proposal(db, program.id)
    told = pairs.partners_of(db, program.id)
    wanted = {person_id for person_id, _ in told}
    people = {p.id: p for p in db.exec(select(Person).where(col(Person.id).in_(wanted))).all()}
    rows = []
    for (person_id, role), partners in told.items():
        person = people[person_id]
        key = message_key(
            program.id, stage.code, None, person_id, NoticeKind.PAIR, stage.due_date, 0,
            topic=f"pairs-{proposal.id}-{role.value}",
        )  # fmt: skip
        rows.append(
            {
                "key": key,
                "notice": notice,
                "person": Recipient(person_id, person.name, person.org_id, role),
                "program_id": program.id,
                "stage_id": stage.id,
                "partners": partners,
            }
        )
    return _insert(db, directory, rows, now)


def cancel_for_withdrawn(db: Session, person_id: int) -> int:
    """A consent withdrawn: the person's queued messages go nowhere, but consent requests."""
    statement = (
        sa.update(OutboxMessage)
        .where(
            col(OutboxMessage.person_id) == person_id,
            col(OutboxMessage.status) == OutboxStatus.QUEUED.value,
            col(OutboxMessage.kind) != NoticeKind.CONSENT_REQUEST.value,
        )
        .values(status=OutboxStatus.CANCELLED.value, key=_freed_key())
    )
    return int(db.execute(statement).rowcount)  # type: ignore[attr-defined]


def follow_up(db: Session, entry: AuditEntry) -> int:
    """The outbox's part of an applied stage action, in the action's own transaction:
    invitations when a stage starts; when it closes or is dropped from the program, its unsent
    messages are cancelled; when its deadline moves, those for the old deadline are. Returns
    how many rows changed."""
    assert entry.stage_id is not None
    if entry.action == Action.START and entry.occurrence_seq is None:
        return enqueue_invitations(db, entry.stage_id, entry.effective_at) + (
            enqueue_consent_requests(db, entry.stage_id, entry.effective_at)
        )
    new_due = (
        date.fromisoformat(entry.to_value)
        if entry.action == Action.RESCHEDULE and entry.to_value
        else None
    )
    return cancel_unsent(db, entry.stage_id, entry.occurrence_seq, new_due)


def enqueue_due(db: Session, now: datetime) -> int:
    """Reminders, overdue notices and escalations that are due at ``now``; returns how many new
    rows were queued (a second call at the same moment queues none)."""
    programs = db.exec(select(Program)).all()
    if not programs:
        return 0
    facts = resolve_organisations(db)
    today = {p.id: local_today(now, facts[p.org_id].timezone) for p in programs}
    horizon = max(today.values()) + timedelta(
        days=max(max(p.reminder_days or [0]) for p in programs)
    )
    stages = db.exec(
        select(Stage).where(
            col(Stage.state).in_(OPEN),
            col(Stage.due_date) <= horizon,
            col(Stage.dropped_at).is_(None),
        )
    ).all()
    dated = db.exec(
        select(StageOccurrence, Stage)
        .join(Stage, col(Stage.id) == col(StageOccurrence.stage_id))
        .where(
            col(Stage.state) == StageState.ACTIVE.value,
            col(StageOccurrence.state) == StageState.PLANNED.value,
            col(StageOccurrence.due_date) <= horizon,
        )
    ).all()
    by_id = {p.id: p for p in programs}
    notices: list[_Due] = []
    for stage in stages:
        program = by_id[stage.program_id]
        definition = definition_of(stage)
        if definition.recurrence and stage.state == StageState.ACTIVE.value:
            continue  # an active recurring stage is reminded of date by date, below
        for kind, days in notices_due(
            today[program.id], stage.due_date, program.reminder_days, program.escalation_days
        ):
            notices.append(
                _Due(
                    program, stage, definition, None, stage.due_date, kind, days, today[program.id]
                )
            )
    for occurrence, stage in dated:
        program = by_id[stage.program_id]
        for kind, days in notices_due(
            today[program.id], occurrence.due_date, program.reminder_days, program.escalation_days
        ):
            notices.append(
                _Due(
                    program,
                    stage,
                    definition_of(stage),
                    occurrence.seq,
                    occurrence.due_date,
                    kind,
                    days,
                    today[program.id],
                )
            )
    if not notices:
        return 0
    directory = Directory(db, {n.program.id for n in notices if n.program.id is not None})
    return _insert(db, directory, _rows(directory, notices, now), now)


def _freed_key() -> Any:
    """A cancelled row gives up its key: the key stands for what is still to be sent."""
    return col(OutboxMessage.key) + "~cancelled-" + sa.cast(col(OutboxMessage.id), sa.String)


def cancel_unsent(
    db: Session, stage_id: int, occurrence: int | None = None, except_due: date | None = None
) -> int:
    """Cancel queued messages that no longer apply: all of a stage that closed (its dates'
    too), or of one date that closed; or, given ``except_due``, the reminders and notices of a
    deadline that moved (the stage's own, or one date's: the other dates keep theirs), not
    its invitation.

    A cancelled row gives up its key (``…~cancelled-<id>``): the key stands for what is still
    to be sent, so that a deadline moved back calls for its reminders again."""
    statement = (
        sa.update(OutboxMessage)
        .where(
            col(OutboxMessage.stage_id) == stage_id,
            col(OutboxMessage.status) == OutboxStatus.QUEUED.value,
        )
        .values(status=OutboxStatus.CANCELLED.value, key=_freed_key())
    )
    if occurrence is not None:
        statement = statement.where(col(OutboxMessage.occurrence_seq) == occurrence)
    elif except_due is not None:
        statement = statement.where(col(OutboxMessage.occurrence_seq).is_(None))
    if except_due is not None:
        statement = statement.where(
            col(OutboxMessage.due_date) != except_due,
            col(OutboxMessage.kind) != NoticeKind.INVITATION.value,
        )
    return int(db.execute(statement).rowcount)  # type: ignore[attr-defined]
