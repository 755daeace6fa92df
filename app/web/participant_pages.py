"""A participant's own page, opened without a password from the personal link in every
message they get (domain/person_links.py): their stages, their deadlines, and what they can do
there — mark a meeting held, answer a questionnaire (questionnaire_pages.py). The link is the
key: every form posts back to it, so a page from another site cannot act for them (it does not
know the link), and no cookie is set.

The token stays out of other sites' logs (Referrer-Policy: no-referrer), of caches and of
search engines (templating.PRIVATE)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from app.web import questionnaire_pages
from app.web.templating import PRIVATE, TEMPLATES
from domain import database
from domain.errors import AccessRefused, NastavnikError, NotFound
from domain.meetings import mark_held
from domain.person_links import PAGE_PATH, read_token
from domain.personal_page import PersonalPage, personal_page
from domain.schedule import parse_date, utc_now
from domain.wording import day_text


class HeldOn(BaseModel):
    held_on: str | None = None  # ГГГГ-ММ-ДД or ДД.ММ.ГГГГ; today when absent


def _page(token: str) -> PersonalPage:
    with database.session() as db:
        return personal_page(db, read_token(db, token), utc_now())


def _mark(token: str, stage_id: int, seq: int, held_on: str | None) -> str:
    """Mark the meeting; what the participant is told."""
    now = utc_now()
    with database.session() as db:
        person = read_token(db, token)
        day = parse_date(held_on, "дата встречи") if held_on and held_on.strip() else None
        mark = mark_held(db, person, stage_id, seq, day, now=now)
        return f"Отмечено: встреча прошла {day_text(mark.held_on)}"


def router() -> APIRouter:
    pages = APIRouter()

    @pages.get(PAGE_PATH + "{token}", response_class=HTMLResponse, include_in_schema=False)
    def personal(request: Request, token: str, message: str | None = None) -> Response:
        page = _page(token)
        return TEMPLATES.TemplateResponse(
            request,
            "participant.html",
            {"page": page, "token": token, "message": message},
            headers=PRIVATE,
        )

    @pages.post(PAGE_PATH + "{token}/meetings/{stage_id}/{seq}", include_in_schema=False)
    def meeting_held(
        token: str,
        stage_id: int,
        seq: int,
        held_on: Annotated[str | None, Form()] = None,
    ) -> Response:
        try:
            said = _mark(token, stage_id, seq, held_on)
        except NastavnikError as refusal:
            if isinstance(refusal, NotFound | AccessRefused):
                raise
            said = str(refusal)  # shown on the page, which stays open
        return RedirectResponse(
            f"{PAGE_PATH}{token}?message={quote(said, safe='')}", 303, headers=PRIVATE
        )

    @pages.get("/api/v1" + PAGE_PATH + "{token}", tags=["participant"])
    def personal_api(token: str) -> Any:
        """The participant's own page as JSON: their programs, stages, deadlines and the
        meetings they may mark."""
        return _page(token)

    @pages.post("/api/v1" + PAGE_PATH + "{token}/meetings/{stage_id}/{seq}", tags=["participant"])
    def meeting_held_api(token: str, stage_id: int, seq: int, body: HeldOn) -> Any:
        """Mark a meeting held (on ``held_on``, today when absent)."""
        return {"detail": _mark(token, stage_id, seq, body.held_on)}

    pages.include_router(questionnaire_pages.router())  # answering a questionnaire
    return pages
