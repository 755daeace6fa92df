"""A participant answers a questionnaire from their own page (issue 10, point 4: one tap, on a
phone): the questionnaire as a form, one field per question by its type, filled in with their
earlier answers when they gave any (answering again replaces them); the refused answers shown
beside their fields, with what they typed kept; and the same as JSON under /api/v1.

Only the questionnaire's audience opens it (domain/surveys.py ``questionnaire_for``): a
questionnaire that does not exist or is not addressed to the person is not found, in the same
words; without a valid consent, or once closed, it is refused by the rules.

The personal link is the key, as on the personal page (app/web/participant_pages.py): the form
posts back to the link, which is in the path. A page of another site cannot post answers for
the person because it cannot know the link (an unguessable, signed token), so no CSRF token
or cookie is needed, and none is set. The link is kept out of other sites' logs, of caches and
of search engines by the same private headers; nothing a person answered is logged.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlmodel import Session
from starlette.datastructures import FormData

from app.web.errors import status_of
from app.web.templating import PRIVATE, TEMPLATES
from domain import database, inputs, surveys
from domain.errors import AccessRefused, NastavnikError, NotFound
from domain.models import Person
from domain.person_links import PAGE_PATH, read_token
from domain.programs import get_program
from domain.questionnaires import (
    DateQuestion,
    FreeText,
    InvalidAnswers,
    MultipleChoice,
    Number,
    Question,
    Questionnaire,
    Ranking,
    Scale,
    SingleChoice,
)
from domain.schedule import utc_now
from domain.wording import counted, day_text

PAGE = PAGE_PATH + "{token}/questionnaires/{questionnaire_id}"
SCALE_BUTTONS = 11  # a scale of up to 11 points is a row of buttons, a longer one a number
ApiId = Annotated[int, Path(ge=1, le=inputs.MAX_ID)]


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Field:
    """One question as the form shows it. ``widget``: radio, checkbox, scale (a row of
    buttons), number, date, text (one line), textarea, ranking (ordered selects)."""

    code: str
    widget: str
    text: str
    required: bool
    hint: str
    choices: list[Choice] = field(default_factory=list)
    slots: int = 0  # a ranking's selects
    low: str = ""  # a number's or a date's bounds, as the input takes them
    high: str = ""
    step: str = ""
    max_length: int = 0


@dataclass(frozen=True)
class QuestionnaireForm:
    """A questionnaire as its respondent's page shows it; ``values`` are what the fields hold
    (their earlier answers, or what they just typed), ``problems`` the refusals by field."""

    id: int
    title: str
    intro: str
    program_title: str
    stage_number: int
    stage_title: str
    due_date: date
    answered_on: date | None
    fields: list[Field]
    values: dict[str, str | list[str]]
    problems: dict[str, str] = field(default_factory=dict)


class Answers(BaseModel):
    """A person's answers by question code: texts as a form gives them, or JSON values
    (several choices a list of codes, a ranking a list of person ids, first preferred)."""

    answers: dict[str, Any]


# Reading: the form a person opens.


def _id(text: str) -> int:
    """A questionnaire's number from the path; anything else is not found."""
    if not text.isascii() or not text.isdigit() or not 0 < int(text) <= inputs.MAX_ID:
        raise NotFound("Анкета не найдена: проверьте ссылку")
    return int(text)


def _opened(
    db: Session, token: str, questionnaire_id: int
) -> tuple[Person, surveys.OpenQuestionnaire]:
    person = read_token(db, token)
    assert person.id is not None
    return person, surveys.questionnaire_for(db, questionnaire_id, person.id, utc_now())


