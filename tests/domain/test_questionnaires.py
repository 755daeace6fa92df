"""Questionnaires as data: answers checked as a person would give them (a form, a file, a
spreadsheet cell), every refusal named in Russian, and the built-in questionnaires intact."""

from __future__ import annotations

import json
import pickle
from datetime import date, datetime
from decimal import Decimal

import pytest

from domain.errors import InvalidInput
from domain.questionnaire_catalogue import CATALOGUE, for_stage
from domain.questionnaires import (
    DateQuestion,
    FreeText,
    InvalidAnswers,
    MultipleChoice,
    Number,
    Option,
    Question,
    Questionnaire,
    Ranking,
    Scale,
    SingleChoice,
    validate,
    with_question,
)
from domain.roadmap import BY_CODE, Role, StageKind

STATUS = SingleChoice(
    "status",
    "Кто вы: обучающийся или педагог?",
    options=(Option("student", "Обучающийся"), Option("teacher", "Педагог")),
)
HOBBIES = MultipleChoice(
    "hobbies",
    "Ваши увлечения",
    options=(
        Option("arts", "Музыка, театр и кино"),
        Option("sport", "Спорт"),
        Option("hiking", "Походы и ёлки"),
        Option("it", "Программирование"),
    ),
    max_picks=3,
    required=False,
)
RATING = Scale("usefulness", "Насколько полезными были встречи?")
AGE = Number("age", "Возраст, полных лет", low=6, high=80)
GRADE = Number(
    "grade", "Средний балл", integer=False, low=Decimal(2), high=Decimal(5), required=False
)
REQUEST = FreeText("request", "Ваш ключевой запрос", multiline=True)
PLACE = FreeText("place", "Место учёбы", max_length=20, required=False)
LAST = DateQuestion("last_meeting", "Дата последней встречи", required=False)
MENTORS = Ranking("mentors", "Наставники в порядке предпочтения", max_picks=3, required=False)

SURVEY = Questionnaire(
    "test_survey",
    "Пробная анкета",
    Role.MENTEE,
    "survey_mentees",
    (STATUS, HOBBIES, RATING, AGE, GRADE, REQUEST, PLACE, LAST, MENTORS),
)
FILLED: dict[str, object] = {"status": "student", "usefulness": 7, "age": 14, "request": "Физика"}


def single(question: Question, value: object, candidates: tuple[int, ...] = ()) -> object:
    """The normalised answer to one question, as its own questionnaire."""
    questionnaire = Questionnaire("one", "Анкета", Role.MENTEE, "survey_mentees", (question,))
    return validate(questionnaire, {question.code: value}, candidates=candidates)[question.code]


def refusal(question: Question, value: object, candidates: tuple[int, ...] = ()) -> str:
    """The Russian message refusing one answer to one question."""
    questionnaire = Questionnaire("one", "Анкета", Role.MENTEE, "survey_mentees", (question,))
    with pytest.raises(InvalidAnswers) as refused:
        validate(questionnaire, {question.code: value}, candidates=candidates)
    message = str(refused.value)
    assert f"«{question.text}»" in message  # the person sees which question
    return message


# Every kind with valid answers, as they come from a form, a file or a spreadsheet.


def test_a_complete_answer_is_normalised_to_json_values() -> None:
    answers = {
        "status": "Педагог",
        "hobbies": "спорт; Программирование",
        "usefulness": "7",
        "age": "35",
        "grade": "4,5",
        "request": "  Научиться вести уроки\r\nв пятых классах  ",
        "place": "Школа № 5",
        "last_meeting": "15.10.2026",
        "mentors": "12; 7",
    }
    result = validate(SURVEY, answers, candidates=[7, 12, 30])
    assert result == {
        "status": "teacher",
        "hobbies": ["sport", "it"],
        "usefulness": 7,
        "age": 35,
        "grade": 4.5,
        "request": "Научиться вести уроки\nв пятых классах",
        "place": "Школа № 5",
        "last_meeting": "2026-10-15",
        "mentors": [12, 7],
    }
    assert json.loads(json.dumps(result)) == result
    # Stored answers are accepted again as they are.
    assert validate(SURVEY, result, candidates=[7, 12, 30]) == result


