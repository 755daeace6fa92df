"""Schools' spreadsheets taken into a program, whole or not at all: its people
(``import_people``), their answers to one of its questionnaires (``import_answers``) and their
consents under 152-ФЗ (``import_consents``).

A file is read and its cells checked by documents/spreadsheets.py; then every row is checked
against what the database holds (who is who, who may be a representative, consents, the answers
against the program's copy of the questionnaire) before anything is written. Every problem of
the file, of a cell or of a row, goes into one Russian report by row and column
(``SpreadsheetRefused``, exit 2), and then nothing is written. A file without any problem is
written in the caller's session, one transaction (``database.session`` commits all of it or
rolls all of it back); a dry run checks it all and writes nothing.

People are matched within the program's organisation by ФИО (compared as headers are: case, ё,
punctuation and spacing aside) and date of birth; a known person without a date of birth is
matched by ФИО and gets the date. A matched person gets what is missing filled in (particulars
not yet known, a new address, a role, a representative); what is known already is kept, so
importing the same file again changes nothing. A minor's legal representative is matched by
ФИО and an address of theirs (or, without an address in the row, among the minor's
representatives by ФИО), else created as a person of the same organisation.

A consent's person is matched the same way among the program's people; its rules (who gives a
minor's consent, the date, the kinds) are domain/consents.py's, every row is checked against
them first and each consent is then recorded through ``consents.give_consent``; a consent
recorded already (same person, kind, giver, date and document, not withdrawn) is left as it is.
Sending the questionnaires open to those who consented is the outbox's part: flows/consents.py.

The columns are found by their Russian headers or as an explicit mapping says; the mapping of a
file imported is saved per program and kind (``people``, ``answers:<questionnaire>``,
``consents``) and used for the next file unless another mapping is given.

Cell values are personal data, many of them children's: the report quotes them to the person
who gave the file; the log gets counts only.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from documents.spreadsheets import (
    REPORT_LIMIT,
    Field,
    Kind,
    Problem,
    Record,
    SpreadsheetRefused,
    Table,
    detect_mapping,
    folded,
    read_table,
    validate_rows,
)
from domain import consents, inputs, surveys
from domain.contacts import check_address
from domain.errors import InvalidInput, TransitionRefused
from domain.inputs import shown
from domain.models import (
    Consent,
    Contact,
    ImportMapping,
    Person,
    Program,
    ProgramQuestionnaire,
    ProgramRole,
    Representative,
    SurveyResponse,
)
from domain.participants import (
    ADULT_AGE,
    CATEGORY_LABELS,
    HasParticulars,
    Particulars,
    PersonCategory,
    age_on,
    apply_particulars,
    is_minor,
    representatives,
)
from domain.people import PROGRAM_ROLES
from domain.programs import get_program, program_timezone
from domain.questionnaires import LONGEST_TEXT, InvalidAnswers, Questionnaire, Ranking, validate
from domain.roadmap import ROLE_LABELS, Role
from domain.schedule import as_moment, local_today, zone
from domain.wording import counted, day_text

log = logging.getLogger(__name__)

PEOPLE = "people"
FIRST_TEACHING_YEAR = 1950  # as ``person add --teaching-since`` allows

PEOPLE_FIELDS: tuple[Field, ...] = (
    Field(
        "name",
        "ФИО",
        required=True,
        synonyms=("Ф.И.О.", "Фамилия имя отчество", "ФИО участника"),
    ),
    Field(
        "role",
        "Роль в программе",
        Kind.CHOICE,
        synonyms=("Роль",),
        choices={role.value: ROLE_LABELS[role] for role in PROGRAM_ROLES},
    ),
    Field("birth_date", "Дата рождения", Kind.DATE, synonyms=("ДР", "Дата рожд.")),
    Field(
        "category",
        "Категория",
        Kind.CHOICE,
        synonyms=("Категория участника",),
        choices={category.value: label for category, label in CATEGORY_LABELS.items()},
    ),
    Field("school_class", "Класс", max_length=20),
    Field(
        "teaching_since",
        "Год начала педагогической работы",
        Kind.INTEGER,
        synonyms=("Год начала работы", "Начало педагогической работы"),
        lowest=FIRST_TEACHING_YEAR,
        highest=inputs.LATEST.year,
    ),
    Field(
        "place",
        "Место учёбы или работы",
        synonyms=("Место учёбы/работы", "Место работы или учёбы", "Место учёбы", "Место работы"),
    ),
    Field(
        "email",
        "E-mail",
        max_length=inputs.ADDRESS,
        synonyms=("Email", "Электронная почта", "Эл. почта", "Почта", "Адрес электронной почты"),
    ),
    Field(
        "contact",
        "Телефон или другой адрес",
        max_length=inputs.ADDRESS,
        synonyms=("Телефон/другой адрес", "Другой адрес", "Телефон", "Адрес для уведомлений"),
    ),
    Field(
        "representative_name",
        "ФИО законного представителя",
        synonyms=("Законный представитель", "ФИО представителя", "ФИО родителя"),
    ),
    Field(
        "representative_email",
        "E-mail законного представителя",
        max_length=inputs.ADDRESS,
        synonyms=(
            "Email законного представителя",
            "E-mail представителя",
            "E-mail родителя",
            "Почта законного представителя",
            "Почта родителя",
            "Адрес законного представителя",
        ),
    ),
)
_PEOPLE_LABELS = {f.code: f.label for f in PEOPLE_FIELDS}
_ADDRESS_FIELDS = ("email", "contact")

# The columns that say who answered a questionnaire; the questions' columns are its own.
ANSWER_IDENTITY: tuple[Field, ...] = (PEOPLE_FIELDS[0], PEOPLE_FIELDS[2])
_IDENTITY_CODES = frozenset(f.code for f in ANSWER_IDENTITY)


def answers_kind(questionnaire_code: str) -> str:
    """The ImportMapping kind of a questionnaire's answers: its questions are its own."""
    return f"answers:{questionnaire_code}"


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did (or, in a dry run, would do). For people: rows of people created,
    updated (something missing filled in) or unchanged, and the representatives created. For
    answers: responses created, replaced or unchanged; ``answers_recorded`` the first two. For
    consents: consents recorded (``created``) or recorded already (``unchanged``); ``consented``
    the people who got a consent to processing, ``messages_queued`` the questionnaires then
    sent to them (flows/consents.py)."""

    kind: str  # people, answers, consents
    program_id: int
    source: str  # the file's name
    rows: int
    created: int
    updated: int
    unchanged: int
    representatives_created: int = 0
    minors_without_representative: int = 0
    answers_recorded: int = 0
    questionnaire: str | None = None
    consented: tuple[int, ...] = ()  # person ids
    messages_queued: int = 0
    dry_run: bool = False
    mapping: dict[str, str | None] = field(default_factory=dict)  # field code -> header


# --- Addresses ---------------------------------------------------------------------------------

_EMAIL = re.compile(r"[^@\s/:;,<>]+@[^@\s/:;,<>]+\.[^@\s/:;,<>.]+")


@functools.lru_cache(maxsize=4096)
def _mail_domain_understood(domain: str) -> bool:
    """Whether apprise sends e-mail to addresses of ``domain``: asked once per domain, since
    asking costs about a millisecond and a school's file holds thousands of addresses at a
    handful of domains."""
    try:
        check_address(f"mailto://probe@{domain}")
    except InvalidInput:
        return False
    return True


def delivery_address(text: str) -> str:
    """A cell's address as an apprise URL: a plain e-mail (or mailto:e-mail) becomes
    mailto://e-mail, a URL apprise knows is taken as it is; anything else is refused."""
    value = text.strip()
    if value.lower().startswith("mailto:") and "://" not in value:
        value = value[len("mailto:") :].strip()
    if _EMAIL.fullmatch(value):
        value = f"mailto://{value}"
        if _mail_domain_understood(value.rsplit("@", 1)[1]):
            return value
    try:
        if "://" not in value:
            raise InvalidInput("no scheme")
        return check_address(value)
    except InvalidInput:
        raise InvalidInput(
            f"адрес «{shown(value)}» не распознан: укажите e-mail (ivanova@school.ru) или адрес "
            "apprise (tgram://ТОКЕН_БОТА/ID_ЧАТА, json://сервер/путь…)"
        ) from None


