"""Schools' spreadsheets imported into a program whole or not at all (``nastavnik import``):
people matched by ФИО, date of birth and organisation, so that the same file again changes
nothing; answers to a program's questionnaire validated for every row; every problem of a file,
of a cell or of a row, in one Russian report by row and column, and then nothing stored; a dry
run stores nothing; consents recorded by the domain's rules (a minor's through a legal
representative), the questionnaires open to those who consent sent to them. Through the command
line, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
import logging
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import Cli, snapshot
from factories import SETUP_TIME, consented, program
from sqlmodel import col, select

from domain import consents, database
from domain.consents import give_consent, list_consents
from domain.models import ImportMapping, OutboxMessage, Person, Stage
from domain.people import person_card
from domain.questionnaire_catalogue import MENTEE_SURVEY
from domain.surveys import answers_of, open_for_stage

NOW = "2026-09-10T10:00"
DAY = date(2026, 9, 10)

HEADERS = [
    "ФИО",
    "Роль в программе",
    "Дата рождения",
    "Категория",
    "Класс",
    "Год начала педагогической работы",
    "Место учёбы/работы",
    "E-mail",
    "Телефон/другой адрес",
    "ФИО законного представителя",
    "E-mail законного представителя",
]
PETROV = [
    "Петров Пётр Петрович", "наставник", date(1980, 4, 12), "педагог", None, 2005,
    "МБОУ СОШ № 1, учитель физики", "petrov@school.ru", None, None, None,
]  # fmt: skip
SIDOROVA = [
    "Сидорова Анна Ивановна", "наставляемый", "01.02.1999", "teacher", None, 2025,
    "МБОУ СОШ № 1", None, "json://127.0.0.1:9/sidorova", None, None,
]  # fmt: skip
ORLOV = [
    "Орлов Илья Сергеевич", "mentee", date(2012, 3, 15), "обучающийся", "8А", None,
    "МБОУ СОШ № 1", "mailto://orlov@school.ru", None, "Орлова Елена Викторовна",
    "orlova@mail.ru",
]  # fmt: skip
# The program's curator, known without a date of birth: the file fills it in.
CURATOR = [
    "Иванова Мария Петровна", "наставник", date(1975, 6, 1), "педагог", None, None, None,
    "ivanova@school.ru", None, None, None,
]  # fmt: skip


def xlsx(path: Path, headers: list[str], rows: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def people_file(tmp_path: Path, rows: list[list[Any]], name: str = "люди.xlsx") -> Path:
    return xlsx(tmp_path / name, HEADERS, rows)


def import_people(cli: Cli, path: Path, program_id: int, *extra: str) -> dict[str, Any]:
    result: dict[str, Any] = cli.json(
        "import", "people", str(path), "--program", str(program_id), "--now", NOW, *extra
    )
    return result


def refused(cli: Cli, *args: str) -> list[str]:
    """A command that must refuse the file: exit 2, no traceback; the report's lines."""
    code = cli(*args, "--now", NOW)
    assert code == 2, cli.out + cli.err
    assert "Traceback" not in cli.err
    return [line.strip() for line in cli.err.splitlines()]


def person_id(name: str) -> int:
    with database.session() as db:
        found = db.exec(select(Person).where(Person.name == name)).one()
    assert found.id is not None
    return found.id


def counts(url: str) -> dict[str, int]:
    return {table: len(rows) for table, rows in snapshot(url).items()}


# --- People ------------------------------------------------------------------------------------


