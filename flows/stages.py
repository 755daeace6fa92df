"""One Prefect flow per kind of stage (docs/architecture.md: a stage action).

Every start, completion, skip or new deadline of a stage is one run of its kind's flow: it
persists the transition together with its outbox changes (the invitations of a stage that
starts, or the cancelled messages of one that closes or moves) and its kind's own work
(tasks/stage_work.py): surveys and assessments open and close their questionnaires; pair
matching and the order's document will follow as they are built.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from prefect import Flow, flow
from prefect.context import TagsContext

from domain.roadmap import StageKind
from domain.transitions import AppliedAction
from tasks.transitions import apply_transition

StageFlow = Flow[[int], Coroutine[Any, Any, AppliedAction]]

DESCRIPTIONS: dict[StageKind, str] = {
    StageKind.INFORMING: "Informing an audience about the program.",
    StageKind.SURVEY: "A questionnaire (and personal-data consents) opened to a group.",
    StageKind.DATABASE: "The mentee or mentor database formed from the answers.",
    StageKind.DECISION: "A curator's recorded choice (the forms of mentoring).",
    StageKind.ASSESSMENT: "Participants rated on set parameters at entry or exit.",
    StageKind.INTERVIEW: "Interviews with mentors.",
    StageKind.TRAINING: "Training of mentors and finding its experts.",
    StageKind.MEETING: "Meetings of pairs, groups or everyone.",
    StageKind.MATCHING: "Pairs or groups formed from questionnaires and preferences.",
    StageKind.ORDER: "The director's order that fixes the pairs.",
    StageKind.EVENT: "The final ceremony.",
    StageKind.MONITORING: "Program indicators computed and reported.",
    StageKind.CASES: "The pairs' work written up as cases.",
    StageKind.PUBLICATION: "Results published and the databases updated.",
}


def untagged() -> TagsContext:
    """Run tasks without the flow run's tags.

    A tagged task asks the Prefect API for tag concurrency slots on every run; on the embedded
    SQLite server that write collides with the server's own and costs a 2 s client retry on
    about one run in four (measured). The flow run keeps the tags that find a program's history.
    """
    return TagsContext(current_tags=set())


def _stage_flow(kind: StageKind) -> StageFlow:
    @flow(
        name=f"stage-{kind.value}",
        description=DESCRIPTIONS[kind],
        persist_result=False,
        validate_parameters=False,
    )
    async def stage_flow(entry_id: int) -> AppliedAction:
        with untagged():
            # The transition with the kind's own work (tasks/stage_work.py: questionnaires
            # for surveys and assessments), in one transaction.
            applied = await apply_transition(entry_id, kind.value)
        return applied

    return stage_flow


STAGE_FLOWS: dict[StageKind, StageFlow] = {kind: _stage_flow(kind) for kind in StageKind}
