"""Delivery addresses: apprise URLs (mailto://, tgram://, json://, any scheme apprise knows), so
that a new channel costs no code. An address is checked when it is entered, not when a reminder
fails to go out. Parsing a URL is all apprise does here: nothing is sent.
"""

from __future__ import annotations

import logging

import apprise

from domain.errors import InvalidInput

# apprise logs the URLs it cannot parse, and they hold personal data: keep them out of logs.
logging.getLogger("apprise").disabled = True


def check_address(url: str) -> str:
    """The address as given if apprise can send to it, else a Russian refusal naming it."""
    url = url.strip()
    plugin = apprise.Apprise.instantiate(url) if "://" in url else None
    if plugin is None:
        raise InvalidInput(
            f"Адрес «{url}» не распознан. Укажите его как адрес apprise, например "
            "mailto://ivanova@school.ru, tgram://ТОКЕН_БОТА/ID_ЧАТА или json://сервер/путь"
        )
    return url


def check_smtp_server(url: str) -> str:
    """An organisation's own mail server: an apprise e-mail URL that names no recipient."""
    url = check_address(url)
    scheme, _, rest = url.partition("://")
    if scheme not in ("mailto", "mailtos") or "to=" in rest.partition("?")[2]:
        raise InvalidInput(
            f"Почтовый сервер «{url}» задаётся адресом mailto:// или mailtos:// без получателя, "
            "например mailtos://логин:пароль@smtp.school.ru?from=noreply@school.ru"
        )
    return url
