"""Consents under 152-ФЗ, enforced here and nowhere else: whether a person's data may be
processed, or published, on a given date.

A consent is given by the person, or for a minor by one of their legal representatives. It is
valid from the date on its document until it is withdrawn (at once). A consent a representative
gave for a minor lapses on the minor's 18th birthday: from that day the person's own consent is
needed. Everything that would process a participant's data (a questionnaire's audience, a
database, an export, matching, a message other than a consent request) asks ``may_process``;
everything that would publish something about them asks ``may_publish``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Session, col, select

from domain import inputs
from domain.errors import InvalidInput, NotFound, TransitionRefused
from domain.models import Consent, Person, ProgramRole, Representative
from domain.participants import ADULT_AGE, is_minor, representatives
from domain.roadmap import Role


class Asked(StrEnum):
    """Whose consents a stage collects, among its participants of one role."""

    ADULTS = "adults"  # their own
    MINORS = "minors"  # their legal representatives'
    ALL = "all"


# The stages that collect consents (the roadmap's stages 5, 6 and 10): from whom.
COLLECTED_AT: dict[str, tuple[Role, Asked]] = {
    "survey_mentees": (Role.MENTEE, Asked.ADULTS),
    "third_party_info": (Role.MENTEE, Asked.MINORS),
    "survey_mentors": (Role.MENTOR, Asked.ALL),
}


class ConsentKind(StrEnum):
    PROCESSING = "processing"  # обработка персональных данных
    PUBLICATION = "publication"  # распространение: publishing results, cases, names


CONSENT_LABELS: dict[ConsentKind, str] = {
    ConsentKind.PROCESSING: "на обработку персональных данных",
    ConsentKind.PUBLICATION: "на распространение (публикацию)",
}


def consent_kind(text: str) -> ConsentKind:
    return inputs.labelled(text, CONSENT_LABELS, "Неизвестный вид согласия")


def _valid_on(consent: Consent, person: Person, day: date, guardians: set[int]) -> bool:
    if consent.given_on > day:
        return False
    if consent.withdrawn_at is not None:
        return False
    if is_minor(person, day):
        return consent.given_by_id in guardians
    # An adult's own consent; one a representative gave while they were a minor has lapsed.
    return consent.given_by_id == person.id


def _consents(
    db: Session, person_ids: Iterable[int], kind: ConsentKind
) -> dict[int, list[Consent]]:
    ids = list(person_ids)
    found: dict[int, list[Consent]] = {pid: [] for pid in ids}
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        query = select(Consent).where(col(Consent.person_id).in_(chunk), Consent.kind == kind.value)
        for consent in db.exec(query).all():
            found[consent.person_id].append(consent)
    return found


def _guardians(db: Session, person_ids: Iterable[int]) -> dict[int, set[int]]:
    ids = list(person_ids)
    found: dict[int, set[int]] = {pid: set() for pid in ids}
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        query = select(Representative).where(col(Representative.person_id).in_(chunk))
        for link in db.exec(query).all():
            found[link.person_id].add(link.representative_id)
    return found


def allowed(
    db: Session, person_ids: Iterable[int], day: date, kind: ConsentKind = ConsentKind.PROCESSING
) -> set[int]:
    """Which of these people have a valid consent of ``kind`` on ``day``: a few queries for any
    number of people (a sweep asks for thousands)."""
    ids = set(person_ids)
    if not ids:
        return set()
    people = {p.id: p for p in db.exec(select(Person).where(col(Person.id).in_(ids))).all()}
    guardians = _guardians(db, ids)

    def valid(of_kind: ConsentKind) -> set[int]:
        consents = _consents(db, ids, of_kind)
        return {
            pid
            for pid, person in people.items()
            if pid is not None
            and any(_valid_on(c, person, day, guardians[pid]) for c in consents[pid])
        }

    result = valid(kind)
    if kind == ConsentKind.PUBLICATION:
        result &= valid(ConsentKind.PROCESSING)  # nothing is published of whom nothing is kept
    return result


class ConsentState(StrEnum):
    """A person's consent to processing as a list of people shows it."""

    GIVEN = "given"  # valid on the day
    WITHDRAWN = "withdrawn"  # none valid, and one was withdrawn
    MISSING = "missing"  # none valid, none withdrawn: never given, not yet valid, or lapsed


