"""``nastavnik person``: people, the addresses they are reached at, and what a program needs to
know of a participant (date of birth, category, place, a minor's legal representatives)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import click

from app import output
from app.cli.groups import person_cli
from app.cli.options import json_option
from app.cli.types import ADDRESS, BIRTH_DAY, DAY, IDENTIFIER, NAME, SHORT, Count
from domain import database
from domain.participants import Particulars
from domain.people import (
    PersonCard,
    add_person,
    edit_person,
    get_person,
    list_people,
    person_card,
)
from domain.person_links import personal_link, revoke_links
from domain.schedule import utc_now


def particulars_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options of a participant's particulars, shared by ``person add`` and ``edit``."""
    options = [
        click.option(
            "--birth-date", type=BIRTH_DAY, help="Дата рождения: 2012-03-15 или 15.03.2012."
        ),
        click.option(
            "--category",
            type=SHORT,
            help="pupil (обучающийся), student (студент), teacher (педагог), employee "
            "(работник предприятия), parent (родитель).",
        ),
        click.option("--class", "school_class", type=SHORT, help="Класс обучающегося: 7Б."),
        click.option(
            "--teaching-since", type=Count(1950, 2100), help="Педагог: год начала работы."
        ),
        click.option("--place", type=NAME, help="Место учёбы или работы, должность."),
        click.option(
            "--representative",
            "representatives",
            type=IDENTIFIER,
            multiple=True,
            help="Законный представитель несовершеннолетнего: номер человека; можно несколько.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _particulars(options: dict[str, Any]) -> Particulars:
    return Particulars(
        birth_date=options.get("birth_date"),
        category=options.get("category"),
        school_class=options.get("school_class"),
        teaching_since=options.get("teaching_since"),
        place=options.get("place"),
    )


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
@particulars_options
@json_option
def person_add(
    org: int,
    name: str,
    contacts: tuple[str, ...],
    preferred: str | None,
    representatives: tuple[int, ...],
    as_json: bool,
    **particulars: Any,
) -> None:
    """Добавить человека с адресами для уведомлений."""
    with database.session() as db:
        person = add_person(
            db,
            org_id=org,
            name=name,
            contacts=list(contacts),
            preferred=preferred,
            now=utc_now(),
            particulars=_particulars(particulars),
            representative_ids=list(representatives),
        )
    if as_json:
        output.emit_json(person)
    else:
        output.say(f"Добавлен человек №{person.id}: {person.name}, адрес: {person.preferred}")


@person_cli.command("edit")
@click.argument("person_id", metavar="ЧЕЛОВЕК", type=IDENTIFIER)
@click.option("--name", type=NAME, help="ФИО.")
@particulars_options
@click.option(
    "--no-representative",
    "unnamed",
    type=IDENTIFIER,
    multiple=True,
    help="Больше не законный представитель: номер человека.",
)
@json_option
def person_edit(
    person_id: int,
    name: str | None,
    representatives: tuple[int, ...],
    unnamed: tuple[int, ...],
    as_json: bool,
    **particulars: Any,
) -> None:
    """Изменить ФИО и сведения об участнике; не указанное остаётся как было."""
    with database.session() as db:
        card = edit_person(
            db,
            person_id,
            now=utc_now(),
            name=name,
            particulars=_particulars(particulars),
            add_representatives=list(representatives),
            remove_representatives=list(unnamed),
        )
    _show(card, as_json)


@person_cli.command("show")
@click.argument("person_id", metavar="ЧЕЛОВЕК", type=IDENTIFIER)
@click.option("--on", "day", type=DAY, help="На дату (возраст, согласия); по умолчанию сегодня.")
@json_option
def person_show(person_id: int, day: date | None, as_json: bool) -> None:
    """Всё об участнике: возраст, категория, представители, роли, согласия."""
    with database.session() as db:
        card = person_card(db, person_id, day or utc_now().date())
    _show(card, as_json)


def _show(card: PersonCard, as_json: bool) -> None:
    if as_json:
        output.emit_json(card)
        return

    def named(people: list[dict[str, int | str]]) -> str:
        return ", ".join(f"{p['name']} (№{p['id']})" for p in people) or "—"

    age = f"{card.age} лет" if card.age is not None else "возраст не указан"
    lines = [
        f"№{card.id} {card.name} — организация №{card.org_id}",
        f"Дата рождения: {output.day(card.birth_date) if card.birth_date else '—'} ({age}"
        + (", несовершеннолетний)" if card.minor else ")"),
        f"Категория: {card.category_label or '—'}"
        + (f", класс {card.school_class}" if card.school_class else "")
        + (f", работает с {card.teaching_since} г." if card.teaching_since else "")
        + (" — молодой специалист" if card.young_specialist else ""),
        f"Место учёбы или работы: {card.place or '—'}",
        f"Законные представители: {named(card.representatives)}",
        f"Представляет: {named(card.represents)}",
        "Роли: "
        + (", ".join(f"{r['role_label']} в программе №{r['program']}" for r in card.roles) or "—"),
        "Согласие на обработку данных: "
        + ("действует" if card.may_process else "нет")
        + "; на публикацию: "
        + ("действует" if card.may_publish else "нет"),
        f"Адреса: {', '.join(card.contacts) or '—'}",
    ]
    output.say("\n".join(lines))


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


@person_cli.command("link")
@click.argument("person_id", metavar="ЧЕЛОВЕК", type=IDENTIFIER)
@json_option
def person_link(person_id: int, as_json: bool) -> None:
    """Личная ссылка участника на его страницу (её же приносит каждое письмо), чтобы отдать
    её лично; действует 90 дней или до отзыва."""
    with database.session() as db:
        url = personal_link(get_person(db, person_id))
    if as_json:
        output.emit_json({"person": person_id, "url": url})
    else:
        output.say(url)


@person_cli.command("revoke-links")
@click.argument("person_id", metavar="ЧЕЛОВЕК", type=IDENTIFIER)
def person_revoke_links(person_id: int) -> None:
    """Отозвать все личные ссылки человека (например, письмо попало к другому): прежние
    перестают открываться сразу, следующее письмо принесёт новую."""
    with database.session() as db:
        person = revoke_links(db, person_id)
    output.say(f"Личные ссылки человека №{person.id} отозваны; следующее письмо принесёт новую")
