"""Organisations through the command line: their time zone, sending hours and mail server, own
or inherited, listed and edited; a mail server's password kept encrypted with a key apart from
the database, and never shown. On SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import Cli, snapshot
from cryptography.fernet import Fernet

from domain import database

PASSWORD = "S3cretPass"
SMTP = f"mailtos://login:{PASSWORD}@smtp.example.ru?from=noreply@example.ru"
MASKED = "mailtos://login:***@smtp.example.ru?from=noreply@example.ru"
TOWN_SMTP = "mailto://127.0.0.1:2525?from=noreply@town.ru"


@pytest.fixture(autouse=True)
def no_key_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NASTAVNIK_SECRET_KEY", raising=False)


def home() -> Path:
    return Path(os.environ["NASTAVNIK_HOME"])


def key_file() -> Path:
    return home() / "secret.key"


def rows(url: str, query: str) -> list[tuple[Any, ...]]:
    with database.engine_for(url).connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text(query))]


def cells(table: str, marker: str) -> list[str]:
    """The cells of the printed table row that contains ``marker``, each cell's folded lines
    joined."""
    lines = [
        [cell.strip() for cell in line.replace("┃", "│").split("│")[1:-1]]
        for line in table.splitlines()
    ]
    start = next(i for i, line in enumerate(table.splitlines()) if marker in line)
    row = [lines[start]]
    for line in lines[start + 1 :]:
        if not line or line[0]:  # the table's border, or the next row
            break
        row.append(line)
    return [" ".join(part[i] for part in row if part[i]) for i in range(len(row[0]))]


def places_holding(url: str, secret: str) -> list[str]:
    """Where the database keeps ``secret``: the SQLite file and its -wal file byte for byte; on
    PostgreSQL, every row of every table, read as text."""
    if url.startswith("sqlite:///"):
        file = Path(url.removeprefix("sqlite:///"))
        wal = file.with_name(file.name + "-wal")
        assert file.exists() and wal.exists()  # the recent writes are in the -wal file
        return [f.name for f in (file, wal) if secret.encode() in f.read_bytes()]
    found = []
    with database.engine_for(url).connect() as connection:
        tables = connection.execute(
            sa.text(
                "SELECT table_schema, table_name FROM information_schema.tables WHERE "
                "table_schema NOT IN ('pg_catalog', 'information_schema')"
            )
        ).all()
        assert ("public", "organisation") in tables
        for schema, table in tables:
            for row in connection.execute(sa.text(f'SELECT * FROM "{schema}"."{table}"')):
                if any(secret in str(value) for value in row):
                    found.append(f"{schema}.{table}")
    return found


def town(cli: Cli, smtp: str | None = None) -> int:
    extra = ["--smtp", smtp] if smtp else []
    made = cli.json(
        "org", "add", "--name", "Ижевск", "--kind", "municipality", "--tz", "Europe/Moscow", *extra
    )
    return int(made["id"])


def school(cli: Cli, parent: int, *extra: str) -> int:
    made = cli.json(
        "org", "add", "--name", "Школа № 1", "--kind", "school", "--parent", str(parent), *extra
    )
    return int(made["id"])


# --- the password ---------------------------------------------------------------------------


def test_the_password_is_kept_encrypted_and_never_shown(cli: Cli, database_url: str) -> None:
    parent = town(cli)
    printed = []

    added = cli.json(
        "org", "add", "--name", "Школа № 1", "--kind", "school", "--parent", str(parent),
        "--smtp", SMTP,
    )  # fmt: skip
    printed.append(cli.out + cli.err)
    assert (added["smtp_url"], added["smtp_inherited"], added["smtp_problem"]) == (
        MASKED,
        False,
        None,
    )
    # A password in the query is one too.
    said = cli.ok(
        "org", "add", "--name", "Гимназия", "--kind", "school", "--parent", str(parent),
        "--smtp", f"mailto://smtp.example.ru?user=login&pass={PASSWORD}&from=noreply@example.ru",
    )  # fmt: skip
    printed.append(cli.out + cli.err)
    assert said == "Добавлена организация №3: Гимназия (школа, Europe/Moscow)"
    listed = cli.json("org", "list")
    printed.append(cli.out)
    assert [o["smtp_url"] for o in listed] == [
        None,
        MASKED,
        "mailto://smtp.example.ru?user=login&pass=***&from=noreply@example.ru",
    ]
    assert cli("org", "list") == 0
    printed.append(cli.out + cli.err)
    assert "mailtos://login:***@smtp" in cli.out
    edited = cli.json("org", "edit", str(added["id"]), "--hours", "8-17")
    printed.append(cli.out + cli.err)
    assert edited["smtp_url"] == MASKED
    assert cli("org", "edit", str(added["id"]), "--smtp", SMTP) == 0
    printed.append(cli.out + cli.err)
    assert cli.out.split() == [
        "Изменена", "организация", "№2", "«Школа", "№", "1»:", "почтовый", "сервер", MASKED,
    ]  # fmt: skip

    assert not [text for text in printed if PASSWORD in text]
    assert places_holding(database_url, PASSWORD) == []
    assert rows(database_url, "SELECT smtp_url FROM organisation ORDER BY id") == [
        (None,),
        (MASKED,),
        ("mailto://smtp.example.ru?user=login&pass=***&from=noreply@example.ru",),
    ]
    # The key is apart from the database, the owner's alone, and holds no password either.
    assert stat.S_IMODE(key_file().stat().st_mode) == 0o600
    assert stat.S_IMODE(home().stat().st_mode) == 0o700
    assert not [f for f in home().iterdir() if f.is_file() and PASSWORD.encode() in f.read_bytes()]


def test_a_missing_or_other_key_is_said_and_a_new_password_refused(
    cli: Cli, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The town's server (with a password) is inherited by its school."""
    parent = town(cli, SMTP)
    child = school(cli, parent)
    away = key_file().with_name("secret.key.away")
    key_file().rename(away)

    def problems() -> list[str | None]:
        return [org["smtp_problem"] for org in cli.json("org", "list")]

    def refused(*args: str) -> str:
        before = snapshot(database_url)
        assert cli(*args) == 7, cli.err
        assert cli.err.startswith("Ошибка: Пароль почтового сервера не сохранён: ")
        assert snapshot(database_url) == before
        assert PASSWORD not in cli.out + cli.err
        return " ".join(cli.err.split())

    missing = f"ключа шифрования нет: не задан NASTAVNIK_SECRET_KEY и нет файла {key_file()}"
    assert problems() == [f"пароль не прочитать: {missing}; верните файл ключа или задайте "
                          "NASTAVNIK_SECRET_KEY"] * 2  # fmt: skip
    assert cli("org", "list") == 0
    assert cells(cli.out, "Школа № 1")[-1] == f"{MASKED} (насл.) — пароль не прочитать"
    assert " ".join(cli.out.split()).endswith(
        f"Почтовый сервер организаций №{parent}, №{child}: пароль не прочитать: {missing}; "
        "верните файл ключа или задайте NASTAVNIK_SECRET_KEY"
    )
    said = refused(
        "org", "add", "--name", "Гимназия", "--kind", "school", "--parent", str(parent),
        "--smtp", "mailtos://gym:Другой-пароль@smtp.gym.ru",
    )  # fmt: skip
    assert f"пароль сервера организации №{parent} «Ижевск» не прочитать — {missing}" in said
    assert "nastavnik org edit ОРГАНИЗАЦИЯ --no-smtp" in said
    assert not key_file().exists()  # no second key beside the lost one
    # What needs no password still changes.
    assert cli("org", "edit", str(child), "--hours", "8-17") == 0

    monkeypatch.setenv("NASTAVNIK_SECRET_KEY", Fernet.generate_key().decode())
    assert (
        problems()
        == [
            "пароль не прочитать: пароль зашифрован другим ключом, не тем, что задан "
            "(NASTAVNIK_SECRET_KEY): верните прежний ключ или задайте пароль заново"
        ]
        * 2
    )
    assert "зашифрован другим ключом" in refused("org", "edit", str(child), "--smtp", SMTP)

    monkeypatch.setenv("NASTAVNIK_SECRET_KEY", "not-a-key-Секрет")
    assert all("NASTAVNIK_SECRET_KEY задан, но это не ключ шифрования" in p for p in problems())
    assert "Секрет" not in cli.out
    said = refused("org", "edit", str(child), "--smtp", SMTP)
    assert "NASTAVNIK_SECRET_KEY задан, но это не ключ шифрования" in said
    assert "Секрет" not in said

    monkeypatch.delenv("NASTAVNIK_SECRET_KEY")
    away.rename(key_file())
    assert problems() == [None, None]


