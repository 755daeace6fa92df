"""The outbox: every message to be sent is a row with a unique key, so that enqueueing twice
makes one row and a sweep that is re-run or killed halfway sends nothing twice that it recorded
as sent, and loses nothing (a claimed row returns to the queue when its claim expires).

The rules of what is due and to whom are in domain/notices.py; the texts in messages.py; the
delivery in delivery.py. Rows hold names and texts, so nothing here is logged but ids and counts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from domain.contacts import with_passwords
from domain.errors import InvalidInput, NotFound, SecretKeyUnavailable, TransitionRefused
from domain.models import (
    OUTBOX_STATUS_LABELS,
    AuditEntry,
    Contact,
    Coordinator,
    OutboxMessage,
    OutboxStatus,
    Person,
    Program,
    ProgramRole,
    Stage,
    StageOccurrence,
)
from domain.notices import NOTICE_KIND_LABELS, NoticeKind, notices_due, recipient_roles
from domain.organisations import resolve_organisations
from domain.programs import get_program
from domain.roadmap import BY_CODE, Role, StageDef
from domain.schedule import local_today, zone
from domain.states import Action, StageState
from notifications import reasons
from notifications.delivery import Delivered, Outgoing, with_smtp
from notifications.messages import MessageContext, render

MAX_ATTEMPTS = 5
FIRST_RETRY = timedelta(minutes=5)  # then 10, 20, 40 minutes
CLAIM_LEASE = timedelta(minutes=10)  # a killed sweep's rows return to the queue after this
OPEN = (StageState.PLANNED.value, StageState.ACTIVE.value)
# A person with two roles hears once, in the first role of this order.
ROLE_ORDER = (Role.DIRECTOR, Role.CURATOR, Role.PSYCHOLOGIST, Role.MENTOR, Role.MENTEE)


@dataclass(frozen=True)
class OrgFacts:
    """An organisation's settings with inheritance from its parents resolved."""

    id: int
    name: str
    timezone: str
    hours: tuple[int, int]
    smtp: str | None  # its password masked: see _address
    smtp_password_encrypted: str | None
    ancestors: tuple[int, ...]  # itself first, then up to the top


@dataclass(frozen=True)
class Recipient:
    person_id: int
    name: str
    org_id: int
    role: Role


def org_facts(db: Session) -> dict[int, OrgFacts]:
    """Inheritance is domain/organisations.py's rule."""
    return {
        org_id: OrgFacts(
            id=org_id,
            name=org.name,
            timezone=org.timezone or "Europe/Moscow",
            hours=org.hours,
            smtp=org.smtp_url,
            smtp_password_encrypted=org.smtp_password_encrypted,
            ancestors=org.ancestors,
        )
        for org_id, org in resolve_organisations(db).items()
    }


def in_sending_hours(facts: OrgFacts, now: datetime) -> bool:
    start, until = facts.hours
    return start <= now.astimezone(zone(facts.timezone)).hour < until


def message_key(
    program_id: int,
    stage_code: str,
    occurrence: int | None,
    person_id: int,
    kind: NoticeKind,
    due: date,
    days: int,
) -> str:
    """What, to whom, for which deadline: the outbox's unique key."""
    return (
        f"{program_id}/{stage_code}/{occurrence or 0}/{person_id}/{kind.value}/{days}/"
        f"{due.isoformat()}"
    )


class _Directory:
    """Programs, roles and coordinators read once per sweep, not once per message."""

    def __init__(self, db: Session, program_ids: Iterable[int]) -> None:
        ids = sorted(set(program_ids))
        self.orgs = org_facts(db)
        self.programs = {
            p.id: p for p in db.exec(select(Program).where(col(Program.id).in_(ids))).all()
        }
        self.roles: dict[int, dict[Role, list[Recipient]]] = defaultdict(lambda: defaultdict(list))
        rows = db.execute(
            sa.select(
                col(ProgramRole.program_id),
                col(ProgramRole.role),
                col(Person.id),
                col(Person.name),
                col(Person.org_id),
            )
            .join(Person, col(Person.id) == col(ProgramRole.person_id))
            .where(col(ProgramRole.program_id).in_(ids))
            .order_by(col(Person.id))
        ).all()
        for program_id, role, person_id, name, org_id in rows:
            assert person_id is not None
            self.roles[program_id][Role(role)].append(
                Recipient(person_id, name, org_id, Role(role))
            )
        self.coordinators = {c.org_id: c.person_id for c in db.exec(select(Coordinator)).all()}
        people = db.exec(
            select(Person).where(col(Person.id).in_(set(self.coordinators.values())))
        ).all()
        self.people = {p.id: p for p in people}

    def recipients(self, program: Program, roles: frozenset[Role]) -> list[Recipient]:
        assert program.id is not None
        chosen: dict[int, Recipient] = {}
        for role in ROLE_ORDER:
            if role in roles:
                for recipient in self.roles[program.id][role]:
                    chosen.setdefault(recipient.person_id, recipient)
        if Role.COORDINATOR in roles:
            for org_id in self.orgs[program.org_id].ancestors:
                if org_id in self.coordinators:
                    person = self.people[self.coordinators[org_id]]
                    assert person.id is not None
                    chosen.setdefault(
                        person.id,
                        Recipient(person.id, person.name, person.org_id, Role.COORDINATOR),
                    )
                    break
        return list(chosen.values())

    def curator_name(self, program: Program) -> str | None:
        assert program.id is not None
        curators = self.roles[program.id][Role.CURATOR]
        return curators[0].name if curators else program.curator


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


