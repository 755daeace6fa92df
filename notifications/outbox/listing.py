"""The outbox as people and scripts read it: a page of messages with their kinds, states and
reasons in Russian beside the codes, and a failed message put back by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from domain import inputs
from domain.errors import NotFound, TransitionRefused
from domain.models import OUTBOX_STATUS_LABELS, OutboxMessage, OutboxStatus, Person, Stage
from domain.notices import NOTICE_KIND_LABELS, NoticeKind
from domain.organisations import resolve_organisations
from domain.programs import get_program
from domain.schedule import zone
from notifications import reasons


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
    return inputs.labelled(text, OUTBOX_STATUS_LABELS, "Неизвестное состояние сообщения")


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
    zones = {org_id: zone(facts.timezone) for org_id, facts in resolve_organisations(db).items()}
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