# --- Shared steps ------------------------------------------------------------------------------


class _Columns:
    """Where each mapped field is in the table, as reports name it."""

    def __init__(self, table: Table, mapping: Mapping[str, str]) -> None:
        self.mapping = dict(mapping)
        positions = {folded(header): index for index, header in enumerate(table.headers)}
        self.where: dict[str, tuple[str, str]] = {}
        for code, header in mapping.items():
            index = positions[folded(header)]
            self.where[code] = (table.letters[index], table.headers[index])

    def of(self, *codes: str) -> tuple[tuple[str, str], ...]:
        return tuple(self.where[code] for code in codes if code in self.where)


def _mapping(
    db: Session,
    program_id: int,
    kind: str,
    table: Table,
    fields: Sequence[Field],
    explicit: Mapping[str, str | None] | None,
) -> tuple[dict[str, str], dict[str, str | None]]:
    """The columns of the fields (as ``explicit`` says, else as saved for the program's last
    file of this kind where its headers are in this one, else by the headers' names), and the
    mapping to save: with the fields the file was told to leave out."""
    if explicit is None:
        saved = _saved(db, program_id, kind)
        codes = {f.code for f in fields}
        present = {folded(header) for header in table.headers}
        explicit = {
            code: header
            for code, header in (saved.mapping.items() if saved else ())
            if code in codes
            and (header is None or (isinstance(header, str) and folded(header) in present))
        }
    mapping = detect_mapping(table, fields, explicit)
    left_out = {code: None for code, header in explicit.items() if header is None}
    return mapping, {**mapping, **left_out}


def _saved(db: Session, program_id: int, kind: str) -> ImportMapping | None:
    return db.exec(
        select(ImportMapping).where(
            ImportMapping.program_id == program_id, ImportMapping.kind == kind
        )
    ).first()


def _save_mapping(
    db: Session, program_id: int, kind: str, mapping: dict[str, str | None], now: datetime
) -> None:
    saved = _saved(db, program_id, kind)
    if saved is None:
        saved = ImportMapping(program_id=program_id, kind=kind, mapping=mapping, updated_at=now)
    elif saved.mapping == mapping:
        return  # the same file again changes nothing
    else:
        saved.mapping, saved.updated_at = mapping, now
    db.add(saved)
    db.flush()


def _records(
    table: Table, fields: Sequence[Field], mapping: Mapping[str, str], key: Sequence[str]
) -> tuple[list[Record], list[Problem]]:
    """The rows whose cells are all right, and the problems of the others: a file's rows are
    then checked against the database too, so that one report says everything."""
    try:
        return validate_rows(table, fields, mapping, key), []
    except SpreadsheetRefused as refused:
        problems = list(refused.problems)
        if not problems:
            raise
    wrong = {problem.row for problem in problems}
    records = []
    for row in table.rows:
        if row.number not in wrong:
            records += validate_rows(replace(table, rows=[row]), fields, mapping)
    return records, problems


def _refuse(table: Table, problems: list[Problem]) -> None:
    if not problems:
        return
    problems = sorted(problems, key=lambda problem: problem.row or 0)  # stable: columns in order
    title = f"Файл «{shown(table.source)}» не принят, ни одна строка не загружена"
    lines = [f"{title}: {counted(len(problems), 'ошибка', 'ошибки', 'ошибок')}."]
    lines += [f"  {problem}" for problem in problems[:REPORT_LIMIT]]
    if len(problems) > REPORT_LIMIT:
        lines.append(f"  и ещё {len(problems) - REPORT_LIMIT}")
    log.info("import refused: %d rows, %d problems", len(table.rows), len(problems))
    raise SpreadsheetRefused("\n".join(lines), problems)


