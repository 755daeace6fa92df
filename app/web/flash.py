"""What a page says after a form («Готово», a refusal): carried to the next page in a short-lived
sealed cookie, not in its address. An address is kept by proxies' logs and the browser's
history, and a refusal may name participants, many of them children; and a message read from
the address would let a crafted link put words in the application's mouth."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from cryptography.fernet import InvalidToken
from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from domain import secrets

COOKIE = "nastavnik_said"
LIFETIME = timedelta(minutes=2)  # from the form to the page it goes back to
LONGEST = 1500  # characters: a cookie holds about 4 KB, and a refusal naming 20 people fits


@dataclass(frozen=True)
class Said:
    message: str
    about: str | None  # what on the page it is about (a stage's code), shown there


def redirect(url: str, message: str, about: str | None = None) -> RedirectResponse:
    """Back to a page, which will say ``message``."""
    response = RedirectResponse(url, 303)
    sealed = secrets.seal(json.dumps({"message": message[:LONGEST], "about": about}))
    response.set_cookie(COOKIE, sealed, max_age=int(LIFETIME.total_seconds()), httponly=True,
                        secure=True, samesite="lax")  # fmt: skip
    return response


def said(request: Request) -> Said | None:
    """What the form before this page said, if it was sealed here and lately."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        told = json.loads(secrets.unseal(token, LIFETIME))
        return Said(str(told["message"]), told["about"] and str(told["about"]))
    except (InvalidToken, UnicodeError, ValueError, KeyError, TypeError):
        return None


def forget(response: Response) -> None:
    """Said once: a reload does not say it again."""
    response.delete_cookie(COOKIE, httponly=True, secure=True, samesite="lax")
