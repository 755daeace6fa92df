"""Outbox tasks of the reminder sweep: queue what is due, and deliver one batch. Parameters and
results are ids, moments and counts. (A stage action's own outbox changes are made in its
transaction: tasks/transitions.py.)"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from domain import database
from notifications import outbox
from notifications.delivery import deliver


@dataclass(frozen=True)
class BatchOutcome:
    claimed: int
    sent: int
    retrying: int
    failed: int


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