def test_optional_questions_left_blank_are_absent_from_the_answers() -> None:
    blanks: dict[str, object] = {
        "hobbies": [],
        "grade": "  ",
        "place": None,
        "last_meeting": "",
        "mentors": (),
    }
    assert validate(SURVEY, FILLED | blanks) == {
        "status": "student",
        "usefulness": 7,
        "age": 14,
        "request": "Физика",
    }


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("teacher", "teacher"),
        ("Педагог", "teacher"),
        ("  педагог ", "teacher"),
        ("ПЕДАГОГ", "teacher"),
        ("TEACHER", "teacher"),
    ],
)
def test_a_single_choice_by_its_code_or_its_label_in_any_case(value: str, code: str) -> None:
    assert single(STATUS, value) == code


def test_choices_fold_yo_into_ye() -> None:
    assert single(HOBBIES, "походы и елки") == ["hiking"]
    assert single(HOBBIES, "ПОХОДЫ И ЁЛКИ") == ["hiking"]


@pytest.mark.parametrize(
    "value",
    [
        "спорт; программирование",
        "спорт, программирование",
        "sport;it",
        ["Спорт", "it"],
        ("it", "sport"),
        "Программирование; спорт; sport",  # a choice repeated is one choice
    ],
)
def test_multiple_choices_as_a_list_or_separated_by_semicolons_or_commas(value: object) -> None:
    assert single(HOBBIES, value) == ["sport", "it"]  # in the questionnaire's order


def test_a_label_holding_commas_is_one_choice_among_comma_separated_ones() -> None:
    assert single(HOBBIES, "Музыка, театр и кино") == ["arts"]
    assert single(HOBBIES, "спорт, музыка, театр и кино, it") == ["arts", "sport", "it"]


@pytest.mark.parametrize(("value", "number"), [(1, 1), (10, 10), ("7", 7), (" 7 ", 7), (7.0, 7)])
def test_a_scale_takes_whole_numbers_and_their_text(value: object, number: int) -> None:
    assert single(RATING, value) == number


def test_a_scale_may_have_its_own_bounds() -> None:
    five = Scale("mood", "Настроение", low=0, high=5)
    assert single(five, "0") == 0
    assert "целое число от 0 до 5" in refusal(five, 6)


@pytest.mark.parametrize(("value", "number"), [(6, 6), ("80", 80), ("1 4", 14), (14.0, 14)])
def test_a_whole_number_from_a_cell(value: object, number: int) -> None:
    assert single(AGE, value) == number
    assert type(single(AGE, value)) is int


@pytest.mark.parametrize(
    ("value", "number"),
    [("4,5", 4.5), ("4.5", 4.5), (4, 4.0), ("2", 2.0), ("4,567", 4.57), ("4,565", 4.57),
     (Decimal("3.14159"), 3.14), (5.0, 5.0)],
)  # fmt: skip
def test_a_decimal_number_is_a_float_rounded_half_up(value: object, number: float) -> None:
    answer = single(GRADE, value)
    assert answer == number
    assert type(answer) is float


def test_a_decimal_rounded_into_the_bounds_is_taken() -> None:
    assert single(GRADE, "5,004") == 5.0
    assert "число от 2 до 5 с округлением до сотых" in refusal(GRADE, "5,005")


@pytest.mark.parametrize(
    "value", ["15.10.2026", "2026-10-15", "5.1.2026", date(2026, 10, 15), datetime(2026, 10, 15)]
)
def test_a_date_as_text_in_either_form_or_as_a_date(value: object) -> None:
    expected = "2026-01-05" if value == "5.1.2026" else "2026-10-15"
    assert single(LAST, value) == expected


def test_date_bounds_are_the_questions_own() -> None:
    assert single(LAST, "01.01.2000") == "2000-01-01"
    assert single(LAST, "31.12.2100") == "2100-12-31"
    born = DateQuestion(
        "born", "Дата рождения", earliest=date(1940, 1, 1), latest=date(2020, 12, 31)
    )
    assert single(born, "03.04.1961") == "1961-04-03"
    message = refusal(born, "01.01.2021")
    assert "дата 01.01.2021 вне допустимых" in message
    assert "с 01.01.1940 по 31.12.2020" in message


