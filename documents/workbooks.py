"""Tables written as .xlsx workbooks a school opens in Excel: exports of people and answers.

One sheet, its header row bold and frozen, columns as wide as their contents (within limits),
values typed as Excel types them: numbers as numbers, dates as dates shown 15.10.2026, an
empty value as an empty cell. A text is always a text, never a formula, even when it begins
with "=" (a form's answer must not run in the school's Excel). The file appears whole or not at
all: it is written beside its place under a temporary name and renamed over it, so that a
failure (a full disk, a value of no spreadsheet type) leaves no half-written workbook.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from itertools import chain, islice
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

DAY_FORMAT = "DD.MM.YYYY"
MOMENT_FORMAT = "DD.MM.YYYY HH:MM"
TIME_FORMAT = "HH:MM"
# Column widths in characters: what the first rows need, within these bounds (a long answer
# wraps in Excel's cell editor rather than widening its column past a screen).
NARROWEST, WIDEST = 8, 60
SAMPLED = 1000  # rows the widths are measured on: the rest are streamed, not held
# Exported rows hold personal data: the file is its owner's alone, as the log is.
FILE_MODE = 0o600


def write_xlsx(
    path: str | Path,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    sheet: str = "Лист1",
) -> Path:
    """Write ``headers`` and ``rows`` (str, int, float, Decimal, bool, date, datetime, time or
    None each) as a one-sheet workbook at ``path``, atomically; returns the path.

    A row of another length than the headers, or a value of another type (a timezone-aware
    datetime among them: convert it to the wall time meant first), is a ValueError or TypeError
    naming the row and column, and no file is written."""
    path = Path(path)
    rows = iter(rows)
    head = list(islice(rows, SAMPLED))
    book = Workbook(write_only=True)
    worksheet = book.create_sheet(sheet)
    worksheet.freeze_panes = "A2"  # the header stays in view while scrolling
    for index, width in enumerate(_widths(headers, head), start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
    try:
        worksheet.append([_header(worksheet, header) for header in headers])
        for number, row in enumerate(chain(head, rows), start=2):
            if len(row) != len(headers):
                raise ValueError(f"row {number}: {len(row)} values for {len(headers)} headers")
            worksheet.append(
                [_cell(worksheet, value, (number, i)) for i, value in enumerate(row, 1)]
            )
        _save(book, path)
    except BaseException:
        _discard(worksheet)
        raise
    return path


def _discard(worksheet: Any) -> None:
    """Remove the rows openpyxl streamed to its own temporary file so far: they are personal
    data, and openpyxl removes that file only when saving or at the process's exit."""
    writer = getattr(worksheet, "_writer", None)
    if writer is None:
        return
    rows = getattr(worksheet, "_rows", None)  # the generator that streams rows to the file
    steps = ([rows.close] if rows is not None else []) + [writer.close, writer.cleanup]
    for step in steps:
        with contextlib.suppress(Exception):  # already closed or removed: nothing to undo
            step()


def _widths(headers: Sequence[str], rows: list[Sequence[Any]]) -> list[float]:
    widths = []
    for index, header in enumerate(headers):
        longest = max(
            (len(_shown(row[index])) for row in rows if index < len(row)),
            default=0,
        )
        widths.append(min(max(len(header) * 1.1, longest, NARROWEST), WIDEST) + 2)
    return widths


def _shown(value: Any) -> str:
    """About what Excel shows for a value, to size its column."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return "15.10.2026 00:00"
    if isinstance(value, date):
        return "15.10.2026"
    return max(str(value).split("\n"), key=len)


def _cell(worksheet: Any, value: Any, where: tuple[int, int]) -> Any:
    """``value`` as openpyxl appends it: plain where that is right (numbers, most texts), a cell
    of its own (slower) where a format or type must be set."""
    if isinstance(value, str):
        if value.startswith("=") or ILLEGAL_CHARACTERS_RE.search(value):
            # Characters XML 1.0 cannot hold would fail the whole file: each becomes U+FFFD.
            cell = WriteOnlyCell(worksheet, ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
            cell.data_type = "s"  # a text, never a formula
            return cell
        return value
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, date | time):
        if getattr(value, "tzinfo", None) is not None:
            raise TypeError(f"row {where[0]}, column {where[1]}: a timezone-aware value")
        cell = WriteOnlyCell(worksheet, value)
        cell.number_format = (
            MOMENT_FORMAT
            if isinstance(value, datetime)
            else DAY_FORMAT
            if isinstance(value, date)
            else TIME_FORMAT
        )
        return cell
    raise TypeError(
        f"row {where[0]}, column {where[1]}: {type(value).__name__} has no spreadsheet type"
    )


def _header(worksheet: Any, text: str) -> Any:
    cell = _cell(worksheet, str(text), (1, 0))
    if isinstance(cell, str):
        cell = WriteOnlyCell(worksheet, cell)
    cell.font = Font(bold=True)
    return cell


def _save(book: Workbook, path: Path) -> None:
    """Save under a temporary name beside ``path``, flushed to disk, then rename it over
    ``path``: readers see the old file or the whole new one, never a part."""
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
    )
    os.close(descriptor)
    try:
        book.save(temporary)
        os.chmod(temporary, FILE_MODE)
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
