"""The web application: sign-in and sign-out here; the pages and their JSON under /api/v1 in
one module per group (programs and their roadmap, a program's people, pairs, outbox and
history, the territory, the administrator's pages, a participant's own page), the static files
under /static. Every route asks the account's scope (app/web/access.py); every form and every API
call that changes something carries the session's CSRF token."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.web import (
    admin_pages,
    history_pages,
    matching_pages,
    outbox_pages,
    participant_pages,
    people_pages,
    program_pages,
    sessions,
    territory_pages,
)
from app.web.access import NotSignedIn, OnPage, check_csrf
from app.web.assets import PREFIX, static_files
from app.web.errors import as_json, status_of
from app.web.rendering import error_page
from app.web.templating import TEMPLATES
from domain import database
from domain.accounts import authenticate
from domain.errors import NastavnikError


def create_app() -> FastAPI:
    app = FastAPI(title="Наставник", openapi_url="/api/v1/openapi.json", docs_url="/api/v1/docs")
    throttle = sessions.Throttle()  # this application's memory of failed sign-ins
    app.add_exception_handler(NastavnikError, _page_or_json_error)
    app.add_exception_handler(NotSignedIn, _to_sign_in)
    app.mount(PREFIX, static_files(), name="static")

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/programs", 303)

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_page(request: Request) -> Response:
        token = sessions.new_token()
        page = TEMPLATES.TemplateResponse(request, "login.html", {"csrf": token})
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
    def logout(signed: OnPage, csrf: Annotated[str, Form()]) -> Response:
        check_csrf(signed, csrf)
        response = RedirectResponse("/login", 303)
        sessions.end(response)
        return response

    for group in (
        program_pages,
        people_pages,
        matching_pages,
        outbox_pages,
        history_pages,
        territory_pages,
        admin_pages,
    ):
        app.include_router(group.router())
    app.include_router(participant_pages.router())
    return app


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
    return error_page(str(error), status_of(error))


async def _to_sign_in(request: Request, error: Exception) -> Response:
    if request.headers.get("HX-Request") == "true":
        # htmx would follow a redirect itself and put the sign-in page inside the row it
        # replaces: it is told to load the page instead.
        return Response(status_code=200, headers={"HX-Redirect": "/login"})
    return RedirectResponse("/login", 303)
