"""A curator's programs and a program's roadmap, with its actions: start, complete and skip a
stage, and move a stage's deadline (or one date's of a recurring stage). Every action goes
through flows.actions.act_on_stage, as the command line's do; the roadmap's refusals are shown
on the page beside the stage, in Russian. The same as JSON under /api/v1."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from app.web import flash, sessions
from app.web.access import OnApi, OnPage, check_csrf, require_program
from app.web.rendering import page
from domain import database
from domain.accounts import visible_orgs
from domain.errors import NastavnikError, NotFound
from domain.programs import ProgramView, list_programs, program_view
from domain.roadmap import PHASES
from domain.schedule import parse_date, utc_now
from domain.states import ACTION_LABELS, Action
from domain.transitions import AppliedAction
from domain.wording import day_text

ACTIONS = {
    action.value: action
    for action in (Action.START, Action.COMPLETE, Action.SKIP, Action.RESCHEDULE)
}
BUTTONS = {a.value: ACTION_LABELS[a] for a in (Action.START, Action.COMPLETE, Action.SKIP)}
DUE_FIELD = "новый срок"


def program_in_scope(signed: sessions.Signed, program_id: int) -> ProgramView:
    with database.session() as db:
        require_program(db, signed, program_id)
        return program_view(db, program_id, utc_now())


def programs_in_scope(signed: sessions.Signed) -> list[ProgramView]:
    with database.session() as db:
        orgs = visible_orgs(db, signed.account)
        found = list_programs(db, utc_now())
    return [p for p in found if orgs is None or p.org_id in orgs]


def new_due(text: str | None) -> date | None:
    """The new deadline as typed (a date input sends 2026-10-15; by hand 15.10.2026 too);
    None when empty, which the action refuses in its own words."""
    return parse_date(text, DUE_FIELD) if text and text.strip() else None


def act(
    signed: sessions.Signed,
    program_id: int,
    stage: str,
    action: str,
    *,
    reason: str | None = None,
    due: str | None = None,
    occurrence: int | None = None,
) -> AppliedAction:
    from flows.actions import act_on_stage  # Prefect: imported when an action is taken

    with database.session() as db:  # the scope only: the roadmap is read by the action
        require_program(db, signed, program_id)
    if action not in ACTIONS:
        raise NotFound(f"Нет действия «{action}»: {', '.join(ACTIONS)}")
    return asyncio.run(
        act_on_stage(
            program_id,
            stage,
            ACTIONS[action],
            actor=signed.account.login,
            reason=reason or None,
            due=new_due(due),
            occurrence=occurrence,
        )
    )


def said(applied: AppliedAction) -> str:
    """What the page tells after an action."""
    if applied.action != Action.RESCHEDULE:
        return "Готово"
    what = f"даты №{applied.occurrence}" if applied.occurrence else "этапа"
    old, new = (day_text(date.fromisoformat(v)) for v in (applied.from_value, applied.to_value))
    return f"Срок {what} перенесён: {old} → {new}"


def router() -> APIRouter:
    pages = APIRouter()

    @pages.get("/programs", response_class=HTMLResponse, include_in_schema=False)
    def programs_page(request: Request, signed: OnPage) -> Response:
        return page(request, "programs.html", signed, programs=programs_in_scope(signed))

    @pages.get("/programs/{program_id}", response_class=HTMLResponse, include_in_schema=False)
    def program_page(request: Request, program_id: int, signed: OnPage) -> Response:
        program = program_in_scope(signed, program_id)
        return page(request, "program.html", signed, program=program, phases=PHASES,
                    buttons=BUTTONS, section="roadmap")  # fmt: skip

    @pages.post("/programs/{program_id}/stages/{stage}/{action}", include_in_schema=False)
    def stage_action(
        program_id: int,
        stage: str,
        action: str,
        signed: OnPage,
        csrf: Annotated[str, Form()],
        reason: Annotated[str | None, Form()] = None,
        due: Annotated[str | None, Form()] = None,
        occurrence: Annotated[int | None, Form()] = None,
    ) -> Response:
        check_csrf(signed, csrf)
        try:
            applied = act(
                signed, program_id, stage, action, reason=reason, due=due, occurrence=occurrence
            )
            told = said(applied)
        except NastavnikError as refusal:
            if isinstance(refusal, NotFound):
                raise
            told = str(refusal)  # the roadmap's reason, or the date's, shown on the page
        # Back to the stage, where its message is shown.
        return flash.redirect(f"/programs/{program_id}#stage-{quote(stage, safe='')}", told, stage)

    @pages.get("/api/v1/programs", tags=["programs"])
    def programs_api(signed: OnApi) -> Any:
        """The programs the account sees."""
        return programs_in_scope(signed)

    @pages.get("/api/v1/programs/{program_id}", tags=["programs"])
    def program_api(program_id: int, signed: OnApi) -> Any:
        """A program with its roadmap: each stage's state, deadline and days overdue."""
        return program_in_scope(signed, program_id)

    @pages.post("/api/v1/programs/{program_id}/stages/{stage}/{action}", tags=["programs"])
    def act_api(
        request: Request,
        program_id: int,
        stage: str,
        action: str,
        signed: OnApi,
        reason: str | None = None,
        due: str | None = None,
        occurrence: int | None = None,
    ) -> Any:
        """start, complete, skip or reschedule (with ``due``: 2026-10-15 or 15.10.2026) a
        stage, or one date of a recurring stage (``occurrence``)."""
        check_csrf(signed, request.headers.get("X-CSRF-Token"))
        return act(signed, program_id, stage, action, reason=reason, due=due,
                   occurrence=occurrence)  # fmt: skip

    return pages
