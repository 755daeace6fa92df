"""The built-in questionnaires, each tied to the roadmap stage that runs it.

The mentee's and the mentor's questionnaires (stages 5 and 10) carry what the mentee and mentor
databases of the target model (Р-145) hold besides a person's name and contacts, which the
people records keep: the mentee's key request, age and place of study or work; the mentor's
competencies, achievements, interests, the mentees' age wanted, the time that suits and how many
mentees they can take. The choices both answer share their codes (interests, competencies,
times), so that matching (stage 11) can compare the answers of the two sides code by code.

The assessments measure the same parameters, under the same codes, at entry (stages 9 and 13)
and at exit (stage 32): the program's influence is the difference. Satisfaction is rated 1 to
10, the overall rating under one code for mentees and mentors, from which the indicators
mentee_satisfaction and mentor_satisfaction are computed.

A program takes a copy of these when it is created (``Questionnaire.to_data``); editing a
questionnaire here changes new programs only.
"""

from __future__ import annotations

from decimal import Decimal

from domain import inputs
from domain.questionnaires import (
    DateQuestion,
    FreeText,
    MultipleChoice,
    Number,
    Option,
    Question,
    Questionnaire,
    Ranking,
    Scale,
    SingleChoice,
)
from domain.roadmap import Role


def _options(*pairs: tuple[str, str]) -> tuple[Option, ...]:
    return tuple(Option(code, label) for code, label in pairs)


YES_NO = _options(("yes", "Да"), ("no", "Нет"))
YES_NO_UNSURE = _options(("yes", "Да"), ("no", "Нет"), ("unsure", "Затрудняюсь ответить"))

INTERESTS = _options(
    ("it", "Информационные технологии и программирование"),
    ("engineering", "Техника и инженерное дело"),
    ("natural_sciences", "Естественные науки"),
    ("mathematics", "Математика"),
    ("humanities", "История, обществознание и право"),
    ("literature", "Литература и чтение"),
    ("languages", "Иностранные языки"),
    ("arts", "Музыка, театр и изобразительное искусство"),
    ("sport", "Спорт и здоровый образ жизни"),
    ("volunteering", "Волонтёрство и общественная деятельность"),
    ("business", "Предпринимательство и финансовая грамотность"),
    ("local_history", "Краеведение и туризм"),
    ("media", "Журналистика и медиа"),
    ("education", "Педагогика и психология"),
)

# What a mentor can give and what a mentee looks for in a mentor: one list for both sides.
COMPETENCIES = _options(
    ("subject_knowledge", "Глубокое знание учебного предмета"),
    ("exam_preparation", "Подготовка к экзаменам и олимпиадам"),
    ("projects", "Проектная и исследовательская деятельность"),
    ("career_guidance", "Профориентация и знание профессий"),
    ("work_experience", "Опыт работы на предприятии или в организации"),
    ("teaching_methods", "Методика преподавания"),
    ("classroom_management", "Дисциплина и атмосфера на уроке"),
    ("class_teacher", "Классное руководство и работа с родителями"),
    ("digital_skills", "Цифровые инструменты в учёбе и работе"),
    ("communication", "Общение и работа в команде"),
    ("leadership", "Лидерство и организация мероприятий"),
    ("support", "Умение выслушать и поддержать"),
    ("self_organisation", "Самоорганизация и планирование времени"),
    ("creativity", "Творческие способности"),
    ("sport_coaching", "Спортивная подготовка"),
)

REQUESTS = _options(
    ("academic_progress", "Повысить успеваемость"),
    ("exams", "Подготовиться к экзаменам или олимпиадам"),
    ("project", "Выполнить проект или исследование"),
    ("career_choice", "Определиться с будущей профессией"),
    ("adaptation", "Освоиться в новом коллективе"),
    ("confidence", "Стать увереннее в общении"),
    ("leadership", "Развить лидерские качества"),
    ("talents", "Развить творческие или спортивные способности"),
    ("profession_start", "Освоиться в профессии педагога"),
    ("lessons", "Научиться проводить уроки интереснее и эффективнее"),
    ("class_relations", "Наладить дисциплину и отношения с классом"),
    ("parents", "Наладить работу с родителями учеников"),
    ("other", "Другое (опишите в запросе)"),
)

TIMES = _options(
    ("weekday_before_lessons", "В будни до начала занятий"),
    ("weekday_after_lessons", "В будни после занятий"),
    ("weekday_evening", "В будни вечером"),
    ("saturday", "В субботу"),
    ("sunday", "В воскресенье"),
)

FORMATS = _options(
    ("in_person", "Очно"),
    ("online", "Дистанционно (онлайн)"),
    ("any", "Не важно"),
)