def test_a_workbook_of_people_is_imported_and_again_changes_nothing(
    cli: Cli, database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    made = program()
    path = people_file(tmp_path, [PETROV, SIDOROVA, ORLOV, CURATOR])

    first = import_people(cli, path, made.id)

    assert {key: first[key] for key in ("created", "updated", "unchanged", "rows")} == {
        "created": 3,
        "updated": 1,
        "unchanged": 0,
        "rows": 4,
    }
    assert first["representatives_created"] == 1 and first["minors_without_representative"] == 0
    assert first["mapping"]["representative_email"] == "E-mail законного представителя"
    with database.session() as db:
        petrov = person_card(db, person_id("Петров Пётр Петрович"), DAY)
        sidorova = person_card(db, person_id("Сидорова Анна Ивановна"), DAY)
        orlov = person_card(db, person_id("Орлов Илья Сергеевич"), DAY)
        curator = person_card(db, made.curator_id or 0, DAY)
    assert petrov.contacts == ["mailto://petrov@school.ru"]  # a plain e-mail made a URL
    assert (petrov.birth_date, petrov.category, petrov.teaching_since) == (
        date(1980, 4, 12),
        "teacher",
        2005,
    )
    assert petrov.org_id == made.org_id
    assert [r["role"] for r in petrov.roles] == ["mentor"]
    assert sidorova.contacts == ["json://127.0.0.1:9/sidorova"] and sidorova.young_specialist
    assert orlov.minor and orlov.school_class == "8А" and orlov.category == "pupil"
    assert [r["name"] for r in orlov.representatives] == ["Орлова Елена Викторовна"]
    mother = orlov.representatives[0]["id"]
    with database.session() as db:
        assert person_card(db, int(mother), DAY).contacts == ["mailto://orlova@mail.ru"]
    # The curator matched by ФИО in the organisation: what was missing is filled in, the rest
    # (her address, her role) kept; the new role added.
    assert curator.birth_date == date(1975, 6, 1) and curator.category == "teacher"
    assert curator.contacts == ["mailto://ivanova@school.ru"]
    assert sorted(r["role"] for r in curator.roles) == ["curator", "mentor"]

    before = snapshot(database_url)
    again = import_people(cli, path, made.id)

    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 4)
    assert again["representatives_created"] == 0
    assert snapshot(database_url) == before  # no person, role, address or link twice
    # Cells are personal data: the log has counts only.
    for name in ("Петров", "Сидорова", "Орлов", "Орлова", "petrov@", "orlova@"):
        assert name not in caplog.text


def test_siblings_share_their_representative_and_a_parent_listed_as_a_row_is_one_person(
    cli: Cli, database_url: str, tmp_path: Path
) -> None:
    made = program()
    pupil = ["обучающийся", "7А", None, None]
    path = people_file(
        tmp_path,
        [
            ["Орлова Вера", "наставляемый", date(2013, 5, 1), *pupil, "v@s.ru", None,
             "Орлова Елена Викторовна", "orlova@mail.ru"],
            ["Зайцев Миша", "наставляемый", date(2014, 1, 9), *pupil, "m@s.ru", None,
             "Зайцев Павел", "zaitsev@mail.ru"],
            ["Зайцев Павел", "наставник", date(1984, 2, 2), "работник предприятия", *[None] * 3,
             "zaitsev@mail.ru"],
            ORLOV,
        ],
    )  # fmt: skip

    outcome = import_people(cli, path, made.id)

    assert (outcome["created"], outcome["representatives_created"]) == (4, 1)
    with database.session() as db:
        vera = person_card(db, person_id("Орлова Вера"), DAY)
        orlov = person_card(db, person_id("Орлов Илья Сергеевич"), DAY)
        misha = person_card(db, person_id("Зайцев Миша"), DAY)
    assert vera.representatives == orlov.representatives
    assert misha.representatives == [{"id": person_id("Зайцев Павел"), "name": "Зайцев Павел"}]
    before = snapshot(database_url)
    assert import_people(cli, path, made.id)["unchanged"] == 4
    assert snapshot(database_url) == before

    # The mother's new address, given for one child: added to her, not a new mother.
    moved = [*ORLOV[:-1], "elena@new.ru"]
    again = import_people(cli, people_file(tmp_path, [moved], "новый адрес.xlsx"), made.id)
    assert (again["updated"], again["representatives_created"]) == (1, 0)
    with database.session() as db:
        mother = person_card(db, int(orlov.representatives[0]["id"]), DAY)
    assert mother.contacts == ["mailto://orlova@mail.ru", "mailto://elena@new.ru"]
    assert mother.represents == [
        {"id": vera.id, "name": "Орлова Вера"},
        {"id": orlov.id, "name": "Орлов Илья Сергеевич"},
    ]


