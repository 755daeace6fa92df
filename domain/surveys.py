"""A program's questionnaires and the answers to them.

A survey stage takes its program's own copy of the built-in questionnaires for the stage
(domain/questionnaire_catalogue.py) the first time it starts, opens them to their audience, and
closes them when it completes, recording the response rate. The audience is the program's people
of the questionnaire's role who may be processed (domain/consents.py): nobody else is asked, and
no answer of anybody else is taken. Answers are validated against the program's copy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from domain import consents, inputs
from domain.errors import InvalidInput, NotFound, TransitionRefused
from domain.models import Person, ProgramQuestionnaire, ProgramRole, Stage, SurveyResponse
from domain.programs import program_timezone
from domain.questionnaire_catalogue import CATALOGUE, for_stage
from domain.questionnaires import (
    Questionnaire,
    Ranking,
    question_from_data,
    validate,
    with_question,
)
from domain.roadmap import Role
from domain.schedule import local_today
from domain.survey_links import read_token

# Who answers a questionnaire of a role: "pair" is mentors and mentees.
_ROLES = {Role.PAIR: (Role.MENTOR, Role.MENTEE)}
# A ranking names people of the other side: a mentee ranks mentors, a mentor mentees.
_OTHER_SIDE = {Role.MENTEE: Role.MENTOR, Role.MENTOR: Role.MENTEE}


class Source:
    LINK = "link"  # the person, through their personal link
    IMPORT = "import"  # a spreadsheet the curator imported
    CURATOR = "curator"  # typed in by the curator


def questionnaire_of(row: ProgramQuestionnaire) -> Questionnaire:
    return Questionnaire.from_data(row.data)


def program_questionnaires(
    db: Session, program_id: int, stage_id: int | None = None
) -> list[ProgramQuestionnaire]:
    query = select(ProgramQuestionnaire).where(ProgramQuestionnaire.program_id == program_id)
    if stage_id is not None:
        query = query.where(ProgramQuestionnaire.stage_id == stage_id)
    return list(db.exec(query.order_by(col(ProgramQuestionnaire.id))).all())


def find_questionnaire(db: Session, program_id: int, code: str) -> ProgramQuestionnaire:
    row = db.exec(
        select(ProgramQuestionnaire).where(
            ProgramQuestionnaire.program_id == program_id,
            ProgramQuestionnaire.code == code.strip(),
        )
    ).first()
    if row is None:
        known = ", ".join(q.code for q in program_questionnaires(db, program_id)) or "пока нет"
        raise NotFound(
            f"В программе №{program_id} нет анкеты «{inputs.shown(code)}»; есть: {known}. "
            "Анкета появляется, когда начинается её этап"
        )
    return row


def open_for_stage(db: Session, stage: Stage, now: datetime) -> list[ProgramQuestionnaire]:
    """The stage's questionnaires, copied for the program the first time and opened."""
    assert stage.id is not None
    rows = program_questionnaires(db, stage.program_id, stage.id)
    have = {row.code for row in rows}
    for questionnaire in for_stage(stage.code):
        if questionnaire.code not in have:
            row = ProgramQuestionnaire(
                program_id=stage.program_id,
                stage_id=stage.id,
                code=questionnaire.code,
                data=questionnaire.to_data(),
            )
            db.add(row)
            rows.append(row)
    for row in rows:
        row.opened_at, row.closed_at = now, None
        db.add(row)
    db.flush()
    return rows


def close_for_stage(db: Session, stage: Stage, now: datetime, day: date) -> None:
    """Close the stage's questionnaires, recording who was asked and who answered."""
    assert stage.id is not None
    for row in program_questionnaires(db, stage.program_id, stage.id):
        progress = survey_progress(db, row, day)
        row.closed_at = now
        row.expected, row.answered = progress.expected, progress.answered
        db.add(row)
    db.flush()


def roles_of(questionnaire: Questionnaire) -> tuple[Role, ...]:
    return _ROLES.get(questionnaire.role, (questionnaire.role,))


def _people_of(db: Session, program_id: int, roles: Sequence[Role]) -> list[Person]:
    query = (
        select(Person)
        .join(ProgramRole, col(ProgramRole.person_id) == col(Person.id))
        .where(
            ProgramRole.program_id == program_id,
            col(ProgramRole.role).in_([role.value for role in roles]),
        )
        .order_by(col(Person.id))
    )
    unique: dict[int | None, Person] = {}
    for person in db.exec(query).all():
        unique.setdefault(person.id, person)  # a person in both roles of a "pair" once
    return list(unique.values())


