"""A person's personal link to a questionnaire: a signed, expiring token that names the
questionnaire and the person, and nothing else a reader could use.

The token is a Fernet token (cryptography: authenticated encryption with a timestamp) under
the secret key that also seals SMTP passwords (domain/secrets.py): it cannot be forged or
altered, and it expires LINK_DAYS after it was made, on the real clock. The web page will
take it from the link; until then `survey answer --token` does.
"""

from __future__ import annotations

from datetime import timedelta

from domain import secrets
from domain.errors import InvalidInput

LINK_LIFETIME = timedelta(days=60)  # a survey stage lasts weeks; reminders resend the link
_PREFIX = "survey"


def make_token(questionnaire_id: int, person_id: int) -> str:
    return secrets.seal(f"{_PREFIX}:{questionnaire_id}:{person_id}")


def read_token(token: str) -> tuple[int, int]:
    """(questionnaire id, person id) of a valid token; a forged, altered or expired one is
    refused in Russian."""
    found = secrets.unseal_ids(token, LINK_LIFETIME)
    if found is None:
        raise InvalidInput(
            "Ссылка на анкету недействительна или устарела: попросите куратора прислать новую"
        )
    prefix, questionnaire_id, person_id = found
    if prefix != _PREFIX:
        raise InvalidInput("Ссылка на анкету недействительна: это код не анкеты")
    return questionnaire_id, person_id
