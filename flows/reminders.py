"""The reminder sweep: queue what is due, then deliver the outbox in batches.

Scheduled every 15 minutes by deployments/serve.py; ``nastavnik reminders run`` runs one by
hand. ``now`` is a parameter so that tests and backfills can travel in time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from prefect import flow, get_client, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.filters import (
    FlowFilter,
    FlowFilterName,
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import StateType
from prefect.runtime import flow_run
from prefect.states import Crashed

from domain import database, settings
from domain.schedule import utc_now
from flows.stages import untagged
from notifications import outbox
from tasks.outbox import deliver_batch, enqueue_due

SWEEP_FLOW = "reminder-sweep"


@dataclass(frozen=True)
class SweepOutcome:
    queued: int
    claimed: int
    sent: int
    retrying: int
    failed: int


@task(name="mark-abandoned-sweeps", cache_policy=NO_CACHE, persist_result=False)
async def mark_abandoned_sweeps(current: str) -> int:
    """A sweep killed mid-run (SIGKILL, a lost machine) stays Running in Prefect for ever: mark
    crashed every other sweep run that started more than a lease ago and holds no message on a
    live lease (a live sweep records its messages within seconds, and claims again)."""
    lease = settings.current().claim_lease
    async with get_client() as client:
        running = await client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=[SWEEP_FLOW])),
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.RUNNING]))
            ),
        )
        suspects = [
            run
            for run in running
            if str(run.id) != current
            and run.start_time is not None
            and run.start_time < utc_now() - lease
        ]
        if not suspects:
            return 0
        with database.session() as db:
            alive = outbox.holders_of_live_leases(db, [str(run.id) for run in suspects])
        dead = [run for run in suspects if str(run.id) not in alive]
        for run in dead:
            await client.set_flow_run_state(
                run.id,
                Crashed(message="The sweep stopped without finishing; found by a later sweep"),
                force=True,
            )
    if dead:
        get_run_logger().info("marked %s abandoned sweep runs crashed", len(dead))
    return len(dead)


@flow(name=SWEEP_FLOW, persist_result=False)
async def reminder_sweep(
    now: datetime | None = None, batch_size: int | None = None, concurrency: int | None = None
) -> SweepOutcome:
    """Queue the reminders, overdue notices and escalations due at ``now``, then deliver every
    message that may go out now (sending hours, back-off), one task per batch. A naive ``now``
    is each organisation's own wall-clock time; batch size and concurrency default to the
    settings (NASTAVNIK_BATCH_SIZE, NASTAVNIK_CONCURRENCY)."""
    now = now or utc_now()
    batch_size = batch_size or settings.current().batch_size
    sweep_id = str(flow_run.id or f"local-{now.isoformat()}")
    with untagged():
        if flow_run.id:
            await mark_abandoned_sweeps(sweep_id)
        queued = await enqueue_due(now)
        totals = [0, 0, 0, 0]
        while True:
            batch = await deliver_batch(now, sweep_id, batch_size, concurrency)
            for i, count in enumerate((batch.claimed, batch.sent, batch.retrying, batch.failed)):
                totals[i] += count
            if batch.claimed < batch_size:  # the queue is empty, for now
                break
    return SweepOutcome(queued, *totals)
