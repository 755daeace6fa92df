"""click in Russian: its own messages, help headings and usage words.

click marks every text it shows with gettext (``_("Missing option")``), but gettext picks a
catalogue by the user's locale, and the interface must be Russian whatever the locale is. So
the ``_`` and ``ngettext`` that click's modules call are pointed at this table; a text missing
from it stays as click wrote it (tests/app/test_cli_russian.py walks help pages and errors).
"""

from __future__ import annotations

import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.types

# click's message ids (click 8.1 to 8.5) and what a person reads instead.
MESSAGES: dict[str, str] = {
    "Usage:": "Использование:",
    "Options": "Параметры",
    "Commands": "Команды",
    "Positional arguments": "Аргументы",
    "Show this message and exit.": "Показать эту справку и выйти.",
    "required": "обязательный",
    "default: {default}": "по умолчанию: {default}",
    "env var: {var}": "переменная окружения: {var}",
    "(dynamic)": "(вычисляется)",
    "deprecated": "устарело",
    "Aborted!": "Прервано.",
    "Error: {message}": "Ошибка: {message}",
    "Try '{command} {option}' for help.": "Справка: {command} {option}",
    "Missing command.": "не указана команда",
    "Missing argument": "не указан обязательный аргумент",
    "Missing option": "не указан обязательный параметр",
    "Missing parameter": "не указан обязательный параметр",
    "Missing parameter: {param_name}": "не указан обязательный параметр «{param_name}»",
    "Missing {param_type}": "не указан {param_type}",
    "No such option {name!r}.": "нет параметра «{name}»",
    "No such command {name!r}.": "нет команды «{name}»",
    "Did you mean {possibility}?": "Может быть, {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(может быть, одно из: {possibilities}?)",
    "Invalid value for {param_hint}: {message}": "неверное значение {param_hint}: {message}",
    "Invalid value: {message}": "неверное значение: {message}",
    "Option {name!r} does not take a value.": "параметр «{name}» не принимает значения",
    "Option {name!r} requires an argument.": "у параметра «{name}» должно быть значение",
    "Option {name!r} requires {nargs} arguments.": "у параметра «{name}» должно быть "
    "значений: {nargs}",
    "Argument {name!r} takes {nargs} values.": "у аргумента «{name}» должно быть значений: {nargs}",
    "Got unexpected extra argument ({args})": "лишний аргумент: {args}",
    "Got unexpected extra arguments ({args})": "лишние аргументы: {args}",
    "Takes {nargs} values but 1 was given.": "нужно значений: {nargs}, а дано одно",
    "Takes {nargs} values but {len} were given.": "нужно значений: {nargs}, а дано {len}",
    "Value must be an iterable.": "нужен список значений",
    "{value!r} is not a valid {number_type}.": "«{value}» — не число ({number_type})",
    "{value} is not in the range {range}.": "{value} вне допустимого диапазона {range}",
    "Invalid start character for option ({option})": "неверный первый символ параметра ({option})",
    "unknown error": "неизвестная ошибка",
}
MODULES = (
    click.core,
    click.decorators,
    click.exceptions,
    click.formatting,
    click.parser,
    click.types,
)


def gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return gettext(singular if count == 1 else plural)


def install() -> None:
    """Point click's ``_`` and ``ngettext`` at the Russian table."""
    for module in MODULES:
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]
