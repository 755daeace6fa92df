"""A survey stage runs its questionnaire: starting it opens the program's copy to its audience
(only people with a valid consent) and sends each a personal link; reminders go only to those
who have not answered; answers come with the link and are validated; completing the stage
closes the questionnaire and records the response rate. SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import Cli
from factories import SETUP_TIME, close_prerequisites, consented, program
from sinks import HttpEndpoint, http_server
from sqlmodel import select

from domain import consents, database, surveys
from domain.errors import InvalidInput, TransitionRefused
from domain.models import OutboxMessage, ProgramQuestionnaire
from domain.people import add_person, assign
from domain.programs import program_view
from domain.schedule import utc_now
from domain.states import Action
from domain.transitions import request_action
from flows.consents import give_consent, withdraw_consent
from notifications import outbox
from tasks.stage_work import run_questionnaires
from tasks.transitions import apply_with_messages

STARTED = datetime(2026, 9, 16, 7, tzinfo=UTC)  # stage 5 is due 22 September
ANSWERS = {
    "status": "teacher",
    "place": "Школа № 1, учитель математики",
    "age": "24",
    "request": "Научиться вести уроки в старших классах",
    "request_topics": "exams",
    "mentor_competencies": "subject_knowledge; exam_preparation",
    "convenient_time": "weekday_after_lessons",
}


@pytest.fixture
def endpoint() -> Iterator[HttpEndpoint]:
    with http_server() as server:
        yield server


def act(program_id: int, code: str, action: Action, when: datetime) -> None:
    """A survey stage's action as its flow run applies it: with its questionnaires."""
    with database.session() as db:
        requested = request_action(
            db, program_id, code, action, actor="t", now=when, requested_at=utc_now()
        )
    with database.session() as db:
        apply_with_messages(db, requested.entry_id, None, run_questionnaires)


def mentees(endpoint: HttpEndpoint) -> tuple[int, dict[str, int]]:
    """A program with three teacher mentees: two consented, one not."""
    made = program()
    ids = {}
    with database.session() as db:
        for name in ("Анна", "Борис", "Вера"):
            person = add_person(db, org_id=made.org_id, name=name,
                                contacts=[endpoint.url(f"/{name}")], now=SETUP_TIME)  # fmt: skip
            assign(db, program_id=made.id, person_id=person.id, role="mentee")
            ids[name] = person.id
    consented(ids["Анна"], ids["Борис"])
    close_prerequisites(made.id, "survey_mentees")
    return made.id, ids


def messages(program_id: int, kind: str) -> list[OutboxMessage]:
    with database.session() as db:
        query = select(OutboxMessage).where(
            OutboxMessage.program_id == program_id, OutboxMessage.kind == kind
        )
        return list(db.exec(query).all())


def token_in(message: OutboxMessage) -> str:
    return message.body.split("никому его не передавайте):\n")[1].split("\n")[0]


