"""``nastavnik user``: the accounts that sign in to the web pages. A password is typed twice
without echo, or given on standard input by a script (--password-stdin); it is never an
argument, which every user of the machine could read in the process list."""

from __future__ import annotations

import sys

import click

from app import output
from app.cli.groups import user_cli
from app.cli.options import json_option
from app.cli.types import IDENTIFIER, SHORT
from domain import database
from domain.accounts import AccountView, add_account, list_accounts, set_password
from domain.errors import InvalidInput
from domain.schedule import utc_now

password_stdin = click.option(
    "--password-stdin", is_flag=True, help="Прочитать пароль из стандартного ввода (одна строка)."
)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise InvalidInput("Пароль не передан на стандартный ввод (--password-stdin)")
        return line.rstrip("\r\n")
    first = click.prompt("Пароль", hide_input=True, err=True)
    if click.prompt("Ещё раз", hide_input=True, err=True) != first:
        raise InvalidInput("Пароли не совпали; ничего не изменено")
    return str(first)


@user_cli.command("add")
@click.option("--login", required=True, type=SHORT, help="Логин: латиницей, ivanova.")
@click.option("--role", required=True, type=SHORT, help="administrator, coordinator или curator.")
@click.option("--org", "org_id", type=IDENTIFIER, help="Организация (не для администратора).")
@click.option("--person", "person_id", type=IDENTIFIER, help="Человек, если он уже заведён.")
@password_stdin
@json_option
def user_add(
    login: str,
    role: str,
    org_id: int | None,
    person_id: int | None,
    password_stdin: bool,
    as_json: bool,
) -> None:
    """Завести учётную запись для входа в веб-интерфейс."""
    password = _password(password_stdin)
    with database.session() as db:
        account = add_account(
            db, login=login, role=role, password=password, now=utc_now(), org_id=org_id,
            person_id=person_id,
        )  # fmt: skip
    if as_json:
        output.emit_json(account)
    else:
        output.say(f"Учётная запись «{account.login}» ({account.role_label}) создана")


@user_cli.command("passwd")
@click.argument("login", metavar="ЛОГИН", type=SHORT)
@password_stdin
def user_passwd(login: str, password_stdin: bool) -> None:
    """Сменить пароль учётной записи."""
    password = _password(password_stdin)
    with database.session() as db:
        account = set_password(db, login, password)
    output.say(f"Пароль учётной записи «{account.login}» изменён")


@user_cli.command("list")
@json_option
def user_list(as_json: bool) -> None:
    """Учётные записи: логин, роль, организация (пароли не показываются никогда)."""
    with database.session() as db:
        accounts = list_accounts(db)
    if as_json:
        output.emit_json(accounts)
        return
    output.table("Учётные записи", ["№", "Логин", "Роль", "Организация", "Заведена"],
                 [_row(a) for a in accounts])  # fmt: skip


def _row(account: AccountView) -> list[str]:
    where = f"{account.org_name} (№{account.org_id})" if account.org_id else "все"
    return [str(account.id), account.login, account.role_label, where,
            f"{account.created_at:%d.%m.%Y}"]  # fmt: skip
