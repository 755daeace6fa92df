"""The command line end to end, in process: what a curator types and reads, on SQLite and on
PostgreSQL, with stage actions run against the session's Prefect server."""

from __future__ import annotations

import pytest
from conftest import Cli, snapshot

pytestmark = pytest.mark.usefixtures("prefect_api")


@pytest.fixture
def program_id(cli: Cli) -> int:
    region = cli.json(
        "org", "add", "--name", "Удмуртия", "--kind", "region", "--tz", "Europe/Samara"
    )
    town = cli.json(
        "org", "add", "--name", "Ижевск", "--kind", "муниципалитет", "--parent", str(region["id"])
    )
    school = cli.json(
        "org", "add", "--name", "Школа № 1", "--kind", "school", "--parent", str(town["id"])
    )
    curator = cli.json(
        "person", "add", "--org", str(school["id"]), "--name", "Сидорова А. А.",
        "--contact", "mailto://sidorova@school.ru", "--category", "педагог",
    )  # fmt: skip
    created = cli.json(
        "program",
        "create",
        "--org",
        str(school["id"]),
        "--title",
        "Учитель – учитель",
        "--form",
        "учитель – учитель",
        "--form",
        "traditional",
        "--start",
        "01.09.2026",
        "--curator",
        str(curator["id"]),
        "--now",
        "2026-08-25T10:00",
    )
    return int(created["id"])


def test_organisations_and_programs_are_listed_for_people_and_scripts(
    cli: Cli, program_id: int
) -> None:
    orgs = cli.json("org", "list")
    assert [(o["name"], o["timezone"]) for o in orgs] == [
        ("Удмуртия", "Europe/Samara"),
        ("Ижевск", "Europe/Samara"),
        ("Школа № 1", "Europe/Samara"),
    ]
    assert cli("org", "list") == 0
    assert "Школа № 1" in cli.out and "Europe/Samara (насл.)" in cli.out

    programs = cli.json("program", "list", "--now", "2026-09-20T12:00")
    assert programs[0]["title"] == "Учитель – учитель"
    assert programs[0]["forms"] == ["teacher_teacher", "traditional"]
    assert programs[0]["stages_overdue"] == 4  # stage 1 due 08.09, stages 2-4 due 15.09
    assert cli("program", "list") == 0 and "Учитель – учитель" in cli.out


def test_roadmap_shows_status_due_dates_and_overdue(cli: Cli, program_id: int) -> None:
    assert (
        cli("stage", "start", str(program_id), "inform_teachers", "--now", "2026-09-02T09:00") == 0
    )
    assert "inform_teachers — начать: запланирован -> идёт" in cli.out
    assert cli("stage", "complete", str(program_id), "1", "--now", "2026-09-03T09:00") == 0

    assert cli("program", "show", str(program_id), "--now", "2026-09-16T12:00") == 0
    lines = cli.out.splitlines()
    row = next(line for line in lines if "Информирование педагогов" in line)
    assert "выполнен" in row and "08.09.2026" in row and "ПРОСРОЧЕН" not in row
    row = next(line for line in lines if "Информирование родителей" in line)
    assert "запланирован" in row and "15.09.2026" in row and "ПРОСРОЧЕН на 1 дн." in row
    assert "1. Подготовка условий для запуска программы наставничества" in cli.out

    roadmap = cli.json("program", "show", str(program_id), "--now", "2026-09-16T12:00")
    assert len(roadmap["stages"]) == 34
    assert roadmap["stages"][0]["state"] == "done"
    assert roadmap["stages"][1]["days_overdue"] == 1
    assert roadmap["stages_closed"] == 1
    assert cli("program", "show", str(program_id), "--full") == 0
    assert "Информирование педагогического сообщества" in cli.out


def test_history_lists_every_action_with_its_prefect_run(cli: Cli, program_id: int) -> None:
    cli("stage", "start", str(program_id), "1", "--now", "2026-09-02T09:00", "--actor", "Завуч")
    cli("stage", "due", str(program_id), "2", "2026-09-20", "--reason", "собрание перенесли")
    cli("stage", "skip", str(program_id), "inform_partners", "--reason", "нет партнёров")
    rows = cli.json("history", str(program_id))
    assert [r["action"] for r in rows] == ["create", "start", "reschedule", "skip"]
    assert all(r["flow_run_id"] for r in rows[1:])
    assert rows[1]["actor"] == "Завуч" and rows[3]["reason"] == "нет партнёров"
    assert cli("history", str(program_id)) == 0
    assert "15.09.2026 -> 20.09.2026" in cli.out
    assert "запланирован -> пропущен" in cli.out
    assert rows[1]["flow_run_id"] in cli.out