MENTEE_AGES = _options(
    ("primary", "Обучающиеся 1–4 классов"),
    ("middle", "Обучающиеся 5–9 классов"),
    ("senior", "Обучающиеся 10–11 классов"),
    ("students", "Студенты колледжей и вузов"),
    ("young_teachers", "Молодые педагоги (стаж до 3 лет)"),
    ("teachers", "Педагоги со стажем"),
)

SCALE_INTRO = (
    "Оцените каждое утверждение по шкале от 1 до 10, где 1 — «совсем не про меня», "
    "10 — «полностью про меня»."
)
SATISFACTION_INTRO = "Оцените по шкале от 1 до 10, где 1 — самая низкая оценка, 10 — самая высокая."


def _interests(required: bool = False) -> tuple[Question, ...]:
    return (
        MultipleChoice(
            "interests", "Ваши интересы и увлечения", options=INTERESTS, required=required
        ),
        FreeText(
            "interests_other",
            "Другие интересы, если их нет в списке",
            max_length=inputs.NAME,
            required=False,
        ),
    )


def _when() -> tuple[Question, ...]:
    return (
        MultipleChoice("convenient_time", "В какое время вам удобно встречаться?", options=TIMES),
        SingleChoice(
            "meeting_format", "Какой формат встреч вам удобнее?", options=FORMATS, required=False
        ),
    )


MENTEE_SURVEY = Questionnaire(
    "mentee_survey",
    "Анкета участника программы наставничества (наставляемого)",
    Role.MENTEE,
    "survey_mentees",
    (
        SingleChoice(
            "status",
            "Кто вы: обучающийся или педагог?",
            options=_options(("student", "Обучающийся"), ("teacher", "Педагог")),
        ),
        FreeText(
            "place",
            "Место учёбы или работы: образовательная организация и класс (для педагогов — "
            "должность)",
            max_length=inputs.NAME,
        ),
        Number("age", "Возраст, полных лет", low=6, high=80),
        Number(
            "teaching_experience",
            "Для педагогов: педагогический стаж, полных лет",
            low=0,
            high=60,
            required=False,
        ),
        FreeText(
            "request",
            "Ваш ключевой запрос: в чём вам нужна помощь наставника, чего вы хотите достичь?",
            multiline=True,
        ),
        MultipleChoice(
            "request_topics",
            "К каким темам относится ваш запрос? Выберите не больше трёх",
            options=REQUESTS,
            max_picks=3,
        ),
        *_interests(),
        MultipleChoice(
            "mentor_competencies",
            "Какие знания и умения наставника для вас важнее всего? Выберите не больше пяти",
            options=COMPETENCIES,
            max_picks=5,
        ),
        SingleChoice(
            "mentor_kind",
            "Кого вы хотели бы видеть своим наставником?",
            options=_options(
                ("teacher", "Педагога"),
                ("older_student", "Старшеклассника или студента"),
                ("professional", "Специалиста предприятия или организации"),
                ("any", "Не важно"),
            ),
            required=False,
        ),
        *_when(),
    ),
    intro=(
        "Анкета помогает подобрать вам наставника. Для несовершеннолетних участников анкета "
        "обрабатывается с согласия родителя (законного представителя)."
    ),
)

MENTOR_SURVEY = Questionnaire(
    "mentor_survey",
    "Анкета кандидата в наставники",
    Role.MENTOR,
    "survey_mentors",
    (
        SingleChoice(
            "status",
            "Кто вы?",
            options=_options(
                ("teacher", "Педагог"),
                ("student", "Обучающийся"),
                ("college_student", "Студент колледжа или вуза"),
                ("employer", "Представитель предприятия или организации"),
                ("graduate", "Выпускник образовательной организации"),
            ),
        ),
        FreeText(
            "place",
            "Место работы или учёбы: организация и должность (для обучающихся — класс)",
            max_length=inputs.NAME,
        ),
        Number("age", "Возраст, полных лет", low=14, high=90),
        Number("work_experience", "Стаж работы, полных лет", low=0, high=70, required=False),
        MultipleChoice(
            "competencies",
            "Ваши ключевые компетенции: в чём вы можете помочь наставляемому?",
            options=COMPETENCIES,
        ),
        FreeText(
            "competencies_other",
            "Другие компетенции, если их нет в списке",
            max_length=inputs.NAME,
            required=False,
        ),
        FreeText(
            "achievements",
            "Ваши достижения, важные для программы наставничества: награды, конкурсы, проекты, "
            "успехи ваших учеников",
            multiline=True,
        ),
        *_interests(),
        MultipleChoice(
            "mentee_ages",
            "С кем вы готовы работать как наставник?",
            options=MENTEE_AGES,
        ),
        *_when(),
        Number(
            "capacity",
            "Скольких наставляемых вы готовы вести одновременно? (1 — работа в паре, больше — "
            "в группе)",
            low=1,
            high=10,
        ),
        SingleChoice(
            "mentoring_experience",
            "Был ли у вас опыт наставничества?",
            options=YES_NO,
            required=False,
        ),
    ),
    intro="Анкета помогает подобрать вам наставляемых и сформировать базу наставников.",
)

