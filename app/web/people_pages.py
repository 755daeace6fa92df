"""The people of a program, for its curator: each with their roles, category and whether they
have consented to the processing of their data. Nothing more personal: no date of birth, no
address (many participants are children)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.web import sessions
from app.web.access import OnApi, OnPage, require_program
from app.web.rendering import page
from domain import database
from domain.people import ProgramPerson, program_people
from domain.programs import ProgramView, program_timezone, program_view
from domain.schedule import local_today, utc_now


def people_in_scope(
    signed: sessions.Signed, program_id: int
) -> tuple[ProgramView, list[ProgramPerson]]:
    now = utc_now()
    with database.session() as db:
        require_program(db, signed, program_id)
        today = local_today(now, program_timezone(db, program_id))  # consents: the school's day
        return program_view(db, program_id, now, with_stages=False), program_people(
            db, program_id, today
        )


def router() -> APIRouter:
    pages = APIRouter()

    @pages.get(
        "/programs/{program_id}/people", response_class=HTMLResponse, include_in_schema=False
    )
    def people_page(request: Request, program_id: int, signed: OnPage) -> Response:
        program, people = people_in_scope(signed, program_id)
        return page(request, "people.html", signed, program=program, people=people,
                    section="people")  # fmt: skip

    @pages.get("/api/v1/programs/{program_id}/people", tags=["programs"])
    def people_api(program_id: int, signed: OnApi) -> Any:
        """The program's people: roles, category, consent to processing (given, withdrawn,
        missing)."""
        return people_in_scope(signed, program_id)[1]

    return pages
