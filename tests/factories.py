"""Organisations and programs that tests start from, made through the real services."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlmodel import col

from domain import database
from domain.consents import give_consent
from domain.models import Stage
from domain.organisations import add_organisation
from domain.people import add_person, assign
from domain.programs import ProgramView, create_program, program_stages

SETUP_TIME = datetime(2026, 8, 20, 9, 0, tzinfo=UTC)
START = date(2026, 9, 1)


def school(tz: str = "Europe/Moscow", name: str = "Школа № 1") -> int:
    """A municipality in ``tz`` with one school in it; returns the school's id."""
    with database.session() as db:
        municipality = add_organisation(
            db, name=f"Округ ({tz})", kind="municipality", timezone=tz, now=SETUP_TIME
        )
        org = add_organisation(
            db, name=name, kind="school", parent_id=municipality.id, now=SETUP_TIME
        )
    return org.id


def program(org_id: int | None = None, start: date = START) -> ProgramView:
    """A program of a school, with its curator: a person of the school."""
    org_id = org_id or school()
    with database.session() as db:
        curator = add_person(
            db,
            org_id=org_id,
            name="Иванова Мария Петровна",
            contacts=["mailto://ivanova@school.ru"],
            now=SETUP_TIME,
        )
        return create_program(
            db,
            org_id=org_id,
            title="Наставничество педагогов",
            forms=["teacher_teacher"],
            start=start,
            curator=curator.id,
            actor="test-curator",
            now=SETUP_TIME,
        )


def close_prerequisites(program_id: int, code: str) -> None:
    """Mark every stage ``code`` depends on (transitively) as skipped: a test's starting point,
    so that it need not walk twenty stages through their flows first. The program's own
    prerequisites count, as its roadmap has them."""
    needed: set[str] = set()
    with database.session() as db:
        requires = {stage.code: stage.requires for stage in program_stages(db, program_id)}
        pending = list(requires[code])
        while pending:
            current = pending.pop()
            if current not in needed:
                needed.add(current)
                pending += requires[current]
        db.execute(
            sa.update(Stage)
            .where(col(Stage.program_id) == program_id, col(Stage.code).in_(needed))
            .values(state="skipped")
        )


def consented(*person_ids: int) -> None:
    """Each person's own consent to processing their data, given before the tests' programs
    start: without it a participant hears nothing but a consent request."""
    with database.session() as db:
        for person_id in person_ids:
            give_consent(
                db,
                person_id=person_id,
                kind="processing",
                given_by_id=None,
                given_on=SETUP_TIME.date(),
                document=None,
                actor="test",
                now=SETUP_TIME,
            )


def school_with_director(
    name: str,
    director_address: str,
    *,
    smtp: str | None = None,
    mentor_address: str = "json://127.0.0.1:9/x",
) -> tuple[int, int]:
    """A school named ``name`` in a municipality of its own (Moscow time), sending e-mail
    through ``smtp``; its program, whose director reads messages at ``director_address`` and
    whose consenting mentor is at ``mentor_address`` (stage 20 «Закрепление пар» concerns the
    director alone). Returns (program, director)."""
    with database.session() as db:
        town = add_organisation(db, name=f"Округ ({name})", kind="municipality",
                                timezone="Europe/Moscow", now=SETUP_TIME)  # fmt: skip
        school = add_organisation(
            db, name=name, kind="school", parent_id=town.id, smtp_url=smtp, now=SETUP_TIME
        )
        made = create_program(db, org_id=school.id, title="Учитель – учитель", start=START,
                              actor="t", now=SETUP_TIME)  # fmt: skip
        director = add_person(db, org_id=school.id, name="Директор Олег",
                              contacts=[director_address], now=SETUP_TIME)  # fmt: skip
        assign(db, program_id=made.id, person_id=director.id, role="director")
        mentor = add_person(db, org_id=school.id, name="Наставник Иван",
                            contacts=[mentor_address], now=SETUP_TIME)  # fmt: skip
        assign(db, program_id=made.id, person_id=mentor.id, role="mentor")
    consented(mentor.id)
    return made.id, director.id


