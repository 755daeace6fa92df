"""The mentee database and the mentor database (Р-145) built from a program's people, their
consents and their answers, and exported as .xlsx through the command line: the workbook read
back cell by cell (the reference's headers in order, dates as dates, labels not codes, a
minor's representatives' contacts); refused, with no file written and no traceback, while
anybody in a register has no valid processing consent; completing a database stage refused
likewise. SQLite and PostgreSQL."""

from __future__ import annotations

import stat
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest
from conftest import Cli, snapshot
from factories import SETUP_TIME, consented, school
from sqlmodel import select

from documents.registers import (
    MENTEE_HEADERS,
    MENTOR_HEADERS,
    export_register,
    mentee_register,
    mentor_register,
)
from domain import consents, database
from domain.consents import check_register_complete
from domain.errors import TransitionRefused
from domain.models import Stage
from domain.participants import Particulars
from domain.people import add_person, assign
from domain.programs import create_program
from domain.surveys import find_questionnaire, open_for_stage, record_answers

# The headers of docs' sample forms, in their order, as the reference writes them.
MENTEE_REFERENCE = [
    "ФИО наставляемого",
    "Контактные данные для связи (для несовершеннолетних — контакты законных представителей)",
    "Возраст (лет на дату вхождения в программу)",
    "Место обучения / работы наставляемого (организация, класс или должность)",
    "Ключевой запрос наставляемого",
    "Дата вхождения в программу",
    "ФИО наставника",
    "Место работы / обучения наставника",
    "Форма наставничества",
    "Программа наставничества (название)",
    "Дата завершения программы",
    "Результаты программы",
    "Отметка о прохождении программы (завершил / выбыл, с датой)",
    "Ссылка на кейс, отзыв наставляемого (если есть согласие на публикацию)",
]
MENTOR_REFERENCE = [
    "ФИО наставника",
    "Контактные данные для связи",
    "Место работы / обучения наставника (организация, должность или класс)",
    "Ключевые компетенции наставника",
    "Важные для программы достижения наставника",
    "Интересы наставника",
    "Желаемый возраст наставляемых",
    "Время, удобное для работы с наставляемыми",
    "Сколько наставляемых готов вести (1 — пара, больше — группа)",
    "ФИО наставляемых",
    "Место обучения / работы наставляемых",
    "Дата вхождения в программу",
    "Форма наставничества",
    "Программа наставничества (название)",
    "Дата завершения программы",
    "Результаты программы",
    "Отметка о прохождении программы",
    "Ссылка на кейс, отзыв наставника (если есть согласие на публикацию)",
]

START = date(2026, 9, 1)
END = date(2027, 5, 25)
TITLE = "Наставничество в школе № 1"
FORMS = "ученик – ученик; учитель – учитель"
ANSWERED = datetime(2026, 9, 10, 9, tzinfo=UTC)
DAY = date(2026, 9, 20)
NOW = "2026-09-20T10:00"  # the school's wall clock: the export's day is DAY


@dataclass(frozen=True)
class Setup:
    program_id: int
    org_id: int
    pupil: int
    mother: int
    teacher: int
    physicist: int
    engineer: int


def person(
    org_id: int, name: str, contacts: list[str], preferred: str | None = None, **given: object
) -> int:
    with database.session() as db:
        return add_person(
            db, org_id=org_id, name=name, contacts=contacts, now=SETUP_TIME, preferred=preferred,
            particulars=Particulars(**given),  # type: ignore[arg-type]
        ).id  # fmt: skip


def minor(org_id: int, mother: int) -> int:
    with database.session() as db:
        return add_person(
            db, org_id=org_id, name="Смирнов Илья", contacts=["mailto://ilya@school.ru"],
            now=SETUP_TIME, representative_ids=[mother],
            particulars=Particulars(birth_date=date(2012, 3, 15), category="pupil",
                                    school_class="8А", place="МБОУ СОШ № 1"),
        ).id  # fmt: skip


def consent_by(person_id: int, given_by: int, kind: str = "processing") -> int:
    with database.session() as db:
        return consents.give_consent(
            db, person_id=person_id, kind=kind, given_by_id=given_by,
            given_on=SETUP_TIME.date(), document=None, actor="test", now=SETUP_TIME,
        ).id  # fmt: skip


def answer(program_id: int, code: str, person_id: int, answers: dict[str, object]) -> None:
    with database.session() as db:
        row = find_questionnaire(db, program_id, code)
        record_answers(
            db, row, person_id, answers, source="curator", now=ANSWERED, day=ANSWERED.date()
        )