def _moment(db: Session, program_id: int, now: datetime) -> tuple[datetime, date]:
    tz = program_timezone(db, program_id)
    moment = as_moment(now, tz)
    return moment, local_today(moment, tz)


class _RowProblem(Exception):
    """A row refused: the columns (field codes) and the Russian reason."""

    def __init__(self, codes: Sequence[str], reason: str) -> None:
        super().__init__(reason)
        self.codes = tuple(codes)
        self.reason = reason


def _match(
    candidates: Sequence[Person], name: str, birth: date | None, where: str
) -> Person | None:
    """Who of ``candidates`` (people of one folded ФИО) a row means: the one born on the row's
    date, else the only one whose date is unknown; without a date, the only one."""
    if birth is not None:
        exact = [p for p in candidates if p.birth_date == birth]
        undated = [p for p in candidates if p.birth_date is None]
        found = exact or undated
        if len(found) > 1:
            numbers = ", ".join(f"№{p.id}" for p in found)
            raise _RowProblem(
                ("name", "birth_date"),
                f"{where} несколько людей «{shown(name)}» "
                + (f"с датой рождения {day_text(birth)}" if exact else "без даты рождения")
                + f" ({numbers}): не понять, кто из них в этой строке",
            )
        return found[0] if found else None
    if len(candidates) > 1:
        numbers = ", ".join(f"№{p.id}" for p in candidates)
        raise _RowProblem(
            ("name", "birth_date"),
            f"{where} несколько людей «{shown(name)}» ({numbers}): укажите дату рождения",
        )
    return candidates[0] if candidates else None


def _participants(
    db: Session, program_id: int
) -> tuple[dict[int, set[str]], dict[str, list[Person]]]:
    """The program's people: their roles by id, and the people by folded ФИО, each list in the
    order of their ids."""
    pairs = db.exec(
        select(Person, ProgramRole.role)
        .join(ProgramRole, col(ProgramRole.person_id) == col(Person.id))
        .where(ProgramRole.program_id == program_id)
        .order_by(col(Person.id))
    ).all()
    roles: dict[int, set[str]] = {}
    by_name: dict[str, list[Person]] = {}
    for participant, role in pairs:
        assert participant.id is not None
        if participant.id not in roles:
            by_name.setdefault(folded(participant.name), []).append(participant)
        roles.setdefault(participant.id, set()).add(role)
    return roles, by_name


def _participant(by_name: Mapping[str, Sequence[Person]], record: Record) -> Person:
    """The program's person a row means by its ФИО and date of birth, or ``_RowProblem``."""
    name: str = record["name"]
    birth: date | None = record["birth_date"]
    person = _match(by_name.get(folded(name), []), name, birth, "в программе")
    if person is None or person.id is None:
        dated = f" с датой рождения {day_text(birth)}" if birth else ""
        raise _RowProblem(
            ("name", "birth_date"),
            f"в программе нет участника «{shown(name)}»{dated} (nastavnik import people)",
        )
    return person


# --- People ------------------------------------------------------------------------------------


@dataclass(eq=False)
class _Row:
    """One row's person as the import leaves them."""

    number: int
    name: str
    person: Person | None  # None: created by the import
    particulars: Particulars  # all the row gives for a new person, what was missing of a known
    after: HasParticulars  # a transient copy of the person as they will be: who is a minor
    urls: list[str]  # addresses to add
    role: str | None  # a role to give
    representative: Person | _Row | _NewRepresentative | None = None
    link: bool = False  # the representative is to be linked
    changed: bool = False


@dataclass(eq=False)
class _NewRepresentative:
    name: str
    url: str
    id: int | None = None
    person: Person | None = None  # made when the import is written


