"""What the web tests start from, made through the real services: two schools in two
municipalities, each with a program, and an account of every role; a client that signs in
as a person does; and messages that failed for real, by a real sweep against an endpoint that
answers 503."""

from __future__ import annotations

import asyncio
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from factories import SETUP_TIME, START, school
from fastapi.testclient import TestClient

from app.web.main import create_app
from domain import database
from domain.accounts import add_account
from domain.models import Organisation
from domain.people import add_person
from domain.programs import create_program
from domain.schedule import as_moment

NOW = datetime(2026, 9, 1, 9, tzinfo=UTC)
PASSWORD = "Верный-пароль-2026"
CURATOR_ADDRESS = "mailto://ivanova@school.ru"
# Stage 1 is overdue and stages 2-4 are due in three days: the curator hears of four things.
SWEEP_AT = as_moment(datetime(2026, 9, 12, 10), "Europe/Moscow")


@dataclass(frozen=True)
class World:
    here: int  # a program of the first school
    there: int  # a program of the second school, in another municipality
    here_org: int
    there_org: int
    town: int  # the first school's municipality

    @property
    def programs(self) -> dict[str, int]:
        return {"here": self.here, "there": self.there}

    @property
    def orgs(self) -> dict[str, int]:
        return {"here": self.here_org, "there": self.there_org, "town": self.town}


def program_of(org_id: int, curator_address: str) -> int:
    """A program of a school; its curator is a person of the school, heard at that address."""
    with database.session() as db:
        curator = add_person(db, org_id=org_id, name="Иванова Мария Петровна",
                             contacts=[curator_address], now=SETUP_TIME)  # fmt: skip
        made = create_program(db, org_id=org_id, title="Наставничество педагогов",
                              forms=["teacher_teacher"], start=START, curator=curator.id,
                              actor="test-curator", now=SETUP_TIME)  # fmt: skip
        return made.id


def make_world(curator_address: str = CURATOR_ADDRESS) -> World:
    """Two programs in two municipalities; an administrator, the first municipality's
    coordinator, the first school's curator and a curator of the other school."""
    here_org, there_org = school(name="Школа № 1"), school(name="Гимназия № 2")
    here, there = program_of(here_org, curator_address), program_of(there_org, curator_address)
    with database.session() as db:
        first = db.get(Organisation, here_org)
        assert first is not None and first.parent_id is not None
        town = first.parent_id
        for login, role, org in (
            ("admin", "administrator", None),
            ("coord", "coordinator", town),
            ("curator", "curator", here_org),
            ("other", "curator", there_org),
        ):
            add_account(db, login=login, role=role, password=PASSWORD, now=NOW, org_id=org)
    return World(here, there, here_org, there_org, town)


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


def csrf_of(browser: TestClient) -> str:
    """The session's CSRF token, as every signed-in page carries it."""
    token = re.search(r'name="csrf" value="([^"]+)"', browser.get("/programs").text)
    assert token
    return token[1]


def fail_every_message(monkeypatch: pytest.MonkeyPatch) -> int:
    """Run a real reminder sweep at SWEEP_AT whose every delivery fails, and whose first failure
    is final (NASTAVNIK_MAX_ATTEMPTS=1): the curators' addresses must answer 503. On a thread of
    its own, since Playwright's event loop may be running on this one. How many failed."""
    from flows.reminders import SweepOutcome, reminder_sweep

    monkeypatch.setenv("NASTAVNIK_MAX_ATTEMPTS", "1")
    outcome: list[SweepOutcome] = []
    sweep = threading.Thread(target=lambda: outcome.append(asyncio.run(reminder_sweep(SWEEP_AT))))
    sweep.start()
    sweep.join()
    assert outcome, "the sweep did not finish"
    assert outcome[0].sent == 0 and outcome[0].failed >= 4, outcome[0]
    return outcome[0].failed


class _Element(HTMLParser):
    """The text inside the element with a given id, its nesting followed."""

    VOID = frozenset({"input", "br", "img", "meta", "link", "hr"})

    def __init__(self, element_id: str) -> None:
        super().__init__()
        self.element_id, self.depth, self.found = element_id, 0, False
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        if self.depth:
            self.depth += 1
        elif ("id", self.element_id) in attrs:
            self.depth, self.found = 1, True

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag not in self.VOID:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.text.append(data)


def text_of(page: str, element_id: str) -> str:
    """What a person reads in one element of a page (a stage's card, a message's row): its
    text, white space folded."""
    parser = _Element(element_id)
    parser.feed(page)
    assert parser.found, f"no #{element_id} on the page"
    return " ".join("".join(parser.text).split())


def page_text(page: str) -> str:
    """A whole page's text, white space folded."""
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())
