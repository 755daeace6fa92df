"""Outbox tasks: queue a stage's invitations, cancel what a closed stage no longer needs, queue
what is due, and deliver one batch. Parameters and results are ids, moments and counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from domain import database
from domain.models import AuditEntry
from domain.states import Action
from notifications import outbox
from notifications.delivery import deliver


@dataclass(frozen=True)
class BatchOutcome:
    claimed: int
    sent: int
    retrying: int
    failed: int


def _entry(entry_id: int) -> AuditEntry:
    with database.session() as db:
        entry = db.get(AuditEntry, entry_id)
    assert entry is not None and entry.stage_id is not None
    return entry


@task(name="notify-stage-participants", cache_policy=NO_CACHE, persist_result=False)
async def follow_up_transition(entry_id: int) -> int:
    """After a stage action: invitations when a stage starts; when it closes, its unsent
    messages are cancelled; when its deadline moves, those for the old deadline are."""
    entry = _entry(entry_id)
    assert entry.stage_id is not None
    with database.session() as db:
        if entry.action == Action.START and entry.occurrence_seq is None:
            count = outbox.enqueue_invitations(db, entry.stage_id, entry.effective_at)
            what = "queued"
        else:
            new_due = (
                date.fromisoformat(entry.to_value)
                if entry.action == Action.RESCHEDULE and entry.to_value
                else None
            )
            count = outbox.cancel_unsent(db, entry.stage_id, entry.occurrence_seq, new_due)
            what = "cancelled"
    get_run_logger().info("entry %s: %s %s messages", entry_id, what, count)
    return count


@task(name="enqueue-due-notices", cache_policy=NO_CACHE, persist_result=False)
async def enqueue_due(now: datetime) -> int:
    with database.session() as db:
        count = outbox.enqueue_due(db, now)
    get_run_logger().info("queued %s reminders, overdue notices and escalations", count)
    return count


@task(name="deliver-batch", cache_policy=NO_CACHE, persist_result=False)
async def deliver_batch(now: datetime, sweep_id: str, size: int, concurrency: int) -> BatchOutcome:
    """Claim up to ``size`` messages, deliver them, record each result: one task per batch."""
    with database.session() as db:
        batch = outbox.claim(db, now, sweep_id, size)
    if not batch:
        return BatchOutcome(0, 0, 0, 0)
    results = await deliver(batch, concurrency=concurrency)
    with database.session() as db:
        sent, retrying, failed = outbox.record(db, results, now, sweep_id)
    get_run_logger().info(
        "batch of %s: %s sent, %s to retry, %s failed", len(batch), sent, retrying, failed
    )
    return BatchOutcome(len(batch), sent, retrying, failed)