def test_a_csv_in_windows_1251_with_other_headers_and_codes(
    cli: Cli, database_url: str, tmp_path: Path
) -> None:
    made = program()
    path = tmp_path / "выгрузка.csv"
    with path.open("w", encoding="cp1251", newline="") as file:
        writer = csv.writer(file, delimiter=";")
        writer.writerow(["Ф.И.О.", "Роль", "ДР", "Категория участника", "Класс", "Email"])
        writer.writerow(["Ёлкина Дарья", "наставляемый", "05.09.2008", "pupil", "11Б", ""])
        writer.writerow(["Зуев Глеб", "mentor", "1990-01-20", "Студент", "", "zuev@mail.ru"])
    # Ёлкина is 18 on the import's day: an adult with no address is refused, with one added
    # she is taken.
    lines = refused(cli, "import", "people", str(path), "--program", str(made.id))
    assert lines[1] == (
        "строка 2, столбец F «Email»: нет адреса для уведомлений: заполните «E-mail» или "
        "«Телефон или другой адрес»"
    ), lines
    with path.open("w", encoding="cp1251", newline="") as file:
        writer = csv.writer(file, delimiter=";")
        writer.writerow(["Ф.И.О.", "Роль", "ДР", "Категория участника", "Класс", "Email"])
        writer.writerow(["Ёлкина Дарья", "наставляемый", "05.09.2008", "pupil", "11Б", "e@x.ru"])
        writer.writerow(["Зуев Глеб", "mentor", "1990-01-20", "Студент", "", "zuev@mail.ru"])

    outcome = import_people(cli, path, made.id)

    assert (outcome["created"], outcome["rows"]) == (2, 2)
    with database.session() as db:
        elkina = person_card(db, person_id("Ёлкина Дарья"), DAY)
        zuev = person_card(db, person_id("Зуев Глеб"), DAY)
    assert (elkina.birth_date, elkina.school_class, elkina.minor) == (
        date(2008, 9, 5),
        "11Б",
        False,
    )
    assert zuev.category == "student" and zuev.contacts == ["mailto://zuev@mail.ru"]
    assert [r["role"] for r in zuev.roles] == ["mentor"]


def test_an_explicit_mapping_is_saved_and_used_next_time_unless_another_is_given(
    cli: Cli, database_url: str, tmp_path: Path
) -> None:
    made = program()
    headers = ["Участник", "Кто он в программе", "Почта", "Родился"]
    first = xlsx(
        tmp_path / "первый.xlsx",
        headers,
        [
            ["Белов Антон", "наставник", "a@school.ru", "01.01.1985"],
            ["Белова Вера", "наставник", "v@school.ru", "02.02.1986"],
        ],
    )
    lines = refused(cli, "import", "people", str(first), "--program", str(made.id))
    assert "нет обязательных столбцов: «ФИО» (name)" in " ".join(lines)
    mapping = {"name": "Участник", "role": "Кто он в программе", "email": "Почта"}
    mapping_file = tmp_path / "сопоставление.json"
    mapping_file.write_text(
        json.dumps({**mapping, "birth_date": "Родился"}, ensure_ascii=False), encoding="utf-8"
    )

    outcome = import_people(cli, first, made.id, "--mapping", str(mapping_file))

    assert outcome["created"] == 2
    assert outcome["mapping"] == {**mapping, "birth_date": "Родился"}
    with database.session() as db:
        saved = db.exec(select(ImportMapping).where(ImportMapping.program_id == made.id)).one()
    assert (saved.kind, saved.mapping) == ("people", outcome["mapping"])

    # The next file of the same form: no mapping needed.
    second = xlsx(
        tmp_path / "второй.xlsx", headers, [["Белкин Иван", "наставник", "i@school.ru", None]]
    )
    assert import_people(cli, second, made.id)["created"] == 1
    assert person_id("Белкин Иван")

    # An explicit mapping wins over the saved one, and is saved in its place.
    third = xlsx(
        tmp_path / "третий.xlsx",
        ["Участник", "ФИО", "Почта"],
        [["№ 7", "Быкова Инна", "b@school.ru"]],
    )
    other = tmp_path / "другое.json"
    other.write_text(json.dumps({"name": "ФИО", "email": "Почта"}), encoding="utf-8")
    assert import_people(cli, third, made.id, "--mapping", str(other))["created"] == 1
    assert person_id("Быкова Инна")
    with database.session() as db:
        names = db.exec(select(Person.name).where(col(Person.name).startswith("№"))).all()
        saved = db.exec(select(ImportMapping).where(ImportMapping.program_id == made.id)).one()
    assert not names
    assert saved.mapping == {"name": "ФИО", "email": "Почта"}


