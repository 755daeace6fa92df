"""The mentee database and the mentor database of the target model (Р-145): one row per
mentee, or per mentor, of a program, in the columns and under the Russian headers of the sample
forms of the methodological recommendations, exported as .xlsx (documents/workbooks.py).

A row is built from what the program already holds: the person's name and particulars, their
contacts (for a minor, on the day of the export, their legal representatives' contacts: 152-ФЗ),
their answers to the program's own copy of the mentee's or the mentor's questionnaire
(domain/questionnaire_catalogue.py; a question not answered is an empty cell, a choice is its
Russian label, never its code), and the program's title, forms, start and end. The date a
person was given their role is not stored: the date of entry is the program's start.

A register is processing of personal data: it is refused, naming them, while anybody in it has
no valid processing consent (domain/consents.py). So is completing its stage (stages 7 and 12):
``domain.consents.check_register_complete``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from sqlmodel import Session, col, select

from documents import files
from documents.workbooks import write_xlsx
from domain import consents, inputs
from domain.contacts import hide_passwords
from domain.errors import InvalidInput, NastavnikError
from domain.forms import FORMS
from domain.models import Contact, Person, Program, ProgramRole
from domain.participants import age_on, is_minor, representatives
from domain.programs import get_program
from domain.questionnaires import (
    DateQuestion,
    MultipleChoice,
    Number,
    Questionnaire,
    Scale,
    SingleChoice,
)
from domain.roadmap import Role
from domain.surveys import answers_of, program_questionnaires, questionnaire_of

# The columns of the sample forms, in their order (docs: the mentee and mentor databases).
MENTEE_HEADERS: list[str] = [
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

MENTOR_HEADERS: list[str] = [
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

MENTEE_SURVEY = "mentee_survey"
MENTOR_SURVEY = "mentor_survey"
# Several values in one cell, as a multiple choice is answered: an option's label has no «;».
SEPARATOR = "; "


@dataclass(frozen=True)
class _Program:
    """What every row repeats of its program."""

    title: str
    forms: str
    start: date
    end: date


class _Answers:
    """One questionnaire's answers, by person, shown as a reader of the register reads them."""

    def __init__(
        self, questionnaire: Questionnaire | None, by_person: dict[int, dict[str, object]]
    ) -> None:
        self.questionnaire = questionnaire
        self.by_person = by_person

    def raw(self, person_id: int, code: str) -> object:
        return self.by_person.get(person_id, {}).get(code)

    def shown(self, person_id: int, *codes: str) -> str | int | float | date | None:
        """The answers to ``codes`` as one cell: a choice by its label, several values joined
        by «; »; a number stays a number and a date a date when it is the only value."""
        values = [
            value
            for code in codes
            for value in self._values(code, self.raw(person_id, code))
            if value is not None
        ]
        if not values:
            return None
        if len(values) == 1:
            return values[0]
        return SEPARATOR.join(str(value) for value in values)

    def _values(self, code: str, answer: object) -> list[str | int | float | date | None]:
        if answer is None:
            return []
        question = self.questionnaire.question(code) if self.questionnaire else None
        if isinstance(question, SingleChoice | MultipleChoice):
            labels = {option.code: option.label for option in question.options}
            codes = answer if isinstance(answer, list) else [answer]
            return [labels.get(str(chosen), str(chosen)) for chosen in codes]
        if isinstance(question, DateQuestion) and isinstance(answer, str):
            return [date.fromisoformat(answer)]
        if isinstance(question, Number | Scale) and isinstance(answer, int | float):
            return [answer]
        if isinstance(answer, list):
            return [str(item) for item in answer]
        return [str(answer)]


@dataclass(frozen=True)
class _Register:
    role: Role
    title: str  # «база наставляемых»
    accusative: str  # «базу наставляемых»: what a refusal names («Нельзя: выгрузить …»)
    headers: list[str]
    survey: str  # the code of the questionnaire its answers come from
    row: Callable[[Session, Person, _Program, _Answers, date, bool], list[object]]


def mentee_register(db: Session, program_id: int, day: date) -> list[list[object]]:
    """The mentee database of a program on ``day``, rows in the order of MENTEE_HEADERS; a
    TransitionRefused naming whoever in it has no valid processing consent on ``day``."""
    return _rows(db, program_id, REGISTERS["mentees"], day, "составить")


