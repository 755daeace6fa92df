"""The state table, edge by edge, and the guards on a stage's transitions."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import InvalidInput, TransitionRefused
from domain.models import StageOccurrence
from domain.roadmap import BY_CODE, STAGES, StageDef
from domain.states import (
    OCCURRENCE_TRANSITIONS,
    STAGE_TRANSITIONS,
    STATE_LABELS,
    Action,
    StageState,
    Transition,
)
from domain.transitions import check_guards, check_transition

S = StageState
WHAT = "этап 1 «Информирование педагогов»"
TABLES: dict[str, tuple[Transition, ...]] = {
    "stage": STAGE_TRANSITIONS,
    "occurrence": OCCURRENCE_TRANSITIONS,
}


def label(state: StageState) -> str:
    return f"«{STATE_LABELS[state]}»"


def stage_label(stage: StageDef) -> str:
    return f"{stage.number} «{stage.title}»"


def edge(table: tuple[Transition, ...], action: Action, state: StageState) -> Transition | None:
    found = [t for t in table if t.action == action and t.source == state]
    assert len(found) <= 1, f"the table has two {action} edges from {state}"
    return found[0] if found else None


# --- the table, edge by edge --------------------------------------------------------------

CELLS = [(name, action, state) for name in TABLES for action in Action for state in StageState]


@pytest.mark.parametrize(
    ("name", "action", "state"),
    CELLS,
    ids=[f"{name}-{action}-from-{state}" for name, action, state in CELLS],
)
def test_action_from_state_follows_the_table(name: str, action: Action, state: StageState) -> None:
    table = TABLES[name]
    expected = edge(table, action, state)
    if expected is not None:
        transition = check_transition(table, action, state, expected=None, what=WHAT)
        assert transition.action == action
        assert transition.source == state
        assert transition.target == expected.target
        # Naming the state the person saw changes nothing when it is still the state.
        assert check_transition(table, action, state, expected=state, what=WHAT) == transition
        return
    with pytest.raises(TransitionRefused) as refused:
        check_transition(table, action, state, expected=None, what=WHAT)
    message = str(refused.value)
    assert WHAT in message
    assert label(state) in message
    for source in (t.source for t in table if t.action == action):
        assert label(source) in message


# The lifecycle a curator sees; a change to the table must change this too.
EXPECTED_STAGE_EDGES = {
    (Action.START, S.PLANNED): S.ACTIVE,
    (Action.COMPLETE, S.ACTIVE): S.DONE,
    (Action.SKIP, S.PLANNED): S.SKIPPED,
    (Action.SKIP, S.ACTIVE): S.SKIPPED,
    (Action.RESCHEDULE, S.PLANNED): S.PLANNED,
    (Action.RESCHEDULE, S.ACTIVE): S.ACTIVE,
}
EXPECTED_OCCURRENCE_EDGES = {
    (Action.COMPLETE, S.PLANNED): S.DONE,
    (Action.SKIP, S.PLANNED): S.SKIPPED,
    (Action.RESCHEDULE, S.PLANNED): S.PLANNED,
}


@pytest.mark.parametrize(
    ("name", "expected"),
    [("stage", EXPECTED_STAGE_EDGES), ("occurrence", EXPECTED_OCCURRENCE_EDGES)],
)
def test_table_is_the_documented_lifecycle(
    name: str, expected: dict[tuple[Action, StageState], StageState]
) -> None:
    table = TABLES[name]
    assert {(t.action, t.source): t.target for t in table} == expected
    assert len(table) == len(expected), "no duplicate edges"


@pytest.mark.parametrize("name", TABLES)
@pytest.mark.parametrize("closed", [S.DONE, S.SKIPPED])
@pytest.mark.parametrize("action", Action)
def test_a_closed_stage_or_date_accepts_no_action(
    name: str, closed: StageState, action: Action
) -> None:
    with pytest.raises(TransitionRefused):
        check_transition(TABLES[name], action, closed, expected=None, what=WHAT)


def test_every_state_has_a_russian_label() -> None:
    assert set(STATE_LABELS) == set(StageState)
    assert len(set(STATE_LABELS.values())) == len(StageState)


# --- a stale transition -------------------------------------------------------------------

STALE = [
    (action, actual, expected)
    for action in Action
    for actual in StageState
    for expected in StageState
    if actual != expected
]


@pytest.mark.parametrize(
    ("action", "actual", "expected"),
    STALE,
    ids=[f"{action}-saw-{expected}-is-{actual}" for action, actual, expected in STALE],
)
def test_stale_transition_is_refused_naming_both_states(
    action: Action, actual: StageState, expected: StageState
) -> None:
    with pytest.raises(TransitionRefused) as refused:
        check_transition(STAGE_TRANSITIONS, action, actual, expected=expected, what=WHAT)
    message = str(refused.value)
    assert WHAT in message
    assert label(actual) in message
    assert label(expected) in message
    # The state it is in comes first, the state the person saw second.
    assert message.index(label(actual)) < message.index(label(expected))


def test_stale_transition_is_refused_even_when_the_actual_state_allows_the_action() -> None:
    # Someone started the stage meanwhile; completing it is allowed from "active", but the person
    # asked while it was planned, so they have not seen what happened.
    with pytest.raises(TransitionRefused, match="запланирован"):
        check_transition(STAGE_TRANSITIONS, Action.COMPLETE, S.ACTIVE, S.PLANNED, WHAT)


# --- guards: prerequisites ----------------------------------------------------------------


def fresh_states() -> dict[str, StageState]:
    return {stage.code: S.PLANNED for stage in STAGES}


def states_with(stage: StageDef, required: StageDef, state: StageState) -> dict[str, StageState]:
    """Every stage done, except ``stage`` (planned) and its prerequisite ``required``."""
    states = {code: S.DONE for code in BY_CODE}
    states[stage.code] = S.PLANNED
    states[required.code] = state
    return states


def start(stage: StageDef, states: dict[str, StageState]) -> None:
    check_guards(
        stage, Action.START, roadmap=BY_CODE, states=states, open_occurrences=[], reason=None
    )


PREREQUISITES = [(stage, BY_CODE[code]) for stage in STAGES for code in stage.requires]
PREREQUISITE_IDS = [f"{stage.number}<-{required.number}" for stage, required in PREREQUISITES]


@pytest.mark.parametrize(("stage", "required"), PREREQUISITES, ids=PREREQUISITE_IDS)
@pytest.mark.parametrize("state", [S.PLANNED, S.ACTIVE])
def test_start_is_refused_while_a_prerequisite_is_open(
    stage: StageDef, required: StageDef, state: StageState
) -> None:
    with pytest.raises(TransitionRefused) as refused:
        start(stage, states_with(stage, required, state))
    message = str(refused.value)
    assert stage_label(stage) in message
    assert stage_label(required) in message
    assert STATE_LABELS[state] in message
    for other in stage.requires:
        if other != required.code:
            assert stage_label(BY_CODE[other]) not in message, "a closed one is not listed"


@pytest.mark.parametrize(("stage", "required"), PREREQUISITES, ids=PREREQUISITE_IDS)
@pytest.mark.parametrize("state", [S.DONE, S.SKIPPED])
def test_start_is_allowed_once_the_prerequisite_is_closed(
    stage: StageDef, required: StageDef, state: StageState
) -> None:
    start(stage, states_with(stage, required, state))


def test_form_pairs_on_a_fresh_program_lists_every_missing_prerequisite() -> None:
    form_pairs = BY_CODE["form_pairs"]
    with pytest.raises(TransitionRefused) as refused:
        start(form_pairs, fresh_states())
    message = str(refused.value)
    listed = ["7 «База наставляемых»", "12 «База наставников»", "18 «Анкета предпочтений»"]
    positions = [message.find(item) for item in listed]
    assert all(p >= 0 for p in positions), message
    assert positions == sorted(positions), "listed in the roadmap's order"


@pytest.mark.parametrize("stage", STAGES[:4], ids=lambda s: s.code)
def test_informing_stages_start_on_a_fresh_program(stage: StageDef) -> None:
    start(stage, fresh_states())


@pytest.mark.parametrize("action", [Action.COMPLETE, Action.SKIP, Action.RESCHEDULE])
def test_prerequisites_guard_only_the_start(action: Action) -> None:
    # A stage already under way may be finished, skipped or moved whatever its predecessors.
    check_guards(
        BY_CODE["publish_results"],
        action,
        roadmap=BY_CODE,
        states=fresh_states(),
        open_occurrences=[],
        reason="причина",
    )


# --- guards: open dates of a recurring stage ----------------------------------------------


def occurrence(seq: int, due: date) -> StageOccurrence:
    return StageOccurrence(stage_id=1, seq=seq, due_date=due, state="planned")


def test_complete_with_open_dates_is_refused_listing_them() -> None:
    regular = BY_CODE["regular_meetings"]
    open_dates = [occurrence(3, date(2026, 1, 5)), occurrence(9, date(2027, 4, 12))]
    with pytest.raises(TransitionRefused) as refused:
        check_guards(
            regular,
            Action.COMPLETE,
            roadmap=BY_CODE,
            states=fresh_states(),
            open_occurrences=open_dates,
            reason=None,
        )
    message = str(refused.value)
    assert stage_label(regular) in message
    assert "№3" in message and "05.01.2026" in message
    assert "№9" in message and "12.04.2027" in message
    assert "2026-01-05" not in message, "dates are shown as dd.mm.yyyy"


def test_complete_with_every_date_marked_is_allowed() -> None:
    check_guards(
        BY_CODE["regular_meetings"],
        Action.COMPLETE,
        roadmap=BY_CODE,
        states=fresh_states(),
        open_occurrences=[],
        reason=None,
    )


@pytest.mark.parametrize("action", [Action.SKIP, Action.RESCHEDULE])
def test_open_dates_do_not_block_skip_or_reschedule(action: Action) -> None:
    check_guards(
        BY_CODE["collect_feedback"],
        action,
        roadmap=BY_CODE,
        states=fresh_states(),
        open_occurrences=[occurrence(1, date(2026, 12, 22))],
        reason="отменено",
    )


# --- guards: a skip needs a reason --------------------------------------------------------


@pytest.mark.parametrize("reason", [None, "", "   ", "\t\n"], ids=repr)
def test_skip_without_a_reason_is_refused(reason: str | None) -> None:
    stage = BY_CODE["inform_partners"]
    with pytest.raises(InvalidInput) as refused:
        check_guards(
            stage,
            Action.SKIP,
            roadmap=BY_CODE,
            states=fresh_states(),
            open_occurrences=[],
            reason=reason,
        )
    message = str(refused.value)
    assert "причин" in message
    assert stage_label(stage) in message


def test_skip_with_a_reason_is_allowed() -> None:
    check_guards(
        BY_CODE["inform_partners"],
        Action.SKIP,
        roadmap=BY_CODE,
        states=fresh_states(),
        open_occurrences=[],
        reason="Партнёров в этом году нет",
    )
