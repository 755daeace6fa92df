"""Options and parsing shared by the commands: who acts, when, the --json flag. Parsing turns
what a person typed into values (app/cli/types.py checks each); it decides nothing."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from datetime import datetime
from typing import Any

import click

from app.cli.types import IDENTIFIER, MOMENT, NAME, REASON, SHORT, Count
from domain.errors import InvalidInput
from domain.schedule import utc_now
from domain.states import STATE_LABELS, StageState


def json_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--json", "as_json", is_flag=True, help="Вывести данные в JSON для скриптов."
    )(command)


def now_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--now",
        type=MOMENT,
        help="Момент действия, ISO 8601 (2026-09-08T10:00); без смещения — местное время "
        "организации. По умолчанию — сейчас.",
    )(command)


def actor_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--actor", type=NAME, help="Кто действует (по умолчанию NASTAVNIK_ACTOR или логин)."
    )(command)


def stage_arguments(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.argument("stage", metavar="ЭТАП", type=SHORT)(command)
    return click.argument("program_id", metavar="ПРОГРАММА", type=IDENTIFIER)(command)


def occurrence_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--occurrence",
        type=Count(1, 1000),
        help="Номер даты повторяющегося этапа (встречи, сбора отзывов).",
    )(command)


def expect_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--expect",
        type=SHORT,
        help="Состояние, в котором этап должен быть сейчас (planned, active, done, skipped); "
        "иначе действие отклоняется как устаревшее.",
    )(command)


def reason_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--reason", type=REASON, help="Причина (для пропуска — обязательна).")(
        command
    )


def moment_or_now(moment: datetime | None) -> datetime:
    return moment or utc_now()


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
