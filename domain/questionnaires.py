"""Questionnaires as data: typed questions, and the answers to them checked and normalised.

A program keeps its own copy of each questionnaire it runs (``to_data`` into a JSON column,
``from_data`` back), so a curator may add a question to it without touching other programs, and
a later version of the built-in ones (domain/questionnaire_catalogue.py) affects new programs
only. Answers arrive from a web form, a file or a spreadsheet cell, so ``validate`` takes them
as text too ("7", "15.10.2026", a choice by its Russian label) and refuses, in one message, every
answer it cannot take: a person fixes them all at once instead of one per attempt.

Normalised answers are plain JSON values, so that they can be stored as they are and checked
again unchanged: a choice is its option's code, several choices a list of codes in the
questionnaire's order, a scale or a whole number an ``int``, a decimal number a ``float``
rounded to the question's places, a date its ISO text ``YYYY-MM-DD``, a text stripped, a
ranking a list of person ids, first preferred first. An optional question left unanswered is
absent from the result.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import ClassVar, TypeGuard, TypeVar

from domain import inputs
from domain.errors import InvalidInput
from domain.roadmap import ROLE_LABELS, Role
from domain.schedule import date_in_text
from domain.wording import day_text

# A code names a question in stored answers and exported columns: ASCII snake_case, stable.
_CODE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
QUESTION_TEXT = 500  # a question as printed; longer is a paragraph, not a question
LONGEST_TEXT = 5000  # an answer of about two printed pages; more belongs in a file
# Beyond these a number is a typo, and a float still holds every decimal up to them exactly.
LARGEST_NUMBER = 10**12
MOST_PLACES = 6
_PLACES = ("целого", "десятых", "сотых", "тысячных", "десятитысячных", "стотысячных", "миллионных")
# Dates a question may allow: birth dates of the oldest staff, deadlines of the latest programs.
FIRST_DAY = date(1900, 1, 1)
# The same characters domain/inputs.py refuses: controls and the bidirectional format
# characters that make a text read differently than it is stored.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_DECIMAL = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_PERSON_ID = re.compile(r"[0-9]{1,10}")


class InvalidAnswers(InvalidInput):
    """Answers refused. The message lists every problem; ``problems`` maps each question's code
    (an unknown one as it was given) to its sentence, for a form to show beside its field."""

    def __init__(self, message: str, problems: Mapping[str, str] | None = None) -> None:
        super().__init__(message)  # one argument, so that the error pickles like its base
        self.problems = dict(problems or {})


class _Refused(Exception):
    """One answer that cannot be taken; the message follows the question's text."""


@dataclass(frozen=True)
class Option:
    """One choice: its code is stored, its label is printed and accepted as an answer."""

    code: str
    label: str

    def __post_init__(self) -> None:
        _check_code(self.code, "варианта ответа")
        object.__setattr__(
            self, "label", _definition_text(self.label, f"варианта «{self.code}»", inputs.NAME)
        )
        if ";" in self.label:
            raise InvalidInput(
                f"Вариант «{self.code}»: в подписи не может быть «;» — так разделяют несколько "
                "выбранных вариантов"
            )


@dataclass(frozen=True)
class Question:
    """What every question has; the subclasses below are the kinds a questionnaire may hold."""

    kind: ClassVar[str] = ""
    code: str
    text: str
    _: KW_ONLY
    required: bool = True

    def __post_init__(self) -> None:
        if type(self) not in KINDS.values():
            raise InvalidInput(
                "Неизвестный тип вопроса: известные — " + ", ".join(KINDS)  # a programming slip
            )
        _check_code(self.code, "вопроса")
        what = f"текста вопроса «{self.code}»"
        object.__setattr__(self, "text", _definition_text(self.text, what, QUESTION_TEXT))
        if not isinstance(self.required, bool):
            raise self._wrong("признак «обязательный» — да или нет")

    def allowed(self) -> str:
        """What an answer may be, in Russian, for a refusal or a printed form's hint."""
        raise NotImplementedError

    def to_data(self) -> dict[str, object]:
        return {"kind": self.kind, "code": self.code, "text": self.text, "required": self.required}

    def _answer(self, value: object, candidates: frozenset[int]) -> object:
        """The answer normalised, or None when it is blank; raises _Refused."""
        raise NotImplementedError

    def _wrong(self, problem: str) -> InvalidInput:
        return InvalidInput(f"Вопрос «{inputs.shown(self.code)}»: {problem}")


