"""``nastavnik survey``: a program's questionnaires, who answered them, the answers, an answer
given with a person's personal code (until the web page takes it from the link), and questions
a curator adds to the program's copy."""

from __future__ import annotations

import json
from pathlib import Path

import click

from app import output
from app.cli.groups import survey_cli
from app.cli.options import json_option
from app.cli.types import IDENTIFIER, REASON, SHORT, Text
from domain import database, inputs
from domain.errors import InvalidInput
from domain.models import Person
from domain.programs import get_program, program_timezone
from domain.schedule import local_today, utc_now
from domain.surveys import (
    add_question,
    answer_by_link,
    answers_of,
    find_questionnaire,
    program_questionnaires,
    questionnaire_of,
    survey_progress,
)


@survey_cli.command("status")
@click.argument("program_id", metavar="ПРОГРАММА", type=IDENTIFIER)
@json_option
def survey_status(program_id: int, as_json: bool) -> None:
    """Анкеты программы: открыта ли, сколько спрошено, сколько ответило."""
    with database.session() as db:
        get_program(db, program_id)
        today = local_today(utc_now(), program_timezone(db, program_id))
        found = [survey_progress(db, row, today) for row in program_questionnaires(db, program_id)]
    if as_json:
        output.emit_json(found)
        return
    rows = [
        [p.code, p.title, "открыта" if p.is_open else "закрыта", str(p.expected),
         str(p.answered), f"{p.rate:.0%}"]
        for p in found
    ]  # fmt: skip
    output.table("Анкеты", ["Код", "Анкета", "Состояние", "Спрошено", "Ответили", "Доля"], rows)


@survey_cli.command("answers")
@click.argument("program_id", metavar="ПРОГРАММА", type=IDENTIFIER)
@click.argument("code", metavar="АНКЕТА", type=SHORT)
@json_option
def survey_answers(program_id: int, code: str, as_json: bool) -> None:
    """Ответы на анкету программы: кто и что ответил (для куратора)."""
    with database.session() as db:
        get_program(db, program_id)
        row = find_questionnaire(db, program_id, code)
        questionnaire = questionnaire_of(row)
        answers = answers_of(db, program_id, code)
        names = {pid: (db.get(Person, pid) or Person(name="?", org_id=0)).name for pid in answers}
    if as_json:
        output.emit_json(
            [{"person_id": pid, "name": names[pid], "answers": a} for pid, a in answers.items()]
        )
        return
    headers = ["№", "ФИО", *[q.text for q in questionnaire.questions]]
    rows = [
        [str(pid), names[pid], *[_shown(a.get(q.code)) for q in questionnaire.questions]]
        for pid, a in answers.items()
    ]
    output.table(f"Ответы: {questionnaire.title}", headers, rows)


def _shown(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


@survey_cli.command("answer")
@click.option("--token", required=True, type=Text(inputs.ADDRESS), help="Личный код анкеты.")
@click.option(
    "--file",
    "answers_file",
    required=True,
    type=Text(inputs.ADDRESS),
    help='Файл ответов JSON: {"код вопроса": ответ, …}.',
)
@json_option
def survey_answer(token: str, answers_file: str, as_json: bool) -> None:
    """Ответить на анкету по личному коду из приглашения (пока нет веб-страницы)."""
    answers = _read_answers(Path(answers_file))
    now = utc_now()
    with database.session() as db:
        row, response = answer_by_link(db, token, answers, now=now)
        title = questionnaire_of(row).title
    if as_json:
        output.emit_json({"questionnaire": row.code, "answers": response.answers})
        return
    output.say(f"Ответы на анкету «{title}» приняты: {len(response.answers)}")


def _read_answers(path: Path) -> dict[str, object]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput(f"Файл ответов {inputs.shown(str(path))} не найден (--file)") from None
    except (OSError, UnicodeError, json.JSONDecodeError) as error:
        raise InvalidInput(
            f"Файл ответов {inputs.shown(str(path))} не прочитать как JSON (--file): "
            f"{type(error).__name__}"
        ) from None
    if not isinstance(data, dict):
        raise InvalidInput('Файл ответов (--file): ожидается объект {"код вопроса": ответ}')
    return data


@survey_cli.command("add-question")
@click.argument("program_id", metavar="ПРОГРАММА", type=IDENTIFIER)
@click.argument("questionnaire", metavar="АНКЕТА", type=SHORT)
@click.option("--code", required=True, type=SHORT, help="Код вопроса, латиницей: hobby.")
@click.option(
    "--kind",
    required=True,
    type=SHORT,
    help="single_choice, multiple_choice, scale, number, text, date или ranking.",
)
@click.option("--text", "question_text", required=True, type=REASON, help="Текст вопроса.")
@click.option(
    "--option",
    "options",
    multiple=True,
    type=SHORT,
    help="Вариант ответа «код:подпись» (для выбора); можно несколько.",
)
@click.option("--optional", is_flag=True, help="Необязательный вопрос.")
@json_option
def survey_add_question(
    program_id: int,
    questionnaire: str,
    code: str,
    kind: str,
    question_text: str,
    options: tuple[str, ...],
    optional: bool,
    as_json: bool,
) -> None:
    """Добавить вопрос в анкету этой программы (встроенные анкеты и другие программы не
    меняются)."""
    data: dict[str, object] = {
        "kind": kind.strip(),
        "code": code.strip(),
        "text": question_text,
        "required": not optional,
    }
    if options:
        data["options"] = [_option(text) for text in options]
    with database.session() as db:
        get_program(db, program_id)
        updated = add_question(db, program_id, questionnaire, data)
    if as_json:
        output.emit_json(updated.to_data())
        return
    output.say(
        f"В анкету «{updated.title}» программы №{program_id} добавлен вопрос «{code}»; "
        f"вопросов теперь {len(updated.questions)}"
    )


def _option(text: str) -> dict[str, str]:
    code, colon, label = text.partition(":")
    if not colon or not code.strip() or not label.strip():
        raise InvalidInput(f"Вариант «{inputs.shown(text)}» (--option): нужно «код:подпись»")
    return {"code": code.strip(), "label": label.strip()}
