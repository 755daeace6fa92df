"""``nastavnik export``: the mentee database and the mentor database of a program as .xlsx
workbooks, in the columns of the target model's sample forms (documents/registers.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import click

from app import output
from app.cli.groups import export_cli
from app.cli.options import json_option, moment_or_now, now_option
from app.cli.types import ADDRESS, IDENTIFIER
from documents.registers import REGISTERS, export_register_file
from domain import database
from domain.programs import program_timezone
from domain.schedule import local_today
from notifications.messages import plural


def _register_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options: list[Callable[[Callable[..., Any]], Callable[..., Any]]] = [
        click.argument("program_id", metavar="ПРОГРАММА", type=IDENTIFIER),
        click.option(
            "--xlsx",
            "path",
            type=ADDRESS,
            metavar="ФАЙЛ",
            required=True,
            help="Куда записать книгу Excel: путь к файлу *.xlsx (папка должна существовать; "
            "файл с тем же именем заменяется).",
        ),
        now_option,
        json_option,
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _export(which: str, program_id: int, path: str, now: datetime | None, as_json: bool) -> None:
    with database.session() as db:
        day = local_today(moment_or_now(now), program_timezone(db, program_id))
        exported = export_register_file(db, program_id, which, path, day)
    if as_json:
        output.emit_json({"path": str(exported.path), "rows": exported.rows})
        return
    rows = exported.rows
    output.say(
        f"{REGISTERS[which].title.capitalize()} программы №{program_id} на {output.day(day)} "
        f"записана в {exported.path}: {rows} {plural(rows, 'строка', 'строки', 'строк')}"
    )


@export_cli.command("mentees")
@_register_options
def export_mentees(program_id: int, path: str, now: datetime | None, as_json: bool) -> None:
    """База наставляемых программы в .xlsx; отказ, если у кого-то в ней нет согласия на
    обработку персональных данных."""
    _export("mentees", program_id, path, now, as_json)


@export_cli.command("mentors")
@_register_options
def export_mentors(program_id: int, path: str, now: datetime | None, as_json: bool) -> None:
    """База наставников программы в .xlsx; отказ, если у кого-то в ней нет согласия на
    обработку персональных данных."""
    _export("mentors", program_id, path, now, as_json)
