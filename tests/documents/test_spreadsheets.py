"""Schools' spreadsheets are taken whole or not at all: every problem of a file is reported at
once, in Russian, by the row and column a person sees in Excel, and nothing is returned; what
Nastavnik writes opens in Excel typed (dates as dates, numbers as numbers) and reads back."""

from __future__ import annotations

import csv
import json
import logging
import os
import random
import re
import zipfile
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from documents import workbooks
from documents.spreadsheets import (
    REPORT_LIMIT,
    Field,
    Kind,
    Record,
    SpreadsheetRefused,
    detect_mapping,
    load_mapping,
    read_records,
    read_table,
    validate_rows,
)
from documents.workbooks import write_xlsx
from domain.errors import InvalidInput

ROLES = {"mentor": "наставник", "mentee": "наставляемый"}
FIELDS = [
    Field("last_name", "Фамилия", required=True),
    Field("first_name", "Имя", required=True),
    Field("birth_date", "Дата рождения", Kind.DATE, required=True, synonyms=("ДР",)),
    Field("grade", "Класс", Kind.INTEGER, lowest=1, highest=11),
    Field("role", "Роль", Kind.CHOICE, choices=ROLES),
    Field("consent", "Согласие получено", Kind.BOOLEAN, synonyms=("согласие",)),
]
HEADERS = ["Фамилия", "Имя", "Дата рождения", "Класс", "Роль", "Согласие получено"]
KEY = ("last_name", "first_name", "birth_date")


def person(
    last: str,
    first: str,
    born: date,
    grade: int | None = None,
    role: str | None = None,
    consent: bool | None = None,
) -> dict[str, Any]:
    return {
        "last_name": last,
        "first_name": first,
        "birth_date": born,
        "grade": grade,
        "role": role,
        "consent": consent,
    }


def xlsx(
    path: Path, rows: list[list[Any]], edit: Callable[[Worksheet], None] | None = None
) -> Path:
    """A workbook as a school's Excel would hold it (openpyxl's ordinary, not our, writer)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    if edit is not None:
        edit(sheet)
    book.save(path)
    return path


def _unreferenced(code: int, reference: str) -> str:
    """A character reference as its character, except the ASCII ones XML must keep escaped."""
    return chr(code) if code > 127 else reference


def patched(path: Path, replacements: dict[str, str]) -> Path:
    """The workbook with its first sheet's XML edited: cached values as Excel writes them."""
    source = path.with_suffix(".source.xlsx")
    path.rename(source)
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as edited:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                # openpyxl writes through lxml when it is installed (python-docx brings it):
                # non-ASCII characters as references (&#1048;) and an empty value as <v></v>.
                text = re.sub(r"&#(\d+);", lambda m: _unreferenced(int(m[1]), m[0]), data.decode())
                text = text.replace("<v></v>", "<v/>")
                for pattern, replacement in replacements.items():
                    text, count = re.subn(pattern, replacement, text)
                    assert count == 1, pattern
                data = text.encode()
            edited.writestr(item, data)
    source.unlink()
    return path


def refusal(call: Callable[[], object]) -> SpreadsheetRefused:
    with pytest.raises(SpreadsheetRefused) as caught:
        call()
    assert isinstance(caught.value, InvalidInput) and caught.value.exit_code == 2
    return caught.value


def lines(error: SpreadsheetRefused) -> list[str]:
    return [line.strip() for line in str(error).splitlines()]


# --- Good files --------------------------------------------------------------------------------


