"""Delivery addresses: apprise URLs (mailto://, tgram://, json://, any scheme apprise knows), so
that a new channel costs no code. An address is checked when it is entered, not when a reminder
fails to go out. Parsing a URL is all apprise does here: nothing is sent.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
from urllib.parse import parse_qsl, unquote, urlsplit

import apprise

from domain import inputs, secrets
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
    if not _understood(url):
        raise InvalidInput(
            f"Адрес «{url}» не распознан. Укажите его как адрес apprise, например "
            "mailto://ivanova@school.ru, tgram://ТОКЕН_БОТА/ID_ЧАТА или json://сервер/путь"
        )
    return url


def _understood(url: str) -> bool:
    token = _parsing.set(True)
    try:
        return "://" in url and apprise.Apprise.instantiate(url) is not None
    finally:
        _parsing.reset(token)


# --- an organisation's mail server and its password -------------------------------------------
#
# The server's URL is stored with "***" in place of each password it carries, and the passwords
# apart, encrypted (domain/secrets.py); they are put back only to send (notifications/outbox.py).
# So the stored URL is also the one people are shown. apprise reads a password from the login
# (mailtos://login:PASSWORD@host) and from the query (?pass=... or ?password=...).

MASK = "***"
_PASSWORD_KEYS = ("pass", "password")
_QUERY_PAIRS = re.compile(r"[^&;]+")  # apprise splits a query on both


def check_smtp_server(url: str) -> tuple[str, list[str]]:
    """An organisation's own mail server: an apprise e-mail URL that names no recipient (the
    recipient is each person's own address). Returns the URL with MASK for each password, and
    the passwords as written. A refusal quotes the URL without its passwords."""
    url = inputs.text(url, "«почтовый сервер»", inputs.ADDRESS)
    masked, passwords = hide_passwords(url)
    parts = urlsplit(url)
    names_recipient = parts.path.strip("/") or any(
        key.lower() in ("to", "cc", "bcc") for key, _ in parse_qsl(parts.query)
    )
    if parts.scheme not in ("mailto", "mailtos") or names_recipient:
        raise InvalidInput(
            f"Почтовый сервер «{masked}» задаётся адресом mailto:// или mailtos:// без "
            "получателя, например mailtos://логин:пароль@smtp.school.ru?from=noreply@school.ru"
        )
    if not _understood(url):
        raise InvalidInput(
            f"Почтовый сервер «{masked}» не распознан: укажите его как адрес apprise, например "
            "mailtos://логин:пароль@smtp.school.ru?from=noreply@school.ru"
        )
    if MASK in passwords:
        # What the list of organisations shows, pasted back: it would replace the password.
        raise InvalidInput(
            f"В адресе почтового сервера «{masked}» вместо пароля стоит «{MASK}», как его "
            "показывает nastavnik org list: укажите сам пароль"
        )
    return masked, passwords


def seal(passwords: list[str]) -> str:
    """The passwords encrypted with the secret key (made if there is none yet)."""
    return secrets.encrypt(json.dumps(passwords))


def with_passwords(masked: str, sealed: str | None) -> str:
    """The server's URL as it was given, its passwords decrypted into their places: only to
    send, never stored or shown. A missing or different key raises SecretKeyUnavailable."""
    if sealed is None:
        return masked
    passwords = json.loads(secrets.decrypt(sealed))
    spans = _password_spans(masked)
    if len(spans) != len(passwords):
        raise ValueError("the stored SMTP URL does not match its stored passwords")
    for (start, end), password in reversed(list(zip(spans, passwords, strict=True))):
        masked = masked[:start] + password + masked[end:]
    return masked


def hide_passwords(url: str) -> tuple[str, list[str]]:
    """The URL with MASK in place of each password it carries, and the passwords as written
    (percent-encoded as they were), in their order."""
    spans = _password_spans(url)
    passwords = [url[start:end] for start, end in spans]
    for start, end in reversed(spans):
        url = url[:start] + MASK + url[end:]
    return url, passwords


def _password_spans(url: str) -> list[tuple[int, int]]:
    """Where the passwords are in ``url``: the login's, then each ``pass=`` or ``password=`` of
    the query. The login ends at the last "@" before the query, or before the first "=" when a
    "?" in the password seems to start the query: a stray "/", "#", "?" or "@" in a password
    leaves none of it shown (apprise refuses most such URLs; their refusal quotes them)."""
    scheme_end = url.find("://")
    if scheme_end < 0:
        return []
    spans = []
    authority_start = scheme_end + 3
    query = url.find("?", authority_start)

    def last_at_before(end: int) -> int:
        return url.rfind("@", authority_start, end if end >= 0 else len(url))

    at = max(last_at_before(query), last_at_before(url.find("=", authority_start)))
    colon = url.find(":", authority_start, at) if at >= 0 else -1
    if 0 <= colon < at - 1:
        spans.append((colon + 1, at))
    if query >= 0:
        for pair in _QUERY_PAIRS.finditer(url, query + 1):
            key, equals, value = pair.group().partition("=")
            if equals and value and unquote(key).strip().lower() in _PASSWORD_KEYS:
                spans.append((pair.start() + len(key) + 1, pair.end()))
    return spans
