"""Delivery through apprise, used for real, against real local servers: an SMTP server
(aiosmtpd) and HTTP servers receiving apprise's json:// posts. Every server binds 127.0.0.1 on a
free port and stops at the end of its test."""

from __future__ import annotations

import logging
import time
from typing import Any

import apprise
import pytest
from sinks import (
    closed_port,
    hanging_port,
    http_server,
    plain_text,
    received,
    smtp_server,
    trickling_port,
)

from domain import settings
from notifications.delivery import Delivered, Outgoing, deliver, with_smtp

SENDER = "noreply@school.ru"


# --- with_smtp -------------------------------------------------------------------------------


def parsed(url: str) -> Any:
    plugin = apprise.Apprise.instantiate(url)
    assert plugin is not None, "apprise does not accept the composed URL"
    return plugin


def test_with_smtp_through_an_organisations_server_with_login() -> None:
    url = with_smtp(
        "mailto://ivanova@school.ru",
        "mailtos://user:p%40ss@smtp.school.ru:465?from=noreply@school.ru",
    )
    assert url == (
        "mailtos://user:p%40ss@smtp.school.ru:465?from=noreply@school.ru"
        "&mode=ssl&to=ivanova@school.ru"
    )
    plugin = parsed(url)
    assert (plugin.smtp_host, plugin.port, plugin.secure_mode) == ("smtp.school.ru", 465, "ssl")
    assert (plugin.user, plugin.password) == ("user", "p@ss")
    assert plugin.from_addr[1] == SENDER
    assert plugin.targets == [(False, "ivanova@school.ru")]


def test_with_smtp_keeps_an_explicit_mode_and_other_ports() -> None:
    starttls = with_smtp(
        "mailto://a@school.ru", "mailtos://u:p@smtp.school.ru:587?from=x@school.ru"
    )
    assert starttls == "mailtos://u:p@smtp.school.ru:587?from=x@school.ru&to=a@school.ru"
    assert parsed(starttls).secure_mode == "starttls"
    explicit = with_smtp(
        "mailto://a@school.ru", "mailtos://u:p@smtp.school.ru:465?mode=starttls&from=x@school.ru"
    )
    assert "mode=ssl" not in explicit
    assert parsed(explicit).secure_mode == "starttls"


def test_with_smtp_through_a_plain_local_server() -> None:
    url = with_smtp("mailto://ivan+school@school.ru", "mailto://127.0.0.1:2525?from=" + SENDER)
    assert url == "mailto://127.0.0.1:2525?from=noreply@school.ru&to=ivan%2Bschool@school.ru"
    plugin = parsed(url)
    assert (plugin.smtp_host, plugin.port, plugin.secure_mode) == ("127.0.0.1", 2525, "insecure")
    assert plugin.targets == [(False, "ivan+school@school.ru")]


def test_with_smtp_leaves_other_urls_alone() -> None:
    server = "mailto://127.0.0.1:2525?from=" + SENDER
    assert with_smtp("mailto://ivanova@school.ru", None) == "mailto://ivanova@school.ru"
    assert with_smtp("tgram://123456:ABC/789", server) == "tgram://123456:ABC/789"
    full = "mailtos://me:secret@smtp.mail.ru?to=ivanova@school.ru"
    assert with_smtp(full, server) == full


def test_with_smtp_refuses_a_server_url_that_names_a_recipient() -> None:
    for server in (
        "mailto://127.0.0.1:2525/someone@school.ru?from=" + SENDER,
        "mailto://127.0.0.1:2525?to=someone@school.ru&from=" + SENDER,
        "json://127.0.0.1:2525",
    ):
        with pytest.raises(ValueError):
            with_smtp("mailto://ivanova@school.ru", server)


# --- deliver ---------------------------------------------------------------------------------