def _rows(directory: _Directory, notices: Iterable[_Due], now: datetime) -> list[dict[str, Any]]:
    rows = []
    for notice in notices:
        program = notice.program
        assert program.id is not None and notice.stage.id is not None
        for person in directory.recipients(
            program, recipient_roles(notice.definition, notice.kind)
        ):
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


def _insert(db: Session, directory: _Directory, rows: list[dict[str, Any]], now: datetime) -> int:
    """Render and insert; a key another sweep inserted meanwhile is skipped, not duplicated."""
    values = []
    for row in _new_only(db, rows):
        notice: _Due = row["notice"]
        person: Recipient = row["person"]
        program = notice.program
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
                "next_attempt_at": now,
                "created_at": now,
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


def enqueue_invitations(db: Session, stage_id: int, now: datetime) -> int:
    """Invitations to the people a stage concerns, when it starts."""
    stage = db.get(Stage, stage_id)
    if stage is None:
        raise NotFound(f"Этап №{stage_id} не найден")
    directory = _Directory(db, [stage.program_id])
    program = directory.programs[stage.program_id]
    today = local_today(now, directory.orgs[program.org_id].timezone)
    notice = _Due(
        program, stage, BY_CODE[stage.code], None, stage.due_date, NoticeKind.INVITATION, 0, today
    )
    return _insert(db, directory, _rows(directory, [notice], now), now)


def follow_up(db: Session, entry: AuditEntry) -> int:
    """The outbox's part of an applied stage action, in the action's own transaction:
    invitations when a stage starts; when it closes, its unsent messages are cancelled; when
    its deadline moves, those for the old deadline are. Returns how many rows changed."""
    assert entry.stage_id is not None
    if entry.action == Action.START and entry.occurrence_seq is None:
        return enqueue_invitations(db, entry.stage_id, entry.effective_at)
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
    facts = org_facts(db)
    today = {p.id: local_today(now, facts[p.org_id].timezone) for p in programs}
    horizon = max(today.values()) + timedelta(
        days=max(max(p.reminder_days or [0]) for p in programs)
    )
    stages = db.exec(
        select(Stage).where(col(Stage.state).in_(OPEN), col(Stage.due_date) <= horizon)
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
        definition = BY_CODE[stage.code]
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
            today[program.id], occurrence.due_date, program.reminder_days, None
        ):
            notices.append(
                _Due(
                    program,
                    stage,
                    BY_CODE[stage.code],
                    occurrence.seq,
                    occurrence.due_date,
                    kind,
                    days,
                    today[program.id],
                )
            )
    if not notices:
        return 0
    directory = _Directory(db, {n.program.id for n in notices if n.program.id is not None})
    return _insert(db, directory, _rows(directory, notices, now), now)


def cancel_unsent(
    db: Session, stage_id: int, occurrence: int | None = None, except_due: date | None = None
) -> int:
    """Cancel a stage's (or one date's) queued messages: it closed, or its deadline moved
    (then the messages for ``except_due``, the new deadline, stay)."""
    statement = (
        sa.update(OutboxMessage)
        .where(
            col(OutboxMessage.stage_id) == stage_id,
            col(OutboxMessage.status) == OutboxStatus.QUEUED.value,
        )
        .values(status=OutboxStatus.CANCELLED.value)
    )
    if occurrence is not None:
        statement = statement.where(col(OutboxMessage.occurrence_seq) == occurrence)
    if except_due is not None:
        statement = statement.where(
            col(OutboxMessage.due_date) != except_due,
            col(OutboxMessage.kind) != NoticeKind.INVITATION.value,
        )
    return int(db.execute(statement).rowcount)  # type: ignore[attr-defined]


