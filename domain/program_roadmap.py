"""A program's own roadmap: the copy of the catalogue its Stage rows carry.

Everything that needs to know what a stage is (its kind, audience, prerequisites, recurrence)
reads it from the program's row through ``definition_of``, never from the catalogue by code:
a stage renamed or removed in a later catalogue version leaves the programs made before it
as they were.
"""

from __future__ import annotations

from typing import Any

from domain.models import Stage
from domain.roadmap import Recurrence, Role, StageDef, StageKind


def stage_columns(definition: StageDef) -> dict[str, Any]:
    """A catalogue entry as the columns of a program's Stage row."""
    return {
        "number": definition.number,
        "code": definition.code,
        "phase": definition.phase,
        "kind": definition.kind.value,
        "week": definition.week,
        "who": [role.value for role in definition.who],
        "title": definition.title,
        "name": definition.name,
        "requires": list(definition.requires),
        "repeat_from_week": definition.recurrence.first_week if definition.recurrence else None,
        "repeat_every_weeks": (
            definition.recurrence.every_weeks if definition.recurrence else None
        ),
    }


def definition_of(stage: Stage) -> StageDef:
    """What a program's stage is, from its own row."""
    recurrence = None
    if stage.repeat_from_week is not None and stage.repeat_every_weeks is not None:
        recurrence = Recurrence(stage.repeat_from_week, stage.repeat_every_weeks)
    return StageDef(
        number=stage.number,
        code=stage.code,
        phase=stage.phase,
        kind=StageKind(stage.kind),
        week=stage.week,
        who=tuple(Role(role) for role in stage.who),
        title=stage.title,
        name=stage.name,
        requires=tuple(stage.requires),
        recurrence=recurrence,
    )
