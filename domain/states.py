"""Stage states and the transitions between them, written as one table.

A transition is (action, from state, to state). The tests enumerate the table edge by edge; the
engine looks a transition up here and never special-cases a stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class StageState(StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    DONE = "done"
    SKIPPED = "skipped"


class Action(StrEnum):
    START = "start"
    COMPLETE = "complete"
    SKIP = "skip"
    RESCHEDULE = "reschedule"


@dataclass(frozen=True)
class Transition:
    action: Action
    source: StageState
    target: StageState


S = StageState

STAGE_TRANSITIONS: tuple[Transition, ...] = (
    Transition(Action.START, S.PLANNED, S.ACTIVE),
    Transition(Action.COMPLETE, S.ACTIVE, S.DONE),
    Transition(Action.SKIP, S.PLANNED, S.SKIPPED),
    Transition(Action.SKIP, S.ACTIVE, S.SKIPPED),
    # A new due date leaves the state as it is; a closed stage keeps its dates.
    Transition(Action.RESCHEDULE, S.PLANNED, S.PLANNED),
    Transition(Action.RESCHEDULE, S.ACTIVE, S.ACTIVE),
)

# One occurrence of a recurring stage (a meeting, a round of feedback) is done or skipped while
# its stage is active; its date may move until then.
OCCURRENCE_TRANSITIONS: tuple[Transition, ...] = (
    Transition(Action.COMPLETE, S.PLANNED, S.DONE),
    Transition(Action.SKIP, S.PLANNED, S.SKIPPED),
    Transition(Action.RESCHEDULE, S.PLANNED, S.PLANNED),
)

CLOSED: frozenset[StageState] = frozenset({S.DONE, S.SKIPPED})

STATE_LABELS: dict[StageState, str] = {
    S.PLANNED: "запланирован",
    S.ACTIVE: "идёт",
    S.DONE: "выполнен",
    S.SKIPPED: "пропущен",
}

ACTION_LABELS: dict[Action, str] = {
    Action.START: "начать",
    Action.COMPLETE: "завершить",
    Action.SKIP: "пропустить",
    Action.RESCHEDULE: "перенести срок",
}


def find_transition(
    table: tuple[Transition, ...], action: Action, source: StageState
) -> Transition | None:
    for transition in table:
        if transition.action == action and transition.source == source:
            return transition
    return None


def sources_of(table: tuple[Transition, ...], action: Action) -> list[StageState]:
    return [t.source for t in table if t.action == action]
