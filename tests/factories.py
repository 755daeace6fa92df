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
