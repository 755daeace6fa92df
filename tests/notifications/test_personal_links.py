"""Messages as people read them, sent by real sweeps through real local servers: every message
carries the recipient's personal link (made when it is sent, never stored), and an e-mail is
our own multipart/alternative message: the text as stored plus the link, an HTML part that
wraps on a phone with the link as a button, and a From that names the school. Each message
is parsed as the local SMTP server (aiosmtpd) or HTTP server received it. On SQLite and on
PostgreSQL."""

from __future__ import annotations

import email
import email.policy
import logging
import re
from datetime import date, datetime, timedelta
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.utils import parseaddr
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from aiosmtpd.smtp import Envelope
from factories import close_prerequisites, school_with_director
from sinks import http_server, plain_text, received, smtp_server

from domain import database
from domain.errors import AccessRefused
from domain.person_links import read_token, revoke_links
from domain.programs import program_stages
from domain.schedule import as_moment
from domain.states import Action
from flows.actions import act_on_stage
from flows.reminders import reminder_sweep
from notifications.delivery import Outgoing, deliver, with_smtp
from notifications.outbox import list_outbox

pytestmark = pytest.mark.usefixtures("prefect_api")

PUBLIC = "https://nastavnik.school.ru"
LINK = re.compile(re.escape(PUBLIC) + r"/p/([A-Za-z0-9_=-]+)")
SENDER = "noreply@school.ru"
# Quotes, an ampersand and angle brackets: text in the HTML part, never markup; a quoted
# display name in From.
ORG_NAME = 'Школа "Ромашка" & Co <5>'


def moscow(day: date, hour: int) -> datetime:
    return as_moment(datetime(day.year, day.month, day.day, hour), "Europe/Moscow")


STARTED = moscow(date(2026, 11, 17), 9)
SWEEP = moscow(date(2026, 11, 17), 10)
LINK_LINE = "Ваша страница в «Наставнике» (ссылка личная, не пересылайте её):"


