"""Benchmark: reading and validating a school's .xlsx, against merely reading it with openpyxl,
measured in the same run.

The file: 20,000 rows x 15 columns of pupils and mentors (Russian names, birth dates as Excel
dates, consent dates as typed text, grades, choices by Russian label, yes/no answers, phones,
e-mails, a comment), written by documents.workbooks.write_xlsx into a temporary folder.

1. Baseline: openpyxl's read-only mode iterating every value of the sheet (values_only) — the
   least any import built on openpyxl would cost.
2. Measured: ``read_records`` (documents/spreadsheets.py): read by python-calamine, the merged
   ranges and formulas checked, the header mapped to 15 fields, every cell converted and
   checked, duplicates by (last name, first name, patronymic, birth date) looked for.
   For reference, python-calamine's bare read of the same sheet is timed too.

Each round times both, one after the other; the ratio (measured / baseline) must stay under 3.
Peak memory: the read+validate step run alone in a fresh process, its peak resident set size
(which counts calamine's own, non-Python allocations, unlike tracemalloc): VmHWM of
/proc/self/status on Linux, resource.getrusage(RUSAGE_SELF).ru_maxrss elsewhere (see
own_peak_mb for why not ru_maxrss on Linux), beside the same figure for a process that only
imports the same modules. Usage:

    .venv/bin/python bench/import.py [--rows 20000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
from python_calamine import CalamineWorkbook

from documents.spreadsheets import Field, Kind, Record, read_records
from documents.workbooks import write_xlsx

LIMIT_RATIO = 3.0
LIMIT_PEAK_MB = 300

LAST = [
    "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
    "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров",
    "Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин",
    "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв",
    "Сергеев", "Кузьмин", "Фролов", "Александров", "Дмитриев", "Королёв", "Гусев", "Киселёв",
]  # fmt: skip
FIRST = [
    "Александр", "Дмитрий", "Максим", "Сергей", "Андрей", "Алексей", "Артём", "Илья",
    "Кирилл", "Михаил", "Никита", "Матвей", "Роман", "Егор", "Арсений", "Иван", "Денис",
    "Евгений", "Даниил", "Тимофей", "Владислав", "Игорь", "Владимир", "Павел", "Руслан",
    "Марк", "Константин", "Тимур", "Олег", "Ярослав",
]  # fmt: skip
MIDDLE = [
    "Александрович", "Дмитриевич", "Сергеевич", "Андреевич", "Алексеевич", "Иванович",
    "Михайлович", "Николаевич", "Владимирович", "Павлович", "Олегович", "Игоревич",
    "Евгеньевич", "Викторович", "Юрьевич", "Петрович", "Романович", "Ильич",
    "Васильевич", "Борисович",
]  # fmt: skip
ROLES = {"mentor": "наставник", "mentee": "наставляемый", "curator": "куратор"}
FORMS = {"student_student": "ученик — ученик", "teacher_student": "учитель — ученик"}

HEADERS = [
    "Фамилия", "Имя", "Отчество", "Дата рождения", "Класс", "Буква класса", "Роль",
    "Форма наставничества", "Телефон", "Эл. почта", "Согласие на обработку данных",
    "Дата согласия", "Номер в списке", "Куратор", "Комментарий",
]  # fmt: skip
FIELDS = [
    Field("last_name", "Фамилия", required=True),
    Field("first_name", "Имя", required=True),
    Field("middle_name", "Отчество"),
    Field("birth_date", "Дата рождения", Kind.DATE, required=True),
    Field("grade", "Класс", Kind.INTEGER, lowest=1, highest=11),
    Field("letter", "Буква класса", max_length=2),
    Field("role", "Роль", Kind.CHOICE, required=True, choices=ROLES),
    Field("form", "Форма наставничества", Kind.CHOICE, choices=FORMS),
    Field("phone", "Телефон", max_length=20),
    Field("email", "Электронная почта", synonyms=("эл почта", "e-mail"), max_length=254),
    Field("consent", "Согласие", Kind.BOOLEAN, synonyms=("согласие на обработку данных",)),
    Field("consent_date", "Дата согласия", Kind.DATE),
    Field("number", "Номер в списке", Kind.INTEGER),
    Field("curator", "Куратор", Kind.BOOLEAN),
    Field("comment", "Комментарий", max_length=1000, multiline=True),
]
KEY = ("last_name", "first_name", "middle_name", "birth_date")


def generated_rows(count: int) -> Iterator[list[Any]]:
    """Distinct people (the key's combinations outnumber 20,000), the rest random."""
    chance = random.Random(20261015)
    for i in range(count):
        born = date(2008, 9, 1) + timedelta(days=chance.randrange(3650))
        yield [
            LAST[i % len(LAST)],
            FIRST[(i // len(LAST)) % len(FIRST)],
            MIDDLE[(i // (len(LAST) * len(FIRST))) % len(MIDDLE)],
            born,
            chance.randint(1, 11),
            chance.choice("АБВГ"),
            chance.choice(list(ROLES.values())),
            chance.choice(list(FORMS.values())),
            f"+7 9{chance.randrange(10**9):09d}",
            f"person{i}@school{i % 500}.ru",
            chance.choice(["да", "нет", "+"]),
            f"{chance.randint(1, 28):02d}.{chance.randint(1, 12):02d}.2026",
            i + 1,
            chance.choice([True, False]),
            chance.choice(["", "Переведён из другой школы", "Участвует во втором потоке"]),
        ]


def openpyxl_baseline(path: Path) -> int:
    book = openpyxl.load_workbook(path, read_only=True)
    cells = 0
    for row in book.worksheets[0].iter_rows(values_only=True):
        cells += len(row)
    book.close()
    return cells


def calamine_only(path: Path) -> int:
    with CalamineWorkbook.from_path(str(path)) as book:
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    return sum(len(row) for row in rows)


def read_and_validate(path: Path) -> list[Record]:
    return read_records(path, FIELDS, key=KEY)


PEOPLE_HEADERS = [
    "ФИО", "Роль в программе", "Дата рождения", "Категория", "Класс", "E-mail",
    "ФИО законного представителя", "E-mail законного представителя",
]  # fmt: skip


def people_rows(count: int) -> Iterator[list[Any]]:
    """Participants of one program: mentors (teachers) and mentees, a third of them pupils
    under 18 with a parent; every name unique, as the import matches people by name."""
    chance = random.Random(7)
    for number in range(count):
        name = f"{chance.choice(LAST)} {chance.choice(FIRST)} {number:05d}"
        if number % 3 == 0:
            born = date(2011, 1, 1) + timedelta(days=chance.randrange(1500))
            parent = f"{name.split()[0]} Родитель {number:05d}"
            yield [name, "наставляемый", born, "обучающийся", f"{5 + number % 6}А",
                   f"p{number}@school.ru", parent, f"parent{number}@mail.ru"]  # fmt: skip
        else:
            born = date(1965, 1, 1) + timedelta(days=chance.randrange(12000))
            role = "наставник" if number % 3 == 1 else "наставляемый"
            yield [name, role, born, "педагог", None, f"t{number}@school.ru", None, None]


def import_people_into_new_database(path: Path, folder: Path) -> int:
    """The domain's import (documents/imports.py) of the whole file into a new program of a new
    embedded SQLite database: read, mapped, every row checked, then stored."""
    import os

    os.environ["NASTAVNIK_HOME"] = str(folder)
    os.environ.pop("NASTAVNIK_DATABASE_URL", None)
    from documents.imports import import_people
    from domain import database
    from domain.organisations import add_organisation
    from domain.programs import create_program
    from domain.schedule import utc_now

    now = utc_now()
    with database.session() as db:
        school = add_organisation(db, name="Школа", kind="school", timezone="Europe/Moscow",
                                  now=now)  # fmt: skip
        program = create_program(db, org_id=school.id, title="Бенчмарк", actor="bench", now=now)
    with database.session() as db:
        outcome = import_people(db, program.id, path, now=now)
    return outcome.created


def timed(step: Any, path: Path) -> tuple[float, Any]:
    started = time.perf_counter()
    result = step(path)
    return time.perf_counter() - started, result


def peak_mb(*arguments: str) -> float:
    """The peak resident set size of a fresh process running this file with ``arguments``."""
    done = subprocess.run(
        [sys.executable, __file__, *arguments], check=True, capture_output=True, text=True
    )
    return float(done.stdout.strip())


PEAK_SOURCE = "VmHWM" if Path("/proc/self/status").exists() else "ru_maxrss"


def own_peak_mb() -> float:
    """This process's peak resident set size. On Linux from /proc/self/status (VmHWM): the
    kernel keeps ru_maxrss across exec, so a child started by a large parent would report the
    parent's size; VmHWM belongs to the address space exec replaced. Elsewhere ru_maxrss."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 2**10  # kB
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes there, KiB here


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--peak", type=Path, help="read and validate this file, print the peak")
    parser.add_argument("--imports-only", action="store_true", help="print the peak of imports")
    parser.add_argument("--peak-import", nargs=2, type=Path, help="import FILE into FOLDER")
    arguments = parser.parse_args()
    if arguments.peak_import:
        import_people_into_new_database(*arguments.peak_import)
        print(f"{own_peak_mb():.1f}")
        return
    if arguments.peak:
        read_and_validate(arguments.peak)
        print(f"{own_peak_mb():.1f}")
        return
    if arguments.imports_only:
        print(f"{own_peak_mb():.1f}")
        return
    with tempfile.TemporaryDirectory(prefix="nastavnik-bench-") as folder:
        path = Path(folder) / "ученики.xlsx"
        started = time.perf_counter()
        write_xlsx(path, HEADERS, generated_rows(arguments.rows))
        print(
            f"{arguments.rows} rows x {len(HEADERS)} columns written in "
            f"{time.perf_counter() - started:.1f} s ({path.stat().st_size / 2**20:.1f} MB)"
        )
        measure(path, arguments.rows, arguments.rounds)
        measure_import(arguments.rows, Path(folder))


def measure(path: Path, rows: int, rounds: int) -> None:
    bases, ours, ratios = [], [], []
    for number in range(1, rounds + 1):
        base, cells = timed(openpyxl_baseline, path)
        calamine, _ = timed(calamine_only, path)
        mine, records = timed(read_and_validate, path)
        assert len(records) == rows and cells == (rows + 1) * len(HEADERS)
        bases.append(base)
        ours.append(mine)
        ratios.append(mine / base)
        print(
            f"round {number}: openpyxl read-only {base:.2f} s, calamine read alone "
            f"{calamine:.2f} s, read+validate {mine:.2f} s, ratio {mine / base:.2f}"
        )
    ratio = statistics.median(ours) / statistics.median(bases)
    print(
        f"median of {rounds}: openpyxl read-only {statistics.median(bases):.2f} s, "
        f"read+validate {statistics.median(ours):.2f} s, ratio {ratio:.2f} (limit {LIMIT_RATIO})"
    )
    imports, peak = peak_mb("--imports-only"), peak_mb("--peak", str(path))
    print(
        f"peak resident memory of a fresh process ({PEAK_SOURCE}): read+validate {peak:.0f} MB "
        f"(limit {LIMIT_PEAK_MB}), of which the interpreter and imports {imports:.0f} MB"
    )
    if ratio > LIMIT_RATIO or peak > LIMIT_PEAK_MB:
        sys.exit("over the limit")


def measure_import(rows: int, folder: Path) -> None:
    """The whole import of people into the database, against openpyxl's bare read of the
    same file, in the same run; and its peak memory in a fresh process."""
    path = folder / "участники.xlsx"
    write_xlsx(path, PEOPLE_HEADERS, people_rows(rows))
    import documents.imports  # noqa: F401  (its import time is not the import's)

    base, _ = timed(openpyxl_baseline, path)
    started = time.perf_counter()
    created = import_people_into_new_database(path, folder / "first")
    mine = time.perf_counter() - started
    print(
        f"database import of {rows} people ({created} people stored, with the minors' "
        f"parents): {mine:.2f} s against openpyxl read-only {base:.2f} s, ratio {mine / base:.2f}"
    )
    peak = peak_mb("--peak-import", str(path), str(folder / "second"))
    print(f"peak resident memory of the import in a fresh process ({PEAK_SOURCE}): {peak:.0f} MB")


if __name__ == "__main__":
    main()
