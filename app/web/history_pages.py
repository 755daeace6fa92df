"""A program's history (its audit log, domain/history.py) for its curator: who did what and
when, whether it was applied, refused by the roadmap's rules or failed, why, and a link to the
flow run's page in the Prefect UI."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.web import sessions
from app.web.access import OnApi, OnPage, require_program
from app.web.rendering import page, prefect_ui
from domain import database
from domain.history import HistoryRow, change_text, program_history
from domain.programs import ProgramView, program_view
from domain.schedule import utc_now


def history_in_scope(
    signed: sessions.Signed, program_id: int
) -> tuple[ProgramView, list[HistoryRow]]:
    with database.session() as db:
        require_program(db, signed, program_id)
        program = program_view(db, program_id, utc_now(), with_stages=False)
        return program, list(reversed(program_history(db, program_id)))  # newest first


def router() -> APIRouter:
    pages = APIRouter()

    @pages.get(
        "/programs/{program_id}/history", response_class=HTMLResponse, include_in_schema=False
    )
    def history_page(request: Request, program_id: int, signed: OnPage) -> Response:
        program, rows = history_in_scope(signed, program_id)
        return page(request, "history.html", signed, program=program, rows=rows,
                    change_of=change_text, prefect_ui=prefect_ui(),
                    section="history")  # fmt: skip

    @pages.get("/api/v1/programs/{program_id}/history", tags=["programs"])
    def history_api(program_id: int, signed: OnApi) -> Any:
        """The program's audit log, newest first; ``flow_run_id`` names the Prefect run."""
        return history_in_scope(signed, program_id)[1]

    return pages
