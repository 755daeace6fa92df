"""Who is signed in: a session cookie sealed with the secret key (domain/secrets.py: Fernet,
so it can be neither read nor forged), HttpOnly, SameSite=Lax and Secure, expiring after
SESSION_HOURS; it carries the account's id and the session's CSRF token, which every form and
every API call that changes something must send back. Failed sign-ins are throttled."""

from __future__ import annotations

import secrets as random
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import timedelta

from cryptography.fernet import InvalidToken
from fastapi import Request, Response

from domain import database, secrets
from domain.models import UserAccount

COOKIE = "nastavnik_session"
LOGIN_COOKIE = "nastavnik_login_csrf"  # the sign-in form's token, before there is a session
SESSION_HOURS = 12
# Five wrong passwords for one login (or from one address) in a quarter of an hour, then wait.
FAILURES_ALLOWED = 5
FAILURE_WINDOW = 15 * 60  # seconds


@dataclass(frozen=True)
class Signed:
    account: UserAccount
    csrf: str


def new_token() -> str:
    return random.token_urlsafe(32)


def start(response: Response, account_id: int) -> None:
    sealed = secrets.seal(f"session:{account_id}:{new_token()}")
    response.set_cookie(
        COOKIE,
        sealed,
        max_age=SESSION_HOURS * 3600,
        httponly=True,
        secure=True,
        samesite="lax",
    )


def end(response: Response) -> None:
    response.delete_cookie(COOKIE, httponly=True, secure=True, samesite="lax")


def signed_in(request: Request) -> Signed | None:
    """The signed-in account of a request, or None (no cookie, forged, expired, disabled)."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        text = secrets.unseal(token, timedelta(hours=SESSION_HOURS))
    except (InvalidToken, UnicodeError, ValueError):
        return None
    kind, account_id, csrf = [*text.split(":"), "", "", ""][:3]
    if kind != "session" or not account_id.isdigit():
        return None
    with database.session() as db:
        account = db.get(UserAccount, int(account_id))
    if account is None or account.disabled_at is not None:
        return None
    return Signed(account, csrf)


class Throttle:
    """Failed sign-ins remembered in this process, by login and by address."""

    def __init__(self) -> None:
        self.failures: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, key: str) -> deque[float]:
        times = self.failures[key]
        while times and times[0] < time.monotonic() - FAILURE_WINDOW:
            times.popleft()
        return times

    def blocked(self, *keys: str) -> bool:
        return any(len(self._recent(key)) >= FAILURES_ALLOWED for key in keys)

    def failed(self, *keys: str) -> None:
        for key in keys:
            self._recent(key).append(time.monotonic())
