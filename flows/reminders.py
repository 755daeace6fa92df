"""The reminder sweep: queue what is due, then deliver the outbox in batches.

Scheduled every 15 minutes by deployments/serve.py; ``nastavnik reminders run`` runs one by
hand. ``now`` is a parameter so that tests and backfills can travel in time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from prefect import flow
from prefect.runtime import flow_run

from domain.schedule import utc_now
from flows.stages import untagged
from tasks.outbox import deliver_batch, enqueue_due

BATCH_SIZE = 500
CONCURRENCY = 50


@dataclass(frozen=True)
class SweepOutcome:
    queued: int
    claimed: int
    sent: int
    retrying: int
    failed: int


@flow(name="reminder-sweep", persist_result=False)
async def reminder_sweep(
    now: datetime | None = None, batch_size: int = BATCH_SIZE, concurrency: int = CONCURRENCY
) -> SweepOutcome:
    """Queue the reminders, overdue notices and escalations due at ``now``, then deliver every
    message that may go out now (sending hours, back-off), one task per batch."""
    now = now or utc_now()
    sweep_id = str(flow_run.id or f"local-{now.isoformat()}")
    with untagged():
        queued = await enqueue_due(now)
        totals = [0, 0, 0, 0]
        while True:
            batch = await deliver_batch(now, sweep_id, batch_size, concurrency)
            for i, count in enumerate((batch.claimed, batch.sent, batch.retrying, batch.failed)):
                totals[i] += count
            if batch.claimed < batch_size:  # the queue is empty, for now
                break
    return SweepOutcome(queued, *totals)
