"""People, roles, coordinators, the outbox and the reminder sweep through the command line, end
to end: what a curator types and reads, on SQLite and on PostgreSQL, with sweeps run against the
session's Prefect server and delivered to real local HTTP servers (tests/sinks.py)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import Cli, snapshot
from factories import close_prerequisites
from sinks import HttpEndpoint, http_server

from domain import database

pytestmark = pytest.mark.usefixtures("prefect_api")

# The tables conftest.snapshot leaves out: a refused command must not write to them either.
# The simulated school year of these tests; a backfill test uses one before the wall clock.
YEAR = 2030


def rows(url: str, query: str) -> list[tuple[Any, ...]]:
    with database.engine_for(url).connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text(query))]


def cells(table: str, marker: str) -> list[str]:
    """The cells of the first row of a printed table that contains ``marker``."""
    line = next(line for line in table.splitlines() if marker in line)
    return [cell.strip() for cell in line.replace("┃", "│").split("│")[1:-1]]


def town_and_school(cli: Cli) -> tuple[int, int]:
    town = cli.json(
        "org", "add", "--name", "Ижевск", "--kind", "муниципалитет", "--tz", "Europe/Moscow"
    )
    school = cli.json(
        "org", "add", "--name", "Школа № 1", "--kind", "school", "--parent", str(town["id"])
    )
    return int(town["id"]), int(school["id"])


def create_program(cli: Cli, org_id: int, year: int = YEAR) -> int:
    created = cli.json(
        "program",
        "create",
        "--org",
        str(org_id),
        "--title",
        "Учитель – учитель",
        "--start",
        f"{year}-09-01",
        "--now",
        f"{year}-08-25T10:00",
    )
    return int(created["id"])


def add_person(cli: Cli, org_id: int, name: str, *contacts: str) -> int:
    args = ["person", "add", "--org", str(org_id), "--name", name]
    for contact in contacts:
        args += ["--contact", contact]
    return int(cli.json(*args)["id"])


# --- people, roles, coordinators, organisations' own settings ------------------------------


def test_a_person_with_several_addresses_the_first_preferred_unless_told(
    cli: Cli, database_url: str
) -> None:
    town, school = town_and_school(cli)
    telegram = "tgram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/987654321"
    ivanova = cli.json(
        "person",
        "add",
        "--org",
        str(school),
        "--name",
        "  Иванова Мария Петровна ",
        "--contact",
        "mailto://ivanova@school.ru",
        "--contact",
        telegram,
        "--contact",
        "mailto://ivanova@school.ru",  # the same address twice is kept once
    )
    assert ivanova["name"] == "Иванова Мария Петровна"
    assert ivanova["contacts"] == ["mailto://ivanova@school.ru", telegram]
    assert ivanova["preferred"] == "mailto://ivanova@school.ru"

    petrov = cli.json(
        "person",
        "add",
        "--org",
        str(school),
        "--name",
        "Петров Иван",
        "--contact",
        "mailto://petrov@school.ru",
        "--contact",
        "json://127.0.0.1:8080/petrov",
        "--preferred",
        "json://127.0.0.1:8080/petrov",
    )
    assert petrov["preferred"] == "json://127.0.0.1:8080/petrov"
    # A preferred address that is not among the others is added to them.
    sidorova = cli.json(
        "person",
        "add",
        "--org",
        str(town),
        "--name",
        "Сидорова Анна",
        "--contact",
        "mailto://sidorova@edu.ru",
        "--preferred",
        "mailto://anna@edu.ru",
    )
    assert sidorova["contacts"] == ["mailto://sidorova@edu.ru", "mailto://anna@edu.ru"]
    assert sidorova["preferred"] == "mailto://anna@edu.ru"
    assert rows(database_url, "SELECT url FROM contact WHERE preferred ORDER BY id") == [
        ("mailto://ivanova@school.ru",),
        ("json://127.0.0.1:8080/petrov",),
        ("mailto://anna@edu.ru",),
    ]

    said = cli.ok(
        "person", "add", "--org", str(school), "--name", "Орлов", "--contact", "mailto://o@s.ru"
    )
    assert said == "Добавлен человек №4: Орлов, адрес: mailto://o@s.ru"

    people = cli.json("person", "list")
    assert [(p["id"], p["name"], p["org_id"]) for p in people] == [
        (1, "Иванова Мария Петровна", school),
        (2, "Петров Иван", school),
        (3, "Сидорова Анна", town),
        (4, "Орлов", school),
    ]
    assert people[0] == ivanova
    assert [p["name"] for p in cli.json("person", "list", "--org", str(town))] == ["Сидорова Анна"]

    assert cli("person", "list") == 0
    assert cli.out.startswith("Люди")
    assert cells(cli.out, "ФИО") == ["№", "ФИО", "Организация", "Основной адрес", "Других адресов"]
    assert cells(cli.out, "Иванова") == [
        "1",
        "Иванова Мария Петровна",
        str(school),
        "mailto://ivanova@school.ru",
        "1",
    ]
    assert cells(cli.out, "Орлов") == ["4", "Орлов", str(school), "mailto://o@s.ru", "—"]


def test_roles_in_a_program_and_the_coordinator_of_a_territory(cli: Cli, database_url: str) -> None:
    town, school = town_and_school(cli)
    program = create_program(cli, school)
    mentor = add_person(cli, school, "Наставник Олег", "mailto://oleg@school.ru")
    mentee = add_person(cli, school, "Наставляемая Ира", "mailto://ira@school.ru")
    curator = add_person(cli, school, "Куратор Анна", "mailto://anna@school.ru")

    said = cli.ok("program", "assign", str(program), str(mentor), "--role", "mentor")
    assert said == f"Человек №{mentor} — наставник в программе №{program}"
    # The same role again, in Russian: harmless, one row.
    assert cli.json("program", "assign", str(program), str(mentor), "--role", "наставник") == {
        "id": 1,
        "program_id": program,
        "person_id": mentor,
        "role": "mentor",
        "role_label": "наставник",  # codes for scripts, labels beside them
    }
    cli.ok("program", "assign", str(program), str(mentee), "--role", "Наставляемый")
    cli.ok("program", "assign", str(program), str(curator), "--role", "куратор")
    cli.ok("program", "assign", str(program), str(curator), "--role", "psychologist")
    assert sorted(rows(database_url, "SELECT program_id, person_id, role FROM program_role")) == [
        (program, mentor, "mentor"),
        (program, mentee, "mentee"),
        (program, curator, "curator"),
        (program, curator, "psychologist"),
    ]

    coordinator = add_person(cli, town, "Координатор Пётр", "mailto://petr@edu.ru")
    said = cli.ok("org", "coordinator", str(town), str(coordinator))
    assert said == f"Координатор организации №{town} — человек №{coordinator}"
    assert rows(database_url, "SELECT org_id, person_id FROM coordinator") == [(town, coordinator)]
    successor = add_person(cli, town, "Координатор Вера", "mailto://vera@edu.ru")
    cli.ok("org", "coordinator", str(town), str(successor))
    assert rows(database_url, "SELECT org_id, person_id FROM coordinator") == [(town, successor)]


def test_an_organisation_with_its_own_sending_hours_and_mail_server(
    cli: Cli, database_url: str
) -> None:
    town, _ = town_and_school(cli)
    smtp = "mailto://127.0.0.1:2525?from=noreply@school.ru"
    said = cli.ok(
        "org",
        "add",
        "--name",
        "Гимназия № 2",
        "--kind",
        "школа",
        "--parent",
        str(town),
        "--hours",
        "8-17",
        "--smtp",
        smtp,
    )
    assert said == "Добавлена организация №3: Гимназия № 2 (школа, Europe/Moscow)"
    assert rows(
        database_url,
        "SELECT name, send_from_hour, send_until_hour, smtp_url FROM organisation ORDER BY id",
    ) == [
        ("Ижевск", None, None, None),
        ("Школа № 1", None, None, None),
        ("Гимназия № 2", 8, 17, smtp),
    ]


# --- bad input ------------------------------------------------------------------------------


BAD_INPUT: list[Any] = [
    (
        [
            "person",
            "add",
            "--org",
            "{school}",
            "--name",
            "Иванова",
            "--contact",
            "ivanova@school.ru",
        ],
        2,
        "Адрес «ivanova@school.ru» не распознан",
    ),
    (
        ["person", "add", "--org", "{school}", "--name", "Иванова", "--contact", "mailto://"],
        2,
        "Адрес «mailto://» не распознан",
    ),
    (
        ["person", "add", "--org", "{school}", "--name", "Иванова", "--contact", "nonsense://x"],
        2,
        "Адрес «nonsense://x» не распознан",
    ),
    (  # a good address first does not get the person half-stored
        [
            "person",
            "add",
            "--org",
            "{school}",
            "--name",
            "Иванова",
            "--contact",
            "mailto://ivanova@school.ru",
            "--contact",
            "nonsense://x",
        ],
        2,
        "Адрес «nonsense://x» не распознан",
    ),
    (
        [
            "person",
            "add",
            "--org",
            "{school}",
            "--name",
            "Иванова",
            "--contact",
            "mailto://ivanova@school.ru",
            "--preferred",
            "ivanova",
        ],
        2,
        "Адрес «ivanova» не распознан",
    ),
    (
        ["person", "add", "--org", "999", "--name", "Иванова", "--contact", "mailto://i@s.ru"],
        3,
        "Организация с номером 999 не найдена",
    ),
    (
        ["person", "add", "--org", "{school}", "--name", "  ", "--contact", "mailto://i@s.ru"],
        2,
        "Пустое значение «--name»",
    ),
    (
        ["person", "add", "--org", "{school}", "--name", "Иванова"],
        2,
        "не указан обязательный параметр '--contact'",
    ),
    (
        ["program", "assign", "{program}", "{person}", "--role", "садовник"],
        2,
        "Неизвестная роль «садовник». Роли в программе: curator (куратор)",
    ),
    (
        ["program", "assign", "{program}", "999", "--role", "mentor"],
        3,
        "Человек с номером 999 не найден",
    ),
    (
        ["program", "assign", "999", "{person}", "--role", "mentor"],
        3,
        "Программа с номером 999 не найдена",
    ),
    (
        ["org", "coordinator", "{school}", "{person}"],
        2,
        "«Школа № 1» — не территория",
    ),
    (["org", "coordinator", "{town}", "999"], 3, "Человек с номером 999 не найден"),
    (["org", "coordinator", "999", "{person}"], 3, "Организация с номером 999 не найдена"),
    (
        ["org", "add", "--name", "X", "--kind", "school", "--parent", "{town}", "--hours", "18-9"],
        2,
        "Часы отправки «--hours» 18-9 не подходят",
    ),
    (
        ["org", "add", "--name", "X", "--kind", "school", "--parent", "{town}", "--hours", "9to18"],
        2,
        "Часы отправки «--hours» «9to18» не поняты",
    ),
    (
        ["org", "add", "--name", "X", "--kind", "school", "--parent", "{town}", "--hours", "0-25"],
        2,
        "Часы отправки «--hours» 0-25 не подходят",
    ),
    (
        [
            "org",
            "add",
            "--name",
            "X",
            "--kind",
            "school",
            "--parent",
            "{town}",
            "--smtp",
            "json://x",
        ],
        2,
        "Почтовый сервер «json://x» задаётся адресом mailto:// или mailtos://",
    ),
    (
        [
            "org",
            "add",
            "--name",
            "X",
            "--kind",
            "school",
            "--parent",
            "{town}",
            "--smtp",
            "mailto://127.0.0.1:25?to=a@b.ru",
        ],
        2,
        "«mailto://127.0.0.1:25?to=a@b.ru»",
    ),
    pytest.param(
        [
            "org",
            "add",
            "--name",
            "X",
            "--kind",
            "school",
            "--parent",
            "{town}",
            "--smtp",
            "mailto://127.0.0.1:25?to=a@b.ru",
        ],
        2,
        "задаётся адресом mailto:// или mailtos:// без получателя",
    ),
    (
        [
            "org",
            "add",
            "--name",
            "X",
            "--kind",
            "school",
            "--parent",
            "{town}",
            "--smtp",
            "mailto://127.0.0.1:25?from=noreply@school.ru&to=a@b.ru",
        ],
        2,
        "задаётся адресом mailto:// или mailtos:// без получателя",
    ),
    pytest.param(
        [
            "org",
            "add",
            "--name",
            "X",
            "--kind",
            "school",
            "--parent",
            "{town}",
            "--smtp",
            "mailto://127.0.0.1:25/a@b.ru?from=noreply@school.ru",
        ],
        2,
        "без получателя",
    ),
    pytest.param(
        [
            "org",
            "add",
            "--name",
            "X",
            "--kind",
            "school",
            "--parent",
            "{town}",
            "--smtp",
            "mailto://127.0.0.1:25?from=noreply@school.ru&To=a@b.ru",
        ],
        2,
        "без получателя",
    ),
    (
        ["program", "create", "--org", "{school}", "--title", "T", "--remind", "0"],
        2,
        "«--remind» — целое число от 1 до 60, а не 0",
    ),
    (
        ["program", "create", "--org", "{school}", "--title", "T", "--remind", "x"],
        2,
        "Значение «--remind» — целое число, а не «x»",
    ),
    (["outbox", "list", "--status", "nope"], 2, "Неизвестное состояние сообщения «nope»"),
    (["outbox", "retry", "999"], 3, "Сообщение №999 не найдено"),
    (["reminders", "run", "--now", "вчера"], 2, "Неверное время «вчера» в поле «--now»"),
    (
        ["reminders", "run", "--batch-size", "0"],
        2,
        "«--batch-size» — целое число от 1 до 10000, а не 0",
    ),
]


@pytest.fixture
def world(cli: Cli) -> dict[str, int]:
    town, school = town_and_school(cli)
    program = create_program(cli, school)
    person = add_person(cli, school, "Наставник Олег", "mailto://oleg@school.ru")
    return {"town": town, "school": school, "program": program, "person": person}


@pytest.mark.parametrize(
    ("args", "code", "message"), BAD_INPUT, ids=[f"case{i}" for i in range(len(BAD_INPUT))]
)
def test_bad_input_gets_a_russian_message_a_nonzero_exit_and_changes_nothing(
    cli: Cli,
    world: dict[str, int],
    database_url: str,
    args: list[str],
    code: int,
    message: str,
) -> None:
    before = snapshot(database_url)
    exit_code = cli(*(arg.format(**world) for arg in args))
    assert cli.err.startswith("Ошибка: "), (exit_code, cli.out, cli.err)
    assert message in " ".join(cli.err.split()), cli.err
    assert snapshot(database_url) == before
    assert exit_code == code


# --- the reminder sweep end to end ----------------------------------------------------------


def meeting_started(
    cli: Cli, endpoint: HttpEndpoint, dead: HttpEndpoint | None = None, year: int = YEAR
) -> tuple[int, dict[str, int]]:
    """A school in Moscow, a program with a curator, a mentor and a mentee whose addresses are
    on ``endpoint`` (and a second mentor on ``dead``), and its first meeting (due 1 December)
    started on 24 November at 09:00 local time. Returns the program and the people's ids."""
    _, school = town_and_school(cli)
    program = create_program(cli, school, year)
    people = {
        "curator": add_person(cli, school, "Куратор Анна", endpoint.url("/curator")),
        "mentor": add_person(cli, school, "Наставник Олег", endpoint.url("/mentor")),
        "mentee": add_person(cli, school, "Наставляемая Ира", endpoint.url("/mentee")),
    }
    roles = {"curator": "куратор", "mentor": "наставник", "mentee": "наставляемый"}
    if dead is not None:
        people["dead"] = add_person(cli, school, "Наставник Глеб", dead.url("/dead"))
        roles["dead"] = "mentor"
    for who, person in people.items():
        cli.ok("program", "assign", str(program), str(person), "--role", roles[who])
        if who != "curator":  # participants: their own consent to processing their data
            cli.ok("consent", "give", str(person), "--date", f"{min(year, 2026)}-08-20")
    close_prerequisites(program, "first_meeting")
    said = cli.ok("stage", "start", str(program), "first_meeting", "--now", f"{year}-11-24T09:00")
    assert "first_meeting — начать: запланирован -> идёт" in said
    return program, people