def test_a_survey_stage_opens_its_questionnaire_to_those_who_consented(
    database_url: str, endpoint: HttpEndpoint
) -> None:
    program_id, ids = mentees(endpoint)
    act(program_id, "survey_mentees", Action.START, STARTED)
    invited = {m.person_id for m in messages(program_id, "questionnaire")}
    assert invited == {ids["Анна"], ids["Борис"]}  # Вера: a consent request only
    assert {m.person_id for m in messages(program_id, "consent_request")} == {ids["Вера"]}
    # Вера consents: the open questionnaire reaches her then.
    give_consent(ids["Вера"], "processing", given_by_id=None, given_on=None, document=None,
                 actor="c", now=STARTED)  # fmt: skip
    invited = {m.person_id for m in messages(program_id, "questionnaire")}
    assert invited == {ids["Анна"], ids["Борис"], ids["Вера"]}
    with database.session() as db:
        row = surveys.find_questionnaire(db, program_id, "mentee_survey")
        progress = surveys.survey_progress(db, row, STARTED.date())
    assert (progress.is_open, progress.expected, progress.answered) == (True, 3, 0)

    # Анна answers with her link; Борис does not and is reminded, Анна is not.
    [anna] = [m for m in messages(program_id, "questionnaire") if m.person_id == ids["Анна"]]
    with database.session() as db:
        _, response = surveys.answer_by_link(db, token_in(anna), ANSWERS, now=STARTED)
    assert response.answers["age"] == 24 and response.source == "link"
    with database.session() as db:
        outbox.enqueue_due(db, datetime(2026, 9, 19, 7, tzinfo=UTC))  # three days before
    reminded = {m.person_id for m in messages(program_id, "reminder")}
    assert ids["Борис"] in reminded and ids["Вера"] in reminded and ids["Анна"] not in reminded

    # Completing the stage closes it with its response rate; no answer is taken after.
    act(program_id, "survey_mentees", Action.COMPLETE, datetime(2026, 9, 22, 12, tzinfo=UTC))
    with database.session() as db:
        row = db.exec(select(ProgramQuestionnaire)).one()
        assert (row.expected, row.answered, row.closed_at is not None) == (3, 1, True)
    [boris] = [m for m in messages(program_id, "questionnaire") if m.person_id == ids["Борис"]]
    with pytest.raises(TransitionRefused, match="закрыта"), database.session() as db:
        surveys.answer_by_link(db, token_in(boris), ANSWERS, now=STARTED)


def test_answers_are_refused_all_at_once_and_links_cannot_be_forged(
    database_url: str, endpoint: HttpEndpoint
) -> None:
    program_id, ids = mentees(endpoint)
    act(program_id, "survey_mentees", Action.START, STARTED)
    [anna] = [m for m in messages(program_id, "questionnaire") if m.person_id == ids["Анна"]]
    wrong = {**ANSWERS, "age": "сорок", "request_topics": "полёты", "colour": "синий"}
    del wrong["request"]
    with pytest.raises(InvalidInput) as refused, database.session() as db:
        surveys.answer_by_link(db, token_in(anna), wrong, now=STARTED)
    for problem in ("age", "request_topics", "colour", "request"):
        assert problem in refused.value.problems  # type: ignore[attr-defined]
    forged = token_in(anna)[:-4] + "AAAA"
    with pytest.raises(InvalidInput, match="недействительна"), database.session() as db:
        surveys.answer_by_link(db, forged, ANSWERS, now=STARTED)
    with database.session() as db:  # nothing was stored
        row = surveys.find_questionnaire(db, program_id, "mentee_survey")
        assert surveys.respondents(db, row.id or 0) == set()
        # Вера, without consent, cannot answer even when the curator types it in.
        with pytest.raises(TransitionRefused, match="согласия"):
            surveys.record_answers(db, row, ids["Вера"], ANSWERS, source="curator",
                                   now=STARTED, day=STARTED.date())  # fmt: skip


def test_survey_commands(
    database_url: str, endpoint: HttpEndpoint, cli: Cli, tmp_path: Path
) -> None:
    program_id, ids = mentees(endpoint)
    act(program_id, "survey_mentees", Action.START, STARTED)
    [anna] = [m for m in messages(program_id, "questionnaire") if m.person_id == ids["Анна"]]
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(ANSWERS, ensure_ascii=False), encoding="utf-8")
    taken = cli.json("survey", "answer", "--token", token_in(anna), "--file", str(answers))
    assert taken["questionnaire"] == "mentee_survey"
    [status] = cli.json("survey", "status", str(program_id))
    assert (status["expected"], status["answered"], status["rate"]) == (2, 1, 0.5)
    assert status["waiting"] == [ids["Борис"]]
    listed = cli.json("survey", "answers", str(program_id), "mentee_survey")
    assert [(a["name"], a["answers"]["request_topics"]) for a in listed] == [("Анна", ["exams"])]
    assert cli("survey", "answers", str(program_id), "nope") == 3
    answers.write_text("{not json", encoding="utf-8")
    assert cli("survey", "answer", "--token", token_in(anna), "--file", str(answers)) == 2
    assert "JSON" in cli.err and "Traceback" not in cli.err
    assert cli("survey", "answer", "--token", "x" * 40, "--file", str(answers)) == 2


