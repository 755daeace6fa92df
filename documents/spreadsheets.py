"""Schools' spreadsheets read and checked, all or nothing, before anything is imported.

Schools keep their people and answers in .xlsx workbooks and in .csv exports of online forms.
Whatever is wrong in such a file is found at once and reported together, in Russian, by the
row and column a person sees in the file: a half-imported list is worse than none, and a report
of one error at a time turns fixing a file into a dozen attempts.

Three steps, each usable alone:

1. ``read_table(path)``: the first sheet (or a named one) of an .xlsx, or a .csv in UTF-8 (with
   or without BOM), UTF-16 or Windows-1251, its delimiter one of ``; , tab``. The header is the
   first non-empty row; a file that is not readable, empty, or whose header is not one plain
   row of distinct names is refused.
2. ``detect_mapping(table, fields)``: which column holds which ``Field``, by normalised names
   (case, spaces, punctuation, ё = е; the label and synonyms), or as an explicit mapping says
   (``load_mapping``: a JSON object, field code -> header text).
3. ``validate_rows(table, fields, mapping, key=...)``: every mapped cell converted by its field's
   kind; every error collected; duplicates by ``key`` found; ``SpreadsheetRefused`` if anything
   is wrong, else one ``Record`` per row.

The fields of people, consents and answers are defined by the domain on top of this module; it
holds no domain table. Cell values are personal data of children: they are quoted only in the
report to the person who gave the file (through ``domain.inputs.shown``) and never logged.

Reading .xlsx: python-calamine, about ten times faster than openpyxl's read-only mode over the
same file (bench/import.py), and it knows merged ranges. It reads a formula's cached value, but
reads a formula without one, and an error value (#DIV/0!), as an empty cell: those are found by
a scan of the sheet's XML, done only when the XML holds a formula or an error at all.
"""

from __future__ import annotations

import csv
import io
import json
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from domain import inputs
from domain.errors import InvalidInput
from domain.inputs import shown
from domain.wording import counted, day_text

# How many problems the report lists one per line; the rest are counted ("и ещё N").
REPORT_LIMIT = 100
# Dates a spreadsheet may hold: a birth date of the oldest mentor to the end of the century.
# Beyond them a date is a typo (0026 for 2026), and a domain checks its own narrower range.
EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)

# The characters domain.inputs.text refuses (Unicode categories Cc and Cs, and the
# bidirectional controls), as one pattern: it runs on every text cell of a large file.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
# What a multi-line field allows of them: line breaks (Alt+Enter in Excel, a form's long answer).
_CONTROL_BUT_NEWLINE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]"
)
_PUNCTUATION = re.compile(r"[\W_]+")


class SpreadsheetRefused(InvalidInput):
    """A file refused as a whole: nothing of it is to be imported. ``str(error)`` is the Russian
    report; ``problems`` are all of them, in the order of the file."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong: where (the row as numbered in the file, the columns by letter and
    header; either may be absent) and why, in Russian."""

    row: int | None
    columns: tuple[tuple[str, str], ...]
    reason: str

    def __str__(self) -> str:
        where = [f"строка {self.row}"] if self.row is not None else []
        if self.columns:
            named = ", ".join(
                " ".join(filter(None, (letter, header and f"«{shown(header, 40)}»")))
                for letter, header in self.columns
            )
            where.append(("столбец " if len(self.columns) == 1 else "столбцы ") + named)
        return f"{', '.join(where)}: {self.reason}" if where else self.reason


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A cell whose value cannot be taken (a formula never computed, an error value, a cell
    inside a merged range): an error if its column is imported, nothing otherwise."""

    reason: str


# What a cell may hold once read: None for an empty cell.
Cell = str | int | float | bool | date | datetime | time | timedelta | Unreadable | None


@dataclass(frozen=True, slots=True)
class Row:
    number: int  # as the person sees it: Excel's row number, the CSV's record number
    values: tuple[Cell, ...]  # one per header


@dataclass(frozen=True)
class Table:
    """A sheet's header and its non-empty rows below it."""

    source: str  # the file's name, as reports name it
    sheet: str | None  # None for a .csv
    header_row: int
    headers: tuple[str, ...]
    letters: tuple[str, ...]  # each header's column letter in the file
    rows: list[Row]