def setup() -> Setup:
    """Two mentees (a minor whose mother consented, a teacher), two mentors (one answered, one
    did not), every consent given; the two survey stages' questionnaires opened and answered."""
    org_id = school()
    with database.session() as db:
        made = create_program(
            db, org_id=org_id, title=TITLE, forms=["student_student", "teacher_teacher"],
            start=START, end=END, actor="test", now=SETUP_TIME,
        )  # fmt: skip
    mother = person(org_id, "Смирнова Анна Викторовна", ["mailto://anna.smirnova@mail.ru"],
                    birth_date=date(1985, 1, 1), category="parent")  # fmt: skip
    pupil = minor(org_id, mother)
    teacher = person(
        org_id, "Петров Олег Игоревич",
        ["mailto://petrov@school.ru", "mailto://petrov@mail.ru"],
        preferred="mailto://petrov@mail.ru", category="teacher", teaching_since=2025,
    )  # fmt: skip
    physicist = person(
        org_id, "Кузнецова Елена Павловна", ["mailto://kuznetsova@school.ru"],
        birth_date=date(1975, 6, 1), category="teacher", place="МБОУ СОШ № 1, учитель физики",
    )  # fmt: skip
    engineer = person(
        org_id, "Сидоров Павел Андреевич", ["mailto://sidorov@progress.ru"],
        category="employee", place="Завод «Прогресс», инженер-конструктор",
    )  # fmt: skip
    with database.session() as db:
        for person_id, role in ((pupil, "mentee"), (teacher, "mentee"),
                                (physicist, "mentor"), (engineer, "mentor")):  # fmt: skip
            assign(db, program_id=made.id, person_id=person_id, role=role)
    consent_by(pupil, mother)
    consented(teacher, physicist, engineer)
    consent_by(physicist, physicist, "publication")  # still no case to link to
    with database.session() as db:
        for code in ("survey_mentees", "survey_mentors"):
            stage = db.exec(
                select(Stage).where(Stage.program_id == made.id, Stage.code == code)
            ).one()
            open_for_stage(db, stage, ANSWERED)
    answer(made.id, "mentee_survey", pupil, {
        "status": "student", "place": "школа", "age": 14,
        "request": "Хочу подготовиться к олимпиаде по физике",
        "request_topics": ["project", "exams"],
        "mentor_competencies": ["exam_preparation"],
        "convenient_time": ["weekday_after_lessons"],
    })  # fmt: skip
    answer(made.id, "mentee_survey", teacher, {
        "status": "Педагог", "place": "Гимназия № 2, учитель истории", "age": "24",
        "request": "Научиться держать дисциплину в 7 классах",
        "request_topics": "Наладить дисциплину и отношения с классом",
        "mentor_competencies": "classroom_management; support",
        "convenient_time": "В будни вечером",
    })  # fmt: skip
    answer(made.id, "mentor_survey", physicist, {
        "status": "teacher", "place": "школа", "age": 51,
        "competencies": ["exam_preparation", "subject_knowledge"],
        "competencies_other": "Робототехника",
        "achievements": "Учитель года — 2019;\nпризёры олимпиад по физике",
        "interests": ["natural_sciences", "engineering"],
        "mentee_ages": ["senior", "middle"],
        "convenient_time": ["saturday", "weekday_after_lessons"],
        "capacity": 3,
    })  # fmt: skip
    return Setup(made.id, org_id, pupil, mother, teacher, physicist, engineer)


MENTEE_ROWS = [
    [
        "Смирнов Илья",
        "Смирнова Анна Викторовна (законный представитель): anna.smirnova@mail.ru",
        14,
        "МБОУ СОШ № 1, 8А класс",
        "Хочу подготовиться к олимпиаде по физике (темы: Подготовиться к экзаменам или "
        "олимпиадам; Выполнить проект или исследование)",
        START, None, None, FORMS, TITLE, END, None, None, None,
    ],
    [
        "Петров Олег Игоревич",
        "petrov@mail.ru, petrov@school.ru",
        24,  # no date of birth: the age they gave
        "Гимназия № 2, учитель истории",
        "Научиться держать дисциплину в 7 классах (темы: Наладить дисциплину и отношения с "
        "классом)",
        START, None, None, FORMS, TITLE, END, None, None, None,
    ],
]  # fmt: skip

MENTOR_ROWS = [
    [
        "Кузнецова Елена Павловна",
        "kuznetsova@school.ru",
        "МБОУ СОШ № 1, учитель физики",
        "Глубокое знание учебного предмета; Подготовка к экзаменам и олимпиадам; Робототехника",
        "Учитель года — 2019;\nпризёры олимпиад по физике",
        "Техника и инженерное дело; Естественные науки",
        "Обучающиеся 5–9 классов; Обучающиеся 10–11 классов",
        "В будни после занятий; В субботу",
        3,
        None, None, START, FORMS, TITLE, END, None, None, None,
    ],
    [
        "Сидоров Павел Андреевич",
        "sidorov@progress.ru",
        "Завод «Прогресс», инженер-конструктор",
        None, None, None, None, None, None,  # did not answer: empty cells
        None, None, START, FORMS, TITLE, END, None, None, None,
    ],
]  # fmt: skip


