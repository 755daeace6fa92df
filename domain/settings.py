"""Nastavnik's settings: one typed model, each field one environment variable (NASTAVNIK_ and
its name in capitals), with its type, range and meaning; read fresh each time they are asked
for, so that a changed environment (a test, a service restarted) is seen at once.

Defaults of programs (reminder days, escalation) apply to programs created afterwards; a
program keeps its own once made.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationError
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from domain.errors import InvalidInput


def _numbers(value: Any) -> Any:
    """ "3,1" or "9-18" as people write them; a list or tuple as it is."""
    if isinstance(value, str):
        return [part.strip() for part in value.replace("-", ",").split(",") if part.strip()]
    return value


def _seconds(value: Any) -> Any:
    return timedelta(seconds=float(value)) if isinstance(value, str | int | float) else value


Numbers = Annotated[tuple[int, ...], NoDecode, BeforeValidator(_numbers)]
Seconds = Annotated[timedelta, BeforeValidator(_seconds)]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NASTAVNIK_", frozen=True, extra="ignore")

    home: Path = Field(
        default_factory=lambda: Path.home() / ".nastavnik",
        description="Folder of the embedded SQLite database, the secret key and the log.",
    )
    database_url: str | None = Field(
        default=None, description="The domain database; default the SQLite file in home."
    )
    reminder_days: Numbers = Field(
        default=(3, 1), description="Days before a deadline that a new program reminds."
    )
    escalation_days: int = Field(
        default=3, ge=1, le=60, description="Days overdue before the coordinator hears."
    )
    sending_hours: Numbers = Field(
        default=(9, 18), description="Local hours [from, until) when no organisation sets them."
    )
    batch_size: int = Field(default=500, ge=1, le=10_000, description="Messages per batch.")
    concurrency: int = Field(default=50, ge=1, le=500, description="Messages sent at once.")
    claim_lease: Seconds = Field(
        default=timedelta(minutes=10),
        description="How long a sweep holds what it claimed (seconds); a dead sweep's rows "
        "return to the queue after it.",
    )
    max_attempts: int = Field(default=5, ge=1, le=50, description="Attempts before failed.")
    first_retry: Seconds = Field(
        default=timedelta(minutes=5), description="Back-off after the first failure (seconds)."
    )
    delivery_timeout: float = Field(
        default=5.0, gt=0, le=300, description="Seconds any one network step may take."
    )
    deadline_factor: float = Field(
        default=3.0, ge=1, le=20, description="A message is given up after this many timeouts."
    )
    abandoned_after: Seconds = Field(
        default=timedelta(minutes=15),
        description="A stage action pending longer was left by a killed process (seconds).",
    )
    public_url: str | None = Field(
        default=None,
        pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$",
        description="The address people open the web pages at; personal links in messages "
        "start with it. Unset: `nastavnik serve` uses its own, other senders put no link.",
    )


def current() -> Settings:
    """The settings as the environment gives them now; a wrong value is refused in Russian,
    naming the variable."""
    try:
        settings = Settings()
    except ValidationError as error:
        wrong = ", ".join(
            f"NASTAVNIK_{str(problem['loc'][0]).upper()}" for problem in error.errors()
        )
        raise InvalidInput(
            f"Неверное значение переменной окружения {wrong}: см. таблицу настроек в README"
        ) from None
    hours = settings.sending_hours
    if len(hours) != 2 or not 0 <= hours[0] < hours[1] <= 24:
        raise InvalidInput("NASTAVNIK_SENDING_HOURS — «с-до» в пределах 0-24, например 9-18")
    if not settings.reminder_days or not all(1 <= d <= 60 for d in settings.reminder_days):
        raise InvalidInput("NASTAVNIK_REMINDER_DAYS — дни от 1 до 60 через запятую, например 3,1")
    return settings


def home() -> Path:
    """NASTAVNIK_HOME, default ``~/.nastavnik``: the folder of the embedded SQLite database."""
    return current().home.expanduser()


def database_url() -> str:
    """NASTAVNIK_DATABASE_URL, default the SQLite file ``$NASTAVNIK_HOME/nastavnik.db``.

    A plain ``postgresql://`` URL is given the psycopg 3 driver, the one Nastavnik installs.
    """
    url = current().database_url
    if not url:
        return f"sqlite:///{home() / 'nastavnik.db'}"
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain) :]
    return url


def private_folder(folder: Path) -> Path:
    """Create ``folder`` and any missing parents readable by their owner only (0700); folders
    that exist already keep their rights, which are the owner's to choose."""
    missing = []
    for candidate in [folder, *folder.parents]:
        if candidate.exists():
            break
        missing.append(candidate)
    for candidate in reversed(missing):
        candidate.mkdir(mode=0o700, exist_ok=True)
        os.chmod(candidate, 0o700)  # mkdir's mode passes through the umask
    return folder
