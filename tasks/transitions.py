"""Persisting a stage action inside its flow run: the transition and its outbox changes."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from sqlmodel import Session

from domain import database
from domain.models import AuditEntry, EntryStatus
from domain.roadmap import StageKind
from domain.transitions import AppliedAction, apply_entry
from notifications import outbox
from tasks.stage_work import KIND_WORK, StageWork


def apply_with_messages(
    db: Session, entry_id: int, flow_run_id: str | None, work: StageWork | None = None
) -> tuple[AppliedAction, int]:
    """The transition, its outbox changes and its kind's ``work`` on one session, to commit
    together; returns the outcome and how many outbox rows changed (none when the entry was
    applied before)."""
    entry = db.get(AuditEntry, entry_id)
    done_before = entry is not None and entry.status == EntryStatus.APPLIED
    applied = apply_entry(db, entry_id, flow_run_id)
    entry = db.get(AuditEntry, entry_id)
    assert entry is not None
    if done_before:
        return applied, 0
    changed = outbox.follow_up(db, entry)
    return applied, changed + (work(db, entry) if work else 0)


# Async: a sync task inside an async flow cost ~2 s on early calls (measured in Prefect 3.8),
# and a person waits on this path. The database work takes milliseconds, so it runs on the loop.
@task(name="apply-transition", cache_policy=NO_CACHE, persist_result=False)
async def apply_transition(entry_id: int, kind: str | None = None) -> AppliedAction:
    """Apply the pending audit entry ``entry_id``, stamp it with this flow run's id, and queue
    or cancel its messages, in one transaction: an outbox is written with the change that
    calls for it, so that a stage never moves without its invitations, nor they without it.

    Idempotent: a retried or repeated run returns the outcome already recorded.
    """
    with database.session() as db:
        applied, changed = apply_with_messages(
            db,
            entry_id,
            str(flow_run.id) if flow_run.id else None,
            KIND_WORK.get(StageKind(kind)) if kind else None,
        )
    get_run_logger().info(
        "program %s stage %s occurrence %s: %s %s -> %s; %s outbox rows",
        applied.program_id,
        applied.stage_code,
        applied.occurrence,
        applied.action,
        applied.from_value,
        applied.to_value,
        changed,
    )
    return applied