def audience(db: Session, row: ProgramQuestionnaire, day: date) -> list[Person]:
    """Who is asked: the program's people of the questionnaire's role whose data may be
    processed on ``day``."""
    people = _people_of(db, row.program_id, roles_of(questionnaire_of(row)))
    allowed = consents.allowed(db, [p.id for p in people if p.id is not None], day)
    return [p for p in people if p.id in allowed]


def respondents(db: Session, questionnaire_id: int) -> set[int]:
    query = select(SurveyResponse.person_id).where(
        SurveyResponse.questionnaire_id == questionnaire_id
    )
    return set(db.exec(query).all())


@dataclass(frozen=True)
class SurveyProgress:
    code: str
    title: str
    is_open: bool
    expected: int
    answered: int
    rate: float  # answered / expected, 0 when nobody is asked
    waiting: list[int]  # the ids of those asked who have not answered


def survey_progress(db: Session, row: ProgramQuestionnaire, day: date) -> SurveyProgress:
    assert row.id is not None
    asked = [p.id for p in audience(db, row, day) if p.id is not None]
    done = respondents(db, row.id)
    answered = sum(1 for pid in asked if pid in done)
    return SurveyProgress(
        code=row.code,
        title=questionnaire_of(row).title,
        is_open=row.opened_at is not None and row.closed_at is None,
        expected=len(asked),
        answered=answered,
        rate=round(answered / len(asked), 3) if asked else 0.0,
        waiting=[pid for pid in asked if pid not in done],
    )


def record_answers(
    db: Session,
    row: ProgramQuestionnaire,
    person_id: int,
    answers: dict[str, object],
    *,
    source: str,
    now: datetime,
    day: date,
) -> SurveyResponse:
    """Take a person's answers: only while the questionnaire is open, only from its audience
    (who may be processed), validated against the program's copy; answering again replaces
    the earlier answers."""
    [response] = record_many(db, row, {person_id: answers}, source=source, now=now, day=day)
    return response


def record_many(
    db: Session,
    row: ProgramQuestionnaire,
    answers: Mapping[int, Mapping[str, object]],
    *,
    source: str,
    now: datetime,
    day: date,
) -> list[SurveyResponse]:
    """``record_answers`` for many people at once (an import): the program's people, their
    consents and the earlier answers read once, whatever the number of people."""
    assert row.id is not None
    questionnaire = questionnaire_of(row)
    if row.opened_at is None or row.closed_at is not None:
        raise TransitionRefused(
            f"Анкета «{questionnaire.title}» {'закрыта' if row.closed_at else 'ещё не открыта'}: "
            "ответы принимаются, пока идёт её этап"
        )
    members = {p.id for p in _people_of(db, row.program_id, roles_of(questionnaire))}
    for person_id in answers:
        if person_id not in members:
            person = db.get(Person, inputs.identifier(person_id, "человека"))
            if person is None:
                raise NotFound(
                    f"Человек с номером {person_id} не найден (список: nastavnik person list)"
                )
            raise InvalidInput(
                f"{person.name} (№{person_id}) не участвует в программе в роли, которой "
                f"адресована анкета «{questionnaire.title}»"
            )
    consents.require_processing(db, answers, day, f"анкета «{questionnaire.title}»")
    ranks = any(isinstance(question, Ranking) for question in questionnaire.questions)
    candidates = ranking_candidates(db, row.program_id) if ranks else {}
    stored = {
        response.person_id: response
        for response in db.exec(
            select(SurveyResponse).where(SurveyResponse.questionnaire_id == row.id)
        ).all()
    }
    responses = []
    for person_id, given in answers.items():
        normalised = validate(questionnaire, given, candidates=candidates.get(person_id, []))
        response = stored.get(person_id) or SurveyResponse(
            questionnaire_id=row.id, person_id=person_id, answers={}, submitted_at=now,
            source=source,
        )  # fmt: skip
        response.answers, response.submitted_at, response.source = normalised, now, source
        db.add(response)
        responses.append(response)
    db.flush()
    return responses


def ranking_candidates(db: Session, program_id: int) -> dict[int, list[int]]:
    """For rankings: whom each participant may rank, the program's people of the other side
    (a mentee ranks mentors, a mentor mentees)."""
    side: dict[Role, list[int]] = {Role.MENTOR: [], Role.MENTEE: []}
    roles: dict[int, list[Role]] = {}
    query = select(ProgramRole).where(
        ProgramRole.program_id == program_id,
        col(ProgramRole.role).in_([Role.MENTOR.value, Role.MENTEE.value]),
    )
    for link in db.exec(query.order_by(col(ProgramRole.person_id))).all():
        side[Role(link.role)].append(link.person_id)
        roles.setdefault(link.person_id, []).append(Role(link.role))
    return {
        person_id: [other for role in own for other in side[_OTHER_SIDE[role]]]
        for person_id, own in roles.items()
    }


