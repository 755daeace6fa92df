"""Answering a questionnaire from the personal page (issue 10, point 4: one tap, on a phone):
the form with a field for every kind of question, the answers stored, refused ones shown beside
their fields with nothing stored, answering again, everyone outside the audience refused, a
closed questionnaire refused, bad links refused, and the same through the JSON API; and on a
phone's 375 px in a real headless Chromium (as tests/app/test_browser.py), nothing scrolls
sideways and every choice is a finger's height. A real flow run starts the survey stage (the
feedback stage, whose questionnaire asks mentors and mentees); SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from typing import Any

import pytest
from browsers import chromium, shot
from cryptography.fernet import Fernet
from factories import SETUP_TIME, close_prerequisites, consented, program
from fastapi.testclient import TestClient
from playwright.sync_api import Browser
from sqlmodel import select

from app.web.main import create_app
from deployments.prefect_server import free_port
from deployments.web_server import WebServer
from domain import database, secrets, surveys
from domain.models import Person, ProgramQuestionnaire, SurveyResponse
from domain.people import add_person, assign
from domain.person_links import page_url, revoke_links
from domain.schedule import local_today, utc_now
from domain.states import Action
from domain.wording import day_text
from flows.actions import act_on_stage

pytestmark = pytest.mark.usefixtures("prefect_api")
SITE = "https://nastavnik.example"
TITLE = "Обратная связь участника программы наставничества"
# Added to the program's copy before the stage starts, so that the form holds every kind of
# question: the feedback questionnaire has the others (number, date, scale, single and multiple
# choice, a text of several lines).
ADDED: list[dict[str, object]] = [
    {"kind": "ranking", "code": "best_mentees", "text": "С кем из наставляемых вам лучше всего "
     "работается? Первым — лучше всех", "max_picks": 2, "required": False},
    {"kind": "number", "code": "hours", "text": "Сколько часов в неделю занимают встречи?",
     "integer": False, "low": "0", "high": "40", "places": 1, "required": False},
    {"kind": "text", "code": "place", "text": "Где обычно проходят встречи?", "max_length": 100,
     "multiline": False, "required": False},
]  # fmt: skip


@pytest.fixture
def world(database_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """A program whose feedback stage has started: a consenting mentor; two consenting mentees
    and one without consent; a consenting psychologist (not asked); and a consenting mentor of
    another program."""
    monkeypatch.setenv("NASTAVNIK_PUBLIC_URL", SITE + "/")
    here, there = program(), program()
    cast = [("mentor", "Петров Пётр", here.id, "mentor"),
            ("anya", "Сидорова Аня", here.id, "mentee"),
            ("vanya", "Егоров Ваня", here.id, "mentee"),
            ("misha", "Козлов Миша", here.id, "mentee"),
            ("psychologist", "Белова Ольга", here.id, "psychologist"),
            ("stranger", "Орлов Олег", there.id, "mentor")]  # fmt: skip
    people = {}
    with database.session() as db:
        for who, name, program_id, role in cast:
            person = add_person(db, org_id=here.org_id, name=name,
                                contacts=[f"mailto://{who}@school.ru"], now=SETUP_TIME)  # fmt: skip
            assert person.id is not None
            assign(db, program_id=program_id, person_id=person.id, role=role)
            people[who] = person.id
        for question in ADDED:
            surveys.add_question(db, here.id, "feedback", question)
    consented(*(people[who] for who in ("mentor", "anya", "vanya", "psychologist", "stranger")))
    close_prerequisites(here.id, "collect_feedback")
    asyncio.run(act_on_stage(here.id, "collect_feedback", Action.START, actor="curator"))
    with database.session() as db:
        row = surveys.find_questionnaire(db, here.id, "feedback")
    assert row.id is not None and row.opened_at is not None
    return {**people, "program": here.id, "questionnaire": row.id}


def client() -> TestClient:
    return TestClient(create_app(), base_url=SITE, follow_redirects=False)


def link_of(person_id: int) -> str:
    with database.session() as db:
        url = page_url(db.get_one(Person, person_id))
    assert url and url.startswith(SITE + "/p/")
    return url.removeprefix(SITE)


def form_of(world: dict[str, int], who: str = "mentor") -> str:
    return f"{link_of(world[who])}/questionnaires/{world['questionnaire']}"


def stored(world: dict[str, int]) -> dict[int, dict[str, object]]:
    with database.session() as db:
        return surveys.answers_of(db, world["program"], "feedback")


def card(page: str, code: str) -> str:
    """The HTML of one question's card on the form."""
    found = re.search(rf'id="q-{code}">(.*?)</div>\s*(?=<div class="card question|<button)', page,
                      re.S)  # fmt: skip
    assert found, f"no question {code} on the page"
    return found[1]


