"""The roadmap catalogue: the 34 stages of a mentoring program as data.

Numbers, names, phases and default timing are the table of docs/reference/roadmap.md, which
the tests compare with this one row by row. The names are the wording of the sample form
«Примерная форма дорожной карты внедрения целевой модели наставничества в образовательном
учреждении», which follows the target model (распоряжение Минпросвещения России от 25.12.2019
№ Р-145). The prerequisites are ours, from the roadmap's logic: a stage may start only when
each stage it names is done or skipped. One engine walks this table; nothing else in the code
knows a stage by its code.

The catalogue is versioned. A program takes a copy of the current version when it is created
(its Stage rows carry number, code, kind, week, audience and prerequisites), and from then on
reads only its copy: a later version (a stage renamed, added or removed) affects new programs
only. A version, once released, is never edited: change the table by adding a version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from domain import inputs
from domain.errors import InvalidInput


class StageKind(StrEnum):
    """What a stage does; each kind is run by its own Prefect flow."""

    INFORMING = "informing"
    SURVEY = "survey"
    DATABASE = "database"
    DECISION = "decision"
    ASSESSMENT = "assessment"
    INTERVIEW = "interview"
    TRAINING = "training"
    MEETING = "meeting"
    MATCHING = "matching"
    ORDER = "order"
    EVENT = "event"
    MONITORING = "monitoring"
    CASES = "cases"
    PUBLICATION = "publication"


class Role(StrEnum):
    """Who answers for a stage; ``pair`` is the mentors and mentees together."""

    CURATOR = "curator"
    DIRECTOR = "director"
    MENTOR = "mentor"
    MENTEE = "mentee"
    PAIR = "pair"
    PSYCHOLOGIST = "psychologist"
    COORDINATOR = "coordinator"  # of a municipality: hears when a school's stage is long overdue


ROLE_LABELS: dict[Role, str] = {
    Role.CURATOR: "куратор",
    Role.DIRECTOR: "руководитель ОО",
    Role.MENTOR: "наставник",
    Role.MENTEE: "наставляемый",
    Role.PAIR: "пара",
    Role.PSYCHOLOGIST: "психолог",
    Role.COORDINATOR: "муниципальный координатор",
}

PHASES: dict[int, str] = {
    1: "Подготовка условий для запуска программы наставничества",
    2: "Формирование базы наставляемых",
    3: "Формирование базы наставников",
    4: "Отбор и обучение наставников",
    5: "Формирование наставнических пар / групп",
    6: "Организация работы наставнических пар / групп",
    7: "Завершение наставничества",
}


@dataclass(frozen=True)
class Recurrence:
    """A recurring stage happens every ``every_weeks`` from ``first_week`` to its stage's week."""

    first_week: int
    every_weeks: int


@dataclass(frozen=True)
class StageDef:
    number: int
    code: str
    phase: int
    kind: StageKind
    week: int
    who: tuple[Role, ...]
    title: str  # short, for tables; ours
    name: str  # the roadmap form's wording
    requires: tuple[str, ...] = ()
    recurrence: Recurrence | None = None


C, D, P, Y = Role.CURATOR, Role.DIRECTOR, Role.PAIR, Role.PSYCHOLOGIST
K = StageKind

