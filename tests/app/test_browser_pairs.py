"""The pairs page as a curator uses it, in a real headless Chromium at a phone's 375 px: stage
19's flow has proposed the pairs; the curator opens «Почему эта пара», pins a pair from the form
(htmx: the proposal changes in place, the page is not reloaded), sees it marked and the others
matched again, and meets a refused pin's reason in the same place. Nothing scrolls sideways.
Screenshots `pairs` and `pairs-pinned`: tests/app/browsers.py. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from browsers import PHONE, chromium, shot
from factories import WITHOUT_CONSENT, matching_program
from playwright.sync_api import expect
from web_world import PASSWORD

from deployments.prefect_server import free_port
from deployments.web_server import WebServer
from domain import database
from domain.accounts import add_account
from domain.models import Program
from domain.states import Action
from flows.actions import act_on_stage

pytestmark = pytest.mark.usefixtures("prefect_api")

ORLOVA, EGOROV = "Орлова Анна Сергеевна", "Егоров Павел Ильич"
MALTSEV, SOKOLOVA = "Мальцев Игорь Олегович", "Соколова Вера Андреевна"


def test_a_curator_reads_why_and_pins_a_pair_on_a_phone(database_url: str) -> None:
    ids = matching_program()
    program_id = ids["program"]
    with database.session() as db:
        add_account(db, login="curator", role="curator", password=PASSWORD,
                    now=datetime(2026, 9, 1, tzinfo=UTC),
                    org_id=db.get_one(Program, program_id).org_id)  # fmt: skip
    # The flow run before the browser opens: Playwright's sync API holds this thread's loop.
    asyncio.run(act_on_stage(program_id, "form_pairs", Action.START, actor="curator"))

    def pair(mentor: str, mentee: str) -> str:
        return f"#pair-{ids[mentor]}-{ids[mentee]}"

    with WebServer("127.0.0.1", free_port(0)) as web, chromium() as browser:
        page = browser.new_page(viewport=PHONE)
        page.goto(f"{web.url}/login")
        page.fill("#login", "curator")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{web.url}/programs/{program_id}")
        page.get_by_role("link", name="Пары", exact=True).click()
        assert page.url.endswith(f"/programs/{program_id}/pairs")

        first = page.locator(pair(ORLOVA, MALTSEV))
        why = first.locator("details .why")
        expect(why).to_be_hidden()
        first.get_by_text("Почему эта пара").click()
        expect(why).to_be_visible()
        expect(why).to_contain_text("Общие интересы: 1,00 × 1 = 1,00")
        shot(page, "pairs", database_url)

        page.evaluate("window.notReloaded = true")  # gone if the page were loaded again
        form = page.locator("#rule-form")
        form.get_by_label("Наставник").select_option(str(ids[EGOROV]))
        form.get_by_label("Наставляемый").select_option(str(ids[MALTSEV]))
        form.get_by_role("button", name="Закрепить пару").click()
        pinned = page.locator(pair(EGOROV, MALTSEV))
        expect(pinned).to_contain_text("закреплена куратором")
        expect(page.locator(pair(ORLOVA, SOKOLOVA))).to_be_visible()  # matched again
        expect(page.locator(pair(ORLOVA, MALTSEV))).to_have_count(0)
        expect(page.locator("#matching [role=status]")).to_contain_text(
            f"Пара {EGOROV} – {MALTSEV} закреплена куратором"
        )
        assert page.evaluate("window.notReloaded") is True
        shot(page, "pairs-pinned", database_url)

        # A refused pin: its reason comes back in place too, although answered with 422.
        form = page.locator("#rule-form")
        assert form.get_by_label("Наставник").input_value() == ""  # done: the form afresh
        form.get_by_label("Наставник").select_option(str(ids[EGOROV]))
        form.get_by_label("Наставляемый").select_option(str(ids[WITHOUT_CONSENT]))
        form.get_by_role("button", name="Закрепить пару").click()
        expect(page.locator("#matching [role=status]")).to_contain_text(
            "нет действующего согласия на обработку персональных данных"
        )
        expect(page.locator(pair(EGOROV, MALTSEV))).to_contain_text("закреплена куратором")
        expect(form.get_by_label("Наставляемый")).to_have_value(str(ids[WITHOUT_CONSENT]))
        assert page.evaluate("window.notReloaded") is True
        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 0, f"the refusal makes the page scroll sideways by {wide} px"
        page.close()
