"""Persisting a stage action inside its flow run."""

from __future__ import annotations

import asyncio

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from domain import database
from domain.transitions import AppliedAction, apply_entry


def _apply(entry_id: int, flow_run_id: str | None) -> AppliedAction:
    with database.session() as db:
        return apply_entry(db, entry_id, flow_run_id)


# Async, with the database work in a thread: a sync task inside an async flow costs seconds
# of Prefect's thread machinery on the first calls, and a person waits on this path.
@task(name="apply-transition", cache_policy=NO_CACHE, persist_result=False)
async def apply_transition(entry_id: int) -> AppliedAction:
    """Apply the pending audit entry ``entry_id`` and stamp it with this flow run's id.

    Idempotent: a retried or repeated run returns the outcome already recorded.
    """
    run_id = str(flow_run.id) if flow_run.id else None
    applied = await asyncio.to_thread(_apply, entry_id, run_id)
    get_run_logger().info(
        "program %s stage %s occurrence %s: %s %s -> %s",
        applied.program_id,
        applied.stage_code,
        applied.occurrence,
        applied.action,
        applied.from_value,
        applied.to_value,
    )
    return applied
