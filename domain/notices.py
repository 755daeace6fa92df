"""Which notices are due, and to whom: the rules of reminders, overdue notices and escalation.

Pure: dates in, notice kinds out. The outbox (notifications/outbox/) turns them into messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from enum import StrEnum

from domain.roadmap import Role, StageDef
from domain.schedule import zone


class NoticeKind(StrEnum):
    INVITATION = "invitation"  # a stage that concerns you has started
    REMINDER = "reminder"  # its deadline is near
    OVERDUE = "overdue"  # the day after the deadline: to the responsible and the curator
    ESCALATION = "escalation"  # long overdue: to the municipal coordinator
    # A participant without a valid consent hears nothing else; for a minor it goes to the
    # legal representatives (domain/consents.py).
    CONSENT_REQUEST = "consent_request"
    # A questionnaire opened to the recipient, with their personal link (domain/surveys.py).
    QUESTIONNAIRE = "questionnaire"
    # The pairs fixed by the director's order: each mentor their mentees, each mentee their
    # mentor (domain/pairs.py), when stage 20 completes.
    PAIR = "pair"


NOTICE_KIND_LABELS: dict[NoticeKind, str] = {
    NoticeKind.INVITATION: "приглашение",
    NoticeKind.REMINDER: "напоминание",
    NoticeKind.OVERDUE: "просрочка",
    NoticeKind.ESCALATION: "эскалация",
    NoticeKind.CONSENT_REQUEST: "запрос согласия",
    NoticeKind.QUESTIONNAIRE: "анкета",
    NoticeKind.PAIR: "пара",
}

PAIR = frozenset({Role.MENTOR, Role.MENTEE})
# A person with two roles in a program hears once, in the first of them in this order.
ROLE_PRECEDENCE = (Role.DIRECTOR, Role.CURATOR, Role.PSYCHOLOGIST, Role.MENTOR, Role.MENTEE)
# A deadline missed this many days after its escalation (or its overdue notice) calls for no
# new notice: each sweep would otherwise re-examine every overdue stage of the year.
STALE_AFTER_DAYS = 7


def notices_due(
    today: date, due: date, reminder_days: Sequence[int], escalation_days: int | None
) -> list[tuple[NoticeKind, int]]:
    """The notices a deadline calls for on ``today`` (a local date), each with its day count
    (days before for a reminder, the escalation threshold for an escalation, 1 for overdue).
    ``escalation_days`` None: this deadline is never escalated.

    Before the deadline only the most urgent reminder is due, so a sweep that did not run for a
    few days sends one reminder, not a burst of stale ones. Nothing goes on the due date itself,
    nor once a missed deadline is STALE_AFTER_DAYS past its last notice.
    """
    left = (due - today).days
    if left >= 1:
        eligible = [days for days in reminder_days if days >= left]
        return [(NoticeKind.REMINDER, min(eligible))] if eligible else []
    overdue = -left
    last_notice = escalation_days if escalation_days is not None else 1
    if left == 0 or overdue > last_notice + STALE_AFTER_DAYS:
        return []
    notices = [(NoticeKind.OVERDUE, 1)]
    if escalation_days is not None and overdue >= escalation_days:
        notices.append((NoticeKind.ESCALATION, escalation_days))
    return notices


def recipient_roles(stage: StageDef, kind: NoticeKind, *, started: bool = True) -> frozenset[Role]:
    """Who hears of a stage: the roles in its "who" column ("pair" is mentors and mentees).

    Invitations skip the curator, who starts stages; the curator also hears that a stage is
    overdue; an escalation goes to the coordinator alone. Until a stage starts, only the
    curator, who starts it, is reminded of its deadline: its participants hear of it from the
    invitation on.
    """
    if kind == NoticeKind.ESCALATION:
        return frozenset({Role.COORDINATOR})
    if not started and kind != NoticeKind.INVITATION:
        return frozenset({Role.CURATOR})
    roles: set[Role] = set()
    for role in stage.who:
        roles |= PAIR if role == Role.PAIR else {role}
    if kind == NoticeKind.INVITATION:
        roles.discard(Role.CURATOR)
    if kind == NoticeKind.OVERDUE:
        roles.add(Role.CURATOR)
    return frozenset(roles)


def in_sending_hours(hours: tuple[int, int], timezone: str, now: datetime) -> bool:
    """Whether ``now`` is within local sending hours [from, until) in ``timezone``."""
    start, until = hours
    return start <= now.astimezone(zone(timezone)).hour < until