@dataclass(frozen=True, kw_only=True)
class SingleChoice(Question):
    kind: ClassVar[str] = "single_choice"
    options: tuple[Option, ...]

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "options", _check_options(self, self.options))

    def allowed(self) -> str:
        return "один вариант из списка: " + _listed(self.options)

    def to_data(self) -> dict[str, object]:
        return {**super().to_data(), "options": _options_data(self.options)}

    def _answer(self, value: object, candidates: frozenset[int]) -> object:
        if _blank(value):
            return None
        if not isinstance(value, str):
            raise _Refused(f"нужен {self.allowed()}, а получено {_quoted(value)}")
        _printable(value)
        code = _option_code(self.options, value)
        if code is None:
            raise _Refused(f"нет варианта «{inputs.shown(value)}»; {self.allowed()}")
        return code


@dataclass(frozen=True, kw_only=True)
class MultipleChoice(Question):
    """Several options; a text answer separates them with «;» (or «,», which labels may hold:
    the longest run of pieces that names an option is taken)."""

    kind: ClassVar[str] = "multiple_choice"
    options: tuple[Option, ...]
    min_picks: int = 1
    max_picks: int | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        options = _check_options(self, self.options)
        object.__setattr__(self, "options", options)
        if not _is_int(self.min_picks) or not 1 <= self.min_picks <= len(options):
            raise self._wrong(f"наименьшее число выбранных вариантов — от 1 до {len(options)}")
        if self.max_picks is not None and (
            not _is_int(self.max_picks) or not self.min_picks <= self.max_picks <= len(options)
        ):
            raise self._wrong(
                f"наибольшее число выбранных вариантов — от {self.min_picks} до {len(options)}"
            )

    def allowed(self) -> str:
        return f"варианты из списка через «;» ({self._how_many()}): {_listed(self.options)}"

    def to_data(self) -> dict[str, object]:
        return {
            **super().to_data(),
            "options": _options_data(self.options),
            "min_picks": self.min_picks,
            "max_picks": self.max_picks,
        }

    def _how_many(self) -> str:
        if self.max_picks is None:
            return "один или несколько" if self.min_picks == 1 else f"не меньше {self.min_picks}"
        if self.min_picks == self.max_picks:
            return f"ровно {self.min_picks}"
        return f"от {self.min_picks} до {self.max_picks}"

    def _answer(self, value: object, candidates: frozenset[int]) -> object:
        if _blank(value):
            return None
        if isinstance(value, str):
            _printable(value)
            pieces = self._pieces(value)
        elif isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
            for item in value:
                _printable(item)
            pieces = [item.strip() for item in value if item.strip()]
        else:
            raise _Refused(f"нужны {self.allowed()}, а получено {_quoted(value)}")
        codes = [_option_code(self.options, piece) for piece in pieces]
        unknown = [piece for piece, code in zip(pieces, codes, strict=True) if code is None]
        if unknown:
            names = ", ".join(f"«{inputs.shown(piece)}»" for piece in unknown)
            raise _Refused(f"нет вариантов {names}; нужны {self.allowed()}")
        chosen = set(codes)  # a choice repeated is still one choice
        picks = [option.code for option in self.options if option.code in chosen]
        highest = len(self.options) if self.max_picks is None else self.max_picks
        if not self.min_picks <= len(picks) <= highest:
            raise _Refused(f"выбрано вариантов: {len(picks)}, а нужно {self._how_many()}")
        return picks

    def _pieces(self, value: str) -> list[str]:
        if ";" in value:
            return [piece.strip() for piece in value.split(";") if piece.strip()]
        parts = [part.strip() for part in value.split(",")]
        pieces: list[str] = []
        start = 0
        while start < len(parts):
            end = len(parts)
            while (
                end > start + 1 and _option_code(self.options, ", ".join(parts[start:end])) is None
            ):
                end -= 1
            pieces.append(", ".join(parts[start:end]))
            start = end
        return [piece for piece in pieces if piece]


