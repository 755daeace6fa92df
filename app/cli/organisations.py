"""``nastavnik org``: organisations, their time zones, sending hours, mail server, coordinator."""

from __future__ import annotations

import click

from app import output
from app.cli.groups import org_cli
from app.cli.options import json_option
from app.cli.types import ADDRESS, HOURS, IDENTIFIER, NAME, SHORT
from domain import database
from domain.organisations import add_organisation, list_organisations
from domain.people import set_coordinator
from domain.schedule import utc_now


@org_cli.command("add")
@click.option("--name", type=NAME, required=True, help="Название.")
@click.option(
    "--kind",
    type=SHORT,
    required=True,
    help="Тип: region, municipality, school, college, additional_education, enterprise, ngo "
    "(или по-русски: регион, муниципалитет, школа…).",
)
@click.option("--parent", type=IDENTIFIER, help="Номер вышестоящей организации.")
@click.option(
    "--tz", type=SHORT, help="Часовой пояс IANA (Asia/Yekaterinburg); иначе — вышестоящей."
)
@click.option(
    "--hours", type=HOURS, help="Часы отправки сообщений по местному времени, «с-до»: 9-18."
)
@click.option(
    "--smtp",
    type=ADDRESS,
    help="Свой SMTP-сервер для почты, адрес apprise без получателя: "
    "mailtos://логин:пароль@smtp.school.ru?from=noreply@school.ru",
)
@json_option
def org_add(
    name: str,
    kind: str,
    parent: int | None,
    tz: str | None,
    hours: tuple[int, int] | None,
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
            hours=hours,
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


@org_cli.command("coordinator")
@click.argument("org_id", metavar="ОРГАНИЗАЦИЯ", type=IDENTIFIER)
@click.argument("person_id", metavar="ЧЕЛОВЕК", type=IDENTIFIER)
def org_coordinator(org_id: int, person_id: int) -> None:
    """Назначить муниципального (регионального) координатора: ему уходят эскалации."""
    with database.session() as db:
        set_coordinator(db, org_id=org_id, person_id=person_id)
    output.say(f"Координатор организации №{org_id} — человек №{person_id}")
