"""``nastavnik person``: people and the addresses they are reached at."""

from __future__ import annotations

import click

from app import output
from app.cli.groups import person_cli
from app.cli.options import json_option
from app.cli.types import ADDRESS, IDENTIFIER, NAME
from domain import database
from domain.people import add_person, list_people
from domain.schedule import utc_now


@person_cli.command("add")
@click.option("--org", type=IDENTIFIER, required=True, help="Номер организации.")
@click.option("--name", type=NAME, required=True, help="ФИО.")
@click.option(
    "--contact",
    "contacts",
    type=ADDRESS,
    multiple=True,
    required=True,
    help="Адрес apprise: mailto://ivanova@school.ru, tgram://ТОКЕН/ЧАТ…; можно несколько.",
)
@click.option("--preferred", type=ADDRESS, help="Какой из адресов основной (по умолчанию первый).")
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
@click.option("--org", type=IDENTIFIER, help="Только люди этой организации.")
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
