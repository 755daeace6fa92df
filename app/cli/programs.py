"""``nastavnik program``: create, list, show the roadmap, assign people to roles."""

from __future__ import annotations

from datetime import date, datetime

import click

from app import output
from app.cli.groups import program_cli
from app.cli.options import (
    acting,
    actor_option,
    json_option,
    moment_or_now,
    now_option,
)
from app.cli.types import DAY, DAY_COUNTS, IDENTIFIER, NAME, REASON, SHORT, Count
from domain import database
from domain.people import assign
from domain.programs import NOTICE_DAYS, ProgramView, create_program, list_programs, program_view
from domain.roadmap import PHASES, ROLE_LABELS, Role
from notifications.messages import plural


@program_cli.command("create")
@click.option("--org", type=IDENTIFIER, required=True, help="Номер организации.")
@click.option("--title", type=NAME, required=True, help="Название программы.")
@click.option(
    "--form",
    "forms",
    type=SHORT,
    multiple=True,
    help="Форма наставничества (код или название); можно несколько.",
)
@click.option(
    "--role-model",
    type=REASON,
    help="Ролевая модель, например «опытный педагог – молодой специалист».",
)
@click.option(
    "--start", type=DAY, help="Дата начала (2026-09-01 или 01.09.2026); по умолчанию сегодня."
)
@click.option("--end", type=DAY, help="Дата окончания; по умолчанию через 37 недель.")
@click.option(
    "--curator", type=IDENTIFIER, help="Куратор программы: номер человека (nastavnik person add)."
)
@click.option(
    "--remind", type=DAY_COUNTS, help="За сколько дней до срока напоминать, через запятую (3,1)."
)
@click.option(
    "--escalate-after",
    type=Count(*NOTICE_DAYS),
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
    start: date | None,
    end: date | None,
    curator: int | None,
    remind: list[int] | None,
    escalate_after: int | None,
    actor: str | None,
    now: datetime | None,
    as_json: bool,
) -> None:
    """Создать программу: этапы дорожной карты со сроками от даты начала."""
    with database.session() as db:
        program = create_program(
            db,
            org_id=org,
            title=title,
            forms=list(forms),
            role_model=role_model,
            start=start,
            end=end,
            curator=curator,
            reminder_days=remind,
            escalation_days=escalate_after,
            actor=acting(actor),
            now=moment_or_now(now),
        )
    if as_json:
        output.emit_json(program)
    else:
        output.say(
            f"Создана программа №{program.id} «{program.title}»: {program.stages_total} "
            f"{plural(program.stages_total, 'этап', 'этапа', 'этапов')} с "
            f"{output.day(program.start_date)} по {output.day(program.end_date)}"
        )


@program_cli.command("list")
@click.option("--org", type=IDENTIFIER, help="Только программы этой организации.")
@now_option
@json_option
def program_list(org: int | None, now: datetime | None, as_json: bool) -> None:
    """Список программ с ходом выполнения."""
    with database.session() as db:
        programs = list_programs(db, moment_or_now(now), org_id=org)
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
@click.argument("program_id", metavar="ПРОГРАММА", type=IDENTIFIER)
@click.option("--full", is_flag=True, help="Полные названия мероприятий из дорожной карты.")
@now_option
@json_option
def program_show(program_id: int, full: bool, now: datetime | None, as_json: bool) -> None:
    """Дорожная карта программы: этапы, состояние, сроки, просрочки."""
    with database.session() as db:
        program = program_view(db, program_id, moment_or_now(now))
    if as_json:
        output.emit_json(program)
        return
    _print_roadmap(program, full)


@program_cli.command("assign")
@click.argument("program_id", metavar="ПРОГРАММА", type=IDENTIFIER)
@click.argument("person_id", metavar="ЧЕЛОВЕК", type=IDENTIFIER)
@click.option(
    "--role",
    type=SHORT,
    required=True,
    help="Роль: curator, director, mentor, mentee, psychologist (или по-русски: наставник…).",
)
@json_option
def program_assign(program_id: int, person_id: int, role: str, as_json: bool) -> None:
    """Назначить человеку роль в программе."""
    with database.session() as db:
        assignment = assign(db, program_id=program_id, person_id=person_id, role=role)
    if as_json:
        output.emit_json(
            assignment.model_dump() | {"role_label": ROLE_LABELS[Role(assignment.role)]}
        )
    else:
        output.say(
            f"Человек №{person_id} — {ROLE_LABELS[Role(assignment.role)]} в программе №{program_id}"
        )


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
        if stage.consents_expected is not None:
            dates = f" (согласия: {stage.consents_collected}/{stage.consents_expected})"
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
