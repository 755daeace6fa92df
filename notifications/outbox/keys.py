"""The outbox's unique key: what, to whom, for which deadline. Queueing the same notice twice
makes one row because its key is taken."""

from __future__ import annotations

from datetime import date

from domain.notices import NoticeKind


def message_key(
    program_id: int,
    stage_code: str,
    occurrence: int | None,
    person_id: int,
    kind: NoticeKind,
    due: date,
    days: int,
    topic: str | None = None,
) -> str:
    """What, to whom, for which deadline: the outbox's unique key; ``topic`` tells apart
    messages of one kind to one person about one stage (``about-7``: a minor, for their
    representative; ``questionnaire-3``: one of the stage's questionnaires)."""
    key = (
        f"{program_id}/{stage_code}/{occurrence or 0}/{person_id}/{kind.value}/{days}/"
        f"{due.isoformat()}"
    )
    return key if topic is None else f"{key}/{topic}"