def _form(db: Session, person: Person, opened: surveys.OpenQuestionnaire) -> QuestionnaireForm:
    assert person.id is not None and opened.row.id is not None
    choices = []
    if any(isinstance(q, Ranking) for q in opened.questionnaire.questions):
        people = surveys.ranking_choices(db, opened.row.program_id, person.id, opened.day)
        choices = [Choice(str(p.id), p.name) for p in people]
    return QuestionnaireForm(
        id=opened.row.id,
        title=opened.questionnaire.title,
        intro=opened.questionnaire.intro,
        program_title=get_program(db, opened.row.program_id).title,
        stage_number=opened.stage.number,
        stage_title=opened.stage.title,
        due_date=opened.stage.due_date,
        answered_on=surveys.answered_on(db, opened),
        fields=[_field(q, choices) for q in opened.questionnaire.questions],
        values=_stored_values(opened.questionnaire, opened.response.answers)
        if opened.response is not None
        else {},
    )


def _field(question: Question, candidates: list[Choice]) -> Field:
    base = Field(question.code, "", question.text, question.required, "")
    if isinstance(question, SingleChoice):
        options = [Choice(o.code, o.label) for o in question.options]
        return replace(base, widget="radio", choices=options)
    if isinstance(question, MultipleChoice):
        options = [Choice(o.code, o.label) for o in question.options]
        return replace(base, widget="checkbox", hint=_picks(question), choices=options)
    if isinstance(question, Scale):
        base = replace(base, hint=f"Оценка от {question.low} до {question.high}")
        if question.high - question.low < SCALE_BUTTONS:
            points = [Choice(str(n), str(n)) for n in range(question.low, question.high + 1)]
            return replace(base, widget="scale", choices=points)
        low, high = str(question.low), str(question.high)
        return replace(base, widget="number", low=low, high=high, step="1")
    if isinstance(question, Number):
        hint = question.allowed()
        low, high = str(question.low), str(question.high)
        step = "1" if question.integer else "any"  # the server rounds a decimal, not the browser
        hint = hint[:1].upper() + hint[1:]
        return replace(base, widget="number", hint=hint, low=low, high=high, step=step)
    if isinstance(question, DateQuestion):
        hint = f"Дата с {day_text(question.earliest)} по {day_text(question.latest)}"
        if (question.earliest, question.latest) == (inputs.EARLIEST, inputs.LATEST):
            hint = ""  # any date a program may run in: nothing worth saying
        low, high = question.earliest.isoformat(), question.latest.isoformat()
        return replace(base, widget="date", hint=hint, low=low, high=high)
    if isinstance(question, FreeText):
        hint = f"До {counted(question.max_length, 'символа', 'символов', 'символов')}"
        widget = "textarea" if question.multiline else "text"
        return replace(base, widget=widget, hint=hint, max_length=question.max_length)
    assert isinstance(question, Ranking)
    slots = len(candidates) if question.max_picks is None else question.max_picks
    hint = (
        "Выберите по порядку: первым — самого предпочтительного; каждого можно выбрать один раз"
        if candidates
        else "Пока выбрать некого: список появится, когда в программе будут участники"
    )
    return replace(
        base, widget="ranking", hint=hint, choices=candidates, slots=min(slots, len(candidates))
    )


def _picks(question: MultipleChoice) -> str:
    least, most = question.min_picks, question.max_picks
    if most is None:
        return "Можно выбрать несколько" if least == 1 else f"Выберите не меньше {least}"
    if least == most:
        return f"Выберите ровно {least}"
    return f"Выберите не больше {most}" if least == 1 else f"Выберите от {least} до {most}"


def _stored_values(
    questionnaire: Questionnaire, answers: dict[str, Any]
) -> dict[str, str | list[str]]:
    """Stored answers (normalised JSON values) as the form's fields hold them."""
    values: dict[str, str | list[str]] = {}
    for question in questionnaire.questions:
        answer = answers.get(question.code)
        if isinstance(answer, list):
            values[question.code] = [str(item) for item in answer]
        elif answer is not None:
            values[question.code] = str(answer)
    return values


# Answering.


