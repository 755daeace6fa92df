"""The service every interface calls to change one program's roadmap: add a stage of a known
kind, or drop one that has not started. Plain writes with their audit entries, without a flow
run (nothing is executed; the stage is started later like any other), so Prefect is not
imported here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain import database, roadmap_changes
from domain.models import AuditEntry
from domain.roadmap_changes import RoadmapChange
from domain.schedule import utc_now
from notifications import outbox


def add_stage(program_id: int, *, now: datetime | None = None, **stage: Any) -> RoadmapChange:
    """Add a stage to the program's roadmap (``domain.roadmap_changes.add_stage``)."""
    with database.session() as db:
        return roadmap_changes.add_stage(db, program_id, now=now or utc_now(), **stage)


def drop_stage(
    program_id: int, stage: str, *, reason: str, actor: str, now: datetime | None = None
) -> RoadmapChange:
    """Drop a stage that has not started from the program's roadmap, and cancel its unsent
    messages in the same transaction."""
    with database.session() as db:
        change = roadmap_changes.drop_stage(
            db, program_id, stage, reason=reason, actor=actor, now=now or utc_now()
        )
        entry = db.get(AuditEntry, change.entry_id)
        assert entry is not None
        outbox.follow_up(db, entry)
    return change
