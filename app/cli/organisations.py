"""``nastavnik org``: organisations, their time zones, sending hours, mail server, coordinator.
A mail server's password is never shown: ``***`` stands in its place."""

from __future__ import annotations

import click

from app import output
from app.cli.groups import org_cli
from app.cli.options import json_option
from app.cli.types import ADDRESS, HOURS, IDENTIFIER, NAME, SHORT
from domain import database
from domain.organisations import OrgView, add_organisation, edit_organisation, list_organisations
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


@org_cli.command("edit")
@click.argument("org_id", metavar="ОРГАНИЗАЦИЯ", type=IDENTIFIER)
@click.option("--name", type=NAME, help="Новое название.")
@click.option("--tz", type=SHORT, help="Часовой пояс IANA (Asia/Yekaterinburg).")
@click.option(
    "--no-tz", "no_tz", is_flag=True, help="Убрать свой часовой пояс: наследовать вышестоящей."
)
@click.option(
    "--hours", type=HOURS, help="Часы отправки сообщений по местному времени, «с-до»: 9-18."
)
@click.option(
    "--no-hours",
    "no_hours",
    is_flag=True,
    help="Убрать свои часы отправки: наследовать вышестоящей (иначе 9-18).",
)
@click.option(
    "--smtp",
    type=ADDRESS,
    help="Свой SMTP-сервер для почты, адрес apprise без получателя: "
    "mailtos://логин:пароль@smtp.school.ru?from=noreply@school.ru",
)
@click.option(
    "--no-smtp",
    "no_smtp",
    is_flag=True,
    help="Убрать свой SMTP-сервер: почта пойдёт через сервер вышестоящей, если он задан.",
)
@json_option
def org_edit(
    org_id: int,
    name: str | None,
    tz: str | None,
    no_tz: bool,
    hours: tuple[int, int] | None,
    no_hours: bool,
    smtp: str | None,
    no_smtp: bool,
    as_json: bool,
) -> None:
    """Изменить название, часовой пояс, часы отправки или почтовый сервер организации."""
    with database.session() as db:
        org = edit_organisation(
            db,
            org_id,
            name=name,
            timezone=tz,
            hours=hours,
            smtp_url=smtp,
            clear_timezone=no_tz,
            clear_hours=no_hours,
            clear_smtp=no_smtp,
        )
    if as_json:
        output.emit_json(org)
        return
    changed = [
        (name is not None, f"название «{org.name}»"),
        (tz is not None or no_tz, f"часовой пояс {_timezone(org)}"),
        (hours is not None or no_hours, f"часы отправки {_hours(org)}"),
        (smtp is not None or no_smtp, f"почтовый сервер {_smtp(org, none='не задан')}"),
    ]
    output.say(
        f"Изменена организация №{org.id} «{org.name}»: "
        + "; ".join(what for given, what in changed if given)
    )


@org_cli.command("list")
@json_option
def org_list(as_json: bool) -> None:
    """Список организаций: часовой пояс, часы отправки и почтовый сервер, свои или
    унаследованные (пароль сервера не показывается)."""
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
            _timezone(o),
            _hours(o),
            _smtp(o),
        ]
        for o in orgs
    ]
    output.table(
        "Организации",
        ["№", "Название", "Тип", "Входит в", "Часовой пояс", "Часы отправки", "Почтовый сервер"],
        rows,
    )
    # Why, once under the table: the reason is long and the same for every server.
    for problem in dict.fromkeys(o.smtp_problem for o in orgs if o.smtp_problem):
        which = ", ".join(f"№{o.id}" for o in orgs if o.smtp_problem == problem)
        output.say(f"Почтовый сервер организаций {which}: {problem}")


INHERITED = " (насл.)"


def _timezone(org: OrgView) -> str:
    return org.timezone + (INHERITED if org.timezone_inherited else "")


def _hours(org: OrgView) -> str:
    source = {"own": "", "inherited": INHERITED, "default": " (по умолч.)"}[org.hours_source]
    return f"{org.hours[0]}-{org.hours[1]}{source}"


def _smtp(org: OrgView, none: str = "—") -> str:
    if org.smtp_url is None:
        return none
    shown = org.smtp_url + (INHERITED if org.smtp_inherited else "")
    return f"{shown} — пароль не прочитать" if org.smtp_problem else shown


@org_cli.command("coordinator")
@click.argument("org_id", metavar="ОРГАНИЗАЦИЯ", type=IDENTIFIER)
@click.argument("person_id", metavar="ЧЕЛОВЕК", type=IDENTIFIER)
def org_coordinator(org_id: int, person_id: int) -> None:
    """Назначить муниципального (регионального) координатора: ему уходят эскалации."""
    with database.session() as db:
        set_coordinator(db, org_id=org_id, person_id=person_id)
    output.say(f"Координатор организации №{org_id} — человек №{person_id}")
