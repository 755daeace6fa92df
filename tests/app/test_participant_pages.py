"""A participant's own page, opened without a password from their personal link (issue 10,
point 4): their stages and deadlines, marking a meeting held, and every kind of bad link
refused — forged, altered, expired, revoked — without a trace of whose it was. Real flow runs
start the stages; SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from conftest import Cli
from cryptography.fernet import Fernet
from factories import SETUP_TIME, close_prerequisites, consented, program
from fastapi.testclient import TestClient
from web_world import PASSWORD, signed_in, text_of

from app.web.main import create_app
from domain import database, secrets
from domain.accounts import add_account
from domain.meetings import marks_by_date
from domain.models import Person, Stage
from domain.people import add_person, assign
from domain.person_links import LINK_LIFETIME, page_url, read_token, revoke_links
from domain.states import Action
from flows.actions import act_on_stage

pytestmark = pytest.mark.usefixtures("prefect_api")
SITE = "https://nastavnik.example"


def client() -> TestClient:
    return TestClient(create_app(), base_url=SITE, follow_redirects=False)


@pytest.fixture
def pair(database_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """A program whose first meeting has started: a consenting mentor, a mentee without
    consent, and a mentor of another program."""
    monkeypatch.setenv("NASTAVNIK_PUBLIC_URL", SITE + "/")
    here, there = program(), program()
    with database.session() as db:
        people = {
            who: add_person(db, org_id=here.org_id, name=name,
                            contacts=[f"mailto://{who}@school.ru"], now=SETUP_TIME).id
            for who, name in (("mentor", "Петров Пётр"), ("mentee", "Сидорова Аня"),
                              ("stranger", "Орлов Олег"))
        }  # fmt: skip
        assign(db, program_id=here.id, person_id=people["mentor"], role="mentor")
        assign(db, program_id=here.id, person_id=people["mentee"], role="mentee")
        assign(db, program_id=there.id, person_id=people["stranger"], role="mentor")
    consented(people["mentor"], people["stranger"])
    close_prerequisites(here.id, "first_meeting")
    asyncio.run(act_on_stage(here.id, "first_meeting", Action.START, actor="curator"))
    with database.session() as db:
        stage = db.query(Stage).filter_by(program_id=here.id, code="first_meeting").one()
    return {**people, "program": here.id, "other": there.id, "stage": stage.id}


def link_of(person_id: int) -> str:
    with database.session() as db:
        url = page_url(db.get_one(Person, person_id))
    assert url and url.startswith(SITE + "/p/")
    return url.removeprefix(SITE)


def test_a_mentor_opens_the_link_sees_the_meeting_and_marks_it_held(pair: dict[str, int]) -> None:
    browser = client()
    path = link_of(pair["mentor"])
    page = browser.get(path)
    assert page.status_code == 200, page.text
    assert "Петров Пётр" in page.text and "21. Первая встреча" in page.text
    assert "Сидорова" not in page.text  # nobody else's name
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "set-cookie" not in page.headers
    form = re.search(r'action="(/p/[^"]+/meetings/\d+/0)"', page.text)
    assert form, page.text

    ahead = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    refused = browser.post(form[1], data={"held_on": ahead})
    assert refused.status_code == 303
    shown = browser.get(refused.headers["location"]).text
    assert "ещё не наступила" in shown
    with database.session() as db:
        assert marks_by_date(db, pair["stage"]) == {}

    done = browser.post(form[1], data={"held_on": "2026-11-02"})
    shown = browser.get(done.headers["location"]).text
    assert "Отмечено: встреча прошла 02.11.2026" in shown and "Исправить дату" in shown
    with database.session() as db:
        assert marks_by_date(db, pair["stage"]) == {0: 1}

    again = browser.post(form[1], data={"held_on": "03.11.2026"})  # corrects, never doubles
    assert "03.11.2026" in browser.get(again.headers["location"]).text
    with database.session() as db:
        assert marks_by_date(db, pair["stage"]) == {0: 1}
    # The curator sees it on the roadmap: one of the program's two participants has marked it.
    with database.session() as db:
        add_account(db, login="curator", role="curator", password=PASSWORD, now=SETUP_TIME,
                    org_id=db.get_one(Person, pair["mentor"]).org_id)  # fmt: skip
    roadmap = signed_in("curator").get(f"/programs/{pair['program']}")
    assert "встречу отметили: 1 из 2" in text_of(roadmap.text, "stage-first_meeting")


def test_without_consent_the_page_shows_no_stages_and_nothing_can_be_marked(
    pair: dict[str, int],
) -> None:
    browser = client()
    page = browser.get(link_of(pair["mentee"]))
    assert page.status_code == 200
    assert "Согласие на обработку персональных данных не оформлено" in page.text
    assert "Первая встреча" not in page.text
    answer = browser.post(f"{link_of(pair['mentee'])}/meetings/{pair['stage']}/0", data={})
    assert "нет действующего согласия" in browser.get(answer.headers["location"]).text
    with database.session() as db:
        assert marks_by_date(db, pair["stage"]) == {}


def test_a_link_cannot_mark_another_programs_meeting(pair: dict[str, int]) -> None:
    answer = client().post(f"{link_of(pair['stranger'])}/meetings/{pair['stage']}/0", data={})
    assert answer.status_code == 404 and "Такой встречи нет" in answer.text
    with database.session() as db:
        assert marks_by_date(db, pair["stage"]) == {}


def _expired_token(person_id: int) -> str:
    """A token as make_token makes it, under the same key, made a day longer ago than a link
    lives (the key's Fernet is private to domain/secrets.py: no public way to back-date)."""
    made = int(time.time() - LINK_LIFETIME.total_seconds() - 86_400)
    sealed = secrets._key(create=False).encrypt_at_time(f"person:{person_id}:0".encode(), made)
    return sealed.decode()


def test_forged_altered_expired_and_revoked_links_are_refused_alike(pair: dict[str, int]) -> None:
    browser = client()
    path = link_of(pair["mentor"])
    token = path.removeprefix("/p/")
    altered = token[:40] + ("A" if token[40] != "A" else "B") + token[41:]
    forged = Fernet(Fernet.generate_key()).encrypt(f"person:{pair['mentor']}:0".encode())
    survey = secrets.seal(f"survey:1:{pair['mentor']}")  # a valid token of another kind
    bad = [altered, forged.decode(), _expired_token(pair["mentor"]), survey, "1", "мусор"]
    for each in bad:
        for answer in (browser.get(f"/p/{each}"), browser.get(f"/api/v1/p/{each}"),
                       browser.post(f"/p/{each}/meetings/{pair['stage']}/0", data={})):  # fmt: skip
            assert answer.status_code == 403, (each, answer.text)
            assert "Ссылка недействительна или устарела" in answer.text
            assert "Петров" not in answer.text

    with database.session() as db:
        revoke_links(db, pair["mentor"])
    for answer in (browser.get(path), browser.post(f"{path}/meetings/{pair['stage']}/0")):
        assert answer.status_code == 403 and "Ссылка недействительна" in answer.text
    fresh = link_of(pair["mentor"])
    assert fresh != path and browser.get(fresh).status_code == 200
    with database.session() as db:
        assert marks_by_date(db, pair["stage"]) == {}


def test_the_api_gives_the_page_as_json_and_marks_a_meeting(pair: dict[str, int]) -> None:
    browser = client()
    api = "/api/v1" + link_of(pair["mentor"])
    page = browser.get(api).json()
    assert page["name"] == "Петров Пётр"
    [shown] = page["programs"]
    # Their open stages by deadline: the started first meeting, then those ahead of the pair.
    assert [s["number"] for s in shown["stages"]][:5] == [21, 22, 23, 24, 26]
    assert [s["meetings"] for s in shown["stages"][1:]] == [[]] * (len(shown["stages"]) - 1)
    assert shown["stages"][0]["meetings"] == [
        {"stage_id": pair["stage"], "seq": 0, "due_date": shown["stages"][0]["due_date"],
         "marked_on": None}
    ]  # fmt: skip
    bad = browser.post(f"{api}/meetings/{pair['stage']}/0", json={"held_on": "31.02.2026"})
    assert bad.status_code == 422 and "Неверная дата «31.02.2026»" in bad.json()["detail"]
    done = browser.post(f"{api}/meetings/{pair['stage']}/0", json={})
    assert done.status_code == 200 and done.json()["detail"].startswith("Отмечено")
    assert "/api/v1/p/{token}" in browser.get("/api/v1/openapi.json").json()["paths"]


def test_a_representative_sees_whether_the_minors_consent_is_given(
    pair: dict[str, int], cli: Cli
) -> None:
    with database.session() as db:
        mentee = db.get_one(Person, pair["mentee"])
        parent = add_person(db, org_id=mentee.org_id, name="Сидорова Елена",
                            contacts=["mailto://parent@mail.ru"], now=SETUP_TIME)  # fmt: skip
        assert parent.id is not None
        parent_id = parent.id
    cli.ok("person", "edit", str(pair["mentee"]), "--representative", str(parent_id))
    page = client().get(link_of(parent_id)).text
    assert "Вы — законный представитель" in page
    assert "Сидорова Аня: согласия на обработку данных нет" in page


def test_the_command_line_gives_and_revokes_a_link(pair: dict[str, int], cli: Cli) -> None:
    url = cli.ok("person", "link", str(pair["mentor"])).strip()
    assert url.startswith(SITE + "/p/")
    with database.session() as db:
        assert read_token(db, url.removeprefix(SITE + "/p/")).id == pair["mentor"]
    said = cli.ok("person", "revoke-links", str(pair["mentor"]))
    assert "отозваны" in said
    assert client().get(url.removeprefix(SITE)).status_code == 403


def test_without_a_public_address_there_is_no_link_to_give(
    pair: dict[str, int], cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NASTAVNIK_PUBLIC_URL")
    assert cli("person", "link", str(pair["mentor"])) == 2
    assert "NASTAVNIK_PUBLIC_URL" in cli.err
    with database.session() as db:
        assert page_url(db.get_one(Person, pair["mentor"])) is None
