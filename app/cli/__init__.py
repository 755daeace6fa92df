"""The ``nastavnik`` command line: parses what a person typed, calls a service, prints Russian.

Every rule lives in domain/ and every action in a service function (domain/, flows/actions.py),
so the REST API and web pages will call the same functions.
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Sequence
from datetime import date

import click

from app import output
from app.cli import (  # noqa: F401  (commands)
    consents,
    exports,
    imports,
    matching,
    notices,
    organisations,
    people,
    programs,
    stages,
    surveys,
    users,
)
from app.cli.groups import cli
from app.cli.types import DAY, Identifier
from domain import database, settings
from domain.errors import InvalidInput, NastavnikError
from domain.inputs import MAX_ID
from domain.organisations import ensure_secret_key


@cli.command("init")
def init_command() -> None:
    """Создать или обновить схему базы данных и ключ шифрования паролей почтовых серверов."""
    where = database.upgrade()
    output.say(f"База данных готова: {where}")
    with database.session() as db:
        key, made = ensure_secret_key(db)
    if made:
        output.say(
            f"Ключ шифрования паролей почтовых серверов создан: {key}. Храните его копию "
            "отдельно от базы: без него сохранённые пароли не прочитать"
        )
    else:
        output.say(f"Ключ шифрования паролей почтовых серверов: {key}")


@cli.command("demo")
@click.option(
    "--start",
    type=DAY,
    help="Дата начала демо-программы (по умолчанию 1 сентября этого учебного года).",
)
def demo(start: date | None) -> None:
    """Демонстрация: муниципалитет, две школы и программа, пройденная за все 34 этапа."""
    from app.demo import run_demo  # imports Prefect: see stages._act
    from flows.engine import prefect_failures

    with prefect_failures("The demo"):
        asyncio.run(run_demo(start, output.say))


_NEGATIVE = re.compile(r"^-\d")


def _usage_message(error: click.UsageError) -> str:
    """click's complaint, in Russian (app/cli/russian.py), about what was typed."""
    if isinstance(error, click.NoSuchOption) and _NEGATIVE.match(error.option_name):
        # click reads "-5" as an option; say which of the command's numbers it meant to be.
        numbers = [
            param.human_readable_name
            for param in (error.ctx.command.params if error.ctx else [])
            if isinstance(param, click.Argument) and isinstance(param.type, Identifier)
        ]
        return (
            f"«{error.option_name}» — отрицательное число, а "
            + (" и ".join(numbers) + " — номера" if numbers else "номера")
            + f" от 1 до {MAX_ID}"
        )
    if isinstance(error, click.BadParameter) and isinstance(error.__cause__, InvalidInput):
        return str(error.__cause__)  # our types' own sentence names the parameter already
    return error.format_message()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; Russian messages and a non-zero exit code on every error."""
    try:
        settings.current()  # a wrong NASTAVNIK_* value is refused before anything runs
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
        command = failure.ctx.command_path if failure.ctx else "nastavnik"
        output.error(f"{_usage_message(failure).rstrip('.')}. Справка: {command} --help")
        return 2
    except (click.exceptions.Abort, KeyboardInterrupt):
        output.error("прервано (Ctrl+C)")
        return 130
    return 0


def run() -> None:
    sys.exit(main())
