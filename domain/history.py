"""A program's audit log as people and scripts read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from domain.models import AuditEntry, Stage
from domain.programs import get_program
from domain.roadmap import BY_CODE


@dataclass(frozen=True)
class HistoryRow:
    id: int
    stage_number: int | None
    stage_code: str | None
    stage_title: str | None
    occurrence: int | None
    action: str
    from_value: str | None
    to_value: str | None
    status: str
    message: str | None
    actor: str
    reason: str | None
    effective_at: datetime
    requested_at: datetime
    flow_run_id: str | None


def program_history(db: Session, program_id: int) -> list[HistoryRow]:
    get_program(db, program_id)
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
                stage_title=BY_CODE[stage.code].title if stage else None,
                occurrence=entry.occurrence_seq,
                action=entry.action,
                from_value=entry.from_value,
                to_value=entry.to_value,
                status=entry.status,
                message=entry.message,
                actor=entry.actor,
                reason=entry.reason,
                effective_at=entry.effective_at,
                requested_at=entry.requested_at,
                flow_run_id=entry.flow_run_id,
            )
        )
    return rows
