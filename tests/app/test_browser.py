"""The web pages as people use them, in a real headless Chromium (Debian's package, driven
by Playwright's Python API): a curator signs in, starts a stage, meets a refusal, retries a
failed message with htmx (the row changes, the page is not reloaded) and signs out; a
coordinator goes from the territory to the overdue stage; at a phone's 375 px no page scrolls
sideways. Screenshots of each page: tests/app/browsers.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from browsers import PHONE, chromium, shot
from factories import program
from playwright.sync_api import Browser, Page, expect
from sinks import http_server
from web_world import PASSWORD, World, fail_every_message, make_world

from deployments.prefect_server import free_port
from deployments.web_server import WebServer
from domain import database
from domain.accounts import add_account

pytestmark = pytest.mark.usefixtures("prefect_api")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def site(database_url: str) -> Iterator[tuple[str, int]]:
    """The web app on a free port, a program and its school's curator account."""
    made = program()
    with database.session() as db:
        add_account(db, login="curator", role="curator", password=PASSWORD,
                    now=datetime(2026, 9, 1, tzinfo=UTC), org_id=made.org_id)  # fmt: skip
    with WebServer("127.0.0.1", free_port(0)) as web:
        yield web.url, made.id


@pytest.fixture
def world_site(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, World]]:
    """The web app on a free port over two schools' programs with an account of every role;
    every message the curators were sent failed (their address answers 503)."""
    with http_server(status=lambda call: 503) as dead:
        world = make_world(curator_address=dead.url("/curator"))
        fail_every_message(monkeypatch)
    with WebServer("127.0.0.1", free_port(0)) as web:
        yield web.url, world


def sign_in(page: Page, url: str, login: str) -> None:
    page.goto(f"{url}/login")
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    assert page.url.endswith("/programs")


@pytest.mark.parametrize("width", [375, 1280])
def test_a_curator_starts_a_stage_and_meets_a_refusal(
    browser: Browser, site: tuple[str, int], database_url: str, width: int
) -> None:
    url, program_id = site
    page = browser.new_page(viewport={"width": width, "height": 800})
    page.goto(f"{url}/programs/{program_id}")
    assert page.url.endswith("/login")  # no session: the sign-in page
    shot(page, f"login-{width}", database_url)
    page.fill("#login", "curator")
    page.fill("#password", "не тот пароль")
    page.click("button[type=submit]")
    assert page.get_by_role("alert").inner_text() == "Неверный логин или пароль"
    page.fill("#login", "curator")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    assert page.url.endswith("/programs")
    shot(page, f"programs-{width}", database_url)

    page.click(f"a[href='/programs/{program_id}']")
    shot(page, f"program-{width}", database_url)
    page.locator("#stage-inform_teachers").get_by_role("button", name="Начать").click()
    assert page.get_by_role("status").inner_text() == "Готово"
    assert "идёт" in page.locator("#stage-inform_teachers").inner_text()
    page.locator("#stage-form_pairs").get_by_role("button", name="Начать").click()
    refusal = page.get_by_role("status").inner_text()
    assert refusal.startswith("Нельзя начать этап 19"), refusal
    shot(page, f"refusal-{width}", database_url)

    page.get_by_role("button", name="Выйти").click()
    assert page.url.endswith("/login")
    page.goto(f"{url}/programs")
    assert page.url.endswith("/login")
    page.close()


def test_a_curator_retries_a_failed_message(
    browser: Browser, world_site: tuple[str, World], database_url: str
) -> None:
    url, world = world_site
    page = browser.new_page(viewport=PHONE)
    sign_in(page, url, "curator")
    page.goto(f"{url}/programs/{world.here}")
    page.get_by_role("link", name="Сообщения").click()
    shot(page, "outbox-375", database_url)
    row = page.locator(".card.failed").first
    message = row.get_attribute("id")
    assert message and "JSON: сервер ответил кодом HTTP 503" in row.inner_text()
    page.evaluate("window.notReloaded = true")  # gone if the page were loaded again
    row.get_by_role("button", name="Повторить").click()
    swapped = page.locator(f"#{message}")
    expect(swapped).to_contain_text("Снова в очереди")
    assert "ждёт" in swapped.inner_text() and swapped.get_by_role("button").count() == 0
    assert page.evaluate("window.notReloaded") is True and page.url.endswith("/outbox")
    shot(page, "outbox-retried-375", database_url)

    page.get_by_role("link", name="Участники").click()
    expect(page.locator("table")).to_contain_text("Иванова Мария Петровна")
    shot(page, "people-375", database_url)
    page.get_by_role("link", name="Журнал", exact=True).click()
    expect(page.locator("main")).to_contain_text("Создать программу")
    shot(page, "history-375", database_url)
    page.get_by_role("link", name="Дорожная карта").click()
    stage = page.locator("#stage-inform_teachers")
    stage.get_by_text("Перенести срок").click()
    stage.locator("input[type=date]").fill("2026-09-20")
    stage.get_by_role("button", name="Перенести").click()
    expect(page.locator("#stage-inform_teachers")).to_contain_text("срок 20.09.2026")
    shot(page, "program-moved-375", database_url)
    page.close()


def test_a_coordinator_finds_the_overdue_stage(
    browser: Browser, world_site: tuple[str, World], database_url: str
) -> None:
    url, world = world_site
    page = browser.new_page(viewport=PHONE)
    sign_in(page, url, "coord")
    page.get_by_role("link", name="Территория").click()
    shot(page, "territory-375", database_url)
    page.get_by_role("link", name="Школа № 1").click()
    assert page.url.endswith(f"/territory/{world.here_org}")
    assert "Гимназия" not in page.inner_text("main")  # another municipality's school
    shot(page, "organisation-375", database_url)
    page.get_by_role("link", name=f"№{world.here} «Наставничество педагогов»").click()
    overdue = page.locator("#stage-inform_teachers .overdue")
    expect(overdue).to_contain_text("просрочен на")
    assert overdue.evaluate("e => getComputedStyle(e).color") == "rgb(176, 0, 32)"  # red
    page.goto(f"{url}/territory/{world.there_org}")
    assert "не найдена" in page.inner_text("body")
    page.close()


def test_the_administrators_pages_fit_a_phone(
    browser: Browser, world_site: tuple[str, World], database_url: str
) -> None:
    url, _ = world_site
    page = browser.new_page(viewport=PHONE)
    sign_in(page, url, "admin")
    page.get_by_role("link", name="Учётные записи").click()
    expect(page.locator("table")).to_contain_text("координатор")
    shot(page, "users-375", database_url)
    page.get_by_role("link", name="Журнал запусков").click()
    expect(page.locator("main")).to_contain_text("программа №")
    shot(page, "runs-375", database_url)
    page.close()
