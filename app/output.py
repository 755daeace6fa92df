"""Printing for people (Russian tables) and for scripts (``--json``)."""

from __future__ import annotations

import dataclasses
import json
import sys
from datetime import date, datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from domain.schedule import zone


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(_plain(value), ensure_ascii=False, indent=2) + "\n")


PIPE_WIDTH = 160  # a file or a pipe has no width; wide enough for the history table


def console(stderr: bool = False) -> Console:
    # Made per call so that it writes to whatever sys.stdout is now (tests capture it).
    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() else PIPE_WIDTH
    return Console(file=stream, highlight=False, soft_wrap=False, width=width)


def say(text: str) -> None:
    console().print(text, markup=False)


def table(
    title: str, columns: list[str], rows: list[list[str]], whole: tuple[str, ...] = ()
) -> None:
    """A table; the columns named in ``whole`` (ids people copy) are never wrapped."""
    grid = Table(title=title, title_justify="left", show_lines=False)
    for column in columns:
        grid.add_column(column, overflow="fold", no_wrap=column in whole)
    for row in rows:
        grid.add_row(*row)
    console().print(grid)


def note(message: str) -> None:
    """A remark beside the data (a list cut to a page): on stderr, so that --json stays data."""
    console(stderr=True).print(message, markup=False, soft_wrap=True)


def error(message: str) -> None:
    # One line, however long: a script or a log reads an error as one line.
    console(stderr=True).print(f"Ошибка: {message}", markup=False, soft_wrap=True)


def day(value: date | None) -> str:
    return f"{value:%d.%m.%Y}" if value else "—"


def moment(value: datetime | None, tz: str | None = None) -> str:
    if value is None:
        return "—"
    if tz:
        value = value.astimezone(zone(tz))
    return f"{value:%d.%m.%Y %H:%M}"
