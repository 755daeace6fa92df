"""Participants and their consents (152-ФЗ), enforced in code: an adult consents for
themself, a minor through a legal representative; a consent a representative gave lapses on
the 18th birthday; a withdrawal takes effect at once and cancels what was queued; a participant
without consent hears nothing but a consent request. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from conftest import Cli
from factories import SETUP_TIME, close_prerequisites, program
from sinks import HttpEndpoint, http_server
from sqlmodel import select

from domain import consents, database
from domain.errors import InvalidInput, TransitionRefused
from domain.models import OutboxMessage, Person
from domain.participants import Particulars, is_young_specialist
from domain.people import add_person, assign, get_person, person_card
from domain.programs import program_view
from domain.schedule import utc_now
from domain.states import Action
from domain.transitions import request_action
from flows.consents import give_consent, withdraw_consent
from notifications import outbox
from tasks.transitions import apply_with_messages

ON = datetime(2026, 9, 2, 9, tzinfo=UTC)


@pytest.fixture
def endpoint() -> Iterator[HttpEndpoint]:
    with http_server() as server:
        yield server


def person(org_id: int, name: str, endpoint: HttpEndpoint, **particulars: object) -> int:
    """A person with an address on ``endpoint`` and the given particulars."""
    with database.session() as db:
        added = add_person(
            db, org_id=org_id, name=name, contacts=[endpoint.url(f"/{name}")], now=SETUP_TIME,
            particulars=Particulars(**particulars),  # type: ignore[arg-type]
        )  # fmt: skip
    return added.id


def start(program_id: int, code: str, when: datetime = ON) -> None:
    with database.session() as db:
        requested = request_action(
            db, program_id, code, Action.START, actor="t", now=when, requested_at=utc_now()
        )
    with database.session() as db:
        apply_with_messages(db, requested.entry_id, None)


def queued(program_id: int) -> list[OutboxMessage]:
    with database.session() as db:
        return list(
            db.exec(select(OutboxMessage).where(OutboxMessage.program_id == program_id)).all()
        )


# --- who gives consent ------------------------------------------------------------------------


def test_an_adult_consents_for_themself_and_a_minor_through_a_representative(
    database_url: str, endpoint: HttpEndpoint
) -> None:
    made = program()
    adult = person(made.org_id, "Учитель", endpoint, birth_date=date(1990, 5, 1))
    mother = person(made.org_id, "Мама", endpoint, birth_date=date(1985, 1, 1))
    with database.session() as db:
        child = add_person(
            db, org_id=made.org_id, name="Ученик", contacts=["mailto://child@school.ru"],
            now=SETUP_TIME, particulars=Particulars(birth_date=date(2012, 3, 15),
                                                    category="pupil", school_class="8А"),
            representative_ids=[mother],
        ).id  # fmt: skip

    with pytest.raises(TransitionRefused, match=r"совершеннолетний.*сам"):
        give_consent(adult, "processing", given_by_id=mother, given_on=None, document=None,
                     actor="c", now=ON)  # fmt: skip
    give_consent(adult, "processing", given_by_id=None, given_on=date(2026, 9, 1),
                 document="№ 1", actor="c", now=ON)  # fmt: skip

    with pytest.raises(TransitionRefused, match=r"законный представитель.*Мама"):
        give_consent(child, "processing", given_by_id=None, given_on=None, document=None,
                     actor="c", now=ON)  # fmt: skip
    given = give_consent(child, "processing", given_by_id=mother, given_on=date(2026, 9, 1),
                         document="№ 2", actor="c", now=ON)  # fmt: skip
    assert (given.given_by_name, given.valid_today) == ("Мама", True)
    with database.session() as db:
        assert consents.allowed(db, [adult, child, mother], date(2026, 9, 2)) == {adult, child}
        assert not consents.may_publish(db, child, date(2026, 9, 2))
        assert not consents.may_process(db, child, date(2026, 8, 31))  # before its date


def test_a_representatives_consent_lapses_on_the_18th_birthday(
    database_url: str, endpoint: HttpEndpoint
) -> None:
    made = program()
    father = person(made.org_id, "Папа", endpoint, birth_date=date(1980, 1, 1))
    with database.session() as db:
        pupil = add_person(
            db, org_id=made.org_id, name="Выпускник", contacts=["mailto://p@s.ru"],
            now=SETUP_TIME, particulars=Particulars(birth_date=date(2008, 10, 15),
                                                    category="pupil"),
            representative_ids=[father],
        ).id  # fmt: skip
    give_consent(pupil, "processing", given_by_id=father, given_on=date(2026, 9, 1),
                 document=None, actor="c", now=ON)  # fmt: skip
    with database.session() as db:
        assert consents.may_process(db, pupil, date(2026, 10, 14))
        assert not consents.may_process(db, pupil, date(2026, 10, 15))  # 18 today
    # From that day the person's own consent, and no longer a representative's.
    later = datetime(2026, 10, 16, 9, tzinfo=UTC)
    with pytest.raises(TransitionRefused, match="совершеннолетний"):
        give_consent(pupil, "processing", given_by_id=father, given_on=date(2026, 10, 16),
                     document=None, actor="c", now=later)  # fmt: skip
    give_consent(pupil, "processing", given_by_id=None, given_on=date(2026, 10, 16),
                 document=None, actor="c", now=later)  # fmt: skip
    with database.session() as db:
        assert consents.may_process(db, pupil, date(2026, 10, 16))


def test_a_pupil_without_a_birth_date_is_protected_as_a_minor(
    database_url: str, endpoint: HttpEndpoint
) -> None:
    made = program()
    pupil = person(made.org_id, "Без даты", endpoint, category="pupil")
    with pytest.raises(TransitionRefused, match="несовершеннолетний"):
        give_consent(pupil, "processing", given_by_id=None, given_on=None, document=None,
                     actor="c", now=ON)  # fmt: skip


def test_publication_needs_its_own_consent_and_processing(
    database_url: str, endpoint: HttpEndpoint
) -> None:
    made = program()
    teacher = person(made.org_id, "Учитель", endpoint, birth_date=date(1990, 5, 1))
    give_consent(teacher, "publication", given_by_id=None, given_on=date(2026, 9, 1),
                 document=None, actor="c", now=ON)  # fmt: skip
    with database.session() as db:
        assert not consents.may_publish(db, teacher, date(2026, 9, 2))  # no processing consent
    give_consent(teacher, "processing", given_by_id=None, given_on=date(2026, 9, 1),
                 document=None, actor="c", now=ON)  # fmt: skip
    with database.session() as db:
        assert consents.may_publish(db, teacher, date(2026, 9, 2))


# --- what a missing consent stops ------------------------------------------------------------


def test_participants_without_consent_get_only_a_consent_request(
    database_url: str, endpoint: HttpEndpoint
) -> None:
    """Stage 5 collects adult mentees' own consents, stage 6 the representatives' for minors:
    starting them asks whoever has not consented yet; reminders of other stages reach only
    those who have."""
    made = program()
    mother = person(made.org_id, "Мама", endpoint, birth_date=date(1985, 1, 1))
    adult = person(made.org_id, "Студентка", endpoint, birth_date=date(2005, 1, 1))
    with database.session() as db:
        child = add_person(
            db, org_id=made.org_id, name="Ученик", contacts=["mailto://child@school.ru"],
            now=SETUP_TIME, particulars=Particulars(birth_date=date(2012, 3, 15),
                                                    category="pupil"),
            representative_ids=[mother],
        ).id  # fmt: skip
        for mentee in (adult, child):
            assign(db, program_id=made.id, person_id=mentee, role="mentee")
        assert consents.consent_progress(db, made.id, "survey_mentees", ON.date()) == (
            consents.ConsentProgress(0, 1)
        )
    close_prerequisites(made.id, "survey_mentees")
    start(made.id, "survey_mentees")
    asked = [(m.person_id, m.kind) for m in queued(made.id)]
    assert asked == [(adult, "consent_request")]
    close_prerequisites(made.id, "third_party_info")
    start(made.id, "third_party_info")
    request = [m for m in queued(made.id) if m.kind == "consent_request" and m.person_id == mother]
    assert len(request) == 1 and "Ученик приглашается" in request[0].body
    assert request[0].key.endswith(f"/about-{child}")

    # Without consent, the first meeting's invitation reaches nobody of them.
    close_prerequisites(made.id, "first_meeting")
    start(made.id, "first_meeting")
    assert not [m for m in queued(made.id) if m.kind == "invitation"]
    give_consent(adult, "processing", given_by_id=None, given_on=date(2026, 9, 2),
                 document=None, actor="c", now=ON)  # fmt: skip
    with database.session() as db:  # a reminder three days before the first meeting (1 Dec)
        outbox.enqueue_due(db, datetime(2026, 11, 28, 7, tzinfo=UTC))
        assert consents.consent_progress(db, made.id, "survey_mentees", ON.date()) == (
            consents.ConsentProgress(1, 1)
        )
    reminded = {m.person_id for m in queued(made.id) if m.kind == "reminder"}
    assert adult in reminded and child not in reminded and mother not in reminded
    with database.session() as db:  # the curator sees it on the roadmap
        stages = {s.code: s for s in program_view(db, made.id, ON).stages}
    assert (
        stages["survey_mentees"].consents_collected,
        stages["survey_mentees"].consents_expected,
    ) == (1, 1)
    assert (
        stages["third_party_info"].consents_collected,
        stages["third_party_info"].consents_expected,
    ) == (0, 1)
    assert stages["first_meeting"].consents_expected is None


def test_a_withdrawal_takes_effect_at_once_and_cancels_what_was_queued(
    database_url: str, endpoint: HttpEndpoint
) -> None:
    made = program()
    mentor = person(made.org_id, "Наставник", endpoint, birth_date=date(1980, 1, 1))
    with database.session() as db:
        assign(db, program_id=made.id, person_id=mentor, role="mentor")
    given = give_consent(mentor, "processing", given_by_id=None, given_on=date(2026, 9, 1),
                         document=None, actor="c", now=ON)  # fmt: skip
    close_prerequisites(made.id, "first_meeting")
    start(made.id, "first_meeting")
    assert [m.status for m in queued(made.id) if m.person_id == mentor] == ["queued"]

    withdrawn, cancelled = withdraw_consent(given.id, actor="c", now=ON)
    assert cancelled == 1 and not withdrawn.valid_today
    assert [m.status for m in queued(made.id) if m.person_id == mentor] == ["cancelled"]
    with database.session() as db:
        outbox.enqueue_due(db, datetime(2026, 11, 28, 7, tzinfo=UTC))
        assert not consents.may_process(db, mentor, ON.date())
        with pytest.raises(TransitionRefused, match="Наставник"):
            consents.require_processing(db, [mentor], ON.date(), "база наставников")
    assert [m.status for m in queued(made.id) if m.person_id == mentor] == ["cancelled"]
    with pytest.raises(TransitionRefused, match="уже отозвано"):
        withdraw_consent(given.id, actor="c", now=ON)


# --- particulars ------------------------------------------------------------------------------


def test_a_young_specialist_is_derived_for_a_date(
    database_url: str, endpoint: HttpEndpoint
) -> None:
    made = program()
    teacher = person(made.org_id, "Молодой", endpoint, category="teacher", teaching_since=2023)
    with database.session() as db:
        found = get_person(db, teacher)
        assert is_young_specialist(found, date(2026, 9, 1))
        assert not is_young_specialist(found, date(2027, 9, 1))
        card = person_card(db, teacher, date(2026, 9, 1))
    assert (card.category_label, card.young_specialist, card.minor) == ("педагог", True, False)


@pytest.mark.parametrize(
    ("particulars", "says"),
    [
        ({"category": "космонавт"}, "Неизвестная категория участника «космонавт»"),
        ({"school_class": "7Б"}, "только обучающимся"),
        ({"category": "pupil", "teaching_since": 2020}, "только педагогам"),
        ({"birth_date": date(2030, 1, 1)}, "ещё не наступила"),
        ({"category": "teacher", "teaching_since": 1990, "birth_date": date(1985, 1, 1)},
         "раньше, чем человеку исполнилось 14"),
    ],
)  # fmt: skip
def test_wrong_particulars_are_refused_and_nothing_is_stored(
    database_url: str, particulars: dict[str, object], says: str
) -> None:
    made = program()
    with pytest.raises(InvalidInput, match=says), database.session() as db:
        add_person(db, org_id=made.org_id, name="Кто-то", contacts=["mailto://x@s.ru"],
                   now=ON, particulars=Particulars(**particulars))  # type: ignore[arg-type]  # fmt: skip
    with database.session() as db:
        assert [p.name for p in db.exec(select(Person)).all()] == ["Иванова Мария Петровна"]


# --- the command line -------------------------------------------------------------------------


def test_person_and_consent_commands(database_url: str, cli: Cli) -> None:
    made = program()
    org = str(made.org_id)
    mother = cli.json("person", "add", "--org", org, "--name", "Петрова Анна",
                      "--contact", "mailto://anna@mail.ru", "--birth-date", "01.02.1984",
                      "--category", "родитель")  # fmt: skip
    child = cli.json("person", "add", "--org", org, "--name", "Петров Ваня",
                     "--contact", "mailto://vanya@mail.ru", "--birth-date", "2013-04-05",
                     "--category", "pupil", "--class", "7Б",
                     "--representative", str(mother["id"]))  # fmt: skip
    shown = cli.json("person", "show", str(child["id"]), "--on", "2026-09-01")
    assert (shown["age"], shown["minor"], shown["school_class"]) == (13, True, "7Б")
    assert shown["representatives"] == [{"id": mother["id"], "name": "Петрова Анна"}]
    assert shown["may_process"] is False

    assert cli("consent", "give", str(child["id"]), "--date", "01.09.2026") == 4
    assert "законный представитель" in cli.err and "Traceback" not in cli.err
    given = cli.json("consent", "give", str(child["id"]), "--by", str(mother["id"]),
                     "--date", "01.09.2026", "--document", "№ 7")  # fmt: skip
    assert (given["kind"], given["given_by_name"], given["valid_today"]) == (
        "processing",
        "Петрова Анна",
        True,
    )
    listed = cli.json("consent", "list", "--person", str(child["id"]))
    assert [c["id"] for c in listed] == [given["id"]]
    said = cli.ok("consent", "withdraw", str(given["id"]))
    assert "отозвано" in said
    edited = cli.json("person", "edit", str(child["id"]), "--class", "8Б",
                      "--no-representative", str(mother["id"]))  # fmt: skip
    assert (edited["school_class"], edited["representatives"]) == ("8Б", [])
    assert cli("person", "edit", str(child["id"]), "--category", "космонавт") == 2
    assert cli("consent", "give", "999") == 3
    assert cli("person", "show", "999") == 3