def test_a_text_is_stripped_and_may_hold_line_breaks_only_when_multiline() -> None:
    assert single(REQUEST, "Первая строка\nвторая") == "Первая строка\nвторая"
    assert single(PLACE, 10) == "10"  # a cell that holds only digits
    message = refusal(PLACE, "Школа\n№ 5")
    assert "управляющий символ U+000A" in message


def test_a_text_of_exactly_the_limit_is_taken() -> None:
    assert single(PLACE, "я" * 20) == "я" * 20
    assert single(FreeText("note", "Заметка"), "а" * 1000) == "а" * 1000


@pytest.mark.parametrize("value", ["12; 7", "12, 7", "12;7", [12, 7], ["12", " 7"], (12, 7)])
def test_a_ranking_keeps_the_order_of_preference(value: object) -> None:
    assert single(MENTORS, value, candidates=(7, 12, 30)) == [12, 7]


def test_a_ranking_of_one_person_given_by_a_bare_number() -> None:
    assert single(MENTORS, 30, candidates=(7, 12, 30)) == [30]
    assert single(MENTORS, "30", candidates=(7, 12, 30)) == [30]


def test_a_ranking_without_a_limit_takes_every_candidate() -> None:
    everyone = Ranking("mentees", "Наставляемые в порядке предпочтения")
    assert single(everyone, [5, 4, 3, 2, 1], candidates=(1, 2, 3, 4, 5)) == [5, 4, 3, 2, 1]


# Refusals, one kind at a time.


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("директор", "нет варианта «директор»"),
        ("student; teacher", "нет варианта «student; teacher»"),
        (1, "а получено 1"),
        (True, "а получено да/нет"),
        (["student"], "а получено список"),
        ({"code": "student"}, "а получено набор полей"),
    ],
)
def test_a_single_choice_refuses_what_is_not_one_option(value: object, words: str) -> None:
    message = refusal(STATUS, value)
    assert words in message
    assert "student (Обучающийся), teacher (Педагог)" in message  # what is allowed


def test_a_multiple_choice_names_every_unknown_option() -> None:
    message = refusal(HOBBIES, "спорт; шахматы; вязание")
    assert "нет вариантов «шахматы», «вязание»" in message
    assert "sport (Спорт)" in message


def test_a_multiple_choice_counts_the_picks() -> None:
    message = refusal(HOBBIES, "спорт; it; arts; hiking")
    assert "выбрано вариантов: 4, а нужно от 1 до 3" in message
    at_least_two = MultipleChoice(
        "pair", "Два варианта", options=HOBBIES.options, min_picks=2, max_picks=2
    )
    assert "выбрано вариантов: 1, а нужно ровно 2" in refusal(at_least_two, "sport")
    assert single(at_least_two, "sport; it") == ["sport", "it"]


@pytest.mark.parametrize("value", [[1, 2], 5, ["sport", None]])
def test_a_multiple_choice_refuses_other_types(value: object) -> None:
    assert "нужны варианты из списка" in refusal(HOBBIES, value)


@pytest.mark.parametrize("value", [0, 11, "11", "-1", "7,5", 7.5, "семь", "7 из 10", True, [7]])
def test_a_scale_refuses_what_is_not_a_whole_number_within_it(value: object) -> None:
    message = refusal(RATING, value)
    assert "нужно целое число от 1 до 10" in message


def test_a_scale_quotes_the_value_refused() -> None:
    assert "а не 11" in refusal(RATING, 11)
    assert "а не «семь»" in refusal(RATING, "семь")


@pytest.mark.parametrize(
    "value", [5, 81, "81", "14,5", "1e3", "NaN", "inf", float("nan"), float("inf"), False, ""]
)
def test_a_whole_number_refuses_what_is_out_of_range_or_not_a_number(value: object) -> None:
    message = refusal(AGE, value)
    assert "целое число от 6 до 80" in message


