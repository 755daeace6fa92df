"""``nastavnik import``: a school's spreadsheet of people, of answers to a questionnaire or of
consents, taken into a program whole or not at all; the rules are documents/imports.py's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import click

from app import output
from app.cli.groups import import_cli
from app.cli.options import acting, actor_option, json_option, moment_or_now, now_option
from app.cli.types import IDENTIFIER, NAME, SHORT, Text
from documents.imports import ImportOutcome, import_answers, import_people
from documents.spreadsheets import load_mapping
from domain import database
from flows.consents import import_consents

# A path, as long as an operating system takes one.
PATH = Text(4096)


def file_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The file, the program, the mapping, the sheet, the dry run: shared by the imports."""
    options = [
        click.argument("path", metavar="ФАЙЛ", type=PATH),
        click.option("--program", type=IDENTIFIER, required=True, help="Номер программы."),
        click.option(
            "--mapping",
            type=PATH,
            metavar="ФАЙЛ",
            help="Файл JSON «код поля: заголовок столбца», если заголовки не узнаются сами; "
            "по умолчанию — сопоставление прошлой загрузки в эту программу.",
        ),
        click.option("--sheet", type=NAME, help="Лист книги Excel (по умолчанию первый)."),
        click.option(
            "--dry-run",
            is_flag=True,
            help="Только проверить файл: ничего не сохранять, сказать, что было бы сделано.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@import_cli.command("people")
@file_options
@now_option
@json_option
def import_people_command(
    path: str,
    program: int,
    mapping: str | None,
    sheet: str | None,
    dry_run: bool,
    now: datetime | None,
    as_json: bool,
) -> None:
    """Загрузить участников программы из таблицы .xlsx или .csv: ФИО, роль, дата рождения,
    категория, класс, год начала педагогической работы, место учёбы или работы, e-mail или
    другой адрес, для несовершеннолетних — ФИО и e-mail законного представителя. Весь файл
    или ничего: все ошибки — одним списком по строкам и столбцам."""
    explicit = load_mapping(mapping) if mapping else None
    with database.session() as db:
        outcome = import_people(
            db,
            program,
            path,
            now=moment_or_now(now),
            mapping=explicit,
            sheet=sheet,
            dry_run=dry_run,
        )
    _show(outcome, as_json)


@import_cli.command("answers")
@file_options
@click.option(
    "--questionnaire", type=SHORT, required=True, help="Код анкеты программы: mentee_survey…"
)
@now_option
@json_option
def import_answers_command(
    path: str,
    program: int,
    mapping: str | None,
    sheet: str | None,
    dry_run: bool,
    questionnaire: str,
    now: datetime | None,
    as_json: bool,
) -> None:
    """Загрузить ответы на анкету программы из таблицы .xlsx или .csv: строка — участник
    (ФИО, при необходимости дата рождения), столбец — вопрос (его текст или код). Весь файл
    или ничего: все ошибки — одним списком по строкам и столбцам."""
    explicit = load_mapping(mapping) if mapping else None
    with database.session() as db:
        outcome = import_answers(
            db,
            program,
            questionnaire,
            path,
            now=moment_or_now(now),
            mapping=explicit,
            sheet=sheet,
            dry_run=dry_run,
        )
    _show(outcome, as_json)


@import_cli.command("consents")
@file_options
@actor_option
@now_option
@json_option
def import_consents_command(
    path: str,
    program: int,
    mapping: str | None,
    sheet: str | None,
    dry_run: bool,
    actor: str | None,
    now: datetime | None,
    as_json: bool,
) -> None:
    """Загрузить согласия на обработку и на распространение персональных данных (152-ФЗ) из
    таблицы .xlsx или .csv: ФИО (при необходимости дата рождения), вид согласия, кто дал
    согласие (ФИО; за несовершеннолетнего — законный представитель), дата согласия, документ.
    Весь файл или ничего: все ошибки — одним списком по строкам и столбцам. Анкеты, уже
    открытые участнику, отправляются ему, когда он даёт согласие на обработку."""
    explicit = load_mapping(mapping) if mapping else None
    outcome = import_consents(
        program,
        path,
        actor=acting(actor),
        now=moment_or_now(now),
        mapping=explicit,
        sheet=sheet,
        dry_run=dry_run,
    )
    _show(outcome, as_json)


def _show(outcome: ImportOutcome, as_json: bool) -> None:
    if as_json:
        output.emit_json(outcome)
        return
    where = f"Программа №{outcome.program_id}, файл «{outcome.source}»"
    if outcome.kind == "answers":
        done = (
            f"анкета {outcome.questionnaire}: строк {outcome.rows}; ответов записано: "
            f"{outcome.answers_recorded} (новых {outcome.created}, заменено {outcome.updated}), "
            f"без изменений: {outcome.unchanged}"
        )
    elif outcome.kind == "consents":
        done = (
            f"строк {outcome.rows}; согласий записано: {outcome.created}, уже были записаны: "
            f"{outcome.unchanged}"
        )
        if not outcome.dry_run:
            done += f"; сообщений с анкетами в очереди: {outcome.messages_queued}"
    else:
        done = (
            f"строк {outcome.rows}; людей добавлено: {outcome.created}, дополнено: "
            f"{outcome.updated}, без изменений: {outcome.unchanged}; законных представителей "
            f"добавлено: {outcome.representatives_created}"
        )
    if outcome.dry_run:
        output.say(f"Проверка (--dry-run): файл в порядке, ничего не сохранено. {where}: {done}")
    else:
        output.say(f"{where}: {done}")
    if outcome.minors_without_representative:
        output.note(
            f"Несовершеннолетних без законного представителя: "
            f"{outcome.minors_without_representative}. Согласие на обработку их данных дать "
            "некому: укажите представителя в файле или nastavnik person edit --representative"
        )
