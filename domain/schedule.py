"""Dates and time zones. Deadlines are dates in the organisation's own time zone; a moment is
an aware datetime; every rule that depends on time takes ``now`` (docs/architecture.md: time)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.errors import InvalidInput
from domain.inputs import EARLIEST, in_range, moment_in_range, shown
from domain.roadmap import Recurrence

_RUSSIAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$", re.ASCII)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", re.ASCII)


def due_date(start: date, week: int) -> date:
    """The default deadline of a stage: ``week`` weeks after the program's start date."""
    return start + timedelta(weeks=week)


def occurrence_dates(start: date, recurrence: Recurrence, last_week: int) -> list[date]:
    """Dates of a recurring stage: every ``every_weeks`` from ``first_week`` to ``last_week``."""
    weeks = range(recurrence.first_week, last_week + 1, recurrence.every_weeks)
    return [due_date(start, week) for week in weeks]


@cache
def zone(name: str) -> ZoneInfo:
    """An IANA time zone, or a Russian message saying the name is not one."""
    try:
        return ZoneInfo(name)
    # OSError: before Python 3.13 a folder name ("Europe") or a very long name fails in the
    # file system rather than as an unknown key.
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidInput(
            f"Неизвестный часовой пояс «{name}»: укажите имя IANA, например Europe/Moscow, "
            "Asia/Yekaterinburg, Asia/Vladivostok"
        ) from None


def local_today(now: datetime, tz: str) -> date:
    """The date in zone ``tz`` at ``now``; a naive ``now`` is wall-clock time there."""
    return as_moment(now, tz).astimezone(zone(tz)).date()


def deadline_moment(due: date, tz: str) -> datetime:
    """The moment a deadline passes: the end of the due date in the organisation's zone, UTC."""
    return datetime.combine(due + timedelta(days=1), time(0), zone(tz)).astimezone(UTC)


def days_overdue(due: date, now: datetime, tz: str) -> int:
    """Whole local days past the due date; 0 on the due date itself and before it."""
    return max(0, (local_today(now, tz) - due).days)


def date_in_text(text: str) -> date | None:
    """The date written as 01.09.2026 or 2026-09-01, None when the text is neither; a date
    that does not exist (31.02.2026) raises ValueError. The one reading of typed dates: the
    command line, questionnaires' answers."""
    text = text.strip()
    if match := _RUSSIAN_DATE.match(text):
        day, month, year = (int(part) for part in match.groups())
        return date(year, month, day)
    if match := _ISO_DATE.match(text):
        year, month, day = (int(part) for part in match.groups())
        return date(year, month, day)
    return None


def parse_date(text: str, what: str, earliest: date = EARLIEST) -> date:
    """A date typed as 2026-09-01 or 01.09.2026, within the years a program may run in (or
    from ``earliest``); ``what`` names the field in the message."""
    text = text.strip()
    try:
        day = date_in_text(text)
        if day is None:
            raise ValueError(text)
        return in_range(day, f"«{what}»", earliest)
    except ValueError:
        raise InvalidInput(
            f"Неверная дата «{shown(text)}» в поле «{what}»: ожидается ГГГГ-ММ-ДД или "
            "ДД.ММ.ГГГГ, например 2026-09-01 или 01.09.2026"
        ) from None


def parse_moment(text: str, what: str = "--now") -> datetime:
    """A moment typed as ISO 8601, within the years a program may run in; one without an
    offset stays naive (see ``as_moment``)."""
    text = text.strip()
    try:
        moment = datetime.fromisoformat(text) if text.isascii() else None
    except ValueError:
        moment = None
    if moment is None:
        raise InvalidInput(
            f"Неверное время «{shown(text)}» в поле «{what}»: ожидается ISO 8601, например "
            "2026-09-08T10:00 или 2026-09-08T10:00+03:00"
        )
    return moment_in_range(moment, f"«{what}»")


def as_moment(value: datetime, tz: str) -> datetime:
    """An aware UTC moment; a naive one is read as wall-clock time in the zone ``tz``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone(tz))
    return value.astimezone(UTC)


def utc_now() -> datetime:
    return datetime.now(UTC)
