"""Where a document is written (an .xlsx register, the order's .docx and HTML): a file of the
right kind in a folder that exists and may be written, checked before anything is changed, and
why a write failed, in Russian."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from domain import inputs
from domain.errors import InvalidInput

WRITE_FAILURES = {
    errno.EACCES: "нет прав на запись",
    errno.EPERM: "нет прав на запись",
    errno.EROFS: "диск только для чтения",
    errno.ENOSPC: "нет места на диске",
    errno.EDQUOT: "превышена квота диска",
    errno.ENAMETOOLONG: "слишком длинное имя",
    errno.ENOENT: "нет такой папки",
    errno.EISDIR: "это папка",
}
# A full disk is the machine's trouble, not what the person typed.
MACHINE_FAILURES = frozenset({errno.ENOSPC, errno.EDQUOT})


def shown(path: Path | str) -> str:
    return inputs.shown(str(path), 200)


def target(text: str | Path, option: str, suffixes: tuple[str, ...], what: str) -> Path:
    """The absolute path of a file named *suffix (``what`` it is: «книга Excel») in a folder
    that exists and may be written; refused in Russian naming ``option`` otherwise."""
    path = Path(text).expanduser().absolute()
    if path.suffix.lower() not in suffixes:
        raise InvalidInput(
            f"Файл «{shown(text)}» должен называться *{suffixes[0]}: это {what} ({option})"
        )
    if path.is_dir():
        raise InvalidInput(f"«{shown(text)}» — это папка: укажите имя файла в ней ({option})")
    folder = path.parent
    if not folder.is_dir():
        raise InvalidInput(
            f"Папки «{shown(folder)}» нет: файл «{shown(text)}» не записать ({option}); "
            "ничего не изменено"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InvalidInput(
            f"В папку «{shown(folder)}» нельзя записывать: файл «{shown(text)}» не записать "
            f"({option}); ничего не изменено"
        )
    return path


def write_failure(failure: OSError) -> str:
    """Why a file was not written, in a few Russian words."""
    return WRITE_FAILURES.get(failure.errno or 0, f"ошибка записи (код {failure.errno})")