def today() -> str:
    return day_text(local_today(utc_now(), "Europe/Moscow"))


VALID = {
    "meetings": "3",
    "last_meeting": "2026-11-20",
    "usefulness": "8",
    "progress": "on_track",
    "difficulties": ["no_time", "schedule"],
    "help_needed": "Нужен кабинет для встреч\r\nпо четвергам",
    "hours": "1,5",
    "place": "Библиотека",
}


def test_a_mentor_answers_every_kind_of_question_from_their_page(world: dict[str, int]) -> None:
    browser = client()
    mine = link_of(world["mentor"])
    page = browser.get(mine)
    assert page.status_code == 200
    listed = re.search(rf'id="questionnaire-{world["questionnaire"]}">(.*?)</form>', page.text,
                       re.S)  # fmt: skip
    assert listed, page.text
    assert TITLE in listed[1] and "Этап 25. Сбор обратной связи" in listed[1]
    assert "Ещё не заполнена" in listed[1] and "Заполнить анкету" in listed[1]
    path = re.search(r'action="(/p/[^"]+/questionnaires/\d+)"', listed[1])
    assert path and path[1] == f"{mine}/questionnaires/{world['questionnaire']}"

    form = browser.get(path[1])
    assert form.status_code == 200, form.text
    assert form.headers["cache-control"] == "no-store"
    assert form.headers["referrer-policy"] == "no-referrer"
    assert form.headers["x-robots-tag"] == "noindex, nofollow"
    assert "set-cookie" not in form.headers
    text = form.text
    assert f"<h1>{TITLE}</h1>" in text and f'method="post" action="{path[1]}"' in text
    # One field per question, by its kind; required ones marked.
    assert 'type="number" id="f-meetings" name="meetings" required' in card(text, "meetings")
    assert 'type="date" id="f-last_meeting" name="last_meeting" value' in card(text, "last_meeting")
    scale = card(text, "usefulness")
    assert [int(n) for n in re.findall(r'name="usefulness" value="(\d+)"', scale)] == list(
        range(1, 11)
    )
    assert 'type="radio" name="progress" value="on_track"' in card(text, "progress")
    assert "Идёт по плану" in card(text, "progress")
    assert len(re.findall(r'type="checkbox" name="difficulties"', text)) == 6
    assert "<textarea" in card(text, "help_needed") and "required" not in card(text, "help_needed")
    assert 'step="any"' in card(text, "hours") and 'type="text"' in card(text, "place")
    ranking = card(text, "best_mentees")
    assert len(re.findall(r'<select name="best_mentees"', ranking)) == 2  # at most two
    offered = re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', ranking)
    # Names to choose, never ids to type; the mentee without consent is not offered.
    assert offered[:2] == [
        (str(world["vanya"]), "Егоров Ваня"),
        (str(world["anya"]), "Сидорова Аня"),
    ]
    assert "Козлов" not in text and "Белова" not in text
    assert text.count('class="required"') == 1 + 3  # the legend, and the required questions
    for code in ("meetings", "usefulness", "progress"):
        assert 'class="required"' in card(text, code)
    assert "Сколько встреч" in card(text, "meetings") and "Целое число от 0 до 31" in text

    ranked = [str(world["vanya"]), str(world["anya"])]
    answered = browser.post(path[1], data={**VALID, "best_mentees": ranked})
    assert answered.status_code == 303, answered.text
    assert answered.headers["location"].startswith(mine + "?message=")
    assert answered.headers["cache-control"] == "no-store"
    assert stored(world) == {
        world["mentor"]: {
            "meetings": 3, "last_meeting": "2026-11-20", "usefulness": 8,
            "progress": "on_track", "difficulties": ["no_time", "schedule"],
            "help_needed": "Нужен кабинет для встреч\nпо четвергам",
            "best_mentees": [world["vanya"], world["anya"]], "hours": 1.5,
            "place": "Библиотека",
        }
    }  # fmt: skip
    with database.session() as db:
        [response] = db.exec(select(SurveyResponse)).all()
    assert response.source == "link"
    shown = browser.get(answered.headers["location"]).text
    assert f"Спасибо! Ваши ответы на анкету «{TITLE}» сохранены" in shown
    assert f"Заполнена {today()}" in shown and "Изменить ответы" in shown
    assert "Ещё не заполнена" not in shown

    # The form opens again with their answers, and answering again replaces them.
    again = browser.get(path[1]).text
    assert f"Вы уже заполнили эту анкету {today()}" in again and "Сохранить изменения" in again
    assert 'value="3"' in card(again, "meetings") and 'value="2026-11-20"' in again
    assert 'value="8" checked' in card(again, "usefulness")
    assert 'value="no_time" checked' in again and 'value="none" checked' not in again
    assert ">Нужен кабинет для встреч\nпо четвергам</textarea>" in again
    ranking = card(again, "best_mentees")
    assert re.findall(r'<option value="(\d+)" selected>', ranking) == [
        str(world["vanya"]), str(world["anya"])
    ]  # fmt: skip
    changed = browser.post(path[1], data={**VALID, "usefulness": "10", "difficulties": "none",
                                          "place": "", "best_mentees": ["", ""]})  # fmt: skip
    assert changed.status_code == 303
    assert "изменены" in browser.get(changed.headers["location"]).text
    answers = stored(world)[world["mentor"]]
    assert (answers["usefulness"], answers["difficulties"]) == (10, ["none"])
    assert "place" not in answers and "best_mentees" not in answers  # emptied: no answer
    with database.session() as db:
        assert len(db.exec(select(SurveyResponse)).all()) == 1