class _People:
    """The program's organisation as the file finds it, and what each row makes of it."""

    def __init__(self, db: Session, program: Program, today: date, columns: _Columns) -> None:
        self.db, self.program, self.today, self.columns = db, program, today, columns
        org_people = db.exec(select(Person).where(Person.org_id == program.org_id)).all()
        self.by_name: dict[str, list[Person]] = {}
        for person in sorted(org_people, key=lambda p: p.id or 0):
            self.by_name.setdefault(folded(person.name), []).append(person)
        ids = [p.id for p in org_people if p.id is not None]
        self.contacts: dict[int, set[str]] = {pid: set() for pid in ids}
        self.links: dict[int, list[int]] = {pid: [] for pid in ids}
        self.people = {p.id: p for p in org_people if p.id is not None}
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            for contact in db.exec(select(Contact).where(col(Contact.person_id).in_(chunk))):
                self.contacts[contact.person_id].add(contact.url)
            links = db.exec(
                select(Representative)
                .where(col(Representative.person_id).in_(chunk))
                .order_by(col(Representative.id))
            )
            for link in links:
                self.links[link.person_id].append(link.representative_id)
        self.roles = {
            (r.person_id, r.role)
            for r in db.exec(select(ProgramRole).where(ProgramRole.program_id == program.id))
        }
        self.rows: list[_Row] = []
        self.by_address: dict[tuple[str, str], _Row] = {}  # (folded ФИО, a new address)
        self.row_of: dict[int, _Row] = {}  # a known person's row
        self.new_representatives: dict[tuple[str, str], _NewRepresentative] = {}
        # Representatives found so far by (folded ФИО, address).
        self.chosen: dict[tuple[str, str], Person | _Row | _NewRepresentative] = {}
        self.representative_urls: dict[int, list[str]] = {}  # known ones' new addresses
        self.problems: list[Problem] = []

    def problem(self, number: int, codes: Sequence[str], reason: str) -> None:
        self.problems.append(Problem(number, self.columns.of(*codes), reason))

    # Checking: nothing is written, no stored object is touched.

    def check(self, records: list[Record]) -> list[Problem]:
        planned: list[tuple[_Row, Record]] = []
        seen_known: dict[int, int] = {}
        seen_new: dict[str, list[tuple[date | None, int]]] = {}
        no_address_column = not any(code in self.columns.mapping for code in _ADDRESS_FIELDS)
        without_address: list[int] = []
        for record in records:
            try:
                row = self._row(record)
            except _RowProblem as wrong:
                self.problem(record.row, wrong.codes, wrong.reason)
                continue
            if row is None:
                continue
            # The same person twice: a known one, or new ones of one ФИО whose dates agree.
            if row.person is not None and row.person.id is not None:
                first = seen_known.setdefault(row.person.id, row.number)
                if first != row.number:
                    self.problem(
                        row.number, ("name", "birth_date"), f"тот же человек, что в строке {first}"
                    )
                    continue
            else:
                birth = record["birth_date"]
                same = seen_new.setdefault(folded(row.name), [])
                first_row = next(
                    (n for b, n in same if b is None or birth is None or b == birth), None
                )
                if first_row is not None:
                    self.problem(
                        row.number,
                        ("name", "birth_date"),
                        f"тот же человек, что в строке {first_row}",
                    )
                    continue
                same.append((birth, row.number))
                if not row.urls:
                    if no_address_column:
                        without_address.append(row.number)
                        continue
                    self.problem(
                        row.number,
                        _ADDRESS_FIELDS,
                        "нет адреса для уведомлений: заполните «E-mail» или «Телефон или "
                        "другой адрес»",
                    )
                    continue
            planned.append((row, record))
        if without_address:
            listed = ", ".join(str(n) for n in without_address[:20])
            more = f" и ещё {len(without_address) - 20}" if len(without_address) > 20 else ""
            self.problems.append(
                Problem(
                    None,
                    (),
                    "в файле нет столбца «E-mail» или «Телефон или другой адрес», а у новых "
                    f"людей (строки {listed}{more}) должен быть хотя бы один адрес для "
                    "уведомлений",
                )
            )
        self.rows = [row for row, _ in planned]
        for row in self.rows:
            for url in row.urls:
                self.by_address.setdefault((folded(row.name), url), row)
            if row.person is not None and row.person.id is not None:
                self.row_of[row.person.id] = row
        for row, record in planned:
            try:
                self._representative(row, record)
            except _RowProblem as wrong:
                self.problem(row.number, wrong.codes, wrong.reason)
        return self.problems

    def _row(self, record: Record) -> _Row | None:
        name: str = record["name"]
        birth: date | None = record["birth_date"]
        person = _match(self.by_name.get(folded(name), []), name, birth, "в организации")
        given = Particulars(
            birth_date=birth,
            category=record["category"],
            school_class=record["school_class"],
            teaching_since=record["teaching_since"],
            place=record["place"],
        )
        if person is not None:  # only what is not known yet
            given = Particulars(
                **{
                    particular: value if getattr(person, particular) is None else None
                    for particular, value in vars(given).items()
                }
            )
        urls: list[str] = []
        wrong = []
        for code in _ADDRESS_FIELDS:
            if record[code] is None:
                continue
            try:
                url = delivery_address(record[code])
            except InvalidInput as error:
                wrong.append((code, str(error)))
                continue
            known = self.contacts.get(person.id, set()) if person and person.id else set()
            if url not in urls and url not in known:
                urls.append(url)
        after = _Particulars.of(person) if person is not None else _Particulars()
        problems = wrong + self._particulars(given, after)
        if not problems:
            try:
                apply_particulars(after, given, self.today)
            except InvalidInput as error:
                problems.append(("", _sentence(str(error))))
        for code, reason in problems:
            self.problem(record.row, (code,) if code else (), reason)
        if problems:
            return None
        role = record["role"]
        if role is not None and person is not None and (person.id, role) in self.roles:
            role = None
        changed = person is not None and bool(
            urls or role or any(value is not None for value in vars(given).values())
        )
        return _Row(record.row, name, person, given, after, urls, role, changed=changed)

    def _particulars(self, given: Particulars, after: HasParticulars) -> list[tuple[str, str]]:
        """What of a row's particulars cannot be, by column, before the domain's own check."""
        problems = []
        birth = given.birth_date or after.birth_date
        category = given.category or after.category
        label = (
            f"а категория — «{CATEGORY_LABELS[PersonCategory(category)]}»"
            if category
            else "а категория не указана"
        )
        if given.birth_date is not None and given.birth_date > self.today:
            problems.append(
                ("birth_date", f"дата рождения {day_text(given.birth_date)} ещё не наступила")
            )
        if given.school_class is not None and category != PersonCategory.PUPIL.value:
            problems.append(("school_class", f"класс указывают только обучающимся, {label}"))
        since = given.teaching_since
        if since is not None:
            if since > self.today.year:
                problems.append(("teaching_since", f"{since} год ещё не наступил"))
            elif birth is not None and since < birth.year + 14:
                problems.append(
                    ("teaching_since", f"{since} год — раньше, чем человеку исполнилось 14 лет")
                )
            if category != PersonCategory.TEACHER.value:
                problems.append(
                    ("teaching_since", f"год начала работы указывают только педагогам, {label}")
                )
        return problems

    def _representative(self, row: _Row, record: Record) -> None:
        name: str | None = record["representative_name"]
        text: str | None = record["representative_email"]
        if name is None and text is None:
            return
        if name is None:
            raise _RowProblem(
                ("representative_name",),
                "указан адрес законного представителя, а его ФИО нет",
            )
        key = folded(name)
        linked = [
            self.people[pid]
            for pid in (self.links.get(row.person.id, []) if row.person and row.person.id else [])
            if pid in self.people and folded(self.people[pid].name) == key
        ]
        if text is None:
            if not linked:
                raise _RowProblem(
                    ("representative_email",),
                    "нет адреса законного представителя: по нему его находят и извещают",
                )
            row.representative = linked[0]
            return
        try:
            url = delivery_address(text)
        except InvalidInput as error:
            raise _RowProblem(("representative_email",), str(error)) from None
        found: Person | _Row | _NewRepresentative | None = self.by_address.get(
            (key, url)
        ) or self.chosen.get((key, url))
        if found is None:
            found = next(
                (
                    self._row_of(p)
                    for p in self.by_name.get(key, [])
                    if p.id is not None and url in self.contacts[p.id]
                ),
                None,
            )
        if found is None and linked:
            found = linked[0]  # a representative known by ФИО, with a new address
            assert found.id is not None
            extra = self.representative_urls.setdefault(found.id, [])
            if url not in extra:
                extra.append(url)
            row.changed = row.person is not None
        if found is None:
            found = self.new_representatives.setdefault((key, url), _NewRepresentative(name, url))
        self.chosen.setdefault((key, url), found)  # the next child of the same parent
        if found is row or (isinstance(found, Person) and found is row.person):
            raise _RowProblem(
                ("representative_name",), "человек не может быть сам себе законным представителем"
            )
        self._adult(found)
        row.representative = found
        if isinstance(found, _Row):
            found_id = found.person.id if found.person is not None else None
        else:
            found_id = found.id
        known = row.person is not None and found_id in self.links.get(row.person.id or 0, [])
        if not known:
            row.link = True
            row.changed = row.person is not None

    def _row_of(self, person: Person) -> Person | _Row:
        return self.row_of.get(person.id or 0, person)

    def _adult(self, representative: Person | _Row | _NewRepresentative) -> None:
        person = representative.after if isinstance(representative, _Row) else representative
        born = getattr(person, "birth_date", None)  # a new representative gives none
        if born is not None and age_on(born, self.today) < ADULT_AGE:
            raise _RowProblem(
                ("representative_name",),
                f"законный представитель «{shown(representative.name)}» — несовершеннолетний "
                f"(младше {ADULT_AGE} лет)",
            )

    # Writing: only once every row is right.

    def outcome(self, source: str, mapping: dict[str, str | None], dry_run: bool) -> ImportOutcome:
        created = sum(1 for row in self.rows if row.person is None)
        updated = sum(1 for row in self.rows if row.person is not None and row.changed)
        minors = sum(
            1
            for row in self.rows
            if row.representative is None
            and is_minor(row.after, self.today)
            and not (row.person and row.person.id and self.links.get(row.person.id))
        )
        return ImportOutcome(
            kind=PEOPLE,
            program_id=self.program.id or 0,
            source=source,
            rows=len(self.rows),
            created=created,
            updated=updated,
            unchanged=len(self.rows) - created - updated,
            representatives_created=len(self.new_representatives),
            minors_without_representative=minors,
            dry_run=dry_run,
            mapping=mapping,
        )

    def write(self, now: datetime) -> None:
        """Store what ``check`` found good, in bulk: one statement per table, whatever the
        number of rows (every row was checked before anything is written). New people go in
        as plain rows, without an ORM object each: that was most of an import's time."""
        db, program_id = self.db, self.program.id
        assert program_id is not None
        new_rows = [row for row in self.rows if row.person is None]
        fresh = [self._person_values(row.name, row.particulars, now) for row in new_rows]
        fresh += [
            self._person_values(new.name, Particulars(), now)
            for new in self.new_representatives.values()
        ]
        ids = _inserted_ids(db, Person, fresh)
        person_ids: dict[int, int] = {}
        contacts: list[dict[str, Any]] = []
        for row, person_id in zip(new_rows, ids, strict=False):
            person_ids[row.number] = person_id
            contacts += _contacts(person_id, row.urls, first_preferred=True)
        for new, person_id in zip(self.new_representatives.values(), ids[len(new_rows) :],
                                  strict=True):  # fmt: skip
            new.id = person_id
            contacts += _contacts(person_id, [new.url], first_preferred=True)
        for row in self.rows:
            if row.person is None:
                continue
            person = row.person
            person_ids[row.number] = _id(person)
            if any(value is not None for value in vars(row.particulars).values()):
                apply_particulars(person, row.particulars, self.today)
                db.add(person)
            contacts += _contacts(_id(person), row.urls, first_preferred=False)
        for person_id, urls in self.representative_urls.items():
            contacts += _contacts(person_id, urls, first_preferred=False)
        roles = [
            {"program_id": program_id, "person_id": person_ids[row.number], "role": row.role}
            for row in self.rows
            if row.role is not None
        ]
        links = []
        for row in self.rows:
            if row.representative is None or not row.link:
                continue
            chosen = row.representative
            representative_id = person_ids[chosen.number] if isinstance(chosen, _Row) else chosen.id
            assert representative_id is not None  # stored above
            links.append(
                {"person_id": person_ids[row.number], "representative_id": representative_id}
            )
        for model, values in ((Contact, contacts), (ProgramRole, roles), (Representative, links)):
            if values:
                db.execute(sa.insert(model.__table__), values)  # type: ignore[union-attr]
        db.flush()

    def _person_values(self, name: str, given: Particulars, now: datetime) -> dict[str, Any]:
        """A new person's row, its particulars normalised as ``apply_particulars`` does."""
        person = _Particulars()
        apply_particulars(person, given, self.today)
        return {"org_id": self.program.org_id, "name": name, "created_at": now, **vars(person)}