class Kind(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    DATE = "date"
    CHOICE = "choice"
    BOOLEAN = "boolean"


@dataclass(frozen=True)
class Field:
    """One column a domain takes from a file: ``code`` is its key in the records, ``label`` the
    Russian name a header is expected to carry (or one of ``synonyms``). ``choices`` (for
    ``Kind.CHOICE``) maps each code to its Russian label; a cell may hold either."""

    code: str
    label: str
    kind: Kind = Kind.TEXT
    required: bool = False
    synonyms: tuple[str, ...] = ()
    max_length: int = inputs.NAME  # for text: what a name column holds
    choices: Mapping[str, str] = field(default_factory=dict)
    multiline: bool = False  # text that may hold line breaks (a form's long answer)
    lowest: int = -inputs.MAX_ID  # for integers: what a database integer column holds
    highest: int = inputs.MAX_ID

    def __post_init__(self) -> None:
        if (self.kind == Kind.CHOICE) != bool(self.choices):
            raise ValueError(f"field {self.code}: choices are for (and required by) a choice")


class Record(dict[str, Any]):
    """One row's values by field code (None for an empty or unmapped field); ``row`` is its
    number in the file, for the messages of whatever imports it."""

    __slots__ = ("row",)

    def __init__(self, row: int, values: Mapping[str, Any]) -> None:
        super().__init__(values)
        self.row = row


# --- Reading -----------------------------------------------------------------------------------


def read_table(path: str | Path, sheet: str | None = None) -> Table:
    """The header and rows of an .xlsx (its first visible sheet, or ``sheet``) or a .csv;
    refused, naming the file and what is wrong, when it cannot be one."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise SpreadsheetRefused(
            f"Файл «{shown(path.name)}»: формат «{shown(suffix or 'без расширения')}» "
            "не поддерживается. Сохраните его как «Книга Excel (.xlsx)» или «CSV (.csv)»"
        )
    try:
        content = path.read_bytes() if suffix == ".csv" else None
        if content is None:
            path.open("rb").close()  # not there or not allowed: said so, not "not a workbook"
    except OSError as error:
        raise SpreadsheetRefused(
            f"Не удаётся открыть файл «{shown(str(path), 300)}»: {_os_reason(error)}"
        ) from None
    if content is not None:
        return _table(path.name, None, _csv_rows(path.name, content), [], {})
    name, raw, merged, marks = _xlsx_rows(path, sheet)
    return _table(path.name, name, raw, merged, marks)


def _os_reason(error: OSError) -> str:
    if isinstance(error, FileNotFoundError):
        return "такого файла нет"
    if isinstance(error, PermissionError):
        return "нет прав на чтение"
    if isinstance(error, IsADirectoryError):
        return "это папка, а не файл"
    return error.strerror or type(error).__name__


def _xlsx_rows(
    path: Path, wanted: str | None
) -> tuple[str, list[list[Any]], list[tuple[tuple[int, int], tuple[int, int]]], dict[Any, Any]]:
    """The chosen sheet's cells from A1 (empty ones as ""), its merged ranges (0-based corners)
    and the cells calamine reads as empty but are not ({(row, column): Unreadable})."""
    try:
        with CalamineWorkbook.from_path(str(path)) as book:
            name = _chosen_sheet(path.name, book, wanted)
            sheet = book.get_sheet_by_name(name)
            raw: list[list[Any]] = sheet.to_python(skip_empty_area=False)
            merged = sheet.merged_cell_ranges or []
    except CalamineError:
        raise _not_a_workbook(path.name) from None
    try:
        marks = _unreadable_cells(path, name)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, ValueError, EOFError, zlib.error):
        raise _not_a_workbook(path.name) from None
    return name, raw, merged, marks


def _not_a_workbook(name: str) -> SpreadsheetRefused:
    return SpreadsheetRefused(
        f"Файл «{shown(name)}» не читается как книга Excel: он повреждён, защищён паролем или "
        "это не .xlsx (например, текст с другим расширением). Откройте его в Excel и сохраните "
        "как «Книга Excel (.xlsx)»"
    )


def _chosen_sheet(source: str, book: CalamineWorkbook, wanted: str | None) -> str:
    names = [
        sheet.name
        for sheet in book.sheets_metadata
        if sheet.typ == SheetTypeEnum.WorkSheet
        and (wanted or sheet.visible == SheetVisibleEnum.Visible)
    ]
    if wanted is None and names:
        return names[0]
    if wanted in names:
        return wanted
    listed = ", ".join(f"«{shown(name)}»" for name in names) or "нет ни одного"
    missing = f"нет листа «{shown(wanted)}»" if wanted else "нет видимых листов с таблицей"
    raise SpreadsheetRefused(f"Файл «{shown(source)}»: {missing}. Листы файла: {listed}")


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONSHIPS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# What a formula (<f>, <x:f ...>) or an error value (t="e") begins with in a sheet's XML:
# searched as plain bytes, ten times faster than a pattern; a false find (such bytes in an
# inline text) costs only the full parse.
_FORMULA_OR_ERROR = (b"<f>", b"<f ", b"<f/", b":f>", b":f ", b":f/", b't="e"', b"t='e'")


def _unreadable_cells(path: Path, sheet: str) -> dict[tuple[int, int], Unreadable]:
    """Formulas without a cached value and error values of ``sheet``, by (row, column) from 0.

    Calamine reads both as empty cells, which would import a computed column as blanks. Most
    files hold neither, so the sheet's XML is first searched as bytes, and parsed only then.
    """
    with zipfile.ZipFile(path) as archive:
        part = _sheet_part(archive, sheet)
        if not _holds_formulas(archive, part):
            return {}
        with archive.open(part) as xml:
            return dict(_scan_cells(xml))


def _sheet_part(archive: zipfile.ZipFile, sheet: str) -> str:
    """The zip member of ``sheet``: the package's relationships name the workbook, the
    workbook's relationships name its sheets' parts."""
    package = ElementTree.fromstring(archive.read("_rels/.rels"))
    book = next(
        (
            _target("", rel.get("Target", ""))
            for rel in package.iter(f"{_PACKAGE}Relationship")
            if rel.get("Type", "").endswith("/officeDocument")
        ),
        None,
    )
    if book is None:
        raise KeyError("officeDocument")
    folder, name = posixpath.split(book)
    relations = ElementTree.fromstring(
        archive.read(posixpath.join(folder, "_rels", name + ".rels"))
    )
    targets = {rel.get("Id"): rel.get("Target", "") for rel in relations}
    for entry in ElementTree.fromstring(archive.read(book)).iter(f"{_MAIN}sheet"):
        if entry.get("name") == sheet:
            return _target(folder, targets[entry.get(f"{_RELATIONSHIPS}id")])
    raise KeyError(sheet)


def _target(folder: str, target: str) -> str:
    """A relationship's target as a zip member: absolute from the package's root, or relative
    to the folder of the part that names it."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(folder, target))


def _holds_formulas(archive: zipfile.ZipFile, part: str) -> bool:
    overlap = b""
    with archive.open(part) as xml:
        while chunk := xml.read(1 << 20):
            window = overlap + chunk
            if any(mark in window for mark in _FORMULA_OR_ERROR):
                return True
            overlap = chunk[-8:]
    return False


def _scan_cells(xml: Any) -> Iterator[tuple[tuple[int, int], Unreadable]]:
    row = column = -1
    for event, element in ElementTree.iterparse(xml, events=("start", "end")):
        tag = element.tag.rpartition("}")[2]
        if event == "start":
            if tag == "row":
                row = int(element.get("r", row + 2)) - 1  # "r" counts from 1
                column = -1
            continue
        if tag == "c":
            reference = element.get("r")
            column = _column_index(reference) if reference else column + 1
            mark = _mark(element)
            if mark is not None:
                yield (row, column), mark
        elif tag == "row":
            element.clear()  # the cells are done with: memory stays flat on large sheets


def _mark(cell: ElementTree.Element) -> Unreadable | None:
    formula = value = None
    for child in cell:
        tag = child.tag.rpartition("}")[2]
        if tag == "f":
            formula = child
        elif tag == "v":
            value = child
    kind = cell.get("t")
    if kind == "e":
        error = value.text if value is not None and value.text else "?"
        return Unreadable(f"в ячейке ошибка {shown(error, 20)}: исправьте формулу или значение")
    # A computed empty text is <v></v> with t="str"; no value at all means never computed
    # (files written by programs such as openpyxl write <v/> for a formula).
    if formula is not None and (value is None or not value.text) and kind != "str":
        return Unreadable("формула без вычисленного значения: сохраните файл в Excel")
    return None


def _column_index(reference: str) -> int:
    index = 0
    for char in reference:
        if not "A" <= char <= "Z":
            break
        index = index * 26 + ord(char) - 64
    if not index:
        raise ValueError("a cell reference without a column")
    return index - 1


def letter(index: int) -> str:
    """A column's letter as Excel shows it, from 0: 0 -> A, 26 -> AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


# A UTF-16 file is what Excel's «Текст Юникод» saves; its BOM tells it.
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_DELIMITERS = (";", ",", "\t")  # ";" first: Russian Excel's own, chosen on a tie


def _csv_rows(source: str, content: bytes) -> list[list[Any]]:
    text = _decoded(source, content)
    records = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        return list(records)
    except csv.Error:  # an unclosed quote running into a field of 128 KiB, mostly
        raise SpreadsheetRefused(
            f"Файл «{shown(source)}» не читается как CSV около строки {records.line_num}: "
            "проверьте кавычки в ней и выше. Или сохраните файл снова как «CSV (разделители — "
            "точка с запятой)»"
        ) from None


def _decoded(source: str, content: bytes) -> str:
    if content.startswith(b"PK\x03\x04"):
        raise SpreadsheetRefused(
            f"Файл «{shown(source)}» — книга Excel, а не текст CSV: сохраните его как .xlsx "
            "или в Excel как «CSV (разделители — точка с запятой)»"
        )
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            try:
                return content.decode(encoding)
            except UnicodeDecodeError:
                break
    else:
        if b"\x00" not in content[:4096]:
            for encoding in ("utf-8", "cp1251"):
                try:
                    return content.decode(encoding)
                except UnicodeDecodeError:
                    pass
    raise SpreadsheetRefused(
        f"Файл «{shown(source)}» не читается как текст CSV: его кодировка не UTF-8 и не "
        "Windows-1251, или это не текстовый файл. Сохраните его как «CSV UTF-8»"
    )


def _delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most columns, the same number in
    each (a form's answers may hold commas, its header rarely does)."""
    sample = [line for line in text[:65536].splitlines()[:50] if line.strip()]
    if len(sample) > 1 and len(text) > 65536:
        sample.pop()  # possibly cut in the middle
    best, score = _DELIMITERS[0], (0, 0)
    for delimiter in _DELIMITERS:
        try:
            widths = [len(fields) for fields in csv.reader(sample, delimiter=delimiter)]
        except csv.Error:
            continue
        if not widths or widths[0] < 2:
            continue
        candidate = (sum(width == widths[0] for width in widths), widths[0])
        if candidate > score:
            best, score = delimiter, candidate
    return best


def _table(
    source: str,
    sheet: str | None,
    raw: list[list[Any]],
    merged: list[tuple[tuple[int, int], tuple[int, int]]],
    marks: dict[tuple[int, int], Unreadable],
) -> Table:
    """The header (the first non-empty row) and the non-empty rows below it, each cell as
    read (empty ones as None), cells that cannot be taken as Unreadable."""
    where = f"Файл «{shown(source)}»" + (f", лист «{shown(sheet)}»" if sheet else "")
    top = next((index for index, values in enumerate(raw) if not _blank(values)), None)
    if top is None:
        raise SpreadsheetRefused(f"{where}: пусто, ни одной заполненной строки")
    width = max(len(values) for values in raw[top:])
    header_cells = raw[top] + [""] * (width - len(raw[top]))
    problems = _merged_header(top, header_cells, merged)
    merged_columns = {letter for problem in problems for letter, _ in problem.columns}
    marks = {**marks, **_merged_cells(top, width, raw, merged)}
    kept, headers = [], []
    for index, cell in enumerate(header_cells):
        mark = marks.get((top, index))
        header = _header_text(cell)
        if mark is not None:  # a header computed by a formula never saved by Excel
            problems.append(Problem(top + 1, ((letter(index), ""),), f"заголовок: {mark.reason}"))
        elif not header and all(_empty(values, index) for values in raw[top + 1 :]):
            continue  # a column with nothing at all is no column
        elif not header and letter(index) not in merged_columns:  # said once, as merged
            problems.append(
                Problem(top + 1, ((letter(index), ""),), "нет заголовка, а ниже есть значения")
            )
        kept.append(index)
        headers.append(header)
    problems += _duplicate_headers(top + 1, [letter(i) for i in kept], headers)
    problems.sort(key=lambda problem: _column_index(problem.columns[0][0]))  # left to right
    if problems:
        title = f"{where}: заголовок таблицы (строка {top + 1})"
        raise SpreadsheetRefused(_report(title, problems), problems)
    rows = list(_rows(raw, top, kept, marks))
    if not rows:
        raise SpreadsheetRefused(
            f"{where}: под заголовком (строка {top + 1}) нет ни одной строки с данными"
        )
    return Table(source, sheet, top + 1, tuple(headers), tuple(letter(i) for i in kept), rows)


def _blank(values: list[Any]) -> bool:
    if values.count("") == len(values):  # the usual empty row, counted in C
        return True
    return all(isinstance(value, str) and not value.strip() for value in values)


def _empty(values: list[Any], index: int) -> bool:
    return index >= len(values) or (isinstance(values[index], str) and not values[index].strip())


def _header_text(cell: Any) -> str:
    if isinstance(cell, str):
        return " ".join(cell.split())  # line breaks in a header cell are layout, not name
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, (datetime, date)):
        return day_text(cell)
    return str(cell)