BAD_INPUT = [
    (["stage", "start", "{p}", "form_pairs"], 4, "не завершены и не пропущены"),
    (["stage", "start", "{p}", "pairs"], 2, "В программе нет этапа «pairs»"),
    (["stage", "start", "{p}", "35"], 2, "В программе нет этапа «35»"),
    (["stage", "start", "777", "1"], 3, "Программа с номером 777 не найдена"),
    (["stage", "complete", "{p}", "1"], 4, "в состоянии «запланирован»"),
    (["stage", "skip", "{p}", "1"], 2, "Укажите причину"),
    (["stage", "due", "{p}", "1", "31.02.2026"], 2, "Неверная дата «31.02.2026»"),
    (["stage", "due", "{p}", "1", "2026-08-01"], 2, "раньше начала программы"),
    (["stage", "start", "{p}", "1", "--now", "вчера"], 2, "Неверное время «вчера»"),
    (["stage", "start", "{p}", "1", "--expect", "done"], 4, "ожидало «выполнен»"),
    (["stage", "start", "{p}", "1", "--expect", "готово"], 2, "Неизвестное состояние «готово»"),
    (["stage", "complete", "{p}", "1", "--occurrence", "1"], 2, "не повторяющийся"),
    (["stage", "start", "abc", "1"], 2, "«ПРОГРАММА» — целое число, а не «abc»"),
    (["stage", "start", "{p}"], 2, "не указан обязательный аргумент 'ЭТАП'"),
    (["stage", "start", "{p}", "1", "--force"], 2, "нет параметра «--force»"),
    (["program", "show", "12"], 3, "Программа с номером 12 не найдена"),
    (
        ["program", "create", "--org", "3", "--title", "T", "--start", "2026-13-01"],
        2,
        "Неверная дата «2026-13-01» в поле «--start»",
    ),
    (
        ["program", "create", "--org", "3", "--title", "T", "--form", "любая"],
        2,
        "Неизвестная форма наставничества «любая»",
    ),
    (["program", "create", "--org", "1", "--title", "T"], 2, "«Удмуртия» — это территория"),
    (
        [
            "program",
            "create",
            "--org",
            "3",
            "--title",
            "T",
            "--start",
            "01.09.2026",
            "--end",
            "01.08.2026",
        ],
        2,
        "раньше даты начала",
    ),
    (
        ["org", "add", "--name", "X", "--kind", "school", "--parent", "3"],
        2,
        "не может входить в «школа»",
    ),
    (
        ["org", "add", "--name", "X", "--kind", "planet", "--tz", "Europe/Moscow"],
        2,
        "Неизвестный тип организации «planet»",
    ),
    (
        ["org", "add", "--name", "X", "--kind", "school", "--tz", "Europe/Mosсow"],
        2,
        "Неизвестный часовой пояс",
    ),
]


@pytest.mark.parametrize(
    ("args", "code", "message"), BAD_INPUT, ids=[f"case{i}" for i in range(len(BAD_INPUT))]
)
def test_bad_input_gets_a_russian_message_a_nonzero_exit_and_changes_nothing(
    cli: Cli, program_id: int, database_url: str, args: list[str], code: int, message: str
) -> None:
    before = snapshot(database_url)
    assert cli(*(arg.format(p=program_id) for arg in args)) == code
    assert cli.err.startswith("Ошибка: ")
    assert message in " ".join(cli.err.split()), cli.err
    assert snapshot(database_url) == before


def test_help_is_in_russian(cli: Cli) -> None:
    assert cli("--help") == 0
    assert cli.out.startswith("Использование: nastavnik")
    assert "Команды:" in cli.out and "Показать эту справку и выйти." in cli.out
    assert cli("stage", "due", "--help") == 0
    assert "Параметры:" in cli.out and "Изменить срок этапа" in cli.out
    for english in ("Usage:", "Options:", "Commands:", "Show this message"):
        assert english not in cli.out
