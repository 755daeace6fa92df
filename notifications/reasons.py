"""Why a message was not delivered, in Russian for the curator who reads the outbox.

Delivery records a short reason in English from a fixed vocabulary (notifications/delivery.py:
no address, no token, no message text ever enters it); this turns it into what a curator
reads. A reason outside the vocabulary is shown as it is, after a Russian lead.
"""

from __future__ import annotations

import re

REASONS: dict[str, str] = {
    "timed out": "нет ответа (истекло время ожидания)",
    "connection refused": "сервер не принимает подключения",
    "host not found": "сервер не найден по имени",
    "TLS error": "ошибка защищённого соединения (TLS)",
    "connection closed by the server": "сервер оборвал соединение",
    "network unreachable": "сеть недоступна",
    "empty message": "пустое сообщение",
    "channel not available on this system": "этот канал недоступен на сервере Наставника",
    "not delivered": "не доставлено",
    "invalid or unsupported apprise URL": "адрес не распознан или не поддерживается",
    "no address": "у человека нет адреса для уведомлений",
    "secret key missing": "нет ключа шифрования паролей",
    "stored URL does not fit it": "сохранённый адрес сервера не подходит к паролю",
}
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^HTTP (\d{3})$"), "сервер ответил кодом HTTP {0}"),
    (re.compile(r"^SMTP reply (\d{3})$"), "почтовый сервер ответил кодом {0}"),
    (re.compile(r"^timed out after ([\d.]+) s$"), "нет ответа за {0} с"),
    (re.compile(r"^unexpected \w+$"), "непредвиденный сбой отправки"),
    (
        re.compile(r"^SMTP password cannot be read: (.+)$"),
        "пароль почтового сервера не прочитать: {0}",
    ),
    (
        re.compile(r"^personal link cannot be made: (.+)$"),
        "личную ссылку не составить: {0}",
    ),
)
# Reasons of our own that read «what: why», not «service: cause».
_OWN = ("SMTP password", "personal link")


def in_russian(reason: str | None) -> str | None:
    """The reason a message failed, as a curator reads it; «служба: причина» for a channel."""
    if reason is None:
        return None
    service, colon, cause = reason.partition(": ")
    if colon and not reason.startswith(_OWN):
        return f"{service}: {_one(cause)}"
    return _one(reason)


def _one(reason: str) -> str:
    if reason in REASONS:
        return REASONS[reason]
    for pattern, template in _PATTERNS:
        if match := pattern.match(reason):
            return template.format(
                *(_one(part) if part in REASONS else part for part in match.groups())
            )
    return f"не доставлено ({reason})"
