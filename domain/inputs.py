"""What a person may type, checked once for every interface: type, range and size.

The command line's parameter types and the services both call these, so a value that would
overflow a column, break date arithmetic or smuggle control characters into a name is refused
with a Russian sentence that names the field, before anything is stored.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import TypeVar

from domain.errors import InvalidInput
from domain.wording import day_text

# Ids are PostgreSQL `integer` columns (SQLite's are wider): beyond this a lookup overflows.
MAX_ID = 2**31 - 1
# Programs run in school years; a date far outside them is a typo, and years 1 or 9999 break
# the date arithmetic of deadlines (start + 37 weeks).
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
# Dates of birth go back further: a mentor may have been born before 2000, or 1950.
BIRTHS_FROM = date(1900, 1, 1)

# Lengths, in characters, of what people type.
NAME = 200  # a person's or an organisation's name, a program's title
SHORT = 100  # a code, a kind, a role, a time zone, a cron line
REASON = 1000  # a reason, a role model
ADDRESS = 2000  # an apprise URL

# Bidirectional controls are format characters that reorder what a reader sees (a name that
# reads differently than it is stored); the other control characters (NUL, escape, bell,
# line breaks) have no place in a one-line value.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def shown(value: str, limit: int = 60) -> str:
    """A value as a message may quote it: control characters escaped, long ones cut."""
    printable = "".join(
        f"\\u{ord(c):04x}" if unicodedata.category(c) in ("Cc", "Cs") or c in _BIDI else c
        for c in value[: limit + 1]
    )
    return printable if len(value) <= limit else printable[:limit] + "…"


def text(value: str, what: str, limit: int) -> str:
    """A one-line text without control characters, stripped, not empty, at most ``limit``."""
    if len(value) > limit:
        raise InvalidInput(
            f"Слишком длинное значение {what}: {len(value)} символов, допустимо до {limit}"
        )
    for position, char in enumerate(value, start=1):
        if unicodedata.category(char) in ("Cc", "Cs") or char in _BIDI:
            raise InvalidInput(
                f"Недопустимый управляющий символ U+{ord(char):04X} в значении {what} "
                f"(позиция {position}): допустимы только печатные символы"
            )
    stripped = value.strip()
    if not stripped:
        raise InvalidInput(f"Пустое значение {what}: укажите его")
    return stripped


def optional_text(value: str | None, what: str, limit: int) -> str | None:
    return None if value is None else text(value, what, limit)


def whole(value: int, what: str, lowest: int, highest: int) -> int:
    """A whole number within [lowest, highest]."""
    if not lowest <= value <= highest:
        raise InvalidInput(f"Значение {what} — целое число от {lowest} до {highest}, а не {value}")
    return value


def identifier(value: int, what: str) -> int:
    """A record's number: what the database can hold."""
    if not 1 <= value <= MAX_ID:
        raise InvalidInput(
            f"Номер {what} — целое число от 1 до {MAX_ID}, а не {value}: номера записей "
            "показывают команды list"
        )
    return value


def in_range(day: date, what: str, earliest: date = EARLIEST) -> date:
    """A date within the years a program may run in (or from ``earliest``: births)."""
    if not earliest <= day <= LATEST:
        raise InvalidInput(
            f"Дата {day_text(day)} в поле {what} вне допустимых: с {day_text(earliest)} "
            f"по {day_text(LATEST)}"
        )
    return day


def moment_in_range(moment: datetime, what: str) -> datetime:
    """A moment whose date, as written, is within the years allowed (so that converting it
    between zones cannot overflow)."""
    in_range(moment.date(), what)
    return moment


Labelled = TypeVar("Labelled", bound=StrEnum)


def labelled(text: str, labels: Mapping[Labelled, str], unknown: str) -> Labelled:
    """A value given by its code (``failed``) or its Russian label (``не доставлено``);
    ``unknown`` begins the refusal: «Неизвестный тип организации»."""
    folded = text.strip().lower()
    for value, label in labels.items():
        if folded in (value.value, label):
            return value
    known = ", ".join(f"{value.value} ({label})" for value, label in labels.items())
    raise InvalidInput(f"{unknown} «{shown(text)}». Известные: {known}")
