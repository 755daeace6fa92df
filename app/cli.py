"""The ``nastavnik`` command line: parses what a person typed, calls a service, prints Russian.

Every rule lives in domain/ and every action in a service function (domain/, flows/actions.py),
so the REST API and web pages will call the same functions.
"""

from __future__ import annotations

import asyncio
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

import click

from app import output
from domain import database
from domain.errors import InvalidInput, NastavnikError
from domain.history import HistoryRow, program_history
from domain.models import OUTBOX_STATUS_LABELS, OutboxStatus
from domain.organisations import add_organisation, list_organisations
from domain.people import add_person, assign, list_people, set_coordinator
from domain.programs import (
    ProgramView,
    create_program,
    list_programs,
    program_timezone,
    program_view,
)
from domain.roadmap import PHASES, ROLE_LABELS, Role
from domain.schedule import as_moment, parse_date, parse_moment, utc_now
from domain.states import ACTION_LABELS, STATE_LABELS, Action, StageState
from notifications.outbox import list_outbox, retry


class WholeNumber(click.ParamType):
    """An integer parameter whose complaint is in Russian (click's own is in English)."""

    name = "number"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        try:
            return int(value)
        except (TypeError, ValueError):
            self.fail(f"ожидается целое число, а не «{value}»", param, ctx)


NUMBER = WholeNumber()


@click.group(
    help="Наставник: программы наставничества по целевой модели (Р-145).",
    context_settings={"help_option_names": ["-h", "--help"]},
)
def cli() -> None:
    pass


@cli.group("org")
def org_cli() -> None:
    """Организации: регионы, муниципалитеты, школы."""


@cli.group("program")
def program_cli() -> None:
    """Программы наставничества."""


@cli.group("stage")
def stage_cli() -> None:
    """Этапы дорожной карты программы."""


@cli.group("person")
def person_cli() -> None:
    """Люди: кураторы, руководители, наставники, наставляемые, координаторы."""


@cli.group("reminders")
def reminders_cli() -> None:
    """Приглашения и напоминания."""


@cli.group("outbox")
def outbox_cli() -> None:
    """Очередь сообщений: что отправлено, что ждёт, что не доставлено."""


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


def _now(text: str | None) -> datetime:
    return parse_moment(text) if text else utc_now()


def _actor(name: str | None) -> str:
    return name or os.environ.get("NASTAVNIK_ACTOR") or getpass.getuser()


def _state(text: str | None) -> StageState | None:
    if text is None:
        return None
    try:
        return StageState(text)
    except ValueError:
        known = ", ".join(f"{s.value} ({label})" for s, label in STATE_LABELS.items())
        raise InvalidInput(
            f"Неизвестное состояние «{text}» (--expect). Известные: {known}"
        ) from None


def _hours(text: str) -> tuple[int, int]:
    start, _, until = text.partition("-")
    if not (start.strip().isdigit() and until.strip().isdigit()):
        raise InvalidInput(f"Часы отправки «{text}» не поняты: нужно «с-до», например 9-18")
    return int(start), int(until)