CONSENT_STATE_LABELS: dict[ConsentState, str] = {
    ConsentState.GIVEN: "согласие есть",
    ConsentState.WITHDRAWN: "согласие отозвано",
    ConsentState.MISSING: "согласия нет",
}


def processing_states(db: Session, person_ids: Iterable[int], day: date) -> dict[int, ConsentState]:
    """Each person's consent to processing on ``day``: a few queries for any number of people."""
    ids = set(person_ids)
    valid = allowed(db, ids, day)
    consents = _consents(db, ids, ConsentKind.PROCESSING)

    def state(pid: int) -> ConsentState:
        if pid in valid:
            return ConsentState.GIVEN
        if any(c.withdrawn_at is not None for c in consents[pid]):
            return ConsentState.WITHDRAWN
        return ConsentState.MISSING

    return {pid: state(pid) for pid in ids}


def may_process(db: Session, person_id: int, day: date) -> bool:
    """Whether the person's data may be processed on ``day``."""
    return person_id in allowed(db, [person_id], day, ConsentKind.PROCESSING)


def may_publish(db: Session, person_id: int, day: date) -> bool:
    """Whether anything about the person may be published on ``day``: a valid consent to
    publication, and to processing."""
    return person_id in allowed(db, [person_id], day, ConsentKind.PUBLICATION)


def require_processing(db: Session, person_ids: Iterable[int], day: date, what: str) -> None:
    """Refuse ``what`` (a questionnaire, a database, an export) for people without a valid
    processing consent, naming them: the refusal is shown to the curator who asked."""
    ids = list(dict.fromkeys(person_ids))
    missing = [pid for pid in ids if pid not in allowed(db, ids, day)]
    if missing:
        names = {p.id: p.name for p in db.exec(select(Person).where(col(Person.id).in_(missing)))}
        listed = "; ".join(f"{names.get(pid, '?')} (№{pid})" for pid in missing[:20])
        more = f" и ещё {len(missing) - 20}" if len(missing) > 20 else ""
        raise TransitionRefused(
            f"Нельзя: {what} — нет действующего согласия на обработку персональных данных: "
            f"{listed}{more} (nastavnik consent give)"
        )


@dataclass(frozen=True)
class ConsentView:
    id: int
    person_id: int
    person_name: str
    kind: str
    kind_label: str
    given_by_id: int
    given_by_name: str
    given_on: date
    document: str | None
    withdrawn_at: datetime | None
    valid_today: bool


def give_consent(
    db: Session,
    *,
    person_id: int,
    kind: str,
    given_by_id: int | None,
    given_on: date,
    document: str | None,
    actor: str,
    now: datetime,
) -> ConsentView:
    """Record a consent. For a minor (on the date of the document) it must come from one of
    their legal representatives; for an adult, from the person themself."""
    person = _person(db, person_id)
    chosen = consent_kind(kind)
    inputs.in_range(given_on, "даты согласия (--date)")
    if given_on > now.date():
        raise InvalidInput(f"Дата согласия {given_on:%d.%m.%Y} ещё не наступила (--date)")
    document = inputs.optional_text(document, "«документ» (--document)", inputs.SHORT)
    giver_id = given_by_id if given_by_id is not None else person_id
    giver = _person(db, giver_id)
    if is_minor(person, given_on):
        guardians = representatives(db, person_id)
        if giver_id not in {g.id for g in guardians}:
            named = ", ".join(f"{g.name} (№{g.id})" for g in guardians) or "не указаны"
            raise TransitionRefused(
                f"{person.name} (№{person_id}) на {given_on:%d.%m.%Y} несовершеннолетний: "
                f"согласие даёт законный представитель (--by); представители: {named} "
                "(nastavnik person edit --representative)"
            )
    elif giver_id != person_id:
        raise TransitionRefused(
            f"{person.name} (№{person_id}) на {given_on:%d.%m.%Y} совершеннолетний "
            f"(от {ADULT_AGE} лет): согласие даёт он сам, а не {giver.name}"
        )
    consent = Consent(
        person_id=person_id,
        kind=chosen.value,
        given_by_id=giver_id,
        given_on=given_on,
        document=document.strip() if document else None,
        recorded_at=now,
        recorded_by=actor,
    )
    db.add(consent)
    db.flush()
    return _view(db, consent, now.date())


