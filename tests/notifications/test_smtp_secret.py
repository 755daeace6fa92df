"""A school's own mail server with a login: its password is stored encrypted, put back only to
send, and the sweep delivers through a real local SMTP server (aiosmtpd) that takes mail only
after AUTH with that login and password. Without the key, that school's e-mail fails with a
reason and everything else goes. On SQLite and on PostgreSQL."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from factories import close_prerequisites, school_with_director
from sinks import http_server, plain_text, received, smtp_server

from domain import database
from domain.schedule import as_moment
from domain.states import Action
from flows.actions import act_on_stage
from flows.reminders import reminder_sweep
from notifications.outbox import list_outbox

pytestmark = [
    pytest.mark.usefixtures("prefect_api"),
    # The local server takes a login on a plain connection: the tests have no certificate.
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS"),
]

LOGIN = "school1"
PASSWORD = "S3cretPass"
STARTED = as_moment(datetime(2026, 11, 17, 9), "Europe/Moscow")
SWEEP = as_moment(datetime(2026, 11, 17, 10), "Europe/Moscow")


@pytest.fixture(autouse=True)
def no_key_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NASTAVNIK_SECRET_KEY", raising=False)


async def start_fix_pairs(program_id: int) -> None:
    """Stage 20 starts: an invitation to the director (and none to the mentor)."""
    close_prerequisites(program_id, "fix_pairs")
    await act_on_stage(program_id, "fix_pairs", Action.START, actor="t", now=STARTED)


async def test_email_goes_through_a_server_that_requires_the_stored_login(
    database_url: str,
) -> None:
    with smtp_server(login=(LOGIN, PASSWORD)) as (port, inbox), http_server() as endpoint:
        program_id, _ = school_with_director(
            "Школа № 1",
            "mailto://director@school.ru",
            smtp=f"mailto://{LOGIN}:{PASSWORD}@127.0.0.1:{port}?from=noreply@school.ru",
            mentor_address=endpoint.url("/mentor"),
        )
        await start_fix_pairs(program_id)
        outcome = await reminder_sweep(SWEEP)
    assert (outcome.sent, outcome.failed, outcome.retrying) == (1, 0, 0)
    [envelope] = inbox.envelopes
    assert envelope.rcpt_tos == ["director@school.ru"]
    assert "Директор Олег" in plain_text(received(envelope))


async def test_without_the_key_only_that_schools_email_fails_and_says_why(
    database_url: str,
) -> None:
    with (
        smtp_server(login=(LOGIN, PASSWORD)) as (locked_port, locked),
        smtp_server() as (open_port, open_inbox),
        http_server() as endpoint,
    ):
        locked_program, _ = school_with_director(
            "Школа с паролем",
            "mailto://director@locked.ru",
            smtp=f"mailto://{LOGIN}:{PASSWORD}@127.0.0.1:{locked_port}?from=noreply@locked.ru",
            mentor_address=endpoint.url("/locked-mentor"),
        )
        open_program, _ = school_with_director(
            "Школа без пароля",
            "mailto://director@open.ru",
            smtp=f"mailto://127.0.0.1:{open_port}?from=noreply@open.ru",
            mentor_address=endpoint.url("/open-mentor"),
        )
        for program_id in (locked_program, open_program):
            await start_fix_pairs(program_id)
            # Its first meeting too: an invitation to the mentor, by json://, not by e-mail.
            close_prerequisites(program_id, "first_meeting")
            await act_on_stage(program_id, "first_meeting", Action.START, actor="t", now=STARTED)
        key = Path(os.environ["NASTAVNIK_HOME"]) / "secret.key"
        key.rename(key.with_name("secret.key.away"))

        outcome = await reminder_sweep(SWEEP)

        assert (outcome.sent, outcome.retrying, outcome.failed) == (3, 1, 0)
        assert locked.envelopes == []
        assert [e.rcpt_tos for e in open_inbox.envelopes] == [["director@open.ru"]]
        assert sorted(path for path, _ in endpoint.posts) == ["/locked-mentor", "/open-mentor"]
        with database.session() as db:
            [waiting] = list_outbox(db, status="queued")
        assert waiting.program_id == locked_program and waiting.person_name == "Директор Олег"
        assert waiting.last_error == "SMTP password cannot be read: secret key missing"

        # The key is back: the message goes at its next attempt (5 minutes later).
        key.with_name("secret.key.away").rename(key)
        again = await reminder_sweep(SWEEP + timedelta(minutes=5))
        assert again.sent == 1
        assert [e.rcpt_tos for e in locked.envelopes] == [["director@locked.ru"]]
