"""A curator changes one program's roadmap: adds a stage of a known kind, or drops one that
has not started. Each change is one audit entry; the catalogue and other programs are not
touched. (The outbox's part of a drop is in notifications/outbox: ``follow_up``.)"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from domain import inputs
from domain.errors import InvalidInput, NotFound, TransitionRefused
from domain.models import AuditEntry, EntryStatus, Stage
from domain.program_roadmap import definition_of
from domain.programs import get_program, program_timezone
from domain.roadmap import PHASES, ROLE_LABELS, Role, StageDef, StageKind, find_stage
from domain.schedule import as_moment, due_date
from domain.states import STATE_LABELS, StageState

# Codes are ASCII, as the catalogue's are: they appear in keys, flow run names and tags.
_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
# Who may answer for an added stage (the coordinator hears only of escalations).
AUDIENCES = tuple(role for role in Role if role != Role.COORDINATOR)
MAX_WEEKS = 520


@dataclass(frozen=True)
class RoadmapChange:
    """What adding or dropping a stage did."""

    program_id: int
    action: str  # add, drop
    number: int
    code: str
    title: str
    due_date: date
    requires: list[str]
    # Dropping a stage hands its prerequisites to the stages that required it: their codes.
    rewired: list[str]
    entry_id: int


def _all_stages(db: Session, program_id: int) -> list[Stage]:
    """Every stage the program ever had, dropped ones too (their codes stay taken)."""
    query = select(Stage).where(Stage.program_id == program_id).order_by(col(Stage.number))
    return list(db.exec(query).all())


def _label(stage: Stage) -> str:
    return f"{stage.number} «{stage.title}»"


def _kind(text: str) -> StageKind:
    try:
        return StageKind(text.strip())
    except ValueError:
        raise InvalidInput(
            f"Неизвестный вид этапа «{inputs.shown(text)}» (--kind); известны: "
            + ", ".join(kind.value for kind in StageKind)
        ) from None


def _roles(who: list[str]) -> list[str]:
    known = {role.value for role in AUDIENCES}
    who = [role for item in who for role in item.split(",") if role.strip()]
    for role in who:
        if role.strip() not in known:
            raise InvalidInput(
                f"Неизвестная роль «{inputs.shown(role)}» (--who); известны: "
                + ", ".join(f"{r.value} ({ROLE_LABELS[r]})" for r in AUDIENCES)
            )
    return list(dict.fromkeys(role.strip() for role in who)) or [Role.CURATOR.value]


def _entry(
    db: Session, stage: Stage, action: str, actor: str, now: datetime, reason: str | None
) -> int:
    entry = AuditEntry(
        program_id=stage.program_id,
        stage_id=stage.id,
        action=action,
        to_value=stage.code if action == "add" else None,
        from_value=stage.code if action == "drop" else None,
        actor=actor,
        reason=reason,
        status=EntryStatus.APPLIED,
        requested_at=now,
        effective_at=now,
    )
    db.add(entry)
    db.flush()
    assert entry.id is not None
    return entry.id


def add_stage(
    db: Session,
    program_id: int,
    *,
    kind: str,
    title: str,
    week: int,
    actor: str,
    now: datetime,
    who: list[str] | None = None,
    requires: list[str] | None = None,
    code: str | None = None,
    name: str | None = None,
    phase: int | None = None,
) -> RoadmapChange:
    """A stage of a known kind (so that its flow runs it) added to one program's roadmap,
    numbered after its last one and due ``week`` weeks after the program's start."""
    program = get_program(db, program_id)
    stage_kind = _kind(kind)
    title = inputs.text(title, "«название этапа» (--title)", inputs.SHORT)
    name = inputs.optional_text(name, "«полное название» (--name)", inputs.REASON) or title
    week = inputs.whole(week, "«неделя» (--week)", 1, MAX_WEEKS)
    stages = _all_stages(db, program_id)
    code = (code or "").strip() or f"{stage_kind.value}_{max(s.number for s in stages) + 1}"
    if not _CODE.match(code):
        raise InvalidInput(
            f"Код этапа «{inputs.shown(code)}» (--code): латинские строчные буквы, цифры и «_», "
            "от 2 до 40 знаков, первая — буква"
        )
    if any(stage.code == code for stage in stages):
        raise InvalidInput(f"В программе уже есть (или был) этап с кодом «{code}» (--code)")
    live = {stage.code: stage for stage in stages if stage.dropped_at is None}
    roadmap = [definition_of(s) for s in live.values()]
    needs = [named_stage(db, program_id, roadmap, c).code for c in requires or []]
    if phase is not None and phase not in PHASES:
        raise InvalidInput(f"Фаза (--phase) — число от 1 до {len(PHASES)}")
    due = due_date(program.start_date, week)
    if due > program.end_date:
        raise InvalidInput(
            f"Неделя {week} — это {due:%d.%m.%Y}, позже окончания программы "
            f"{program.end_date:%d.%m.%Y} (--week)"
        )
    stage = Stage(
        program_id=program_id,
        number=max(s.number for s in stages) + 1,
        code=code,
        phase=phase or max((live[c].phase for c in needs), default=1),
        kind=stage_kind.value,
        week=week,
        who=_roles(who or []),
        title=title,
        name=name,
        requires=list(dict.fromkeys(needs)),
        due_date=due,
    )
    db.add(stage)
    db.flush()
    moment = as_moment(now, program_timezone(db, program_id))
    entry_id = _entry(db, stage, "add", actor, moment, None)
    return RoadmapChange(
        program_id, "add", stage.number, code, title, due, list(stage.requires), [], entry_id
    )


