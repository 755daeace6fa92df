"""A coordinator's territory: its organisations with their programs, those that need a look
(overdue stages, failed messages) first; and one organisation drilled into, with each program's
overdue stages. A coordinator sees their municipality or region and everything below it, an
administrator everything; a curator has no territory, and an organisation outside one's
territory is not there."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.web import sessions
from app.web.access import OnApi, OnPage, require_org, require_role
from app.web.rendering import page
from domain import database
from domain.accounts import AccountRole, visible_orgs
from domain.organisations import OrgView, list_organisations
from domain.programs import ProgramView, list_programs, program_view
from domain.schedule import utc_now

WITH_TERRITORY = (AccountRole.ADMINISTRATOR, AccountRole.COORDINATOR)


@dataclass(frozen=True)
class OrgSummary:
    """One organisation of a territory: its programs and what needs a look."""

    id: int
    name: str
    kind_label: str
    parent_id: int | None
    programs: list[ProgramView]
    stages_overdue: int
    messages_failed: int


@dataclass(frozen=True)
class OrgDetail(OrgSummary):
    """One organisation drilled into: its programs with their roadmaps (the overdue stages are
    those with ``days_overdue``), and the organisations right below it."""

    below: list[OrgSummary]


def _summary(org: OrgView, programs: list[ProgramView]) -> OrgSummary:
    own = [p for p in programs if p.org_id == org.id]
    return OrgSummary(
        id=org.id,
        name=org.name,
        kind_label=org.kind_label,
        parent_id=org.parent_id,
        programs=own,
        stages_overdue=sum(p.stages_overdue for p in own),
        messages_failed=sum(p.messages_failed for p in own),
    )


def _needing_a_look_first(summaries: list[OrgSummary]) -> list[OrgSummary]:
    return sorted(summaries, key=lambda o: (-(o.stages_overdue + o.messages_failed), o.name))


def _summaries(db: Session, orgs: set[int] | None) -> list[OrgSummary]:
    programs = [p for p in list_programs(db, utc_now()) if orgs is None or p.org_id in orgs]
    found = [o for o in list_organisations(db) if orgs is None or o.id in orgs]
    return [_summary(org, programs) for org in found]


def territory(signed: sessions.Signed) -> list[OrgSummary]:
    require_role(signed, *WITH_TERRITORY)
    with database.session() as db:
        return _needing_a_look_first(_summaries(db, visible_orgs(db, signed.account)))


def organisation(signed: sessions.Signed, org_id: int) -> OrgDetail:
    require_role(signed, *WITH_TERRITORY)
    now = utc_now()
    with database.session() as db:
        orgs = require_org(db, signed, org_id)
        summaries = _summaries(db, orgs)
        this = next(s for s in summaries if s.id == org_id)
        programs = [program_view(db, p.id, now) for p in this.programs]
    return OrgDetail(
        **{**vars(this), "programs": programs},
        below=_needing_a_look_first([s for s in summaries if s.parent_id == org_id]),
    )


def router() -> APIRouter:
    pages = APIRouter()

    @pages.get("/territory", response_class=HTMLResponse, include_in_schema=False)
    def territory_page(request: Request, signed: OnPage) -> Response:
        return page(request, "territory.html", signed, orgs=territory(signed))

    @pages.get("/territory/{org_id}", response_class=HTMLResponse, include_in_schema=False)
    def organisation_page(request: Request, org_id: int, signed: OnPage) -> Response:
        return page(request, "organisation.html", signed, org=organisation(signed, org_id))

    @pages.get("/api/v1/territory", tags=["territory"])
    def territory_api(signed: OnApi) -> Any:
        """The organisations of the account's territory, those that need a look first."""
        return territory(signed)

    @pages.get("/api/v1/territory/{org_id}", tags=["territory"])
    def organisation_api(org_id: int, signed: OnApi) -> Any:
        """One organisation of the territory with its programs' roadmaps."""
        return organisation(signed, org_id)

    return pages