def test_a_lost_key_is_got_over_by_setting_the_password_again(cli: Cli, database_url: str) -> None:
    parent = town(cli, SMTP)
    key_file().unlink()
    assert cli.json("org", "edit", str(parent), "--no-smtp")["smtp_url"] is None
    assert cli.json("org", "edit", str(parent), "--smtp", SMTP)["smtp_problem"] is None
    assert stat.S_IMODE(key_file().stat().st_mode) == 0o600


def test_init_makes_the_key_owner_only_and_checks_it_after(
    cli: Cli, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("init") == 0
    assert f"Ключ шифрования паролей почтовых серверов создан: файл {key_file()}" in cli.out
    assert stat.S_IMODE(key_file().stat().st_mode) == 0o600
    assert stat.S_IMODE(home().stat().st_mode) == 0o700
    key = key_file().read_bytes()
    assert cli("init") == 0
    assert f"Ключ шифрования паролей почтовых серверов: файл {key_file()}\n" in cli.out
    assert key_file().read_bytes() == key

    parent = town(cli, SMTP)
    key_file().unlink()
    assert cli("init") == 7
    assert cli.err.startswith(
        f"Ошибка: Пароль почтового сервера организации №{parent} «Ижевск» не прочитать: "
        "ключа шифрования нет"
    )
    assert not key_file().exists()

    monkeypatch.setenv("NASTAVNIK_SECRET_KEY", "not-a-key")
    assert cli("init") == 7 and "NASTAVNIK_SECRET_KEY задан, но это не ключ" in cli.err


# --- the settings, own or inherited ---------------------------------------------------------


def test_the_list_shows_each_setting_own_or_inherited(cli: Cli, database_url: str) -> None:
    region = cli.json(
        "org", "add", "--name", "Удмуртия", "--kind", "region", "--tz", "Europe/Samara",
        "--hours", "8-17", "--smtp", TOWN_SMTP,
    )  # fmt: skip
    municipality = cli.json(
        "org", "add", "--name", "Ижевск", "--kind", "municipality", "--parent", str(region["id"])
    )
    cli.json(
        "org", "add", "--name", "Школа № 1", "--kind", "school",
        "--parent", str(municipality["id"]), "--tz", "Asia/Yekaterinburg", "--smtp", SMTP,
    )  # fmt: skip
    cli.json("org", "add", "--name", "Округ", "--kind", "municipality", "--tz", "Europe/Moscow")

    listed = cli.json("org", "list")
    assert [
        (
            o["name"], o["timezone"], o["timezone_inherited"], o["hours"], o["hours_source"],
            o["smtp_url"], o["smtp_inherited"], o["smtp_problem"],
        )
        for o in listed
    ] == [
        ("Удмуртия", "Europe/Samara", False, [8, 17], "own", TOWN_SMTP, False, None),
        ("Ижевск", "Europe/Samara", True, [8, 17], "inherited", TOWN_SMTP, True, None),
        ("Школа № 1", "Asia/Yekaterinburg", False, [8, 17], "inherited", MASKED, False, None),
        ("Округ", "Europe/Moscow", False, [9, 18], "default", None, False, None),
    ]  # fmt: skip

    assert cli("org", "list") == 0
    header = cells(cli.out, "Название")
    assert header[4:] == ["Часовой пояс", "Часы отправки", "Почтовый сервер"]
    assert cells(cli.out, "Удмуртия")[4:6] == ["Europe/Samara", "8-17"]
    assert cells(cli.out, "Ижевск")[4:6] == ["Europe/Samara (насл.)", "8-17 (насл.)"]
    assert cells(cli.out, "Школа № 1")[4:6] == ["Asia/Yekaterinburg", "8-17 (насл.)"]
    assert cells(cli.out, "Округ")[4:] == ["Europe/Moscow", "9-18 (по умолч.)", "—"]
    assert [cells(cli.out, name)[6] for name in ("Удмуртия", "Ижевск", "Школа № 1")] == [
        TOWN_SMTP,
        f"{TOWN_SMTP} (насл.)",
        MASKED,
    ]


# --- editing --------------------------------------------------------------------------------


ORGS = "SELECT id, name, timezone, send_from_hour, send_until_hour, smtp_url, " \
    "smtp_password_encrypted IS NOT NULL FROM organisation ORDER BY id"  # fmt: skip


def test_edit_changes_each_setting_and_nothing_else(cli: Cli, database_url: str) -> None:
    parent = town(cli, TOWN_SMTP)
    child = school(cli, parent)
    others = {t: v for t, v in snapshot(database_url).items() if t != "organisation"}
    steps: list[tuple[list[str], str, tuple[Any, ...]]] = [
        (["--name", "Гимназия № 2"], "название «Гимназия № 2»",
         ("Гимназия № 2", None, None, None, None, False)),
        (["--tz", "Asia/Yekaterinburg"], "часовой пояс Asia/Yekaterinburg",
         ("Гимназия № 2", "Asia/Yekaterinburg", None, None, None, False)),
        (["--hours", "8-17"], "часы отправки 8-17",
         ("Гимназия № 2", "Asia/Yekaterinburg", 8, 17, None, False)),
        (["--smtp", SMTP], f"почтовый сервер {MASKED}",
         ("Гимназия № 2", "Asia/Yekaterinburg", 8, 17, MASKED, True)),
        (["--no-tz"], "часовой пояс Europe/Moscow (насл.)",
         ("Гимназия № 2", None, 8, 17, MASKED, True)),
        (["--no-hours"], "часы отправки 9-18 (по умолч.)",
         ("Гимназия № 2", None, None, None, MASKED, True)),
        (["--no-smtp"], f"почтовый сервер {TOWN_SMTP} (насл.)",
         ("Гимназия № 2", None, None, None, None, False)),
    ]  # fmt: skip
    town_row = (parent, "Ижевск", "Europe/Moscow", None, None, TOWN_SMTP, False)
    for args, change, row in steps:
        assert cli("org", "edit", str(child), *args) == 0, cli.err
        assert " ".join(cli.out.split()) == (
            f"Изменена организация №{child} «Гимназия № 2»: {change}"
        )
        assert rows(database_url, ORGS) == [town_row, (child, *row)]
    assert cli.ok("org", "edit", str(parent), "--no-smtp") == (
        f"Изменена организация №{parent} «Ижевск»: почтовый сервер не задан"
    )
    both = cli.json(
        "org", "edit", str(child), "--name", "Школа № 2", "--tz", "Europe/Samara",
        "--hours", "7-15",
    )  # fmt: skip
    assert (both["name"], both["timezone"], both["hours"], both["hours_source"]) == (
        "Школа № 2",
        "Europe/Samara",
        [7, 15],
        "own",
    )
    assert {t: v for t, v in snapshot(database_url).items() if t != "organisation"} == others


REFUSED = [
    (["{school}"], 2, "Не сказано, что изменить у организации №{school} «Школа № 1»"),
    (["{town}", "--no-tz"], 2, "Часовой пояс организации №{town} «Ижевск» не убрать (--no-tz)"),
    (["{school}", "--tz", "Europe/Mosсow"], 2, "Неизвестный часовой пояс «Europe/Mosсow»"),
    (["{school}", "--name", "Новое", "--tz", "Nowhere/City"], 2, "Неизвестный часовой пояс"),
    (["{school}", "--tz", "Asia/Omsk", "--no-tz"], 2, "--tz и --no-tz противоречат друг другу"),
    # Refused before the password is encrypted: no key is made for it.
    (["{school}", "--smtp", SMTP, "--tz", "Nowhere/City"], 2, "Неизвестный часовой пояс"),
    (["{school}", "--hours", "18-9"], 2, "Часы отправки «--hours» 18-9 не подходят"),
    (["{school}", "--hours", "8-17", "--no-hours"], 2, "--hours и --no-hours противоречат"),
    (["{school}", "--smtp", "json://x"], 2, "задаётся адресом mailto:// или mailtos://"),
    (["{school}", "--smtp", SMTP, "--no-smtp"], 2, "--smtp и --no-smtp противоречат"),
    (["{school}", "--smtp", MASKED], 2, "вместо пароля стоит «***», как его показывает"),
    (
        ["{school}", "--smtp", f"smtp://login:{PASSWORD}@smtp.example.ru"],
        2,
        "Почтовый сервер «smtp://login:***@smtp.example.ru» задаётся адресом mailto://",
    ),
    (["{school}", "--name", "  "], 2, "Пустое значение «--name»"),
    (["999", "--name", "Школа"], 3, "Организация с номером 999 не найдена"),
]


@pytest.mark.parametrize(
    ("args", "code", "message"), REFUSED, ids=[f"case{i}" for i in range(len(REFUSED))]
)
def test_a_refused_edit_says_why_and_changes_nothing(
    cli: Cli, database_url: str, args: list[str], code: int, message: str
) -> None:
    ids = {"town": town(cli), "school": 0}
    ids["school"] = school(cli, ids["town"], "--smtp", TOWN_SMTP)
    before = snapshot(database_url)
    assert cli("org", "edit", *(arg.format(**ids) for arg in args)) == code
    assert cli.err.startswith("Ошибка: ") and len(cli.err.strip().splitlines()) == 1
    assert message.format(**ids) in " ".join(cli.err.split()), cli.err
    assert PASSWORD not in cli.out + cli.err
    assert snapshot(database_url) == before
    assert not key_file().exists()
