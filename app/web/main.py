"""The web application: sign-in, a curator's programs and roadmap with its actions, and the
same under /api/v1 as JSON. Every route asks the account's scope (domain/accounts.py); every
form and every API call that changes something carries the session's CSRF token."""

from __future__ import annotations

import asyncio
import hmac
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlmodel import Session

from app.web import participant_pages, sessions
from app.web.errors import as_json, status_of
from domain import database
from domain.accounts import (
    ACCOUNT_ROLE_LABELS,
    AccountRole,
    authenticate,
    may_see_program,
    visible_orgs,
)
from domain.errors import NastavnikError, NotFound
from domain.history import RunRow, run_history
from domain.organisations import list_organisations
from domain.programs import ProgramView, list_programs, program_view
from domain.roadmap import PHASES
from domain.schedule import utc_now
from domain.states import ACTION_LABELS, Action
from notifications.messages import ru_date

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
TEMPLATES.env.filters["ru_date"] = ru_date
ACTIONS = {action.value: action for action in (Action.START, Action.COMPLETE, Action.SKIP)}


class NotSignedIn(Exception):
    """A page asked for without a session: the sign-in page."""


def current(request: Request) -> sessions.Signed:
    signed = sessions.signed_in(request)
    if signed is None:
        raise NotSignedIn
    return signed


def api_current(request: Request) -> sessions.Signed:
    signed = sessions.signed_in(request)
    if signed is None:
        raise HTTPException(401, "Войдите в систему")
    return signed


def _check_csrf(signed: sessions.Signed, given: str | None) -> None:
    if not given or not hmac.compare_digest(given, signed.csrf):
        raise HTTPException(403, "Форма устарела или подделана: обновите страницу и повторите")


def _require_scope(db: Session, signed: sessions.Signed, program_id: int) -> None:
    if not may_see_program(db, signed.account, program_id):
        # Out of scope is answered as not there: ids tell nothing about other schools.
        raise NotFound(f"Программа №{program_id} не найдена")


def _program_in_scope(signed: sessions.Signed, program_id: int) -> ProgramView:
    with database.session() as db:
        _require_scope(db, signed, program_id)
        return program_view(db, program_id, utc_now())


def _programs_in_scope(signed: sessions.Signed) -> list[ProgramView]:
    with database.session() as db:
        orgs = visible_orgs(db, signed.account)
        found = list_programs(db, utc_now())
    return [p for p in found if orgs is None or p.org_id in orgs]


def _act(signed: sessions.Signed, program_id: int, stage: str, action: str, **given: Any) -> Any:
    from flows.actions import act_on_stage  # Prefect: imported when an action is taken

    with database.session() as db:  # the scope only: the roadmap is read by the action
        _require_scope(db, signed, program_id)
    if action not in ACTIONS:
        raise NotFound(f"Нет действия «{action}»: {', '.join(ACTIONS)}")
    return asyncio.run(
        act_on_stage(program_id, stage, ACTIONS[action], actor=signed.account.login, **given)
    )


