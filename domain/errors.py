"""Errors a person sees. Each carries a Russian message that names what, where and why."""


class NastavnikError(Exception):
    """Base of every error shown to a person; ``str(error)`` is the Russian message."""

    exit_code = 1


class InvalidInput(NastavnikError):
    """Input that cannot be understood: a wrong date, an unknown code, an empty field."""

    exit_code = 2


class NotFound(NastavnikError):
    """A program, organisation or stage that does not exist."""

    exit_code = 3


class TransitionRefused(NastavnikError):
    """A stage action that the roadmap's rules or the stage's current state do not allow."""

    exit_code = 4


class AccessRefused(InvalidInput):
    """A personal link that is forged, expired or revoked: the page it opens is not given."""


class SchemaOutdated(NastavnikError):
    """The database is missing or older than this version of Nastavnik."""

    exit_code = 5


class DatabaseUnavailable(NastavnikError):
    """The domain database cannot be used as configured: a URL that is not one, a server that
    does not answer, a database that does not exist, a corrupt or read-only SQLite file, or an
    error the database answered with (its details in the log, see domain/logbook.py)."""

    exit_code = 7


class SecretKeyUnavailable(NastavnikError):
    """The key that encrypts the SMTP passwords stored in the database cannot be used: it is
    missing, not a key, unreadable, or not the one the stored passwords were encrypted with
    (see domain/secrets.py). An environment failure like DatabaseUnavailable, hence its exit
    code; ``cause`` is a short English reason without data, for an outbox row or a log."""

    exit_code = 7

    def __init__(self, message: str, cause: str) -> None:
        super().__init__(message)
        self.cause = cause