def test_a_file_with_bad_rows_is_refused_naming_each_and_stores_nothing(
    cli: Cli, database_url: str, tmp_path: Path
) -> None:
    made = program()
    good = [
        "Морозов Олег", "наставник", "03.03.1975", "педагог", None, 2000, None,
        "morozov@school.ru", None, None, None,
    ]  # fmt: skip
    path = people_file(
        tmp_path,
        [
            ["Козлов Кирилл", "наставник", "31.02.1985", "педагог", *[None] * 3, "k@school.ru"],
            ["Лебедева Ольга", "наставляемый", "12.05.1990", "директор", *[None] * 3, "l@s.ru"],
            [None, "наставник", "01.01.1980", "педагог", *[None] * 3, "x@school.ru"],
            good,
            good,
            ["Новиков Ян", "наставник", "04.04.1977", "педагог", *[None] * 3, "не адрес"],
            ["Юный Юрий", "наставляемый", "04.04.2013", "обучающийся", "5А", None, None,
             "y@school.ru", None, None, "mama@mail.ru"],
            ["Фомин Фёдор", "наставник", "04.04.1990", "студент", "9В", 2015, None, "f@s.ru"],
        ],
    )  # fmt: skip
    before = snapshot(database_url)

    lines = refused(cli, "import", "people", str(path), "--program", str(made.id))

    assert lines[0] == "Ошибка: Файл «люди.xlsx» не принят, ни одна строка не загружена: 8 ошибок."
    assert lines[1:] == [
        "строка 2, столбец C «Дата рождения»: нет такой даты: «31.02.1985»",
        "строка 3, столбец D «Категория»: неизвестное значение «директор»: допустимы "
        "pupil (обучающийся), student (студент), teacher (педагог), employee (работник "
        "предприятия), parent (родитель)",
        "строка 4, столбец A «ФИО»: пусто, а поле обязательно",
        "строка 6, столбцы A «ФИО», C «Дата рождения»: повторяет строку 5: совпадают «ФИО», "
        "«Дата рождения»",
        "строка 7, столбец H «E-mail»: адрес «не адрес» не распознан: укажите e-mail "
        "(ivanova@school.ru) или адрес apprise (tgram://ТОКЕН_БОТА/ID_ЧАТА, "
        "json://сервер/путь…)",
        "строка 8, столбец J «ФИО законного представителя»: указан адрес законного "
        "представителя, а его ФИО нет",
        "строка 9, столбец E «Класс»: класс указывают только обучающимся, а категория — «студент»",
        "строка 9, столбец F «Год начала педагогической работы»: год начала работы указывают "
        "только педагогам, а категория — «студент»",
    ], lines
    assert snapshot(database_url) == before  # Морозов, right in row 5, is not stored either
    assert counts(database_url)["person"] == 1  # the curator


def test_a_dry_run_checks_counts_and_stores_nothing(
    cli: Cli, database_url: str, tmp_path: Path
) -> None:
    made = program()
    path = people_file(tmp_path, [PETROV, SIDOROVA, ORLOV])
    before = snapshot(database_url)

    planned = import_people(cli, path, made.id, "--dry-run")

    assert planned["dry_run"] is True
    assert (planned["created"], planned["representatives_created"]) == (3, 1)
    assert snapshot(database_url) == before  # no people, no saved mapping
    said = cli.ok("import", "people", str(path), "--program", str(made.id), "--dry-run")
    assert said.startswith("Проверка (--dry-run): файл в порядке, ничего не сохранено")
    assert "людей добавлено: 3" in said
    bad = people_file(tmp_path, [[*PETROV[:2], "завтра", *PETROV[3:]]], "плохой.xlsx")
    lines = refused(cli, "import", "people", str(bad), "--program", str(made.id), "--dry-run")
    assert lines[1].startswith("строка 2, столбец C «Дата рождения»: не дата: «завтра»"), lines
    assert snapshot(database_url) == before

    done = import_people(cli, path, made.id)

    assert {k: done[k] for k in ("created", "updated", "unchanged")} == {
        k: planned[k] for k in ("created", "updated", "unchanged")
    }
    assert counts(database_url)["person"] == 5  # the curator, three, a representative


# --- Answers -----------------------------------------------------------------------------------

QUESTIONS = {question.code: question.text for question in MENTEE_SURVEY.questions}
ANSWER_CODES = [
    "status",
    "place",
    "age",
    "request",
    "request_topics",
    "mentor_competencies",
    "convenient_time",
]
ANSWER_HEADERS = ["ФИО", "Дата рождения", *(QUESTIONS[code] for code in ANSWER_CODES)]
SIDOROVA_ANSWERS = [
    "Сидорова Анна Ивановна", None, "Педагог", "МБОУ СОШ № 1, учитель химии", 27,
    "Хочу научиться держать дисциплину", "Наладить дисциплину и отношения с классом",
    "Методика преподавания; Умение выслушать и поддержать", "В будни после занятий",
]  # fmt: skip
ORLOV_ANSWERS = [
    "Орлов Илья Сергеевич", date(2012, 3, 15), "обучающийся", "8А", 14,
    "Подготовиться к олимпиаде\nпо физике", "Подготовиться к экзаменам или олимпиадам",
    "Подготовка к экзаменам и олимпиадам", "В субботу; В воскресенье",
]  # fmt: skip
NO_CONSENT = [
    "Без Согласия Борис", "наставляемый", "10.10.1995", "педагог", None, None, None,
    "b@school.ru", None, None, None,
]  # fmt: skip