@dataclass(frozen=True, kw_only=True)
class Scale(Question):
    """A rating, 1 to 10 by default (10 the highest, as the target model's surveys rate)."""

    kind: ClassVar[str] = "scale"
    low: int = 1
    high: int = 10

    def __post_init__(self) -> None:
        super().__post_init__()
        if not (_is_int(self.low) and _is_int(self.high) and 0 <= self.low < self.high <= 100):
            raise self._wrong(
                f"шкала — от меньшего целого к большему в пределах 0–100, а не "
                f"{self.low}–{self.high}"
            )

    def allowed(self) -> str:
        return f"целое число от {self.low} до {self.high}"

    def to_data(self) -> dict[str, object]:
        return {**super().to_data(), "low": self.low, "high": self.high}

    def _answer(self, value: object, candidates: frozenset[int]) -> object:
        if _blank(value):
            return None
        number = _number(value)
        if number is None or number != number.to_integral_value():
            raise _Refused(f"нужно {self.allowed()}, а не {_quoted(value)}")
        if not self.low <= number <= self.high:
            raise _Refused(f"нужно {self.allowed()}, а не {_quoted(value)}")
        return int(number)


@dataclass(frozen=True, kw_only=True)
class Number(Question):
    """A count or a measure: whole (``integer``) or decimal, rounded half up to ``places``."""

    kind: ClassVar[str] = "number"
    integer: bool = True
    low: int | Decimal = 0
    high: int | Decimal = 1_000_000_000
    places: int = 2

    def __post_init__(self) -> None:
        super().__post_init__()
        if not isinstance(self.integer, bool):
            raise self._wrong("признак «целое число» — да или нет")
        if not _is_int(self.places) or not 0 <= self.places <= MOST_PLACES:
            raise self._wrong(f"знаков после запятой — от 0 до {MOST_PLACES}")
        bounds = []
        for bound in (self.low, self.high):
            number = None if isinstance(bound, str) else _number(bound)
            if number is None or abs(number) > LARGEST_NUMBER:
                raise self._wrong(
                    f"границы — числа от {-LARGEST_NUMBER} до {LARGEST_NUMBER}, а не {bound!r}"
                )
            if self.integer and number != number.to_integral_value():
                raise self._wrong(f"границы целого числа — целые числа, а не {bound}")
            bounds.append(int(number) if self.integer else number)
        if bounds[0] > bounds[1]:
            raise self._wrong(f"нижняя граница {bounds[0]} больше верхней {bounds[1]}")
        object.__setattr__(self, "low", bounds[0])
        object.__setattr__(self, "high", bounds[1])

    def allowed(self) -> str:
        if self.integer:
            return f"целое число от {self.low} до {self.high}"
        low, high = (_decimal_text(bound) for bound in (self.low, self.high))
        return f"число от {low} до {high} с округлением до {_PLACES[self.places]}"

    def to_data(self) -> dict[str, object]:
        low, high = (
            bound if isinstance(bound, int) else str(bound) for bound in (self.low, self.high)
        )
        return {
            **super().to_data(),
            "integer": self.integer,
            "low": low,
            "high": high,
            "places": self.places,
        }

    def _answer(self, value: object, candidates: frozenset[int]) -> object:
        if _blank(value):
            return None
        number = _number(value)
        if number is None:
            raise _Refused(f"нужно {self.allowed()}, а не {_quoted(value)}")
        if self.integer and number != number.to_integral_value():
            raise _Refused(f"нужно {self.allowed()}, а не дробное {_quoted(value)}")
        if not self.integer:
            number = number.quantize(Decimal(1).scaleb(-self.places), rounding=ROUND_HALF_UP)
        if not self.low <= number <= self.high:
            raise _Refused(f"нужно {self.allowed()}, а не {_quoted(value)}")
        return int(number) if self.integer else float(number)