def claim(
    db: Session, now: datetime, sweep_id: str, limit: int, lease: timedelta = CLAIM_LEASE
) -> list[Outgoing]:
    """Take up to ``limit`` messages that may go out now, for this sweep only.

    On PostgreSQL the rows are locked with SKIP LOCKED, so two sweeps never take the same
    row; SQLite serialises writers, so the single UPDATE is already exclusive. A row claimed
    by a sweep that died is claimable again once its lease has run out.
    """
    facts = org_facts(db)
    open_orgs = [org_id for org_id, f in facts.items() if in_sending_hours(f, now)]
    if not open_orgs:
        return []
    claimable = (
        select(OutboxMessage.id)
        .where(
            sa.or_(
                sa.and_(
                    col(OutboxMessage.status) == OutboxStatus.QUEUED.value,
                    col(OutboxMessage.next_attempt_at) <= now,
                ),
                sa.and_(
                    col(OutboxMessage.status) == OutboxStatus.SENDING.value,
                    col(OutboxMessage.claimed_until) < now,
                ),
            ),
            col(OutboxMessage.org_id).in_(open_orgs),
        )
        .order_by(col(OutboxMessage.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = (
        db.execute(
            sa.update(OutboxMessage)
            .where(col(OutboxMessage.id).in_(claimable.scalar_subquery()))
            .values(
                status=OutboxStatus.SENDING.value, claimed_by=sweep_id, claimed_until=now + lease
            )
            .returning(col(OutboxMessage.id))
        )
        .scalars()
        .all()
    )
    if not claimed:
        return []
    rows = db.execute(
        sa.select(
            col(OutboxMessage.id),
            col(Contact.url),
            col(OutboxMessage.org_id),
            col(OutboxMessage.subject),
            col(OutboxMessage.body),
        )
        # Outer join: a person left without a preferred address fails the message (and it
        # shows as failed) instead of leaving it claimed for ever.
        .join(
            Contact,
            sa.and_(
                col(Contact.person_id) == col(OutboxMessage.person_id),
                col(Contact.preferred).is_(True),
            ),
            isouter=True,
        )
        .where(col(OutboxMessage.id).in_(claimed))
        .order_by(col(OutboxMessage.id))
    ).all()
    servers: dict[int, tuple[str | None, str | None]] = {}
    batch = []
    for row_id, url, org_id, subject, body in rows:
        if row_id is not None:
            address, unsendable = _address(url or "", facts[org_id], servers)
            batch.append(Outgoing(row_id, address, subject, body, unsendable=unsendable))
    return batch


def _address(
    url: str, facts: OrgFacts, servers: dict[int, tuple[str | None, str | None]]
) -> tuple[str, str | None]:
    """The URL to send to, and why the message cannot be sent if so; an unusable server
    setting fails its messages, not the batch. The server's password is put back here, in
    memory only, once per organisation and batch."""
    if facts.id not in servers:
        try:
            servers[facts.id] = (
                with_passwords(facts.smtp, facts.smtp_password_encrypted) if facts.smtp else None,
                None,
            )
        except SecretKeyUnavailable as error:
            servers[facts.id] = (None, f"SMTP password cannot be read: {error.cause}")
        except ValueError:
            servers[facts.id] = (None, "SMTP password cannot be read: stored URL does not fit it")
    smtp, unsendable = servers[facts.id]
    try:
        address = with_smtp(url, facts.smtp if unsendable else smtp)
    except ValueError:
        return "", None  # delivery reports "invalid or unsupported apprise URL"
    if unsendable and address != url:
        return "", unsendable  # e-mail through that server; other channels still go
    return address, None


def record(
    db: Session, results: Sequence[Delivered], now: datetime, sweep_id: str
) -> tuple[int, int, int]:
    """Mark what went out as sent, and put what failed back with back-off, or give it up after
    MAX_ATTEMPTS. Only rows this sweep still holds are touched. Returns (sent, retry, failed)."""
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    attempts: dict[int, int] = {
        row_id: tries
        for row_id, tries in db.execute(
            sa.select(table.c.id, table.c.attempts).where(table.c.id.in_([r.id for r in results]))
        ).all()
    }
    updates = []
    counts = {OutboxStatus.SENT: 0, OutboxStatus.QUEUED: 0, OutboxStatus.FAILED: 0}
    for result in results:
        tries = attempts.get(result.id, 0) + (0 if result.ok else 1)
        if result.ok:
            status = OutboxStatus.SENT
        elif tries >= MAX_ATTEMPTS:
            status = OutboxStatus.FAILED
        else:
            status = OutboxStatus.QUEUED
        counts[status] += 1
        updates.append(
            {
                "b_id": result.id,
                "b_sweep": sweep_id,
                "b_status": status.value,
                "b_attempts": tries,
                "b_next": now + FIRST_RETRY * 2 ** (tries - 1) if tries else now,
                "b_sent": now if result.ok else None,
                "b_error": result.error,
            }
        )
    if updates:
        db.execute(
            sa.update(table)
            .where(
                table.c.id == sa.bindparam("b_id"), table.c.claimed_by == sa.bindparam("b_sweep")
            )
            .values(
                status=sa.bindparam("b_status"),
                attempts=sa.bindparam("b_attempts"),
                next_attempt_at=sa.bindparam("b_next"),
                sent_at=sa.bindparam("b_sent"),
                last_error=sa.bindparam("b_error"),
                claimed_by=None,
                claimed_until=None,
            ),
            updates,
        )
    return counts[OutboxStatus.SENT], counts[OutboxStatus.QUEUED], counts[OutboxStatus.FAILED]


def retry(db: Session, message_id: int) -> OutboxMessage:
    """Requeue a failed message by hand: its attempts start again, and the next sweep takes it,
    whatever moment that sweep runs at (a backfill too)."""
    message = db.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound(f"Сообщение №{message_id} не найдено в очереди (nastavnik outbox list)")
    if message.status != OutboxStatus.FAILED.value:
        label = OUTBOX_STATUS_LABELS[OutboxStatus(message.status)]
        raise TransitionRefused(
            f"Сообщение №{message_id} в состоянии «{label}», а повторить можно только "
            f"недоставленное"
        )
    message.status = OutboxStatus.QUEUED.value
    message.attempts = 0
    message.next_attempt_at = message.created_at
    message.last_error = None
    db.add(message)
    db.flush()
    return message


@dataclass(frozen=True)
class OutboxView:
    id: int
    program_id: int
    stage_number: int
    stage_code: str
    occurrence: int | None
    person_id: int
    person_name: str
    kind: str
    kind_label: str
    due_date: date
    status: str
    status_label: str
    attempts: int
    next_attempt_at: datetime  # in the recipient organisation's zone
    sent_at: datetime | None
    last_error: str | None  # the fixed English vocabulary of delivery, for scripts
    last_error_label: str | None  # the same, in Russian, for the curator
    subject: str


def outbox_status(text: str) -> OutboxStatus:
    """A status given by its code (``failed``) or its Russian label (``не доставлено``)."""
    folded = text.strip().lower()
    for status, label in OUTBOX_STATUS_LABELS.items():
        if folded in (status.value, label):
            return status
    known = ", ".join(f"{s.value} ({label})" for s, label in OUTBOX_STATUS_LABELS.items())
    raise InvalidInput(f"Неизвестное состояние сообщения «{text}». Известные: {known}")


def _listed(query: Any, status: str | None, program_id: int | None, db: Session) -> Any:
    if status is not None:
        query = query.where(col(OutboxMessage.status) == outbox_status(status).value)
    if program_id is not None:
        get_program(db, program_id)  # an unknown program is not an empty one
        query = query.where(col(OutboxMessage.program_id) == program_id)
    return query


def count_outbox(db: Session, status: str | None = None, program_id: int | None = None) -> int:
    query = select(sa.func.count()).select_from(OutboxMessage)
    return int(db.exec(_listed(query, status, program_id, db)).one())


def list_outbox(
    db: Session,
    status: str | None = None,
    program_id: int | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[OutboxView]:
    """Messages oldest first, ``limit`` of them from ``offset`` (all when None)."""
    query = (
        select(OutboxMessage, col(Stage.number), col(Stage.code), col(Person.name))
        .join(Stage, col(Stage.id) == col(OutboxMessage.stage_id))
        .join(Person, col(Person.id) == col(OutboxMessage.person_id))
        .order_by(col(OutboxMessage.id))
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    zones = {org_id: zone(facts.timezone) for org_id, facts in org_facts(db).items()}
    views = []
    for message, number, code, name in db.exec(_listed(query, status, program_id, db)).all():
        assert message.id is not None
        local = zones[message.org_id]
        views.append(
            OutboxView(
                id=message.id,
                program_id=message.program_id,
                stage_number=number,
                stage_code=code,
                occurrence=message.occurrence_seq,
                person_id=message.person_id,
                person_name=name,
                kind=message.kind,
                kind_label=NOTICE_KIND_LABELS[NoticeKind(message.kind)],
                due_date=message.due_date,
                status=message.status,
                status_label=OUTBOX_STATUS_LABELS[OutboxStatus(message.status)],
                attempts=message.attempts,
                next_attempt_at=message.next_attempt_at.astimezone(local),
                sent_at=message.sent_at.astimezone(local) if message.sent_at else None,
                last_error=message.last_error,
                last_error_label=reasons.in_russian(message.last_error),
                subject=message.subject,
            )
        )
    return views