def test_refused_answers_are_shown_beside_their_fields_and_nothing_is_stored(
    world: dict[str, int],
) -> None:
    wrong = {
        "meetings": "сорок",
        "last_meeting": "2026-02-31",
        "progress": "",  # required, not chosen; "usefulness" (required) absent altogether
        "difficulties": ["no_time", "flying"],
        "help_needed": "Нужен кабинет",
        "hours": "1,5",
        "best_mentees": [str(world["anya"]), str(world["anya"])],
        "unknown_field": "ignored",
    }
    refused = client().post(form_of(world), data=wrong)
    assert refused.status_code == 422, refused.text
    assert refused.headers["cache-control"] == "no-store"
    page = refused.text
    assert "Ответы не сохранены: исправьте ответы на вопросы, отмеченные ниже" in page
    beside = {
        "meetings": "Нужно целое число от 0 до 31, а не «сорок»",
        "last_meeting": "Даты «2026-02-31» не существует",
        "usefulness": "Нет ответа, а вопрос обязательный<",
        "progress": "Нет ответа, а вопрос обязательный<",  # the choices not listed again
        "difficulties": "Выберите из вариантов на этой странице",  # not a code of the form
        "best_mentees": "Каждого можно выбрать только один раз; повторно выбраны: Сидорова Аня",
    }
    for code, problem in beside.items():
        shown = card(page, code)
        assert f'<p class="problem" id="problem-{code}">' in shown, code
        assert problem in shown, (code, shown)
    for code in ("help_needed", "hours", "place"):
        assert 'class="problem"' not in card(page, code)
    # What they typed is kept.
    assert 'value="сорок"' in card(page, "meetings")
    assert 'value="no_time" checked' in page and ">Нужен кабинет</textarea>" in page
    assert 'value="1,5"' in card(page, "hours")
    assert (
        re.findall(r'<option value="(\d+)" selected>', card(page, "best_mentees"))
        == [str(world["anya"])] * 2
    )
    assert stored(world) == {}

    # One problem left: said in the singular; then a valid answer goes through.
    almost = {**VALID, "usefulness": "11"}
    one = client().post(form_of(world), data=almost)
    assert one.status_code == 422
    assert "исправьте ответ на вопрос, отмеченный ниже" in one.text
    assert "Нужно целое число от 1 до 10, а не «11»" in card(one.text, "usefulness")
    assert stored(world) == {}
    assert client().post(form_of(world), data=VALID).status_code == 303
    assert stored(world)[world["mentor"]]["hours"] == 1.5