def test_a_whole_number_names_a_fraction() -> None:
    assert "а не дробное «14,5»" in refusal(AGE, "14,5")


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("32.13.2026", "нужна дата в виде ДД.ММ.ГГГГ или ГГГГ-ММ-ДД"),
        ("2026/10/15", "нужна дата в виде ДД.ММ.ГГГГ или ГГГГ-ММ-ДД"),
        ("15 октября", "а не «15 октября»"),
        ("31.02.2026", "даты «31.02.2026» не существует"),
        ("2026-02-30", "даты «2026-02-30» не существует"),
        ("31.12.1999", "дата 31.12.1999 вне допустимых"),
        ("01.01.2101", "дата 01.01.2101 вне допустимых"),
        (date(1999, 12, 31), "дата 31.12.1999 вне допустимых"),
        (20261015, "а получено 20261015"),
    ],
)
def test_a_date_refuses_what_is_not_a_day_within_its_bounds(value: object, words: str) -> None:
    message = refusal(LAST, value)
    assert words in message
    assert "с 01.01.2000 по 31.12.2100" in message


def test_a_text_longer_than_its_limit_is_refused_with_its_length() -> None:
    message = refusal(PLACE, "я" * 21)
    assert "в ответе 21 символ, допустимо не больше 20" in message
    assert "в ответе 1001 символ, допустимо не больше 1000" in refusal(REQUEST, "а" * 1001)
    assert "в ответе 1500 символов" in refusal(REQUEST, "а" * 1500)


@pytest.mark.parametrize(
    ("question", "value"),
    [
        (REQUEST, "Запрос\x00"),
        (REQUEST, "Запрос\x1b[31m"),
        (REQUEST, "Запрос\u202eлевый"),
        (PLACE, "Школа\t№ 5"),
        (STATUS, "педагог\x00"),
        (HOBBIES, ["спорт", "it\x07"]),
        (HOBBIES, "спорт;\x00"),
        (RATING, "7\x00"),
        (LAST, "15.10.2026\x00"),
        (MENTORS, "7;\x00"),
    ],
)
def test_control_characters_are_refused_in_every_kind(question: Question, value: object) -> None:
    message = refusal(question, value, candidates=(7,))
    assert "недопустимый управляющий символ" in message or "а не «7\\u0000»" in message
    assert "\x00" not in message and "\x1b" not in message and "\u202e" not in message


def test_nul_is_named_by_its_code_point_and_position() -> None:
    message = refusal(REQUEST, "Запрос\x00")
    assert "недопустимый управляющий символ U+0000 (позиция 7)" in message


def test_a_ranking_refuses_a_person_named_twice() -> None:
    message = refusal(MENTORS, "7; 12; 7", candidates=(7, 12))
    assert "каждого человека можно назвать один раз, а повторены: 7" in message


def test_a_ranking_refuses_people_not_among_the_candidates() -> None:
    message = refusal(MENTORS, [7, 99, 100], candidates=(7, 12))
    assert "нет среди тех, кого можно выбрать: 99, 100 (можно: 7, 12)" in message
    nobody = refusal(MENTORS, [7])
    assert "(можно: список пуст)" in nobody


def test_a_ranking_refuses_more_people_than_allowed() -> None:
    message = refusal(MENTORS, "1; 2; 3; 4", candidates=(1, 2, 3, 4))
    assert "людей в списке: 4, допустимо не больше 3" in message


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("Иванов", "«Иванов» — не номер человека"),
        ([7, True], "да/нет — не номер человека"),
        ([7, 1.5], "1.5 — не номер человека"),
        ({"id": 7}, "а получено набор полей"),
        ("-7", "«-7» — не номер человека"),
    ],
)
def test_a_ranking_refuses_what_is_not_a_person_id(value: object, words: str) -> None:
    assert words in refusal(MENTORS, value, candidates=(7,))


def test_a_ranking_reports_each_problem_of_one_answer() -> None:
    message = refusal(MENTORS, [7, 7, 99, "x"], candidates=(7,))
    assert "«x» — не номер человека" in message
    assert "нет среди тех, кого можно выбрать: 99" in message
    assert "повторены: 7" in message


# The questionnaire as a whole.


