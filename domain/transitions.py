"""Stage actions: checked against the roadmap, asked for, then applied exactly once.

An action goes in two steps so that who and why never travel through Prefect:
``request_action`` checks it and writes a pending audit entry (who, why, the state expected);
``apply_entry``, run inside the stage's flow, checks it again in one transaction, moves the
stage only if it is still in the expected state, and stamps the entry with the flow run id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import update
from sqlmodel import Session, col

from domain import inputs, settings
from domain.consents import check_register_complete
from domain.errors import InvalidInput, NotFound, TransitionRefused
from domain.models import AuditEntry, EntryStatus, Program, Stage
from domain.models import StageOccurrence as Occurrence
from domain.program_roadmap import definition_of
from domain.programs import get_program, program_stages, program_timezone, stage_occurrences
from domain.roadmap import StageDef, StageKind
from domain.roadmap_changes import named_stage
from domain.schedule import as_moment, local_today, zone
from domain.states import (
    ACTION_LABELS,
    CLOSED,
    OCCURRENCE_TRANSITIONS,
    STAGE_TRANSITIONS,
    STATE_LABELS,
    Action,
    StageState,
    Transition,
    find_transition,
    sources_of,
)


@dataclass(frozen=True)
class RequestedAction:
    """What the flow layer needs to run an action: ids and codes, no personal data."""

    entry_id: int
    program_id: int
    org_id: int
    stage_code: str
    kind: StageKind
    action: Action
    occurrence: int | None


@dataclass(frozen=True)
class AppliedAction:
    entry_id: int
    program_id: int
    stage_code: str
    action: str
    occurrence: int | None
    from_value: str
    to_value: str


def _label(definition: StageDef) -> str:
    return f"{definition.number} «{definition.title}»"


def _what(definition: StageDef, occurrence: int | None) -> str:
    if occurrence is None:
        return f"этап {_label(definition)}"
    return f"дату №{occurrence} этапа {_label(definition)}"


def check_transition(
    table: tuple[Transition, ...],
    action: Action,
    state: StageState,
    expected: StageState | None,
    what: str,
) -> Transition:
    """The transition ``action`` makes from ``state``, or a refusal naming the actual state."""
    if expected is not None and expected != state:
        raise TransitionRefused(
            f"Нельзя {ACTION_LABELS[action]} {what}: состояние уже «{STATE_LABELS[state]}», "
            f"а действие ожидало «{STATE_LABELS[expected]}». Данные изменились после проверки; "
            "посмотрите nastavnik program show и повторите"
        )
    transition = find_transition(table, action, state)
    if transition is None:
        sources = sources_of(table, action)
        allowed = (
            "это действие возможно только в состояниях "
            + ", ".join(f"«{STATE_LABELS[s]}»" for s in sources)
            if sources
            else "это действие здесь неприменимо"
        )
        raise TransitionRefused(
            f"Нельзя {ACTION_LABELS[action]} {what} в состоянии «{STATE_LABELS[state]}»; {allowed}"
        )
    return transition


def missing_prerequisites(
    definition: StageDef, roadmap: dict[str, StageDef], states: dict[str, StageState]
) -> list[StageDef]:
    """The stages of the program's ``roadmap`` that must be done or skipped before
    ``definition`` may start, and are not."""
    return [roadmap[code] for code in definition.requires if states[code] not in CLOSED]


def check_guards(
    definition: StageDef,
    action: Action,
    *,
    roadmap: dict[str, StageDef],
    states: dict[str, StageState],
    open_occurrences: list[Occurrence],
    reason: str | None,
) -> None:
    """The conditions of a stage transition beyond its state (the table's guards)."""
    if action == Action.START:
        missing = missing_prerequisites(definition, roadmap, states)
        if missing:
            listed = "; ".join(f"{_label(d)} — {STATE_LABELS[states[d.code]]}" for d in missing)
            raise TransitionRefused(
                f"Нельзя начать этап {_label(definition)}: не завершены и не пропущены "
                f"предшествующие этапы: {listed}"
            )
    if action == Action.COMPLETE and open_occurrences:
        listed = ", ".join(f"№{o.seq} ({o.due_date:%d.%m.%Y})" for o in open_occurrences)
        raise TransitionRefused(
            f"Нельзя завершить этап {_label(definition)}: не отмечены даты {listed}. "
            "Отметьте каждую: nastavnik stage complete ПРОГРАММА ЭТАП --occurrence N"
        )
    if action == Action.SKIP and not (reason or "").strip():
        raise InvalidInput(f"Укажите причину пропуска этапа {_label(definition)} (--reason)")


@dataclass
class _Context:
    program: Program
    timezone: str  # the organisation's: every moment shown to a person is in it
    stage: Stage
    definition: StageDef
    roadmap: dict[str, StageDef]  # the program's own stages by code
    states: dict[str, StageState]
    occurrences: list[Occurrence]


def _load(db: Session, program_id: int, stage_code: str) -> _Context:
    program = get_program(db, program_id)
    stages = program_stages(db, program_id)
    roadmap = {s.code: definition_of(s) for s in stages}
    definition = named_stage(db, program_id, list(roadmap.values()), stage_code)
    stage = next(s for s in stages if s.code == definition.code)
    assert stage.id is not None
    occurrences = stage_occurrences(db, stage.id) if definition.recurrence else []
    states = {s.code: StageState(s.state) for s in stages}
    tz = program_timezone(db, program_id)
    return _Context(program, tz, stage, definition, roadmap, states, occurrences)


def _occurrence(ctx: _Context, seq: int) -> Occurrence:
    if ctx.definition.recurrence is None:
        raise InvalidInput(
            f"Этап {_label(ctx.definition)} не повторяющийся: у него нет дат (--occurrence)"
        )
    for occurrence in ctx.occurrences:
        if occurrence.seq == seq:
            return occurrence
    raise NotFound(f"У этапа {_label(ctx.definition)} нет даты №{seq}: их {len(ctx.occurrences)}")


def _check_data(
    db: Session, ctx: _Context, action: Action, occurrence: int | None, now: datetime
) -> None:
    """The rules that read the program's data beyond its stages: a database stage is not
    completed while someone in its register lacks consent (domain/consents.py); stage 19 does
    not start on a pin that cannot stand, nor stage 20 complete without pairs to fix and an
    order to fix them by (domain/pairs.py)."""
    if occurrence is not None:
        return
    program_id = ctx.program.id or 0
    if action == Action.COMPLETE:
        check_register_complete(db, program_id, ctx.definition.code, local_today(now, ctx.timezone))
    if ctx.definition.kind in (StageKind.MATCHING, StageKind.ORDER):
        from domain import pairs  # numpy and scipy load only where pairs are made

        if action == Action.START and ctx.definition.kind == StageKind.MATCHING:
            pairs.check_matchable(db, program_id, now)
        if action == Action.COMPLETE and ctx.definition.kind == StageKind.ORDER:
            pairs.check_fixable(db, program_id, now)


def _check(
    ctx: _Context,
    action: Action,
    *,
    occurrence: int | None,
    expected: StageState | None,
    reason: str | None,
    due: date | None,
    now: datetime,
) -> Transition:
    """Every rule of an action, on the state loaded in ``ctx``; raises a Russian refusal."""
    stage_state = ctx.states[ctx.definition.code]
    if action == Action.RESCHEDULE:
        if due is None:
            raise InvalidInput("Не указан новый срок")
        if due < ctx.program.start_date:
            raise InvalidInput(
                f"Новый срок {due:%d.%m.%Y} раньше начала программы "
                f"{ctx.program.start_date:%d.%m.%Y}"
            )
    if occurrence is not None:
        occ = _occurrence(ctx, occurrence)
        if action != Action.RESCHEDULE and stage_state != StageState.ACTIVE:
            raise TransitionRefused(
                f"Нельзя {ACTION_LABELS[action]} {_what(ctx.definition, occurrence)}: этап "
                f"в состоянии «{STATE_LABELS[stage_state]}», а даты отмечают, пока он идёт"
            )
        if action == Action.SKIP and not (reason or "").strip():
            raise InvalidInput(
                f"Укажите причину пропуска {_what(ctx.definition, occurrence)} (--reason)"
            )
        return check_transition(
            OCCURRENCE_TRANSITIONS,
            action,
            StageState(occ.state),
            expected,
            _what(ctx.definition, occurrence),
        )
    transition = check_transition(
        STAGE_TRANSITIONS, action, stage_state, expected, _what(ctx.definition, None)
    )
    open_occurrences = [o for o in ctx.occurrences if StageState(o.state) not in CLOSED]
    check_guards(
        ctx.definition,
        action,
        roadmap=ctx.roadmap,
        states=ctx.states,
        open_occurrences=open_occurrences,
        reason=reason,
    )
    started = ctx.stage.started_at
    if action == Action.COMPLETE and started is not None and now < started:
        local = zone(ctx.timezone)
        raise InvalidInput(
            f"Время завершения {now.astimezone(local):%d.%m.%Y %H:%M} раньше начала этапа "
            f"{started.astimezone(local):%d.%m.%Y %H:%M} (время {ctx.timezone}; --now)"
        )
    return transition


def request_action(
    db: Session,
    program_id: int,
    stage_code: str,
    action: Action,
    *,
    actor: str,
    now: datetime,
    requested_at: datetime,
    reason: str | None = None,
    occurrence: int | None = None,
    due: date | None = None,
    expected: StageState | None = None,
) -> RequestedAction:
    """Check an action against the current state and record it as pending.

    A naive ``now`` is wall-clock time in the program's organisation.

    ``expected`` is the state the person saw; by default the state read now, so that a
    concurrent change between this check and the flow's apply is refused as stale.
    """
    reason = inputs.optional_text(reason, "«причина» (--reason)", inputs.REASON)
    actor = inputs.text(actor, "«кто действует» (--actor)", inputs.NAME)
    ctx = _load(db, program_id, stage_code)
    fail_abandoned(db, program_id, requested_at)
    now = as_moment(now, program_timezone(db, program_id))
    _check(
        ctx,
        action,
        occurrence=occurrence,
        expected=expected,
        reason=reason,
        due=due,
        now=now,
    )
    _check_data(db, ctx, action, occurrence, now)
    current = (
        StageState(_occurrence(ctx, occurrence).state)
        if occurrence is not None
        else ctx.states[ctx.definition.code]
    )
    entry = AuditEntry(
        program_id=program_id,
        stage_id=ctx.stage.id,
        occurrence_seq=occurrence,
        action=action,
        expected=(expected or current).value,
        to_value=due.isoformat() if due else None,
        actor=actor,
        reason=(reason or "").strip() or None,
        status=EntryStatus.PENDING,
        requested_at=requested_at,
        effective_at=now,
    )
    db.add(entry)
    db.flush()
    assert entry.id is not None
    return RequestedAction(
        entry_id=entry.id,
        program_id=program_id,
        org_id=ctx.program.org_id,
        stage_code=ctx.definition.code,
        kind=ctx.definition.kind,
        action=action,
        occurrence=occurrence,
    )


def apply_entry(db: Session, entry_id: int, flow_run_id: str | None) -> AppliedAction:
    """Apply a pending action exactly once; a second call returns the first call's outcome.

    On refusal the entry is kept as refused with its message, and the refusal is raised.
    """
    entry = db.get(AuditEntry, entry_id)
    if entry is None or entry.stage_id is None:
        raise NotFound(f"Запись журнала №{entry_id} не найдена")
    stage = db.get(Stage, entry.stage_id)
    assert stage is not None
    if entry.status == EntryStatus.APPLIED:
        return _applied(entry, stage.code)
    if entry.status in (EntryStatus.REFUSED, EntryStatus.FAILED):
        raise TransitionRefused(entry.message or "Действие отклонено")
    ctx = _load(db, entry.program_id, stage.code)
    action = Action(entry.action)
    due = date.fromisoformat(entry.to_value) if entry.to_value else None
    try:
        transition = _check(
            ctx,
            action,
            occurrence=entry.occurrence_seq,
            expected=StageState(entry.expected) if entry.expected else None,
            reason=entry.reason,
            due=due,
            now=entry.effective_at,
        )
        _check_data(db, ctx, action, entry.occurrence_seq, entry.effective_at)
        _move(db, ctx, entry, transition, due)
    except (TransitionRefused, InvalidInput) as refusal:
        db.rollback()
        entry = db.get(AuditEntry, entry_id)
        assert entry is not None
        entry.status = EntryStatus.REFUSED
        entry.message = str(refusal)
        entry.flow_run_id = flow_run_id
        db.add(entry)
        db.commit()
        raise
    entry.status = EntryStatus.APPLIED
    entry.flow_run_id = flow_run_id
    db.add(entry)
    db.flush()
    return _applied(entry, stage.code)


def _move(
    db: Session, ctx: _Context, entry: AuditEntry, transition: Transition, due: date | None
) -> None:
    """Write the transition, guarded by the expected state so that a stale one changes nothing."""
    now = entry.effective_at
    seq = entry.occurrence_seq
    table = Occurrence if seq is not None else Stage
    row_id = _occurrence(ctx, seq).id if seq is not None else ctx.stage.id
    values: dict[str, object] = {"state": transition.target.value}
    if transition.action == Action.RESCHEDULE:
        assert due is not None
        old_due = _occurrence(ctx, seq).due_date if seq is not None else ctx.stage.due_date
        entry.from_value, entry.to_value = old_due.isoformat(), due.isoformat()
        values["due_date"] = due
    else:
        entry.from_value, entry.to_value = transition.source.value, transition.target.value
        if transition.action == Action.START:
            values["started_at"] = now
        else:
            values["finished_at"] = now
    result = db.execute(
        update(table)
        .where(col(table.id) == row_id, col(table.state) == transition.source.value)
        .values(**values)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise TransitionRefused(
            f"Нельзя {ACTION_LABELS[transition.action]} {_what(ctx.definition, seq)}: его "
            "состояние изменилось одновременно с этим действием; повторите"
        )
    if seq is None and transition.action == Action.SKIP:
        # A skipped recurring stage leaves none of its dates open.
        db.execute(
            update(Occurrence)
            .where(
                col(Occurrence.stage_id) == ctx.stage.id,
                col(Occurrence.state) == StageState.PLANNED.value,
            )
            .values(state=StageState.SKIPPED.value, finished_at=now)
        )


def fail_entry(db: Session, entry_id: int, message: str) -> bool:
    """Mark a pending entry failed: its flow run could not run or was stopped, and nothing of
    it was stored (the transition and its outbox changes commit together or not at all).
    Returns False when the entry is no longer pending (it was applied meanwhile)."""
    result = db.execute(
        update(AuditEntry)
        .where(col(AuditEntry.id) == entry_id, col(AuditEntry.status) == EntryStatus.PENDING)
        .values(status=EntryStatus.FAILED, message=message)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def fail_abandoned(db: Session, program_id: int, wall_clock: datetime) -> int:
    """Mark failed the program's entries left pending by a process that died (SIGKILL, a
    crash), so that history never shows an action as running for ever. A stage action's flow
    run takes seconds; one pending longer than NASTAVNIK_ABANDONED_AFTER was left behind."""
    result = db.execute(
        update(AuditEntry)
        .where(
            col(AuditEntry.program_id) == program_id,
            col(AuditEntry.status) == EntryStatus.PENDING,
            col(AuditEntry.requested_at) < wall_clock - settings.current().abandoned_after,
        )
        .values(
            status=EntryStatus.FAILED,
            message="Действие не завершено: выполнявший его процесс остановлен; этап не изменён",
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def _applied(entry: AuditEntry, stage_code: str) -> AppliedAction:
    assert entry.id is not None
    return AppliedAction(
        entry_id=entry.id,
        program_id=entry.program_id,
        stage_code=stage_code,
        action=entry.action,
        occurrence=entry.occurrence_seq,
        from_value=entry.from_value or "",
        to_value=entry.to_value or "",
    )
