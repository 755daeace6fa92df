"""People as participants of a program: date of birth, category, place of study or work, and a
minor's legal representatives. Who is a minor, and who a young specialist, is derived for a
date, never stored: both change while a program runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol

from sqlmodel import Session, col, select

from domain import inputs
from domain.errors import InvalidInput
from domain.models import Person, ProgramRole, Representative

ADULT_AGE = 18
YOUNG_SPECIALIST_YEARS = 3  # a teacher in the first three years of teaching (Р-145)


class PersonCategory(StrEnum):
    PUPIL = "pupil"  # обучающийся школы, with a class
    STUDENT = "student"  # студент колледжа или вуза
    TEACHER = "teacher"  # педагог, with the year teaching began
    EMPLOYEE = "employee"  # работник предприятия-партнёра
    PARENT = "parent"  # родитель (often a minor's legal representative)


CATEGORY_LABELS: dict[PersonCategory, str] = {
    PersonCategory.PUPIL: "обучающийся",
    PersonCategory.STUDENT: "студент",
    PersonCategory.TEACHER: "педагог",
    PersonCategory.EMPLOYEE: "работник предприятия",
    PersonCategory.PARENT: "родитель",
}


def person_category(text: str) -> PersonCategory:
    return inputs.labelled(text, CATEGORY_LABELS, "Неизвестная категория участника")


class HasParticulars(Protocol):
    """A person, or a stand-in for one being checked before it is stored."""

    birth_date: date | None
    category: str | None
    school_class: str | None
    teaching_since: int | None
    place: str | None


def age_on(birth_date: date, day: date) -> int:
    """Full years on ``day``; a 29 February birthday comes on 1 March in other years."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def is_minor(person: HasParticulars, day: date) -> bool:
    """Under 18 on ``day``. A pupil whose date of birth is not known is taken for a minor: the
    rules that protect children must not depend on a field someone forgot to fill in."""
    if person.birth_date is None:
        return person.category == PersonCategory.PUPIL.value
    return age_on(person.birth_date, day) < ADULT_AGE


def is_young_specialist(person: Person, day: date) -> bool:
    """A teacher with 0 to 3 years of teaching on ``day`` (молодой специалист)."""
    if person.category != PersonCategory.TEACHER.value or person.teaching_since is None:
        return False
    return 0 <= day.year - person.teaching_since <= YOUNG_SPECIALIST_YEARS


def representatives(db: Session, person_id: int) -> list[Person]:
    """A minor's legal representatives, in the order they were named."""
    query = (
        select(Person)
        .join(Representative, col(Representative.representative_id) == col(Person.id))
        .where(Representative.person_id == person_id)
        .order_by(col(Representative.id))
    )
    return list(db.exec(query).all())


def represented(db: Session, person_id: int) -> list[Person]:
    """The minors a person is a legal representative of."""
    query = (
        select(Person)
        .join(Representative, col(Representative.person_id) == col(Person.id))
        .where(Representative.representative_id == person_id)
        .order_by(col(Representative.id))
    )
    return list(db.exec(query).all())


@dataclass(frozen=True)
class Particulars:
    """What ``person add`` and ``person edit`` may set; None leaves a field as it is."""

    birth_date: date | None = None
    category: str | None = None
    school_class: str | None = None
    teaching_since: int | None = None
    place: str | None = None


def apply_particulars(person: HasParticulars, given: Particulars, today: date) -> None:
    """Check and set a person's particulars; a refusal changes nothing."""
    birth = given.birth_date or person.birth_date
    if given.birth_date is not None:
        inputs.in_range(given.birth_date, "даты рождения (--birth-date)", inputs.BIRTHS_FROM)
        if given.birth_date > today:
            raise InvalidInput(
                f"Дата рождения {given.birth_date:%d.%m.%Y} ещё не наступила (--birth-date)"
            )
    category = person.category
    if given.category is not None:
        category = person_category(given.category).value
    school_class = person.school_class
    if given.school_class is not None:
        school_class = inputs.text(given.school_class, "«класс» (--class)", 20).strip()
    since = person.teaching_since
    if given.teaching_since is not None:
        since = inputs.whole(given.teaching_since, "«год начала работы» (--teaching-since)",
                             1950, today.year)  # fmt: skip
        if birth is not None and since < birth.year + 14:
            raise InvalidInput(
                f"Год начала работы {since} — раньше, чем человеку исполнилось 14 лет "
                "(--teaching-since)"
            )
    place = person.place
    if given.place is not None:
        place = inputs.text(given.place, "«место учёбы или работы» (--place)", inputs.NAME)
    if school_class and category != PersonCategory.PUPIL.value:
        raise InvalidInput("Класс (--class) указывают только обучающимся (--category pupil)")
    if since is not None and category != PersonCategory.TEACHER.value:
        raise InvalidInput(
            "Год начала работы (--teaching-since) указывают только педагогам (--category teacher)"
        )
    person.birth_date = birth
    person.category = category
    person.school_class = school_class or None
    person.teaching_since = since
    person.place = place.strip() if place else None


def set_representatives(
    db: Session, person: Person, add: list[int], remove: list[int], today: date
) -> None:
    """Name or unname a person's legal representatives (people already known)."""
    assert person.id is not None
    for representative_id in add:
        if representative_id == person.id:
            raise InvalidInput("Человек не может быть сам себе законным представителем")
        other = db.get(Person, inputs.identifier(representative_id, "представителя"))
        if other is None:
            raise InvalidInput(
                f"Представитель — человек с номером {representative_id} — не найден "
                "(сначала nastavnik person add)"
            )
        if other.birth_date is not None and age_on(other.birth_date, today) < ADULT_AGE:
            raise InvalidInput(
                f"{other.name} (№{representative_id}) — несовершеннолетний и не может быть "
                "законным представителем"
            )
        exists = db.exec(
            select(Representative).where(
                Representative.person_id == person.id,
                Representative.representative_id == representative_id,
            )
        ).first()
        if exists is None:
            db.add(Representative(person_id=person.id, representative_id=representative_id))
    for representative_id in remove:
        link = db.exec(
            select(Representative).where(
                Representative.person_id == person.id,
                Representative.representative_id == representative_id,
            )
        ).first()
        if link is None:
            raise InvalidInput(
                f"Человек №{representative_id} не указан представителем {person.name}"
            )
        db.delete(link)
    db.flush()


def roles_of(db: Session, person_id: int) -> list[tuple[int, str]]:
    """(program, role) pairs of a person."""
    query = select(ProgramRole).where(ProgramRole.person_id == person_id)
    return [(r.program_id, r.role) for r in db.exec(query.order_by(col(ProgramRole.id))).all()]
