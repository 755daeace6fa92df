"""Nastavnik's settings come from NASTAVNIK_* variables, typed and checked: a wrong value is
refused in Russian naming the variable, before any command runs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import Cli

from domain import settings
from domain.errors import InvalidInput


def test_defaults_and_values_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BATCH_SIZE", "CLAIM_LEASE", "SENDING_HOURS", "REMINDER_DAYS"):
        monkeypatch.delenv(f"NASTAVNIK_{name}", raising=False)
    assert settings.current().batch_size == 500
    assert settings.current().claim_lease == timedelta(minutes=10)
    monkeypatch.setenv("NASTAVNIK_BATCH_SIZE", "20")
    monkeypatch.setenv("NASTAVNIK_CLAIM_LEASE", "1.5")
    monkeypatch.setenv("NASTAVNIK_SENDING_HOURS", "8-20")
    monkeypatch.setenv("NASTAVNIK_REMINDER_DAYS", "7, 2")
    now = settings.current()
    assert (now.batch_size, now.claim_lease) == (20, timedelta(seconds=1.5))
    assert (now.sending_hours, now.reminder_days) == ((8, 20), (7, 2))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("NASTAVNIK_BATCH_SIZE", "много"),
        ("NASTAVNIK_BATCH_SIZE", "0"),
        ("NASTAVNIK_CONCURRENCY", "100000"),
        ("NASTAVNIK_SENDING_HOURS", "18-9"),
        ("NASTAVNIK_REMINDER_DAYS", "0"),
        ("NASTAVNIK_CLAIM_LEASE", "долго"),
    ],
)
def test_a_wrong_value_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, cli: Cli, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(InvalidInput, match=name):
        settings.current()
    assert cli("org", "list") == 2
    assert name in cli.err and "Traceback" not in cli.err + cli.out
