"""The types of what a person types on the command line: each converts and checks a value with
the domain's rules (domain/inputs.py), and refuses it in Russian, naming the parameter.

Every parameter of every command has one of these types (tests/app/test_cli_inputs.py walks the
whole command tree): click's own STRING and INT accept a NUL, a megabyte or a number no column
holds, and complain in English.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import click

from domain import inputs
from domain.errors import InvalidInput
from domain.programs import NOTICE_DAYS
from domain.schedule import parse_date, parse_moment


def _hint(param: click.Parameter | None) -> str:
    """How a message names the parameter: «--org» or «PROGRAM»."""
    if param is None:
        return "«значение»"
    if isinstance(param, click.Option):
        return f"«{max(param.opts, key=len)}»"
    return f"«{param.human_readable_name}»"


class _Checked(click.ParamType):
    """A type whose check raises InvalidInput; click reports it as a bad parameter (exit 2)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value  # a default already converted
        try:
            return self.check(value, _hint(param))
        except InvalidInput as refusal:
            raise click.BadParameter(str(refusal), ctx=ctx, param=param) from refusal

    def check(self, value: str, what: str) -> Any:
        raise NotImplementedError


def _integer(value: str, what: str) -> int:
    text = value.strip()
    # ASCII only: int() also takes "²" and "٣", which no one means as a number here.
    if not (text.isascii() and text.lstrip("+-").isdigit()) or len(text) > 30:
        raise InvalidInput(f"Значение {what} — целое число, а не «{inputs.shown(value)}»")
    return int(text)


class Identifier(_Checked):
    """The number of a record: an organisation, program, person, message."""

    name = "номер"

    def check(self, value: str, what: str) -> int:
        return inputs.identifier(_integer(value, what), what)


class Count(_Checked):
    """A whole number within a range: a batch size, a number of days, a date's number."""

    name = "число"

    def __init__(self, lowest: int, highest: int) -> None:
        self.lowest, self.highest = lowest, highest

    def check(self, value: str, what: str) -> int:
        return inputs.whole(_integer(value, what), what, self.lowest, self.highest)


class Text(_Checked):
    """One line of printable text, not empty, at most ``limit`` characters."""

    name = "текст"

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def check(self, value: str, what: str) -> str:
        return inputs.text(value, what, self.limit)


class Day(_Checked):
    """A date: 2026-09-01 or 01.09.2026; from 2000 on, or from ``earliest`` (births)."""

    name = "дата"

    def __init__(self, earliest: date = inputs.EARLIEST) -> None:
        self.earliest = earliest

    def check(self, value: str, what: str) -> date:
        return parse_date(inputs.text(value, what, inputs.SHORT), what.strip("«»"), self.earliest)


class Moment(_Checked):
    """A moment, ISO 8601; without an offset, the organisation's wall-clock time."""

    name = "время"

    def check(self, value: str, what: str) -> datetime:
        return parse_moment(inputs.text(value, what, inputs.SHORT), what.strip("«»"))


class Hours(_Checked):
    """Local sending hours, «from-until» in whole hours: 9-18."""

    name = "часы"

    def check(self, value: str, what: str) -> tuple[int, int]:
        start, dash, until = inputs.text(value, what, inputs.SHORT).partition("-")
        if not dash:
            raise InvalidInput(
                f"Часы отправки {what} «{inputs.shown(value)}» не поняты: нужно «с-до», "
                "например 9-18"
            )
        hours = (_integer(start, what), _integer(until, what))
        if not 0 <= hours[0] < hours[1] <= 24:
            raise InvalidInput(
                f"Часы отправки {what} {hours[0]}-{hours[1]} не подходят: нужно «с-до» в "
                "пределах 0-24, например 9-18"
            )
        return hours


class DayCounts(_Checked):
    """Days before a deadline, comma-separated: 3,1."""

    name = "дни"

    def check(self, value: str, what: str) -> list[int]:
        low, high = NOTICE_DAYS
        parts = inputs.text(value, what, inputs.SHORT).split(",")
        return [inputs.whole(_integer(part, what), what, low, high) for part in parts]


IDENTIFIER = Identifier()
NAME = Text(inputs.NAME)
SHORT = Text(inputs.SHORT)
REASON = Text(inputs.REASON)
ADDRESS = Text(inputs.ADDRESS)
DAY = Day()
BIRTH_DAY = Day(inputs.BIRTHS_FROM)
MOMENT = Moment()
HOURS = Hours()
DAY_COUNTS = DayCounts()