def test_the_mentee_database_is_not_completed_while_a_mentee_lacks_consent(
    database_url: str, endpoint: HttpEndpoint
) -> None:
    program_id, ids = mentees(endpoint)  # Вера has not consented
    close_prerequisites(program_id, "mentee_database")
    act(program_id, "mentee_database", Action.START, STARTED)
    done = datetime(2026, 10, 6, 12, tzinfo=UTC)
    with pytest.raises(TransitionRefused, match="Вера"):
        act(program_id, "mentee_database", Action.COMPLETE, done)
    consented(ids["Вера"])
    act(program_id, "mentee_database", Action.COMPLETE, done)
    with database.session() as db:
        stages = {s.code: s.state for s in program_view(db, program_id, done).stages}
    assert stages["mentee_database"] == "done"


def test_a_curator_adds_a_question_to_the_programs_copy_only(
    database_url: str, endpoint: HttpEndpoint, cli: Cli
) -> None:
    program_id, ids = mentees(endpoint)
    other = program()  # another program keeps the built-in questionnaire
    added = cli.json(
        "survey", "add-question", str(program_id), "mentee_survey", "--code", "hobby",
        "--kind", "single_choice", "--text", "Чем вы увлекаетесь?",
        "--option", "sport:Спорт", "--option", "music:Музыка",
    )  # fmt: skip
    assert added["questions"][-1]["code"] == "hobby"
    act(program_id, "survey_mentees", Action.START, STARTED)
    [anna] = [m for m in messages(program_id, "questionnaire") if m.person_id == ids["Анна"]]
    with pytest.raises(InvalidInput, match="Чем вы увлекаетесь"), database.session() as db:
        surveys.answer_by_link(db, token_in(anna), ANSWERS, now=STARTED)
    with database.session() as db:
        _, response = surveys.answer_by_link(
            db, token_in(anna), {**ANSWERS, "hobby": "Музыка"}, now=STARTED
        )
    assert response.answers["hobby"] == "music"
    # Once answered, only an optional question may be added; a bad one is refused.
    assert cli("survey", "add-question", str(program_id), "mentee_survey", "--code", "pets",
               "--kind", "text", "--text", "Есть ли у вас питомцы?") == 4  # fmt: skip
    assert "необязательным" in cli.err
    assert cli("survey", "add-question", str(program_id), "mentee_survey", "--code", "hobby",
               "--kind", "text", "--text", "Снова?", "--optional") == 2  # fmt: skip
    with database.session() as db:
        assert surveys.program_questionnaires(db, other.id) == []


def test_a_consent_withdrawn_in_the_middle_of_a_survey_stops_it_for_that_person(
    database_url: str, endpoint: HttpEndpoint
) -> None:
    """Борис withdraws while the questionnaire is open: his queued link is cancelled, he is
    no longer asked nor reminded, and his answers are not taken."""
    program_id, ids = mentees(endpoint)
    act(program_id, "survey_mentees", Action.START, STARTED)
    [boris] = [m for m in messages(program_id, "questionnaire") if m.person_id == ids["Борис"]]
    with database.session() as db:
        [consent] = consents.list_consents(db, STARTED.date(), person_id=ids["Борис"])
    withdraw_consent(consent.id, actor="c", now=STARTED)
    with database.session() as db:
        assert db.get(OutboxMessage, boris.id).status == "cancelled"  # type: ignore[union-attr]
        row = surveys.find_questionnaire(db, program_id, "mentee_survey")
        progress = surveys.survey_progress(db, row, STARTED.date())
        outbox.enqueue_due(db, datetime(2026, 9, 19, 7, tzinfo=UTC))
    assert ids["Борис"] not in progress.waiting and progress.expected == 1
    assert ids["Борис"] not in {m.person_id for m in messages(program_id, "reminder")}
    with pytest.raises(TransitionRefused, match="согласия"), database.session() as db:
        surveys.answer_by_link(db, token_in(boris), ANSWERS, now=STARTED)
