"""The web pages and the JSON API over HTTP (issue 10): sign-in with throttling and cookie
flags, CSRF on every change, every route with every role and with no session allowed or
refused as the scopes say, and htmx served by the application itself. Stage actions run real
flow runs. SQLite and PostgreSQL. (Each group of pages in use: test_program_pages.py,
test_territory_and_admin_pages.py; in Chromium, at 375 px: test_browser.py.)"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from sqlmodel import select
from web_world import PASSWORD, World, client, csrf_of, make_world, signed_in

from app.web.assets import STATIC
from app.web.sessions import COOKIE, FAILURES_ALLOWED
from domain import database
from domain.history import program_history
from domain.models import MatchProposal, MatchRule, MatchSetup

pytestmark = pytest.mark.usefixtures("prefect_api")


@pytest.fixture
def world(database_url: str) -> World:
    return make_world()


def test_sign_in_sets_a_safe_cookie_and_is_throttled(world: World) -> None:
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


# A program's pages, under /programs/{id}, and what each shows to one who may see it.
PROGRAM_SECTIONS = {
    "": "Информирование педагогов",
    "/people": "Иванова Мария Петровна",
    "/pairs": "Пары ещё не подобраны",
    "/outbox": "Недоставленных сообщений нет",
    "/history": "Создать программу",
}


@pytest.mark.parametrize(
    ("who", "sees", "orgs"),
    [
        (None, set(), set()),
        ("admin", {"here", "there"}, {"here", "there", "town"}),
        ("coord", {"here"}, {"here", "town"}),
        ("curator", {"here"}, set()),
        ("other", {"there"}, set()),
    ],
)
def test_every_route_with_every_role(
    world: World, who: str | None, sees: set[str], orgs: set[str]
) -> None:
    """Every page and its JSON twin (/api/v1 + the page's path): without a session the sign-in
    page or 401; in scope 200; out of scope, or an id nobody has, 404 as if not there."""
    browser = signed_in(who) if who else client()

    def check(path: str, allowed: bool, shows: str | None = None) -> None:
        page, api = browser.get(path), browser.get(f"/api/v1{path}")
        if who is None:
            assert page.status_code == 303 and page.headers["location"] == "/login", path
            assert api.status_code == 401 and api.json()["detail"] == "Войдите в систему", path
        elif allowed:
            assert page.status_code == 200 and (shows or "") in page.text, path
            assert api.status_code == 200, path
        else:
            assert page.status_code == 404 and "не найден" in page.text, path
            assert api.status_code == 404 and "не найден" in api.json()["detail"], path

    for name, program_id in world.programs.items():
        for section, shows in PROGRAM_SECTIONS.items():
            check(f"/programs/{program_id}{section}", name in sees, shows)
        for order in ("order.docx", "order.html"):  # a document, not a page: no JSON twin
            answer = browser.get(f"/programs/{program_id}/pairs/{order}")
            if who is None:
                assert answer.headers["location"] == "/login", order
            else:  # in scope: the order before the pairs are fixed is not there either
                said = "ещё не закреплены приказом" if name in sees else "не найдена"
                assert answer.status_code == 404 and said in answer.text, (order, name)
    check("/territory", who in ("admin", "coord"), "Организации и их программы")
    for name, org_id in world.orgs.items():
        check(f"/territory/{org_id}", name in orgs)
    check("/users", who == "admin", "Учётные записи")
    check("/runs", who == "admin", "Журнал запусков")
    for nobody in (world.there + 100, 2**31, 10**12):  # beyond an integer column too
        check(f"/programs/{nobody}/outbox", False)
        check(f"/programs/{nobody}/pairs", False)
        check(f"/territory/{nobody}", False)

    listed = browser.get("/api/v1/programs")
    if who is None:
        assert listed.status_code == 401
    else:
        assert {p["id"] for p in listed.json()} == {world.programs[name] for name in sees}
    # A change without the session's CSRF token is refused, whatever the scope.
    changes = [
        f"/programs/{world.here}/stages/inform_teachers/start",
        f"/programs/{world.here}/stages/inform_teachers/reschedule",
        f"/programs/{world.here}/outbox/1/retry",
        *(f"/programs/{world.here}/pairs/{action}"
          for action in ("run", "setup", "pin", "forbid", "unset")),
    ]  # fmt: skip
    for path in [*changes, "/users"]:
        form = browser.post(path, data={"csrf": "x", "due": "2026-10-01", "login": "new.one"})
        assert form.status_code == (303 if who is None else 403), path
    for path in changes:
        api = browser.post(f"/api/v1{path}", params={"due": "2026-10-01"},
                           headers={"X-CSRF-Token": "x"})  # fmt: skip
        assert api.status_code == (401 if who is None else 403), path
    with database.session() as db:  # nothing was done
        assert [row.action for row in program_history(db, world.here)] == ["create"]
        for kept in (MatchSetup, MatchRule, MatchProposal):
            assert db.exec(select(kept)).first() is None, kept


def test_a_curator_starts_a_stage_and_meets_a_refusal_in_russian(world: World) -> None:
    browser = signed_in("curator")
    here = world.here
    token = csrf_of(browser)
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
    world: World, prefect_api: str
) -> None:
    curator = signed_in("curator")
    token = csrf_of(curator)
    curator.post(f"/programs/{world.here}/stages/inform_teachers/start", data={"csrf": token})
    curator.post(f"/programs/{world.here}/stages/form_pairs/start", data={"csrf": token})
    for who in ("coord", "curator", "other"):
        browser = signed_in(who)
        assert browser.get("/runs").status_code == 404
        assert browser.get("/api/v1/runs").status_code == 404
    assert client().get("/api/v1/runs").status_code == 401

    admin = signed_in("admin")
    runs = admin.get("/api/v1/runs", params={"program": world.here}).json()
    # Newest first; the refused start of stage 19 was refused at its check: nothing stored.
    assert [(r["entry"]["action"], r["entry"]["status"]) for r in runs] == [
        ("start", "applied"),
        ("create", "applied"),
    ]
    assert runs[0]["entry"]["flow_run_id"]  # the applied action names its flow run
    assert admin.get("/api/v1/runs", params={"status": "refused"}).json() == []
    assert (
        admin.get("/api/v1/runs", params={"program": world.there}).json()[0]["entry"]["action"]
        == "create"
    )
    page = admin.get("/runs", params={"stage": "inform_teachers"})
    ui = prefect_api.removesuffix("/api")
    assert f'href="{ui}/runs/flow-run/{runs[0]["entry"]["flow_run_id"]}"' in page.text


def test_a_coordinator_finds_the_overdue_stage_on_the_territory_page(
    world: World,
) -> None:
    """Stage 1 of every program is due on 8 September: by now both are overdue. The
    coordinator sees their municipality's schools (the other municipality's not); a curator has
    no territory page."""
    coordinator = signed_in("coord")
    orgs = coordinator.get("/api/v1/territory").json()
    programs = {p["id"] for org in orgs for p in org["programs"]}
    assert programs == {world.here}
    first = orgs[0]
    assert first["stages_overdue"] > 0 and first["programs"][0]["id"] == world.here
    page = coordinator.get("/territory")
    assert page.status_code == 200 and "просрочено этапов" in page.text
    assert f'href="/programs/{world.there}"' not in page.text
    admin = {p["id"] for o in signed_in("admin").get("/api/v1/territory").json()
             for p in o["programs"]}  # fmt: skip
    assert admin == {world.here, world.there}
    assert signed_in("curator").get("/territory").status_code == 404
    assert client().get("/api/v1/territory").status_code == 401


def test_htmx_comes_from_the_application_itself_and_is_kept_by_browsers(world: World) -> None:
    """No CDN: every page loads htmx 2 from /static, by an address that changes with the file,
    so that a browser may keep it for a year."""
    browser = signed_in("curator")
    script = re.search(r'<script src="(/static/htmx\.min\.js\?v=[0-9a-f]{12})" defer>',
                       browser.get(f"/programs/{world.here}").text)  # fmt: skip
    assert script, "the program page does not load htmx from /static"
    served = client().get(script[1])  # a static file needs no session
    assert served.status_code == 200 and 'version:"2.' in served.text
    assert "max-age=31536000" in served.headers["cache-control"]
    assert served.content == (STATIC / "htmx.min.js").read_bytes()
    assert client().get("/static/nothing.js").status_code == 404


def test_every_template_and_static_file_is_in_the_package() -> None:
    """An installed package carries what its pages need: each file of templates/ and static/ is
    matched by pyproject.toml's package-data (a new subfolder would not be)."""
    root = Path(__file__).resolve().parents[2]
    web = root / "app" / "web"
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["app.web"]
    files = [f for folder in ("templates", "static") for f in (web / folder).rglob("*")
             if f.is_file()]  # fmt: skip
    assert len(files) > 10
    unshipped = [f for f in files if not any(f.relative_to(web).match(p) for p in patterns)]
    assert not unshipped, f"not in package-data: {unshipped}"