def read_back(path: Path) -> tuple[list[object], list[list[object]]]:
    """The workbook's header and rows; a date cell must be a date, read back as one."""
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    rows: list[list[object]] = []
    for row in sheet.iter_rows():
        values: list[object] = []
        for cell in row:
            if isinstance(cell.value, datetime):
                assert cell.is_date and cell.number_format == "DD.MM.YYYY", cell.coordinate
                values.append(cell.value.date())
            else:
                values.append(cell.value)
        rows.append(values)
    return rows[0], rows[1:]


# --- the registers, exported ------------------------------------------------------------------


def test_the_headers_are_the_references_in_order() -> None:
    assert MENTEE_HEADERS == MENTEE_REFERENCE
    assert MENTOR_HEADERS == MENTOR_REFERENCE


def test_the_mentee_database_is_exported_cell_by_cell(
    cli: Cli, database_url: str, tmp_path: Path
) -> None:
    made = setup()
    path = tmp_path / "база наставляемых.xlsx"
    exported = cli.json("export", "mentees", str(made.program_id), "--xlsx", str(path),
                        "--now", NOW)  # fmt: skip
    assert exported == {"path": str(path), "rows": 2}
    headers, rows = read_back(path)
    assert headers == MENTEE_REFERENCE
    assert rows == MENTEE_ROWS
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # personal data: the owner's alone
    # The minor's own address is not in it; the labels are, never the codes.
    assert "ilya@school.ru" not in str(rows) and "exam_preparation" not in str(rows)
    assert cli("export", "mentees", str(made.program_id), "--xlsx", str(path), "--now", NOW) == 0
    said = " ".join(cli.out.split())  # a long temporary path wraps the line
    assert "База наставляемых программы" in said and "2 строки" in said


def test_the_mentor_database_is_exported_cell_by_cell(
    cli: Cli, database_url: str, tmp_path: Path
) -> None:
    made = setup()
    path = tmp_path / "mentors.XLSX"
    exported = cli.json("export", "mentors", str(made.program_id), "--xlsx", str(path),
                        "--now", NOW)  # fmt: skip
    assert exported == {"path": str(path), "rows": 2}
    headers, rows = read_back(path)
    assert headers == MENTOR_REFERENCE
    assert rows == MENTOR_ROWS
    # The same rows from the domain's functions, before any file.
    with database.session() as db:
        assert mentor_register(db, made.program_id, DAY) == MENTOR_ROWS
        assert mentee_register(db, made.program_id, DAY) == MENTEE_ROWS


def test_a_register_before_its_survey_has_empty_answer_cells(
    database_url: str, tmp_path: Path
) -> None:
    """No questionnaire copied yet (its stage has not started): the particulars are there, the
    answers' cells empty."""
    org_id = school()
    with database.session() as db:
        made = create_program(db, org_id=org_id, title=TITLE, forms=["teacher_teacher"],
                              start=START, end=END, actor="test", now=SETUP_TIME)  # fmt: skip
    mentor = person(org_id, "Орлова Нина", ["mailto://orlova@school.ru"], place="Школа № 1")
    with database.session() as db:
        assign(db, program_id=made.id, person_id=mentor, role="mentor")
    consented(mentor)
    with database.session() as db:
        path = export_register(db, made.id, "mentors", tmp_path / "m.xlsx", DAY)
    _, rows = read_back(path)
    assert rows == [
        ["Орлова Нина", "orlova@school.ru", "Школа № 1", *[None] * 8, START,
         "учитель – учитель", TITLE, END, None, None, None],
    ]  # fmt: skip


# --- consent ----------------------------------------------------------------------------------


