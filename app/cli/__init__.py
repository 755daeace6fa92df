"""The ``nastavnik`` command line: parses what a person typed, calls a service, prints Russian.

Every rule lives in domain/ and every action in a service function (domain/, flows/actions.py),
so the REST API and web pages will call the same functions.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Sequence
from typing import Any

import click

from app import output
from app.cli import notices, organisations, people, programs, stages  # noqa: F401  (commands)
from app.cli.groups import cli
from domain import database
from domain.errors import NastavnikError
from domain.schedule import parse_date


@cli.command("init")
def init_command() -> None:
    """Создать или обновить схему базы данных."""
    where = database.upgrade()
    output.say(f"База данных готова: {where}")


@cli.command("demo")
@click.option(
    "--start", help="Дата начала демо-программы (по умолчанию 1 сентября этого учебного года)."
)
def demo(start: str | None) -> None:
    """Демонстрация: муниципалитет, две школы и программа, пройденная за все 34 этапа."""
    from app.demo import run_demo  # imports Prefect: see stages._act

    asyncio.run(run_demo(parse_date(start, "--start") if start else None, output.say))


USAGE_MESSAGES: dict[type[click.ClickException], Callable[[Any], str]] = {
    click.exceptions.MissingParameter: lambda e: (
        "не указан обязательный параметр "
        + (e.param.get_error_hint(e.ctx) if e.param and e.ctx else "")
    ),
    click.exceptions.NoSuchOption: lambda e: f"нет параметра {e.option_name}",
    click.exceptions.BadParameter: lambda e: (
        "неверное значение "
        + (e.param.get_error_hint(e.ctx) if e.param and e.ctx else "")
        + f": {e.message}"
    ),
}


def _usage_message(error: click.UsageError) -> str:
    for kind, describe in USAGE_MESSAGES.items():
        if isinstance(error, kind):
            return describe(error)
    return error.format_message()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; Russian messages and a non-zero exit code on every error."""
    try:
        cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="nastavnik",
            standalone_mode=False,
        )
    except NastavnikError as failure:
        output.error(str(failure))
        return failure.exit_code
    except click.exceptions.NoArgsIsHelpError as failure:
        output.say(failure.format_message())
        return 2
    except click.UsageError as failure:
        output.error(f"{_usage_message(failure)}. Справка: nastavnik --help")
        return 2
    except click.exceptions.Abort:
        return 130
    return 0


def run() -> None:
    sys.exit(main())
