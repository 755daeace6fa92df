"""When reminders, overdue notices and escalations are due, and to whom."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.notices import NoticeKind, notices_due, recipient_roles
from domain.roadmap import BY_CODE, Role

DUE = date(2026, 9, 15)
R, OVER, E = NoticeKind.REMINDER, NoticeKind.OVERDUE, NoticeKind.ESCALATION


@pytest.mark.parametrize(
    ("days_before_due", "expected"),
    [
        (10, []),
        (4, []),
        (3, [(R, 3)]),
        (2, [(R, 3)]),  # a sweep that missed day -3 still reminds, once (same key)
        (1, [(R, 1)]),
        (0, []),  # nothing on the due date itself
        (-1, [(OVER, 1)]),
        (-2, [(OVER, 1)]),
        (-3, [(OVER, 1), (E, 3)]),
        (-10, [(OVER, 1), (E, 3)]),
        (-11, []),  # stale: a week past the escalation, the sweep stops looking at it
    ],
)
def test_default_schedule_three_and_one_days_before_then_overdue_then_escalation(
    days_before_due: int, expected: list[tuple[NoticeKind, int]]
) -> None:
    today = DUE - timedelta(days=days_before_due)
    assert notices_due(today, DUE, [3, 1], 3) == expected


def test_a_program_sets_its_own_reminders_and_escalation() -> None:
    assert notices_due(DUE - timedelta(days=7), DUE, [7, 2], 5) == [(R, 7)]
    assert notices_due(DUE - timedelta(days=3), DUE, [7, 2], 5) == [(R, 7)]
    assert notices_due(DUE - timedelta(days=2), DUE, [7, 2], 5) == [(R, 2)]
    assert notices_due(DUE + timedelta(days=4), DUE, [7, 2], 5) == [(OVER, 1)]
    assert notices_due(DUE + timedelta(days=5), DUE, [7, 2], 5) == [(OVER, 1), (E, 5)]
    assert notices_due(DUE - timedelta(days=1), DUE, [], 5) == []


def test_recipients_follow_the_roadmaps_who_column() -> None:
    meeting, order, interview = (
        BY_CODE["first_meeting"],
        BY_CODE["fix_pairs"],
        BY_CODE["interview_mentors"],
    )
    assert recipient_roles(meeting, NoticeKind.INVITATION) == {Role.MENTOR, Role.MENTEE}
    assert recipient_roles(meeting, NoticeKind.REMINDER) == {Role.MENTOR, Role.MENTEE}
    assert recipient_roles(meeting, NoticeKind.OVERDUE) == {Role.MENTOR, Role.MENTEE, Role.CURATOR}
    assert recipient_roles(order, NoticeKind.INVITATION) == {Role.DIRECTOR}
    assert recipient_roles(interview, NoticeKind.INVITATION) == {Role.PSYCHOLOGIST}
    assert recipient_roles(BY_CODE["inform_teachers"], NoticeKind.INVITATION) == set()
    assert recipient_roles(BY_CODE["inform_teachers"], NoticeKind.REMINDER) == {Role.CURATOR}
    assert recipient_roles(meeting, NoticeKind.ESCALATION) == {Role.COORDINATOR}


def test_a_date_of_a_recurring_stage_is_never_escalated() -> None:
    assert notices_due(DUE + timedelta(days=1), DUE, [3, 1], None) == [(OVER, 1)]
    assert notices_due(DUE + timedelta(days=5), DUE, [3, 1], None) == [(OVER, 1)]
    assert notices_due(DUE + timedelta(days=9), DUE, [3, 1], None) == []
