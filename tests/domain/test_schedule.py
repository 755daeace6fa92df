"""Deadlines, time zones and date boundaries, typed dates and moments, forms of mentoring."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest

from domain.errors import InvalidInput
from domain.forms import FORMS, form_code
from domain.roadmap import BY_CODE, Recurrence
from domain.schedule import (
    as_moment,
    days_overdue,
    deadline_moment,
    due_date,
    local_today,
    occurrence_dates,
    parse_date,
    parse_moment,
    zone,
)

START = date(2026, 9, 1)
DUE = date(2026, 9, 8)
CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
ZONES = [
    "Europe/Kaliningrad",  # UTC+2
    "Europe/Moscow",  # UTC+3
    "Asia/Yekaterinburg",  # UTC+5
    "Asia/Vladivostok",  # UTC+10
    "Asia/Kamchatka",  # UTC+12
]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# --- deadlines ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("week", "expected"),
    [
        (0, date(2026, 9, 1)),
        (1, date(2026, 9, 8)),
        (12, date(2026, 11, 24)),
        (37, date(2027, 5, 18)),
    ],
)
def test_due_date_is_start_plus_weeks(week: int, expected: date) -> None:
    assert due_date(START, week) == expected


@pytest.mark.parametrize(("every", "count"), [(2, 9), (4, 5)])
def test_occurrences_every_few_weeks_up_to_the_last_week(every: int, count: int) -> None:
    dates = occurrence_dates(START, Recurrence(16, every), 32)
    assert len(dates) == count
    assert dates[0] == due_date(START, 16)
    assert dates[-1] == due_date(START, 32)
    assert all(b - a == timedelta(weeks=every) for a, b in pairwise(dates))


@pytest.mark.parametrize(("code", "count"), [("regular_meetings", 9), ("collect_feedback", 5)])
def test_recurring_stages_of_the_roadmap_have_their_dates(code: str, count: int) -> None:
    stage = BY_CODE[code]
    assert stage.recurrence is not None
    dates = occurrence_dates(START, stage.recurrence, stage.week)
    assert len(dates) == count
    assert dates[-1] == due_date(START, stage.week)


def test_occurrences_stop_before_a_week_the_step_does_not_reach() -> None:
    dates = occurrence_dates(START, Recurrence(16, 4), 31)
    assert dates[-1] == due_date(START, 28)
    assert all(d <= due_date(START, 31) for d in dates)


# --- time zones and date boundaries -------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "overdue"),
    [
        ("Europe/Moscow", 1),  # 00:30 on the 9th
        ("Asia/Yekaterinburg", 1),  # 02:30 on the 9th
        ("Asia/Vladivostok", 1),  # 07:30 on the 9th
        ("Europe/Kaliningrad", 0),  # 23:30 on the 8th
    ],
)
def test_days_overdue_counts_local_days(tz: str, overdue: int) -> None:
    assert days_overdue(DUE, utc("2026-09-08T21:30"), tz) == overdue


@pytest.mark.parametrize(("moment", "overdue"), [("2026-09-08T13:59", 0), ("2026-09-08T14:00", 1)])
def test_days_overdue_turns_at_local_midnight_in_vladivostok(moment: str, overdue: int) -> None:
    assert days_overdue(DUE, utc(moment), "Asia/Vladivostok") == overdue


@pytest.mark.parametrize(
    ("moment", "overdue"),
    [("2026-09-01T09:00", 0), ("2026-09-08T09:00", 0), ("2026-09-18T09:00", 10)],
)
def test_days_overdue_is_zero_until_due_then_whole_days(moment: str, overdue: int) -> None:
    assert days_overdue(DUE, utc(moment), "Europe/Moscow") == overdue


@pytest.mark.parametrize(
    ("tz", "expected"),
    [
        ("Europe/Kaliningrad", "2026-09-08T22:00"),
        ("Europe/Moscow", "2026-09-08T21:00"),
        ("Asia/Yekaterinburg", "2026-09-08T19:00"),
        ("Asia/Vladivostok", "2026-09-08T14:00"),
        ("Asia/Kamchatka", "2026-09-08T12:00"),
    ],
)
def test_deadline_moment_is_local_midnight_after_the_due_date_in_utc(
    tz: str, expected: str
) -> None:
    moment = deadline_moment(DUE, tz)
    assert moment == utc(expected)
    assert moment.tzinfo is not None
    assert moment.utcoffset() == timedelta(0)
    assert moment.tzinfo == UTC
    assert moment.astimezone(zone(tz)).replace(tzinfo=None) == datetime(2026, 9, 9)


@pytest.mark.parametrize("tz", ZONES)
def test_a_stage_becomes_overdue_exactly_at_its_deadline_moment(tz: str) -> None:
    deadline = deadline_moment(DUE, tz)
    assert days_overdue(DUE, deadline - timedelta(seconds=1), tz) == 0
    assert days_overdue(DUE, deadline, tz) == 1


@pytest.mark.parametrize(
    ("moment", "tz", "today"),
    [
        ("2026-09-08T21:30", "Europe/Kaliningrad", date(2026, 9, 8)),
        ("2026-09-08T21:30", "Europe/Moscow", date(2026, 9, 9)),
        ("2026-09-08T21:30", "Asia/Vladivostok", date(2026, 9, 9)),
        ("2026-09-08T11:59", "Asia/Kamchatka", date(2026, 9, 8)),
        ("2026-09-08T12:00", "Asia/Kamchatka", date(2026, 9, 9)),
        ("2026-12-31T20:59", "Europe/Moscow", date(2026, 12, 31)),
        ("2026-12-31T21:00", "Europe/Moscow", date(2027, 1, 1)),
    ],
)
def test_local_today_is_the_date_in_the_zone(moment: str, tz: str, today: date) -> None:
    assert local_today(utc(moment), tz) == today


def test_local_today_reads_an_offset_moment_by_its_instant() -> None:
    # 01:00 in Moscow on the 9th is 22:00 UTC on the 8th and midnight of the 9th in Kaliningrad.
    moment = datetime.fromisoformat("2026-09-09T01:00+03:00")
    assert local_today(moment, "Europe/Kaliningrad") == date(2026, 9, 9)
    assert local_today(moment, "UTC") == date(2026, 9, 8)


@pytest.mark.parametrize("name", ["Mars/Base", "", "../etc"])
def test_unknown_zone_is_refused_in_russian_naming_it(name: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        zone(name)
    message = str(refused.value)
    assert CYRILLIC.search(message)
    assert f"«{name}»" in message


@pytest.mark.parametrize("name", ["Mars/Base", "../etc"])
def test_unknown_zone_is_refused_by_every_time_rule(name: str) -> None:
    with pytest.raises(InvalidInput):
        days_overdue(DUE, utc("2026-09-08T12:00"), name)
    with pytest.raises(InvalidInput):
        deadline_moment(DUE, name)
    with pytest.raises(InvalidInput):
        as_moment(datetime(2026, 9, 8, 10, 0), name)


@pytest.mark.parametrize("name", ["Europe", "Asia", "x" * 300])
def test_zone_region_or_overlong_name_is_refused_as_unknown_zone(name: str) -> None:
    with pytest.raises(InvalidInput):
        zone(name)


# --- typed dates --------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2026-09-01", "01.09.2026", "1.9.2026", " 01.09.2026 "])
def test_parse_date_accepts_iso_and_russian_forms(text: str) -> None:
    assert parse_date(text, "--start") == date(2026, 9, 1)


@pytest.mark.parametrize("text", ["31.02.2026", "2026-13-01", "завтра", "", "32.01.2026"])
def test_parse_date_refuses_naming_the_field_and_the_text(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_date(text, "--start")
    message = str(refused.value)
    assert "«--start»" in message
    assert f"«{text}»" in message
    assert CYRILLIC.search(message)


# --- typed moments ------------------------------------------------------------------------


def test_parse_moment_keeps_an_offset() -> None:
    moment = parse_moment("2026-09-08T10:00+03:00")
    assert moment.utcoffset() == timedelta(hours=3)
    assert as_moment(moment, "Asia/Vladivostok") == utc("2026-09-08T07:00")


def test_parse_moment_without_offset_is_naive_wall_time() -> None:
    moment = parse_moment("2026-09-08T10:00")
    assert moment.tzinfo is None
    assert moment == datetime(2026, 9, 8, 10, 0)


@pytest.mark.parametrize(
    ("tz", "expected"),
    [
        ("Asia/Vladivostok", "2026-09-08T00:00"),
        ("Europe/Moscow", "2026-09-08T07:00"),
        ("Europe/Kaliningrad", "2026-09-08T08:00"),
    ],
)
def test_as_moment_reads_naive_time_on_the_zone_clock(tz: str, expected: str) -> None:
    moment = as_moment(parse_moment("2026-09-08T10:00"), tz)
    assert moment == utc(expected)
    assert moment.tzinfo == UTC


def test_as_moment_leaves_an_aware_instant_alone() -> None:
    aware = utc("2026-09-08T10:00")
    assert as_moment(aware, "Asia/Vladivostok") == aware
    assert as_moment(aware, "Asia/Vladivostok").tzinfo == UTC


@pytest.mark.parametrize("text", ["вчера", "2026-09-08T25:00", "", "08.09.2026 10:00"])
def test_parse_moment_refuses_bad_text(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_moment(text, "--now")
    message = str(refused.value)
    assert "«--now»" in message
    assert f"«{text}»" in message


# --- forms of mentoring -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "teacher_teacher",
        "учитель – учитель",
        "учитель — учитель",
        "учитель - учитель",
        "Учитель - Учитель",
        "УЧИТЕЛЬ–УЧИТЕЛЬ",
        "  учитель   -   учитель ",
    ],
)
def test_form_code_reads_codes_and_russian_names(text: str) -> None:
    assert form_code(text) == "teacher_teacher"


@pytest.mark.parametrize("code", FORMS)
def test_form_code_reads_every_form_by_code_and_by_name(code: str) -> None:
    label = FORMS[code]
    assert form_code(code) == code
    assert form_code(label) == code
    assert form_code(label.upper().replace("–", "-")) == code


@pytest.mark.parametrize("text", ["учитель – директор", "", "Teacher_Teacher", "ученик"])
def test_unknown_form_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        form_code(text)
    message = str(refused.value)
    assert f"«{text}»" in message
    assert "teacher_teacher" in message, "the message lists the forms it knows"