@dataclass(frozen=True, kw_only=True)
class FreeText(Question):
    """A text in the person's words; ``multiline`` allows line breaks (a text area's answer)."""

    kind: ClassVar[str] = "text"
    max_length: int = inputs.REASON
    multiline: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        if not _is_int(self.max_length) or not 1 <= self.max_length <= LONGEST_TEXT:
            raise self._wrong(f"наибольшая длина ответа — от 1 до {LONGEST_TEXT} символов")
        if not isinstance(self.multiline, bool):
            raise self._wrong("признак «несколько строк» — да или нет")

    def allowed(self) -> str:
        lines = ", можно в несколько строк" if self.multiline else " в одну строку"
        return f"текст до {self.max_length} символов{lines}"

    def to_data(self) -> dict[str, object]:
        return {**super().to_data(), "max_length": self.max_length, "multiline": self.multiline}

    def _answer(self, value: object, candidates: frozenset[int]) -> object:
        if _is_int(value):
            value = str(value)  # a spreadsheet cell that holds only digits
        if _blank(value):
            return None
        if not isinstance(value, str):
            raise _Refused(f"нужен {self.allowed()}, а получено {_quoted(value)}")
        if self.multiline:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        _printable(value, lines=self.multiline)
        answer = value.strip()
        if len(answer) > self.max_length:
            raise _Refused(
                f"в ответе {_characters(len(answer))}, допустимо не больше {self.max_length}"
            )
        return answer


@dataclass(frozen=True, kw_only=True)
class DateQuestion(Question):
    """A day, by default within the years a program may run in (domain/inputs.py)."""

    kind: ClassVar[str] = "date"
    earliest: date = inputs.EARLIEST
    latest: date = inputs.LATEST

    def __post_init__(self) -> None:
        super().__post_init__()
        for bound in (self.earliest, self.latest):
            if isinstance(bound, datetime) or not isinstance(bound, date):
                raise self._wrong(f"границы — даты, а не {bound!r}")
        if not FIRST_DAY <= self.earliest <= self.latest <= inputs.LATEST:
            raise self._wrong(
                f"допустимые даты — от {day_text(FIRST_DAY)} до {day_text(inputs.LATEST)}, "
                "первая не позже последней, а не "
                f"с {day_text(self.earliest)} по {day_text(self.latest)}"
            )

    def allowed(self) -> str:
        return (
            "дата в виде ДД.ММ.ГГГГ или ГГГГ-ММ-ДД "
            f"с {day_text(self.earliest)} по {day_text(self.latest)}"
        )

    def to_data(self) -> dict[str, object]:
        return {
            **super().to_data(),
            "earliest": self.earliest.isoformat(),
            "latest": self.latest.isoformat(),
        }

    def _answer(self, value: object, candidates: frozenset[int]) -> object:
        if _blank(value):
            return None
        if isinstance(value, datetime):
            day = value.date()  # a spreadsheet's date cell is a midnight
        elif isinstance(value, date):
            day = value
        elif isinstance(value, str):
            _printable(value)
            day = self._parsed(value.strip())
        else:
            raise _Refused(f"нужна {self.allowed()}, а получено {_quoted(value)}")
        if not self.earliest <= day <= self.latest:
            raise _Refused(f"дата {day_text(day)} вне допустимых: нужна {self.allowed()}")
        return day.isoformat()

    def _parsed(self, text: str) -> date:
        try:
            day = date_in_text(text)
        except ValueError:
            raise _Refused(
                f"даты «{inputs.shown(text)}» не существует; нужна {self.allowed()}"
            ) from None
        if day is None:
            raise _Refused(f"нужна {self.allowed()}, а не «{inputs.shown(text)}»")
        return day


