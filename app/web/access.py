"""Who may do what on the web pages and the API: the signed-in account of a request, the CSRF
token every change must carry, and the scopes of domain/accounts.py. Whatever lies outside an
account's scope is answered as not there (404): ids tell nothing about other schools."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlmodel import Session

from app.web import sessions
from domain.accounts import AccountRole, may_see_program, visible_orgs
from domain.errors import NotFound
from domain.inputs import MAX_ID
from domain.models import Organisation

NO_PAGE = "Страница не найдена"


class NotSignedIn(Exception):
    """A page asked for without a session: the sign-in page."""


def current(request: Request) -> sessions.Signed:
    signed = sessions.signed_in(request)
    if signed is None:
        raise NotSignedIn
    return signed


def api_current(request: Request) -> sessions.Signed:
    signed = sessions.signed_in(request)
    if signed is None:
        raise HTTPException(401, "Войдите в систему")
    return signed


# The account of a page (no session: the sign-in page) and of an API call (no session: 401).
OnPage = Annotated[sessions.Signed, Depends(current)]
OnApi = Annotated[sessions.Signed, Depends(api_current)]


def check_csrf(signed: sessions.Signed, given: str | None) -> None:
    if not given or not hmac.compare_digest(given, signed.csrf):
        raise HTTPException(403, "Форма устарела или подделана: обновите страницу и повторите")


def role_of(signed: sessions.Signed) -> AccountRole:
    return AccountRole(signed.account.role)


def require_role(signed: sessions.Signed, *roles: AccountRole) -> None:
    """A page of some roles only; to the others it is not there."""
    if role_of(signed) not in roles:
        raise NotFound(NO_PAGE)


def _held(record_id: int) -> bool:
    """An id a row may have: beyond an integer column's range nobody has it (and PostgreSQL
    would refuse to compare)."""
    return 1 <= record_id <= MAX_ID


def require_program(db: Session, signed: sessions.Signed, program_id: int) -> None:
    if not _held(program_id) or not may_see_program(db, signed.account, program_id):
        raise NotFound(f"Программа №{program_id} не найдена")


def require_org(db: Session, signed: sessions.Signed, org_id: int) -> set[int] | None:
    """An organisation of the account's territory (any, for an administrator); returns what the
    account sees, None for everything."""
    orgs = visible_orgs(db, signed.account)
    known = _held(org_id) and db.get(Organisation, org_id) is not None
    if not known or (orgs is not None and org_id not in orgs):
        raise NotFound(f"Организация №{org_id} не найдена")
    return orgs