def test_a_good_workbook_is_read_typed_by_its_fields(tmp_path: Path) -> None:
    """Headers by case, spaces, punctuation; the header the first non-empty row; empty rows and
    an empty spacer column skipped; every kind converted from what Excel and people put in."""
    path = xlsx(
        tmp_path / "список.xlsx",
        [
            [],
            ["  ФАМИЛИЯ ", "имя", None, "Дата  рождения", "КЛАСС:", "роль", "Согласие получено"],
            ["Иванов", "Иван", None, date(2010, 10, 15), 7, "наставник", "да"],
            ["Петров", " Пётр ", None, datetime(2011, 1, 2, 9, 30), 8.0, "mentee", True],
            [],
            ["Сидорова", "Анна", None, "15.10.2012", "9", "Наставляемый", "+"],
            ["Орлова", "Мария", None, "2012-10-16", None, None, "нет"],
            ["Ёлкина", "Ольга", None, "05.01.2013 00:00:00", " 10 ", "MENTOR", 0],
        ],
    )
    table = read_table(path)
    assert (table.header_row, table.letters) == (2, ("A", "B", "D", "E", "F", "G"))
    records = validate_rows(table, FIELDS, detect_mapping(table, FIELDS), key=KEY)
    assert [record.row for record in records] == [3, 4, 6, 7, 8]
    assert records == [
        person("Иванов", "Иван", date(2010, 10, 15), 7, "mentor", True),
        person("Петров", "Пётр", date(2011, 1, 2), 8, "mentee", True),
        person("Сидорова", "Анна", date(2012, 10, 15), 9, "mentee", True),
        person("Орлова", "Мария", date(2012, 10, 16), None, None, False),
        person("Ёлкина", "Ольга", date(2013, 1, 5), 10, "mentor", False),
    ]
    assert all(isinstance(record, Record) for record in records)


CSV_ROWS = [
    HEADERS,
    ["Иванов", "Иван", "15.10.2010", "7", "наставник", "да"],
    ["Ёлкина; мл., «Анна»", "Анна", "2011-01-02", "", "mentee", "нет"],
]
CSV_RECORDS = [
    person("Иванов", "Иван", date(2010, 10, 15), 7, "mentor", True),
    person("Ёлкина; мл., «Анна»", "Анна", date(2011, 1, 2), None, "mentee", False),
]


def written_csv(path: Path, rows: list[list[str]], encoding: str, delimiter: str) -> Path:
    with path.open("w", encoding=encoding, newline="") as file:
        csv.writer(file, delimiter=delimiter).writerows(rows)
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251", "utf-16"])
@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_a_csv_in_any_encoding_and_delimiter_reads_the_same(
    tmp_path: Path, encoding: str, delimiter: str
) -> None:
    path = written_csv(tmp_path / "ответы.csv", CSV_ROWS, encoding, delimiter)
    table = read_table(path)
    assert (table.sheet, table.headers, table.letters[-1]) == (None, tuple(HEADERS), "F")
    records = read_records(path, FIELDS, key=KEY)
    assert records == CSV_RECORDS and [record.row for record in records] == [2, 3]


def test_headers_are_found_by_folded_names_and_synonyms() -> None:
    fields = [*FIELDS, Field("report", "Отчёт"), Field("school", "Учебное заведение")]
    headers = ["фамилия", "ИМЯ ", "др", "Класс:", "Роль(и)", "СОГЛАСИЕ", "ОТЧЕТ", "Прочее"]
    assert detect_mapping(headers, fields) == {
        "last_name": "фамилия",
        "first_name": "ИМЯ ",
        "birth_date": "др",
        "grade": "Класс:",
        "consent": "СОГЛАСИЕ",
        "report": "ОТЧЕТ",
    }