def _merged_header(
    top: int, header: list[Any], merged: list[tuple[tuple[int, int], tuple[int, int]]]
) -> list[Problem]:
    problems = []
    for (first_row, first), (last_row, last) in merged:
        if first_row <= top <= last_row and (first != last or first_row != last_row):
            columns = tuple(
                (letter(i), _header_text(header[i]) if i < len(header) else "")
                for i in range(first, last + 1)
            )
            problems.append(
                Problem(
                    top + 1,
                    columns,
                    "объединённые ячейки в заголовке: у каждого столбца должен быть свой "
                    "заголовок в одной ячейке — разъедините их",
                )
            )
    return problems


def _merged_cells(
    top: int,
    width: int,
    raw: list[list[Any]],
    merged: list[tuple[tuple[int, int], tuple[int, int]]],
) -> dict[tuple[int, int], Unreadable]:
    """Below the header, the cells of a merged range but its first: their value is the first
    cell's and would otherwise be read as empty."""
    marks = {}
    for (first_row, first), (last_row, last) in merged:
        if last_row <= top:
            continue
        span = f"{letter(first)}{first_row + 1}:{letter(last)}{last_row + 1}"
        mark = Unreadable(
            f"ячейка входит в объединённые ячейки {span}: разъедините их и заполните каждую"
        )
        for row in range(max(first_row, top + 1), min(last_row, len(raw) - 1) + 1):
            for column in range(first, min(last, width - 1) + 1):
                if (row, column) != (first_row, first):
                    marks[row, column] = mark
    return marks