def _from_form(
    questionnaire: Questionnaire, form: FormData
) -> tuple[dict[str, object], dict[str, str | list[str]]]:
    """The answers ``validate`` takes (several choices and a ranking as lists, an empty field
    absent), and what the fields held, to show again if they are refused. Fields of no
    question are ignored."""
    answers: dict[str, object] = {}
    values: dict[str, str | list[str]] = {}
    for question in questionnaire.questions:
        if isinstance(question, MultipleChoice | Ranking):
            items = [item for item in form.getlist(question.code) if isinstance(item, str)]
            values[question.code] = items  # a ranking's empty selects keep their places
            picked = [item.strip() for item in items if item.strip()]
            if picked:
                answers[question.code] = picked
        else:
            given = form.get(question.code)
            text = given if isinstance(given, str) else ""
            values[question.code] = text
            if text.strip():
                answers[question.code] = text
    return answers, values


def _beside(
    shown: QuestionnaireForm, questionnaire: Questionnaire, problems: dict[str, str]
) -> dict[str, str]:
    """Each problem without the question's text it starts with, since it is shown under it; a
    ranking's in names, as the form offers people (the domain's sentence names their ids)."""
    beside = {}
    for code, problem in problems.items():
        question = questionnaire.question(code)
        prefix = f"«{question.text}»: " if question is not None else ""
        text = problem.removeprefix(prefix)
        given = shown.values.get(code, "")
        picked = [given] if isinstance(given, str) else given
        picked = [item.strip() for item in picked if item.strip()]
        if question is not None and not picked:
            text = "Нет ответа, а вопрос обязательный"  # what it may be is on the form already
        elif isinstance(question, SingleChoice | MultipleChoice) and not set(picked) <= {
            option.code for option in question.options
        }:
            text = "Выберите из вариантов на этой странице"  # a form made elsewhere: not codes
        elif isinstance(question, Ranking):
            text = _ranking_problem(shown, question, text)
        beside[code] = text[:1].upper() + text[1:]
    return beside


def _ranking_problem(shown: QuestionnaireForm, question: Ranking, problem: str) -> str:
    [ranking] = [f for f in shown.fields if f.code == question.code]
    names = {choice.value: choice.label for choice in ranking.choices}
    picked = [item.strip() for item in shown.values.get(question.code, []) if item.strip()]
    if any(item not in names for item in picked):
        return "Выберите людей из списка"
    twice = [names[item] for item in dict.fromkeys(picked) if picked.count(item) > 1]
    if twice:
        return "Каждого можно выбрать только один раз; повторно выбраны: " + ", ".join(twice)
    return problem


def _thanks(title: str, again: bool) -> str:
    if again:
        return f"Спасибо! Ваши ответы на анкету «{title}» изменены"
    return f"Спасибо! Ваши ответы на анкету «{title}» сохранены"


def _answer_form(token: str, questionnaire_id: int, form: FormData) -> str | QuestionnaireForm:
    """Take the answers of a posted form: the thanks, or the form with its problems."""
    now = utc_now()
    with database.session() as db:
        person, opened = _opened(db, token, questionnaire_id)
        assert person.id is not None
        answers, values = _from_form(opened.questionnaire, form)
        try:
            surveys.record_answers(
                db,
                opened.row,
                person.id,
                answers,
                source=surveys.Source.LINK,
                now=now,
                day=opened.day,
            )
        except InvalidAnswers as refused:
            shown = replace(_form(db, person, opened), values=values)
            db.rollback()  # nothing was written; nothing may be
            return replace(shown, problems=_beside(shown, opened.questionnaire, refused.problems))
        return _thanks(opened.questionnaire.title, opened.response is not None)


# JSON.


