"""Accounts of the people who sign in to the web pages, and what each may see.

An administrator sees everything; a coordinator their municipality or region and every
organisation below it; a curator the programs of their own organisation. (Participants need no
account: their personal links open their own page.) Passwords are kept only as argon2id hashes
(argon2-cffi, its default parameters: RFC 9106's second recommendation), checked in constant
time, and re-hashed when the parameters change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, select

from domain import inputs
from domain.errors import InvalidInput, NotFound
from domain.models import TERRITORIES, OrgKind, Person, Program, UserAccount
from domain.organisations import get_organisation, resolve_organisations

_HASHER = PasswordHasher()
# Checked against when a login is unknown, so that the answer takes as long as for a known one.
_NOBODY = _HASHER.hash("nobody has this password")
_LOGIN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
SHORTEST_PASSWORD = 10
LONGEST_PASSWORD = 200


class AccountRole(StrEnum):
    ADMINISTRATOR = "administrator"
    COORDINATOR = "coordinator"
    CURATOR = "curator"


ACCOUNT_ROLE_LABELS: dict[AccountRole, str] = {
    AccountRole.ADMINISTRATOR: "администратор",
    AccountRole.COORDINATOR: "координатор",
    AccountRole.CURATOR: "куратор",
}


@dataclass(frozen=True)
class AccountView:
    """An account as it is shown: never its password hash."""

    id: int
    login: str
    role: str
    role_label: str
    org_id: int | None
    org_name: str | None
    person_id: int | None
    created_at: datetime
    disabled: bool


def account_role(text: str) -> AccountRole:
    return inputs.labelled(text, ACCOUNT_ROLE_LABELS, "Неизвестная роль учётной записи")


def _login(text: str) -> str:
    login = inputs.text(text, "«логин» (--login)", inputs.SHORT).strip().lower()
    if not _LOGIN.match(login):
        raise InvalidInput(
            f"Логин «{inputs.shown(login)}» (--login): от 3 до 64 латинских строчных букв, "
            "цифр и знаков «.», «_», «-», первая — буква или цифра"
        )
    return login


def _password(password: str, login: str) -> str:
    if not SHORTEST_PASSWORD <= len(password) <= LONGEST_PASSWORD:
        raise InvalidInput(
            f"Пароль: от {SHORTEST_PASSWORD} до {LONGEST_PASSWORD} знаков, а в этом {len(password)}"
        )
    inputs.text(password, "«пароль»", LONGEST_PASSWORD)  # no control characters
    if password.strip().lower() == login:
        raise InvalidInput("Пароль не должен совпадать с логином")
    return password


def _scope_org(db: Session, role: AccountRole, org_id: int | None) -> int | None:
    """The organisation that is an account's scope, checked against its role."""
    if role == AccountRole.ADMINISTRATOR:
        if org_id is not None:
            raise InvalidInput("Администратору организацию не указывают (--org): он видит все")
        return None
    if org_id is None:
        raise InvalidInput(f"Укажите организацию (--org) для роли «{ACCOUNT_ROLE_LABELS[role]}»")
    org = get_organisation(db, org_id)
    territory = OrgKind(org.kind) in TERRITORIES
    if role == AccountRole.COORDINATOR and not territory:
        raise InvalidInput(
            f"Координатор работает с муниципалитетом или регионом, а «{org.name}» — не территория"
        )
    if role == AccountRole.CURATOR and territory:
        raise InvalidInput(
            f"Куратор работает в образовательной или партнёрской организации, а «{org.name}» — "
            "территория"
        )
    return org_id


def add_account(
    db: Session,
    *,
    login: str,
    role: str,
    password: str,
    now: datetime,
    org_id: int | None = None,
    person_id: int | None = None,
) -> AccountView:
    """A new account; its password is stored only as a hash."""
    login = _login(login)
    chosen = account_role(role)
    if db.exec(select(UserAccount).where(UserAccount.login == login)).first() is not None:
        raise InvalidInput(f"Логин «{login}» уже занят (nastavnik user list)")
    scope = _scope_org(db, chosen, org_id)
    if person_id is not None and db.get(Person, inputs.identifier(person_id, "человека")) is None:
        raise NotFound(f"Человек с номером {person_id} не найден (список: nastavnik person list)")
    account = UserAccount(
        login=login,
        role=chosen.value,
        org_id=scope,
        person_id=person_id,
        password_hash=_HASHER.hash(_password(password, login)),
        created_at=now,
    )
    db.add(account)
    db.flush()
    return _view(db, account)


def get_account(db: Session, login: str) -> UserAccount:
    account = db.exec(select(UserAccount).where(UserAccount.login == login.strip().lower())).first()
    if account is None:
        raise NotFound(f"Учётной записи «{inputs.shown(login)}» нет (nastavnik user list)")
    return account


def set_password(db: Session, login: str, password: str) -> AccountView:
    account = get_account(db, login)
    account.password_hash = _HASHER.hash(_password(password, account.login))
    db.add(account)
    db.flush()
    return _view(db, account)


def authenticate(db: Session, login: str, password: str) -> UserAccount | None:
    """The account if the password is its own, else None, in about the same time whether or
    not the login exists; a hash made with older parameters is renewed on success."""
    account = db.exec(select(UserAccount).where(UserAccount.login == login.strip().lower())).first()
    stored = account.password_hash if account is not None else _NOBODY
    try:
        _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if account is None or account.disabled_at is not None:
        return None
    if _HASHER.check_needs_rehash(stored):
        account.password_hash = _HASHER.hash(password)
        db.add(account)
        db.flush()
    return account


def list_accounts(db: Session) -> list[AccountView]:
    query = select(UserAccount).order_by(col(UserAccount.id))
    return [_view(db, account) for account in db.exec(query).all()]


def _view(db: Session, account: UserAccount) -> AccountView:
    assert account.id is not None
    org = get_organisation(db, account.org_id) if account.org_id is not None else None
    role = AccountRole(account.role)
    return AccountView(
        id=account.id,
        login=account.login,
        role=role.value,
        role_label=ACCOUNT_ROLE_LABELS[role],
        org_id=account.org_id,
        org_name=org.name if org else None,
        person_id=account.person_id,
        created_at=account.created_at,
        disabled=account.disabled_at is not None,
    )


# --- what an account may see -------------------------------------------------------------


def visible_orgs(db: Session, account: UserAccount) -> set[int] | None:
    """The organisations an account sees: None for all (an administrator); a coordinator's
    territory and everything below it; a curator's own organisation."""
    role = AccountRole(account.role)
    if role == AccountRole.ADMINISTRATOR:
        return None
    assert account.org_id is not None
    if role == AccountRole.CURATOR:
        return {account.org_id}
    resolved = resolve_organisations(db)
    return {
        org_id
        for org_id, org in resolved.items()
        if org_id == account.org_id or account.org_id in org.ancestors
    }


def may_see_program(db: Session, account: UserAccount, program_id: int) -> bool:
    program = db.get(Program, program_id)
    if program is None:
        return False
    orgs = visible_orgs(db, account)
    return orgs is None or program.org_id in orgs
