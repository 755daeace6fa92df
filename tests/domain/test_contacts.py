"""Addresses are checked by apprise's parser without their text reaching any log, and without
silencing the apprise records that delivery reads for the reason a send failed."""

from __future__ import annotations

import logging

import pytest
from sinks import closed_port, http_server

from domain.contacts import check_address
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