def sweep(cli: Cli, moment: str) -> dict[str, int]:
    outcome: dict[str, int] = cli.json("reminders", "run", "--now", moment)
    return outcome


def test_reminders_run_delivers_the_invitations_and_the_outbox_shows_them_sent(
    cli: Cli,
) -> None:
    with http_server() as endpoint:
        program, people = meeting_started(cli, endpoint)
        assert endpoint.calls == 0  # starting a stage queues; only the sweep sends

        # 10:00 in Moscow: inside the default sending hours 09:00-18:00.
        outcome = sweep(cli, f"{YEAR}-11-24T10:00+03:00")
        assert outcome == {"queued": 0, "claimed": 2, "sent": 2, "retrying": 0, "failed": 0}
        assert endpoint.calls == outcome["sent"]
        # The pair is invited; the curator, who started the stage, is not.
        assert sorted(path for path, _ in endpoint.posts) == ["/mentee", "/mentor"]
        invitation = next(body for path, body in endpoint.posts if path == "/mentee")
        text = f"{invitation.get('title', '')}\n{invitation.get('message', '')}"
        assert "Наставляемая Ира" in text and f"01.12.{YEAR}" in text

        messages = cli.json("outbox", "list", "--program", str(program))
        assert [(m["person_id"], m["kind"], m["status"], m["attempts"]) for m in messages] == [
            (people["mentor"], "invitation", "sent", 0),
            (people["mentee"], "invitation", "sent", 0),
        ]
        assert all(m["stage_code"] == "first_meeting" and m["stage_number"] == 21 for m in messages)
        assert all(m["sent_at"] and m["due_date"] == f"{YEAR}-12-01" for m in messages)
        assert {(m["status_label"], m["kind_label"]) for m in messages} == {
            ("отправлено", "приглашение")
        }
        assert all(m["sent_at"].endswith("+03:00") for m in messages)  # Moscow, not UTC
        # A page at a time, and the list says where it was cut.
        assert len(cli.json("outbox", "list", "--per-page", "1")) == 1
        assert "Показаны сообщения 1–1 из 2; дальше: --page 2" in cli.err
        assert cli.json("outbox", "list", "--per-page", "1", "--page", "2") == messages[1:]
        assert "Показаны сообщения 2–2 из 2" in cli.err and "дальше" not in cli.err
        assert cli("outbox", "list", "--program", str(program + 1)) == 3  # as program list
        assert "не найдена" in cli.err
        assert cli.json("outbox", "list", "--status", "queued") == []

        assert cli("outbox", "list", "--status", "sent") == 0
        assert "Очередь сообщений" in cli.out
        for message in messages:
            assert cells(cli.out, message["person_name"]) == [
                str(message["id"]),
                str(program),
                "21 first_meeting",
                message["person_name"],
                "приглашение",
                f"01.12.{YEAR}",
                "отправлено",
                "0",
                "",
            ]

        # A second sweep later the same morning sends nothing twice.
        again = sweep(cli, f"{YEAR}-11-24T10:30+03:00")
        assert (again["claimed"], again["sent"]) == (0, 0)
        assert endpoint.calls == 2
        said = cli.ok("reminders", "run", "--now", f"{YEAR}-11-24T11:00+03:00")
        assert said == "Поставлено в очередь: 0; отправлено: 0; повтор позже: 0; не доставлено: 0"


