"""Addresses are checked by apprise's parser without their text reaching any log, and without
silencing the apprise records that delivery reads for the reason a send failed; a mail server's
passwords are hidden whole and put back exactly."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sinks import closed_port, http_server

from domain.contacts import check_address, hide_passwords, seal, with_passwords
from domain.errors import InvalidInput
from notifications.delivery import Outgoing, deliver


def test_a_refused_address_leaves_nothing_in_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for bad in ("mailto://ivanova", "tgram://secret-token", "nonsense://ivanova@school.ru"):
        with pytest.raises(InvalidInput, match="не распознан"):
            check_address(bad)
    assert not [
        r for r in caplog.records if "ivanova" in r.getMessage() or "secret" in r.getMessage()
    ]


async def test_checking_addresses_does_not_hide_why_a_delivery_failed() -> None:
    check_address("mailto://ivanova@school.ru")
    with http_server(status=lambda call: 503) as endpoint, closed_port() as port:
        results = await deliver(
            [
                Outgoing(1, endpoint.url("/x"), "Тема", "Текст"),
                Outgoing(2, f"json://127.0.0.1:{port}/y", "Тема", "Текст"),
            ],
            timeout=2,
        )
    assert [r.error for r in results] == ["JSON: HTTP 503", "JSON: connection refused"]


SERVERS = [
    ("mailtos://login:S3cret@smtp.school.ru?from=a@school.ru", "mailtos://login:***@smtp.school.ru?from=a@school.ru"),
    ("mailtos://login:p%40ss%3F@smtp.school.ru:465", "mailtos://login:***@smtp.school.ru:465"),
    ("mailtos://smtp.school.ru?user=u&pass=S3cret&from=a@school.ru", "mailtos://smtp.school.ru?user=u&pass=***&from=a@school.ru"),
    ("mailtos://login:one@smtp.school.ru?PASSWORD=two;from=a@school.ru", "mailtos://login:***@smtp.school.ru?PASSWORD=***;from=a@school.ru"),
    # Characters a password should have had percent-encoded: hidden whole all the same.
    ("mailtos://login:p@ss@smtp.school.ru?from=a@school.ru", "mailtos://login:***@smtp.school.ru?from=a@school.ru"),
    ("mailtos://login:pa?ss@smtp.school.ru?from=a@school.ru", "mailtos://login:***@smtp.school.ru?from=a@school.ru"),
    ("mailtos://login:pa/s#s@smtp.school.ru?from=a@school.ru", "mailtos://login:***@smtp.school.ru?from=a@school.ru"),
    ("mailtos://login:a=b&c@smtp.school.ru?from=a@school.ru", "mailtos://login:***@smtp.school.ru?from=a@school.ru"),
    # No password: nothing to hide.
    ("mailto://127.0.0.1:2525?from=a@school.ru", "mailto://127.0.0.1:2525?from=a@school.ru"),
    ("mailtos://login:@smtp.school.ru?pass=", "mailtos://login:@smtp.school.ru?pass="),
]  # fmt: skip


@pytest.mark.parametrize(("url", "shown"), SERVERS)
def test_a_mail_servers_passwords_are_hidden_whole_and_put_back_exactly(
    url: str, shown: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NASTAVNIK_HOME", str(tmp_path))
    monkeypatch.delenv("NASTAVNIK_SECRET_KEY", raising=False)
    masked, passwords = hide_passwords(url)
    assert masked == shown
    sealed = seal(passwords) if passwords else None
    assert sealed is None or not [p for p in passwords if p in sealed]
    assert with_passwords(masked, sealed) == url