class _Particulars:
    """What ``apply_particulars`` reads and sets, without an ORM object: a person's
    particulars checked, or a new person's, at a fraction of an ORM object's cost."""

    def __init__(self) -> None:
        self.birth_date: date | None = None
        self.category: str | None = None
        self.school_class: str | None = None
        self.teaching_since: int | None = None
        self.place: str | None = None

    @classmethod
    def of(cls, person: Person) -> _Particulars:
        copy = cls()
        for name in vars(copy):
            setattr(copy, name, getattr(person, name))
        return copy


def _inserted_ids(db: Session, model: Any, values: list[dict[str, Any]]) -> list[int]:
    """Insert rows in one statement; their ids, in the order of ``values``."""
    if not values:
        return []
    table = model.__table__
    statement = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(db.execute(statement, values).scalars().all())


def _contacts(
    person_id: int, urls: Sequence[str], *, first_preferred: bool
) -> list[dict[str, Any]]:
    return [
        {"person_id": person_id, "url": url, "preferred": first_preferred and index == 0}
        for index, url in enumerate(urls)
    ]


def _id(person: Person) -> int:
    assert person.id is not None  # flushed
    return person.id


def _sentence(message: str) -> str:
    """A domain's refusal as a report's reason: the options of ``person add`` left out."""
    message = re.sub(r"\s*\((?:--[\w-]+(?: \w+)?)\)", "", message)
    return message[:1].lower() + message[1:] if message[1:2].islower() else message