def mentor_register(db: Session, program_id: int, day: date) -> list[list[object]]:
    """The mentor database of a program on ``day``, rows in the order of MENTOR_HEADERS; a
    TransitionRefused naming whoever in it has no valid processing consent on ``day``."""
    return _rows(db, program_id, REGISTERS["mentors"], day, "составить")


@dataclass(frozen=True)
class ExportedRegister:
    path: Path
    rows: int


def export_register(db: Session, program_id: int, which: str, path: str | Path, day: date) -> Path:
    """Write the register ``which`` ("mentees" or "mentors") of a program on ``day`` as an
    .xlsx workbook at ``path``, whole or not at all; returns the path. Refused, with no file
    written, while anybody in it has no valid processing consent."""
    return export_register_file(db, program_id, which, path, day).path


def export_register_file(
    db: Session, program_id: int, which: str, path: str | Path, day: date
) -> ExportedRegister:
    """``export_register``, telling also how many rows were written."""
    register = _register(which)
    target = _target(path)
    rows = _rows(db, program_id, register, day, "выгрузить")
    try:
        write_xlsx(target, register.headers, rows, sheet=register.title.capitalize())
    except OSError as failure:
        raise _not_written(target, failure) from failure
    return ExportedRegister(target, len(rows))


# The database stages of the roadmap and the register each forms.


# --- rows -------------------------------------------------------------------------------------


def _rows(
    db: Session, program_id: int, register: _Register, day: date, verb: str
) -> list[list[object]]:
    program = get_program(db, program_id)
    people = _people(db, program_id, register.role)
    ids = [person.id for person in people if person.id is not None]
    what = f"{verb} {register.accusative} программы №{program_id}"
    consents.require_processing(db, ids, day, what)
    # The batch form of consents.may_publish: a case or review is linked only with consent.
    publishable = consents.allowed(db, ids, day, consents.ConsentKind.PUBLICATION)
    common = _program(program)
    answers = _answers(db, program_id, register.survey)
    return [
        register.row(db, person, common, answers, day, person.id in publishable)
        for person in people
    ]


def _mentee_row(
    db: Session, person: Person, program: _Program, answers: _Answers, day: date, publish: bool
) -> list[object]:
    assert person.id is not None
    pid = person.id
    return [
        person.name,
        _contacts(db, person, day),
        _age(person, program.start, answers.raw(pid, "age")),
        _place(person, answers.raw(pid, "place")),
        _request(answers.shown(pid, "request"), answers.shown(pid, "request_topics")),
        program.start,
        # The mentor and their place: filled when matching (stage 11) pairs people; pairs are
        # not in the data model yet.
        None,
        None,
        program.forms,
        program.title,
        program.end,
        # Results and the mark of completion (completed / left, with the date): filled when a
        # participant's outcome is recorded (stages 31-32); nothing records it yet.
        None,
        None,
        _case_link(None, publish),  # no case is stored yet: stage 30 collects them
    ]


def _mentor_row(
    db: Session, person: Person, program: _Program, answers: _Answers, day: date, publish: bool
) -> list[object]:
    assert person.id is not None
    pid = person.id
    return [
        person.name,
        _contacts(db, person, day),
        _place(person, answers.raw(pid, "place")),
        answers.shown(pid, "competencies", "competencies_other"),
        answers.shown(pid, "achievements"),
        answers.shown(pid, "interests", "interests_other"),
        answers.shown(pid, "mentee_ages"),
        answers.shown(pid, "convenient_time"),
        answers.shown(pid, "capacity"),
        # The mentees and their places: filled when matching (stage 11) pairs people; pairs
        # are not in the data model yet.
        None,
        None,
        program.start,
        program.forms,
        program.title,
        program.end,
        # Results and the mark of completion: filled when a participant's outcome is recorded
        # (stages 31-32); nothing records it yet.
        None,
        None,
        _case_link(None, publish),  # no case is stored yet: stage 30 collects them
    ]


REGISTERS: dict[str, _Register] = {
    "mentees": _Register(
        Role.MENTEE, "база наставляемых", "базу наставляемых", MENTEE_HEADERS, MENTEE_SURVEY,
        _mentee_row,
    ),
    "mentors": _Register(
        Role.MENTOR, "база наставников", "базу наставников", MENTOR_HEADERS, MENTOR_SURVEY,
        _mentor_row,
    ),
}  # fmt: skip


def _register(which: str) -> _Register:
    register = REGISTERS.get(which.strip().lower())
    if register is None:
        known = ", ".join(f"{code} ({r.title})" for code, r in REGISTERS.items())
        raise InvalidInput(f"Неизвестная база «{inputs.shown(which)}». Известные: {known}")
    return register