def drop_stage(
    db: Session, program_id: int, stage_code: str, *, reason: str, actor: str, now: datetime
) -> RoadmapChange:
    """Take a stage that has not started out of the program's roadmap. The stages that
    required it require what it required instead, so the order of the rest stays as it was.
    A started or finished stage stays (it may be skipped): its history is the program's."""
    get_program(db, program_id)
    reason = inputs.text(reason, "«причина» (--reason)", inputs.REASON)
    live = [stage for stage in _all_stages(db, program_id) if stage.dropped_at is None]
    code = named_stage(db, program_id, [definition_of(s) for s in live], stage_code).code
    stage = next(s for s in live if s.code == code)
    if stage.state != StageState.PLANNED.value:
        raise TransitionRefused(
            f"Этап {_label(stage)} уже «{STATE_LABELS[StageState(stage.state)]}»: исключить "
            "можно только не начатый этап; начатый можно пропустить (nastavnik stage skip)"
        )
    if len(live) == 1:
        raise TransitionRefused(f"Этап {_label(stage)} — последний в программе")
    rewired = []
    for other in live:
        if code in other.requires:
            inherited = [c for c in stage.requires if c != other.code]
            other.requires = list(
                dict.fromkeys([c for c in other.requires if c != code] + inherited)
            )
            db.add(other)
            rewired.append(other.code)
    moment = as_moment(now, program_timezone(db, program_id))
    stage.dropped_at = moment
    db.add(stage)
    entry_id = _entry(db, stage, "drop", actor, moment, reason)
    return RoadmapChange(
        program_id,
        "drop",
        stage.number,
        code,
        stage.title,
        stage.due_date,
        list(stage.requires),
        rewired,
        entry_id,
    )


def named_stage(db: Session, program_id: int, roadmap: Sequence[StageDef], text: str) -> StageDef:
    """The stage of the program's ``roadmap`` a person named by code or number; one dropped
    from the program is refused as such, with the date."""
    try:
        return find_stage(roadmap, text)
    except InvalidInput:
        for stage in _all_stages(db, program_id):
            if stage.dropped_at is not None and text.strip() in (stage.code, str(stage.number)):
                raise NotFound(
                    f"Этап {_label(stage)} исключён из программы "
                    f"{stage.dropped_at:%d.%m.%Y} (nastavnik history)"
                ) from None
        raise
