"""The web pages and the JSON API over HTTP (issue 10, first pages): sign-in with throttling and
cookie flags, CSRF on every change, and every route with every role and with no session
allowed or refused as the scopes say. Stage actions run real flow runs. SQLite and PostgreSQL.
(The same in Chromium, at 375 px, comes with the next pages.)"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from factories import program
from fastapi.testclient import TestClient

from app.web.main import create_app
from app.web.sessions import COOKIE, FAILURES_ALLOWED
from domain import database
from domain.accounts import add_account
from domain.history import program_history
from domain.models import Organisation

pytestmark = pytest.mark.usefixtures("prefect_api")
NOW = datetime(2026, 9, 1, 9, tzinfo=UTC)
PASSWORD = "Верный-пароль-2026"


def client() -> TestClient:
    return TestClient(create_app(), base_url="https://testserver", follow_redirects=False)


def signed_in(login: str) -> TestClient:
    browser = client()
    page = browser.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token
    answer = browser.post("/login", data={"login": login, "password": PASSWORD, "csrf": token[1]})
    assert answer.status_code == 303 and answer.headers["location"] == "/programs", answer.text
    return browser


def csrf_of(browser: TestClient, program_id: int) -> str:
    token = re.search(r'name="csrf" value="([^"]+)"', browser.get(f"/programs/{program_id}").text)
    assert token
    return token[1]


@pytest.fixture
def world(database_url: str) -> dict[str, int]:
    """Two programs in two municipalities; an administrator, the first municipality's
    coordinator, the first school's curator and a curator of another school."""
    here, there = program(), program()
    with database.session() as db:
        school = db.get(Organisation, here.org_id)
        assert school is not None and school.parent_id is not None
        for login, role, org in (
            ("admin", "administrator", None),
            ("coord", "coordinator", school.parent_id),
            ("curator", "curator", here.org_id),
            ("other", "curator", there.org_id),
        ):
            add_account(db, login=login, role=role, password=PASSWORD, now=NOW, org_id=org)
    return {"here": here.id, "there": there.id}


def test_sign_in_sets_a_safe_cookie_and_is_throttled(world: dict[str, int]) -> None:
    browser = signed_in("curator")
    cookie = next(c for c in browser.cookies.jar if c.name == COOKIE)
    assert cookie.secure and cookie.has_nonstandard_attr("HttpOnly")
    header = browser.post("/login", data={}).headers  # nothing: a 422 from the form, no cookie
    assert "set-cookie" not in header
    stranger = client()
    token = re.search(r'value="([^"]+)"', stranger.get("/login").text)
    assert token
    for _ in range(FAILURES_ALLOWED):
        wrong = stranger.post("/login", data={"login": "coord", "password": "x" * 12,
                                              "csrf": token[1]})  # fmt: skip
        assert wrong.status_code == 401 and "Неверный логин или пароль" in wrong.text
        token = re.search(r'value="([^"]+)"', wrong.text)
        assert token
    blocked = stranger.post("/login", data={"login": "coord", "password": PASSWORD,
                                            "csrf": token[1]})  # fmt: skip
    assert blocked.status_code == 429 and "подождите" in blocked.text
    forged = client()
    forged.cookies.set(COOKIE, "gAAAAA" + "x" * 100, domain="testserver")
    assert forged.get("/programs").headers["location"] == "/login"


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        (None, set()),
        ("admin", {"here", "there"}),
        ("coord", {"here"}),
        ("curator", {"here"}),
        ("other", {"there"}),
    ],
)
def test_every_route_with_every_role(
    world: dict[str, int], who: str | None, sees: set[str]
) -> None:
    browser = signed_in(who) if who else client()
    for name, program_id in world.items():
        page = browser.get(f"/programs/{program_id}")
        api = browser.get(f"/api/v1/programs/{program_id}")
        if who is None:
            assert page.status_code == 303 and page.headers["location"] == "/login"
            assert api.status_code == 401 and api.json()["detail"] == "Войдите в систему"
        elif name in sees:
            assert page.status_code == 200 and "Информирование педагогов" in page.text
            assert api.status_code == 200 and api.json()["id"] == program_id
        else:  # out of scope is answered as not there
            assert page.status_code == 404 and "не найдена" in page.text
            assert api.status_code == 404
    listed = browser.get("/api/v1/programs")
    if who is None:
        assert listed.status_code == 401
    else:
        assert {p["id"] for p in listed.json()} == {world[name] for name in sees}
        # A change without the session's CSRF token is refused, whatever the scope.
        refused = browser.post(f"/api/v1/programs/{world['here']}/stages/1/start")
        assert refused.status_code == 403
        form = browser.post(f"/programs/{world['here']}/stages/1/start", data={"csrf": "x"})
        assert form.status_code == 403


