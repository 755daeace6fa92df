"""A program's audit log as people and scripts read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlmodel import Session, col, select

from domain.models import ENTRY_STATUS_LABELS, AuditEntry, EntryStatus, Program, Stage
from domain.programs import get_program, program_timezone
from domain.schedule import zone
from domain.states import ACTION_LABELS, STATE_LABELS, Action, StageState
from domain.wording import day_text


@dataclass(frozen=True)
class HistoryRow:
    id: int
    stage_number: int | None
    stage_code: str | None
    stage_title: str | None
    occurrence: int | None
    action: str
    action_label: str
    from_value: str | None
    to_value: str | None
    status: str
    status_label: str  # applied, refused by the roadmap's rules, or failed: the machinery
    message: str | None
    actor: str
    reason: str | None
    effective_at: datetime
    requested_at: datetime
    flow_run_id: str | None


# Changes of a program itself, not of a stage's state: plain writes, without a flow run.
PROGRAM_ACTION_LABELS = {
    "create": "создать программу",
    "add": "добавить этап",
    "drop": "исключить этап",
    # The curator's matching (domain/pairs.py): «что» names people by number.
    "match": "подобрать пары",
    "pin": "закрепить пару",
    "forbid": "запретить пару",
    "unpin": "снять закрепление или запрет пары",
    "match_setup": "настроить подбор",
    "match_profile": "форма и тип участника для подбора",
}


# The curator's matching: ``to_value`` what (a pair, a proposal, a participant, the method),
# ``from_value`` how.
MATCHING_ACTIONS = frozenset({"match", "pin", "forbid", "unpin", "match_setup", "match_profile"})


def change_text(row: HistoryRow) -> str:
    """What an entry changed, in words: states by their labels, dates as 08.09.2026, the
    matching's pair or proposal with how; "" when the action says it all."""

    def word(value: str | None) -> str:
        if not value:
            return ""
        if value in set(StageState):
            return STATE_LABELS[StageState(value)]
        try:
            return day_text(date.fromisoformat(value))
        except ValueError:
            return value

    if row.action == "create":
        return f"начало {word(row.to_value)}"
    if row.action in ("add", "drop"):
        return ""
    if row.action in MATCHING_ACTIONS:
        return ": ".join(value for value in (row.to_value, row.from_value) if value)
    if row.from_value and row.to_value:
        return f"{word(row.from_value)} → {word(row.to_value)}"
    return word(row.to_value)


def program_history(db: Session, program_id: int) -> list[HistoryRow]:
    get_program(db, program_id)
    local = zone(program_timezone(db, program_id))  # moments as the organisation reads them
    query = (
        select(AuditEntry, Stage)
        .join(Stage, col(AuditEntry.stage_id) == col(Stage.id), isouter=True)
        .where(AuditEntry.program_id == program_id)
        .order_by(col(AuditEntry.id))
    )
    return [_row(entry, stage, local) for entry, stage in db.exec(query).all()]


def _row(entry: AuditEntry, stage: Stage | None, local: tzinfo) -> HistoryRow:
    assert entry.id is not None
    return HistoryRow(
        id=entry.id,
        stage_number=stage.number if stage else None,
        stage_code=stage.code if stage else None,
        stage_title=stage.title if stage else None,
        occurrence=entry.occurrence_seq,
        action=entry.action,
        action_label=ACTION_LABELS[Action(entry.action)]
        if entry.action in set(Action)
        else PROGRAM_ACTION_LABELS.get(entry.action, entry.action),
        from_value=entry.from_value,
        to_value=entry.to_value,
        status=entry.status,
        status_label=ENTRY_STATUS_LABELS[EntryStatus(entry.status)],
        message=entry.message,
        actor=entry.actor,
        reason=entry.reason,
        effective_at=entry.effective_at.astimezone(local),
        requested_at=entry.requested_at.astimezone(local),
        flow_run_id=entry.flow_run_id,
    )


@dataclass(frozen=True)
class RunRow:
    """One entry of the audit log across programs, for an administrator's run history."""

    program_id: int
    program_title: str
    org_id: int
    entry: HistoryRow


def run_history(
    db: Session,
    *,
    org_ids: set[int] | None,
    program_id: int | None = None,
    stage: str | None = None,
    action: str | None = None,
    status: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 200,
) -> list[RunRow]:
    """The newest entries first, across the programs of ``org_ids`` (None: all), filtered by
    program, stage code, action, status and the moment they were requested; moments in each
    program's organisation's zone."""
    query = (
        select(AuditEntry, Stage, Program)
        .join(Program, col(Program.id) == col(AuditEntry.program_id))
        .join(Stage, col(AuditEntry.stage_id) == col(Stage.id), isouter=True)
        .order_by(col(AuditEntry.id).desc())
        .limit(limit)
    )
    if org_ids is not None:
        query = query.where(col(Program.org_id).in_(org_ids))
    if program_id is not None:
        query = query.where(AuditEntry.program_id == program_id)
    if stage:
        query = query.where(Stage.code == stage)
    if action:
        query = query.where(AuditEntry.action == action)
    if status:
        query = query.where(AuditEntry.status == status)
    if since is not None:
        query = query.where(col(AuditEntry.requested_at) >= since)
    if until is not None:
        query = query.where(col(AuditEntry.requested_at) < until)
    zones: dict[int, tzinfo] = {}
    rows = []
    for entry, stage_row, program in db.exec(query).all():
        assert program.id is not None
        if program.id not in zones:
            zones[program.id] = zone(program_timezone(db, program.id))
        rows.append(
            RunRow(
                program.id, program.title, program.org_id, _row(entry, stage_row, zones[program.id])
            )
        )
    return rows