def answers_of(db: Session, program_id: int, code: str) -> dict[int, dict[str, object]]:
    """Every answer to one of a program's questionnaires, by person."""
    row = find_questionnaire(db, program_id, code)
    query = select(SurveyResponse).where(SurveyResponse.questionnaire_id == row.id)
    return {r.person_id: dict(r.answers) for r in db.exec(query).all()}


def answer_by_link(
    db: Session, token: str, answers: dict[str, object], *, now: datetime
) -> tuple[ProgramQuestionnaire, SurveyResponse]:
    """A person's answers given with their personal link (domain/survey_links.py)."""
    questionnaire_id, person_id = read_token(token)
    row = db.get(ProgramQuestionnaire, questionnaire_id)
    if row is None:
        raise NotFound("Анкета по этой ссылке больше не существует")
    day = local_today(now, program_timezone(db, row.program_id))
    return row, record_answers(db, row, person_id, answers, source=Source.LINK, now=now, day=day)


def open_stages_of(db: Session, person_id: int) -> list[int]:
    """The stages whose questionnaires are open in the programs a person takes part in."""
    programs = db.exec(select(ProgramRole.program_id).where(ProgramRole.person_id == person_id))
    query = select(ProgramQuestionnaire.stage_id).where(
        col(ProgramQuestionnaire.program_id).in_(set(programs.all())),
        col(ProgramQuestionnaire.opened_at).is_not(None),
        col(ProgramQuestionnaire.closed_at).is_(None),
    )
    return sorted(set(db.exec(query).all()))


# A participant's own questionnaires, as their personal page opens them (app/web).

_NOT_YOURS = (
    "Анкета не найдена: её нет или она адресована не вам. Откройте свою страницу по ссылке "
    "из последнего письма — там перечислены ваши анкеты"
)


@dataclass(frozen=True)
class OpenQuestionnaire:
    """One questionnaire a person is asked to answer now, and what they answered so far."""

    row: ProgramQuestionnaire
    questionnaire: Questionnaire
    stage: Stage
    day: date  # today in the program's organisation
    response: SurveyResponse | None


def open_questionnaires_for(db: Session, person_id: int, now: datetime) -> list[OpenQuestionnaire]:
    """The open questionnaires whose audience the person is in (``audience`` seen from one
    person): of their programs, addressed to one of their roles there, while their data may
    be processed. By the stage's deadline, then as the program opened them."""
    roles: dict[int, set[str]] = {}
    for program_id, role in db.exec(
        select(ProgramRole.program_id, ProgramRole.role).where(ProgramRole.person_id == person_id)
    ).all():
        roles.setdefault(program_id, set()).add(role)
    if not roles:
        return []
    query = select(ProgramQuestionnaire).where(
        col(ProgramQuestionnaire.program_id).in_(roles),
        col(ProgramQuestionnaire.opened_at).is_not(None),
        col(ProgramQuestionnaire.closed_at).is_(None),
    )
    found = []
    days: dict[int, date] = {}  # today in each program's zone
    processed: dict[date, bool] = {}  # whether the person's data may be processed that day
    for row in db.exec(query.order_by(col(ProgramQuestionnaire.id))).all():
        questionnaire = questionnaire_of(row)
        if not {role.value for role in roles_of(questionnaire)} & roles[row.program_id]:
            continue
        if row.program_id not in days:
            days[row.program_id] = local_today(now, program_timezone(db, row.program_id))
        day = days[row.program_id]
        if day not in processed:
            processed[day] = consents.may_process(db, person_id, day)
        if not processed[day]:
            continue
        stage = db.get(Stage, row.stage_id)
        assert stage is not None and row.id is not None
        response = response_of(db, row.id, person_id)
        found.append(OpenQuestionnaire(row, questionnaire, stage, day, response))
    return sorted(found, key=lambda q: (q.stage.due_date, q.stage.number))


def answered_on(db: Session, opened: OpenQuestionnaire) -> date | None:
    """The day of the person's last answers, in the program's organisation; None: none yet."""
    if opened.response is None:
        return None
    return local_today(opened.response.submitted_at, program_timezone(db, opened.row.program_id))