# Entry and exit assessments rate the same statements under the same codes.
MENTEE_PARAMETERS: tuple[Question, ...] = (
    Scale("motivation", "Мне интересно учиться (для педагогов — работать), я делаю это с желанием"),
    Scale("goals", "Я умею ставить цели и планировать шаги к ним"),
    Scale("confidence", "Я чувствую уверенность в своих силах"),
    Scale("communication", "Мне легко общаться и работать в команде"),
    Scale("difficulties", "Я справляюсь с трудностями и знаю, к кому обратиться за помощью"),
    Scale("future", "Я представляю, как хочу развиваться дальше в учёбе или профессии"),
    Scale("results", "Меня устраивают мои результаты в учёбе или работе"),
    Number(
        "average_grade",
        "Для обучающихся: средний балл по итогам последней четверти (триместра)",
        integer=False,
        low=Decimal(2),
        high=Decimal(5),
        places=2,
        required=False,
    ),
)

MENTOR_PARAMETERS: tuple[Question, ...] = (
    Scale("role_confidence", "Я уверенно чувствую себя в роли наставника"),
    Scale("trust", "Мне удаётся выстраивать доверительные отношения с теми, кому я помогаю"),
    Scale("planning", "Я умею вместе с наставляемым ставить цели и планировать работу"),
    Scale("sharing", "Мне легко делиться опытом и объяснять"),
    Scale("feedback", "Я умею давать обратную связь так, чтобы она помогала"),
    Scale("job_satisfaction", "Моя работа (учёба) приносит мне удовлетворение"),
    Scale("growth", "Я стремлюсь развиваться профессионально и узнавать новое"),
)

CHANGES = FreeText(
    "changes",
    "Что изменилось для вас за время участия в программе?",
    multiline=True,
    required=False,
)

MENTEE_ENTRY = Questionnaire(
    "mentee_entry_assessment",
    "Входная оценка наставляемого",
    Role.MENTEE,
    "assess_mentees_entry",
    MENTEE_PARAMETERS,
    intro=SCALE_INTRO,
)

MENTOR_ENTRY = Questionnaire(
    "mentor_entry_assessment",
    "Входная оценка наставника",
    Role.MENTOR,
    "assess_mentors_entry",
    MENTOR_PARAMETERS,
    intro=SCALE_INTRO,
)

MENTEE_EXIT = Questionnaire(
    "mentee_exit_assessment",
    "Итоговая оценка наставляемого",
    Role.MENTEE,
    "assess_exit",
    (*MENTEE_PARAMETERS, CHANGES),
    intro=SCALE_INTRO,
)

MENTOR_EXIT = Questionnaire(
    "mentor_exit_assessment",
    "Итоговая оценка наставника",
    Role.MENTOR,
    "assess_exit",
    (*MENTOR_PARAMETERS, CHANGES),
    intro=SCALE_INTRO,
)

CHOICE_REASON = FreeText("reason", "Почему вы сделали такой выбор?", multiline=True, required=False)

MENTEE_PREFERENCES = Questionnaire(
    "mentee_preferences",
    "Анкета предпочтений наставляемого",
    Role.MENTEE,
    "preference_survey",
    (
        Ranking(
            "preferred_mentors",
            "Выберите не больше трёх наставников, с которыми вы познакомились на встрече, в "
            "порядке предпочтения: первым — того, с кем вам больше всего хочется работать",
            max_picks=3,
        ),
        CHOICE_REASON,
    ),
    intro="Заполняется после групповой встречи наставников и наставляемых.",
)

MENTOR_PREFERENCES = Questionnaire(
    "mentor_preferences",
    "Анкета предпочтений наставника",
    Role.MENTOR,
    "preference_survey",
    (
        Ranking(
            "preferred_mentees",
            "Выберите наставляемых, с которыми вы познакомились на встрече и готовы работать, "
            "в порядке предпочтения: первым — того, с кем вам больше всего хочется работать",
        ),
        CHOICE_REASON,
    ),
    intro="Заполняется после групповой встречи наставников и наставляемых.",
)