@pytest.fixture
def surveyed(cli: Cli, database_url: str, tmp_path: Path) -> int:
    """A program with a mentor and three mentees (one a minor with a representative, one
    without consent), consents given, the mentees' questionnaire open."""
    made = program()
    people = people_file(tmp_path, [PETROV, SIDOROVA, ORLOV, NO_CONSENT], "участники.xlsx")
    import_people(cli, people, made.id)
    consented(person_id("Сидорова Анна Ивановна"), person_id("Петров Пётр Петрович"))
    with database.session() as db:
        give_consent(
            db,
            person_id=person_id("Орлов Илья Сергеевич"),
            kind="processing",
            given_by_id=person_id("Орлова Елена Викторовна"),
            given_on=SETUP_TIME.date(),
            document="№ 3",
            actor="test",
            now=SETUP_TIME,
        )
        stage = db.exec(
            select(Stage).where(Stage.program_id == made.id, Stage.code == "survey_mentees")
        ).one()
        open_for_stage(db, stage, SETUP_TIME)
    return made.id


def import_answers(cli: Cli, path: Path, program_id: int, *extra: str) -> Any:
    return cli.json(
        "import", "answers", str(path), "--program", str(program_id),
        "--questionnaire", "mentee_survey", "--now", NOW, *extra,
    )  # fmt: skip


def answers_command(path: Path, program_id: int) -> list[str]:
    return [
        "import", "answers", str(path), "--program", str(program_id),
        "--questionnaire", "mentee_survey",
    ]  # fmt: skip


def test_answers_are_imported_for_the_mentee_questionnaire(
    cli: Cli, database_url: str, tmp_path: Path, surveyed: int
) -> None:
    path = xlsx(tmp_path / "анкеты.xlsx", ANSWER_HEADERS, [SIDOROVA_ANSWERS, ORLOV_ANSWERS])

    outcome = import_answers(cli, path, surveyed)

    assert (outcome["answers_recorded"], outcome["created"], outcome["rows"]) == (2, 2, 2)
    assert outcome["questionnaire"] == "mentee_survey"
    with database.session() as db:
        stored = answers_of(db, surveyed, "mentee_survey")
    assert stored[person_id("Сидорова Анна Ивановна")] == {
        "status": "teacher",
        "place": "МБОУ СОШ № 1, учитель химии",
        "age": 27,
        "request": "Хочу научиться держать дисциплину",
        "request_topics": ["class_relations"],
        "mentor_competencies": ["teaching_methods", "support"],
        "convenient_time": ["weekday_after_lessons"],
    }
    orlov = stored[person_id("Орлов Илья Сергеевич")]
    assert (
        orlov["status"] == "student" and orlov["request"] == "Подготовиться к олимпиаде\nпо физике"
    )
    assert orlov["convenient_time"] == ["saturday", "sunday"]

    # The same file again changes nothing; the columns, by question codes this time, are
    # found as well.
    before = snapshot(database_url)
    again = import_answers(cli, path, surveyed)
    assert (again["answers_recorded"], again["unchanged"]) == (0, 2)
    assert snapshot(database_url) == before
    by_code = xlsx(
        tmp_path / "коды.xlsx",
        ["ФИО", *ANSWER_CODES, "meeting_format"],
        [[SIDOROVA_ANSWERS[0], *SIDOROVA_ANSWERS[2:], "онлайн"]],
    )
    lines = refused(cli, *answers_command(by_code, surveyed))
    assert lines[1].startswith("строка 2, столбец I «meeting_format»: нет варианта «онлайн»"), lines
    by_code = xlsx(
        tmp_path / "коды.xlsx",
        ["ФИО", *ANSWER_CODES, "meeting_format"],
        [[SIDOROVA_ANSWERS[0], *SIDOROVA_ANSWERS[2:], "Дистанционно (онлайн)"]],
    )
    assert import_answers(cli, by_code, surveyed)["updated"] == 1
    with database.session() as db:
        stored = answers_of(db, surveyed, "mentee_survey")
    assert stored[person_id("Сидорова Анна Ивановна")]["meeting_format"] == "online"