def _days(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise InvalidInput(
            f"Дни напоминаний «{text}» не поняты: нужны числа через запятую, например 3,1"
        ) from None


@cli.command("init")
def init_command() -> None:
    """Создать или обновить схему базы данных."""
    where = database.upgrade()
    output.say(f"База данных готова: {where}")


@org_cli.command("add")
@click.option("--name", required=True, help="Название.")
@click.option(
    "--kind",
    required=True,
    help="Тип: region, municipality, school, college, additional_education, enterprise, ngo "
    "(или по-русски: регион, муниципалитет, школа…).",
)
@click.option("--parent", type=NUMBER, help="Номер вышестоящей организации.")
@click.option("--tz", help="Часовой пояс IANA (Asia/Yekaterinburg); иначе — вышестоящей.")
@click.option("--hours", help="Часы отправки сообщений по местному времени, «с-до»: 9-18.")
@click.option(
    "--smtp",
    help="Свой SMTP-сервер для почты, адрес apprise без получателя: "
    "mailtos://логин:пароль@smtp.school.ru?from=noreply@school.ru",
)
@json_option
def org_add(
    name: str,
    kind: str,
    parent: int | None,
    tz: str | None,
    hours: str | None,
    smtp: str | None,
    as_json: bool,
) -> None:
    """Добавить организацию."""
    with database.session() as db:
        org = add_organisation(
            db,
            name=name,
            kind=kind,
            parent_id=parent,
            timezone=tz,
            hours=_hours(hours) if hours else None,
            smtp_url=smtp,
            now=utc_now(),
        )
    if as_json:
        output.emit_json(org)
    else:
        output.say(
            f"Добавлена организация №{org.id}: {org.name} ({org.kind_label}, {org.timezone})"
        )


@org_cli.command("list")
@json_option
def org_list(as_json: bool) -> None:
    """Список организаций."""
    with database.session() as db:
        orgs = list_organisations(db)
    if as_json:
        output.emit_json(orgs)
        return
    rows = [
        [
            str(o.id),
            o.name,
            o.kind_label,
            str(o.parent_id or "—"),
            o.timezone + (" (насл.)" if o.timezone_inherited else ""),
        ]
        for o in orgs
    ]
    output.table("Организации", ["№", "Название", "Тип", "Входит в", "Часовой пояс"], rows)


@program_cli.command("create")
@click.option("--org", type=NUMBER, required=True, help="Номер организации.")
@click.option("--title", required=True, help="Название программы.")
@click.option(
    "--form",
    "forms",
    multiple=True,
    help="Форма наставничества (код или название); можно несколько.",
)
@click.option(
    "--role-model", help="Ролевая модель, например «опытный педагог – молодой специалист»."
)
@click.option("--start", help="Дата начала (2026-09-01 или 01.09.2026); по умолчанию сегодня.")
@click.option("--end", help="Дата окончания; по умолчанию через 37 недель.")
@click.option("--curator", help="Куратор программы.")
@click.option("--remind", help="За сколько дней до срока напоминать, через запятую (3,1).")
@click.option(
    "--escalate-after",
    type=NUMBER,
    help="Через сколько дней просрочки сообщать муниципальному координатору (3).",
)
@actor_option
@now_option
@json_option
def program_create(
    org: int,
    title: str,
    forms: tuple[str, ...],
    role_model: str | None,
    start: str | None,
    end: str | None,
    curator: str | None,
    remind: str | None,
    escalate_after: int | None,
    actor: str | None,
    now: str | None,
    as_json: bool,
) -> None:
    """Создать программу: 34 этапа со сроками от даты начала."""
    start_date = parse_date(start, "--start") if start else None
    end_date = parse_date(end, "--end") if end else None
    with database.session() as db:
        program = create_program(
            db,
            org_id=org,
            title=title,
            forms=list(forms),
            role_model=role_model,
            start=start_date,
            end=end_date,
            curator=curator,
            reminder_days=_days(remind) if remind is not None else None,
            escalation_days=escalate_after,
            actor=_actor(actor),
            now=_now(now),
        )
    if as_json:
        output.emit_json(program)
    else:
        output.say(
            f"Создана программа №{program.id} «{program.title}»: 34 этапа с "
            f"{output.day(program.start_date)} по {output.day(program.end_date)}"
        )


@program_cli.command("list")
@click.option("--org", type=NUMBER, help="Только программы этой организации.")
@now_option
@json_option
def program_list(org: int | None, now: str | None, as_json: bool) -> None:
    """Список программ с ходом выполнения."""
    with database.session() as db:
        programs = list_programs(db, _now(now), org_id=org)
    if as_json:
        output.emit_json(programs)
        return
    rows = [
        [
            str(p.id),
            p.title,
            p.org_name,
            f"{output.day(p.start_date)}–{output.day(p.end_date)}",
            f"{p.stages_closed}/{p.stages_total}",
            str(p.stages_overdue or "—"),
        ]
        for p in programs
    ]
    output.table(
        "Программы",
        ["№", "Программа", "Организация", "Сроки", "Этапов закрыто", "Просрочено"],
        rows,
    )


@program_cli.command("show")
@click.argument("program_id", metavar="PROGRAM", type=NUMBER)
@click.option("--full", is_flag=True, help="Полные названия мероприятий из дорожной карты.")
@now_option
@json_option
def program_show(program_id: int, full: bool, now: str | None, as_json: bool) -> None:
    """Дорожная карта программы: этапы, состояние, сроки, просрочки."""
    with database.session() as db:
        program = program_view(db, program_id, _now(now))
    if as_json:
        output.emit_json(program)
        return
    _print_roadmap(program, full)


@program_cli.command("assign")
@click.argument("program_id", metavar="PROGRAM", type=NUMBER)
@click.argument("person_id", metavar="PERSON", type=NUMBER)
@click.option(
    "--role",
    required=True,
    help="Роль: curator, director, mentor, mentee, psychologist (или по-русски: наставник…).",
)
@json_option
def program_assign(program_id: int, person_id: int, role: str, as_json: bool) -> None:
    """Назначить человеку роль в программе."""
    with database.session() as db:
        assignment = assign(db, program_id=program_id, person_id=person_id, role=role)
    if as_json:
        output.emit_json(assignment.model_dump())
    else:
        output.say(
            f"Человек №{person_id} — {ROLE_LABELS[Role(assignment.role)]} в программе №{program_id}"
        )


@org_cli.command("coordinator")
@click.argument("org_id", metavar="ORG", type=NUMBER)
@click.argument("person_id", metavar="PERSON", type=NUMBER)
def org_coordinator(org_id: int, person_id: int) -> None:
    """Назначить муниципального (регионального) координатора: ему уходят эскалации."""
    with database.session() as db:
        set_coordinator(db, org_id=org_id, person_id=person_id)
    output.say(f"Координатор организации №{org_id} — человек №{person_id}")


@person_cli.command("add")
@click.option("--org", type=NUMBER, required=True, help="Номер организации.")
@click.option("--name", required=True, help="ФИО.")
@click.option(
    "--contact",
    "contacts",
    multiple=True,
    required=True,
    help="Адрес apprise: mailto://ivanova@school.ru, tgram://ТОКЕН/ЧАТ…; можно несколько.",
)
@click.option("--preferred", help="Какой из адресов основной (по умолчанию первый).")
@json_option
def person_add(
    org: int, name: str, contacts: tuple[str, ...], preferred: str | None, as_json: bool
) -> None:
    """Добавить человека с адресами для уведомлений."""
    with database.session() as db:
        person = add_person(
            db, org_id=org, name=name, contacts=list(contacts), preferred=preferred, now=utc_now()
        )
    if as_json:
        output.emit_json(person)
    else:
        output.say(f"Добавлен человек №{person.id}: {person.name}, адрес: {person.preferred}")


@person_cli.command("list")
@click.option("--org", type=NUMBER, help="Только люди этой организации.")
@json_option
def person_list(org: int | None, as_json: bool) -> None:
    """Список людей и их адресов."""
    with database.session() as db:
        people = list_people(db, org_id=org)
    if as_json:
        output.emit_json(people)
        return
    rows = [
        [str(p.id), p.name, str(p.org_id), p.preferred, str(len(p.contacts) - 1 or "—")]
        for p in people
    ]
    output.table("Люди", ["№", "ФИО", "Организация", "Основной адрес", "Других адресов"], rows)


@reminders_cli.command("run")
@click.option(
    "--now", help="Момент обхода, ISO 8601 с часовым поясом или UTC; по умолчанию — сейчас."
)
@click.option(
    "--batch-size", type=NUMBER, default=500, show_default=True, help="Сообщений в пачке."
)
@json_option
def reminders_run(now: str | None, batch_size: int, as_json: bool) -> None:
    """Один обход: поставить в очередь то, что пора, и отправить очередь."""
    from flows.reminders import reminder_sweep  # imports Prefect: see _act

    if batch_size < 1:
        raise InvalidInput("Размер пачки — целое число от 1 (--batch-size)")
    moment = parse_moment(now) if now else utc_now()
    outcome = asyncio.run(reminder_sweep(as_moment(moment, "UTC"), batch_size=batch_size))
    if as_json:
        output.emit_json(outcome)
    else:
        output.say(
            f"Поставлено в очередь: {outcome.queued}; отправлено: {outcome.sent}; "
            f"повтор позже: {outcome.retrying}; не доставлено: {outcome.failed}"
        )


NOTICE_LABELS = {
    "invitation": "приглашение",
    "reminder": "напоминание",
    "overdue": "просрочка",
    "escalation": "эскалация",
}


@outbox_cli.command("list")
@click.option("--status", help="queued, sending, sent, failed или cancelled.")
@click.option("--program", "program_id", type=NUMBER, help="Только сообщения этой программы.")
@json_option
def outbox_list(status: str | None, program_id: int | None, as_json: bool) -> None:
    """Сообщения в очереди: кому, о каком этапе, в каком состоянии."""
    with database.session() as db:
        messages = list_outbox(db, status=status, program_id=program_id)
    if as_json:
        output.emit_json(messages)
        return
    rows = [
        [
            str(m.id),
            str(m.program_id),
            f"{m.stage_number} {m.stage_code}" + (f" #{m.occurrence}" if m.occurrence else ""),
            m.person_name,
            NOTICE_LABELS.get(m.kind, m.kind),
            output.day(m.due_date),
            OUTBOX_STATUS_LABELS[OutboxStatus(m.status)],
            str(m.attempts),
            m.last_error or "",
        ]
        for m in messages
    ]
    output.table(
        "Очередь сообщений",
        ["№", "Программа", "Этап", "Кому", "Что", "Срок", "Состояние", "Попыток", "Ошибка"],
        rows,
    )


@outbox_cli.command("retry")
@click.argument("message_id", metavar="ID", type=NUMBER)
def outbox_retry(message_id: int) -> None:
    """Вернуть недоставленное сообщение в очередь."""
    with database.session() as db:
        retry(db, message_id)
    output.say(f"Сообщение №{message_id} снова в очереди: уйдёт при следующем обходе")


@cli.command("serve")
@click.option("--cron", default="*/15 * * * *", show_default=True, help="Расписание обхода.")
def serve_command(cron: str) -> None:
    """Обход напоминаний по расписанию (процесс работает, пока его не остановят)."""
    from deployments.serve import serve_sweep  # imports Prefect: see _act

    output.say(f"Обход напоминаний по расписанию «{cron}»; остановить — Ctrl+C")
    serve_sweep(cron)


def _print_roadmap(program: ProgramView, full: bool) -> None:
    forms = ", ".join(program.form_labels) or "не выбраны"
    output.say(
        f"Программа №{program.id} «{program.title}» — {program.org_name} ({program.timezone})\n"
        f"Сроки: {output.day(program.start_date)}–{output.day(program.end_date)}; формы: {forms}; "
        f"куратор: {program.curator or '—'}\n"
        f"Закрыто этапов: {program.stages_closed} из {program.stages_total}; "
        f"просрочено: {program.stages_overdue}"
    )
    if program.messages_failed:
        output.say(
            f"Не доставлено сообщений: {program.messages_failed} — nastavnik outbox list "
            f"--status failed --program {program.id}"
        )
    rows: list[list[str]] = []
    phase = 0
    for stage in program.stages:
        if stage.phase != phase:
            phase = stage.phase
            rows.append(["", f"{phase}. {PHASES[phase]}", "", "", ""])
        overdue = f"ПРОСРОЧЕН на {stage.days_overdue} дн." if stage.days_overdue else ""
        dates = ""
        if stage.occurrences:
            dates = f" (даты: {stage.occurrences_closed}/{len(stage.occurrences)})"
        rows.append(
            [
                str(stage.number),
                (stage.name if full else stage.title) + dates,
                stage.state_label,
                output.day(stage.due_date),
                overdue,
            ]
        )
    output.table("Дорожная карта", ["№", "Этап", "Состояние", "Срок", "Просрочка"], rows)


def _act(
    program_id: int,
    stage: str,
    action: Action,
    *,
    actor: str | None,
    now: str | None,
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
            actor=_actor(actor),
            now=parse_moment(now) if now else None,
            reason=reason,
            occurrence=occurrence,
            due=due,
            expected=_state(expect),
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
@click.argument("new_date", metavar="DATE")
@occurrence_option
@reason_option
@now_option
@actor_option
@json_option
def stage_due(program_id: int, stage: str, new_date: str, **options: Any) -> None:
    """Изменить срок этапа (или даты повторяющегося этапа): DATE — 2026-10-15 или 15.10.2026."""
    _act(program_id, stage, Action.RESCHEDULE, due=parse_date(new_date, "DATE"), **options)


HISTORY_ACTIONS = {"create": "создать программу", **{a.value: t for a, t in ACTION_LABELS.items()}}
STATUS_LABELS = {"applied": "", "refused": "ОТКЛОНЕНО:", "pending": "не выполнено"}


def _change(row: HistoryRow) -> str:
    """A change in people's words: states by their labels, dates as 01.09.2026."""

    def word(value: str | None) -> str:
        if not value:
            return ""
        if value in set(StageState):
            return STATE_LABELS[StageState(value)]
        return output.day(date.fromisoformat(value))

    if row.action == "create":
        return f"начало {word(row.to_value)}"
    return f"{word(row.from_value)} -> {word(row.to_value)}" if row.from_value else ""


@cli.command("history")
@click.argument("program_id", metavar="PROGRAM", type=NUMBER)
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
        status = STATUS_LABELS.get(row.status, row.status)
        note = " ".join(part for part in (status, row.message or "", row.reason or "") if part)
        table.append(
            [
                output.moment(row.effective_at, tz),
                stage,
                HISTORY_ACTIONS.get(row.action, row.action),
                _change(row),
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


@cli.command("demo")
@click.option(
    "--start", help="Дата начала демо-программы (по умолчанию 1 сентября этого учебного года)."
)
def demo(start: str | None) -> None:
    """Демонстрация: муниципалитет, две школы и программа, пройденная за все 34 этапа."""
    from app.demo import run_demo  # imports Prefect: see _act

    asyncio.run(run_demo(parse_date(start, "--start") if start else None, output.say))


USAGE_MESSAGES: dict[type[click.ClickException], Callable[[Any], str]] = {
    click.exceptions.MissingParameter: lambda e: (
        "не указан обязательный параметр "
        + (e.param.get_error_hint(e.ctx) if e.param and e.ctx else "")
    ),
    click.exceptions.NoSuchOption: lambda e: f"нет параметра {e.option_name}",
    click.exceptions.BadParameter: lambda e: (
        "неверное значение "
        + (e.param.get_error_hint(e.ctx) if e.param and e.ctx else "")
        + f": {e.message}"
    ),
}


def _usage_message(error: click.UsageError) -> str:
    for kind, describe in USAGE_MESSAGES.items():
        if isinstance(error, kind):
            return describe(error)
    return error.format_message()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; Russian messages and a non-zero exit code on every error."""
    try:
        cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="nastavnik",
            standalone_mode=False,
        )
    except NastavnikError as failure:
        output.error(str(failure))
        return failure.exit_code
    except click.exceptions.NoArgsIsHelpError as failure:
        output.say(failure.format_message())
        return 2
    except click.UsageError as failure:
        output.error(f"{_usage_message(failure)}. Справка: nastavnik --help")
        return 2
    except click.exceptions.Abort:
        return 130
    return 0


def run() -> None:
    sys.exit(main())