def test_an_export_is_refused_while_a_mentee_lacks_consent_and_no_file_is_written(
    cli: Cli, database_url: str, tmp_path: Path
) -> None:
    made = setup()
    newcomer = person(made.org_id, "Волков Артём", ["mailto://volkov@school.ru"],
                      birth_date=date(1990, 2, 2), category="teacher")  # fmt: skip
    with database.session() as db:
        assign(db, program_id=made.program_id, person_id=newcomer, role="mentee")
    path = tmp_path / "mentees.xlsx"
    before = snapshot(database_url)
    code = cli("export", "mentees", str(made.program_id), "--xlsx", str(path), "--now", NOW)
    assert code == 4, cli.err
    assert f"Нельзя: выгрузить базу наставляемых программы №{made.program_id}" in cli.err
    assert f"Волков Артём (№{newcomer})" in cli.err
    assert "нет действующего согласия на обработку" in cli.err
    assert "Traceback" not in cli.err + cli.out
    assert not path.exists() and list(tmp_path.glob("*.xlsx*")) == []
    assert snapshot(database_url) == before
    # The mentor database has nobody without consent: it goes.
    assert cli("export", "mentors", str(made.program_id), "--xlsx", str(path), "--now", NOW) == 0
    consented(newcomer)
    assert cli("export", "mentees", str(made.program_id), "--xlsx", str(path), "--now", NOW) == 0
    assert [row[0] for row in read_back(path)[1]] == [*(r[0] for r in MENTEE_ROWS), "Волков Артём"]


def test_a_withdrawn_consent_refuses_the_export_and_keeps_the_person_out(
    cli: Cli, database_url: str, tmp_path: Path
) -> None:
    made = setup()
    path = tmp_path / "mentees.xlsx"
    assert cli("export", "mentees", str(made.program_id), "--xlsx", str(path), "--now", NOW) == 0
    written = path.read_bytes()
    with database.session() as db:
        (given,) = consents.list_consents(db, DAY, person_id=made.pupil)
        consents.withdraw_consent(db, given.id, actor="test", now=SETUP_TIME)
    fresh = tmp_path / "again.xlsx"
    for target in (path, fresh):
        code = cli("export", "mentees", str(made.program_id), "--xlsx", str(target), "--now", NOW)
        assert code == 4, cli.err
        assert f"Смирнов Илья (№{made.pupil})" in cli.err and "Traceback" not in cli.err
    assert not fresh.exists()
    assert path.read_bytes() == written  # the earlier file is left whole, not rewritten
    with database.session() as db, pytest.raises(TransitionRefused, match="Смирнов Илья"):
        mentee_register(db, made.program_id, DAY)


def test_a_consent_a_representative_gave_lapses_at_eighteen(
    database_url: str, tmp_path: Path
) -> None:
    """On the minor's 18th birthday the mother's consent no longer counts: the register is
    refused until the person's own."""
    made = setup()
    with database.session() as db:
        assert len(mentee_register(db, made.program_id, date(2030, 3, 14))) == 2
        with pytest.raises(TransitionRefused, match="Смирнов Илья"):
            mentee_register(db, made.program_id, date(2030, 3, 15))


# --- completing a database stage --------------------------------------------------------------


def test_a_database_stage_does_not_complete_while_someone_lacks_consent(
    database_url: str,
) -> None:
    made = setup()
    newcomer = person(made.org_id, "Лебедев Иван", ["mailto://lebedev@school.ru"],
                      birth_date=date(1980, 1, 1), category="teacher")  # fmt: skip
    with database.session() as db:
        assign(db, program_id=made.program_id, person_id=newcomer, role="mentor")
        check_register_complete(db, made.program_id, "mentee_database", DAY)
        with pytest.raises(TransitionRefused) as refused:
            check_register_complete(db, made.program_id, "mentor_database", DAY)
        assert f"Лебедев Иван (№{newcomer})" in str(refused.value)
        assert "База наставников" in str(refused.value)
        check_register_complete(db, made.program_id, "survey_mentors", DAY)  # not a database
    consented(newcomer)
    with database.session() as db:
        check_register_complete(db, made.program_id, "mentor_database", DAY)


# --- what is typed ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code", "said"),
    [
        (["export", "mentees", "99", "--xlsx", "{dir}/a.xlsx"], 3, "Программа с номером 99"),
        (["export", "mentors", "1", "--xlsx", "{dir}/a.csv"], 2, "должен называться *.xlsx"),
        (["export", "mentors", "1", "--xlsx", "{dir}/нет/a.xlsx"], 2, "нет» нет"),
        (["export", "mentors", "1", "--xlsx", "{dir}/d.xlsx"], 2, "это папка"),
        (["export", "mentees", "1"], 2, "не указан обязательный параметр"),
    ],
)
def test_what_cannot_be_written_is_refused_in_russian(
    cli: Cli, tmp_path: Path, args: list[str], code: int, said: str
) -> None:
    org_id = school()
    with database.session() as db:
        create_program(db, org_id=org_id, title=TITLE, start=START, actor="test", now=SETUP_TIME)
    (tmp_path / "d.xlsx").mkdir()
    assert cli(*(arg.replace("{dir}", str(tmp_path)) for arg in args)) == code
    assert said in cli.err and "Traceback" not in cli.err + cli.out
    assert [p.name for p in tmp_path.rglob("*") if p.name.startswith(("a.", ".a."))] == []