async def test_email_end_to_end_through_a_local_smtp_server() -> None:
    people = ["ivanova@school.ru", "petrov@school.ru", "sidorova@school.ru"]
    with smtp_server() as (port, inbox):
        smtp = f"mailto://127.0.0.1:{port}?from={SENDER}"
        batch = [
            Outgoing(
                id=number,
                url=with_smtp(f"mailto://{person}", smtp),
                subject=f"Напоминание: анкета наставника №{number}",
                body=(
                    f"Здравствуйте!\n\nСрок этапа «Анкетирование» — 15.09.2025.\n"
                    f"Письмо №{number} для {person}.\nС уважением, куратор"
                ),
            )
            for number, person in enumerate(people, start=1)
        ]
        results = await deliver(batch, timeout=2.0)
    assert results == [Delivered(number, True, None) for number in (1, 2, 3)]

    assert sorted(tuple(envelope.rcpt_tos) for envelope in inbox.envelopes) == [
        (person,) for person in sorted(people)
    ]
    for envelope in inbox.envelopes:
        [recipient] = envelope.rcpt_tos
        [sent] = [m for m in batch if m.url.endswith("to=" + recipient)]
        message = received(envelope)
        assert envelope.mail_from == SENDER
        assert message["To"] == recipient
        assert message["Subject"] == sent.subject
        assert plain_text(message) == sent.body


async def test_json_posts_reach_a_local_http_server() -> None:
    with http_server() as server:
        results = await deliver(
            [Outgoing(7, server.url("/hooks/nastavnik"), "Тема: встреча", "Встреча\nв 15:00")]
        )
    assert results == [Delivered(7, True, None)]
    [(path, payload)] = server.posts
    assert path == "/hooks/nastavnik"
    assert (payload["title"], payload["message"]) == ("Тема: встреча", "Встреча\nв 15:00")


async def test_a_flaky_endpoint_fails_until_it_recovers_and_apprise_does_not_retry() -> None:
    with http_server(status=lambda call: 500 if call <= 2 else 200) as server:
        # ?retry=3 asks apprise to retry by itself; deliver turns that off: the outbox retries.
        message = Outgoing(1, server.url() + "?retry=3", "Тема", "Текст")
        outcomes = [await deliver([message]) for _ in range(3)]
    assert outcomes == [
        [Delivered(1, False, "JSON: HTTP 500")],
        [Delivered(1, False, "JSON: HTTP 500")],
        [Delivered(1, True, None)],
    ]
    assert server.calls == 3


async def test_dead_and_hanging_endpoints_fail_only_their_own_messages() -> None:
    with (
        http_server() as live,
        closed_port() as dead,
        hanging_port() as hanging,
        smtp_server() as (smtp_port, inbox),
    ):
        urls = [
            live.url("/1"),
            f"json://127.0.0.1:{dead}/2",
            with_smtp(
                "mailto://ivanova@school.ru", f"mailto://127.0.0.1:{smtp_port}?from={SENDER}"
            ),
            f"json://127.0.0.1:{hanging}/4",
            with_smtp("mailto://petrov@school.ru", f"mailto://127.0.0.1:{hanging}?from={SENDER}"),
            with_smtp("mailto://sidorova@school.ru", f"mailto://127.0.0.1:{dead}?from={SENDER}"),
            "nosuchservice://whatever",
            live.url("/8"),
        ]
        batch = [Outgoing(n, url, "Тема", "Текст") for n, url in enumerate(urls, start=1)]
        started = time.monotonic()
        results = await deliver(batch, timeout=1.0)
        elapsed = time.monotonic() - started
    assert results == [
        Delivered(1, True, None),
        Delivered(2, False, "JSON: connection refused"),
        Delivered(3, True, None),
        Delivered(4, False, "JSON: timed out"),
        Delivered(5, False, "E-Mail: timed out"),
        Delivered(6, False, "E-Mail: connection refused"),
        Delivered(7, False, "invalid or unsupported apprise URL"),
        Delivered(8, True, None),
    ]
    assert elapsed < 2.5  # the hanging ones gave up after about `timeout`, together
    assert sorted(path for path, _ in live.posts) == ["/1", "/8"]
    assert [envelope.rcpt_tos for envelope in inbox.envelopes] == [["ivanova@school.ru"]]