def create_app() -> FastAPI:
    app = FastAPI(title="Наставник", openapi_url="/api/v1/openapi.json", docs_url="/api/v1/docs")
    throttle = sessions.Throttle()  # this application's memory of failed sign-ins
    app.add_exception_handler(NastavnikError, _page_or_json_error)
    app.add_exception_handler(NotSignedIn, _to_sign_in)

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/programs", 303)

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_page(request: Request, message: str | None = None) -> Response:
        token = sessions.new_token()
        page = TEMPLATES.TemplateResponse(
            request, "login.html", {"csrf": token, "message": message}
        )
        page.set_cookie(sessions.LOGIN_COOKIE, token, httponly=True, secure=True,
                        samesite="strict")  # fmt: skip
        return page

    @app.post("/login", include_in_schema=False)
    def login(
        request: Request,
        login: Annotated[str, Form()],
        password: Annotated[str, Form()],
        csrf: Annotated[str, Form()],
    ) -> Response:
        cookie = request.cookies.get(sessions.LOGIN_COOKIE, "")
        if not cookie or not hmac.compare_digest(cookie, csrf):
            raise HTTPException(403, "Форма устарела: обновите страницу входа")
        keys = (
            f"login:{login.strip().lower()}",
            f"ip:{request.client.host if request.client else ''}",
        )
        if throttle.blocked(*keys):
            return _login_again(request, "Слишком много неудачных попыток: подождите 15 минут", 429)
        with database.session() as db:
            account = authenticate(db, login, password)
        if account is None or account.id is None:
            throttle.failed(*keys)
            return _login_again(request, "Неверный логин или пароль", 401)
        response = RedirectResponse("/programs", 303)
        sessions.start(response, account.id)
        response.delete_cookie(sessions.LOGIN_COOKIE)
        return response

    @app.post("/logout", include_in_schema=False)
    def logout(
        signed: Annotated[sessions.Signed, Depends(current)], csrf: Annotated[str, Form()]
    ) -> Response:
        _check_csrf(signed, csrf)
        response = RedirectResponse("/login", 303)
        sessions.end(response)
        return response

    @app.get("/programs", response_class=HTMLResponse, include_in_schema=False)
    def programs_page(
        request: Request, signed: Annotated[sessions.Signed, Depends(current)]
    ) -> Response:
        return TEMPLATES.TemplateResponse(
            request, "programs.html", _frame(signed, programs=_programs_in_scope(signed))
        )

    @app.get("/programs/{program_id}", response_class=HTMLResponse, include_in_schema=False)
    def program_page(
        request: Request,
        program_id: int,
        signed: Annotated[sessions.Signed, Depends(current)],
        message: str | None = None,
    ) -> Response:
        program = _program_in_scope(signed, program_id)
        return TEMPLATES.TemplateResponse(
            request,
            "program.html",
            _frame(signed, program=program, phases=PHASES, message=message,
                   actions={a.value: ACTION_LABELS[a] for a in ACTIONS.values()}),
        )  # fmt: skip

    @app.post("/programs/{program_id}/stages/{stage}/{action}", include_in_schema=False)
    def stage_action(
        program_id: int,
        stage: str,
        action: str,
        signed: Annotated[sessions.Signed, Depends(current)],
        csrf: Annotated[str, Form()],
        reason: Annotated[str | None, Form()] = None,
    ) -> Response:
        _check_csrf(signed, csrf)
        try:
            _act(signed, program_id, stage, action, reason=reason or None)
            said = "Готово"
        except NastavnikError as refusal:
            if isinstance(refusal, NotFound):
                raise
            said = str(refusal)  # the roadmap's reason, shown on the page
        return RedirectResponse(f"/programs/{program_id}?message={_quoted(said)}", 303)

    @app.get("/runs", response_class=HTMLResponse, include_in_schema=False)
    def runs_page(
        request: Request,
        signed: Annotated[sessions.Signed, Depends(current)],
        filters: Annotated[RunFilters, Depends()],
    ) -> Response:
        rows = _runs(signed, filters)
        return TEMPLATES.TemplateResponse(
            request,
            "runs.html",
            _frame(signed, rows=rows, filters=filters, prefect_ui=_prefect_ui()),
        )

    @app.get("/territory", response_class=HTMLResponse, include_in_schema=False)
    def territory_page(
        request: Request, signed: Annotated[sessions.Signed, Depends(current)]
    ) -> Response:
        return TEMPLATES.TemplateResponse(
            request, "territory.html", _frame(signed, orgs=_territory(signed))
        )

    app.include_router(_api())
    app.include_router(participant_pages.router())
    return app


@dataclass(frozen=True)
class OrgSummary:
    """One organisation of a coordinator's territory: its programs and what needs a look."""

    id: int
    name: str
    kind_label: str
    programs: list[ProgramView]
    stages_overdue: int
    messages_failed: int