@dataclass(frozen=True, kw_only=True)
class Ranking(Question):
    """People in order of preference, chosen among the candidates the caller gives (those a
    person met at the group meeting): distinct ids, at least one, at most ``max_picks``."""

    kind: ClassVar[str] = "ranking"
    max_picks: int | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.max_picks is not None and (not _is_int(self.max_picks) or self.max_picks < 1):
            raise self._wrong("наибольшее число людей в списке — целое число от 1")

    def allowed(self) -> str:
        most = "" if self.max_picks is None else f", не больше {self.max_picks}"
        return (
            "номера людей из предложенного списка через «;», первым — самый предпочтительный, "
            f"каждый не больше одного раза{most}"
        )

    def to_data(self) -> dict[str, object]:
        return {**super().to_data(), "max_picks": self.max_picks}

    def _answer(self, value: object, candidates: frozenset[int]) -> object:
        if _blank(value):
            return None
        if isinstance(value, str):
            _printable(value)
            separator = ";" if ";" in value else ","
            items: list[object] = [item for item in value.split(separator) if item.strip()]
        elif _is_int(value):
            items = [value]
        elif isinstance(value, list | tuple):
            items = list(value)
        else:
            raise _Refused(f"нужны {self.allowed()}, а получено {_quoted(value)}")
        problems, people = self._people(items, candidates)
        if not problems and self.max_picks is not None and len(people) > self.max_picks:
            problems.append(f"людей в списке: {len(people)}, допустимо не больше {self.max_picks}")
        if problems:
            raise _Refused("; ".join(problems))
        return people

    def _people(
        self, items: list[object], candidates: frozenset[int]
    ) -> tuple[list[str], list[int]]:
        problems: list[str] = []
        people: list[int] = []
        strangers: list[int] = []
        repeated: list[int] = []
        for item in items:
            person = (
                int(item.strip())
                if isinstance(item, str) and _PERSON_ID.fullmatch(item.strip())
                else item
            )
            if not _is_int(person):
                problems.append(f"{_quoted(item)} — не номер человека")
            elif person in people:
                repeated.append(person)
            else:
                people.append(person)
                if person not in candidates:
                    strangers.append(person)
        if strangers:
            among = ", ".join(str(person) for person in sorted(candidates)) or "список пуст"
            problems.append(
                "нет среди тех, кого можно выбрать: "
                + ", ".join(str(person) for person in strangers)
                + f" (можно: {among})"
            )
        if repeated:
            problems.append(
                "каждого человека можно назвать один раз, а повторены: "
                + ", ".join(str(person) for person in dict.fromkeys(repeated))
            )
        return problems, people


KINDS: dict[str, type[Question]] = {
    kind.kind: kind
    for kind in (SingleChoice, MultipleChoice, Scale, Number, FreeText, DateQuestion, Ranking)
}