def test_every_bad_answer_is_listed_at_once() -> None:
    answers = {
        "status": "директор",
        "hobbies": "шахматы",
        "usefulness": "11",
        "age": "сорок",
        "grade": "6",
        "request": "\x00",
        "place": "я" * 21,
        "last_meeting": "31.02.2026",
        "mentors": "7; 7",
        "shoe_size": "42",
    }
    with pytest.raises(InvalidAnswers) as refused:
        validate(SURVEY, answers, candidates=[7])
    message = str(refused.value)
    assert message.startswith("Ответы на анкету «Пробная анкета» не приняты:\n")
    for question in SURVEY.questions:
        assert f"«{question.text}»" in message
    assert "вопроса с кодом «shoe_size» в анкете нет" in message
    assert message.count("\n— ") == 10
    assert set(refused.value.problems) == {question.code for question in SURVEY.questions} | {
        "shoe_size"
    }
    assert isinstance(refused.value, InvalidInput)  # the command line shows it as any refusal


def test_a_missing_required_answer_is_refused_with_what_is_expected() -> None:
    with pytest.raises(InvalidAnswers) as refused:
        validate(SURVEY, {"status": "student", "request": "Физика"})
    message = str(refused.value)
    assert (
        "«Насколько полезными были встречи?»: нет ответа, а вопрос обязательный; нужен ответ: "
        "целое число от 1 до 10"
    ) in message
    assert "«Возраст, полных лет»: нет ответа" in message
    assert "Средний балл" not in message  # optional
    assert set(refused.value.problems) == {"usefulness", "age"}


@pytest.mark.parametrize("blank", [None, "", "   ", [], ()])
def test_a_blank_answer_to_a_required_question_is_a_missing_one(blank: object) -> None:
    with pytest.raises(InvalidAnswers, match="«Ваш ключевой запрос»: нет ответа"):
        validate(SURVEY, FILLED | {"request": blank})


def test_unknown_question_codes_are_refused_and_quoted_safely() -> None:
    with pytest.raises(InvalidAnswers) as refused:
        validate(SURVEY, FILLED | {"request\x00": "x", "Статус": "student"})
    message = str(refused.value)
    assert "вопроса с кодом «request\\u0000» в анкете нет" in message
    assert "вопроса с кодом «Статус» в анкете нет" in message
    assert "вопросы: status, hobbies, usefulness" in message
    assert "\x00" not in message


def test_answers_that_are_not_pairs_are_refused() -> None:
    with pytest.raises(InvalidInput, match="нужны пары «код вопроса — ответ»"):
        validate(SURVEY, ["status", "student"])  # type: ignore[arg-type]


def test_the_refusal_survives_pickling_with_its_problems() -> None:
    with pytest.raises(InvalidAnswers) as refused:
        validate(SURVEY, {})
    copy = pickle.loads(pickle.dumps(refused.value))
    assert str(copy) == str(refused.value)
    assert copy.problems == refused.value.problems


# Definitions.


