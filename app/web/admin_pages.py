"""The administrator's pages: the accounts (and a new one), and the run history across
programs, each run linked to its page in the Prefect UI. To anybody else they are not there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from app.web import flash, sessions
from app.web.access import OnApi, OnPage, check_csrf, require_role
from app.web.rendering import page, prefect_ui
from domain import database
from domain.accounts import (
    ACCOUNT_ROLE_LABELS,
    AccountRole,
    AccountView,
    add_account,
    list_accounts,
)
from domain.errors import InvalidInput, NotFound
from domain.history import RunRow, change_text, run_history
from domain.organisations import OrgView, list_organisations
from domain.schedule import utc_now


@dataclass
class RunFilters:
    """The run history's filters, as query parameters."""

    program: int | None = None
    stage: str | None = None
    action: str | None = None
    status: str | None = None
    since: date | None = None
    until: date | None = None


def runs(signed: sessions.Signed, filters: RunFilters) -> list[RunRow]:
    require_role(signed, AccountRole.ADMINISTRATOR)
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


def accounts(signed: sessions.Signed) -> tuple[list[AccountView], list[OrgView]]:
    require_role(signed, AccountRole.ADMINISTRATOR)
    with database.session() as db:
        return list_accounts(db), list_organisations(db)


def new_account(
    signed: sessions.Signed, login: str, role: str, org: str, password: str, again: str
) -> AccountView:
    require_role(signed, AccountRole.ADMINISTRATOR)
    if password != again:
        raise InvalidInput("Пароли не совпали; учётная запись не создана")
    if org.strip() and not org.strip().isdigit():
        raise InvalidInput(f"Организация «{org}»: выберите её из списка")
    with database.session() as db:
        return add_account(db, login=login, role=role, password=password, now=utc_now(),
                           org_id=int(org) if org.strip() else None)  # fmt: skip


def router() -> APIRouter:
    pages = APIRouter()

    @pages.get("/runs", response_class=HTMLResponse, include_in_schema=False)
    def runs_page(
        request: Request, signed: OnPage, filters: Annotated[RunFilters, Depends()]
    ) -> Response:
        return page(request, "runs.html", signed, rows=runs(signed, filters), filters=filters,
                    prefect_ui=prefect_ui(), change_of=change_text)  # fmt: skip

    @pages.get("/users", response_class=HTMLResponse, include_in_schema=False)
    def users_page(request: Request, signed: OnPage) -> Response:
        listed, orgs = accounts(signed)
        return page(request, "users.html", signed, accounts=listed, orgs=orgs,
                    roles=ACCOUNT_ROLE_LABELS, given={})  # fmt: skip

    @pages.post("/users", include_in_schema=False)
    def add_user(
        request: Request,
        signed: OnPage,
        csrf: Annotated[str, Form()],
        login: Annotated[str, Form()] = "",
        role: Annotated[str, Form()] = "",
        org: Annotated[str, Form()] = "",
        password: Annotated[str, Form()] = "",
        again: Annotated[str, Form()] = "",
    ) -> Response:
        check_csrf(signed, csrf)
        require_role(signed, AccountRole.ADMINISTRATOR)
        try:
            made = new_account(signed, login, role, org, password, again)
        except (InvalidInput, NotFound) as refusal:
            listed, orgs = accounts(signed)  # the form again, as typed but for the passwords
            return page(request, "users.html", signed, status_code=422, accounts=listed,
                        orgs=orgs, roles=ACCOUNT_ROLE_LABELS, message=str(refusal),
                        given={"login": login, "role": role, "org": org})  # fmt: skip
        told = f"Учётная запись «{made.login}» ({made.role_label}) создана"
        return flash.redirect("/users", told)

    @pages.get("/api/v1/runs", tags=["administrator"])
    def runs_api(signed: OnApi, filters: Annotated[RunFilters, Depends()]) -> Any:
        """Every program's audit log, newest first, filtered."""
        return runs(signed, filters)

    @pages.get("/api/v1/users", tags=["administrator"])
    def users_api(signed: OnApi) -> Any:
        """The accounts: login, role, organisation, created, disabled; never a password."""
        return accounts(signed)[0]

    return pages