def _as_data(db: Session, person: Person, opened: surveys.OpenQuestionnaire) -> dict[str, Any]:
    shown = _form(db, person, opened)
    questions = []
    for question in opened.questionnaire.questions:
        data = question.to_data()
        if isinstance(question, Ranking):
            [ranked] = [f for f in shown.fields if f.code == question.code]
            data["candidates"] = [{"id": int(c.value), "name": c.label} for c in ranked.choices]
        questions.append(data)
    return {
        "id": shown.id,
        "code": opened.row.code,
        "title": shown.title,
        "intro": shown.intro,
        "program": {"id": opened.row.program_id, "title": shown.program_title},
        "stage": {
            "number": shown.stage_number,
            "title": shown.stage_title,
            "due_date": shown.due_date,
        },
        "answered_on": shown.answered_on,
        "questions": questions,
        "answers": dict(opened.response.answers) if opened.response is not None else None,
    }


def _json(content: dict[str, Any], status_code: int = 200) -> JSONResponse:
    return JSONResponse(jsonable_encoder(content), status_code=status_code, headers=PRIVATE)


# Pages.


async def _posted(request: Request) -> FormData:
    return await request.form()


def _page(request: Request, token: str, shown: QuestionnaireForm, status_code: int) -> Response:
    return TEMPLATES.TemplateResponse(
        request,
        "questionnaire.html",
        {"form": shown, "token": token, "refusal": None},
        status_code=status_code,
        headers=PRIVATE,
    )


def _refused(request: Request, token: str, refusal: NastavnikError) -> Response:
    """A refusal in Russian, with its status; a way back to their page if the link is theirs."""
    return TEMPLATES.TemplateResponse(
        request,
        "questionnaire.html",
        {
            "form": None,
            "token": token,
            "refusal": str(refusal),
            "back": not isinstance(refusal, AccessRefused),
        },
        status_code=status_of(refusal),
        headers=PRIVATE,
    )


def router() -> APIRouter:
    pages = APIRouter()

    @pages.get(PAGE, response_class=HTMLResponse, include_in_schema=False)
    def questionnaire_page(request: Request, token: str, questionnaire_id: str) -> Response:
        try:
            with database.session() as db:
                shown = _form(db, *_opened(db, token, _id(questionnaire_id)))
        except NastavnikError as refusal:
            return _refused(request, token, refusal)
        return _page(request, token, shown, 200)

    @pages.post(PAGE, include_in_schema=False)
    def answer_page(
        request: Request,
        token: str,
        questionnaire_id: str,
        form: Annotated[FormData, Depends(_posted)],
    ) -> Response:
        try:
            taken = _answer_form(token, _id(questionnaire_id), form)
        except NastavnikError as refusal:
            return _refused(request, token, refusal)
        if isinstance(taken, QuestionnaireForm):
            return _page(request, token, taken, 422)
        return RedirectResponse(
            f"{PAGE_PATH}{token}?message={quote(taken, safe='')}", 303, headers=PRIVATE
        )

    @pages.get("/api/v1" + PAGE, tags=["participant"])
    def questionnaire_api(token: str, questionnaire_id: ApiId) -> Any:
        """One of the participant's open questionnaires: its questions (a ranking's with the
        people it may name) and their earlier answers (null when they have not answered)."""
        with database.session() as db:
            person, opened = _opened(db, token, questionnaire_id)
            return _json(_as_data(db, person, opened))

    @pages.post("/api/v1" + PAGE, tags=["participant"])
    def answer_api(token: str, questionnaire_id: ApiId, body: Answers) -> Any:
        """Answer the questionnaire (again: the new answers replace the earlier ones). Refused
        answers: 422 with ``detail`` and ``problems``, one sentence per question code."""
        now = utc_now()
        with database.session() as db:
            person, opened = _opened(db, token, questionnaire_id)
            assert person.id is not None
            try:
                response = surveys.record_answers(
                    db,
                    opened.row,
                    person.id,
                    body.answers,
                    source=surveys.Source.LINK,
                    now=now,
                    day=opened.day,
                )
            except InvalidAnswers as refused:
                db.rollback()
                return _json({"detail": str(refused), "problems": refused.problems}, 422)
            thanks = _thanks(opened.questionnaire.title, opened.response is not None)
            return _json({"detail": thanks, "answers": dict(response.answers)})

    return pages