def test_one_invalid_answer_refuses_the_whole_file(
    cli: Cli, database_url: str, tmp_path: Path, surveyed: int
) -> None:
    path = xlsx(tmp_path / "анкеты.xlsx", ANSWER_HEADERS, [SIDOROVA_ANSWERS, ORLOV_ANSWERS])
    import_answers(cli, path, surveyed)
    changed = [*SIDOROVA_ANSWERS[:4], 28, *SIDOROVA_ANSWERS[5:]]  # right, but not to be stored
    wrong = [*ORLOV_ANSWERS[:4], 200, *ORLOV_ANSWERS[5:]]
    path = xlsx(tmp_path / "анкеты-2.xlsx", ANSWER_HEADERS, [changed, wrong])
    before = snapshot(database_url)

    lines = refused(cli, *answers_command(path, surveyed))

    assert lines == [
        "Ошибка: Файл «анкеты-2.xlsx» не принят, ни одна строка не загружена: 1 ошибка.",
        "строка 3, столбец E «Возраст, полных лет»: нужно целое число от 6 до 80, а не «200»",
    ]
    assert snapshot(database_url) == before
    with database.session() as db:
        assert (
            answers_of(db, surveyed, "mentee_survey")[person_id("Сидорова Анна Ивановна")]["age"]
            == 27
        )


def test_answers_of_people_without_consent_unknown_or_not_asked_are_refused(
    cli: Cli, database_url: str, tmp_path: Path, surveyed: int
) -> None:
    rows = [
        SIDOROVA_ANSWERS,
        ["Без Согласия Борис", None, *SIDOROVA_ANSWERS[2:]],
        ["Петров Пётр Петрович", None, *SIDOROVA_ANSWERS[2:]],  # a mentor
        ["Неизвестный Никто", date(2010, 1, 1), *ORLOV_ANSWERS[2:]],
        ["Сидорова Анна Ивановна", None, *SIDOROVA_ANSWERS[2:]],
    ]
    path = xlsx(tmp_path / "анкеты.xlsx", ANSWER_HEADERS, rows)
    before = snapshot(database_url)

    lines = refused(cli, *answers_command(path, surveyed))

    nobody = person_id("Без Согласия Борис")
    mentor = person_id("Петров Пётр Петрович")
    assert lines == [
        "Ошибка: Файл «анкеты.xlsx» не принят, ни одна строка не загружена: 4 ошибки.",
        f"строка 3, столбец A «ФИО»: у Без Согласия Борис (№{nobody}) нет действующего согласия "
        "на обработку персональных данных (nastavnik consent give)",
        f"строка 4, столбец A «ФИО»: Петров Пётр Петрович (№{mentor}) не участвует в программе "
        "в роли, которой адресована анкета (наставляемый)",
        "строка 5, столбцы A «ФИО», B «Дата рождения»: в программе нет участника «Неизвестный "
        "Никто» с датой рождения 01.01.2010 (nastavnik import people)",
        "строка 6, столбцы A «ФИО», B «Дата рождения»: тот же участник, что в строке 2",
    ]
    assert snapshot(database_url) == before
    # A dry run of a good file says what it would do and stores nothing either.
    good = xlsx(tmp_path / "хорошие.xlsx", ANSWER_HEADERS, [SIDOROVA_ANSWERS])
    planned = import_answers(cli, good, surveyed, "--dry-run")
    assert (planned["dry_run"], planned["answers_recorded"]) == (True, 1)
    assert snapshot(database_url) == before


# --- Consents ----------------------------------------------------------------------------------

CONSENT_HEADERS = [
    "ФИО",
    "Дата рождения",
    "Вид согласия",
    "Кто дал согласие (ФИО)",
    "Дата согласия",
    "Документ",
]
MOTHER = "Орлова Елена Викторовна"
GOOD_CONSENTS = [
    ["Петров Пётр Петрович", None, "на обработку персональных данных", None, "01.09.2026",
     "№ 1 от 01.09.2026"],
    ["Сидорова Анна Ивановна", "01.02.1999", "обработка", "СИДОРОВА Анна Ивановна",
     date(2026, 9, 2), None],
    ["Орлов Илья Сергеевич", date(2012, 3, 15), "processing", MOTHER, "2026-09-03", "№ 3"],
    ["Петров Пётр Петрович", None, "публикация", "", date(2026, 9, 1), "№ 2 от 01.09.2026"],
]  # fmt: skip