def import_people(
    db: Session,
    program_id: int,
    path: str | Path,
    *,
    now: datetime,
    mapping: Mapping[str, str | None] | None = None,
    sheet: str | None = None,
    dry_run: bool = False,
) -> ImportOutcome:
    """The people of a spreadsheet added to the program (``--program``) and its organisation,
    all of them or, with any problem, none; a dry run checks and writes nothing."""
    program = get_program(db, program_id)
    now, today = _moment(db, program_id, now)
    table = read_table(path, sheet)
    columns, used = _mapping(db, program_id, PEOPLE, table, PEOPLE_FIELDS, mapping)
    records, problems = _records(table, PEOPLE_FIELDS, columns, ("name", "birth_date"))
    people = _People(db, program, today, _Columns(table, columns))
    problems += people.check(records)
    _refuse(table, problems)
    outcome = people.outcome(table.source, used, dry_run)
    if not dry_run:
        people.write(now)
        _save_mapping(db, program_id, PEOPLE, used, now)
    log.info(
        "people import%s: %d rows, %d created, %d updated, %d unchanged, %d representatives",
        " (dry run)" if dry_run else "",
        outcome.rows,
        outcome.created,
        outcome.updated,
        outcome.unchanged,
        outcome.representatives_created,
    )
    return outcome


# --- Answers -----------------------------------------------------------------------------------


def answer_fields(questionnaire: Questionnaire) -> list[Field]:
    """The columns of a questionnaire's answers: ФИО and date of birth, then one per question,
    named by its text or its code (see ``answer_field``)."""
    return [
        *ANSWER_IDENTITY,
        *(
            Field(
                answer_field(question.code),
                question.text,
                required=question.required,
                synonyms=() if question.code in _IDENTITY_CODES else (question.code,),
                max_length=LONGEST_TEXT,
                multiline=True,  # the question's own rule says whether a line break may be
            )
            for question in questionnaire.questions
        ),
    ]


def answer_field(question_code: str) -> str:
    """A question's field code: its own, but ``answer:<code>`` for one coded like the
    identity columns (``name``, ``birth_date``)."""
    return f"answer:{question_code}" if question_code in _IDENTITY_CODES else question_code


@dataclass(frozen=True)
class _Answer:
    number: int
    person_id: int
    answers: dict[str, object]  # as the cells give them, by question code
    created: bool
    changed: bool


def import_answers(
    db: Session,
    program_id: int,
    questionnaire_code: str,
    path: str | Path,
    *,
    now: datetime,
    mapping: Mapping[str, str | None] | None = None,
    sheet: str | None = None,
    dry_run: bool = False,
) -> ImportOutcome:
    """The answers of a spreadsheet, one row per participant, to the program's copy of a
    questionnaire: every row's person known in the program, of the questionnaire's audience,
    with a valid consent to processing, and every answer valid; else none is taken."""
    get_program(db, program_id)
    now, today = _moment(db, program_id, now)
    row = surveys.find_questionnaire(db, program_id, questionnaire_code)
    assert row.id is not None
    questionnaire = surveys.questionnaire_of(row)
    if row.opened_at is None or row.closed_at is not None:
        raise TransitionRefused(
            f"Анкета «{questionnaire.title}» {'закрыта' if row.closed_at else 'ещё не открыта'}: "
            "ответы принимаются, пока идёт её этап"
        )
    kind = answers_kind(row.code)
    fields = answer_fields(questionnaire)
    table = read_table(path, sheet)
    mapped, used = _mapping(db, program_id, kind, table, fields, mapping)
    records, problems = _records(table, fields, mapped, ("name", "birth_date"))
    columns = _Columns(table, mapped)
    answers = _check_answers(db, row, questionnaire, records, columns, today)
    problems += answers.problems
    _refuse(table, problems)
    created = sum(1 for a in answers.planned if a.created)
    changed = sum(1 for a in answers.planned if a.changed and not a.created)
    outcome = ImportOutcome(
        kind="answers",
        program_id=program_id,
        source=table.source,
        rows=len(answers.planned),
        created=created,
        updated=changed,
        unchanged=len(answers.planned) - created - changed,
        answers_recorded=created + changed,
        questionnaire=row.code,
        dry_run=dry_run,
        mapping=used,
    )
    if not dry_run:
        surveys.record_many(
            db,
            row,
            {a.person_id: a.answers for a in answers.planned if a.changed},
            source=surveys.Source.IMPORT,
            now=now,
            day=today,
        )
        _save_mapping(db, program_id, kind, used, now)
    log.info(
        "answers import%s: %d rows, %d recorded, %d unchanged",
        " (dry run)" if dry_run else "",
        outcome.rows,
        outcome.answers_recorded,
        outcome.unchanged,
    )
    return outcome