@pytest.mark.slow
def test_a_message_that_keeps_failing_is_given_up_after_five_attempts_then_retried_by_hand(
    cli: Cli, database_url: str
) -> None:
    with http_server() as endpoint, http_server(status=lambda call: 503) as dead:
        program, people = meeting_started(cli, endpoint, dead)
        first = sweep(cli, f"{YEAR}-11-24T10:00+03:00")
        assert first == {"queued": 0, "claimed": 3, "sent": 2, "retrying": 1, "failed": 0}
        assert (endpoint.calls, dead.calls) == (2, 1)
        # Back-off: 5, 10, 20 and 40 minutes; a sweep in between does not touch it.
        assert sweep(cli, f"{YEAR}-11-24T10:04+03:00")["claimed"] == 0
        for minutes, retrying, failed in [(5, 1, 0), (15, 1, 0), (35, 1, 0), (75, 0, 1)]:
            moment = f"{YEAR}-11-24T{10 + minutes // 60}:{minutes % 60:02d}+03:00"
            outcome = sweep(cli, moment)
            assert (outcome["sent"], outcome["retrying"], outcome["failed"]) == (
                0,
                retrying,
                failed,
            ), moment
        assert dead.calls == 5 and endpoint.calls == 2

        [failed] = cli.json("outbox", "list", "--status", "failed")
        assert (failed["person_id"], failed["person_name"]) == (people["dead"], "Наставник Глеб")
        assert failed["attempts"] == 5 and "503" in (failed["last_error"] or "")
        assert failed["program_id"] == program and failed["sent_at"] is None
        # The curator reads why in Russian; scripts get the fixed English reason beside it.
        assert failed["last_error_label"] == "JSON: сервер ответил кодом HTTP 503"
        assert cli("outbox", "list", "--status", "не доставлено") == 0
        assert cells(cli.out, "Глеб")[6:9] == [
            "не доставлено",
            "5",
            "JSON: сервер ответил кодом HTTP 503",
        ]
        # Given up: later sweeps leave it alone.
        assert sweep(cli, f"{YEAR}-11-24T12:00+03:00")["claimed"] == 0
        assert dead.calls == 5

        # Only an undelivered message can be retried: a sent one is refused, nothing changes.
        sent = next(m for m in cli.json("outbox", "list") if m["status"] == "sent")
        before = snapshot(database_url)
        assert cli("outbox", "retry", str(sent["id"])) == 4
        assert " ".join(cli.err.split()) == (
            f"Ошибка: Сообщение №{sent['id']} в состоянии «отправлено», а повторить можно "
            "только недоставленное"
        )
        assert snapshot(database_url) == before

        said = cli.ok("outbox", "retry", str(failed["id"]))
        assert said == f"Сообщение №{failed['id']} снова в очереди: уйдёт при следующем обходе"
        [queued] = cli.json("outbox", "list", "--status", "queued")
        assert (queued["id"], queued["attempts"], queued["last_error"]) == (failed["id"], 0, None)

        again = sweep(cli, f"{YEAR}-11-24T12:15+03:00")
        assert (again["claimed"], again["retrying"]) == (1, 1)
        assert dead.calls == 6 and endpoint.calls == 2
        statuses = Counter(m["status"] for m in cli.json("outbox", "list"))
        assert statuses == {"sent": 2, "queued": 1}