async def test_a_message_past_its_deadline_is_given_up_and_the_batch_goes_on() -> None:
    # The trickling server never lets a single read time out, so only the deadline stops it;
    # with concurrency 1 the next message still goes, on a fresh worker.
    with trickling_port() as trickling, http_server() as live:
        batch = [
            Outgoing(1, f"json://127.0.0.1:{trickling}/slow", "Тема", "Текст"),
            Outgoing(2, live.url(), "Тема", "Текст"),
        ]
        started = time.monotonic()
        results = await deliver(batch, concurrency=1, timeout=0.5)
        elapsed = time.monotonic() - started
    deadline = settings.current().deadline_factor * 0.5
    # Given up: reported uncertain, since its abandoned worker may still send it.
    assert results == [
        Delivered(1, False, f"timed out after {deadline:g} s", uncertain=True),
        Delivered(2, True, None),
    ]
    assert deadline <= elapsed < deadline + 1.0


async def test_concurrency_is_bounded() -> None:
    with http_server(delay=0.05) as server:
        batch = [Outgoing(n, server.url(), "Тема", "Текст") for n in range(20)]
        results = await deliver(batch, concurrency=5)
    assert all(result.ok for result in results)
    assert 1 < server.max_in_flight <= 5


async def test_a_batch_of_500_json_messages() -> None:
    with http_server() as server:
        batch = [Outgoing(n, server.url(), f"Тема {n}", f"Текст {n}") for n in range(500)]
        started = time.perf_counter()
        results = await deliver(batch)
        elapsed = time.perf_counter() - started
    assert [result.id for result in results] == list(range(500))
    assert all(result.ok for result in results)
    assert len(server.posts) == 500
    print(f"\n500 json:// messages in {elapsed:.2f} s: {500 / elapsed:.0f} msgs/s")


async def test_no_personal_data_in_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # the root logger: every logger that propagates
    # Proof that apprise does log personal data: a filter put first on its logger, ahead of
    # the one deliver() installs, sees the records that never reach a handler.
    seen_by_apprise: list[str] = []

    def spy(record: logging.LogRecord) -> bool:
        seen_by_apprise.append(record.getMessage())
        return True

    logging.getLogger("apprise").filters.insert(0, spy)

    body = "Личное сообщение для Ивановой М. И. о встрече наставника"
    secret_path = "/hooks/t0ken-7f3a9c"
    try:
        with smtp_server(refuse={"dead@school.ru"}) as (port, _), closed_port() as closed:
            smtp = f"mailto://127.0.0.1:{port}?from={SENDER}"
            with http_server() as web:
                batch = [
                    Outgoing(1, with_smtp("mailto://ivanova@school.ru", smtp), "Тема", body),
                    Outgoing(2, with_smtp("mailto://dead@school.ru", smtp), "Тема", body),
                    Outgoing(
                        3,
                        with_smtp("mailto://gone@school.ru", f"mailto://127.0.0.1:{closed}"),
                        "Тема",
                        body,
                    ),
                    Outgoing(4, web.url(secret_path), "Тема", body),
                ]
                results = await deliver(batch, timeout=2.0)
    finally:
        logging.getLogger("apprise").removeFilter(spy)

    assert [(r.ok, r.error) for r in results] == [
        (True, None),
        (False, "E-Mail: SMTP reply 550"),
        (False, "invalid or unsupported apprise URL"),  # no from= and no login: no sender
        (True, None),
    ]
    personal = ["ivanova@school.ru", "dead@school.ru", "gone@school.ru", body, "t0ken-7f3a9c"]
    assert any(value in line for line in seen_by_apprise for value in personal)
    # The test SMTP server's own log ("mail.log") is not ours and does name the addresses.
    ours = [record for record in caplog.records if not record.name.startswith("mail.")]
    assert all(value not in caplog.handler.format(record) for record in ours for value in personal)
    assert not any(value in (r.error or "") for r in results for value in personal)
