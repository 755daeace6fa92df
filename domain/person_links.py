"""A person's personal link to their own page, where a participant sees their stages and
deadlines and acts without a password (app/web/participant_pages.py).

The token is a Fernet token (authenticated encryption with a timestamp, domain/secrets.py)
naming the person and their link generation, nothing else: it cannot be guessed, forged or
altered, it expires LINK_LIFETIME after it was made (on the real clock), and revoking a
person's links moves their generation on, which kills every link made before at once. Links
are made when a message is sent, never stored with it, so each message carries a fresh one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sqlmodel import Session

from domain import secrets, settings
from domain.errors import AccessRefused, InvalidInput, SecretKeyUnavailable
from domain.models import Person
from domain.people import get_person

# Longer than the gap between two messages to a participant (reminders, regular meetings
# every two weeks), so the link in the last message always works.
LINK_LIFETIME = timedelta(days=90)
PAGE_PATH = "/p/"
PUBLIC_URL_VARIABLE = "NASTAVNIK_PUBLIC_URL"
_PREFIX = "person"
_REFUSED = (
    "Ссылка недействительна или устарела: откройте ссылку из последнего письма "
    "или попросите куратора программы прислать новую"
)


def make_token(person: Person) -> str:
    return secrets.seal(_sealed_text(person))


def _sealed_text(person: Person) -> str:
    return f"{_PREFIX}:{person.id}:{person.link_generation}"


def read_token(db: Session, token: str) -> Person:
    """The person a valid link belongs to; a forged, altered, expired or revoked one is
    refused in Russian, without telling which (a guesser learns nothing)."""
    try:
        found = secrets.unseal_ids(token, LINK_LIFETIME)
    except SecretKeyUnavailable:
        raise AccessRefused(_REFUSED) from None
    if found is None or found[0] != _PREFIX:
        raise AccessRefused(_REFUSED)
    _, person_id, generation = found
    person = db.get(Person, person_id)
    if person is None or person.link_generation != generation:
        raise AccessRefused(_REFUSED)
    return person


def revoke_links(db: Session, person_id: int) -> Person:
    """Every link of the person made so far stops working; the next message brings a new one."""
    person = get_person(db, person_id)
    person.link_generation += 1
    db.add(person)
    db.flush()
    return person


def public_url() -> str | None:
    """Where people open the web pages (NASTAVNIK_PUBLIC_URL), without a trailing slash."""
    url = settings.current().public_url
    return url.rstrip("/") if url else None


def personal_link(person: Person) -> str:
    """The person's personal link, to hand over; refused without a public address."""
    url = page_url(person)
    if url is None:
        raise InvalidInput(
            f"Не задан адрес веб-страниц {PUBLIC_URL_VARIABLE} (например "
            "https://nastavnik.school.ru): без него ссылку не составить"
        )
    return url


def page_url(person: Person) -> str | None:
    """The person's personal link, or None when no public address is set."""
    base = public_url()
    return f"{base}{PAGE_PATH}{make_token(person)}" if base else None


def page_urls(people: Iterable[Person]) -> dict[int, str] | None:
    """Personal links of many people, by person id, with the address and the key read once
    (a sweep makes one per message: reading both for each cost 3.7 ms a message, measured);
    None when no public address is set."""
    base = public_url()
    if base is None:
        return None
    seal = secrets.sealer()
    return {p.id: f"{base}{PAGE_PATH}{seal(_sealed_text(p))}" for p in people if p.id is not None}
