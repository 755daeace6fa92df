"""The command groups: ``nastavnik org``, ``program``, ``stage``, ``person``, ``match``,
``reminders`` and ``outbox``; each module of this package adds its commands to them."""

from __future__ import annotations

from typing import Any

import click

from app.cli import russian

russian.install()


class RussianCommand(click.Command):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[ПАРАМЕТРЫ]")
        super().__init__(*args, **kwargs)


class RussianGroup(click.Group):
    command_class = RussianCommand
    group_class = type  # subgroups are RussianGroup too

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[ПАРАМЕТРЫ]")
        kwargs.setdefault("subcommand_metavar", "КОМАНДА [АРГУМЕНТЫ]...")
        super().__init__(*args, **kwargs)


@click.group(
    cls=RussianGroup,
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


@cli.group("consent")
def consent_cli() -> None:
    """Согласия на обработку и на публикацию персональных данных (152-ФЗ)."""


@cli.group("survey")
def survey_cli() -> None:
    """Анкеты программы: кто ответил, ответы, ответ по личному коду."""


@cli.group("export")
def export_cli() -> None:
    """Выгрузки в Excel: база наставляемых и база наставников (Р-145)."""


@cli.group("import")
def import_cli() -> None:
    """Загрузка таблиц школы (.xlsx, .csv): участники программы и ответы на анкеты."""


@cli.group("user")
def user_cli() -> None:
    """Учётные записи для входа в веб-интерфейс: администраторы, координаторы, кураторы."""


@cli.group("match")
def match_cli() -> None:
    """Подбор наставнических пар и групп (этапы 19 и 20): способ и веса критериев,
    закреплённые и запрещённые пары, предложение с объяснением каждой пары, приказ."""


@cli.group("reminders")
def reminders_cli() -> None:
    """Приглашения и напоминания."""


@cli.group("outbox")
def outbox_cli() -> None:
    """Очередь сообщений: что отправлено, что ждёт, что не доставлено."""