def _rows(
    raw: list[list[Any]], top: int, kept: list[int], marks: dict[tuple[int, int], Unreadable]
) -> Iterator[Row]:
    marked_rows = {row for row, _ in marks}
    for index in range(top + 1, len(raw)):
        values = raw[index]
        if _blank(values):
            continue
        if len(values) <= kept[-1]:
            values = values + [""] * (kept[-1] + 1 - len(values))
        cells: list[Cell] = [None if values[i] == "" else values[i] for i in kept]
        if index in marked_rows:
            for position, column in enumerate(kept):
                cells[position] = marks.get((index, column), cells[position])
        yield Row(index + 1, tuple(cells))


def _duplicate_headers(row: int, letters: list[str], headers: list[str]) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for column, header in zip(letters, headers, strict=True):
        if not header:
            continue
        key = folded(header)
        if key in seen:
            first = seen[key]
            problems.append(
                Problem(
                    row,
                    ((letters[first], headers[first]), (column, header)),
                    "одинаковые заголовки: переименуйте один из столбцов",
                )
            )
        else:
            seen[key] = letters.index(column)
    return problems


# --- Mapping -----------------------------------------------------------------------------------


def folded(name: str) -> str:
    """A name as headers and choices are compared: case, ё/е, punctuation and spaces aside."""
    return " ".join(_PUNCTUATION.sub(" ", name.casefold().replace("ё", "е")).split())