@dataclass(frozen=True)
class Questionnaire:
    """A questionnaire a role answers at a stage of the roadmap (a code of domain/roadmap.py,
    or of a stage a program added: only the program's roadmap knows those)."""

    code: str
    title: str
    role: Role
    stage: str
    questions: tuple[Question, ...]
    _: KW_ONLY
    intro: str = ""  # printed above the questions: how to answer

    def __post_init__(self) -> None:
        _check_code(self.code, "анкеты")
        title = _definition_text(self.title, f"названия анкеты «{self.code}»", inputs.NAME)
        object.__setattr__(self, "title", title)
        if not isinstance(self.role, Role):
            raise InvalidInput(f"Анкета «{title}»: неизвестная роль {self.role!r}. {_roles()}")
        _check_code(self.stage, f"этапа анкеты «{title}»")
        if self.intro:
            intro = _definition_text(self.intro, f"вступления анкеты «{title}»", inputs.REASON)
            object.__setattr__(self, "intro", intro)
        questions = tuple(self.questions) if isinstance(self.questions, list | tuple) else ()
        if not questions:
            raise InvalidInput(f"В анкете «{title}» нет вопросов: добавьте хотя бы один")
        seen: dict[str, Question] = {}
        for question in questions:
            if not isinstance(question, Question):
                raise InvalidInput(f"Анкета «{title}»: {question!r} — не вопрос")
            if question.code in seen:
                raise InvalidInput(
                    f"В анкете «{title}» уже есть вопрос с кодом «{question.code}» "
                    f"(«{seen[question.code].text}»): выберите для нового вопроса другой код"
                )
            seen[question.code] = question
        object.__setattr__(self, "questions", questions)

    def question(self, code: str) -> Question | None:
        return next((question for question in self.questions if question.code == code), None)

    def to_data(self) -> dict[str, object]:
        """The questionnaire as JSON values, for a program's own copy."""
        return {
            "code": self.code,
            "title": self.title,
            "role": self.role.value,
            "stage": self.stage,
            "intro": self.intro,
            "questions": [question.to_data() for question in self.questions],
        }

    @classmethod
    def from_data(cls, data: object) -> Questionnaire:
        """A questionnaire read back from ``to_data``; anything malformed is refused."""
        fields = _fields(data, "анкета", {"code", "title", "role", "stage", "intro", "questions"})
        code = _get(fields, "code", str, "анкета")
        title = _get(fields, "title", str, "анкета")
        role = _get(fields, "role", str, "анкета")
        if role not in {known.value for known in Role}:
            raise _corrupt("анкета", f"неизвестная роль «{inputs.shown(role)}». {_roles()}")
        stage = _get(fields, "stage", str, "анкета")
        questions = _get(fields, "questions", list, "анкета")
        return cls(
            code=code,
            title=title,
            role=Role(role),
            stage=stage,
            questions=tuple(
                question_from_data(item, f"вопрос {number}")
                for number, item in enumerate(questions, start=1)
            ),
            intro=_get(fields, "intro", str, "анкета", default=""),
        )


def question_from_data(data: object, where: str = "вопрос") -> Question:
    """A question read back from its ``to_data`` (or given by a curator as data)."""
    fields = _fields(data, where, None)
    code = fields.get("code")
    if isinstance(code, str):
        where = f"{where} («{inputs.shown(code)}»)"
    kind = _get(fields, "kind", str, where)
    if kind not in KINDS:
        raise _corrupt(
            where, f"неизвестный тип вопроса «{inputs.shown(kind)}»; известные: {', '.join(KINDS)}"
        )
    own = _KIND_FIELDS[kind]
    _fields(data, where, {"kind", "code", "text", "required", *own})
    values: dict[str, object] = {
        "code": _get(fields, "code", str, where),
        "text": _get(fields, "text", str, where),
        "required": _get(fields, "required", bool, where, default=True),
    }
    for name, read in own.items():
        if name in fields:
            values[name] = read(fields[name], f"{where}, поле «{name}»")
    return KINDS[kind](**values)  # type: ignore[arg-type]


def with_question(questionnaire: Questionnaire, question: Question) -> Questionnaire:
    """A program's copy with one more question at the end; a duplicate code is refused."""
    if type(question) not in KINDS.values():
        raise InvalidInput(
            f"В анкету «{questionnaire.title}» можно добавить только вопрос одного из типов: "
            + ", ".join(KINDS)
        )
    return replace(questionnaire, questions=(*questionnaire.questions, question))


def validate(
    questionnaire: Questionnaire,
    answers: Mapping[str, object],
    *,
    candidates: Sequence[int] = (),
) -> dict[str, object]:
    """The answers normalised (see the module's docstring), in the questionnaire's order.

    ``candidates`` are the person ids a ranking may name. Raises InvalidAnswers, listing every
    answer refused: unknown questions, required ones missing, values that are not allowed.
    """
    if not isinstance(answers, Mapping):
        raise InvalidAnswers(
            f"Ответы на анкету «{questionnaire.title}» не прочитаны: нужны пары «код вопроса — "
            "ответ»"
        )
    pool = frozenset(person for person in candidates if _is_int(person))
    normalised: dict[str, object] = {}
    problems: dict[str, str] = {}
    for question in questionnaire.questions:
        try:
            answer = question._answer(answers.get(question.code), pool)
        except _Refused as refusal:
            problems[question.code] = f"«{question.text}»: {refusal}"
            continue
        if answer is not None:
            normalised[question.code] = answer
        elif question.required:
            problems[question.code] = (
                f"«{question.text}»: нет ответа, а вопрос обязательный; нужен ответ: "
                f"{question.allowed()}"
            )
    known = ", ".join(question.code for question in questionnaire.questions)
    for key in answers:
        if not isinstance(key, str) or questionnaire.question(key) is None:
            shown = inputs.shown(str(key))
            problems[str(key)] = f"вопроса с кодом «{shown}» в анкете нет; вопросы: {known}"
    if problems:
        lines = "\n".join(f"— {problem}" for problem in problems.values())
        raise InvalidAnswers(
            f"Ответы на анкету «{questionnaire.title}» не приняты:\n{lines}", problems
        )
    return normalised


