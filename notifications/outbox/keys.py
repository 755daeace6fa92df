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
    about: int | None = None,
) -> str:
    """What, to whom, for which deadline: the outbox's unique key; ``about`` is the person a
    message concerns when it is not its recipient (a minor, for a representative)."""
    key = (
        f"{program_id}/{stage_code}/{occurrence or 0}/{person_id}/{kind.value}/{days}/"
        f"{due.isoformat()}"
    )
    return key if about is None else f"{key}/about-{about}"