def test_people_outside_the_audience_are_refused(world: dict[str, int]) -> None:
    browser = client()
    # Without a valid consent: not listed, and refused by the rules.
    page = browser.get(link_of(world["misha"])).text
    assert "Анкеты" not in page and TITLE not in page
    for answer in (browser.get(form_of(world, "misha")),
                   browser.post(form_of(world, "misha"), data=VALID)):  # fmt: skip
        assert answer.status_code == 409, answer.text
        assert "нет действующего согласия" in answer.text
        assert "Вернуться на мою страницу" in answer.text
        assert answer.headers["cache-control"] == "no-store"
    api = browser.post("/api/v1" + form_of(world, "misha"), json={"answers": VALID})
    assert api.status_code == 409 and "согласия" in api.json()["detail"]

    # Another role in the program, another program, no such questionnaire: not found, alike.
    other_program = f"{link_of(world['stranger'])}/questionnaires/{world['questionnaire']}"
    for path in (form_of(world, "psychologist"), other_program,
                 f"{link_of(world['mentor'])}/questionnaires/999999",
                 f"{link_of(world['mentor'])}/questionnaires/abc",
                 f"{link_of(world['mentor'])}/questionnaires/99999999999999999999"):  # fmt: skip
        for answer in (browser.get(path), browser.post(path, data=VALID)):
            assert answer.status_code == 404, (path, answer.text)
            assert "Анкета не найдена" in answer.text and TITLE not in answer.text
    for path in (form_of(world, "psychologist"), other_program):
        answer = browser.get("/api/v1" + path)
        assert answer.status_code == 404 and "Анкета не найдена" in answer.json()["detail"]
    assert "Анкеты" not in browser.get(link_of(world["psychologist"])).text
    assert stored(world) == {}


def test_a_closed_questionnaire_is_refused(world: dict[str, int]) -> None:
    browser = client()
    assert browser.post(form_of(world), data=VALID).status_code == 303
    asyncio.run(act_on_stage(world["program"], "collect_feedback", Action.SKIP, actor="curator",
                             reason="программа завершена досрочно"))  # fmt: skip
    with database.session() as db:
        assert db.get_one(ProgramQuestionnaire, world["questionnaire"]).closed_at is not None
    for answer in (browser.get(form_of(world)),
                   browser.post(form_of(world), data={**VALID, "meetings": "5"})):  # fmt: skip
        assert answer.status_code == 409, answer.text
        assert f"Анкета «{TITLE}» закрыта" in answer.text
    api = browser.post("/api/v1" + form_of(world), json={"answers": VALID})
    assert api.status_code == 409 and "закрыта" in api.json()["detail"]
    assert browser.get("/api/v1" + form_of(world)).status_code == 409
    assert TITLE not in browser.get(link_of(world["mentor"])).text
    assert stored(world)[world["mentor"]]["meetings"] == 3  # unchanged


def test_forged_altered_and_revoked_links_are_refused(world: dict[str, int]) -> None:
    browser = client()
    path = form_of(world)
    token = path.removeprefix("/p/").split("/")[0]
    altered = token[:40] + ("A" if token[40] != "A" else "B") + token[41:]
    forged = Fernet(Fernet.generate_key()).encrypt(f"person:{world['mentor']}:0".encode())
    survey = secrets.seal(f"survey:{world['questionnaire']}:{world['mentor']}")
    for each in (altered, forged.decode(), survey, "мусор"):
        where = f"/p/{each}/questionnaires/{world['questionnaire']}"
        for answer in (browser.get(where), browser.post(where, data=VALID),
                       browser.get("/api/v1" + where),
                       browser.post("/api/v1" + where, json={"answers": VALID})):  # fmt: skip
            assert answer.status_code == 403, (each, answer.text)
            assert "Ссылка недействительна или устарела" in answer.text
            assert "Петров" not in answer.text and TITLE not in answer.text
            assert "Вернуться на мою страницу" not in answer.text
    with database.session() as db:
        revoke_links(db, world["mentor"])
    for answer in (browser.get(path), browser.post(path, data=VALID)):
        assert answer.status_code == 403 and "Ссылка недействительна" in answer.text
    assert stored(world) == {}
    assert browser.get(form_of(world)).status_code == 200  # a fresh link opens it


