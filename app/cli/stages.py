"""``nastavnik stage``: start, complete, skip a stage or move its deadline; add a stage to a
program's roadmap or drop one; ``history``."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from typing import Any

import click

from app import output
from app.cli.groups import cli, stage_cli
from app.cli.options import (
    acting,
    actor_option,
    expect_option,
    expected_state,
    json_option,
    now_option,
    occurrence_option,
    reason_option,
    stage_arguments,
)
from app.cli.types import DAY, IDENTIFIER, REASON, SHORT, Count
from domain import database
from domain.history import change_text, program_history
from domain.programs import program_timezone
from domain.roadmap import PHASES, StageKind
from domain.roadmap_changes import MAX_WEEKS, RoadmapChange
from domain.states import ACTION_LABELS, STATE_LABELS, Action, StageState
from flows.roadmap_edits import add_stage, drop_stage


def _act(
    program_id: int,
    stage: str,
    action: Action,
    *,
    actor: str | None,
    now: datetime | None,
    as_json: bool,
    reason: str | None = None,
    occurrence: int | None = None,
    due: date | None = None,
    expect: str | None = None,
) -> None:
    # Imported here: Prefect costs a second to import, and only actions need it.
    from flows.actions import act_on_stage

    applied = asyncio.run(
        act_on_stage(
            program_id,
            stage,
            action,
            actor=acting(actor),
            now=now,
            reason=reason,
            occurrence=occurrence,
            due=due,
            expected=expected_state(expect),
        )
    )
    if as_json:
        output.emit_json(applied)
        return
    what = f"дата №{applied.occurrence} этапа" if applied.occurrence else "этап"
    if action == Action.RESCHEDULE:
        change = f"срок {output.day(date.fromisoformat(applied.from_value))} -> " + output.day(
            date.fromisoformat(applied.to_value)
        )
    else:
        change = (
            f"{STATE_LABELS[StageState(applied.from_value)]} -> "
            + (STATE_LABELS[StageState(applied.to_value)])
        )
    output.say(
        f"Программа №{applied.program_id}: {what} {applied.stage_code} — {ACTION_LABELS[action]}: "
        f"{change} (запись журнала №{applied.entry_id})"
    )


@stage_cli.command("start")
@stage_arguments
@reason_option
@now_option
@expect_option
@actor_option
@json_option
def stage_start(program_id: int, stage: str, **options: Any) -> None:
    """Начать этап (все предшествующие должны быть завершены или пропущены)."""
    _act(program_id, stage, Action.START, **options)


@stage_cli.command("complete")
@stage_arguments
@occurrence_option
@reason_option
@now_option
@expect_option
@actor_option
@json_option
def stage_complete(program_id: int, stage: str, **options: Any) -> None:
    """Завершить этап или отметить дату повторяющегося этапа (--occurrence)."""
    _act(program_id, stage, Action.COMPLETE, **options)


@stage_cli.command("skip")
@stage_arguments
@occurrence_option
@reason_option
@now_option
@expect_option
@actor_option
@json_option
def stage_skip(program_id: int, stage: str, **options: Any) -> None:
    """Пропустить этап (или дату повторяющегося этапа), указав причину."""
    _act(program_id, stage, Action.SKIP, **options)


@stage_cli.command("due")
@stage_arguments
@click.argument("new_date", metavar="ДАТА", type=DAY)
@occurrence_option
@reason_option
@now_option
@actor_option
@json_option
def stage_due(program_id: int, stage: str, new_date: date, **options: Any) -> None:
    """Изменить срок этапа (или даты повторяющегося этапа): ДАТА — 2026-10-15 или 15.10.2026."""
    _act(program_id, stage, Action.RESCHEDULE, due=new_date, **options)


@cli.command("history")
@click.argument("program_id", metavar="ПРОГРАММА", type=IDENTIFIER)
@json_option
def history(program_id: int, as_json: bool) -> None:
    """Журнал программы: кто, когда, что изменил, с номером запуска Prefect."""
    with database.session() as db:
        tz = program_timezone(db, program_id)
        rows = program_history(db, program_id)
    if as_json:
        output.emit_json(rows)
        return
    table = []
    for row in rows:
        stage = f"{row.stage_number} {row.stage_code}" if row.stage_code else "—"
        if row.occurrence:
            stage += f" #{row.occurrence}"
        status = "" if row.status == "applied" else f"{row.status_label.upper()}:"
        note = " ".join(part for part in (status, row.message or "", row.reason or "") if part)
        table.append(
            [
                output.moment(row.effective_at, tz),
                stage,
                row.action_label,
                change_text(row).replace(" → ", " -> "),
                row.actor,
                note,
                row.flow_run_id or "—",
            ]
        )
    output.table(
        f"Журнал программы №{program_id} (время — {tz})",
        ["Когда", "Этап", "Действие", "Изменение", "Кто", "Примечание", "Запуск Prefect"],
        table,
        whole=("Когда", "Изменение", "Запуск Prefect"),
    )


def _roadmap_change(change: RoadmapChange, as_json: bool) -> None:
    if as_json:
        output.emit_json(change)
        return
    if change.action == "add":
        needs = ", ".join(change.requires) or "нет"
        output.say(
            f"Программа №{change.program_id}: добавлен этап {change.number} «{change.title}» "
            f"({change.code}), срок {output.day(change.due_date)}; предшествующие: {needs} "
            f"(запись журнала №{change.entry_id})"
        )
        return
    rewired = (
        "; его предшествующие переданы этапам " + ", ".join(change.rewired)
        if change.rewired
        else ""
    )
    output.say(
        f"Программа №{change.program_id}: этап {change.number} «{change.title}» исключён из "
        f"дорожной карты программы{rewired} (запись журнала №{change.entry_id})"
    )


@stage_cli.command("add")
@click.argument("program_id", metavar="ПРОГРАММА", type=IDENTIFIER)
@click.option("--kind", required=True, type=SHORT, help="Вид этапа: " + ", ".join(StageKind) + ".")
@click.option("--title", required=True, type=SHORT, help="Краткое название этапа.")
@click.option("--week", required=True, type=Count(1, MAX_WEEKS), help="Срок: неделя от начала.")
@click.option(
    "--who",
    multiple=True,
    type=SHORT,
    help="Кто отвечает: роль, можно несколько (по умолчанию куратор).",
)
@click.option(
    "--requires", multiple=True, type=SHORT, help="Предшествующий этап (можно несколько)."
)
@click.option("--code", type=SHORT, help="Код этапа, латиницей (по умолчанию из вида и номера).")
@click.option("--name", type=REASON, help="Полное название (по умолчанию краткое).")
@click.option("--phase", type=Count(1, len(PHASES)), help="Фаза дорожной карты, 1-7.")
@now_option
@actor_option
@json_option
def stage_add(
    program_id: int,
    who: tuple[str, ...],
    requires: tuple[str, ...],
    actor: str | None,
    as_json: bool,
    **stage: Any,
) -> None:
    """Добавить в дорожную карту этой программы этап известного вида; каталог и другие
    программы не меняются."""
    change = add_stage(
        program_id, who=list(who), requires=list(requires), actor=acting(actor), **stage
    )
    _roadmap_change(change, as_json)


@stage_cli.command("drop")
@stage_arguments
@click.option("--reason", required=True, type=REASON, help="Почему этап не нужен программе.")
@now_option
@actor_option
@json_option
def stage_drop(
    program_id: int,
    stage: str,
    reason: str,
    now: datetime | None,
    actor: str | None,
    as_json: bool,
) -> None:
    """Исключить из дорожной карты программы не начатый этап; этапы, которым он
    предшествовал, ждут его предшествующих."""
    change = drop_stage(program_id, stage, reason=reason, actor=acting(actor), now=now)
    _roadmap_change(change, as_json)
