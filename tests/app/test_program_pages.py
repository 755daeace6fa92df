"""A program's pages as its curator uses them, over HTTP: moving a deadline from the roadmap
(and the Russian refusal of a bad date), the people with their roles and consents (nothing
more personal), the outbox with a failed message put back in the queue (with htmx and
without), and the history linked to Prefect's UI. Real flow runs, a real sweep; SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from factories import SETUP_TIME
from sinks import http_server
from web_world import (
    World,
    client,
    csrf_of,
    fail_every_message,
    make_world,
    page_text,
    signed_in,
    text_of,
)

from domain import database
from domain.participants import Particulars
from domain.people import add_person, assign
from flows.consents import give_consent, withdraw_consent
from notifications.outbox import list_outbox

pytestmark = pytest.mark.usefixtures("prefect_api")


@pytest.fixture
def world(database_url: str) -> World:
    return make_world()


def test_a_curator_moves_a_deadline_and_a_bad_date_is_refused_in_russian(world: World) -> None:
    browser = signed_in("curator")
    token = csrf_of(browser)
    stage = f"/programs/{world.here}/stages/inform_teachers/reschedule"
    assert "срок 08.09.2026" in text_of(browser.get(f"/programs/{world.here}").text,
                                     "stage-inform_teachers")  # fmt: skip

    moved = browser.post(stage, data={"csrf": token, "due": "2026-09-20"})
    assert moved.status_code == 303 and moved.headers["location"].endswith("#stage-inform_teachers")
    shown = text_of(browser.get(moved.headers["location"]).text, "stage-inform_teachers")
    assert "срок 20.09.2026" in shown
    assert "Срок этапа перенесён: 08.09.2026 → 20.09.2026" in shown

    for typed, refusal in [
        ("31.02.2026", "Неверная дата «31.02.2026» в поле «новый срок»"),
        ("2026-08-01", "Новый срок 01.08.2026 раньше начала программы 01.09.2026"),
        ("", "Не указан новый срок"),
    ]:
        refused = browser.post(stage, data={"csrf": token, "due": typed})
        assert refused.status_code == 303, typed  # shown on the page, never a 500
        assert "?" not in refused.headers["location"]  # not in the address: in no proxy's log
        shown = text_of(browser.get(refused.headers["location"]).text, "stage-inform_teachers")
        assert refusal in shown and "срок 20.09.2026" in shown, shown
    again = browser.get(f"/programs/{world.here}").text
    assert "Не указан новый срок" not in again  # said once
    crafted = browser.get(f"/programs/{world.here}?message=Позвоните+по+номеру").text
    assert "Позвоните" not in crafted  # nobody's link puts words on the page

    # The API: one date of a recurring stage (the third meeting), and a bad date as 422.
    meetings = f"/api/v1/programs/{world.here}/stages/regular_meetings/reschedule"
    applied = browser.post(meetings, params={"due": "20.01.2027", "occurrence": 3},
                           headers={"X-CSRF-Token": token})  # fmt: skip
    assert applied.status_code == 200, applied.text
    assert (applied.json()["occurrence"], applied.json()["to_value"]) == (3, "2027-01-20")
    bad = browser.post(meetings, params={"due": "завтра"}, headers={"X-CSRF-Token": token})
    assert bad.status_code == 422 and "Неверная дата «завтра»" in bad.json()["detail"]
    page = browser.get(f"/programs/{world.here}").text
    assert "срок 20.01.2027" in text_of(page, "stage-regular_meetings-3")
    history = browser.get(f"/programs/{world.here}/history").text
    assert "Перенести срок: этап 1 «Информирование педагогов» (08.09.2026 → 20.09.2026)" in (
        page_text(history)
    )


def test_the_people_of_a_program_with_their_roles_and_consents(world: World) -> None:
    """Roles, category and consent (given, withdrawn, none); never a date of birth or an
    address, though the people have both."""
    with database.session() as db:

        def person(name: str, particulars: Particulars) -> int:
            made = add_person(db, org_id=world.here_org, name=name, now=SETUP_TIME,
                              contacts=[f"mailto://{len(name)}@school.ru"],
                              particulars=particulars)  # fmt: skip
            return made.id

        mentor = person("Петрова Анна", Particulars(category="teacher", teaching_since=2010))
        parent = person("Сидоров Олег", Particulars(category="parent"))
        pupil = add_person(db, org_id=world.here_org, name="Сидоров Ваня", now=SETUP_TIME,
                           contacts=["mailto://vanya@mail.ru"], representative_ids=[parent],
                           particulars=Particulars(birth_date=date(2013, 4, 5), category="pupil",
                                                   school_class="7Б"))  # fmt: skip
        newcomer = person("Орлова Ира", Particulars(category="teacher"))
        for who, role in [(mentor, "mentor"), (pupil.id, "mentee"), (newcomer, "mentee"),
                          (mentor, "psychologist")]:  # fmt: skip
            assign(db, program_id=world.here, person_id=who, role=role)
    give_consent(mentor, "processing", given_by_id=None, given_on=SETUP_TIME.date(),
                 document=None, actor="t", now=SETUP_TIME)  # fmt: skip
    by_parent = give_consent(pupil.id, "processing", given_by_id=parent,
                             given_on=SETUP_TIME.date(), document="№ 12", actor="t",
                             now=SETUP_TIME)  # fmt: skip
    withdraw_consent(by_parent.id, actor="t")

    browser = signed_in("curator")
    page = browser.get(f"/programs/{world.here}/people").text
    rows = {
        name: text_of(page, f"person-{pid}")
        for name, pid in [("mentor", mentor), ("pupil", pupil.id), ("newcomer", newcomer)]
    }
    assert rows == {
        "mentor": "Петрова Анна наставник, психолог педагог согласие есть",
        "pupil": "Сидоров Ваня наставляемый обучающийся согласие отозвано",
        "newcomer": "Орлова Ира наставляемый педагог согласия нет",
    }
    for personal in ("05.04.2013", "2013-04-05", "mailto", "school.ru", "vanya", "7Б", "2010"):
        assert personal not in page, personal
    listed = browser.get(f"/api/v1/programs/{world.here}/people").json()
    assert [(p["name"], p["roles"], p["consent"]) for p in listed] == [
        ("Иванова Мария Петровна", ["curator"], "missing"),
        ("Петрова Анна", ["mentor", "psychologist"], "given"),
        ("Орлова Ира", ["mentee"], "missing"),
        ("Сидоров Ваня", ["mentee"], "withdrawn"),
    ]
    assert not {"birth_date", "contacts", "school_class"} & set(listed[0])


def test_a_curator_retries_a_failed_message_with_htmx_and_without(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with http_server(status=lambda call: 503) as dead:
        world = make_world(curator_address=dead.url("/curator"))
        fail_every_message(monkeypatch)
    browser = signed_in("curator")
    token = csrf_of(browser)
    listed = browser.get(f"/api/v1/programs/{world.here}/outbox").json()
    failed = [m["id"] for m in listed["failed"]]
    assert len(failed) >= 3 and listed["counts"]["failed"] == len(failed)
    page = browser.get(f"/programs/{world.here}/outbox").text
    row = text_of(page, f"message-{failed[0]}")
    assert "не доставлено" in row and "Иванова Мария Петровна" in row and "попыток: 1" in row
    assert "Причина: JSON: сервер ответил кодом HTTP 503" in row and "Повторить" in row
    assert page.index("Не доставлено (") < page.index(f'id="message-{failed[0]}"')

    # With htmx: the answer is the row in its new state, which replaces the old one.
    retry = f"/programs/{world.here}/outbox/{failed[0]}/retry"
    swapped = browser.post(retry, data={"csrf": token}, headers={"HX-Request": "true"})
    assert swapped.status_code == 200 and swapped.text.lstrip().startswith(
        f'<div class="card" id="message-{failed[0]}">'
    )
    row = text_of(swapped.text, f"message-{failed[0]}")
    assert "ждёт" in row and "попыток: 0" in row and "Снова в очереди" in row
    assert "Повторить" not in row and "Причина" not in row
    again = browser.post(retry, data={"csrf": token}, headers={"HX-Request": "true"})
    assert "в состоянии «ждёт», а повторить можно только недоставленное" in again.text

    # Without JavaScript: a plain form, back to the page, the message there.
    plain = browser.post(f"/programs/{world.here}/outbox/{failed[1]}/retry", data={"csrf": token})
    assert plain.status_code == 303
    assert "Снова в очереди" in browser.get(plain.headers["location"]).text
    # The API, and its refusal of a message that has not failed.
    api = f"/api/v1/programs/{world.here}/outbox/{failed[1]}/retry"
    refused = browser.post(api, headers={"X-CSRF-Token": token})
    assert refused.status_code == 409 and "только недоставленное" in refused.json()["detail"]
    with database.session() as db:
        statuses = {m.id: m.status for m in list_outbox(db, program_id=world.here)}
    assert statuses[failed[0]] == statuses[failed[1]] == "queued"

    # A session that ended: htmx is told to open the sign-in page, not to put it in the row.
    ended = client().post(retry, data={"csrf": token}, headers={"HX-Request": "true"})
    assert ended.status_code == 200 and ended.headers["HX-Redirect"] == "/login"
    assert ended.text == ""

    # A message is retried through its own program only, and by those who see the program.
    theirs = browser.get(f"/api/v1/programs/{world.there}/outbox")
    assert theirs.status_code == 404
    admin = signed_in("admin")
    other_program = f"/programs/{world.there}/outbox/{failed[2]}/retry"
    assert admin.post(other_program, data={"csrf": csrf_of(admin)}).status_code == 404
    other = signed_in("other")
    assert other.post(retry, data={"csrf": csrf_of(other)}).status_code == 404
    with database.session() as db:
        assert {m.id: m.status for m in list_outbox(db, program_id=world.here)}[failed[2]] == (
            "failed"
        )


def test_the_history_links_each_run_to_the_prefect_ui(world: World, prefect_api: str) -> None:
    browser = signed_in("curator")
    token = csrf_of(browser)
    browser.post(f"/programs/{world.here}/stages/inform_teachers/start", data={"csrf": token})
    browser.post(f"/programs/{world.here}/stages/inform_parents/skip",
                 data={"csrf": token, "reason": "программа для педагогов"})  # fmt: skip
    rows = browser.get(f"/api/v1/programs/{world.here}/history").json()
    assert [(r["action"], r["status"]) for r in rows] == [
        ("skip", "applied"),
        ("start", "applied"),
        ("create", "applied"),
    ]
    page = browser.get(f"/programs/{world.here}/history").text
    ui = prefect_api.removesuffix("/api")
    for row in rows[:2]:
        assert f'href="{ui}/runs/flow-run/{row["flow_run_id"]}"' in page
    started = text_of(page, f"entry-{rows[1]['id']}")
    assert started.endswith(
        "Начать: этап 1 «Информирование педагогов» (запланирован → идёт) — выполнено; curator "
        f"Запуск Prefect: {rows[1]['flow_run_id']}"
    )
    assert "Причина: программа для педагогов" in text_of(page, f"entry-{rows[0]['id']}")