def test_the_api_gives_the_questions_and_takes_the_answers(world: dict[str, int]) -> None:
    browser = client()
    api = "/api/v1" + form_of(world)
    given: dict[str, Any] = browser.get(api).json()
    assert (given["title"], given["code"], given["answers"]) == (TITLE, "feedback", None)
    assert given["stage"]["number"] == 25 and given["answered_on"] is None
    kinds = {q["code"]: q["kind"] for q in given["questions"]}
    assert set(kinds.values()) == {"number", "date", "scale", "single_choice",
                                   "multiple_choice", "text", "ranking"}  # fmt: skip
    [ranking] = [q for q in given["questions"] if q["kind"] == "ranking"]
    assert ranking["candidates"] == [
        {"id": world["vanya"], "name": "Егоров Ваня"},
        {"id": world["anya"], "name": "Сидорова Аня"},
    ]
    answers = {**VALID, "meetings": 2, "difficulties": ["schedule"],
               "best_mentees": [world["anya"]]}  # fmt: skip
    bad = browser.post(api, json={"answers": {**answers, "usefulness": 0, "colour": "синий"}})
    assert bad.status_code == 422
    assert set(bad.json()["problems"]) == {"usefulness", "colour"}
    assert bad.json()["detail"].startswith(f"Ответы на анкету «{TITLE}» не приняты")
    assert stored(world) == {}
    taken = browser.post(api, json={"answers": answers})
    assert taken.status_code == 200, taken.text
    assert taken.headers["cache-control"] == "no-store"
    assert taken.json()["detail"].startswith("Спасибо!")
    assert taken.json()["answers"]["best_mentees"] == [world["anya"]]
    again = browser.get(api).json()
    assert again["answers"] == stored(world)[world["mentor"]] == taken.json()["answers"]
    assert again["answered_on"] == local_today(utc_now(), "Europe/Moscow").isoformat()
    paths = browser.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/p/{token}/questionnaires/{questionnaire_id}" in paths


@pytest.fixture
def phone_browser() -> Iterator[Browser]:
    """Debian's chromium, for one test: asked for after the world, whose flow run needs an
    event loop of its own, which Playwright's would be."""
    with chromium() as launched:
        yield launched


def test_on_a_phone_a_mentor_answers_with_a_few_taps(
    world: dict[str, int], phone_browser: Browser, database_url: str
) -> None:
    with WebServer("127.0.0.1", free_port(0)) as web:
        page = phone_browser.new_page(viewport={"width": 375, "height": 800}, locale="ru-RU")
        page.goto(web.url + link_of(world["mentor"]))
        shot(page, "participant-questionnaires-375", database_url)
        page.get_by_role("button", name="Заполнить анкету").click()
        assert page.locator("h1").inner_text() == TITLE
        shot(page, "questionnaire-375", database_url)
        # Every choice is at least 44 px high, and the fields take the screen's width.
        for choice in (
            page.locator("#q-usefulness .scale span").first,
            page.locator("#q-progress .option").first,
            page.locator("#f-meetings"),
            page.locator("#q-best_mentees select").first,
        ):
            box = choice.bounding_box()
            assert box and box["height"] >= 44, box
        field = page.locator("#f-help_needed").bounding_box()
        assert field and field["width"] >= 375 - 2 * 16 - 2 * 16 - 8, field

        page.fill("#f-meetings", "3")
        page.locator("#q-usefulness").get_by_text("8", exact=True).click()
        page.get_by_label("Идёт по плану").check()
        page.get_by_label("Не хватает времени").check()
        page.fill("#f-last_meeting", "2026-11-20")
        page.locator("#q-best_mentees select").first.select_option(label="Егоров Ваня")
        page.fill("#f-hours", "1.5")
        page.get_by_role("button", name="Отправить ответы").click()
        assert page.get_by_role("status").inner_text().startswith("Спасибо!")
        assert "Заполнена" in page.locator(f"#questionnaire-{world['questionnaire']}").inner_text()
        shot(page, "questionnaire-answered-375", database_url)

        # A required question left out: the browser itself asks for it, in place.
        page.get_by_role("button", name="Изменить ответы").click()
        page.fill("#f-meetings", "")
        page.get_by_role("button", name="Сохранить изменения").click()
        assert page.locator("#f-meetings").evaluate("field => !field.validity.valid")
        page.close()
    assert stored(world) == {
        world["mentor"]: {"meetings": 3, "last_meeting": "2026-11-20", "usefulness": 8,
                          "progress": "on_track", "difficulties": ["no_time"],
                          "best_mentees": [world["vanya"]], "hours": 1.5}
    }  # fmt: skip