def _territory(signed: sessions.Signed) -> list[OrgSummary]:
    """The coordinator's (or administrator's) organisations with their programs, those with
    overdue stages or failed messages first; a curator has no territory."""
    if AccountRole(signed.account.role) == AccountRole.CURATOR:
        raise NotFound("Страница не найдена")
    with database.session() as db:
        orgs = visible_orgs(db, signed.account)
        programs = [p for p in list_programs(db, utc_now()) if orgs is None or p.org_id in orgs]
        found = [o for o in list_organisations(db) if orgs is None or o.id in orgs]
    summaries = []
    for org in found:
        own = [p for p in programs if p.org_id == org.id]
        summaries.append(
            OrgSummary(
                id=org.id,
                name=org.name,
                kind_label=org.kind_label,
                programs=own,
                stages_overdue=sum(p.stages_overdue for p in own),
                messages_failed=sum(p.messages_failed for p in own),
            )
        )
    return sorted(summaries, key=lambda o: (-(o.stages_overdue + o.messages_failed), o.name))


@dataclass
class RunFilters:
    """The run history's filters, as query parameters."""

    program: int | None = None
    stage: str | None = None
    action: str | None = None
    status: str | None = None
    since: date | None = None
    until: date | None = None


def _runs(signed: sessions.Signed, filters: RunFilters) -> list[RunRow]:
    """Every program's runs: the administrator's page; others are refused, as not there."""
    if AccountRole(signed.account.role) != AccountRole.ADMINISTRATOR:
        raise NotFound("Страница не найдена")
    with database.session() as db:
        return run_history(
            db,
            org_ids=None,
            program_id=filters.program,
            stage=filters.stage or None,
            action=filters.action or None,
            status=filters.status or None,
            since=datetime.combine(filters.since, time(0), UTC) if filters.since else None,
            until=(
                datetime.combine(filters.until + timedelta(days=1), time(0), UTC)
                if filters.until
                else None
            ),
        )


def _prefect_ui() -> str | None:
    """Where a flow run's page is: the Prefect server's UI, when one is configured."""
    api = os.environ.get("PREFECT_API_URL", "").rstrip("/")
    return api.removesuffix("/api") if api else None


def _api() -> APIRouter:
    api = APIRouter(prefix="/api/v1")

    @api.get("/programs")
    def programs(signed: Annotated[sessions.Signed, Depends(api_current)]) -> Any:
        return _programs_in_scope(signed)

    @api.get("/runs")
    def runs(
        signed: Annotated[sessions.Signed, Depends(api_current)],
        filters: Annotated[RunFilters, Depends()],
    ) -> Any:
        return _runs(signed, filters)

    @api.get("/territory")
    def territory(signed: Annotated[sessions.Signed, Depends(api_current)]) -> Any:
        return _territory(signed)

    @api.get("/programs/{program_id}")
    def program(program_id: int, signed: Annotated[sessions.Signed, Depends(api_current)]) -> Any:
        return _program_in_scope(signed, program_id)

    @api.post("/programs/{program_id}/stages/{stage}/{action}")
    def act(
        request: Request,
        program_id: int,
        stage: str,
        action: str,
        signed: Annotated[sessions.Signed, Depends(api_current)],
        reason: str | None = None,
    ) -> Any:
        _check_csrf(signed, request.headers.get("X-CSRF-Token"))
        return _act(signed, program_id, stage, action, reason=reason)

    return api


def _frame(signed: sessions.Signed, **values: Any) -> dict[str, Any]:
    role = AccountRole(signed.account.role)
    return {"account": signed.account, "role_label": ACCOUNT_ROLE_LABELS[role],
            "csrf": signed.csrf, **values}  # fmt: skip


def _quoted(text: str) -> str:
    return quote(text, safe="")


def _login_again(request: Request, message: str, status: int) -> Response:
    token = sessions.new_token()
    page = TEMPLATES.TemplateResponse(
        request, "login.html", {"csrf": token, "message": message}, status_code=status
    )
    page.set_cookie(sessions.LOGIN_COOKIE, token, httponly=True, secure=True, samesite="strict")
    return page


async def _page_or_json_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, NastavnikError)
    if request.url.path.startswith("/api/"):
        return await as_json(request, error)
    return HTMLResponse(
        TEMPLATES.get_template("error.html").render(message=str(error)),
        status_code=status_of(error),
    )


async def _to_sign_in(request: Request, error: Exception) -> Response:
    return RedirectResponse("/login", 303)
