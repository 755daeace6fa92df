"""A program's outbox for its curator: the messages that failed first, each with why in
Russian and a «Повторить» button, then the newest of the rest.

The button works with htmx (the row is replaced by its new state, no reload) and without
JavaScript (a plain form that comes back to the page); the session's CSRF token travels in the
form either way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col, select

from app.web import flash, sessions
from app.web.access import OnApi, OnPage, check_csrf, require_program
from app.web.rendering import page
from app.web.templating import TEMPLATES
from domain import database
from domain.errors import NotFound, TransitionRefused
from domain.inputs import MAX_ID
from domain.models import OUTBOX_STATUS_LABELS, OutboxMessage, OutboxStatus
from domain.programs import ProgramView, program_view
from domain.schedule import utc_now
from notifications.outbox import OutboxView, count_outbox, list_outbox, retry

NEWEST = 50  # of the messages that did not fail, the page shows this many, newest first
STATUS_LABELS = {status.value: label for status, label in OUTBOX_STATUS_LABELS.items()}
REQUEUED = "Снова в очереди: уйдёт при следующем обходе"


@dataclass(frozen=True)
class OutboxPage:
    failed: list[OutboxView]  # all of them, oldest first: each needs a look
    newest: list[OutboxView]  # the newest of the rest, newest first
    counts: dict[str, int]  # by status, every status named
    total: int


def outbox_page(db: Session, program_id: int) -> OutboxPage:
    counts = {s.value: count_outbox(db, s.value, program_id) for s in OutboxStatus}
    failed = list_outbox(db, OutboxStatus.FAILED.value, program_id)
    rest: list[OutboxView] = []
    for status, count in counts.items():
        if status != OutboxStatus.FAILED.value and count:
            rest += list_outbox(db, status, program_id, limit=NEWEST, offset=max(0, count - NEWEST))
    newest = sorted(rest, key=lambda m: m.id, reverse=True)[:NEWEST]
    return OutboxPage(failed=failed, newest=newest, counts=counts, total=sum(counts.values()))


def outbox_in_scope(signed: sessions.Signed, program_id: int) -> tuple[ProgramView, OutboxPage]:
    with database.session() as db:
        require_program(db, signed, program_id)
        program = program_view(db, program_id, utc_now(), with_stages=False)
        return program, outbox_page(db, program_id)


def _message_of(db: Session, program_id: int, message_id: int) -> OutboxView:
    """One message of the program as the outbox lists it. list_outbox pages by id within a
    program, so the message is the one at the position of its id."""
    before = select(sa.func.count()).where(
        col(OutboxMessage.program_id) == program_id, col(OutboxMessage.id) < message_id
    )
    found = list_outbox(db, program_id=program_id, limit=1, offset=int(db.exec(before).one()))
    if not found or found[0].id != message_id:
        raise NotFound(f"Сообщение №{message_id} не найдено в очереди программы №{program_id}")
    return found[0]


def retry_in_scope(signed: sessions.Signed, program_id: int, message_id: int) -> OutboxView:
    """Put a failed message of the program back in the queue; its new state. A message of
    another program is not there; one that has not failed is refused."""
    with database.session() as db:
        require_program(db, signed, program_id)
        message = db.get(OutboxMessage, message_id) if 1 <= message_id <= MAX_ID else None
        if message is None or message.program_id != program_id:
            raise NotFound(f"Сообщение №{message_id} не найдено в очереди программы №{program_id}")
        retry(db, message_id)  # refused unless it failed
        return _message_of(db, program_id, message_id)


def message_now(signed: sessions.Signed, program_id: int, message_id: int) -> OutboxView:
    with database.session() as db:
        require_program(db, signed, program_id)
        return _message_of(db, program_id, message_id)


def router() -> APIRouter:
    pages = APIRouter()

    @pages.get(
        "/programs/{program_id}/outbox", response_class=HTMLResponse, include_in_schema=False
    )
    def outbox(request: Request, program_id: int, signed: OnPage) -> Response:
        program, listed = outbox_in_scope(signed, program_id)
        return page(request, "outbox.html", signed, program=program, program_id=program.id,
                    outbox=listed, labels=STATUS_LABELS, section="outbox")  # fmt: skip

    @pages.post("/programs/{program_id}/outbox/{message_id}/retry", include_in_schema=False)
    def retry_form(
        request: Request,
        program_id: int,
        message_id: int,
        signed: OnPage,
        csrf: Annotated[str, Form()],
    ) -> Response:
        check_csrf(signed, csrf)
        try:
            row, told = retry_in_scope(signed, program_id, message_id), REQUEUED
        except TransitionRefused as refusal:
            row, told = message_now(signed, program_id, message_id), str(refusal)
        if request.headers.get("HX-Request") == "true":  # htmx: the row in its new state
            return TEMPLATES.TemplateResponse(
                request,
                "outbox_message.html",
                {"m": row, "program_id": program_id, "csrf": signed.csrf, "told": told},
            )
        return flash.redirect(f"/programs/{program_id}/outbox", told)

    @pages.get("/api/v1/programs/{program_id}/outbox", tags=["outbox"])
    def outbox_api(program_id: int, signed: OnApi) -> Any:
        """The program's messages: every failed one, then the newest of the rest, with counts
        by status and the reasons in Russian (``last_error_label``)."""
        return outbox_in_scope(signed, program_id)[1]

    @pages.post("/api/v1/programs/{program_id}/outbox/{message_id}/retry", tags=["outbox"])
    def retry_api(request: Request, program_id: int, message_id: int, signed: OnApi) -> Any:
        """Put a failed message back in the queue (409 if it has not failed)."""
        check_csrf(signed, request.headers.get("X-CSRF-Token"))
        return retry_in_scope(signed, program_id, message_id)

    return pages
