"""People, their delivery addresses (domain/contacts.py) and their roles in programs and
territories."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from domain import consents, inputs
from domain.contacts import check_address
from domain.errors import InvalidInput, NotFound
from domain.models import TERRITORIES, Contact, Coordinator, OrgKind, Person, ProgramRole
from domain.organisations import get_organisation
from domain.participants import (
    CATEGORY_LABELS,
    Particulars,
    PersonCategory,
    age_on,
    apply_particulars,
    is_minor,
    is_young_specialist,
    representatives,
    represented,
    roles_of,
    set_representatives,
)
from domain.programs import get_program
from domain.roadmap import ROLE_LABELS, Role

# Roles a person takes in a program; "pair" is mentors and mentees together, "coordinator" is
# a territory's.
PROGRAM_ROLES = (Role.CURATOR, Role.DIRECTOR, Role.MENTOR, Role.MENTEE, Role.PSYCHOLOGIST)


@dataclass(frozen=True)
class PersonView:
    id: int
    org_id: int
    name: str
    contacts: list[str]
    preferred: str


def program_role(text: str) -> Role:
    folded = text.strip().lower()
    for role in PROGRAM_ROLES:
        if folded in (role.value, ROLE_LABELS[role]):
            return role
    known = ", ".join(f"{role.value} ({ROLE_LABELS[role]})" for role in PROGRAM_ROLES)
    raise InvalidInput(f"Неизвестная роль «{text}». Роли в программе: {known}")


def get_person(db: Session, person_id: int) -> Person:
    person = db.get(Person, inputs.identifier(person_id, "человека"))
    if person is None:
        raise NotFound(f"Человек с номером {person_id} не найден (список: nastavnik person list)")
    return person


def add_person(
    db: Session,
    *,
    org_id: int,
    name: str,
    contacts: list[str],
    now: datetime,
    preferred: str | None = None,
    particulars: Particulars | None = None,
    representative_ids: list[int] | None = None,
) -> PersonView:
    """A person with one or more addresses; the preferred one is ``preferred`` or the first;
    as a participant, their particulars and (for a minor) legal representatives."""
    get_organisation(db, org_id)
    name = inputs.text(name, "«ФИО» (--name)", inputs.NAME)
    urls = list(dict.fromkeys(check_address(url) for url in contacts))
    if not urls:
        raise InvalidInput("Укажите хотя бы один адрес для уведомлений (--contact)")
    chosen = check_address(preferred) if preferred else urls[0]
    if chosen not in urls:
        urls.append(chosen)
    person = Person(org_id=org_id, name=name.strip(), created_at=now)
    apply_particulars(person, particulars or Particulars(), now.date())
    db.add(person)
    db.flush()
    assert person.id is not None
    for url in urls:
        db.add(Contact(person_id=person.id, url=url, preferred=url == chosen))
    set_representatives(db, person, representative_ids or [], [], now.date())
    db.flush()
    return _view(db, person)


def edit_person(
    db: Session,
    person_id: int,
    *,
    now: datetime,
    name: str | None = None,
    particulars: Particulars | None = None,
    add_representatives: list[int] | None = None,
    remove_representatives: list[int] | None = None,
) -> PersonCard:
    """Change what is given; a refusal changes nothing."""
    person = get_person(db, person_id)
    if name is not None:
        person.name = inputs.text(name, "«ФИО» (--name)", inputs.NAME).strip()
    apply_particulars(person, particulars or Particulars(), now.date())
    db.add(person)
    set_representatives(
        db, person, add_representatives or [], remove_representatives or [], now.date()
    )
    db.flush()
    return person_card(db, person_id, now.date())


@dataclass(frozen=True)
class PersonCard:
    """Everything ``person show`` tells of one person on a date."""

    id: int
    org_id: int
    name: str
    contacts: list[str]
    preferred: str | None
    birth_date: date | None
    age: int | None
    minor: bool
    category: str | None
    category_label: str | None
    school_class: str | None
    teaching_since: int | None
    young_specialist: bool
    place: str | None
    representatives: list[dict[str, int | str]]  # id and name
    represents: list[dict[str, int | str]]
    roles: list[dict[str, int | str]]  # program, role, role_label
    may_process: bool
    may_publish: bool


def person_card(db: Session, person_id: int, day: date) -> PersonCard:
    person = get_person(db, person_id)
    assert person.id is not None
    contacts = db.exec(
        select(Contact).where(Contact.person_id == person.id).order_by(col(Contact.id))
    ).all()
    category = PersonCategory(person.category) if person.category else None
    return PersonCard(
        id=person.id,
        org_id=person.org_id,
        name=person.name,
        contacts=[c.url for c in contacts],
        preferred=next((c.url for c in contacts if c.preferred), None),
        birth_date=person.birth_date,
        age=age_on(person.birth_date, day) if person.birth_date else None,
        minor=is_minor(person, day),
        category=category.value if category else None,
        category_label=CATEGORY_LABELS[category] if category else None,
        school_class=person.school_class,
        teaching_since=person.teaching_since,
        young_specialist=is_young_specialist(person, day),
        place=person.place,
        representatives=[{"id": p.id or 0, "name": p.name} for p in representatives(db, person.id)],
        represents=[{"id": p.id or 0, "name": p.name} for p in represented(db, person.id)],
        roles=[
            {"program": program, "role": role, "role_label": ROLE_LABELS[Role(role)]}
            for program, role in roles_of(db, person.id)
        ],
        may_process=consents.may_process(db, person.id, day),
        may_publish=consents.may_publish(db, person.id, day),
    )


def list_people(db: Session, org_id: int | None = None) -> list[PersonView]:
    query = select(Person).order_by(col(Person.id))
    if org_id is not None:
        get_organisation(db, org_id)  # an unknown organisation is not an empty one
        query = query.where(Person.org_id == org_id)
    return [_view(db, person) for person in db.exec(query).all()]


@dataclass(frozen=True)
class ProgramPerson:
    """A person as the list of a program's people shows them to its curator: their roles, their
    category and the state of their consent; never a date of birth nor an address."""

    id: int
    name: str
    roles: list[str]  # in the order of PROGRAM_ROLES
    role_labels: list[str]
    category: str | None
    category_label: str | None
    consent: str  # consents.ConsentState
    consent_label: str


def program_people(db: Session, program_id: int, day: date) -> list[ProgramPerson]:
    """Everyone with a role in the program, by their first role in the order of PROGRAM_ROLES,
    then by name; their consent to processing as it stands on ``day``."""
    get_program(db, program_id)
    query = (
        select(ProgramRole.person_id, ProgramRole.role, Person)
        .join(Person, col(Person.id) == col(ProgramRole.person_id))
        .where(ProgramRole.program_id == program_id)
    )
    people: dict[int, Person] = {}
    roles: dict[int, set[Role]] = {}
    for person_id, role, person in db.exec(query).all():
        people[person_id] = person
        roles.setdefault(person_id, set()).add(Role(role))
    states = consents.processing_states(db, people, day)
    order = {role: rank for rank, role in enumerate(PROGRAM_ROLES)}
    listed = []
    for person_id, person in people.items():
        held = sorted(roles[person_id], key=lambda role: order.get(role, len(order)))
        category = PersonCategory(person.category) if person.category else None
        listed.append(
            ProgramPerson(
                id=person_id,
                name=person.name,
                roles=[role.value for role in held],
                role_labels=[ROLE_LABELS[role] for role in held],
                category=category.value if category else None,
                category_label=CATEGORY_LABELS[category] if category else None,
                consent=states[person_id].value,
                consent_label=consents.CONSENT_STATE_LABELS[states[person_id]],
            )
        )
    return sorted(listed, key=lambda p: (order.get(Role(p.roles[0]), len(order)), p.name, p.id))


def assign(db: Session, *, program_id: int, person_id: int, role: str) -> ProgramRole:
    """Give a person a role in a program; assigning the same role twice changes nothing."""
    get_program(db, program_id)
    get_person(db, person_id)
    chosen = program_role(role)
    existing = db.exec(
        select(ProgramRole).where(
            ProgramRole.program_id == program_id,
            ProgramRole.person_id == person_id,
            ProgramRole.role == chosen.value,
        )
    ).first()
    if existing:
        return existing
    assignment = ProgramRole(program_id=program_id, person_id=person_id, role=chosen.value)
    db.add(assignment)
    db.flush()
    return assignment


def set_coordinator(db: Session, *, org_id: int, person_id: int) -> None:
    """The coordinator of a municipality or region: escalations of its schools go to them."""
    org = get_organisation(db, org_id)
    get_person(db, person_id)
    if OrgKind(org.kind) not in TERRITORIES:
        raise InvalidInput(
            f"Координатор назначается муниципалитету или региону, а «{org.name}» — не территория"
        )
    current = db.get(Coordinator, org_id)
    if current is None:
        db.add(Coordinator(org_id=org_id, person_id=person_id))
    else:
        current.person_id = person_id
        db.add(current)
    db.flush()


def _view(db: Session, person: Person) -> PersonView:
    assert person.id is not None
    contacts = db.exec(
        select(Contact).where(Contact.person_id == person.id).order_by(col(Contact.id))
    ).all()
    return PersonView(
        id=person.id,
        org_id=person.org_id,
        name=person.name,
        contacts=[c.url for c in contacts],
        preferred=next((c.url for c in contacts if c.preferred), ""),
    )
