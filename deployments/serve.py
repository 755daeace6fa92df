"""One machine: serve the reminder sweep on a cron schedule with Prefect's ``serve``.

The process polls the Prefect API for scheduled runs and runs them itself; start it with
``nastavnik serve`` and keep it running (a service unit, a container). A cluster instead
deploys the same flow to a work pool with workers; the flow's code does not change.
"""

from __future__ import annotations

from prefect import serve
from prefect.deployments.runner import RunnerDeployment

from flows.reminders import reminder_sweep

DEFAULT_CRON = "*/15 * * * *"


def serve_sweep(cron: str = DEFAULT_CRON) -> None:
    """Block, running the sweep at every tick of ``cron`` (minutes, UTC as Prefect reads it)."""
    deployment = reminder_sweep.to_deployment(
        name="reminder-sweep",
        cron=cron,
        description="Reminders, overdue notices and escalations; delivery of the outbox.",
        tags=["nastavnik", "sweep"],
    )
    assert isinstance(deployment, RunnerDeployment)  # called outside an event loop: not awaited
    serve(deployment)
