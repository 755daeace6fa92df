"""Delivery addresses: apprise URLs (mailto://, tgram://, json://, any scheme apprise knows), so
that a new channel costs no code. An address is checked when it is entered, not when a reminder
fails to go out. Parsing a URL is all apprise does here: nothing is sent.
"""

from __future__ import annotations

import contextvars
import logging
from urllib.parse import parse_qsl, urlsplit

import apprise

from domain import inputs
from domain.errors import InvalidInput

# apprise logs the URLs it cannot parse, and they hold personal data: its records are dropped
# while this thread parses one. Only then: disabling the "apprise" logger as a whole would also
# blind notifications/delivery.py, which reads apprise's records for the reason a send failed.
_parsing = contextvars.ContextVar("parsing_address", default=False)


class _NotWhileParsing(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not _parsing.get()


_APPRISE_LOG = logging.getLogger("apprise")
_APPRISE_LOG.filters.insert(0, _NotWhileParsing())


def check_address(url: str) -> str:
    """The address as given if apprise can send to it, else a Russian refusal naming it."""
    url = inputs.text(url, "«адрес»", inputs.ADDRESS)
    token = _parsing.set(True)
    try:
        plugin = apprise.Apprise.instantiate(url) if "://" in url else None
    finally:
        _parsing.reset(token)
    if plugin is None:
        raise InvalidInput(
            f"Адрес «{url}» не распознан. Укажите его как адрес apprise, например "
            "mailto://ivanova@school.ru, tgram://ТОКЕН_БОТА/ID_ЧАТА или json://сервер/путь"
        )
    return url


def check_smtp_server(url: str) -> str:
    """An organisation's own mail server: an apprise e-mail URL that names no recipient (the
    recipient is each person's own address)."""
    url = inputs.text(url, "«почтовый сервер»", inputs.ADDRESS)
    parts = urlsplit(url)
    names_recipient = parts.path.strip("/") or any(
        key.lower() in ("to", "cc", "bcc") for key, _ in parse_qsl(parts.query)
    )
    if parts.scheme not in ("mailto", "mailtos") or names_recipient:
        raise InvalidInput(
            f"Почтовый сервер «{url}» задаётся адресом mailto:// или mailtos:// без получателя, "
            "например mailtos://логин:пароль@smtp.school.ru?from=noreply@school.ru"
        )
    return check_address(url)