def load_mapping(path: str | Path) -> dict[str, str | None]:
    """An explicit mapping from a JSON file: ``{"last_name": "Фамилия ученика", ...}``; a field
    mapped to null is not taken from the file."""
    path = Path(path)
    where = f"Файл сопоставления «{shown(path.name)}»"
    try:
        content = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as error:
        raise SpreadsheetRefused(f"{where}: не удаётся открыть: {_os_reason(error)}") from None
    except UnicodeDecodeError:
        raise SpreadsheetRefused(f"{where}: не в кодировке UTF-8") from None
    except json.JSONDecodeError as error:
        raise SpreadsheetRefused(
            f"{where}: не JSON (строка {error.lineno}, позиция {error.colno}). Пример: "
            '{"last_name": "Фамилия ученика", "birth_date": "Дата рождения"}'
        ) from None
    if not isinstance(content, dict) or not all(
        isinstance(value, str | None) for value in content.values()
    ):
        raise SpreadsheetRefused(
            f"{where}: ожидается объект «код поля: заголовок столбца», например "
            '{"last_name": "Фамилия ученика"}'
        )
    return content


def detect_mapping(
    headers: Table | Sequence[str],
    fields: Sequence[Field],
    explicit: Mapping[str, str | None] | None = None,
) -> dict[str, str]:
    """Field code -> header, for every field found among ``headers``: as ``explicit`` says,
    else by the folded label, code and synonyms. Refused, with every problem listed, for an
    explicit mapping naming an unknown field, a header not in the file or one header twice, a
    name that fits several fields or a field that several headers fit, and required fields left
    without a column. Given the Table, the report names the header row and columns' letters."""
    found = _Headers(headers)
    by_code = _fields_by_code(fields)
    explicit = explicit or {}
    problems = _explicit(found, fields, explicit)
    mapping = {
        code: found.by_name[folded(header)]
        for code, header in explicit.items()
        if code in by_code and header is not None and folded(header) in found.by_name
    }
    taken = {folded(header) for header in mapping.values()}
    free = [header for header in found.names if folded(header) not in taken]
    names = {
        f.code: {folded(name) for name in (f.label, f.code, *f.synonyms)}
        for f in fields
        if f.code not in explicit
    }
    fits = {h: [code for code, known in names.items() if folded(h) in known] for h in free}
    ambiguous = set()
    for code, known in names.items():
        fitting = [header for header in free if folded(header) in known]
        if len(fitting) > 1:
            reason = f"к полю {code} ({by_code[code].label}) подходят несколько столбцов"
        elif fitting and len(fits[fitting[0]]) > 1:
            named = ", ".join(f"{c} ({by_code[c].label})" for c in fits[fitting[0]])
            reason = f"заголовок подходит к нескольким полям: {named}"
        else:
            if fitting:
                mapping[code] = fitting[0]
            continue
        ambiguous.add(code)
        problems.append(found.problem(fitting, f"{reason} — укажите сопоставление явно"))
    # A field left out as ambiguous, or explicitly mapped to a header not in the file, is
    # reported as such, not as missing too.
    given = {code for code, header in explicit.items() if header is not None}
    missing = [f for f in fields if f.required and f.code not in mapping.keys() | ambiguous | given]
    if missing:
        listed = ", ".join(f"«{f.label}» ({f.code})" for f in missing)
        problems.append(
            found.problem(
                [],
                f"нет обязательных столбцов: {listed}. Переименуйте заголовки или укажите "
                "сопоставление",
            )
        )
    if problems:
        problems = list(dict.fromkeys(problems))  # a name fitting two fields is found twice
        title = "Столбцы файла не сопоставлены с полями"
        raise SpreadsheetRefused(_report(title, problems), problems)
    return mapping


