"""Where Nastavnik keeps its data. One environment variable per setting."""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    """NASTAVNIK_HOME, default ``~/.nastavnik``: the folder of the embedded SQLite database."""
    return Path(os.environ.get("NASTAVNIK_HOME") or Path.home() / ".nastavnik").expanduser()


def database_url() -> str:
    """NASTAVNIK_DATABASE_URL, default the SQLite file ``$NASTAVNIK_HOME/nastavnik.db``.

    A plain ``postgresql://`` URL is given the psycopg 3 driver, the one Nastavnik installs.
    """
    url = os.environ.get("NASTAVNIK_DATABASE_URL")
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
