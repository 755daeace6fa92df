"""Message texts rendered from the real templates: every kind of message for every kind of stage
and every role, the wording a recipient relies on, and the layout of the plain text."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import jinja2
import pytest

from domain.roadmap import BY_CODE, STAGES, Role, StageDef, StageKind
from notifications.messages import (
    SUBJECT_WIDTH,
    MessageContext,
    MessageKind,
    RenderedMessage,
    days,
    render,
    shorten,
)

DUE = date(2026, 9, 8)
DUE_TEXT = "08.09.2026"
PROGRAM = "Наставничество педагогов 2026/2027"
ORG = "МБОУ «Средняя общеобразовательная школа № 5» г. Кирова"
CURATOR = "Мария Петровна Смирнова"

# The stage of each kind with the longest name: the hardest case for a subject line.
STAGE_OF_KIND: dict[StageKind, StageDef] = {
    kind: max((stage for stage in STAGES if stage.kind is kind), key=lambda stage: len(stage.name))
    for kind in StageKind
}

# What the curator is asked to do at each kind of stage (invitation, reminder, overdue notice).
CURATOR_TODO: dict[StageKind, str] = {
    StageKind.INFORMING: "Проведите информирование",
    StageKind.SURVEY: "соберите ответы",
    StageKind.DATABASE: "сформируйте базу",
    StageKind.DECISION: "Выберите формы наставничества",
    StageKind.ASSESSMENT: "Проведите оценку участников",
    StageKind.INTERVIEW: "Назначьте время собеседований",
    StageKind.TRAINING: "составьте расписание обучения наставников",
    StageKind.MEETING: "Организуйте встречу",
    StageKind.MATCHING: "сформируйте в системе наставнические пары",
    StageKind.ORDER: "передайте руководителю на подпись проект распоряжения (приказа)",
    StageKind.EVENT: "Подготовьте торжественное мероприятие",
    StageKind.MONITORING: "сформируйте отчёт о мониторинге",
    StageKind.CASES: "оформить итоги совместной работы в кейсы",
    StageKind.PUBLICATION: "Опубликуйте результаты программы",
}

# What the coordinator reads in an escalation: what the organisation still has to do.
COORDINATOR_TODO: dict[StageKind, str] = {
    StageKind.INFORMING: "Организации нужно провести информирование",
    StageKind.SURVEY: "Организации нужно провести анкетирование",
    StageKind.DATABASE: "Организации нужно сформировать базу участников",
    StageKind.DECISION: "Организации нужно выбрать формы наставничества",
    StageKind.ASSESSMENT: "Организации нужно оценить участников",
    StageKind.INTERVIEW: "Организации нужно провести собеседования",
    StageKind.TRAINING: "провести обучение наставников",
    StageKind.MEETING: "Организации нужно провести встречу",
    StageKind.MATCHING: "Организации нужно сформировать наставнические пары",
    StageKind.ORDER: "Организации нужно закрепить наставнические пары/группы распоряжением",
    StageKind.EVENT: "Организации нужно провести торжественное мероприятие",
    StageKind.MONITORING: "Организации нужно провести мониторинг качества",
    StageKind.CASES: "Организации нужно оформить итоги работы наставнических пар в кейсы",
    StageKind.PUBLICATION: "Организации нужно опубликовать результаты программы",
}


def message(
    kind: MessageKind,
    stage: StageDef,
    role: Role = Role.CURATOR,
    **changes: Any,
) -> RenderedMessage:
    values: dict[str, Any] = {
        "kind": kind,
        "recipient_name": "Ирина Сергеевна Орлова",
        "role": role,
        "program_title": PROGRAM,
        "org_name": ORG,
        "stage_number": stage.number,
        "stage_name": stage.name,
        "stage_kind": stage.kind,
        "due_date": DUE,
        "days_left": 3,
        "days_overdue": 7,
        "curator_name": CURATOR,
    }
    values.update(changes)
    return render(MessageContext(**values))


def todo_paragraph(rendered: RenderedMessage) -> str:
    """The third paragraph: after the greeting and the sentence naming the stage."""
    return rendered.body.split("\n\n")[2]


def assert_clean(rendered: RenderedMessage) -> None:
    """Plain text as a person sees it: no trailing spaces, no runs of blank lines."""
    body = rendered.body
    assert body == body.strip(), body
    assert "\n\n\n" not in body, body
    for line in body.splitlines():
        assert line == line.rstrip(), f"trailing whitespace in {line!r}"
        assert "  " not in line, f"double space in {line!r}"
    assert "\n" not in rendered.subject
    assert rendered.subject == rendered.subject.strip()
    assert "  " not in rendered.subject


# The notices of a stage; a consent request is about a person's data, a questionnaire's
# invitation about the questionnaire, a pair's notice about the pair.
STAGE_NOTICES = [
    kind
    for kind in MessageKind
    if kind not in (MessageKind.CONSENT_REQUEST, MessageKind.QUESTIONNAIRE, MessageKind.PAIR)
]


@pytest.mark.parametrize("stage_kind", list(StageKind))
@pytest.mark.parametrize("kind", STAGE_NOTICES)
def test_every_message_names_program_stage_date_and_task(
    kind: MessageKind, stage_kind: StageKind
) -> None:
    stage = STAGE_OF_KIND[stage_kind]
    role = Role.COORDINATOR if kind is MessageKind.ESCALATION else Role.CURATOR
    expected = (COORDINATOR_TODO if role is Role.COORDINATOR else CURATOR_TODO)[stage_kind]

    rendered = message(kind, stage, role)

    assert rendered.body.startswith("Здравствуйте, Ирина Сергеевна Орлова!\n\n")
    assert f"«{PROGRAM}»" in rendered.body
    assert f"№ {stage.number} «{stage.name}»" in rendered.body
    assert DUE_TEXT in rendered.body
    assert expected in todo_paragraph(rendered)
    assert f"№ {stage.number}" in rendered.subject or DUE_TEXT in rendered.subject
    assert_clean(rendered)


@pytest.mark.parametrize("stage_kind", list(StageKind))
@pytest.mark.parametrize("kind", STAGE_NOTICES)
def test_every_role_gets_a_clean_message(kind: MessageKind, stage_kind: StageKind) -> None:
    for role in Role:
        rendered = message(kind, STAGE_OF_KIND[stage_kind], role)
        assert todo_paragraph(rendered), f"{role}: nothing to do"
        assert_clean(rendered)


@pytest.mark.parametrize("role", list(Role))
def test_each_kind_of_stage_asks_something_of_its_own(role: Role) -> None:
    tasks = {
        todo_paragraph(message(MessageKind.INVITATION, stage, role))
        for stage in STAGE_OF_KIND.values()
    }
    assert len(tasks) == len(StageKind)


@pytest.mark.parametrize("kind", STAGE_NOTICES)
def test_subject_fits_a_line_for_every_stage(kind: MessageKind) -> None:
    long_org = "Муниципальное бюджетное общеобразовательное учреждение «Средняя школа № 5»"
    for stage in STAGES:
        occurrence = 12 if stage.recurrence else None
        rendered = message(kind, stage, org_name=long_org, occurrence=occurrence, days_overdue=111)
        assert len(rendered.subject) <= SUBJECT_WIDTH < 120, rendered.subject
        if kind is not MessageKind.ESCALATION:
            assert rendered.subject.endswith(DUE_TEXT)
            shown = re.search(r"«([^»]*?)…?»", rendered.subject)
            assert shown and stage.name.startswith(shown[1]), rendered.subject


def test_subjects_by_kind_of_message() -> None:
    stage = BY_CODE["train_mentors"]  # "Обучение наставников", short enough to stay whole
    subjects = {kind: message(kind, stage).subject for kind in STAGE_NOTICES}
    assert subjects == {
        MessageKind.INVITATION: f"Начался этап «Обучение наставников» — срок {DUE_TEXT}",
        MessageKind.REMINDER: f"Напоминание: «Обучение наставников» — срок {DUE_TEXT}",
        MessageKind.OVERDUE: f"Просрочен этап «Обучение наставников» — срок был {DUE_TEXT}",
        MessageKind.ESCALATION: f"Просрочка 7 дней: {ORG}, этап № 16",
    }


def test_long_stage_name_is_shortened_in_the_subject_but_whole_in_the_body() -> None:
    stage = BY_CODE["invite_ceremony"]
    rendered = message(MessageKind.REMINDER, stage)
    assert rendered.subject.startswith("Напоминание: «Приглашение на торжественное мероприятие")
    assert "…» — срок" in rendered.subject
    assert f"«{stage.name}»" in rendered.body


def test_mentee_survey_tells_who_consents_for_a_minor() -> None:
    rendered = message(MessageKind.INVITATION, BY_CODE["survey_mentees"], Role.MENTEE)
    task = todo_paragraph(rendered)
    assert task.startswith("Заполните анкету.")
    assert "согласие на обработку персональных данных" in task
    assert "нет 18 лет" in task
    assert "законный представитель" in task


def test_mentor_survey_asks_for_own_consent_only() -> None:
    task = todo_paragraph(message(MessageKind.INVITATION, BY_CODE["survey_mentors"], Role.MENTOR))
    assert task.startswith("Заполните анкету.")
    assert "согласие на обработку персональных данных" in task
    assert "законный представитель" not in task


def test_curator_survey_collects_answers_and_consents() -> None:
    task = todo_paragraph(message(MessageKind.INVITATION, BY_CODE["third_party_info"]))
    assert "соберите ответы" in task
    assert "согласия на обработку персональных данных" in task
    assert "от законных представителей" in task
    assert "напомните тем, кто ещё не ответил" in task


def test_director_signs_the_order_fixing_the_pairs() -> None:
    for kind in (MessageKind.INVITATION, MessageKind.REMINDER, MessageKind.OVERDUE):
        task = todo_paragraph(message(kind, BY_CODE["fix_pairs"], Role.DIRECTOR))
        assert task.startswith("Подпишите распоряжение (приказ) о закреплении")


def test_meeting_pair_meets_and_logs_it_curator_organises() -> None:
    stage = BY_CODE["first_meeting"]
    pair = todo_paragraph(message(MessageKind.INVITATION, stage, Role.PAIR))
    curator = todo_paragraph(message(MessageKind.INVITATION, stage, Role.CURATOR))
    mentee = todo_paragraph(message(MessageKind.INVITATION, stage, Role.MENTEE))
    assert pair.startswith("Проведите встречу наставника и наставляемого и отметьте её в системе")
    assert curator.startswith("Организуйте встречу")
    assert "Договоритесь с наставником" in mentee


def test_coordinator_escalation_names_school_stage_delay_and_curator() -> None:
    stage = BY_CODE["survey_mentors"]
    rendered = message(MessageKind.ESCALATION, stage, Role.COORDINATOR, days_overdue=5)
    assert rendered.subject == f"Просрочка 5 дней: {ORG}, этап № 10"
    first = rendered.body.split("\n\n")[1]
    assert first.startswith(f"{ORG}: просрочен этап № 10 «{stage.name}»")
    assert f"Срок был {DUE_TEXT}, просрочка — 5 дней." in first
    assert f"Куратор программы — {CURATOR}." in rendered.body
    assert "Рекомендуем связаться с куратором" in rendered.body


def test_escalation_without_a_curator_says_so() -> None:
    rendered = message(
        MessageKind.ESCALATION, BY_CODE["form_pairs"], Role.COORDINATOR, curator_name=None
    )
    assert "Куратор программы в системе не указан." in rendered.body
    assert "None" not in rendered.body
    assert_clean(rendered)


def test_participants_are_told_whom_to_ask_the_curator_is_not() -> None:
    stage = BY_CODE["trial_meeting"]
    question = f"Вопросы по программе можно задать куратору: {CURATOR}."
    assert question in message(MessageKind.REMINDER, stage, Role.MENTOR).body
    assert question not in message(MessageKind.REMINDER, stage, Role.CURATOR).body
    without = message(MessageKind.REMINDER, stage, Role.MENTOR, curator_name=None)
    assert "Вопросы по программе" not in without.body
    assert_clean(without)


def test_overdue_notice_tells_curator_how_to_close_or_move_the_stage() -> None:
    stage = BY_CODE["mentee_database"]
    curator = message(MessageKind.OVERDUE, stage, Role.CURATOR, days_overdue=1)
    mentor = message(MessageKind.OVERDUE, stage, Role.MENTOR, days_overdue=1)
    assert f"был {DUE_TEXT}, но этап пока не завершён. Просрочка — 1 день." in curator.body
    assert "перенесите его в дорожной карте программы" in curator.body
    assert "сообщите об этом куратору программы" in mentor.body


@pytest.mark.parametrize(
    ("count", "expected", "verb"),
    [
        (1, "1 день", "остался"),
        (2, "2 дня", "осталось"),
        (3, "3 дня", "осталось"),
        (4, "4 дня", "осталось"),
        (5, "5 дней", "осталось"),
        (11, "11 дней", "осталось"),
        (12, "12 дней", "осталось"),
        (14, "14 дней", "осталось"),
        (21, "21 день", "остался"),
        (22, "22 дня", "осталось"),
        (25, "25 дней", "осталось"),
        (101, "101 день", "остался"),
        (111, "111 дней", "осталось"),
    ],
)
def test_days_in_russian_plural_forms(count: int, expected: str, verb: str) -> None:
    assert days(count) == expected
    stage = BY_CODE["train_mentors"]
    reminder = message(MessageKind.REMINDER, stage, Role.MENTOR, days_left=count)
    overdue = message(MessageKind.OVERDUE, stage, Role.MENTOR, days_overdue=count)
    escalation = message(MessageKind.ESCALATION, stage, Role.COORDINATOR, days_overdue=count)
    assert f"— {DUE_TEXT}, {verb} {expected}." in reminder.body
    assert f"Просрочка — {expected}." in overdue.body
    assert f"просрочка — {expected}." in escalation.body
    assert escalation.subject.startswith(f"Просрочка {expected}: ")


def test_reminder_on_the_due_date_says_today() -> None:
    rendered = message(MessageKind.REMINDER, BY_CODE["train_mentors"], Role.MENTOR, days_left=0)
    assert f"— {DUE_TEXT}, то есть сегодня." in rendered.body
    assert "0 дней" not in rendered.body
    assert_clean(rendered)


def test_recurring_meeting_names_its_number() -> None:
    stage = BY_CODE["regular_meetings"]
    rendered = message(MessageKind.REMINDER, stage, Role.PAIR, occurrence=3, days_left=1)
    assert rendered.subject == (f"Напоминание: «{stage.name}», встреча № 3 — срок {DUE_TEXT}")
    assert f"№ 24 «{stage.name}» (встреча № 3) — {DUE_TEXT}, остался 1 день." in rendered.body


def test_recurring_feedback_names_its_number() -> None:
    stage = BY_CODE["collect_feedback"]
    for kind in STAGE_NOTICES:
        rendered = message(kind, stage, occurrence=2)
        assert "(сбор обратной связи № 2)" in rendered.body
        if kind is not MessageKind.ESCALATION:
            assert ", сбор обратной связи № 2 — срок" in rendered.subject


def test_a_single_stage_has_no_number_of_occurrence() -> None:
    rendered = message(MessageKind.INVITATION, BY_CODE["first_meeting"], Role.PAIR)
    assert "встреча №" not in rendered.body + rendered.subject
    assert "()" not in rendered.body


@pytest.mark.parametrize(
    ("kind", "missing"),
    [
        (MessageKind.REMINDER, "days_left"),
        (MessageKind.OVERDUE, "days_overdue"),
        (MessageKind.ESCALATION, "days_overdue"),
    ],
)
def test_a_missing_value_fails_loudly(kind: MessageKind, missing: str) -> None:
    absent: dict[str, Any] = {missing: None}
    with pytest.raises(jinja2.UndefinedError, match=missing):
        message(kind, BY_CODE["train_mentors"], Role.CURATOR, **absent)


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("Обучение наставников", 40, "Обучение наставников"),
        ("Анализ анкет групповой встречи и соединение", 30, "Анализ анкет групповой…"),
        ("Оценка участников, проведение второго этапа", 22, "Оценка участников…"),
        ("МБОУ «Средняя общеобразовательная школа № 5»", 30, "МБОУ «Средняя…»"),
    ],
)
def test_shorten_cuts_at_a_word_and_closes_quotes(text: str, width: int, expected: str) -> None:
    assert shorten(text, width) == expected
    assert len(shorten(text, width)) <= width


@pytest.mark.parametrize("about", [None, "Петя Иванов"], ids=["adult", "minor"])
def test_a_consent_request_asks_the_person_or_the_minors_representative(about: str | None) -> None:
    """The one message a participant without consent gets: what is asked, for which program,
    by when; for a minor it goes to a legal representative and names the child."""
    rendered = message(MessageKind.CONSENT_REQUEST, BY_CODE["survey_mentees"], Role.MENTEE,
                       about_name=about)  # fmt: skip
    assert rendered.subject.startswith("Согласие на обработку персональных данных")
    assert PROGRAM in rendered.subject and len(rendered.subject) <= SUBJECT_WIDTH
    assert f"«{PROGRAM}»" in rendered.body and DUE_TEXT in rendered.body
    assert "152-ФЗ" in rendered.body
    if about:
        assert (
            f"{about} приглашается" in rendered.body and "законного представителя" in rendered.body
        )
    else:
        assert "Вы приглашены" in rendered.body
    assert_clean(rendered)


def test_a_questionnaire_invitation_carries_its_title_deadline_and_personal_code() -> None:
    rendered = message(
        MessageKind.QUESTIONNAIRE,
        BY_CODE["survey_mentees"],
        Role.MENTEE,
        questionnaire_title="Анкета наставляемого",
        link_token="gAAAAA-code",
    )
    assert rendered.subject == f"Анкета «Анкета наставляемого» — до {DUE_TEXT}"
    assert "gAAAAA-code" in rendered.body and f"«{PROGRAM}»" in rendered.body
    assert_clean(rendered)


@pytest.mark.parametrize("personal_page", [True, False])
def test_a_questionnaire_invitation_points_to_the_personal_page_only_when_there_is_one(
    personal_page: bool,
) -> None:
    rendered = message(
        MessageKind.QUESTIONNAIRE,
        BY_CODE["survey_mentees"],
        Role.MENTEE,
        questionnaire_title="Анкета наставляемого",
        link_token="gAAAAA-code",
        personal_page=personal_page,
    )
    assert ("на вашей личной странице" in rendered.body) is personal_page
    assert "куратору программы вместе с личным кодом" in rendered.body
    assert_clean(rendered)


@pytest.mark.parametrize(
    ("role", "partners", "said"),
    [
        (Role.MENTEE, ("Орлова Анна Сергеевна (учитель математики)",),
         "Ваш наставник: Орлова Анна Сергеевна (учитель математики)."),
        (Role.MENTOR, ("Мальцев Игорь Олегович (7Б класс)",),
         "Ваш наставляемый: Мальцев Игорь Олегович (7Б класс)."),
        (Role.MENTOR, ("Мальцев Игорь Олегович", "Лебедева Ольга Викторовна"),
         "Ваши наставляемые:\n— Мальцев Игорь Олегович\n— Лебедева Ольга Викторовна\n"),
    ],
)  # fmt: skip
def test_a_fixed_pair_tells_each_participant_their_partner(
    role: Role, partners: tuple[str, ...], said: str
) -> None:
    rendered = message(MessageKind.PAIR, BY_CODE["fix_pairs"], role, partners=partners)
    assert said in rendered.body
    assert f"«{PROGRAM}»" in rendered.body and "закреплены приказом руководителя" in rendered.body
    assert rendered.subject == f"Наставническая пара: «{PROGRAM}»"
    assert f"куратору: {CURATOR}" in rendered.body
    assert_clean(rendered)


def test_a_pair_notice_without_partners_fails_loudly() -> None:
    with pytest.raises(jinja2.UndefinedError, match="partners"):
        message(MessageKind.PAIR, BY_CODE["fix_pairs"], Role.MENTEE)
