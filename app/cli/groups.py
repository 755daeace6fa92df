"""The command groups: ``nastavnik org``, ``program``, ``stage``, ``person``, ``reminders`` and
``outbox``; each module of this package adds its commands to them."""

from __future__ import annotations

from collections.abc import Iterable

import click

# click writes its own parts of --help in English; these are what a person reads instead.
HELP_WORDS = {
    "Options": "Параметры",
    "Commands": "Команды",
    "Arguments": "Аргументы",
    "Show this message and exit.": "Показать эту справку и выйти.",
}


class RussianHelp(click.HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix or "Использование: ")

    def write_heading(self, heading: str) -> None:
        super().write_heading(HELP_WORDS.get(heading, heading))

    def write_dl(
        self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        translated = [(term, HELP_WORDS.get(text, text)) for term, text in rows]
        super().write_dl(translated, col_max, col_spacing)


class RussianContext(click.Context):
    formatter_class = RussianHelp


class RussianCommand(click.Command):
    context_class = RussianContext


class RussianGroup(click.Group):
    context_class = RussianContext
    command_class = RussianCommand
    group_class = type  # subgroups are RussianGroup too


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


@cli.group("reminders")
def reminders_cli() -> None:
    """Приглашения и напоминания."""


@cli.group("outbox")
def outbox_cli() -> None:
    """Очередь сообщений: что отправлено, что ждёт, что не доставлено."""