@dataclass
class _CheckedAnswers:
    planned: list[_Answer] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _check_answers(
    db: Session,
    row: ProgramQuestionnaire,
    questionnaire: Questionnaire,
    records: list[Record],
    columns: _Columns,
    today: date,
) -> _CheckedAnswers:
    """Every row's person and answers checked as ``surveys.record_answers`` will, without
    writing: who they are among the program's people, their role, their consent, their
    answers."""
    result = _CheckedAnswers()
    roles, by_name = _participants(db, row.program_id)
    audience = {role.value for role in surveys.roles_of(questionnaire)}
    audience_labels = ", ".join(ROLE_LABELS[Role(role)] for role in sorted(audience))
    allowed = consents.allowed(db, roles.keys(), today)
    stored = {
        response.person_id: response.answers
        for response in db.exec(
            select(SurveyResponse).where(SurveyResponse.questionnaire_id == row.id)
        )
    }
    ranks = any(isinstance(question, Ranking) for question in questionnaire.questions)
    rankable = surveys.ranking_candidates(db, row.program_id) if ranks else {}
    seen: dict[int, int] = {}

    def problem(number: int, codes: Sequence[str], reason: str) -> None:
        result.problems.append(Problem(number, columns.of(*codes), reason))

    for record in records:
        try:
            person = _participant(by_name, record)
        except _RowProblem as wrong:
            problem(record.row, wrong.codes, wrong.reason)
            continue
        assert person.id is not None
        first = seen.setdefault(person.id, record.row)
        if first != record.row:
            problem(record.row, ("name", "birth_date"), f"тот же участник, что в строке {first}")
            continue
        if not roles[person.id] & audience:
            problem(
                record.row,
                ("name",),
                f"{shown(person.name)} (№{person.id}) не участвует в программе в роли, которой "
                f"адресована анкета ({audience_labels})",
            )
            continue
        if person.id not in allowed:
            problem(
                record.row,
                ("name",),
                f"у {shown(person.name)} (№{person.id}) нет действующего согласия на обработку "
                "персональных данных (nastavnik consent give)",
            )
            continue
        given = {
            question.code: record[answer_field(question.code)]
            for question in questionnaire.questions
            if record[answer_field(question.code)] is not None
        }
        candidates = rankable.get(person.id, [])
        try:
            normalised = validate(questionnaire, given, candidates=candidates)
        except InvalidAnswers as refused:
            for code, reason in refused.problems.items():
                question = questionnaire.question(code)
                if question is None:  # no cell gives an unknown question: not to happen
                    problem(record.row, (), reason)
                    continue
                reason = reason.removeprefix(f"«{question.text}»: ")
                problem(record.row, (answer_field(code),), reason)
            continue
        previous = stored.get(person.id)
        result.planned.append(
            _Answer(
                record.row,
                person.id,
                given,
                created=previous is None,
                changed=previous != normalised,
            )
        )
    return result


# --- Consents ----------------------------------------------------------------------------------

CONSENTS = "consents"

CONSENT_FIELDS: tuple[Field, ...] = (
    *ANSWER_IDENTITY,
    Field(
        "kind",
        "Вид согласия",
        required=True,
        synonyms=("Тип согласия", "Согласие"),
        max_length=inputs.SHORT,
    ),
    Field(
        "given_by",
        "Кто дал согласие (ФИО)",
        synonyms=(
            "Кто дал согласие",
            "Кто дал",
            "ФИО давшего согласие",
            "ФИО законного представителя",
            "Законный представитель",
        ),
    ),
    Field(
        "given_on",
        "Дата согласия",
        Kind.DATE,
        required=True,
        synonyms=("Дата документа", "Дата подписания"),
    ),
    Field(
        "document",
        "Документ",
        synonyms=("Реквизиты документа", "Номер документа"),
        max_length=inputs.SHORT,  # as consents.give_consent takes it
    ),
)

# What schools' files call each kind of consent, besides its code and its label
# (consents.CONSENT_LABELS); compared folded, as headers are.
_KIND_WORDS: dict[consents.ConsentKind, tuple[str, ...]] = {
    consents.ConsentKind.PROCESSING: (
        "обработка",
        "на обработку",
        "обработка персональных данных",
        "обработка ПДн",
        "на обработку ПДн",
    ),
    consents.ConsentKind.PUBLICATION: (
        "публикация",
        "на публикацию",
        "распространение",
        "на распространение",
        "распространение персональных данных",
        "на распространение персональных данных",
    ),
}
_CONSENT_KINDS: dict[str, consents.ConsentKind] = {
    folded(word): kind
    for kind, words in _KIND_WORDS.items()
    for word in (kind.value, consents.CONSENT_LABELS[kind], *words)
}


def consent_kind(text: str) -> consents.ConsentKind:
    """A cell's kind of consent: its code, its label or a usual name of it («обработка»,
    «публикация»); else the domain's refusal, which lists the kinds."""
    found = _CONSENT_KINDS.get(folded(text))
    return found if found is not None else consents.consent_kind(text)


@dataclass(frozen=True)
class _Consent:
    number: int
    person_id: int
    kind: consents.ConsentKind
    given_by_id: int
    given_on: date
    document: str | None
    recorded: bool  # the same consent is recorded already

    @property
    def key(self) -> tuple[int, str, int, date, str | None]:
        return (self.person_id, self.kind.value, self.given_by_id, self.given_on, self.document)