class _Headers:
    """The headers a mapping is made for and, when they come with their Table, where they
    are: the header row and each one's column letter."""

    def __init__(self, headers: Table | Sequence[str]) -> None:
        if isinstance(headers, Table):
            self.row: int | None = headers.header_row
            self.letters = dict(zip(headers.headers, headers.letters, strict=True))
            self.names: Sequence[str] = headers.headers
        else:
            self.row, self.letters, self.names = None, {}, headers
        self.by_name = {folded(header): header for header in self.names}

    def problem(self, headers: Sequence[str], reason: str) -> Problem:
        columns = tuple((self.letters.get(header, ""), header) for header in headers)
        return Problem(self.row, columns, reason)


def _explicit(
    found: _Headers, fields: Sequence[Field], explicit: Mapping[str, str | None]
) -> list[Problem]:
    """What is wrong with an explicit mapping: unknown fields, headers not in the file, a
    header given to two fields."""
    by_code = {f.code: f for f in fields}
    problems: list[Problem] = []
    used: dict[str, str] = {}
    for code, header in explicit.items():
        if code not in by_code:
            known = ", ".join(f"{f.code} ({f.label})" for f in fields)
            reason = f"в сопоставлении неизвестное поле «{shown(code)}». Известные: {known}"
            problems.append(found.problem([], reason))
        elif header is not None and folded(header) not in found.by_name:
            listed = ", ".join(f"«{shown(h, 40)}»" for h in found.names)
            reason = (
                f"в сопоставлении поле {code} ({by_code[code].label}) взято из столбца "
                f"«{shown(header)}», а в файле такого нет. Столбцы файла: {listed}"
            )
            problems.append(found.problem([], reason))
        elif header is not None and folded(header) in used:
            reason = f"столбец сопоставлен двум полям: {used[folded(header)]} и {code}"
            problems.append(found.problem([found.by_name[folded(header)]], reason))
        elif header is not None:
            used[folded(header)] = code
    return problems


def _fields_by_code(fields: Sequence[Field]) -> dict[str, Field]:
    by_code = {f.code: f for f in fields}
    if len(by_code) != len(fields):
        raise ValueError("field codes must be distinct")
    return by_code


# --- Validation --------------------------------------------------------------------------------


class _Bad(Exception):
    """A cell's value refused; the argument is the Russian reason."""