def test_an_explicit_mapping_overrides_the_names(tmp_path: Path) -> None:
    """A form's own questions as headers: the mapping file says which is which; a field mapped
    to null is not taken even though a header fits it."""
    mapping = tmp_path / "сопоставление.json"
    mapping.write_text(
        json.dumps(
            {"last_name": "Фамилия ученика", "first_name": "Как зовут ученика?", "grade": None},
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    path = xlsx(
        tmp_path / "форма.xlsx",
        [
            ["Фамилия", "Фамилия ученика", "Как зовут ученика?", "ДР", "Класс"],
            ["Учителева", "Иванов", "Иван", date(2010, 10, 15), 7],
        ],
    )
    table = read_table(path)
    explicit = load_mapping(mapping)
    assert detect_mapping(table, FIELDS, explicit) == {
        "last_name": "Фамилия ученика",
        "first_name": "Как зовут ученика?",
        "birth_date": "ДР",
    }
    assert read_records(path, FIELDS, explicit) == [person("Иванов", "Иван", date(2010, 10, 15))]


# --- Mapping refused ---------------------------------------------------------------------------


def test_a_mapping_naming_an_unknown_field_or_a_missing_header_is_refused(
    tmp_path: Path,
) -> None:
    path = xlsx(tmp_path / "a.xlsx", [HEADERS, ["Иванов", "Иван", date(2010, 1, 1)]])
    explicit = {"surname": "Фамилия", "first_name": "Имя ученика", "grade": "Класс"}
    error = refusal(lambda: read_records(path, FIELDS, explicit))
    assert lines(error) == [
        "Столбцы файла не сопоставлены с полями: 2 ошибки.",
        "строка 1: в сопоставлении неизвестное поле «surname». Известные: last_name (Фамилия), "
        "first_name (Имя), birth_date (Дата рождения), grade (Класс), role (Роль), "
        "consent (Согласие получено)",
        "строка 1: в сопоставлении поле first_name (Имя) взято из столбца «Имя ученика», а в "
        "файле такого нет. Столбцы файла: «Фамилия», «Имя», «Дата рождения», «Класс», «Роль», "
        "«Согласие получено»",
    ]


def test_one_header_given_to_two_fields_is_refused(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "a.xlsx", [HEADERS, ["Иванов", "Иван", date(2010, 1, 1)]])
    explicit = {"last_name": "Фамилия", "first_name": "фамилия"}
    error = refusal(lambda: read_records(path, FIELDS, explicit))
    assert "строка 1, столбец A «Фамилия»: столбец сопоставлен двум полям" in str(error)


def test_required_columns_missing_are_listed(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "a.xlsx", [["Фамилия", "Класс"], ["Иванов", 7]])
    error = refusal(lambda: read_records(path, FIELDS))
    assert lines(error)[1] == (
        "строка 1: нет обязательных столбцов: «Имя» (first_name), «Дата рождения» "
        "(birth_date). Переименуйте заголовки или укажите сопоставление"
    )


def test_a_field_two_headers_fit_is_refused_naming_both(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "a.xlsx",
        [["Фамилия", "Имя", "Дата рождения", "ДР"], ["Иванов", "Иван", date(2010, 1, 1), None]],
    )
    error = refusal(lambda: read_records(path, FIELDS))
    assert lines(error)[1:] == [
        "строка 1, столбцы C «Дата рождения», D «ДР»: к полю birth_date (Дата рождения) "
        "подходят несколько столбцов — укажите сопоставление явно"
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{last_name: 1}", "не JSON (строка 1, позиция 2)"),
        ('["Фамилия"]', "ожидается объект"),
        ('{"last_name": 7}', "ожидается объект"),
    ],
)
def test_a_mapping_file_that_is_not_one_is_refused(
    tmp_path: Path, content: str, reason: str
) -> None:
    path = tmp_path / "map.json"
    path.write_text(content, encoding="utf-8")
    error = refusal(lambda: load_mapping(path))
    assert str(error).startswith("Файл сопоставления «map.json»: ") and reason in str(error)


# --- Cells refused -----------------------------------------------------------------------------


def test_wrong_values_of_every_kind_are_all_reported_by_row_and_column(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    path = xlsx(
        tmp_path / "ошибки.xlsx",
        [
            HEADERS,
            [None, "Иван", "32.01.2010", "семь", "директор", "может"],
            ["Пет\u202eров", "И" * 201, 46310, 7.5, 3, 5],
            ["Орлов", "Олег", "01.01.1800", 12, "наставник", "да"],
            ["Орлова", "Ольга", time(10, 0), True, "mentor", date(2026, 1, 1)],
            ["Орлов", "Олег", "завтра", " 10 ", "mentor", "нет"],
        ],
    )
    error = refusal(lambda: read_records(path, FIELDS, key=KEY))
    assert lines(error) == [
        "Файл «ошибки.xlsx» не принят, ни одна строка не загружена: 17 ошибок.",
        "строка 2, столбец A «Фамилия»: пусто, а поле обязательно",
        "строка 2, столбец C «Дата рождения»: нет такой даты: «32.01.2010»",
        "строка 2, столбец D «Класс»: ожидалось целое число, а не «семь»",
        "строка 2, столбец E «Роль»: неизвестное значение «директор»: допустимы "
        "mentor (наставник), mentee (наставляемый)",
        "строка 2, столбец F «Согласие получено»: ожидалось «да» или «нет», а не «может»",
        "строка 3, столбец A «Фамилия»: недопустимый управляющий символ U+202E (позиция 4): "
        "допустимы только печатные символы",
        "строка 3, столбец B «Имя»: слишком длинный текст: 201 символ, допустимо до 200",
        "строка 3, столбец C «Дата рождения»: ожидалась дата, а в ячейке число 46310: "
        "укажите её как 15.10.2026",
        "строка 3, столбец D «Класс»: ожидалось целое число, а не 7,5",
        "строка 3, столбец E «Роль»: неизвестное значение «3»: допустимы mentor (наставник), "
        "mentee (наставляемый)",
        "строка 3, столбец F «Согласие получено»: ожидалось «да» или «нет», а в ячейке число 5",
        "строка 4, столбец C «Дата рождения»: дата 01.01.1800 вне допустимых: с 01.01.1900 "
        "по 31.12.2100",
        "строка 4, столбец D «Класс»: число 12 вне допустимых: от 1 до 11",
        "строка 5, столбец C «Дата рождения»: ожидалась дата, а в ячейке время 10:00: укажите "
        "её как 15.10.2026",
        "строка 5, столбец D «Класс»: ожидалось целое число, а в ячейке логическое значение",
        "строка 5, столбец F «Согласие получено»: ожидалось «да» или «нет», а в ячейке дата "
        "01.01.2026",
        "строка 6, столбец C «Дата рождения»: не дата: «завтра», ожидается 15.10.2026 или "
        "2026-10-15",
    ]
    assert len(error.problems) == 17 and error.problems[0].row == 2
    assert not caplog.records  # cells are children's personal data: never logged


def test_control_characters_and_line_breaks_in_a_csv(tmp_path: Path) -> None:
    """A line break is a control character in a name, not in a field that allows several
    lines (a form's long answer); any other control character is refused in both."""
    fields = [*FIELDS[:3], Field("answer", "Ответ", multiline=True, max_length=1000)]
    rows = [
        ["Фамилия", "Имя", "Дата рождения", "Ответ"],
        ["Иванов\nИванов", "Иван", "15.10.2010", "Первая строка\r\nвторая"],
        ["Петров", "Пётр\x01", "15.10.2010", "звонок\x07"],
    ]
    path = written_csv(tmp_path / "ответы.csv", rows, "utf-8", ";")
    error = refusal(lambda: read_records(path, fields))
    assert lines(error)[1:] == [
        "строка 2, столбец A «Фамилия»: недопустимый управляющий символ U+000A (позиция 7): "
        "допустимы только печатные символы",
        "строка 3, столбец B «Имя»: недопустимый управляющий символ U+0001 (позиция 5): "
        "допустимы только печатные символы",
        "строка 3, столбец D «Ответ»: недопустимый управляющий символ U+0007 (позиция 7): "
        "допустимы только печатные символы",
    ]
    rows[1][0], rows[2][1], rows[2][3] = "Иванов", "Пётр", "звонок"
    path = written_csv(tmp_path / "ответы.csv", rows, "utf-8", ";")
    assert [r["answer"] for r in read_records(path, fields)] == ["Первая строка\nвторая", "звонок"]


def test_duplicate_rows_by_the_key_name_both_rows(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "a.xlsx",
        [
            HEADERS,
            ["Иванов", "Иван", date(2010, 10, 15)],
            ["Ёлкин", "Пётр", "01.02.2011"],
            ["Иванов", "Иван", date(2011, 10, 15)],  # another birth date: another pupil
            [" иванов", "ИВАН", "2010-10-15"],
            ["Елкин", "Петр", date(2011, 2, 1)],
        ],
    )
    error = refusal(lambda: read_records(path, FIELDS, key=KEY))
    assert lines(error)[1:] == [
        "строка 5, столбцы A «Фамилия», B «Имя», C «Дата рождения»: повторяет строку 2: "
        "совпадают «Фамилия», «Имя», «Дата рождения»",
        "строка 6, столбцы A «Фамилия», B «Имя», C «Дата рождения»: повторяет строку 3: "
        "совпадают «Фамилия», «Имя», «Дата рождения»",
    ]
    assert len(read_records(path, FIELDS, key=("last_name", "first_name", "grade"))) == 5


def test_the_report_lists_the_first_hundred_and_counts_the_rest(tmp_path: Path) -> None:
    rows = [HEADERS] + [[f"Ученик {i}", "Имя", date(2010, 1, 1), 99] for i in range(150)]
    error = refusal(lambda: read_records(xlsx(tmp_path / "a.xlsx", rows), FIELDS))
    report = lines(error)
    assert report[0].endswith(": 150 ошибок.") and len(report) == REPORT_LIMIT + 2
    assert report[1] == "строка 2, столбец D «Класс»: число 99 вне допустимых: от 1 до 11"
    assert report[-2].startswith("строка 101, столбец D «Класс»")
    assert report[-1] == "и ещё 50"
    assert len(error.problems) == 150


# --- Files refused -----------------------------------------------------------------------------


def not_a_zip(path: Path) -> None:
    path.write_bytes(random.Random(7).randbytes(4096))


def a_zip_of_something_else(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("отчёт.txt", "не книга")


def text(path: Path) -> None:
    path.write_text("Фамилия;Имя\nИванов;Иван\n", encoding="utf-8")


def cut_in_half(path: Path) -> None:
    xlsx(path, [HEADERS, ["Иванов", "Иван", date(2010, 1, 1)]])
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


@pytest.mark.parametrize("breaking", [not_a_zip, a_zip_of_something_else, text, cut_in_half])
def test_a_file_that_is_no_workbook_is_refused_by_name(
    tmp_path: Path, breaking: Callable[[Path], None]
) -> None:
    path = tmp_path / "список 7А.xlsx"
    breaking(path)
    error = refusal(lambda: read_table(path))
    assert str(error).startswith(
        "Файл «список 7А.xlsx» не читается как книга Excel: он повреждён, защищён паролем или "
        "это не .xlsx"
    )


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("пустой.xlsx", None, "Файл «пустой.xlsx», лист «Sheet»: пусто, ни одной заполненной"),
        ("пустой.csv", b"", "Файл «пустой.csv»: пусто, ни одной заполненной строки"),
        ("пустой.csv", b";;\r\n\r\n  ;\r\n", "Файл «пустой.csv»: пусто"),
        (
            "заголовок.csv",
            "\n\nФамилия;Имя\n;\n".encode(),
            "Файл «заголовок.csv»: под заголовком (строка 3) нет ни одной строки с данными",
        ),
        ("книга.csv", b"PK\x03\x04rest", "Файл «книга.csv» — книга Excel, а не текст CSV"),
        ("двоичный.csv", b"\x00\x01\x02", "Файл «двоичный.csv» не читается как текст CSV"),
        ("список.xls", b"", "Файл «список.xls»: формат «.xls» не поддерживается"),
    ],
)
def test_an_empty_or_unreadable_file_is_refused(
    tmp_path: Path, name: str, content: bytes | None, reason: str
) -> None:
    path = tmp_path / name
    if content is None:
        openpyxl.Workbook().save(path)
    else:
        path.write_bytes(content)
    assert str(refusal(lambda: read_table(path))).startswith(reason)


def test_the_first_visible_sheet_is_read_unless_one_is_named(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    hidden = book.active
    assert hidden is not None
    hidden.title, hidden.sheet_state = "Служебный", "hidden"
    hidden.append(["Код"])
    hidden.append([1])
    book.create_sheet("7А").append(HEADERS)
    book["7А"].append(["Иванов", "Иван", date(2010, 1, 1)])
    book.save(path := tmp_path / "школа.xlsx")
    assert read_table(path).sheet == "7А"
    assert read_table(path, sheet="Служебный").headers == ("Код",)
    error = refusal(lambda: read_table(path, sheet="7Б"))
    assert str(error) == "Файл «школа.xlsx»: нет листа «7Б». Листы файла: «Служебный», «7А»"


def test_a_missing_file_is_said_so(tmp_path: Path) -> None:
    error = refusal(lambda: read_table(tmp_path / "нет.xlsx"))
    assert str(error).endswith("нет.xlsx»: такого файла нет")


def test_merged_header_cells_are_refused_naming_the_columns(tmp_path: Path) -> None:
    def merge(sheet: Worksheet) -> None:
        sheet.merge_cells("B1:C1")

    path = xlsx(
        tmp_path / "a.xlsx",
        [["Фамилия", "Имя и отчество", None, "Дата рождения"], ["Иванов", "Иван", "Ив.", None]],
        merge,
    )
    error = refusal(lambda: read_table(path))
    assert lines(error) == [
        "Файл «a.xlsx», лист «Sheet»: заголовок таблицы (строка 1): 1 ошибка.",
        "строка 1, столбцы B «Имя и отчество», C: объединённые ячейки в заголовке: у каждого "
        "столбца должен быть свой заголовок в одной ячейке — разъедините их",
    ]


def test_merged_cells_below_the_header_are_an_error_where_imported(tmp_path: Path) -> None:
    """A class merged over its pupils' rows: the value is the first row's only; the other rows
    would silently be read as empty."""

    def merge(sheet: Worksheet) -> None:
        sheet.merge_cells("D2:D3")
        sheet.merge_cells("G2:G3")  # a column not imported: no matter

    path = xlsx(
        tmp_path / "a.xlsx",
        [
            [*HEADERS[:4], "Роль", "Согласие получено", "Заметки"],
            ["Иванов", "Иван", date(2010, 1, 1), 7, None, None, "общая"],
            ["Петров", "Пётр", date(2010, 2, 1), None],
        ],
        merge,
    )
    error = refusal(lambda: read_records(path, FIELDS))
    assert lines(error)[1:] == [
        "строка 3, столбец D «Класс»: ячейка входит в объединённые ячейки D2:D3: разъедините "
        "их и заполните каждую"
    ]


def test_bad_headers_are_refused_by_column(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "a.xlsx",
        [["Фамилия", "Имя", None, " фамилия "], ["Иванов", "Иван", "лишнее", "Иванов"]],
    )
    error = refusal(lambda: read_table(path))
    assert lines(error)[1:] == [
        "строка 1, столбцы A «Фамилия», D «фамилия»: одинаковые заголовки: переименуйте один "
        "из столбцов",
        "строка 1, столбец C: нет заголовка, а ниже есть значения",
    ]


def test_formulas_are_taken_by_their_cached_values_or_refused_without(tmp_path: Path) -> None:
    """Excel saves each formula's value beside it; a program that writes formulas (openpyxl
    among them) does not, and an error value is no value either. A column not imported may
    hold anything."""
    path = xlsx(
        tmp_path / "формулы.xlsx",
        [
            [*HEADERS[:4], "Расчёт"],
            ['="Ива"&"нов"', "Иван", date(2010, 1, 1), "=5+2", "=D2*2"],
            ["Петров", "Пётр", date(2010, 2, 1), "=D2+1", None],
            ["Сидоров", "Сидор", date(2010, 3, 1), "=1/0", None],
        ],
    )
    patched(
        path,
        {
            r'<c r="A2"><f>"Ива"&amp;"нов"</f><v\s*/></c>': (
                '<c r="A2" t="str"><f>"Ива"&amp;"нов"</f><v>Иванов</v></c>'
            ),
            r'<c r="D2"><f>5\+2</f><v\s*/></c>': '<c r="D2"><f>5+2</f><v>7</v></c>',
            r'<c r="D4"><f>1/0</f><v\s*/></c>': '<c r="D4" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
        },
    )
    error = refusal(lambda: read_records(path, FIELDS))
    assert lines(error)[1:] == [
        "строка 3, столбец D «Класс»: формула без вычисленного значения: сохраните файл в Excel",
        "строка 4, столбец D «Класс»: в ячейке ошибка #DIV/0!: исправьте формулу или значение",
    ]
    patched(
        path,
        {
            r'<c r="D3"><f>D2\+1</f><v\s*/></c>': '<c r="D3"><f>D2+1</f><v>8</v></c>',
            r'<c r="D4" t="e">.*?</c>': '<c r="D4"><f>4+5</f><v>9</v></c>',
        },
    )
    records = read_records(path, FIELDS)
    assert [(r["last_name"], r["grade"]) for r in records] == [
        ("Иванов", 7),
        ("Петров", 8),
        ("Сидоров", 9),
    ]


# --- Scale -------------------------------------------------------------------------------------


def test_twenty_thousand_rows_are_read_and_validated(tmp_path: Path) -> None:
    path = tmp_path / "школа.xlsx"
    start = date(2008, 9, 1)
    rows = (
        [f"Иванов-{i}", "Иван", start + timedelta(days=i % 3650), i % 11 + 1, "наставляемый"]
        for i in range(20_000)
    )
    write_xlsx(path, HEADERS[:5], rows)
    records = read_records(path, FIELDS, key=KEY)
    assert len(records) == 20_000
    assert (records[0].row, records[-1].row) == (2, 20_001)
    assert records[-1] == person("Иванов-19999", "Иван", start + timedelta(days=1749), 2, "mentee")


# --- Writing -----------------------------------------------------------------------------------


def test_a_written_workbook_reads_back_cell_by_cell(tmp_path: Path) -> None:
    headers = ["Фамилия", "Дата рождения", "Класс", "Балл", "Согласие", "Записан", "Ответ", "Пусто"]
    rows: list[list[Any]] = [
        ["Иванов", date(2010, 10, 15), 7, 4.5, True, datetime(2026, 9, 1, 9, 30), "=1+1", None],
        ["Петрова", date(2011, 1, 2), None, Decimal("3.25"), False, None, "да", None],
        ["Сидоров" * 20, None, 11, 0, None, None, "звонок\x07", None],
    ]
    path = write_xlsx(tmp_path / "выгрузка.xlsx", headers, rows)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Лист1"]
    sheet = book.active
    assert sheet is not None and sheet.freeze_panes == "A2"
    assert [(cell.value, cell.font.b) for cell in sheet[1]] == [(h, True) for h in headers]
    expected = [
        [
            ("Иванов", "s", "General"),
            (datetime(2010, 10, 15), "d", "DD.MM.YYYY"),
            (7, "n", "General"),
            (4.5, "n", "General"),
            (True, "b", "General"),
            (datetime(2026, 9, 1, 9, 30), "d", "DD.MM.YYYY HH:MM"),
            ("=1+1", "s", "General"),  # a text, not a formula
            (None, "n", "General"),
        ],
        [
            ("Петрова", "s", "General"),
            (datetime(2011, 1, 2), "d", "DD.MM.YYYY"),
            (None, "n", "General"),
            (3.25, "n", "General"),
            (False, "b", "General"),
            (None, "n", "General"),
            ("да", "s", "General"),
            (None, "n", "General"),
        ],
        [
            ("Сидоров" * 20, "s", "General"),
            (None, "n", "General"),
            (11, "n", "General"),
            (0, "n", "General"),
            (None, "n", "General"),
            (None, "n", "General"),
            ("звонок\ufffd", "s", "General"),  # XML cannot hold U+0007
            (None, "n", "General"),
        ],
    ]
    written = [
        [(cell.value, cell.data_type, cell.number_format) for cell in row]
        for row in sheet.iter_rows(min_row=2, max_col=len(headers))
    ]
    assert written == expected
    widths = {letter: sheet.column_dimensions[letter].width for letter in ("A", "B", "D", "F", "H")}
    assert widths["A"] == workbooks.WIDEST + 2  # the long name, capped
    assert widths["B"] >= len("Дата рождения") and widths["D"] == workbooks.NARROWEST + 2
    assert widths["F"] >= len("01.09.2026 09:30")
    assert oct(path.stat().st_mode & 0o777) == oct(workbooks.FILE_MODE)
    table = read_table(path)  # and our own reader takes it typed
    assert table.rows[0].values[:6] == (
        "Иванов",
        date(2010, 10, 15),
        7.0,
        4.5,
        True,
        datetime(2026, 9, 1, 9, 30),
    )


@pytest.mark.parametrize(
    ("rows", "failure"),
    [
        ([["Иванов", 1]] * 1500 + [["Петров", object()]], "row 1502, column 2: object"),
        ([["Иванов", datetime(2026, 1, 1)], ["Петров"]], "row 3: 1 values for 2"),
        ([["Иванов", datetime(2026, 1, 1, tzinfo=UTC)]], "row 2, column 2: a timezone-aware"),
    ],
)
def test_a_failed_write_leaves_the_old_file_and_no_other(
    tmp_path: Path, rows: list[list[Any]], failure: str
) -> None:
    path = tmp_path / "выгрузка.xlsx"
    path.write_bytes(b"the previous export")
    with pytest.raises((TypeError, ValueError), match=failure):
        write_xlsx(path, ["Фамилия", "Значение"], rows)
    assert path.read_bytes() == b"the previous export"
    assert os.listdir(tmp_path) == ["выгрузка.xlsx"]
