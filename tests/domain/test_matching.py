"""Matching as a curator reads it: each criterion's points and words for a pair («почему эта
пара»), each reason a person is left without a pair, each hard rule's refusal, pins, weights,
the school-to-school form, and the answers of the built-in questionnaires read as they are
stored. The random checks against independent solvers are test_matching_properties.py."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInput
from domain.matching import (
    CRITERIA,
    DEFAULT_WEIGHTS,
    REQUEST_NEEDS,
    Cause,
    Kind,
    Mentee,
    Mentor,
    Method,
    Side,
    age_groups_of,
    explain,
    match,
)
from domain.matching import candidates as fields
from domain.questionnaire_catalogue import (
    CATALOGUE,
    COMPETENCIES,
    MENTEE_SURVEY,
    MENTOR_PREFERENCES,
    MENTOR_SURVEY,
    REQUESTS,
)
from domain.questionnaires import validate

PEER = ["ученик – ученик"]
METHODS = [Method.OPTIMAL, Method.STABLE]

MARIA = Mentor(
    1,
    consent=True,
    age=16,
    competencies={"exam_preparation", "subject_knowledge", "communication"},
    interests={"mathematics", "it", "sport"},
    times={"weekday_after_lessons", "saturday"},
    mentee_ages={"middle"},
    capacity=2,
    ranking=(21, 22),
    psych_type="экстраверт",
)
PETYA = Mentee(
    21,
    consent=True,
    age=13,
    status="student",
    request_topics={"exams", "confidence", "other"},
    wished_competencies={"exam_preparation", "support"},
    interests={"mathematics", "arts"},
    times={"weekday_after_lessons"},
    ranking=(2, 1),
)


def test_a_pairs_breakdown_gives_each_criterions_points_weight_and_reason() -> None:
    pair = explain(MARIA, PETYA, forms=PEER)
    assert pair.allowed and pair.refusals == ()
    assert [(p.code, p.points, p.weight, p.score) for p in pair.breakdown] == [
        ("request", 0.75, 3.0, 2.25),  # topics 2 of 2 («Другое» not compared), wishes 1 of 2
        ("interests", 0.5, 1.0, 0.5),  # 1 shared of the shorter list's 2
        ("mentee_age", 1.0, 2.0, 2.0),
        ("time", 1.0, 2.0, 2.0),
        ("mentee_choice", 0.5, 2.0, 1.0),  # his second choice
        ("mentor_choice", 1.0, 2.0, 2.0),  # her first
        ("psych", 0.0, 1.0, 0.0),
    ]
    assert pair.score == 9.75
    assert [p.explanation for p in pair.breakdown] == [
        "темы запроса, с которыми наставник может помочь, — 2 из 2: «Подготовиться к экзаменам "
        "или олимпиадам», «Стать увереннее в общении»; желаемые умения, которые у наставника "
        "есть, — 1 из 2: «Подготовка к экзаменам и олимпиадам»",
        "общие интересы — 1 из 2 возможных: «Математика»",
        "наставляемому 13 лет, это группа «Обучающиеся 5–9 классов», которую выбрал наставник",
        "общее удобное время: «В будни после занятий»",
        "наставляемый поставил этого наставника на 2-е место из 2",
        "наставник поставил этого наставляемого на 1-е место из 2",
        "не оценивалась: тип наставляемого не определён",
    ]


def test_a_matched_pair_carries_the_same_breakdown_and_reads_as_why_this_pair() -> None:
    result = match([MARIA], [PETYA], forms=PEER)
    [pair] = result.pairs
    assert (pair.mentor_id, pair.mentee_id, pair.score, pair.pinned) == (1, 21, 9.75, False)
    assert pair.breakdown == explain(MARIA, PETYA, forms=PEER).breakdown
    assert pair.why().splitlines()[:3] == [
        "Совместимость 9,75",
        "• Запрос наставляемого и компетенции наставника: 0,75 × 3 = 2,25 — темы запроса, с "
        "которыми наставник может помочь, — 2 из 2: «Подготовиться к экзаменам или "
        "олимпиадам», «Стать увереннее в общении»; желаемые умения, которые у наставника есть, "
        "— 1 из 2: «Подготовка к экзаменам и олимпиадам»",
        "• Общие интересы: 0,50 × 1 = 0,50 — общие интересы — 1 из 2 возможных: «Математика»",
    ]
    assert result.total == 9.75 and result.weights == DEFAULT_WEIGHTS


def test_criteria_say_what_is_missing_or_different() -> None:
    mentor = Mentor(
        2, consent=True, age=17, mentee_ages={"senior"}, times={"sunday"}, psych_type="интроверт"
    )
    mentee = Mentee(
        22, consent=True, age=12, status="student", times={"saturday"}, psych_type="экстраверт"
    )
    words = {
        p.code: (p.points, p.explanation) for p in explain(mentor, mentee, forms=PEER).breakdown
    }
    assert words == {
        "request": (0.0, "наставляемый не указал ни тем запроса, ни желаемых умений наставника"),
        "interests": (0.0, "ни наставник, ни наставляемый не указали интересов"),
        "mentee_age": (
            0.5,
            "наставляемому 12 лет, группа «Обучающиеся 5–9 классов» — соседняя "
            "с выбранными наставником: «Обучающиеся 10–11 классов»",
        ),
        "time": (
            0.0,
            "общего удобного времени нет: наставнику удобно «В воскресенье», "
            "наставляемому — «В субботу»",
        ),
        "mentee_choice": (0.0, "наставляемый не заполнил анкету предпочтений"),
        "mentor_choice": (0.0, "наставник не заполнил анкету предпочтений"),
        "psych": (0.0, "типы различаются: у наставника «интроверт», у наставляемого «экстраверт»"),
    }
    far = Mentee(
        23,
        consent=True,
        age=7,
        status="student",
        ranking=(5,),
        psych_type="интроверт",
        wished_competencies={"projects"},
    )
    words = {p.code: (p.points, p.explanation) for p in explain(mentor, far, forms=PEER).breakdown}
    assert words["request"] == (0.0, "наставник не указал своих компетенций")
    assert words["mentee_age"] == (
        0.0,
        "наставляемому 7 лет, группа «Обучающиеся 1–4 классов», а наставник выбрал "
        "«Обучающиеся 10–11 классов»",
    )
    assert words["mentee_choice"] == (0.0, "наставляемый не выбрал этого наставника")
    assert words["psych"] == (1.0, "типы совпадают: «интроверт»")


def test_a_program_reweighs_criteria_and_a_weight_of_zero_turns_one_off() -> None:
    pair = explain(MARIA, PETYA, forms=PEER, weights={"psych": 0, "interests": 3})
    assert [p.code for p in pair.breakdown] == [
        "request",
        "interests",
        "mentee_age",
        "time",
        "mentee_choice",
        "mentor_choice",
    ]
    assert pair.score == 9.75 - 0.5 + 1.5
    [matched] = match([MARIA], [PETYA], forms=PEER, weights={"psych": 0, "interests": 3}).pairs
    assert matched.score == pair.score
    with pytest.raises(
        InvalidInput,
        match=r"Неизвестный критерий подбора «beauty»\. Известные: "
        "request — Запрос наставляемого",
    ):
        match([MARIA], [PETYA], forms=PEER, weights={"beauty": 1})
    for wrong in (-1, float("nan"), True, "2"):
        with pytest.raises(
            InvalidInput,
            match="Вес критерия «Общие интересы» \\(interests\\) — неотрицательное число",
        ):
            match([MARIA], [PETYA], forms=PEER, weights={"interests": wrong})


def test_the_criteria_and_their_default_weights_are_named() -> None:
    assert [(c.code, c.weight) for c in CRITERIA] == [
        ("request", 3),
        ("interests", 1),
        ("mentee_age", 2),
        ("time", 2),
        ("mentee_choice", 2),
        ("mentor_choice", 2),
        ("psych", 1),
    ]
    competencies = {option.code for option in COMPETENCIES}
    assert set(REQUEST_NEEDS) == {option.code for option in REQUESTS} - {"other"}
    assert all(serving and serving <= competencies for serving in REQUEST_NEEDS.values())


# Why somebody has no pair


OWN_REASONS = [
    (
        Mentor(2, consent=False, age=16),
        "нет действующего согласия на обработку персональных данных",
    ),
    (
        Mentor(3, consent=True, age=14),
        "в форме «ученик – ученик» наставнику должно быть от 15 до 19 лет, а ему 14 лет",
    ),
    (
        Mentor(4, consent=True, age=20),
        "в форме «ученик – ученик» наставнику должно быть от 15 до 19 лет, а ему 20 лет",
    ),
    (
        Mentor(5, consent=True),
        "в форме «ученик – ученик» наставнику должно быть от 15 до 19 лет, а его возраст не указан",
    ),
    (
        Mentor(6, consent=True, form="учитель – учитель"),
        "форма «учитель – учитель» в программе не ведётся (ведётся: «ученик – ученик»)",
    ),
    (
        Mentor(7, consent=True, kind=Kind.ORGANISATION, form="ученик – ученик"),
        "организация участвует только в форме «образовательная организация – образовательная "
        "организация»",
    ),
    (
        Mentee(31, consent=False, age=13),
        "нет действующего согласия на обработку персональных данных",
    ),
    (
        Mentee(32, consent=True),
        "в форме «ученик – ученик» нужен возраст наставляемого (наставник не может быть младше), а "
        "он не указан",
    ),
]


@pytest.mark.parametrize("method", METHODS)
def test_a_candidate_a_rule_keeps_out_is_told_which(method: Method) -> None:
    mentors = [MARIA, *(c for c, _ in OWN_REASONS if isinstance(c, Mentor))]
    mentees = [PETYA, *(c for c, _ in OWN_REASONS if isinstance(c, Mentee))]
    result = match(mentors, mentees, forms=PEER, method=method)
    assert [(p.mentor_id, p.mentee_id) for p in result.pairs] == [(1, 21)]
    told = {(u.side, u.id): (u.reason, u.cause) for u in result.unmatched}
    for candidate, reason in OWN_REASONS:
        side = Side.MENTOR if isinstance(candidate, Mentor) else Side.MENTEE
        assert told.pop((side, candidate.id)) == (reason, Cause.OWN)
    assert told == {}
    assert result.unmatched[0].text() == (
        "Наставляемый №31: нет действующего согласия на обработку персональных данных"
    )


def test_several_forms_and_a_form_not_given() -> None:
    result = match(
        [Mentor(1, consent=True)],
        [Mentee(11, consent=True, form="teacher_teacher")],
        forms=["teacher_teacher", "student_pupil"],
    )
    assert [(u.id, u.reason) for u in result.unmatched] == [
        (
            11,
            "нет ни одного допустимого наставника (всего 1 кандидат): у наставника не "
            "указана форма наставничества — 1",
        ),
        (
            1,
            "не указана форма наставничества, а программа ведёт несколько: «студент – ученик», "
            "«учитель – учитель»",
        ),
    ]


@pytest.mark.parametrize("method", METHODS)
def test_a_mentee_every_mentor_is_forbidden_to_hears_each_rule_and_how_many(
    method: Method,
) -> None:
    mentors = [
        Mentor(1, consent=True, age=16),  # younger than the mentee
        Mentor(2, consent=True, age=15),  # younger too
        Mentor(3, consent=True, age=18),  # forbidden by the curator
        Mentor(4, consent=False, age=18),
        Mentor(5, consent=True, age=18, form="teacher_teacher"),
        Mentor(17, consent=True, age=18),  # the same person
    ]
    mentee = Mentee(17, consent=True, age=17)
    result = match(mentors, [mentee], forms=PEER, method=method, forbidden=[(3, 17), (9, 9)])
    [why] = [u for u in result.unmatched if u.side == Side.MENTEE]
    assert (why.reason, why.cause) == (
        "нет ни одного допустимого наставника (всего 6 кандидатов): у наставника нет согласия на "
        "обработку персональных данных — 1; форма наставника не ведётся в программе — 1; тот же "
        "участник — 1; запрет куратора — 1; наставник младше наставляемого — 2",
        Cause.NO_ALLOWED,
    )
    mentor_three = next(u for u in result.unmatched if u.id == 3)
    assert (mentor_three.reason, mentor_three.cause) == (
        "нет ни одного допустимого наставляемого (всего 1 кандидат): запрет куратора — 1",
        Cause.NO_ALLOWED,
    )


@pytest.mark.parametrize("method", METHODS)
def test_when_the_allowed_are_taken_the_reason_says_so(method: Method) -> None:
    first = Mentee(21, consent=True, age=13, ranking=(1,))
    second = Mentee(22, consent=True, age=12)
    result = match([Mentor(1, consent=True, age=16)], [first, second], forms=PEER, method=method)
    assert [(p.mentor_id, p.mentee_id) for p in result.pairs] == [(1, 21)]
    assert [(u.id, u.reason, u.cause) for u in result.unmatched] == [
        (22, "все подходящие наставники заняты", Cause.TAKEN)
    ]
    mentors = [Mentor(1, consent=True, age=16), Mentor(2, consent=True, age=16)]
    result = match(mentors, [first], forms=PEER, method=method)
    assert [(u.id, u.side, u.reason, u.cause) for u in result.unmatched] == [
        (2, Side.MENTOR, "все подходящие наставляемые в парах с другими наставниками", Cause.TAKEN)
    ]
    assert [u.reason for u in match([], [first], forms=PEER, method=method).unmatched] == [
        "в подборе нет наставников"
    ]
    assert [u.reason for u in match(mentors[:1], [], forms=PEER, method=method).unmatched] == [
        "в подборе нет наставляемых"
    ]


@pytest.mark.parametrize("method", METHODS)
def test_a_mentor_takes_up_to_their_capacity(method: Method) -> None:
    mentees = [Mentee(20 + i, consent=True, age=12) for i in range(4)]
    result = match([MARIA], mentees, forms=PEER, method=method)  # capacity 2
    assert len(result.mentees_of(1)) == 2
    assert [u.reason for u in result.unmatched] == ["все подходящие наставники заняты"] * 2


def test_an_allowed_pair_with_nothing_in_common_is_still_formed() -> None:
    """A score of 0 is no reason for the optimal method to leave anybody without a pair: with
    nothing in common (or every weight 0), mentee 22 may only go to mentor 1, so mentee 21
    goes to mentor 2. (The stable method pairs 21 with 1, whom 21 prefers on the tie-break,
    and leaves 22 out: with these preferences every stable assignment does.)"""
    method = Method.OPTIMAL
    mentors = [Mentor(1, consent=True, age=16), Mentor(2, consent=True, age=17)]
    mentees = [Mentee(21, consent=True, age=12), Mentee(22, consent=True, age=12)]
    off = dict.fromkeys(DEFAULT_WEIGHTS, 0)
    for weights in (None, off):
        result = match(
            mentors, mentees, forms=PEER, method=method, weights=weights, forbidden=[(2, 22)]
        )
        assert [(p.mentor_id, p.mentee_id) for p in result.pairs] == [(1, 22), (2, 21)]
        assert result.total == 0.0 and result.unmatched == ()
    assert result.pairs[0].breakdown == ()


# Pins, forbidden pairs, and input refused


def test_a_pin_is_kept_even_against_the_score_and_takes_a_place() -> None:
    weak = Mentee(22, consent=True, age=14)
    mentors = [Mentor(1, consent=True, age=16, capacity=1, competencies={"exam_preparation"})]
    for method in METHODS:
        result = match(mentors, [PETYA, weak], forms=PEER, method=method, pins=[(1, 22)])
        assert [(p.mentor_id, p.mentee_id, p.pinned) for p in result.pairs] == [(1, 22, True)]
        assert [(u.id, u.reason) for u in result.unmatched] == [
            (21, "все подходящие наставники заняты")
        ]
        assert result.pairs[0].why().startswith("Совместимость 0,00 (пару закрепил куратор)")
        free = match(mentors, [PETYA, weak], forms=PEER, method=method)
        assert free.mentor_of(21) == 1 and free.total > result.total


@pytest.mark.parametrize(
    ("pins", "message"),
    [
        (
            [(1, 22)],
            "Закреплённая пара наставник №1 – наставляемый №22 невозможна: в форме "
            "«ученик – ученик» наставник не может быть младше наставляемого: наставнику "
            "16 лет, наставляемому 17 лет",
        ),
        (
            [(1, 21)] * 2 + [(9, 21)],
            "Закреплённая пара наставник №9 – наставляемый №21: наставника №9 нет среди кандидатов",
        ),
        (
            [(1, 99)],
            "Закреплённая пара наставник №1 – наставляемый №99: наставляемого №99 нет "
            "среди кандидатов",
        ),
        ([(1, 21), (2, 21)], "Наставляемый №21 закреплён дважды: за наставниками №1 и №2"),
        (
            [(2, 21), (2, 23)],
            "За наставником №2 закреплено 2 наставляемых, а он может вести не больше 1",
        ),
        ([(1, 23)], "невозможна: куратор запретил эту пару"),
        ([("1", 21)], "Закреплённая пара — два номера \\(наставник, наставляемый\\)"),
    ],
)
def test_a_pin_that_cannot_stand_is_refused_naming_it(
    pins: list[tuple[int, int]], message: str
) -> None:
    mentors = [MARIA, Mentor(2, consent=True, age=18)]
    mentees = [PETYA, Mentee(22, consent=True, age=17), Mentee(23, consent=True, age=15)]
    with pytest.raises(InvalidInput, match=message):
        match(mentors, mentees, forms=PEER, pins=pins, forbidden=[(1, 23)])


def test_candidates_and_options_a_matching_cannot_take_are_refused() -> None:
    with pytest.raises(InvalidInput, match="Номер 1 указан в роли «наставник» дважды"):
        match([MARIA, MARIA], [PETYA], forms=PEER)
    with pytest.raises(InvalidInput, match="Неизвестный способ подбора «fast»"):
        match([MARIA], [PETYA], forms=PEER, method="fast")
    with pytest.raises(InvalidInput, match="Неизвестная форма наставничества «ученик – кот»"):
        match([MARIA], [PETYA], forms=["ученик – кот"])
    with pytest.raises(InvalidInput, match="хотя бы одна форма"):
        match([MARIA], [PETYA], forms=[])
    with pytest.raises(InvalidInput, match="число наставляемых — целое от 1, а не 0"):
        Mentor(1, consent=True, capacity=0)
    with pytest.raises(InvalidInput, match="разные номера участников"):
        Mentee(1, consent=True, ranking=(2, 2))


def test_explain_names_every_rule_that_forbids_a_pair() -> None:
    mentor = Mentor(5, consent=False, age=14)
    mentee = Mentee(5, consent=True, age=15)
    pair = explain(mentor, mentee, forms=PEER, forbidden=[(5, 5)])
    assert not pair.allowed
    assert pair.refusals == (
        "наставник: нет действующего согласия на обработку персональных данных",
        "наставник: в форме «ученик – ученик» наставнику должно быть от 15 до 19 лет, а ему 14 лет",
        "один и тот же человек (№5) не может быть наставником самому себе",
        "куратор запретил эту пару",
        "в форме «ученик – ученик» наставник не может быть младше наставляемого: наставнику "
        "14 лет, наставляемому 15 лет",
    )
    equal = explain(Mentor(1, consent=True, age=15), mentee, forms=PEER)
    assert equal.allowed  # «равный – равному»: one age is allowed


# The stable method


def test_the_stable_method_follows_the_preferences_and_reports_its_gap_to_the_optimum() -> None:
    """Both mentees want mentor 1, who wants mentee 11; mentee 12's request is what mentor 1
    gives, mentee 11's what mentor 2 gives. The optimum pairs by request; the stable method
    by preference, and says what that costs."""
    mentors = [
        Mentor(1, consent=True, competencies={"exam_preparation"}, ranking=(11,)),
        Mentor(2, consent=True, competencies={"projects"}),
    ]
    mentees = [
        Mentee(11, consent=True, wished_competencies={"projects"}, ranking=(1,)),
        Mentee(12, consent=True, wished_competencies={"exam_preparation"}, ranking=(1,)),
    ]
    forms = ["teacher_teacher"]
    optimal = match(mentors, mentees, forms=forms)
    assert [(p.mentor_id, p.mentee_id) for p in optimal.pairs] == [(1, 12), (2, 11)]
    assert optimal.total == 8.0 and optimal.optimum is None and optimal.gap is None
    stable = match(mentors, mentees, forms=forms, method="stable")
    assert [(p.mentor_id, p.mentee_id) for p in stable.pairs] == [(1, 11), (2, 12)]
    assert (stable.total, stable.optimum, stable.gap, stable.gap_percent) == (4.0, 8.0, 4.0, 50.0)
    assert stable.report() == (
        "Способ подбора: устойчивые пары по предпочтениям\n"
        "Пар: 2, общая совместимость 4,00\n"
        "Наибольшая возможная совместимость 8,00: меньше на 4,00 (50,00 %)\n"
        "Неустойчивых пар нет"
    )
    assert optimal.report() == (
        "Способ подбора: наибольшая общая совместимость\nПар: 2, общая совместимость 8,00"
    )


# The school-to-school form: organisations are matched


def test_schools_are_matched_as_organisations_by_the_same_solver() -> None:
    strong = [
        Mentor(
            101,
            consent=True,
            kind=Kind.ORGANISATION,
            capacity=2,
            competencies={"exam_preparation", "teaching_methods"},
        ),
        Mentor(102, consent=True, kind=Kind.ORGANISATION, competencies={"projects"}),
        Mentor(7, consent=True, form="teacher_teacher", competencies={"projects"}),  # a person
    ]
    weak = [
        Mentee(201, consent=True, kind=Kind.ORGANISATION, request_topics={"exams"}),
        Mentee(202, consent=True, kind=Kind.ORGANISATION, request_topics={"lessons"}),
        Mentee(203, consent=True, kind=Kind.ORGANISATION, request_topics={"project"}),
        Mentee(101, consent=True, form="teacher_teacher", request_topics={"project"}),  # a person
    ]
    forms = ["образовательная организация – образовательная организация", "учитель – учитель"]
    result = match(strong, weak, forms=forms)
    assert [(p.mentor_id, p.mentee_id, p.score) for p in result.pairs] == [
        (7, 101, 3.0),  # person 101 is not organisation 101: a pair like any other
        (101, 201, 3.0),
        (101, 202, 3.0),
        (102, 203, 3.0),
    ]
    assert {p.code: p.explanation for p in result.pairs[1].breakdown}["mentee_age"] == (
        "не применяется: в паре организации"
    )
    with_person = explain(strong[2], weak[0], forms=forms)
    assert with_person.refusals == (
        "наставник участвует в форме «учитель – учитель», наставляемый — в форме "
        "«образовательная организация – образовательная организация»",
    )
    refused = match([Mentor(1, consent=True, form="school_school")], [], forms=forms).unmatched
    assert refused[0].reason == (
        "в форме «образовательная организация – образовательная организация» участвуют "
        "организации, а не люди"
    )


# The questionnaires' answers, as stored


def test_candidates_are_read_from_the_stored_answers_of_the_built_in_questionnaires() -> None:
    mentor_answers = validate(
        MENTOR_SURVEY,
        {
            "status": "Обучающийся",
            "place": "Школа № 1, 10А",
            "age": "16",
            "competencies": "exam_preparation; communication",
            "achievements": "Призёр олимпиады",
            "interests": "Математика; Спорт и здоровый образ жизни",
            "mentee_ages": "Обучающиеся 5–9 классов",
            "convenient_time": "В субботу",
            "capacity": "3",
        },
    )
    preferences = validate(MENTOR_PREFERENCES, {"preferred_mentees": "22; 21"}, candidates=[21, 22])
    mentor = Mentor.from_answers(
        1, mentor_answers, preferences, consent=True, psych_type=" холерик "
    )
    assert mentor == Mentor(
        1,
        consent=True,
        age=16,
        competencies={"exam_preparation", "communication"},
        interests={"mathematics", "sport"},
        mentee_ages={"middle"},
        times={"saturday"},
        capacity=3,
        ranking=(22, 21),
        psych_type="холерик",
    )
    mentee_answers = validate(
        MENTEE_SURVEY,
        {
            "status": "Педагог",
            "place": "Школа № 1, учитель физики",
            "age": "24",
            "teaching_experience": "2",
            "request": "Научиться держать дисциплину",
            "request_topics": "class_relations; lessons",
            "mentor_competencies": "classroom_management",
            "convenient_time": "В будни вечером",
        },
    )
    mentee = Mentee.from_answers(21, mentee_answers, None, consent=False, form="учитель – учитель")
    assert (mentee.age, mentee.status, mentee.teaching_experience, mentee.age_groups) == (
        24,
        "teacher",
        2,
        frozenset({"young_teachers"}),
    )
    assert mentee.request_topics == {"class_relations", "lessons"}
    assert mentee.wished_competencies == {"classroom_management"}
    assert (mentee.times, mentee.interests, mentee.ranking) == ({"weekday_evening"}, set(), ())
    assert (mentee.form, mentee.consent) == ("teacher_teacher", False)


def test_the_question_codes_read_are_those_of_the_catalogue() -> None:
    def codes(name: str) -> set[str]:
        return {question.code for question in CATALOGUE[name].questions}

    assert {
        fields.AGE,
        fields.INTERESTS,
        fields.TIMES,
        fields.STATUS,
        fields.TEACHING_EXPERIENCE,
        fields.REQUEST_TOPICS,
        fields.WISHED_COMPETENCIES,
    } <= codes("mentee_survey")
    assert {
        fields.AGE,
        fields.INTERESTS,
        fields.TIMES,
        fields.COMPETENCIES,
        fields.MENTEE_AGES_WANTED,
        fields.CAPACITY,
    } <= codes("mentor_survey")
    assert fields.PREFERRED_MENTORS in codes("mentee_preferences")
    assert fields.PREFERRED_MENTEES in codes("mentor_preferences")


@pytest.mark.parametrize(
    ("status", "age", "experience", "groups"),
    [
        ("student", 7, None, {"primary"}),
        ("student", 10, None, {"primary"}),
        ("student", 11, None, {"middle"}),
        ("student", 15, None, {"middle"}),
        ("student", 16, None, {"senior"}),
        ("student", 17, None, {"senior"}),
        ("student", 18, None, {"senior", "students"}),
        ("student", 19, None, {"students"}),
        (None, None, None, set()),
        ("teacher", 24, 3, {"young_teachers"}),
        ("teacher", 40, 4, {"teachers"}),
        ("teacher", 30, None, {"young_teachers", "teachers"}),
    ],
)
def test_a_mentees_age_group(
    status: str | None, age: int | None, experience: int | None, groups: set[str]
) -> None:
    assert age_groups_of(status, age, experience) == groups