def validate_rows(
    table: Table,
    fields: Sequence[Field],
    mapping: Mapping[str, str],
    key: Sequence[str] = (),
) -> list[Record]:
    """Every row as a Record of its fields' converted values, or, if any cell is wrong or two
    rows have the same ``key`` fields, SpreadsheetRefused listing every problem."""
    by_code = _fields_by_code(fields)
    unknown = [code for code in (*mapping, *key) if code not in by_code]
    if unknown:
        raise ValueError(f"unknown field codes: {unknown}")
    positions = {folded(header): index for index, header in enumerate(table.headers)}
    missing = [header for header in mapping.values() if folded(header) not in positions]
    if missing:
        listed = ", ".join(f"«{shown(header)}»" for header in missing)
        raise SpreadsheetRefused(f"Файл «{shown(table.source)}»: нет столбцов {listed}")
    # (record key, position in the row, converter, the column as reports name it), in the
    # file's order: a row's problems are listed left to right.
    columns = []
    for code, header in mapping.items():
        position = positions[folded(header)]
        where = ((table.letters[position], table.headers[position]),)
        columns.append((code, position, _converter(by_code[code]), where))
    columns.sort(key=lambda column: column[1])
    absent = {f.code: None for f in fields if f.code not in mapping}
    problems: list[Problem] = []
    records = []
    for row in table.rows:
        values: dict[str, Any] = dict(absent)
        for code, position, convert, where in columns:
            try:
                values[code] = convert(row.values[position])
            except _Bad as bad:
                problems.append(Problem(row.number, where, str(bad)))
                values[code] = _Bad
        records.append(Record(row.number, values))
    problems += _duplicates(table, records, key, mapping, by_code)
    if problems:
        problems.sort(key=lambda problem: problem.row or 0)  # stable: columns stay in order
        title = f"Файл «{shown(table.source)}» не принят, ни одна строка не загружена"
        raise SpreadsheetRefused(_report(title, problems), problems)
    return records


def _duplicates(
    table: Table,
    records: list[Record],
    key: Sequence[str],
    mapping: Mapping[str, str],
    by_code: dict[str, Field],
) -> list[Problem]:
    if not key:
        return []
    positions = {folded(header): index for index, header in enumerate(table.headers)}
    where = tuple(
        (table.letters[positions[folded(mapping[code])]], mapping[code])
        for code in key
        if code in mapping
    )
    labels = ", ".join(f"«{by_code[code].label}»" for code in key)
    problems: list[Problem] = []
    first_row: dict[tuple[Any, ...], int] = {}
    for record in records:
        values = [record[code] for code in key]
        if any(value is None or value is _Bad for value in values):
            continue  # an empty or wrong key is reported as such, not as a duplicate
        identity = tuple(folded(v) if isinstance(v, str) else v for v in values)
        if identity in first_row:
            problems.append(
                Problem(
                    record.row,
                    where,
                    f"повторяет строку {first_row[identity]}: совпадают {labels}",
                )
            )
        else:
            first_row[identity] = record.row
    return problems


def _converter(f: Field) -> Callable[[Cell], Any]:
    convert = {
        Kind.TEXT: _text,
        Kind.INTEGER: _integer,
        Kind.DATE: _date,
        Kind.CHOICE: _choice,
        Kind.BOOLEAN: _boolean,
    }[f.kind](f)
    required = f.required

    def converted(value: Cell) -> Any:
        if value is None:
            if required:
                raise _Bad("пусто, а поле обязательно")
            return None
        if isinstance(value, Unreadable):
            raise _Bad(value.reason)
        result = convert(value)
        if result is None and required:
            raise _Bad("пусто, а поле обязательно")
        return result

    return converted


def _text(f: Field) -> Callable[[Any], str | None]:
    control = _CONTROL_BUT_NEWLINE if f.multiline else _CONTROL
    limit = f.max_length

    def text(value: Any) -> str | None:
        if not isinstance(value, str):
            value = _as_text(value)
        if f.multiline:
            value = value.replace("\r\n", "\n")
        value = value.strip()
        if not value:
            return None
        bad = control.search(value)
        if bad is not None:
            raise _Bad(
                f"недопустимый управляющий символ U+{ord(bad.group()):04X} (позиция "
                f"{bad.start() + 1}): допустимы только печатные символы"
            )
        if len(value) > limit:
            length = counted(len(value), "символ", "символа", "символов")
            raise _Bad(f"слишком длинный текст: {length}, допустимо до {limit}")
        return value

    return text


def _as_text(value: Any) -> str:
    """A typed cell in a text column as the person sees it: 7 not 7.0, dates as 15.10.2026."""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return f"{day_text(value)} {value:%H:%M}"
    if isinstance(value, date):
        return day_text(value)
    return str(value)


_WHOLE = re.compile(r"[+-]?\d+(?:[.,]0*)?")