def withdraw_consent(db: Session, consent_id: int, *, actor: str, now: datetime) -> Consent:
    """Withdraw a consent, effective at once. (Cancelling the person's queued messages is the
    outbox's part: notifications.outbox.cancel_for_withdrawn.)"""
    consent = db.get(Consent, inputs.identifier(consent_id, "согласия"))
    if consent is None:
        raise NotFound(f"Согласие №{consent_id} не найдено (nastavnik consent list)")
    if consent.withdrawn_at is not None:
        raise TransitionRefused(
            f"Согласие №{consent_id} уже отозвано {consent.withdrawn_at:%d.%m.%Y}"
        )
    consent.withdrawn_at = now
    consent.withdrawn_by = actor
    db.add(consent)
    db.flush()
    return consent


def list_consents(
    db: Session, day: date, *, person_id: int | None = None, person_ids: Iterable[int] = ()
) -> list[ConsentView]:
    query = select(Consent).order_by(col(Consent.id))
    if person_id is not None:
        _person(db, person_id)
        query = query.where(Consent.person_id == person_id)
    ids = list(person_ids)
    if ids:
        query = query.where(col(Consent.person_id).in_(ids))
    return [_view(db, consent, day) for consent in db.exec(query).all()]


def _person(db: Session, person_id: int) -> Person:
    person = db.get(Person, inputs.identifier(person_id, "человека"))
    if person is None:
        raise NotFound(f"Человек с номером {person_id} не найден (список: nastavnik person list)")
    return person


def _view(db: Session, consent: Consent, day: date) -> ConsentView:
    assert consent.id is not None
    person = _person(db, consent.person_id)
    giver = _person(db, consent.given_by_id)
    guardians = {g.id for g in representatives(db, consent.person_id) if g.id is not None}
    kind = ConsentKind(consent.kind)
    return ConsentView(
        id=consent.id,
        person_id=consent.person_id,
        person_name=person.name,
        kind=kind.value,
        kind_label=CONSENT_LABELS[kind],
        given_by_id=consent.given_by_id,
        given_by_name=giver.name,
        given_on=consent.given_on,
        document=consent.document,
        withdrawn_at=consent.withdrawn_at,
        valid_today=_valid_on(consent, person, day, guardians),
    )


def consent_audience(db: Session, program_id: int, stage_code: str, day: date) -> list[Person]:
    """The participants whose consent a stage collects, as they are on ``day``; none for a
    stage that collects none."""
    if stage_code not in COLLECTED_AT:
        return []
    role, asked = COLLECTED_AT[stage_code]
    query = (
        select(Person)
        .join(ProgramRole, col(ProgramRole.person_id) == col(Person.id))
        .where(ProgramRole.program_id == program_id, ProgramRole.role == role.value)
        .order_by(col(Person.id))
    )
    people = list(db.exec(query).all())
    if asked == Asked.ADULTS:
        return [p for p in people if not is_minor(p, day)]
    if asked == Asked.MINORS:
        return [p for p in people if is_minor(p, day)]
    return people


@dataclass(frozen=True)
class ConsentProgress:
    collected: int
    expected: int


def consent_progress(
    db: Session, program_id: int, stage_code: str, day: date
) -> ConsentProgress | None:
    """Consents collected against expected at a stage that collects them."""
    if stage_code not in COLLECTED_AT:
        return None
    audience = [p.id for p in consent_audience(db, program_id, stage_code, day) if p.id]
    return ConsentProgress(len(allowed(db, audience, day)), len(audience))


# The stages that form the two registers (the roadmap's 7 and 12), and whose people they hold.
REGISTER_STAGES: dict[str, Role] = {
    "mentee_database": Role.MENTEE,
    "mentor_database": Role.MENTOR,
}


def check_register_complete(db: Session, program_id: int, stage_code: str, day: date) -> None:
    """Refuse to complete a stage that forms a register (mentee_database, mentor_database)
    while anybody it holds has no valid processing consent on ``day``, naming them (the
    register itself: documents/registers.py). Any other stage: nothing to check."""
    role = REGISTER_STAGES.get(stage_code)
    if role is None:
        return
    query = select(ProgramRole.person_id).where(
        ProgramRole.program_id == program_id, ProgramRole.role == role.value
    )
    title = "База наставляемых" if role == Role.MENTEE else "База наставников"
    require_processing(
        db,
        sorted(set(db.exec(query).all())),
        day,
        f"завершить этап «{title}» программы №{program_id}",
    )
