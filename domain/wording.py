"""Russian for numbers and dates, the same in every message, report and page: a word's form
for a count (1 день, 3 дня, 11 дней) and a date as Russian documents write it (08.09.2026)."""

from __future__ import annotations

from datetime import date


def plural(count: int, one: str, few: str, many: str) -> str:
    """The Russian form of a word for ``count``: 1, 21 день; 2, 3, 4, 22 дня; 5, 11-14 дней."""
    if count % 10 == 1 and count % 100 != 11:
        return one
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return few
    return many


def counted(count: int, one: str, few: str, many: str) -> str:
    """``count`` with the word in its form: «1 ошибка», «3 ошибки», «11 ошибок»."""
    return f"{count} {plural(count, one, few, many)}"


def day_text(day: date) -> str:
    """08.09.2026; strftime would drop the zeros of a year before 1000."""
    return f"{day.day:02d}.{day.month:02d}.{day.year:04d}"
