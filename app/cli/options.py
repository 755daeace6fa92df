"""Options and parsing shared by the commands: numbers, moments, who acts, and the --json flag.
Parsing turns what a person typed into values; it decides nothing."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from datetime import datetime
from typing import Any

import click

from domain.errors import InvalidInput
from domain.schedule import parse_moment, utc_now
from domain.states import STATE_LABELS, StageState


class WholeNumber(click.ParamType):
    """An integer parameter whose complaint is in Russian (click's own is in English)."""

    name = "number"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        try:
            return int(value)
        except (TypeError, ValueError):
            self.fail(f"ожидается целое число, а не «{value}»", param, ctx)


NUMBER = WholeNumber()


def json_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--json", "as_json", is_flag=True, help="Вывести данные в JSON для скриптов."
    )(command)


def now_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--now",
        help="Момент действия, ISO 8601 (2026-09-08T10:00); без смещения — местное время "
        "организации. По умолчанию — сейчас.",
    )(command)


def actor_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--actor", help="Кто действует (по умолчанию NASTAVNIK_ACTOR или логин).")(
        command
    )


def stage_arguments(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.argument("stage")(command)
    return click.argument("program_id", metavar="PROGRAM", type=NUMBER)(command)


def occurrence_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--occurrence",
        type=NUMBER,
        help="Номер даты повторяющегося этапа (встречи, сбора отзывов).",
    )(command)


def expect_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--expect",
        help="Состояние, в котором этап должен быть сейчас (planned, active, done, skipped); "
        "иначе действие отклоняется как устаревшее.",
    )(command)


def reason_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--reason", help="Причина (для пропуска — обязательна).")(command)


def moment_or_now(text: str | None) -> datetime:
    return parse_moment(text) if text else utc_now()


def acting(name: str | None) -> str:
    return name or os.environ.get("NASTAVNIK_ACTOR") or getpass.getuser()


def expected_state(text: str | None) -> StageState | None:
    if text is None:
        return None
    try:
        return StageState(text)
    except ValueError:
        known = ", ".join(f"{s.value} ({label})" for s, label in STATE_LABELS.items())
        raise InvalidInput(
            f"Неизвестное состояние «{text}» (--expect). Известные: {known}"
        ) from None


def hours_range(text: str) -> tuple[int, int]:
    start, _, until = text.partition("-")
    if not (start.strip().isdigit() and until.strip().isdigit()):
        raise InvalidInput(f"Часы отправки «{text}» не поняты: нужно «с-до», например 9-18")
    return int(start), int(until)


def day_counts(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise InvalidInput(
            f"Дни напоминаний «{text}» не поняты: нужны числа через запятую, например 3,1"
        ) from None