# Definitions.


def _check_code(code: object, what: str) -> None:
    if not isinstance(code, str) or len(code) > inputs.SHORT or not _CODE.fullmatch(code):
        shown = inputs.shown(code) if isinstance(code, str) else repr(code)
        raise InvalidInput(
            f"Код {what} «{shown}» не подходит: нужны строчные латинские буквы, цифры и «_» "
            f"(например, convenient_time), до {inputs.SHORT} символов, первая — буква"
        )


def _definition_text(value: object, what: str, limit: int) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"Значение {what} — текст, а не {value!r}")
    return inputs.text(value, what, limit)


def _check_options(question: Question, options: object) -> tuple[Option, ...]:
    if not isinstance(options, list | tuple) or len(options) < 2:
        raise question._wrong("нужно не меньше двух вариантов ответа")
    if not all(isinstance(option, Option) for option in options):
        raise question._wrong("варианты ответа — пары «код — подпись»")
    names: dict[str, str] = {}
    for option in options:
        for name in (option.code, option.label):
            folded = _folded(name)
            if names.get(folded, option.code) != option.code:
                raise question._wrong(
                    f"варианты «{names[folded]}» и «{option.code}» не различить: «{name}»"
                )
            names[folded] = option.code
    return tuple(options)


def _options_data(options: tuple[Option, ...]) -> list[dict[str, object]]:
    return [{"code": option.code, "label": option.label} for option in options]


def _listed(options: tuple[Option, ...]) -> str:
    return ", ".join(f"{option.code} ({option.label})" for option in options)


def _roles() -> str:
    return "Роли: " + ", ".join(f"{role.value} ({label})" for role, label in ROLE_LABELS.items())


# Stored data.


def _corrupt(where: str, problem: str) -> InvalidInput:
    return InvalidInput(f"Описание анкеты повреждено — {where}: {problem}")


def _fields(data: object, where: str, known: set[str] | None) -> Mapping[str, object]:
    if not isinstance(data, Mapping) or not all(isinstance(key, str) for key in data):
        raise _corrupt(where, "нужен набор полей «имя — значение»")
    unknown = sorted(set(data) - known) if known is not None else []
    if unknown:
        names = ", ".join(f"«{inputs.shown(name)}»" for name in unknown)
        raise _corrupt(
            where, f"неизвестные поля {names}; известные: {', '.join(sorted(known or ()))}"
        )
    return data


_ABSENT = object()
_T = TypeVar("_T")
_TYPE_NAMES = {str: "текст", bool: "да или нет", list: "список", int: "целое число"}


