"""A program's audit log as people and scripts read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from domain.models import ENTRY_STATUS_LABELS, AuditEntry, EntryStatus, Stage
from domain.programs import get_program, program_timezone
from domain.schedule import zone
from domain.states import ACTION_LABELS, Action


@dataclass(frozen=True)
class HistoryRow:
    id: int
    stage_number: int | None
    stage_code: str | None
    stage_title: str | None
    occurrence: int | None
    action: str
    action_label: str
    from_value: str | None
    to_value: str | None
    status: str
    status_label: str  # applied, refused by the roadmap's rules, or failed: the machinery
    message: str | None
    actor: str
    reason: str | None
    effective_at: datetime
    requested_at: datetime
    flow_run_id: str | None


# Changes of a program itself, not of a stage's state: plain writes, without a flow run.
PROGRAM_ACTION_LABELS = {
    "create": "создать программу",
    "add": "добавить этап",
    "drop": "исключить этап",
}


def program_history(db: Session, program_id: int) -> list[HistoryRow]:
    get_program(db, program_id)
    local = zone(program_timezone(db, program_id))  # moments as the organisation reads them
    query = (
        select(AuditEntry, Stage)
        .join(Stage, col(AuditEntry.stage_id) == col(Stage.id), isouter=True)
        .where(AuditEntry.program_id == program_id)
        .order_by(col(AuditEntry.id))
    )
    rows = []
    for entry, stage in db.exec(query).all():
        assert entry.id is not None
        rows.append(
            HistoryRow(
                id=entry.id,
                stage_number=stage.number if stage else None,
                stage_code=stage.code if stage else None,
                stage_title=stage.title if stage else None,
                occurrence=entry.occurrence_seq,
                action=entry.action,
                action_label=ACTION_LABELS[Action(entry.action)]
                if entry.action in set(Action)
                else PROGRAM_ACTION_LABELS.get(entry.action, entry.action),
                from_value=entry.from_value,
                to_value=entry.to_value,
                status=entry.status,
                status_label=ENTRY_STATUS_LABELS[EntryStatus(entry.status)],
                message=entry.message,
                actor=entry.actor,
                reason=entry.reason,
                effective_at=entry.effective_at.astimezone(local),
                requested_at=entry.requested_at.astimezone(local),
                flow_run_id=entry.flow_run_id,
            )
        )
    return rows