def _people(db: Session, program_id: int, role: Role) -> list[Person]:
    """The program's people of ``role``, in the order they were given it."""
    query = (
        select(Person)
        .join(ProgramRole, col(ProgramRole.person_id) == col(Person.id))
        .where(ProgramRole.program_id == program_id, ProgramRole.role == role.value)
        .order_by(col(ProgramRole.id))
    )
    return list(db.exec(query).all())


def _program(program: Program) -> _Program:
    return _Program(
        title=program.title,
        forms=SEPARATOR.join(FORMS.get(code, code) for code in program.forms),
        start=program.start_date,
        end=program.end_date,
    )


def _answers(db: Session, program_id: int, code: str) -> _Answers:
    """A questionnaire's answers; none before its stage has started (it has no copy yet)."""
    row = next((q for q in program_questionnaires(db, program_id) if q.code == code), None)
    if row is None:
        return _Answers(None, {})
    return _Answers(questionnaire_of(row), answers_of(db, program_id, code))


def _age(person: Person, entry: date, answered: object) -> int | None:
    """Full years on the date of entry; the questionnaire's answer when the date of birth is
    not known."""
    if person.birth_date is not None:
        return age_on(person.birth_date, entry)
    if isinstance(answered, int) and not isinstance(answered, bool):
        return answered
    return None


def _place(person: Person, answered: object) -> str | None:
    """Organisation, and class or position: the person's particulars, else their answer."""
    place = person.place or (answered if isinstance(answered, str) else None)
    school_class = person.school_class
    if school_class and (place is None or school_class not in place):
        return f"{place}, {school_class} класс" if place else f"{school_class} класс"
    return place


def _request(request: object, topics: object) -> str | None:
    """The key request in the mentee's words, and the topics they chose for it."""
    parts = [str(request)] if request else []
    if topics:
        parts.append(f"темы: {topics}")
    if not parts:
        return None
    return f"{parts[0]} ({parts[1]})" if len(parts) == 2 else parts[0]


def _case_link(link: str | None, may_publish: bool) -> str | None:
    """A link to the person's case or review: only with their consent to publication."""
    return link if may_publish else None


# --- contacts ---------------------------------------------------------------------------------


def _contacts(db: Session, person: Person, day: date) -> str | None:
    """How to reach the person; for a minor on ``day``, their legal representatives, each
    named: a child's own addresses are not for the school's spreadsheet."""
    assert person.id is not None
    if not is_minor(person, day):
        return ", ".join(_addresses(db, person.id)) or None
    shown = []
    for guardian in representatives(db, person.id):
        assert guardian.id is not None
        addresses = ", ".join(_addresses(db, guardian.id))
        shown.append(f"{guardian.name} (законный представитель): {addresses or 'нет адреса'}")
    return SEPARATOR.join(shown) or None


def _addresses(db: Session, person_id: int) -> list[str]:
    query = (
        select(Contact)
        .where(Contact.person_id == person_id)
        .order_by(col(Contact.preferred).desc(), col(Contact.id))
    )
    return list(dict.fromkeys(_address(contact.url) for contact in db.exec(query).all()))


def _address(url: str) -> str:
    """A delivery address as a person reads it: an e-mail URL as the e-mail address
    (mailto://ivanova@school.ru is ivanova@school.ru), any other without its passwords."""
    parts = urlsplit(url)
    if parts.scheme.lower() in ("mailto", "mailtos"):
        recipients = [
            unquote(value) for key, value in parse_qsl(parts.query) if key.lower() == "to"
        ] + [unquote(segment) for segment in parts.path.split("/") if "@" in segment]
        if recipients:
            return ", ".join(recipients)
        try:
            user, host = parts.username, parts.hostname
        except ValueError:  # a port that is not a number: shown as it is, below
            user = host = None
        if user and host:
            return f"{unquote(user)}@{host}"
    return hide_passwords(url)[0]


# --- the file ---------------------------------------------------------------------------------


def _target(path: str | Path) -> Path:
    """Where the workbook goes: an .xlsx file in a folder that exists."""
    return files.target(path, "--xlsx", (".xlsx",), "книга Excel")


def _not_written(path: Path, failure: OSError) -> NastavnikError:
    message = f"Файл «{files.shown(path)}» не записан: {files.write_failure(failure)}"
    if failure.errno in files.MACHINE_FAILURES:
        return NastavnikError(message)
    return InvalidInput(message + " (--xlsx)")