FEEDBACK = Questionnaire(
    "feedback",
    "Обратная связь участника программы наставничества",
    Role.PAIR,
    "collect_feedback",
    (
        Number(
            "meetings",
            "Сколько встреч с наставником (наставляемым) было за последние четыре недели?",
            low=0,
            high=31,
        ),
        DateQuestion("last_meeting", "Дата последней встречи", required=False),
        Scale("usefulness", "Насколько полезными были встречи за это время?"),
        SingleChoice(
            "progress",
            "Как продвигается работа по плану?",
            options=_options(
                ("on_track", "Идёт по плану"),
                ("behind", "Отстаёт от плана"),
                ("no_plan", "Плана пока нет"),
            ),
        ),
        MultipleChoice(
            "difficulties",
            "Какие трудности возникали?",
            options=_options(
                ("no_time", "Не хватает времени"),
                ("schedule", "Трудно согласовать расписание"),
                ("goals", "Нет общего понимания целей"),
                ("contact", "Сложно найти общий язык"),
                ("resources", "Не хватает материалов или места для встреч"),
                ("none", "Трудностей не было"),
            ),
            required=False,
        ),
        FreeText(
            "help_needed",
            "Какая помощь куратора вам нужна?",
            multiline=True,
            required=False,
        ),
    ),
    intro="Обратную связь собирают каждые четыре недели; она помогает куратору вовремя помочь.",
)

MENTEE_SATISFACTION = Questionnaire(
    "mentee_satisfaction",
    "Анкета удовлетворённости наставляемого",
    Role.MENTEE,
    "satisfaction_survey",
    (
        Scale("comfort", "Насколько комфортным было общение с наставником?"),
        Scale("usefulness", "Насколько полезными были встречи с наставником?"),
        Scale("support", "Насколько вы ощущали поддержку наставника?"),
        Scale("plan", "Насколько полезным оказался совместный план работы?"),
        Scale("expectations", "Насколько оправдались ваши ожидания от программы?"),
        Scale(
            "overall_satisfaction",
            "Насколько в целом вы удовлетворены участием в программе наставничества?",
        ),
        SingleChoice(
            "continue",
            "Хотели бы вы продолжить работу с наставником?",
            options=YES_NO_UNSURE,
        ),
        SingleChoice(
            "become_mentor",
            "Хотели бы вы в будущем сами стать наставником?",
            options=YES_NO_UNSURE,
            required=False,
        ),
        FreeText("most_useful", "Что было для вас самым полезным?", multiline=True, required=False),
        FreeText("suggestions", "Что стоит изменить в программе?", multiline=True, required=False),
    ),
    intro=SATISFACTION_INTRO,
)

MENTOR_SATISFACTION = Questionnaire(
    "mentor_satisfaction",
    "Анкета удовлетворённости наставника",
    Role.MENTOR,
    "satisfaction_survey",
    (
        Scale("comfort", "Насколько комфортным было общение с наставляемым?"),
        Scale("goals_reached", "Насколько удалось достичь целей, поставленных с наставляемым?"),
        Scale("training", "Насколько полезным было обучение наставников?"),
        Scale("curator_support", "Насколько вы ощущали поддержку куратора программы?"),
        Scale("expectations", "Насколько оправдались ваши ожидания от программы?"),
        Scale(
            "overall_satisfaction",
            "Насколько в целом вы удовлетворены участием в программе наставничества?",
        ),
        SingleChoice(
            "continue",
            "Готовы ли вы снова стать наставником в следующей программе?",
            options=YES_NO_UNSURE,
        ),
        FreeText("suggestions", "Что стоит изменить в программе?", multiline=True, required=False),
    ),
    intro=SATISFACTION_INTRO,
)

# In the roadmap's order of stages.
CATALOGUE: dict[str, Questionnaire] = {
    questionnaire.code: questionnaire
    for questionnaire in (
        MENTEE_SURVEY,
        MENTEE_ENTRY,
        MENTOR_SURVEY,
        MENTOR_ENTRY,
        MENTEE_PREFERENCES,
        MENTOR_PREFERENCES,
        FEEDBACK,
        MENTEE_SATISFACTION,
        MENTOR_SATISFACTION,
        MENTEE_EXIT,
        MENTOR_EXIT,
    )
}


def for_stage(stage_code: str) -> list[Questionnaire]:
    """The built-in questionnaires a stage runs; none for a stage that runs none (or that a
    program added itself)."""
    return [
        questionnaire for questionnaire in CATALOGUE.values() if questionnaire.stage == stage_code
    ]