@pytest.fixture
def participants(cli: Cli, database_url: str, tmp_path: Path) -> int:
    """A program with a mentor and two mentees (one a minor with his mother as his legal
    representative), imported; nobody has consented yet."""
    made = program()
    import_people(cli, people_file(tmp_path, [PETROV, SIDOROVA, ORLOV], "участники.xlsx"), made.id)
    return made.id


def consents_file(tmp_path: Path, rows: list[list[Any]], name: str = "согласия.xlsx") -> Path:
    return xlsx(tmp_path / name, CONSENT_HEADERS, rows)


def import_consents(cli: Cli, path: Path, program_id: int, *extra: str) -> Any:
    return cli.json(
        "import", "consents", str(path), "--program", str(program_id), "--now", NOW, *extra
    )


def consents_command(path: Path, program_id: int) -> list[str]:
    return ["import", "consents", str(path), "--program", str(program_id)]


def test_a_workbook_of_consents_is_imported_and_again_changes_nothing(
    cli: Cli, database_url: str, tmp_path: Path, participants: int
) -> None:
    path = consents_file(tmp_path, GOOD_CONSENTS)
    petrov, sidorova, orlov = (
        person_id(name)
        for name in ("Петров Пётр Петрович", "Сидорова Анна Ивановна", "Орлов Илья Сергеевич")
    )

    first = import_consents(cli, path, participants)

    assert {k: first[k] for k in ("kind", "rows", "created", "unchanged", "dry_run")} == {
        "kind": "consents",
        "rows": 4,
        "created": 4,
        "unchanged": 0,
        "dry_run": False,
    }
    assert first["consented"] == sorted([petrov, sidorova, orlov])
    assert first["mapping"]["given_by"] == "Кто дал согласие (ФИО)"
    with database.session() as db:
        stored = {
            (c.person_id, c.kind): c
            for c in list_consents(db, DAY, person_ids=[petrov, sidorova, orlov])
        }
        assert consents.allowed(db, [petrov, sidorova, orlov], DAY) == {petrov, sidorova, orlov}
        assert consents.may_publish(db, petrov, DAY)
        mapping = db.exec(select(ImportMapping).where(ImportMapping.kind == "consents")).one()
    assert sorted(stored) == sorted(
        [(petrov, "processing"), (petrov, "publication"), (sidorova, "processing"),
         (orlov, "processing")]
    )  # fmt: skip
    minor = stored[(orlov, "processing")]
    assert (minor.given_by_id, minor.given_by_name, minor.given_on, minor.document) == (
        person_id(MOTHER),
        MOTHER,
        date(2026, 9, 3),
        "№ 3",
    )
    assert stored[(sidorova, "processing")].given_by_id == sidorova  # her own, named
    assert stored[(petrov, "publication")].document == "№ 2 от 01.09.2026"
    assert mapping.program_id == participants

    # The same file again: every consent is recorded already; nothing changes.
    before = snapshot(database_url)
    again = import_consents(cli, path, participants)
    assert (again["created"], again["unchanged"], again["consented"]) == (0, 4, [])
    assert snapshot(database_url) == before
    said = cli.ok(*consents_command(path, participants), "--now", NOW)
    assert "согласий записано: 0, уже были записаны: 4" in said

    # A withdrawn consent is no longer the same one: the file gives it again.
    with database.session() as db:
        consents.withdraw_consent(
            db, stored[(petrov, "publication")].id, actor="test", now=SETUP_TIME
        )
    third = import_consents(cli, path, participants)
    assert (third["created"], third["unchanged"], third["consented"]) == (1, 3, [])


