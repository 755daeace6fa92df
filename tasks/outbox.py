"""Outbox tasks of the reminder sweep: queue what is due, and deliver one batch. Parameters and
results are ids, moments and counts. (A stage action's own outbox changes are made in its
transaction: tasks/transitions.py.)"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from domain import database, settings
from notifications import outbox
from notifications.delivery import Delivered, deliver


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


# Results are recorded as they come back, in one transaction per quarter of a second at most:
# a sweep killed mid-batch can resend only what was on the wire or had come back in the last
# quarter second; a transaction per result would cost a commit (an fsync on SQLite) each.
RECORD_EVERY = 0.25  # seconds


async def _keep_leases(sweep_id: str) -> None:
    every = settings.current().claim_lease.total_seconds() / 3
    while True:
        await asyncio.sleep(every)
        with database.session() as db:
            outbox.renew_leases(db, sweep_id)


@task(name="deliver-batch", cache_policy=NO_CACHE, persist_result=False)
async def deliver_batch(
    now: datetime, sweep_id: str, size: int, concurrency: int | None = None
) -> BatchOutcome:
    """Claim up to ``size`` messages, deliver them, record the results as they come back."""
    with database.session() as db:
        batch = outbox.claim(db, now, sweep_id, size)
    if not batch:
        return BatchOutcome(0, 0, 0, 0)
    results: asyncio.Queue[Delivered] = asyncio.Queue()
    sending = asyncio.create_task(
        deliver(batch, concurrency=concurrency, on_result=results.put_nowait)
    )
    renewing = asyncio.create_task(_keep_leases(sweep_id))
    totals = [0, 0, 0]
    try:
        while not (sending.done() and results.empty()):
            try:
                group = [await asyncio.wait_for(results.get(), RECORD_EVERY)]
            except TimeoutError:
                continue
            window_ends = asyncio.get_running_loop().time() + RECORD_EVERY
            while not (sending.done() and results.empty()):
                left = window_ends - asyncio.get_running_loop().time()
                if left <= 0:
                    break
                try:
                    group.append(await asyncio.wait_for(results.get(), left))
                except TimeoutError:
                    break
            with database.session() as db:
                counts = outbox.record(db, group, now, sweep_id)
            for i, count in enumerate(counts):
                totals[i] += count
    finally:
        renewing.cancel()
    await sending  # its errors, if any, are the task's
    sent, retrying, failed = totals
    get_run_logger().info(
        "batch of %s: %s sent, %s to retry, %s failed", len(batch), sent, retrying, failed
    )
    return BatchOutcome(len(batch), sent, retrying, failed)
