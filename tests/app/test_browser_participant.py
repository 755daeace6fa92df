"""A participant as they use Nastavnik, in a real headless Chromium at a phone's 375 px: the
invitation to the first meeting arrives at a real local SMTP server (aiosmtpd), sent by a real
sweep; they tap the button in its HTML part, land on their own page, and mark the meeting
held. Screenshots: tests/app/browsers.py. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from browsers import PHONE, chromium, shot
from factories import SETUP_TIME, close_prerequisites, consented, school
from playwright.sync_api import Page, expect
from sinks import received, smtp_server

from deployments.prefect_server import free_port
from deployments.web_server import WebServer
from domain import database
from domain.meetings import marks_by_date
from domain.models import Organisation, Stage
from domain.people import add_person, assign
from domain.programs import create_program
from domain.states import Action
from flows.actions import act_on_stage
from flows.reminders import reminder_sweep

pytestmark = pytest.mark.usefixtures("prefect_api")
BUTTON = re.compile(r'<a href="(http://127\.0\.0\.1:\d+/p/[^"]+)"[^>]*>\s*Открыть мою страницу')


@pytest.fixture
def site(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The web app on a free port, its address the public one personal links start with."""
    with WebServer("127.0.0.1", free_port(0)) as web:
        monkeypatch.setenv("NASTAVNIK_PUBLIC_URL", web.url)
        yield web.url


@pytest.fixture
def invitation(site: str, database_url: str) -> tuple[str, int]:
    """The first meeting has started and a real sweep sent the mentor's invitation through the
    school's own SMTP server: the personal link of its HTML part's button, and the program."""
    with smtp_server() as (port, inbox):
        org_id = school()
        with database.session() as db:
            org = db.get_one(Organisation, org_id)
            org.smtp_url = f"mailto://127.0.0.1:{port}?from=noreply@school.ru"
            org.send_from_hour, org.send_until_hour = 0, 24
            made = create_program(db, org_id=org_id, title="Учитель – учитель",
                                  start=SETUP_TIME.date(), actor="t", now=SETUP_TIME)  # fmt: skip
            mentor = add_person(db, org_id=org_id, name="Петрова Анна Сергеевна",
                                contacts=["mailto://petrova@s.ru"], now=SETUP_TIME)  # fmt: skip
            assign(db, program_id=made.id, person_id=mentor.id, role="mentor")
            mentor_id = mentor.id
        consented(mentor_id)
        close_prerequisites(made.id, "first_meeting")
        asyncio.run(act_on_stage(made.id, "first_meeting", Action.START, actor="curator"))
        asyncio.run(reminder_sweep(datetime.now(UTC)))
        [envelope] = inbox.envelopes
    html = received(envelope).get_body(preferencelist=("html",))
    assert html is not None
    link = BUTTON.search(str(html.get_content()))
    assert link, html.get_content()
    return link[1], made.id


@pytest.fixture
def phone(invitation: tuple[str, int]) -> Iterator[Page]:
    """A phone's browser, opened after the flow runs (see tests/app/browsers.py)."""
    with chromium() as browser:
        page = browser.new_page(viewport=PHONE)
        yield page
        page.close()


def test_a_participant_opens_the_link_in_the_invitation_and_marks_the_meeting_held(
    invitation: tuple[str, int], phone: Page, database_url: str
) -> None:
    link, program_id = invitation
    phone.goto(link)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Петрова Анна Сергеевна")
    expect(phone.locator("#stage-21")).to_contain_text("Первая встреча")
    shot(phone, "participant-page-375", database_url)
    phone.locator("#stage-21").get_by_role("button", name="Встреча проведена").click()
    expect(phone.get_by_role("status")).to_contain_text("Отмечено: встреча прошла")
    expect(phone.locator("#stage-21")).to_contain_text("отмечена")
    shot(phone, "participant-meeting-marked-375", database_url)
    with database.session() as db:
        stage = db.query(Stage).filter_by(program_id=program_id, code="first_meeting").one()
        assert marks_by_date(db, stage.id) == {0: 1}