@dataclass
class _CheckedConsents:
    planned: list[_Consent] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def import_consents(
    db: Session,
    program_id: int,
    path: str | Path,
    *,
    actor: str,
    now: datetime,
    mapping: Mapping[str, str | None] | None = None,
    sheet: str | None = None,
    dry_run: bool = False,
) -> ImportOutcome:
    """The consents of a spreadsheet, one row per consent of one of the program's people: each
    recorded as ``consents.give_consent`` records one, all of them or, with any problem, none;
    one recorded already is left as it is. A dry run checks and writes nothing. Sending the
    questionnaires open to those who consented is the caller's (flows/consents.py)."""
    get_program(db, program_id)
    tz = program_timezone(db, program_id)
    # The program's wall clock: the date a consent may not be later than is its local today,
    # for this check and for give_consent's own alike.
    local = as_moment(now, tz).astimezone(zone(tz))
    table = read_table(path, sheet)
    mapped, used = _mapping(db, program_id, CONSENTS, table, CONSENT_FIELDS, mapping)
    records, problems = _records(table, CONSENT_FIELDS, mapped, ())
    checked = _check_consents(db, program_id, records, _Columns(table, mapped), local.date())
    problems += checked.problems
    _refuse(table, problems)
    new = [consent for consent in checked.planned if not consent.recorded]
    outcome = ImportOutcome(
        kind=CONSENTS,
        program_id=program_id,
        source=table.source,
        rows=len(checked.planned),
        created=len(new),
        updated=0,
        unchanged=len(checked.planned) - len(new),
        consented=tuple(
            sorted({c.person_id for c in new if c.kind == consents.ConsentKind.PROCESSING})
        ),
        dry_run=dry_run,
        mapping=used,
    )
    if not dry_run:
        # Every row was checked; the domain checks each again as it records it, and a refusal
        # there (not to happen) rolls the whole file back with the caller's transaction.
        for consent in new:
            consents.give_consent(
                db,
                person_id=consent.person_id,
                kind=consent.kind.value,
                given_by_id=consent.given_by_id,
                given_on=consent.given_on,
                document=consent.document,
                actor=actor,
                now=local,
            )
        _save_mapping(db, program_id, CONSENTS, used, as_moment(now, tz))
    log.info(
        "consents import%s: %d rows, %d recorded, %d unchanged",
        " (dry run)" if dry_run else "",
        outcome.rows,
        outcome.created,
        outcome.unchanged,
    )
    return outcome


def _check_consents(
    db: Session, program_id: int, records: list[Record], columns: _Columns, today: date
) -> _CheckedConsents:
    """Every row checked as ``consents.give_consent`` will check it, without writing: whose
    consent (one of the program's people), of which kind, given by whom (an adult themself, a
    minor on the consent's date one of their legal representatives), on which date."""
    result = _CheckedConsents()
    roles, by_name = _participants(db, program_id)
    ids = list(roles)
    stored = {
        (c.person_id, c.kind, c.given_by_id, c.given_on, c.document)
        for start in range(0, len(ids), 5000)
        for c in db.exec(
            select(Consent).where(
                col(Consent.person_id).in_(ids[start : start + 5000]),
                col(Consent.withdrawn_at).is_(None),
            )
        )
    }
    guardians: dict[int, list[Person]] = {}
    seen: dict[tuple[int, str, int, date, str | None], int] = {}

    def problem(number: int, codes: Sequence[str], reason: str) -> None:
        result.problems.append(Problem(number, columns.of(*codes), reason))

    for record in records:
        try:
            person = _participant(by_name, record)
        except _RowProblem as wrong:
            problem(record.row, wrong.codes, wrong.reason)
            continue
        assert person.id is not None
        faults: list[tuple[str, str]] = []
        try:
            kind = consent_kind(record["kind"])
        except InvalidInput as error:
            faults.append(("kind", _sentence(str(error))))
        given_on: date = record["given_on"]
        try:
            inputs.in_range(given_on, "даты согласия")
        except InvalidInput as error:
            faults.append(("given_on", _sentence(str(error))))
        if given_on > today:
            faults.append(("given_on", f"дата согласия {day_text(given_on)} ещё не наступила"))
        minor = is_minor(person, given_on)  # on the consent's date: a row's, not today
        if minor and person.id not in guardians:
            guardians[person.id] = representatives(db, person.id)
        try:
            giver_id = _giver(
                person, record["given_by"], given_on, guardians[person.id] if minor else None
            )
        except _RowProblem as refused:
            faults.append((refused.codes[0], refused.reason))
        for code, reason in faults:
            problem(record.row, (code,), reason)
        if faults:
            continue
        consent = _Consent(
            record.row, person.id, kind, giver_id, given_on, record["document"], recorded=False
        )
        first = seen.setdefault(consent.key, record.row)
        if first != record.row:
            problem(
                record.row, ("name", "kind", "given_on"), f"то же согласие, что в строке {first}"
            )
            continue
        result.planned.append(replace(consent, recorded=consent.key in stored))
    return result


def _giver(person: Person, name: str | None, day: date, guardians: list[Person] | None) -> int:
    """Who of the row gave the consent: for an adult (on ``day``), the person themself, named
    or not; for a minor (``guardians`` given), one of their legal representatives, by ФИО."""
    assert person.id is not None
    whose = f"{shown(person.name)} (№{person.id}) на {day_text(day)}"
    if guardians is None:
        if name is None or folded(name) == folded(person.name):
            return person.id
        raise _RowProblem(
            ("given_by",),
            f"{whose} совершеннолетний (от {ADULT_AGE} лет): согласие даёт он сам, а не "
            f"«{shown(name)}»",
        )
    named = ", ".join(f"{shown(g.name)} (№{g.id})" for g in guardians)
    listed = (
        f"законные представители: {named}"
        if guardians
        else "законные представители не указаны (nastavnik import people или nastavnik person "
        "edit --representative)"
    )
    minor = f"{whose} несовершеннолетний: согласие за него даёт законный представитель"
    if name is None:
        raise _RowProblem(
            ("given_by",), f"{minor}, укажите его ФИО в столбце «Кто дал согласие (ФИО)»; {listed}"
        )
    found = [g for g in guardians if folded(g.name) == folded(name)]
    if len(found) == 1 and found[0].id is not None:
        return found[0].id
    if found:
        raise _RowProblem(
            ("given_by",),
            f"у {shown(person.name)} (№{person.id}) несколько законных представителей "
            f"«{shown(name)}»: {named}; запишите согласие командой nastavnik consent give --by",
        )
    if folded(name) == folded(person.name):
        raise _RowProblem(("given_by",), f"{minor}, а не он сам; {listed}")
    raise _RowProblem(("given_by",), f"{minor}, а «{shown(name)}» не из них; {listed}")
