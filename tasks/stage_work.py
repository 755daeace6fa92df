"""Each kind of stage's own work, done in the same transaction as the transition that calls
for it (tasks/transitions.py), so that a stage never moves without it, nor it without the
stage. The kind's flow (flows/stages.py) names its work; kinds without one have none yet."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from domain import surveys
from domain.models import AuditEntry, Stage
from domain.programs import program_timezone
from domain.roadmap import StageKind
from domain.schedule import local_today
from domain.states import Action
from notifications import outbox

StageWork = Callable[[Session, AuditEntry], int]


def run_questionnaires(db: Session, entry: AuditEntry) -> int:
    """A stage with questionnaires: starting it opens them to their audience and sends each
    person asked their personal link; completing or skipping it closes them and records the
    response rate. Returns how many messages were queued."""
    if entry.stage_id is None or entry.occurrence_seq is not None:
        return 0
    stage = db.get(Stage, entry.stage_id)
    assert stage is not None
    if entry.action == Action.START:
        surveys.open_for_stage(db, stage, entry.effective_at)
        return outbox.enqueue_questionnaires(db, stage.id or 0, entry.effective_at)
    if entry.action in (Action.COMPLETE, Action.SKIP):
        day = local_today(entry.effective_at, program_timezone(db, stage.program_id))
        surveys.close_for_stage(db, stage, entry.effective_at, day)
    return 0


def form_pairs(db: Session, entry: AuditEntry) -> int:
    """Stage 19: starting it matches the program's mentors and mentees with its setup and
    keeps the proposal (domain/pairs.py), which the curator then reviews, pins and re-runs."""
    from domain import pairs  # numpy and scipy load only where pairs are made

    if entry.stage_id is None or entry.occurrence_seq is not None:
        return 0
    if entry.action == Action.START:
        pairs.propose_for_stage(db, entry)
    return 0


def fix_pairs(db: Session, entry: AuditEntry) -> int:
    """Stage 20: completing it fixes the proposal with the director's order, kept with it,
    and tells every participant their pair. Returns how many messages were queued."""
    from domain import pairs

    if entry.stage_id is None or entry.occurrence_seq is not None:
        return 0
    if entry.action == Action.COMPLETE and pairs.fix(db, entry.program_id, entry.effective_at):
        return outbox.enqueue_pair_notices(db, entry.stage_id, entry.effective_at)
    return 0


KIND_WORK: dict[StageKind, StageWork] = {
    StageKind.SURVEY: run_questionnaires,
    StageKind.ASSESSMENT: run_questionnaires,
    StageKind.MATCHING: form_pairs,
    StageKind.ORDER: fix_pairs,
}