def _integer(f: Field) -> Callable[[Any], int | None]:
    def integer(value: Any) -> int | None:
        if isinstance(value, bool):
            raise _Bad("ожидалось целое число, а в ячейке логическое значение")
        if isinstance(value, float):
            if not value.is_integer():
                raise _Bad(f"ожидалось целое число, а не {str(value).replace('.', ',')}")
            value = int(value)
        elif isinstance(value, str):
            stripped = value.strip().replace("\u00a0", "").replace(" ", "")
            if not stripped:
                return None
            if not _WHOLE.fullmatch(stripped):
                raise _Bad(f"ожидалось целое число, а не «{shown(value.strip())}»")
            value = int(re.split("[.,]", stripped)[0])
        elif not isinstance(value, int):
            raise _Bad(f"ожидалось целое число, а в ячейке {_what(value)}")
        if not f.lowest <= value <= f.highest:
            raise _Bad(f"число {value} вне допустимых: от {f.lowest} до {f.highest}")
        return value

    return integer


_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")


def _date(f: Field) -> Callable[[Any], date | None]:
    def day(value: Any) -> date | None:
        if isinstance(value, datetime):
            value = value.date()  # a form's timestamp or a date typed with a time: its day
        elif isinstance(value, str):
            value = _parsed_day(value)
            if value is None:
                return None
        elif not isinstance(value, date):
            raise _Bad(f"ожидалась дата, а в ячейке {_what(value)}: укажите её как 15.10.2026")
        if not EARLIEST <= value <= LATEST:
            raise _Bad(
                f"дата {day_text(value)} вне допустимых: с {day_text(EARLIEST)} "
                f"по {day_text(LATEST)}"
            )
        return value

    return day


def _parsed_day(text: str) -> date | None:
    stripped = text.strip()
    if not stripped:
        return None
    dotted = _DOTTED.fullmatch(stripped)
    iso = None if dotted else _ISO.fullmatch(stripped)
    if dotted:
        day, month, year = (int(part) for part in dotted.groups())
    elif iso:
        year, month, day = (int(part) for part in iso.groups())
    else:
        raise _Bad(f"не дата: «{shown(stripped)}», ожидается 15.10.2026 или 2026-10-15")
    try:
        return date(year, month, day)
    except ValueError:
        raise _Bad(f"нет такой даты: «{shown(stripped)}»") from None


def _choice(f: Field) -> Callable[[Any], str | None]:
    known = {}
    for code, label in f.choices.items():
        known[folded(code)] = code
        known[folded(label)] = code
    listed = ", ".join(f"{code} ({label})" for code, label in f.choices.items())

    def choice(value: Any) -> str | None:
        text = value if isinstance(value, str) else _as_text(value)
        if not text.strip():
            return None
        code = known.get(folded(text))
        if code is None:
            raise _Bad(f"неизвестное значение «{shown(text.strip())}»: допустимы {listed}")
        return code

    return choice


_YES = frozenset({"да", "д", "yes", "y", "true", "истина", "1", "+"})
_NO = frozenset({"нет", "н", "no", "n", "false", "ложь", "0", "-", "–", "—"})


def _boolean(f: Field) -> Callable[[Any], bool | None]:
    def boolean(value: Any) -> bool | None:
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        if isinstance(value, str):
            text = value.strip().casefold()
            if not text:
                return None
            if text in _YES:
                return True
            if text in _NO:
                return False
            raise _Bad(f"ожидалось «да» или «нет», а не «{shown(value.strip())}»")
        raise _Bad(f"ожидалось «да» или «нет», а в ячейке {_what(value)}")

    return boolean


def _what(value: Any) -> str:
    """A typed value as a reason names it (the value itself only when it is no text)."""
    if isinstance(value, bool):
        return "логическое значение"
    if isinstance(value, int | float):
        return f"число {_as_text(value)}".replace(".", ",")
    if isinstance(value, datetime):
        return f"дата и время {_as_text(value)}"
    if isinstance(value, date):
        return f"дата {day_text(value)}"
    if isinstance(value, time):
        return f"время {value:%H:%M}"
    if isinstance(value, timedelta):
        return "длительность"
    return f"значение «{shown(str(value))}»"


# --- Reports -----------------------------------------------------------------------------------


def _report(title: str, problems: Sequence[Problem]) -> str:
    """A count, the first REPORT_LIMIT problems one per line, then how many more."""
    lines = [f"{title}: {counted(len(problems), 'ошибка', 'ошибки', 'ошибок')}."]
    lines += [f"  {problem}" for problem in problems[:REPORT_LIMIT]]
    if len(problems) > REPORT_LIMIT:
        lines.append(f"  и ещё {len(problems) - REPORT_LIMIT}")
    return "\n".join(lines)


def read_records(
    path: str | Path,
    fields: Sequence[Field],
    explicit: Mapping[str, str | None] | None = None,
    key: Sequence[str] = (),
    sheet: str | None = None,
) -> list[Record]:
    """The three steps in one, as an import command runs them."""
    table = read_table(path, sheet)
    return validate_rows(table, fields, detect_mapping(table, fields, explicit), key)
