"""Moments and numbers on the pages as Russian readers write them (dates and word forms:
domain/wording.py)."""

from __future__ import annotations

from datetime import datetime

from domain.wording import counted, day_text


def ru_moment(moment: datetime) -> str:
    """08.09.2026 10:05, in the zone the moment carries."""
    return f"{day_text(moment.date())} {moment:%H:%M}"


def ru_number(value: int) -> str:
    """12 345: large numbers with their digits grouped by a (non-breaking) space."""
    return f"{value:,}".replace(",", "\u00a0") if abs(value) >= 10_000 else str(value)


def ru_counted(value: int, one: str, few: str, many: str) -> str:
    """«1 день», «3 дня», «12 345 дней»."""
    return counted(value, one, few, many).replace(str(value), ru_number(value), 1)