def _get(
    fields: Mapping[str, object], name: str, kind: type[_T], where: str, default: object = _ABSENT
) -> _T:
    if name not in fields:
        if default is _ABSENT:
            raise _corrupt(where, f"нет поля «{name}»")
        return default  # type: ignore[return-value]
    value = fields[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _corrupt(where, f"поле «{name}» — {_TYPE_NAMES.get(kind, kind.__name__)}")
    return value


def _read_options(value: object, where: str) -> tuple[Option, ...]:
    if not isinstance(value, list):
        raise _corrupt(where, "нужен список вариантов")
    options = []
    for item in value:
        fields = _fields(item, where, {"code", "label"})
        options.append(Option(_get(fields, "code", str, where), _get(fields, "label", str, where)))
    return tuple(options)


def _read_int(value: object, where: str) -> int:
    if _is_int(value):
        return value
    raise _corrupt(where, f"нужно целое число, а не {value!r}")


def _read_optional_int(value: object, where: str) -> int | None:
    return None if value is None else _read_int(value, where)


def _read_bool(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise _corrupt(where, f"нужно да или нет (true/false), а не {value!r}")
    return value


def _read_decimal(value: object, where: str) -> int | Decimal:
    number = _number(value) if isinstance(value, int | str) else None
    if number is None:
        raise _corrupt(where, f"нужно число, а не {value!r}")
    return int(number) if number == number.to_integral_value() else number


def _read_date(value: object, where: str) -> date:
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _corrupt(where, f"нужна дата ГГГГ-ММ-ДД, а не {value!r}")


# What each kind adds to the common fields, and how its stored value is read.
_KIND_FIELDS: dict[str, dict[str, Callable[[object, str], object]]] = {
    "single_choice": {"options": _read_options},
    "multiple_choice": {
        "options": _read_options,
        "min_picks": _read_int,
        "max_picks": _read_optional_int,
    },
    "scale": {"low": _read_int, "high": _read_int},
    "number": {
        "integer": _read_bool,
        "low": _read_decimal,
        "high": _read_decimal,
        "places": _read_int,
    },
    "text": {"max_length": _read_int, "multiline": _read_bool},
    "date": {"earliest": _read_date, "latest": _read_date},
    "ranking": {"max_picks": _read_optional_int},
}


# Answers.


def _blank(value: object) -> bool:
    """No answer: nothing, an empty cell, an empty list."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | tuple) and not value


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)  # True is not a number here


def _printable(value: str, *, lines: bool = False) -> None:
    for position, char in enumerate(value, start=1):
        if lines and char == "\n":
            continue
        if unicodedata.category(char) in ("Cc", "Cs") or char in _BIDI:
            raise _Refused(
                f"недопустимый управляющий символ U+{ord(char):04X} (позиция {position}): "
                "допустимы только печатные символы"
            )


def _number(value: object) -> Decimal | None:
    """A finite number, from a number or from its text (a comma or a point before the
    fraction, spaces between thousands); None if it is not one."""
    if _is_int(value):
        return Decimal(value)
    if isinstance(value, float | Decimal):
        number = Decimal(repr(value)) if isinstance(value, float) else value
        return number if number.is_finite() else None
    if not isinstance(value, str):
        return None
    text = "".join(value.split()).replace("\u2212", "-")  # spaces of any width; a minus sign
    if not _DECIMAL.fullmatch(text):
        return None
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        return None


def _folded(text: str) -> str:
    """Compare choices as people type them: any case, ё as е, any dash, any spacing."""
    text = text.lower().replace("ё", "е")
    for dash in ("—", "–", "‐"):
        text = text.replace(dash, "-")
    return " ".join(text.split())


def _option_code(options: tuple[Option, ...], text: str) -> str | None:
    folded = _folded(text)
    for option in options:
        if folded in (_folded(option.code), _folded(option.label)):
            return option.code
    return None


def _quoted(value: object) -> str:
    """An answer as a message may quote it, without its type's English name."""
    if isinstance(value, str):
        return f"«{inputs.shown(value)}»"
    if isinstance(value, bool):
        return "да/нет"
    if isinstance(value, int | float | Decimal):
        return inputs.shown(str(value))
    if isinstance(value, date):
        return day_text(value)
    if isinstance(value, list | tuple):
        return "список"
    if isinstance(value, Mapping):
        return "набор полей"
    return "значение другого типа"


def _characters(count: int) -> str:
    """«1 символ», «3 символа», «1001 символ», «12 символов»."""
    if count % 10 == 1 and count % 100 != 11:
        return f"{count} символ"
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return f"{count} символа"
    return f"{count} символов"


def _decimal_text(number: int | Decimal) -> str:
    return str(number).replace(".", ",")  # as a Russian reader writes a fraction
