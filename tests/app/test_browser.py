"""The web pages as a curator uses them, in a real headless Chromium (Debian's package, driven
by Playwright's Python API): sign in, open a program, start a stage, meet a refusal, sign out;
at a phone's 375 px no page scrolls sideways. Screenshots of each page go to
$NASTAVNIK_SCREENSHOTS (default test-screenshots/ in the working folder). A missing browser
fails the test: it is never skipped."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from factories import program
from playwright.sync_api import Browser, Page, sync_playwright

from deployments.prefect_server import free_port
from deployments.web_server import WebServer
from domain import database
from domain.accounts import add_account

pytestmark = pytest.mark.usefixtures("prefect_api")
PASSWORD = "Верный-пароль-2026"
SCREENSHOTS = Path(os.environ.get("NASTAVNIK_SCREENSHOTS", "test-screenshots"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is not installed: the README's test command installs it"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def site(database_url: str) -> Iterator[tuple[str, int]]:
    """The web app on a free port, a program and its school's curator account."""
    made = program()
    with database.session() as db:
        add_account(db, login="curator", role="curator", password=PASSWORD,
                    now=datetime(2026, 9, 1, tzinfo=UTC), org_id=made.org_id)  # fmt: skip
    with WebServer("127.0.0.1", free_port(0)) as web:
        yield web.url, made.id


def shot(page: Page, name: str, database_url: str) -> None:
    """A screenshot, and the check a phone needs: nothing wider than the screen."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    dialect = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    page.screenshot(path=SCREENSHOTS / f"{name}-{dialect}.png", full_page=True)
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"{name} scrolls sideways by {wide} px at {page.viewport_size}"


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