# Matching (domain/pairs.py): teachers of one school, mentors and young-specialist mentees,
# with their surveys and stage-18 preferences answered. «Мальцев» asks for exams and is best
# served by «Орлова»; «Лебедева» for classroom discipline, by «Орлова» too, but Орлова takes
# two; «Зайцев» gave no consent and «Пустова» never answered the survey.
MATCHING_MENTORS: dict[str, dict[str, object]] = {
    "Орлова Анна Сергеевна": {
        "status": "teacher", "place": "учитель математики", "age": 48,
        "competencies": ["subject_knowledge", "exam_preparation", "classroom_management"],
        "achievements": "Методист округа", "interests": ["mathematics", "literature"],
        "mentee_ages": ["young_teachers"], "convenient_time": ["weekday_after_lessons"],
        "capacity": 2,
    },
    "Егоров Павел Ильич": {
        "status": "teacher", "place": "учитель истории", "age": 39,
        "competencies": ["projects", "digital_skills"],
        "achievements": "Проекты с музеем", "interests": ["humanities", "local_history"],
        "mentee_ages": ["young_teachers", "teachers"], "convenient_time": ["saturday"],
        "capacity": 1,
    },
}  # fmt: skip
MATCHING_MENTEES: dict[str, dict[str, object]] = {
    "Мальцев Игорь Олегович": {
        "status": "teacher", "place": "учитель математики", "age": 24, "teaching_experience": 1,
        "request": "Подготовка к экзаменам", "request_topics": ["exams"],
        "interests": ["mathematics"], "mentor_competencies": ["exam_preparation"],
        "convenient_time": ["weekday_after_lessons"],
    },
    "Лебедева Ольга Викторовна": {
        "status": "teacher", "place": "учитель русского языка", "age": 23,
        "teaching_experience": 1, "request": "Дисциплина на уроке",
        "request_topics": ["class_relations"], "interests": ["literature"],
        "mentor_competencies": ["classroom_management"],
        "convenient_time": ["weekday_after_lessons"],
    },
    "Соколова Вера Андреевна": {
        "status": "teacher", "place": "учитель истории", "age": 25, "teaching_experience": 2,
        "request": "Проектная работа", "request_topics": ["project"],
        "interests": ["humanities"], "mentor_competencies": ["projects"],
        "convenient_time": ["saturday"],
    },
    "Зайцев Пётр Львович": {
        "status": "teacher", "place": "учитель физики", "age": 26, "teaching_experience": 2,
        "request": "Эксперименты", "request_topics": ["exams"], "interests": ["mathematics"],
        "mentor_competencies": ["subject_knowledge"], "convenient_time": ["saturday"],
    },
    "Пустова Нина Ивановна": {},
}  # fmt: skip
WITHOUT_CONSENT = "Зайцев Пётр Львович"


def matching_program(org_id: int | None = None) -> dict[str, int]:
    """A program ready for stage 19 (form_pairs): its director, mentors and mentees with their
    surveys answered (MATCHING_MENTORS, MATCHING_MENTEES) and consents given (but
    WITHOUT_CONSENT's), everything before form_pairs closed. Returns ids by name, and
    "program", "director", "curator"."""
    from domain import surveys
    from domain.models import Person, ProgramRole

    shown = program(org_id)
    ids: dict[str, int] = {"program": shown.id}
    with database.session() as db:
        director = add_person(db, org_id=shown.org_id, name="Котов Борис Николаевич",
                              contacts=["mailto://director@school.ru"], now=SETUP_TIME)  # fmt: skip
        db.get_one(Person, director.id).place = "директор"
        assign(db, program_id=shown.id, person_id=director.id, role="director")
        ids["director"] = director.id
        curator = db.exec(
            sa.select(ProgramRole).where(
                col(ProgramRole.program_id) == shown.id, col(ProgramRole.role) == "curator"
            )
        ).scalar_one()
        ids["curator"] = curator.person_id
        for role, people in (("mentor", MATCHING_MENTORS), ("mentee", MATCHING_MENTEES)):
            for name in people:
                person = add_person(db, org_id=shown.org_id, name=name,
                                    contacts=[f"mailto://p{len(ids)}@school.ru"],
                                    now=SETUP_TIME)  # fmt: skip
                assign(db, program_id=shown.id, person_id=person.id, role=role)
                ids[name] = person.id
    consented(*(pid for name, pid in ids.items() if name != WITHOUT_CONSENT and name != "program"))
    close_prerequisites(shown.id, "form_pairs")
    with database.session() as db:
        stages = {s.code: s for s in program_stages(db, shown.id)}
        for stage_code, code, people in (
            ("survey_mentors", "mentor_survey", MATCHING_MENTORS),
            ("survey_mentees", "mentee_survey", MATCHING_MENTEES),
        ):
            [row] = [r for r in surveys.open_for_stage(db, stages[stage_code], SETUP_TIME)
                     if r.code == code]  # fmt: skip
            answers = {ids[name]: given for name, given in people.items()
                       if given and name != WITHOUT_CONSENT}  # fmt: skip
            surveys.record_many(db, row, answers, source="curator", now=SETUP_TIME,
                                day=SETUP_TIME.date())  # fmt: skip
    return ids