@pytest.fixture
def public_url(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("NASTAVNIK_PUBLIC_URL", PUBLIC)
    return PUBLIC


async def invite_director(program_id: int) -> None:
    """Stage 20 «Закрепление пар» starts: an invitation to the director, and the sweep."""
    close_prerequisites(program_id, "fix_pairs")
    await act_on_stage(program_id, "fix_pairs", Action.START, actor="t", now=STARTED)
    outcome = await reminder_sweep(SWEEP)
    assert (outcome.sent, outcome.failed, outcome.retrying) == (1, 0, 0)


def stored(person_id: int) -> list[tuple[str, str]]:
    """(subject, body) of the person's messages as the outbox keeps them, oldest first."""
    with database.session() as db:
        rows = db.execute(
            sa.text("SELECT subject, body FROM outbox WHERE person_id = :id ORDER BY id"),
            {"id": person_id},
        ).all()
    return [(subject, body) for subject, body in rows]


def person_of(token: str) -> int | None:
    with database.session() as db:
        person = read_token(db, token)
        return person.id


def html_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None and part.get_content_type() == "text/html"
    content = part.get_content()
    assert isinstance(content, str)
    return content


def sender(envelope: Envelope) -> tuple[str, str]:
    """From's display name and address, decoded by RFC 2047's rule that the white space
    between two encoded words is no text (email.header). The policy-based parser keeps it, so
    a display name folded inside a word would read «Ромаш ка» there (CPython 3.11)."""
    assert isinstance(envelope.content, bytes)
    raw = email.message_from_bytes(envelope.content, policy=email.policy.compat32)["From"]
    name, address = parseaddr(str(raw))
    return str(make_header(decode_header(name))), address


class Html(HTMLParser):
    """The tags, the links and the text of an HTML part, as a browser would read them."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.links: list[tuple[str, str]] = []  # (href, text)
        self.text: list[str] = []
        self._href: str | None = None
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag == "a":
            self._href = dict(attrs).get("href") or ""
            self.links.append((self._href, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._href = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._href is not None:
            href, text = self.links[-1]
            self.links[-1] = (href, text + data)

    def words(self) -> str:
        return " ".join("".join(self.text).split())


# --- e-mail -------------------------------------------------------------------------------------


async def test_an_invitation_is_text_and_html_with_the_personal_link_from_the_school(
    database_url: str, public_url: str
) -> None:
    with smtp_server() as (port, inbox):
        program_id, director = school_with_director(
            ORG_NAME, "mailto://director@school.ru", smtp=f"mailto://127.0.0.1:{port}?from={SENDER}"
        )
        await invite_director(program_id)
    [envelope] = inbox.envelopes
    message = received(envelope)
    [(subject, body)] = stored(director)
    assert PUBLIC not in body  # the outbox keeps the text without the link

    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    assert str(message["Subject"]) == subject
    assert message["Message-ID"] and message["Date"]

    # The text as stored, its line breaks kept, and the link under it.
    text = plain_text(message)
    [token] = LINK.findall(text)
    link = f"{PUBLIC}/p/{token}"
    assert text == f"{body}\n\n{LINK_LINE}\n{link}"
    assert "\n\n" in body and ORG_NAME in body

    # The HTML part: ordinary spaces, the text escaped, the link as a button and as text.
    markup = html_part(message)
    assert "&nbsp;" not in markup and "\xa0" not in markup
    assert ORG_NAME not in markup and "&amp; Co &lt;5&gt;" in markup
    assert '<meta name="viewport"' in markup
    page = Html(markup)
    assert page.tags <= {"html", "head", "meta", "title", "body", "div", "p", "br", "a"}
    assert " ".join(body.split()) in page.words()  # every word of it, in order, as text
    assert (link, "Открыть мою страницу") in page.links
    assert (link, link) in page.links  # for mail clients that block buttons
    assert f'<a href="{link}"' in markup

    # From: the school's name with the configured address.
    assert sender(envelope) == (f"Наставник — {ORG_NAME}", SENDER)
    assert envelope.mail_from == SENDER
    assert envelope.rcpt_tos == ["director@school.ru"]

    # The link opens the director's page.
    assert person_of(token) == director


async def test_a_message_queued_before_a_revocation_carries_a_new_link_and_the_old_one_dies(
    database_url: str, public_url: str
) -> None:
    with smtp_server() as (port, inbox):
        program_id, director = school_with_director(
            ORG_NAME, "mailto://director@school.ru", smtp=f"mailto://127.0.0.1:{port}?from={SENDER}"
        )
        await invite_director(program_id)
        [old] = LINK.findall(plain_text(received(inbox.envelopes[0])))
        assert person_of(old) == director

        # The reminder 3 days before the deadline is queued at 08:00, before the sending hours.
        with database.session() as db:
            [due] = [s.due_date for s in program_stages(db, program_id) if s.code == "fix_pairs"]
        early = await reminder_sweep(moscow(due - timedelta(days=3), 8))
        assert (early.queued, early.sent) == (1, 0)
        with database.session() as db:
            revoke_links(db, director)
        later = await reminder_sweep(moscow(due - timedelta(days=3), 10))
        assert later.sent == 1
    reminder = received(inbox.envelopes[1])
    assert "Напоминание" in str(reminder["Subject"])
    [new] = LINK.findall(plain_text(reminder))
    assert new != old
    assert f'href="{PUBLIC}/p/{new}"' in html_part(reminder)
    assert person_of(new) == director
    with pytest.raises(AccessRefused):
        person_of(old)
    assert all(PUBLIC not in body for _, body in stored(director))


async def test_without_a_public_address_a_message_has_no_link(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NASTAVNIK_PUBLIC_URL", raising=False)
    with smtp_server() as (port, inbox):
        program_id, director = school_with_director(
            ORG_NAME, "mailto://director@school.ru", smtp=f"mailto://127.0.0.1:{port}?from={SENDER}"
        )
        await invite_director(program_id)
    [envelope] = inbox.envelopes
    message = received(envelope)
    [(_, body)] = stored(director)
    assert plain_text(message) == body
    markup = html_part(message)
    page = Html(markup)
    assert page.links == [] and "Открыть мою страницу" not in markup and "/p/" not in markup
    assert "&nbsp;" not in markup and " ".join(body.split()) in page.words()
    assert sender(envelope) == (f"Наставник — {ORG_NAME}", SENDER)


async def test_a_link_that_cannot_be_made_holds_the_message_back_and_says_why(
    database_url: str, public_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NASTAVNIK_SECRET_KEY", "not a key")
    with http_server() as endpoint:
        program_id, _ = school_with_director(ORG_NAME, endpoint.url("/director"))
        close_prerequisites(program_id, "fix_pairs")
        await act_on_stage(program_id, "fix_pairs", Action.START, actor="t", now=STARTED)
        outcome = await reminder_sweep(SWEEP)
    assert (outcome.sent, outcome.retrying) == (0, 1)
    assert endpoint.posts == []
    with database.session() as db:
        [waiting] = list_outbox(db, status="queued")
    assert (
        waiting.last_error
        == "personal link cannot be made: NASTAVNIK_SECRET_KEY is not a Fernet key"
    )


# --- other channels -----------------------------------------------------------------------------


async def test_a_webhook_gets_the_link_under_its_text(
    database_url: str, public_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with http_server() as endpoint:
        program_id, director = school_with_director(ORG_NAME, endpoint.url("/director"))
        await invite_director(program_id)
    [(path, payload)] = endpoint.posts
    assert path == "/director"
    [(subject, body)] = stored(director)
    [token] = LINK.findall(payload["message"])
    assert payload["title"] == subject
    assert payload["message"] == f"{body}\n\n{LINK_LINE}\n{PUBLIC}/p/{token}"
    assert person_of(token) == director
    # A link is a key to a person's page: it is in no log record.
    assert not any(token in caplog.handler.format(record) for record in caplog.records)


# --- deliver, without a sweep -------------------------------------------------------------------


async def test_the_sender_is_named_after_the_school_unless_the_server_url_names_it() -> None:
    with smtp_server() as (port, inbox):
        server = f"mailto://127.0.0.1:{port}?from={SENDER}"
        batch = [
            Outgoing(1, with_smtp("mailto://a@school.ru", server), "Тема", "Текст",
                     sender_name="Наставник — Школа № 5"),
            Outgoing(2, with_smtp("mailto://b@school.ru", server + "&name=Приёмная%20школы"),
                     "Тема", "Текст", sender_name="Наставник — Школа № 5"),
            Outgoing(3, with_smtp("mailto://c@school.ru", server), "Тема", "Текст"),
        ]  # fmt: skip
        results = await deliver(batch, timeout=2.0)
    assert all(result.ok for result in results)
    by_recipient = {envelope.rcpt_tos[0]: sender(envelope) for envelope in inbox.envelopes}
    assert by_recipient == {
        "a@school.ru": ("Наставник — Школа № 5", SENDER),
        "b@school.ru": ("Приёмная школы", SENDER),  # the URL's own name= is kept
        "c@school.ru": ("Наставник", SENDER),
    }
