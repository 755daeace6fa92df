"""Accounts for the web pages (issue 10, first part): argon2id hashes, never the password;
refusals in Russian that store nothing; and the scope of each role, which every page and API
route will ask. SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from conftest import Cli
from factories import program, school

from domain import database
from domain.accounts import add_account, authenticate, may_see_program, set_password
from domain.errors import InvalidInput
from domain.models import Organisation, UserAccount
from domain.organisations import add_organisation

NOW = datetime(2026, 9, 1, 9, tzinfo=UTC)
PASSWORD = "Верный-пароль-2026"


def test_a_password_is_kept_only_as_an_argon2id_hash(database_url: str) -> None:
    with database.session() as db:
        add_account(db, login="Admin", role="administrator", password=PASSWORD, now=NOW)
    with database.engine_for(database_url).connect() as connection:
        stored = connection.execute(sa.text("SELECT login, password_hash FROM user_account")).all()
    assert stored[0][0] == "admin" and stored[0][1].startswith("$argon2id$")
    assert PASSWORD not in str(stored)
    with database.session() as db:
        assert authenticate(db, "ADMIN", PASSWORD) is not None
        assert authenticate(db, "admin", PASSWORD + "x") is None
        assert authenticate(db, "nobody", PASSWORD) is None
        set_password(db, "admin", "Новый-пароль-2027")
        assert authenticate(db, "admin", PASSWORD) is None
        assert authenticate(db, "admin", "Новый-пароль-2027") is not None


@pytest.mark.parametrize(
    ("account", "says"),
    [
        ({"login": "ab"}, "от 3 до 64"),
        ({"login": "иванова"}, "латинских"),
        ({"password": "короткий"}, "от 10 до 200"),
        ({"password": "ivanova.m"}, "от 10"),  # nine characters
        ({"login": "ivanova.m12", "password": "ivanova.m12"}, "не должен совпадать с логином"),
        ({"password": "пароль\x00пароль-длинный"}, "пароль"),
        ({"role": "director"}, "Неизвестная роль учётной записи"),
        ({"role": "coordinator"}, "не территория"),
        ({"role": "administrator"}, "Администратору организацию не указывают"),
        ({"org_id": None}, "Укажите организацию"),
    ],
)
def test_a_wrong_account_is_refused_and_nothing_is_stored(
    database_url: str, account: dict[str, object], says: str
) -> None:
    org_id = school()
    given: dict[str, object] = {
        "login": "ivanova", "role": "curator", "password": PASSWORD, "org_id": org_id,
    }  # fmt: skip
    with pytest.raises(InvalidInput, match=says), database.session() as db:
        add_account(db, now=NOW, **{**given, **account})  # type: ignore[arg-type]
    with database.session() as db:
        assert db.exec(sa.select(UserAccount.id)).all() == []  # type: ignore[call-overload]


def test_each_role_sees_what_its_scope_holds(database_url: str) -> None:
    """A coordinator sees every program under their municipality and none elsewhere; a curator
    their own school's; an administrator all."""
    here, there = program(), program()  # each in a school of its own municipality
    with database.session() as db:
        school_here = db.get(Organisation, here.org_id)
        assert school_here is not None and school_here.parent_id is not None
        neighbour = add_organisation(
            db, name="Школа № 2", kind="school", parent_id=school_here.parent_id, now=NOW
        )
        accounts = {
            "admin": add_account(db, login="admin", role="administrator", password=PASSWORD,
                                 now=NOW),
            "coordinator": add_account(db, login="coord", role="coordinator", password=PASSWORD,
                                       now=NOW, org_id=school_here.parent_id),
            "curator": add_account(db, login="curator", role="curator", password=PASSWORD,
                                   now=NOW, org_id=here.org_id),
            "neighbour": add_account(db, login="curator2", role="curator", password=PASSWORD,
                                     now=NOW, org_id=neighbour.id),
        }  # fmt: skip
    with database.session() as db:
        seen = {
            name: {
                pid
                for pid in (here.id, there.id)
                if may_see_program(db, db.get(UserAccount, view.id), pid)  # type: ignore[arg-type]
            }
            for name, view in accounts.items()
        }
    assert seen == {
        "admin": {here.id, there.id},
        "coordinator": {here.id},
        "curator": {here.id},
        "neighbour": set(),
    }


def test_user_commands_read_passwords_from_stdin_and_never_show_them(
    database_url: str, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    org_id = school()
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    made = cli.json("user", "add", "--login", "ivanova", "--role", "куратор", "--org",
                    str(org_id), "--password-stdin")  # fmt: skip
    assert (made["login"], made["role"], made["org_id"]) == ("ivanova", "curator", org_id)
    listed = cli.json("user", "list")
    assert [a["login"] for a in listed] == ["ivanova"]
    assert "password" not in str(listed) and PASSWORD not in str(listed)
    monkeypatch.setattr("sys.stdin", io.StringIO("Другой-пароль-2026\n"))
    assert "изменён" in cli.ok("user", "passwd", "ivanova", "--password-stdin")
    with database.session() as db:
        assert authenticate(db, "ivanova", "Другой-пароль-2026") is not None
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert cli("user", "passwd", "ivanova", "--password-stdin") == 2
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli("user", "passwd", "nobody", "--password-stdin") == 3
    assert "Traceback" not in cli.err
