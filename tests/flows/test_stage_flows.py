"""Stage actions run as Prefect flow runs against a real Prefect server (the session harness),
on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from uuid import UUID

import pytest
from conftest import snapshot
from factories import close_prerequisites, program
from prefect import get_client
from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
from prefect.settings import PREFECT_API_URL, PREFECT_CLIENT_MAX_RETRIES, temporary_settings

from domain import database
from domain.errors import InvalidInput, TransitionRefused
from domain.history import program_history
from domain.models import AuditEntry
from domain.programs import program_view
from domain.states import Action, StageState
from domain.transitions import apply_entry, request_action
from flows.actions import act_on_stage
from flows.engine import FlowRunFailed
from flows.runs import program_flow_runs
from flows.stages import STAGE_FLOWS

pytestmark = pytest.mark.usefixtures("prefect_api")

START_DONE = ("inform_teachers", "inform_parents", "inform_students")


async def close(program_id: int, *codes: str) -> None:
    for code in codes:
        await act_on_stage(program_id, code, Action.START, actor="test-curator")
        await act_on_stage(program_id, code, Action.COMPLETE, actor="test-curator")


def stage_state(program_id: int, code: str) -> str:
    with database.session() as db:
        view = program_view(db, program_id, datetime(2026, 9, 1))
    return next(s.state for s in view.stages if s.code == code)


async def test_a_stage_action_is_one_tagged_flow_run_that_the_audit_log_points_to(
    database_url: str,
) -> None:
    created = program()
    applied = await act_on_stage(
        created.id,
        "inform_teachers",
        Action.START,
        actor="Петров",
        reason="педсовет 02.09",
        now=datetime(2026, 9, 2, 10, 0),
    )
    assert (applied.from_value, applied.to_value) == ("planned", "active")
    with database.session() as db:
        entry = program_history(db, created.id)[-1]
    assert entry.status == "applied" and entry.actor == "Петров"
    assert entry.effective_at.isoformat() == "2026-09-02T10:00:00+03:00"  # in Moscow, as typed
    assert entry.flow_run_id is not None
    async with get_client() as client:
        run = await client.read_flow_run(UUID(entry.flow_run_id))
        flow = await client.read_flow(run.flow_id)
        logs = []
        for _ in range(300):  # logs reach the API in batches, a moment after the run
            logs = await client.read_logs(
                log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run.id])),
                limit=200,
                offset=0,
            )
            if any("inform_teachers" in log.message for log in logs):
                break
            await asyncio.sleep(0.1)
    assert flow.name == "stage-informing"
    assert run.state is not None and run.state.is_completed()
    assert {f"program:{created.id}", f"org:{created.org_id}", "stage:inform_teachers"} <= set(
        run.tags
    )
    # Only an id travels through Prefect: no name, no reason, no curator.
    assert run.parameters == {"entry_id": entry.id}
    text = " ".join(log.message for log in logs) + str(run.parameters)
    for personal in ("Петров", "педсовет", "Иванова", created.curator or "-"):
        assert personal not in text
    assert any("program 1 stage inform_teachers" in log.message for log in logs)


async def test_starting_form_pairs_on_a_fresh_program_is_refused_and_changes_nothing(
    database_url: str,
) -> None:
    created = program()
    before = snapshot(database_url)
    runs_before = len(await program_flow_runs(created.id))
    with pytest.raises(TransitionRefused) as refusal:
        await act_on_stage(created.id, "form_pairs", Action.START, actor="test-curator")
    message = str(refusal.value)
    assert "Нельзя начать этап 19 «Формирование пар»" in message
    for missing in ("7 «База наставляемых»", "12 «База наставников»", "18 «Анкета предпочтений»"):
        assert missing in message
    assert snapshot(database_url) == before
    assert len(await program_flow_runs(created.id)) == runs_before


async def test_prerequisites_closed_by_skipping_let_a_stage_start(database_url: str) -> None:
    created = program()
    await close(created.id, "inform_teachers")
    with pytest.raises(TransitionRefused, match="2 «Информирование родителей»"):
        await act_on_stage(created.id, "survey_mentees", Action.START, actor="t")
    await act_on_stage(
        created.id, "inform_parents", Action.SKIP, actor="t", reason="программа для педагогов"
    )
    await close(created.id, "inform_students")
    await act_on_stage(created.id, "survey_mentees", Action.START, actor="t")
    assert stage_state(created.id, "survey_mentees") == "active"


async def test_out_of_order_and_repeated_actions_are_refused_with_the_actual_state(
    database_url: str,
) -> None:
    created = program()
    with pytest.raises(TransitionRefused, match="в состоянии «запланирован»"):
        await act_on_stage(created.id, "inform_teachers", Action.COMPLETE, actor="t")
    await close(created.id, "inform_teachers")
    before = snapshot(database_url)
    with pytest.raises(TransitionRefused, match="в состоянии «выполнен»"):
        await act_on_stage(created.id, "inform_teachers", Action.START, actor="t")
    with pytest.raises(TransitionRefused, match="ожидало «идёт»"):
        await act_on_stage(
            created.id,
            "inform_teachers",
            Action.SKIP,
            actor="t",
            reason="r",
            expected=StageState.ACTIVE,
        )
    with pytest.raises(InvalidInput, match="В программе нет этапа «form_pair»"):
        await act_on_stage(created.id, "form_pair", Action.START, actor="t")
    assert snapshot(database_url) == before


async def test_a_stale_action_is_refused_inside_its_flow_run_and_recorded_as_refused(
    database_url: str,
) -> None:
    """Two curators press "start" at once: both pass the check, only the first applies."""
    created = program()
    with database.session() as db:
        first, second = (
            request_action(
                db,
                created.id,
                "inform_teachers",
                Action.START,
                actor=who,
                now=datetime(2026, 9, 2, 10),
                requested_at=datetime(2026, 9, 2, 10).astimezone(),
            )
            for who in ("Первый", "Второй")
        )
    flow = STAGE_FLOWS[first.kind]
    await flow(first.entry_id)
    with pytest.raises(TransitionRefused, match="состояние уже «идёт»"):
        await flow(second.entry_id)
    with database.session() as db:
        entries = {e.actor: e for e in (db.get(AuditEntry, i) for i in (1, 2, 3)) if e}
        # The refused attempt stays in the log, stamped with its flow run, and names why.
        assert entries["Второй"].status == "refused"
        assert entries["Второй"].flow_run_id
        assert "ожидало «запланирован»" in (entries["Второй"].message or "")
        # Applying an entry again is idempotent: the first outcome, no second transition.
        assert apply_entry(db, first.entry_id, None).to_value == "active"
    assert stage_state(created.id, "inform_teachers") == "active"


async def test_recurring_stage_closes_only_when_every_date_is_marked(database_url: str) -> None:
    created = program()
    close_prerequisites(created.id, "regular_meetings")  # the walk there is tested elsewhere
    await act_on_stage(created.id, "regular_meetings", Action.START, actor="t")
    with pytest.raises(TransitionRefused, match=r"не отмечены даты №1 \(22\.12\.2026\)"):
        await act_on_stage(created.id, "regular_meetings", Action.COMPLETE, actor="t")
    with pytest.raises(InvalidInput, match="причину"):
        await act_on_stage(created.id, "regular_meetings", Action.SKIP, actor="t", occurrence=2)
    for seq in range(1, 10):
        if seq == 2:
            await act_on_stage(
                created.id,
                "regular_meetings",
                Action.SKIP,
                actor="t",
                occurrence=2,
                reason="каникулы",
            )
        else:
            await act_on_stage(
                created.id, "regular_meetings", Action.COMPLETE, actor="t", occurrence=seq
            )
    with pytest.raises(TransitionRefused, match="в состоянии «выполнен»"):
        await act_on_stage(created.id, "regular_meetings", Action.COMPLETE, actor="t", occurrence=3)
    await act_on_stage(created.id, "regular_meetings", Action.COMPLETE, actor="t")
    assert stage_state(created.id, "regular_meetings") == "done"
    # Skipping a recurring stage leaves none of its dates open.
    await act_on_stage(created.id, "collect_feedback", Action.SKIP, actor="t", reason="нет")
    with database.session() as db:
        feedback = program_view(db, created.id, datetime(2026, 9, 1)).stages[24]
    assert {o.state for o in feedback.occurrences} == {"skipped"}


async def test_a_new_deadline_is_recorded_and_a_date_before_the_program_is_refused(
    database_url: str,
) -> None:
    created = program()
    applied = await act_on_stage(
        created.id,
        "train_mentors",
        Action.RESCHEDULE,
        actor="t",
        due=date(2026, 11, 20),
        reason="эксперт занят",
    )
    assert (applied.from_value, applied.to_value) == ("2026-11-10", "2026-11-20")
    with database.session() as db:
        assert program_view(db, created.id, datetime(2026, 9, 1)).stages[15].due_date == date(
            2026, 11, 20
        )
    with pytest.raises(InvalidInput, match=r"раньше начала программы 01\.09\.2026"):
        await act_on_stage(
            created.id, "train_mentors", Action.RESCHEDULE, actor="t", due=date(2026, 8, 1)
        )
    await act_on_stage(
        created.id,
        "regular_meetings",
        Action.RESCHEDULE,
        actor="t",
        occurrence=9,
        due=date(2027, 4, 20),
    )
    with database.session() as db:
        last = program_view(db, created.id, datetime(2026, 9, 1)).stages[23].occurrences[-1]
    assert last.due_date == date(2027, 4, 20)


async def test_when_prefect_is_unreachable_nothing_is_written(database_url: str) -> None:
    created = program()
    before = snapshot(database_url)
    with (
        temporary_settings(
            {PREFECT_API_URL: "http://127.0.0.1:9/api", PREFECT_CLIENT_MAX_RETRIES: 0}
        ),
        pytest.raises(FlowRunFailed, match="не отвечает, ничего не изменено"),
    ):
        await act_on_stage(created.id, "inform_teachers", Action.START, actor="t")
    assert snapshot(database_url) == before  # no entry pending for ever, no stage moved