def questionnaire_for(
    db: Session, questionnaire_id: int, person_id: int, now: datetime
) -> OpenQuestionnaire:
    """One questionnaire as its respondent opens it. Refused as not found, in the same words,
    when it does not exist or is not addressed to one of the person's roles in its program (a
    link tells nothing of other people's questionnaires); refused by the rules when the
    person's data may not be processed or the questionnaire is not open."""
    row = db.get(ProgramQuestionnaire, questionnaire_id)
    if row is None or row.id is None:
        raise NotFound(_NOT_YOURS)
    questionnaire = questionnaire_of(row)
    theirs = db.exec(
        select(ProgramRole.id).where(
            ProgramRole.program_id == row.program_id,
            ProgramRole.person_id == person_id,
            col(ProgramRole.role).in_([role.value for role in roles_of(questionnaire)]),
        )
    ).first()
    if theirs is None:
        raise NotFound(_NOT_YOURS)
    day = local_today(now, program_timezone(db, row.program_id))
    if not consents.may_process(db, person_id, day):
        raise TransitionRefused(
            f"Анкету «{questionnaire.title}» заполнить пока нельзя: нет действующего согласия на "
            "обработку персональных данных. Обратитесь к куратору программы"
        )
    if row.opened_at is None or row.closed_at is not None:
        raise TransitionRefused(
            f"Анкета «{questionnaire.title}» {'закрыта' if row.closed_at else 'ещё не открыта'}: "
            "ответы принимаются, пока идёт её этап"
        )
    stage = db.get(Stage, row.stage_id)
    assert stage is not None
    return OpenQuestionnaire(row, questionnaire, stage, day, response_of(db, row.id, person_id))


def response_of(db: Session, questionnaire_id: int, person_id: int) -> SurveyResponse | None:
    """A person's answers to a questionnaire, if they gave any."""
    return db.exec(
        select(SurveyResponse).where(
            SurveyResponse.questionnaire_id == questionnaire_id,
            SurveyResponse.person_id == person_id,
        )
    ).first()


def ranking_choices(db: Session, program_id: int, person_id: int, day: date) -> list[Person]:
    """Whom a person's form offers to rank: their ``ranking_candidates`` whose data may be
    processed on ``day`` (a name is personal data too), by name."""
    candidates = ranking_candidates(db, program_id).get(person_id, [])
    if not candidates:
        return []
    shown = consents.allowed(db, candidates, day)
    people = db.exec(select(Person).where(col(Person.id).in_(shown))).all()
    return sorted(people, key=lambda p: (p.name.lower().replace("ё", "е"), p.id or 0))


def add_question(
    db: Session, program_id: int, questionnaire_code: str, question: dict[str, object]
) -> Questionnaire:
    """One more question in a program's copy of a questionnaire (the copy is taken from the
    built-in one first if its stage has not started). Once anybody has answered, a new
    question must be optional: their answers stay complete."""
    row = db.exec(
        select(ProgramQuestionnaire).where(
            ProgramQuestionnaire.program_id == program_id,
            ProgramQuestionnaire.code == questionnaire_code.strip(),
        )
    ).first()
    if row is None:
        row = _copy_from_catalogue(db, program_id, questionnaire_code.strip())
    if row.closed_at is not None:
        raise TransitionRefused(f"Анкета «{questionnaire_of(row).title}» уже закрыта")
    updated = with_question(questionnaire_of(row), question_from_data(question))
    added = updated.questions[-1]
    if added.required and row.id is not None and respondents(db, row.id):
        raise TransitionRefused(
            f"На анкету «{updated.title}» уже отвечали: новый вопрос может быть только "
            "необязательным (--optional)"
        )
    row.data = updated.to_data()
    db.add(row)
    db.flush()
    return updated


def _copy_from_catalogue(db: Session, program_id: int, code: str) -> ProgramQuestionnaire:
    built_in = CATALOGUE.get(code)
    if built_in is None:
        raise NotFound(
            f"Нет анкеты «{inputs.shown(code)}»; встроенные: " + ", ".join(sorted(CATALOGUE))
        )
    stage = db.exec(
        select(Stage).where(Stage.program_id == program_id, Stage.code == built_in.stage)
    ).first()
    if stage is None or stage.id is None:
        raise NotFound(f"В программе №{program_id} нет этапа «{built_in.stage}» этой анкеты")
    row = ProgramQuestionnaire(
        program_id=program_id, stage_id=stage.id, code=code, data=built_in.to_data()
    )
    db.add(row)
    db.flush()
    return row