def test_a_file_of_consents_with_bad_rows_is_refused_naming_each_and_stores_nothing(
    cli: Cli, database_url: str, tmp_path: Path, participants: int
) -> None:
    orlov, sidorova = person_id("Орлов Илья Сергеевич"), person_id("Сидорова Анна Ивановна")
    mother = person_id(MOTHER)
    path = consents_file(
        tmp_path,
        [
            GOOD_CONSENTS[0],  # right, but not to be stored
            ["Орлов Илья Сергеевич", None, "обработка", "Орлов Илья Сергеевич", "01.09.2026",
             None],
            ["Сидорова Анна Ивановна", None, "обработка", MOTHER, "01.09.2026", None],
            ["Петров Пётр Петрович", None, "на всё", None, "01.09.2026", None],
            ["Петров Пётр Петрович", None, "на распространение", None, "11.09.2026", None],
            ["Неизвестный Никто", date(2010, 1, 1), "обработка", None, "01.09.2026", None],
            ["Орлов Илья Сергеевич", None, "processing", None, "31.02.2026", None],
            ["Орлов Илья Сергеевич", None, "processing", None, "01.09.2026", None],
            [*GOOD_CONSENTS[0][:3], "", *GOOD_CONSENTS[0][4:]],
        ],
    )  # fmt: skip
    before = snapshot(database_url)

    lines = refused(cli, *consents_command(path, participants))

    listed = f"законные представители: {MOTHER} (№{mother})"
    assert lines == [
        "Ошибка: Файл «согласия.xlsx» не принят, ни одна строка не загружена: 8 ошибок.",
        f"строка 3, столбец D «Кто дал согласие (ФИО)»: Орлов Илья Сергеевич (№{orlov}) на "
        "01.09.2026 несовершеннолетний: согласие за него даёт законный представитель, а не он "
        f"сам; {listed}",
        f"строка 4, столбец D «Кто дал согласие (ФИО)»: Сидорова Анна Ивановна (№{sidorova}) на "
        f"01.09.2026 совершеннолетний (от 18 лет): согласие даёт он сам, а не «{MOTHER}»",
        "строка 5, столбец C «Вид согласия»: неизвестный вид согласия «на всё». Известные: "
        "processing (на обработку персональных данных), publication (на распространение "
        "(публикацию))",
        "строка 6, столбец E «Дата согласия»: дата согласия 11.09.2026 ещё не наступила",
        "строка 7, столбцы A «ФИО», B «Дата рождения»: в программе нет участника «Неизвестный "
        "Никто» с датой рождения 01.01.2010 (nastavnik import people)",
        "строка 8, столбец E «Дата согласия»: нет такой даты: «31.02.2026»",
        f"строка 9, столбец D «Кто дал согласие (ФИО)»: Орлов Илья Сергеевич (№{orlov}) на "
        "01.09.2026 несовершеннолетний: согласие за него даёт законный представитель, укажите "
        f"его ФИО в столбце «Кто дал согласие (ФИО)»; {listed}",
        "строка 10, столбцы A «ФИО», C «Вид согласия», E «Дата согласия»: то же согласие, что "
        "в строке 2",
    ], lines
    assert snapshot(database_url) == before  # the good row 2 is not stored either
    assert counts(database_url)["consent"] == 0


def test_a_dry_run_of_consents_checks_counts_and_stores_nothing(
    cli: Cli, database_url: str, tmp_path: Path, participants: int
) -> None:
    path = consents_file(tmp_path, GOOD_CONSENTS)
    before = snapshot(database_url)

    planned = import_consents(cli, path, participants, "--dry-run")

    assert (planned["dry_run"], planned["created"], planned["messages_queued"]) == (True, 4, 0)
    assert snapshot(database_url) == before  # no consent, no saved mapping, no message
    said = cli.ok(*consents_command(path, participants), "--dry-run", "--now", NOW)
    assert said.startswith("Проверка (--dry-run): файл в порядке, ничего не сохранено")
    assert "согласий записано: 4" in said
    assert snapshot(database_url) == before

    said = cli.ok(*consents_command(path, participants), "--now", NOW)

    assert "согласий записано: 4, уже были записаны: 0" in said and "Traceback" not in cli.err
    assert counts(database_url)["consent"] == 4


def test_who_consents_by_import_gets_the_questionnaire_already_open_to_them(
    cli: Cli, database_url: str, tmp_path: Path, participants: int
) -> None:
    with database.session() as db:
        stage = db.exec(
            select(Stage).where(Stage.program_id == participants, Stage.code == "survey_mentees")
        ).one()
        open_for_stage(db, stage, SETUP_TIME)
    sent = select(OutboxMessage).where(OutboxMessage.kind == "questionnaire")
    with database.session() as db:
        assert not db.exec(sent).all()  # nobody has consented: nobody has it

    path = consents_file(tmp_path, GOOD_CONSENTS)
    outcome = import_consents(cli, path, participants)

    with database.session() as db:
        invited = {message.person_id for message in db.exec(sent)}
    # The mentees (the minor one through his mother's consent); the mentor is not asked.
    assert invited == {person_id("Сидорова Анна Ивановна"), person_id("Орлов Илья Сергеевич")}
    assert outcome["messages_queued"] == 2
    # The same file again sends nothing more.
    assert import_consents(cli, path, participants)["messages_queued"] == 0