def test_a_curator_starts_a_stage_and_meets_a_refusal_in_russian(world: dict[str, int]) -> None:
    browser = signed_in("curator")
    here = world["here"]
    token = csrf_of(browser, here)
    done = browser.post(f"/programs/{here}/stages/inform_teachers/start", data={"csrf": token})
    assert done.status_code == 303
    page = browser.get(done.headers["location"])
    assert "Готово" in page.text and "идёт" in page.text
    refused = browser.post(f"/programs/{here}/stages/form_pairs/start", data={"csrf": token})
    page = browser.get(refused.headers["location"])
    assert "Нельзя начать этап 19" in page.text
    applied = browser.post(
        f"/api/v1/programs/{here}/stages/inform_teachers/complete",
        headers={"X-CSRF-Token": token},
    )
    assert applied.status_code == 200 and applied.json()["to_value"] == "done"
    again = browser.post(
        f"/api/v1/programs/{here}/stages/inform_teachers/complete",
        headers={"X-CSRF-Token": token},
    )
    assert again.status_code == 409 and "Нельзя" in again.json()["detail"]
    with database.session() as db:
        actors = {row.actor for row in program_history(db, here) if row.action != "create"}
    assert actors == {"curator"}  # the signed-in account is the actor


def test_the_administrator_finds_every_run_and_nobody_else_sees_the_page(
    world: dict[str, int], prefect_api: str
) -> None:
    curator = signed_in("curator")
    token = csrf_of(curator, world["here"])
    curator.post(f"/programs/{world['here']}/stages/inform_teachers/start", data={"csrf": token})
    curator.post(f"/programs/{world['here']}/stages/form_pairs/start", data={"csrf": token})
    for who in ("coord", "curator", "other"):
        browser = signed_in(who)
        assert browser.get("/runs").status_code == 404
        assert browser.get("/api/v1/runs").status_code == 404
    assert client().get("/api/v1/runs").status_code == 401

    admin = signed_in("admin")
    runs = admin.get("/api/v1/runs", params={"program": world["here"]}).json()
    # Newest first; the refused start of stage 19 was refused at its check: nothing stored.
    assert [(r["entry"]["action"], r["entry"]["status"]) for r in runs] == [
        ("start", "applied"),
        ("create", "applied"),
    ]
    assert runs[0]["entry"]["flow_run_id"]  # the applied action names its flow run
    assert admin.get("/api/v1/runs", params={"status": "refused"}).json() == []
    assert (
        admin.get("/api/v1/runs", params={"program": world["there"]}).json()[0]["entry"]["action"]
        == "create"
    )
    page = admin.get("/runs", params={"stage": "inform_teachers"})
    ui = prefect_api.removesuffix("/api")
    assert f'href="{ui}/runs/flow-run/{runs[0]["entry"]["flow_run_id"]}"' in page.text


def test_a_coordinator_finds_the_overdue_stage_on_the_territory_page(
    world: dict[str, int],
) -> None:
    """Stage 1 of every program is due on 8 September: by now both are overdue. The
    coordinator sees their municipality's schools (the other municipality's not); a curator has
    no territory page."""
    coordinator = signed_in("coord")
    orgs = coordinator.get("/api/v1/territory").json()
    programs = {p["id"] for org in orgs for p in org["programs"]}
    assert programs == {world["here"]}
    first = orgs[0]
    assert first["stages_overdue"] > 0 and first["programs"][0]["id"] == world["here"]
    page = coordinator.get("/territory")
    assert page.status_code == 200 and "просрочено этапов" in page.text
    assert f'href="/programs/{world["there"]}"' not in page.text
    admin = {p["id"] for o in signed_in("admin").get("/api/v1/territory").json()
             for p in o["programs"]}  # fmt: skip
    assert admin == {world["here"], world["there"]}
    assert signed_in("curator").get("/territory").status_code == 404
    assert client().get("/api/v1/territory").status_code == 401