# fmt: off
STAGES: tuple[StageDef, ...] = (
    StageDef(1, "inform_teachers", 1, K.INFORMING, 1, (C,), "Информирование педагогов",
             "Информирование педагогического сообщества образовательной организации о "
             "реализации программы наставничества"),
    StageDef(2, "inform_parents", 1, K.INFORMING, 2, (C,), "Информирование родителей",
             "Информирование родительского сообщества о планируемой реализации программы "
             "наставничества"),
    StageDef(3, "inform_partners", 1, K.INFORMING, 2, (C,),
             "Встреча с выпускниками и партнёрами",
             "Встреча с сообществом выпускников и/или представителями региональных организаций "
             "и предприятий с целью информирования о реализации программы наставничества"),
    StageDef(4, "inform_students", 1, K.INFORMING, 2, (C,), "Встреча с обучающимися",
             "Встреча с обучающимися образовательной организации с информированием о "
             "реализуемой программе наставничества"),
    StageDef(5, "survey_mentees", 2, K.SURVEY, 3, (C,),
             "Анкетирование наставляемых, согласия",
             "Проведение анкетирования среди обучающихся/педагогов, желающих принять участие в "
             "программе наставничества. Сбор согласий на сбор и обработку персональных данных "
             "от совершеннолетних участников программы",
             requires=("inform_teachers", "inform_parents", "inform_students")),
    StageDef(6, "third_party_info", 2, K.SURVEY, 4, (C,),
             "Сведения от третьих лиц, согласия представителей",
             "Сбор дополнительной информации о запросах наставляемых (обучающиеся/педагоги) от "
             "третьих лиц: классный руководитель, психолог, соцработник, родители. Сбор "
             "согласий на сбор и обработку персональных данных от законных представителей "
             "несовершеннолетних участников",
             requires=("survey_mentees",)),
    StageDef(7, "mentee_database", 2, K.DATABASE, 5, (C,), "База наставляемых",
             "Анализ полученных от наставляемых и третьих лиц данных. Формирование базы "
             "наставляемых",
             requires=("survey_mentees", "third_party_info")),
    StageDef(8, "choose_forms", 2, K.DECISION, 5, (C,), "Выбор форм наставничества",
             "Выбор форм наставничества, реализуемых в рамках текущей программы наставничества",
             requires=("mentee_database",)),
    StageDef(9, "assess_mentees_entry", 2, K.ASSESSMENT, 6, (C,),
             "Входная оценка наставляемых",
             "Оценка участников-наставляемых по заданным параметрам, необходимым для будущего "
             "сравнения и мониторинга влияния программ на всех участников",
             requires=("mentee_database",)),
    StageDef(10, "survey_mentors", 3, K.SURVEY, 6, (C,), "Анкетирование наставников, согласия",
             "Проведение анкетирования среди потенциальных наставников, желающих принять "
             "участие в программе наставничества. Сбор согласий на сбор и обработку "
             "персональных данных",
             requires=("inform_teachers", "inform_partners", "choose_forms")),
    StageDef(11, "match_questionnaires", 3, K.DATABASE, 7, (C,), "Сопоставление анкет",
             "Анализ заполненных анкет потенциальных наставников и сопоставление данных с "
             "анкетами наставляемых",
             requires=("mentee_database", "survey_mentors")),
    StageDef(12, "mentor_database", 3, K.DATABASE, 7, (C,), "База наставников",
             "Формирование базы наставников",
             requires=("survey_mentors", "match_questionnaires")),
    StageDef(13, "assess_mentors_entry", 3, K.ASSESSMENT, 8, (C,), "Входная оценка наставников",
             "Оценка участников-наставников по заданным параметрам, необходимым для будущего "
             "сравнения и мониторинга влияния программ на всех участников",
             requires=("mentor_database",)),
    StageDef(14, "interview_mentors", 3, K.INTERVIEW, 8, (C, Y), "Собеседование с наставниками",
             "Проведение собеседования с наставниками (в некоторых случаях с привлечением "
             "психолога)",
             requires=("mentor_database",)),
    StageDef(15, "find_trainers", 4, K.TRAINING, 9, (C,), "Поиск экспертов и материалов",
             "Поиск экспертов и материалов для проведения обучения наставников",
             requires=("choose_forms",)),
    StageDef(16, "train_mentors", 4, K.TRAINING, 10, (C,), "Обучение наставников",
             "Обучение наставников",
             requires=("interview_mentors", "find_trainers")),
    StageDef(17, "group_meeting", 5, K.MEETING, 11, (C,), "Групповая встреча",
             "Организация групповой встречи наставников и наставляемых",
             requires=("mentee_database", "train_mentors")),
    StageDef(18, "preference_survey", 5, K.SURVEY, 11, (C,), "Анкета предпочтений",
             "Проведение анкетирования на предмет предпочитаемого наставника/наставляемого "
             "после завершения групповой встречи",
             requires=("group_meeting",)),
    StageDef(19, "form_pairs", 5, K.MATCHING, 12, (C,), "Формирование пар",
             "Анализ анкет групповой встречи и соединение наставников и наставляемых в пары",
             requires=("mentee_database", "mentor_database", "preference_survey")),
    StageDef(20, "fix_pairs", 5, K.ORDER, 12, (C, D), "Закрепление пар приказом",
             "Информирование участников о сложившихся парах/группах. Закрепление пар/групп "
             "распоряжением руководителя образовательной организации",
             requires=("form_pairs",)),
    StageDef(21, "first_meeting", 6, K.MEETING, 13, (P,), "Первая встреча",
             "Проведение первой, организационной, встречи наставника и наставляемого",
             requires=("fix_pairs", "assess_mentees_entry", "assess_mentors_entry")),
    StageDef(22, "trial_meeting", 6, K.MEETING, 14, (P,), "Пробная встреча",
             "Проведение второй, пробной рабочей, встречи наставника и наставляемого",
             requires=("first_meeting",)),
    StageDef(23, "planning_meeting", 6, K.MEETING, 15, (P,), "Встреча-планирование",
             "Проведение встречи-планирования рабочего процесса в рамках программы "
             "наставничества с наставником и наставляемым",
             requires=("trial_meeting",)),
    StageDef(24, "regular_meetings", 6, K.MEETING, 32, (P,), "Регулярные встречи",
             "Регулярные встречи наставника и наставляемого",
             requires=("planning_meeting",), recurrence=Recurrence(16, 2)),
    StageDef(25, "collect_feedback", 6, K.SURVEY, 32, (C,), "Сбор обратной связи",
             "Сроки сбора обратной связи от участников программы наставничества",
             requires=("first_meeting",), recurrence=Recurrence(16, 4)),
    StageDef(26, "final_pair_meeting", 7, K.MEETING, 33, (P,), "Заключительная встреча пары",
             "Проведение заключительной встречи наставника и наставляемого",
             requires=("regular_meetings",)),
    StageDef(27, "final_group_meeting", 7, K.MEETING, 34, (C,), "Общая заключительная встреча",
             "Проведение групповой заключительной встречи всех пар и групп наставников и "
             "наставляемых",
             requires=("final_pair_meeting",)),
    StageDef(28, "satisfaction_survey", 7, K.SURVEY, 34, (C,), "Анкета удовлетворённости",
             "Анкетирование участников. Проведение мониторинга личной удовлетворенности "
             "участием в программе наставничества",
             requires=("collect_feedback", "final_pair_meeting")),
    StageDef(29, "invite_ceremony", 7, K.INFORMING, 34, (C,), "Приглашение на торжество",
             "Приглашение на торжественное мероприятие всех участников программы "
             "наставничества, их родных, представителей организаций-партнеров, представителей "
             "администрации муниципалитета, представителей иных образовательных организаций и "
             "некоммерческих организаций",
             requires=("fix_pairs",)),
    StageDef(30, "ceremony", 7, K.EVENT, 35, (C, D), "Торжественное мероприятие",
             "Проведение торжественного мероприятия для подведения итогов программы "
             "наставничества и награждения лучших наставников",
             requires=("final_group_meeting", "invite_ceremony")),
    StageDef(31, "quality_monitoring", 7, K.MONITORING, 35, (C,), "Мониторинг качества",
             "Проведение мониторинга качества реализации программы наставничества",
             requires=("collect_feedback", "satisfaction_survey")),
    StageDef(32, "assess_exit", 7, K.ASSESSMENT, 36, (C,), "Итоговая оценка участников",
             "Оценка участников по заданным параметрам, проведение второго, заключающего этапа "
             "мониторинга влияния программ на всех участников",
             requires=("final_pair_meeting", "assess_mentees_entry", "assess_mentors_entry")),
    StageDef(33, "write_cases", 7, K.CASES, 36, (C, P), "Оформление кейсов",
             "Оформление итогов и процессов совместной работы в рамках программы наставничества "
             "в кейсы",
             requires=("final_pair_meeting",)),
    StageDef(34, "publish_results", 7, K.PUBLICATION, 37, (C,), "Публикация результатов",
             "Публикация результатов программы наставничества, лучших наставников, кейсов на "
             "сайтах образовательной организации и организаций-партнеров. Внесение данных об "
             "итогах реализации программы наставничества в базу наставников и базу наставляемых",
             requires=("ceremony", "quality_monitoring", "assess_exit", "write_cases")),
)
# fmt: on

# Every released version of the catalogue, by number; new programs take CURRENT_VERSION.
CATALOGUES: dict[int, tuple[StageDef, ...]] = {1: STAGES}
CURRENT_VERSION = 1

BY_CODE: dict[str, StageDef] = {stage.code: stage for stage in STAGES}


def current_catalogue() -> tuple[int, tuple[StageDef, ...]]:
    """The version new programs take, and its stages."""
    return CURRENT_VERSION, CATALOGUES[CURRENT_VERSION]


def find_stage(stages: Sequence[StageDef], code_or_number: str) -> StageDef:
    """The stage of a program's roadmap a person named by its code (``form_pairs``) or its
    number (``19``)."""
    text = code_or_number.strip()
    for stage in stages:
        if text == stage.code or (text.isascii() and text.isdigit() and int(text) == stage.number):
            return stage
    numbers = sorted(stage.number for stage in stages)
    span = f"от {numbers[0]} до {numbers[-1]}" if numbers else "—"
    raise InvalidInput(
        f"В программе нет этапа «{inputs.shown(code_or_number)}»: укажите номер ({span}) или "
        "код этапа (например, inform_teachers, form_pairs); список — nastavnik program show"
    )