def test_a_message_retried_by_hand_goes_out_at_a_backfill_sweep(
    cli: Cli, database_url: str
) -> None:
    year = 2025  # a school year before the wall clock
    with http_server() as endpoint, http_server(status=lambda call: 503) as dead:
        meeting_started(cli, endpoint, dead, year)
        assert sweep(cli, f"{year}-11-24T10:00+03:00")["retrying"] == 1
        # Its fifth attempt failed (the back-off itself is the test above).
        with database.engine_for(database_url).begin() as connection:
            connection.execute(
                sa.text("UPDATE outbox SET status = 'failed', attempts = 5 WHERE status = 'queued'")
            )
        [failed] = cli.json("outbox", "list", "--status", "failed")
        cli.ok("outbox", "retry", str(failed["id"]))
        assert sweep(cli, f"{year}-11-24T11:00+03:00")["claimed"] == 1
        assert dead.calls == 2


def test_retrying_a_message_that_is_not_failed_exits_as_refused(cli: Cli) -> None:
    with http_server() as endpoint:
        program, _ = meeting_started(cli, endpoint)  # the pair's invitations are queued
        queued = cli.json("outbox", "list", "--program", str(program))[0]
        assert queued["status"] == "queued"
        assert cli("outbox", "retry", str(queued["id"])) == 4
