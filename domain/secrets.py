"""The key that encrypts the secrets Nastavnik keeps in its database (the SMTP servers'
passwords), kept apart from the database, and encryption with it (Fernet: AES with an HMAC,
so that a wrong key is told from a right one).

The key is ``NASTAVNIK_SECRET_KEY`` (a Fernet key) if set, else the file
``$NASTAVNIK_HOME/secret.key``, readable by its owner only. The file is made by ``nastavnik
init``, or when a password is first stored and no key exists (domain/organisations.py decides
when a new key may be made); reading never makes one. Whoever has the database without the key
has no password; whoever loses the key must set the passwords again.

Neither the key nor a decrypted text is ever logged or shown.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets as random
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from domain import settings
from domain.errors import SecretKeyUnavailable

KEY_VARIABLE = "NASTAVNIK_SECRET_KEY"
# SecretKeyUnavailable.cause when there is no key, or not the one a password was encrypted with
# (the other causes: a key that is no key, or a file that cannot be read or made).
MISSING = "secret key missing"
DIFFERENT = "secret key is not the one the password was encrypted with"
KEY_FILE = "secret.key"
NEW_KEY_COMMAND = (
    "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
)


def key_path() -> Path:
    return settings.home() / KEY_FILE


def key_location() -> str:
    """Where the key is looked for, for people: the variable when it is set, else the file."""
    return KEY_VARIABLE if os.environ.get(KEY_VARIABLE) else f"файл {key_path()}"


def key_exists() -> bool:
    return bool(os.environ.get(KEY_VARIABLE)) or key_path().exists()


def ensure_key() -> str:
    """The key checked, or made if there is none: where it is, for people."""
    _key(create=True)
    return key_location()


def encrypt(text: str) -> str:
    """``text`` encrypted with the key (made if there is none); an ASCII token."""
    return _key(create=True).encrypt(text.encode()).decode("ascii")


def seal(text: str) -> str:
    """``text`` sealed with the key (made if there is none): a token nobody can forge."""
    return encrypt(text)


def sealer() -> Callable[[str], str]:
    """``seal`` with the key read once, for many tokens at a time (a sweep's batch)."""
    key = _key(create=True)
    return lambda text: key.encrypt(text.encode()).decode("ascii")


def unseal(token: str, lifetime: timedelta) -> str:
    """What ``seal`` sealed, if it is no older than ``lifetime`` (the real clock); raises
    cryptography's InvalidToken for a forged, altered or expired token."""
    return (
        _key(create=False)
        .decrypt(token.encode("ascii"), ttl=int(lifetime.total_seconds()))
        .decode()
    )


def unseal_ids(token: str, lifetime: timedelta) -> tuple[str, int, int] | None:
    """(kind, first, second) of a token sealed as «kind:first:second» (a personal link, a
    questionnaire's code); None when it is forged, altered, expired or not of that shape."""
    try:
        text = unseal(token.strip(), lifetime)
    except (InvalidToken, UnicodeError, ValueError):
        return None
    kind, first, second = [*text.split(":"), "", "", ""][:3]
    if not first.isdigit() or not second.isdigit():
        return None
    return kind, int(first), int(second)


def decrypt(token: str) -> str:
    """What ``encrypt`` encrypted; a missing or different key is a SecretKeyUnavailable."""
    try:
        return _key(create=False).decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError):
        raise SecretKeyUnavailable(
            f"пароль зашифрован другим ключом, не тем, что задан ({key_location()}): верните "
            "прежний ключ или задайте пароль заново",
            DIFFERENT,
        ) from None


def _key(create: bool) -> Fernet:
    given = os.environ.get(KEY_VARIABLE)
    if given:
        try:
            return Fernet(given.strip())
        except ValueError:
            raise SecretKeyUnavailable(
                f"{KEY_VARIABLE} задан, но это не ключ шифрования: нужен ключ Fernet "
                f"(44 знака base64), новый даёт команда {NEW_KEY_COMMAND}",
                f"{KEY_VARIABLE} is not a Fernet key",
            ) from None
    path = key_path()
    if create and not path.exists():
        _create(path)
    try:
        text = path.read_bytes().strip()
    except FileNotFoundError:
        raise SecretKeyUnavailable(
            f"ключа шифрования нет: не задан {KEY_VARIABLE} и нет файла {path}; верните файл "
            f"ключа или задайте {KEY_VARIABLE}",
            MISSING,
        ) from None
    except OSError as error:
        raise SecretKeyUnavailable(
            f"файл ключа шифрования {path} не прочитать: {_os_reason(error)}",
            "secret key file cannot be read",
        ) from None
    try:
        return Fernet(text)
    except ValueError:
        raise SecretKeyUnavailable(
            f"в файле ключа шифрования {path} не ключ Fernet: файл повреждён или подменён",
            "secret key file holds no Fernet key",
        ) from None


def _create(path: Path) -> None:
    """Write a new key to a private temporary file and link it in place: a reader never sees a
    half-written key, and of two processes making one at once, the first one's stays."""
    try:
        settings.private_folder(path.parent)
        draft = path.with_name(f".{path.name}.{random.token_hex(8)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            if hasattr(os, "fchmod"):  # not on Windows before Python 3.13
                os.fchmod(descriptor, 0o600)  # whatever the umask
            with os.fdopen(descriptor, "wb") as file:
                file.write(Fernet.generate_key() + b"\n")
                file.flush()
                os.fsync(file.fileno())
            # Another process that made the key first wins: its key is the key.
            with contextlib.suppress(FileExistsError):
                os.link(draft, path)
        finally:
            draft.unlink(missing_ok=True)
    except OSError as error:
        raise SecretKeyUnavailable(
            f"не удалось создать файл ключа шифрования {path}: {_os_reason(error)}",
            "secret key file cannot be created",
        ) from None


def _os_reason(error: OSError) -> str:
    reasons = {
        errno.EACCES: "нет прав",
        errno.EPERM: "нет прав",
        errno.EROFS: "файловая система открыта только для чтения",
        errno.ENOSPC: "на диске нет места",
        errno.ENOTDIR: "путь проходит не через папку",
        errno.EISDIR: "это папка",
    }
    return reasons.get(error.errno or 0, f"ошибка ОС {errno.errorcode.get(error.errno or 0)}")