@pytest.mark.parametrize(
    ("build", "words"),
    [
        (lambda: Scale("Оценка", "Оценка"), "Код вопроса «Оценка» не подходит"),
        (lambda: Scale("rating-1", "Оценка"), "Код вопроса «rating-1» не подходит"),
        (lambda: Scale("rating__1", "Оценка"), "не подходит"),
        (lambda: Scale("rating", "  "), "Пустое значение текста вопроса «rating»"),
        (lambda: Scale("rating", "Оценка\x00"), "управляющий символ U+0000"),
        (lambda: Scale("rating", "Оценка", low=5, high=5), "шкала — от меньшего"),
        (lambda: Scale("rating", "Оценка", low=-1), "в пределах 0–100"),
        (lambda: Scale("rating", "Оценка", required="да"), "«обязательный» — да или нет"),  # type: ignore[arg-type]
        (lambda: SingleChoice("x", "Вопрос", options=(Option("a", "А"),)), "не меньше двух"),
        (
            lambda: SingleChoice("x", "Вопрос", options=(Option("a", "Ёж"), Option("b", "еж"))),
            "варианты «a» и «b» не различить",
        ),
        (
            lambda: SingleChoice("x", "Вопрос", options=(Option("a", "b"), Option("b", "Б"))),
            "варианты «a» и «b» не различить",
        ),
        (lambda: Option("a", "Один; два"), "в подписи не может быть «;»"),
        (lambda: Option("A", "Один"), "Код варианта ответа «A» не подходит"),
        (
            lambda: MultipleChoice("x", "Вопрос", options=HOBBIES.options, max_picks=5),
            "наибольшее число выбранных вариантов — от 1 до 4",
        ),
        (
            lambda: MultipleChoice("x", "Вопрос", options=HOBBIES.options, min_picks=0),
            "наименьшее число выбранных вариантов — от 1 до 4",
        ),
        (lambda: Number("x", "Число", low=10, high=1), "нижняя граница 10 больше верхней 1"),
        (lambda: Number("x", "Число", low=Decimal("0.5")), "границы целого числа — целые"),
        (lambda: Number("x", "Число", high=10**13), "границы — числа от"),
        (lambda: Number("x", "Число", integer=False, places=7), "знаков после запятой"),
        (lambda: FreeText("x", "Текст", max_length=0), "наибольшая длина ответа"),
        (lambda: FreeText("x", "Текст", max_length=5001), "наибольшая длина ответа"),
        (
            lambda: DateQuestion("x", "Дата", earliest=date(2030, 1, 1), latest=date(2029, 1, 1)),
            "первая не позже последней",
        ),
        (lambda: DateQuestion("x", "Дата", earliest=date(1800, 1, 1)), "от 01.01.1900"),
        (lambda: Ranking("x", "Люди", max_picks=0), "наибольшее число людей"),
        (lambda: Question("x", "Вопрос"), "Неизвестный тип вопроса"),
    ],
)
def test_an_invalid_question_cannot_be_made(build: object, words: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        build()  # type: ignore[operator]
    assert words in str(refused.value)


def test_a_questionnaire_refuses_duplicate_codes_and_no_questions() -> None:
    with pytest.raises(InvalidInput, match="уже есть вопрос с кодом «usefulness»"):
        Questionnaire("x", "Анкета", Role.MENTOR, "survey_mentors", (RATING, RATING))
    with pytest.raises(InvalidInput, match="В анкете «Анкета» нет вопросов"):
        Questionnaire("x", "Анкета", Role.MENTOR, "survey_mentors", ())
    with pytest.raises(InvalidInput, match="Код этапа анкеты «Анкета» «Этап 5» не подходит"):
        Questionnaire("x", "Анкета", Role.MENTOR, "Этап 5", (RATING,))
    with pytest.raises(InvalidInput, match="неизвестная роль 'ученик'"):
        Questionnaire("x", "Анкета", "ученик", "survey_mentors", (RATING,))  # type: ignore[arg-type]


def test_a_curator_adds_a_question_to_a_programs_copy() -> None:
    shift = SingleChoice(
        "shift",
        "В какую смену вы учитесь?",
        options=(Option("first", "Первая"), Option("second", "Вторая")),
    )
    extended = with_question(SURVEY, shift)
    assert extended.questions[-1] == shift
    assert extended.questions[:-1] == SURVEY.questions
    assert SURVEY.question("shift") is None  # the original is unchanged
    assert validate(extended, FILLED | {"shift": "вторая"})["shift"] == "second"


def test_with_question_refuses_a_duplicate_code_naming_the_existing_question() -> None:
    duplicate = FreeText("request", "Ещё один запрос")
    with pytest.raises(InvalidInput) as refused:
        with_question(SURVEY, duplicate)
    assert str(refused.value) == (
        "В анкете «Пробная анкета» уже есть вопрос с кодом «request» («Ваш ключевой запрос»): "
        "выберите для нового вопроса другой код"
    )


def test_with_question_refuses_what_is_not_a_question() -> None:
    with pytest.raises(InvalidInput, match="можно добавить только вопрос одного из типов"):
        with_question(SURVEY, {"kind": "scale"})  # type: ignore[arg-type]


def test_with_question_refuses_an_invalid_definition() -> None:
    with pytest.raises(InvalidInput, match="Код вопроса «Смена» не подходит"):
        with_question(SURVEY, Scale("Смена", "Смена"))


# Stored copies.


def test_every_question_kind_survives_a_json_round_trip() -> None:
    data = json.loads(json.dumps(SURVEY.to_data()))
    assert Questionnaire.from_data(data) == SURVEY
    assert Questionnaire.from_data(data).to_data() == SURVEY.to_data()


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_built_in_questionnaire_survives_a_json_round_trip(code: str) -> None:
    questionnaire = CATALOGUE[code]
    data = json.loads(json.dumps(questionnaire.to_data(), ensure_ascii=False))
    copy = Questionnaire.from_data(data)
    assert copy == questionnaire
    assert copy.to_data() == questionnaire.to_data()


def test_a_questionnaire_stored_without_optional_fields_reads_with_defaults() -> None:
    data = {
        "code": "short",
        "title": "Короткая анкета",
        "role": "pair",
        "stage": "collect_feedback",
        "questions": [{"kind": "scale", "code": "rating", "text": "Оценка"}],
    }
    questionnaire = Questionnaire.from_data(data)
    assert questionnaire.questions == (Scale("rating", "Оценка"),)
    assert questionnaire.intro == ""


def _stored(**changes: object) -> dict[str, object]:
    data = SURVEY.to_data()
    data.update(changes)
    return data


def _question_stored(index: int, **changes: object) -> dict[str, object]:
    data = SURVEY.to_data()
    questions = [dict(question) for question in data["questions"]]  # type: ignore[attr-defined]
    questions[index].update(changes)
    return _stored(questions=questions)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ("анкета", "анкета: нужен набор полей"),
        ({"code": "x"}, "анкета: нет поля «title»"),
        (_stored(questions=None), "поле «questions» — список"),
        (_stored(role="ученик"), "неизвестная роль «ученик»"),
        (_stored(questions="вопросы"), "поле «questions» — список"),
        (_stored(title=5), "поле «title» — текст"),
        (_stored(colour="red"), "неизвестные поля «colour»"),
        (_stored(questions=[]), "нет вопросов"),
        (_stored(questions=[5]), "вопрос 1: нужен набор полей"),
        (_question_stored(0, kind="essay"), "неизвестный тип вопроса «essay»"),
        (_question_stored(0, options="a;b"), "вопрос 1 («status»), поле «options»"),
        (_question_stored(0, options=[{"code": "a"}]), "нет поля «label»"),
        (_question_stored(1, max_picks="три"), "поле «max_picks»: нужно целое число"),
        (_question_stored(2, high=True), "поле «high»: нужно целое число"),
        (_question_stored(2, high=3, low=5), "шкала — от меньшего"),
        (_question_stored(4, low="два"), "поле «low»: нужно число"),
        (_question_stored(4, integer="нет"), "поле «integer»: нужно да или нет"),
        (_question_stored(5, required="да"), "поле «required» — да или нет"),
        (_question_stored(7, earliest="15.10.2026"), "нужна дата ГГГГ-ММ-ДД"),
        (_question_stored(7, latest="2026-02-30"), "нужна дата ГГГГ-ММ-ДД"),
        (_question_stored(8, code="Люди"), "Код вопроса «Люди» не подходит"),
        (_question_stored(8, text="x\x00"), "управляющий символ"),
        (_question_stored(0, extra=1), "вопрос 1 («status»)"),
    ],
)
def test_malformed_stored_data_is_refused_in_russian(data: object, words: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        Questionnaire.from_data(data)
    assert words in str(refused.value)


# The built-in catalogue.


def test_each_built_in_questionnaire_belongs_to_a_survey_or_assessment_stage() -> None:
    for questionnaire in CATALOGUE.values():
        stage = BY_CODE[questionnaire.stage]
        assert stage.kind in (StageKind.SURVEY, StageKind.ASSESSMENT), questionnaire.code


def test_for_stage_answers_which_questionnaires_a_stage_runs() -> None:
    def codes(stage: str) -> set[str]:
        return {questionnaire.code for questionnaire in for_stage(stage)}

    assert codes("survey_mentees") == {"mentee_survey"}
    assert codes("survey_mentors") == {"mentor_survey"}
    assert codes("assess_mentees_entry") == {"mentee_entry_assessment"}
    assert codes("assess_mentors_entry") == {"mentor_entry_assessment"}
    assert codes("preference_survey") == {"mentee_preferences", "mentor_preferences"}
    assert codes("collect_feedback") == {"feedback"}
    assert codes("satisfaction_survey") == {"mentee_satisfaction", "mentor_satisfaction"}
    assert codes("assess_exit") == {"mentee_exit_assessment", "mentor_exit_assessment"}
    assert for_stage("group_meeting") == []
    assert for_stage("no_such_stage") == []


def test_the_built_in_roles_are_who_answers() -> None:
    roles = {code: questionnaire.role for code, questionnaire in CATALOGUE.items()}
    assert roles["mentee_survey"] == Role.MENTEE
    assert roles["mentor_survey"] == Role.MENTOR
    assert roles["feedback"] == Role.PAIR
    assert roles["mentor_preferences"] == Role.MENTOR


def test_the_mentee_questionnaire_carries_what_the_mentee_database_needs() -> None:
    codes = {question.code for question in CATALOGUE["mentee_survey"].questions}
    # place of study or work, age, key request, interests, mentor's competencies wanted, time
    assert {
        "place",
        "age",
        "request",
        "interests",
        "mentor_competencies",
        "convenient_time",
    } <= codes


def test_the_mentor_questionnaire_carries_what_the_mentor_database_needs() -> None:
    mentor = CATALOGUE["mentor_survey"]
    codes = {question.code for question in mentor.questions}
    assert {
        "place",
        "competencies",
        "achievements",
        "interests",
        "mentee_ages",
        "convenient_time",
        "capacity",
    } <= codes
    capacity = mentor.question("capacity")
    assert isinstance(capacity, Number) and capacity.low == 1


def test_both_sides_share_the_codes_matching_compares() -> None:
    mentee, mentor = CATALOGUE["mentee_survey"], CATALOGUE["mentor_survey"]
    wanted, offered = mentee.question("mentor_competencies"), mentor.question("competencies")
    assert isinstance(wanted, MultipleChoice) and isinstance(offered, MultipleChoice)
    assert wanted.options == offered.options
    assert mentee.question("interests") == mentor.question("interests")
    assert mentee.question("convenient_time") == mentor.question("convenient_time")


@pytest.mark.parametrize("side", ["mentee", "mentor"])
def test_exit_assessment_measures_the_entry_parameters(side: str) -> None:
    entry = CATALOGUE[f"{side}_entry_assessment"].questions
    exit_ = CATALOGUE[f"{side}_exit_assessment"].questions
    assert exit_[: len(entry)] == entry


@pytest.mark.parametrize("code", ["mentee_satisfaction", "mentor_satisfaction"])
def test_satisfaction_is_rated_from_1_to_10(code: str) -> None:
    overall = CATALOGUE[code].question("overall_satisfaction")
    assert isinstance(overall, Scale) and (overall.low, overall.high) == (1, 10)


def test_the_preference_questionnaire_ranks_the_people_met() -> None:
    questionnaire = CATALOGUE["mentee_preferences"]
    answers = validate(questionnaire, {"preferred_mentors": "41; 40"}, candidates=[40, 41, 42])
    assert answers == {"preferred_mentors": [41, 40]}
    with pytest.raises(InvalidAnswers, match="не больше трёх наставников"):
        validate(questionnaire, {"preferred_mentors": "1;2;3;4"}, candidates=[1, 2, 3, 4])


def test_a_filled_mentee_questionnaire_from_a_spreadsheet_row() -> None:
    row = {
        "status": "Обучающийся",
        "place": "МБОУ СОШ № 3, 8 «Б» класс",
        "age": 14.0,
        "request": "Хочу подготовиться к олимпиаде по физике",
        "request_topics": (
            "Подготовиться к экзаменам или олимпиадам; Выполнить проект или исследование"
        ),
        "interests": "Естественные науки, Музыка, театр и изобразительное искусство",
        "mentor_competencies": "exam_preparation; projects",
        "mentor_kind": "не важно",
        "convenient_time": "В будни после занятий",
        "meeting_format": "очно",
    }
    answers = validate(CATALOGUE["mentee_survey"], row)
    assert answers["interests"] == ["natural_sciences", "arts"]
    assert answers["request_topics"] == ["exams", "project"]
    assert answers["age"] == 14


def test_built_in_texts_are_russian_and_codes_ascii() -> None:
    for questionnaire in CATALOGUE.values():
        assert any("а" <= char <= "я" for char in questionnaire.title.lower())
        for question in questionnaire.questions:
            assert question.code.isascii()
            assert any("а" <= char <= "я" for char in question.text.lower()), question.code
