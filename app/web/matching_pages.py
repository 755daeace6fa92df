"""A program's pairs for its curator (stages 19 and 20, domain/pairs.py): how the matching is
set up (the method and each criterion's weight), the latest proposal by mentor with each
pair's «почему эта пара», who is left without a pair and why, and the pairs the curator pinned
or forbade. The curator proposes again, pins, forbids and takes back; once the pairs are fixed
by the order (completing stage 20, through the roadmap's own action), the page is read-only
and the order is there to download (.docx) or read (HTML).

Each change is one transaction of domain/pairs.py; a refusal is shown beside its form, in
Russian, with its 4xx status, and nothing of it is stored. Pin, forbid and take back work with
htmx (the proposal is replaced in place, no reload; a refusal replaces it too, marked by
REFUSED) and as plain forms that come back to the page. The page names participants, many of
them children: it is sent with templating.PRIVATE (no-store). The same as JSON under /api/v1."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Body, Form, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel
from sqlmodel import Session

from app.web import flash, sessions
from app.web.access import OnApi, OnPage, check_csrf, require_program
from app.web.errors import status_of
from app.web.rendering import page
from app.web.templating import PRIVATE, TEMPLATES
from domain import database, inputs, pairs
from domain.errors import InvalidInput, NastavnikError, NotFound
from domain.matching import CRITERIA, DEFAULT_WEIGHTS, METHOD_LABELS
from domain.matching.criteria import number_text
from domain.people import ProgramPerson, program_people
from domain.programs import ProgramView, StageView, program_view
from domain.roadmap import Role, StageKind
from domain.schedule import local_today, utc_now, zone
from domain.wording import counted, day_text

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# A refusal answered to htmx: the proposal with the reason in it, swapped in although its
# status is 4xx (pairs_matching.html lets htmx swap such an answer, and no other error).
REFUSED = "X-Nastavnik-Refused"
# Where on the page a form's message is shown: beside the proposal's buttons, the pins and
# forbidden pairs, or the setup.
ABOUT = ("proposal", "rules", "setup")
CRITERION_TITLES = {criterion.code: criterion.title for criterion in CRITERIA}
RULE_WORDS = {pairs.PIN: "закреплена куратором", pairs.FORBID: "запрещена куратором"}


@dataclass(frozen=True)
class PairsPage:
    program: ProgramView
    matching: pairs.MatchingView
    mentors: list[ProgramPerson]  # for the form that pins or forbids any pair
    mentees: list[ProgramPerson]
    order_stage: StageView | None  # the stage whose completion fixes the pairs (20)


class SetupChange(BaseModel):
    """The method (optimal or stable) and criteria's weights by code (0 to 100, 0 turns one
    off); what is left out stays as it is."""

    method: str | None = None
    weights: dict[str, Any] | None = None


# --- Reading ------------------------------------------------------------------------------------


def pairs_in_scope(signed: sessions.Signed, program_id: int) -> PairsPage:
    now = utc_now()
    with database.session() as db:
        require_program(db, signed, program_id)
        program = program_view(db, program_id, now)
        people = program_people(db, program_id, local_today(now, program.timezone))
        return PairsPage(
            program=program,
            matching=pairs.matching_view(db, program_id),
            mentors=[p for p in people if Role.MENTOR.value in p.roles],
            mentees=[p for p in people if Role.MENTEE.value in p.roles],
            order_stage=next((s for s in program.stages if s.kind == StageKind.ORDER.value), None),
        )


def matching_in_scope(signed: sessions.Signed, program_id: int) -> pairs.MatchingView:
    with database.session() as db:
        require_program(db, signed, program_id)
        return pairs.matching_view(db, program_id)


def order_in_scope(signed: sessions.Signed, program_id: int) -> tuple[bytes, str]:
    """The fixed order as .docx and as HTML; refused in Russian before the pairs are fixed."""
    with database.session() as db:
        require_program(db, signed, program_id)
        proposal = pairs.fixed_proposal(db, program_id)
    if proposal.order_docx is None or proposal.order_html is None:  # fixed before orders kept
        raise NotFound(f"Приказ о закреплении пар программы №{program_id} не сохранён")
    return proposal.order_docx, proposal.order_html


def as_data(view: pairs.MatchingView) -> dict[str, Any]:
    """The matching view as JSON: the dataclasses' fields and what the page works out of them
    (labels, the pairs by mentor, the gap to the optimum, each criterion's line)."""
    setup, proposal = view.setup, view.proposal
    data: dict[str, Any] = {
        "program_id": view.program_id,
        "program_title": view.program_title,
        "fixed": view.fixed,
        "setup": {
            "method": setup.method.value,
            "method_label": METHOD_LABELS[setup.method],
            "methods": {method.value: label for method, label in METHOD_LABELS.items()},
            "criteria": [
                {"code": c.code, "title": c.title, "weight": weight, "default": c.weight}
                for c, weight in setup.criteria
            ],
        },
        "rules": [
            {**dataclasses.asdict(rule), "kind_label": pairs.RULE_LABELS[rule.kind]}
            for rule in view.rules
        ],
        "proposal": None,
    }
    if proposal is not None:

        def pair_data(pair: pairs.PairView) -> dict[str, Any]:
            return {
                **dataclasses.asdict(pair),
                "form_label": pair.form_label,
                "breakdown": [{**dataclasses.asdict(c), "text": c.text()} for c in pair.breakdown],
            }

        data["proposal"] = {
            "id": proposal.id,
            "method": proposal.method.value,
            "method_label": proposal.method_label,
            "weights": proposal.weights,
            "total": proposal.total,
            "optimum": proposal.optimum,
            "gap_percent": proposal.gap_percent,
            "blocking": [{"mentor": a, "mentee": b} for a, b in proposal.blocking],
            "groups": [
                {"mentor": mentor, "pairs": [pair_data(p) for p in group]}
                for mentor, group in proposal.groups
            ],
            "unmatched": [dataclasses.asdict(u) for u in proposal.unmatched],
            "made_by": proposal.made_by,
            "made_at": proposal.made_at,
            "fixed_at": proposal.fixed_at,
        }
    return data


def _json(view: pairs.MatchingView) -> JSONResponse:
    return JSONResponse(jsonable_encoder(as_data(view)), headers=PRIVATE)


# --- What the forms send ------------------------------------------------------------------------


def weights_of(codes: list[str] | None, typed: list[str] | None) -> dict[str, float | str]:
    """The weights as typed, by criterion: «2,5» or «2.5»; an empty field leaves its weight as
    it is. What is not a number is refused naming the criterion; the range is
    domain/pairs.py's to check."""
    codes, typed = codes or [], typed or []
    if len(codes) != len(typed):
        raise InvalidInput("Форма весов критериев пришла неполной: обновите страницу")
    weights: dict[str, float | str] = {}
    for code, text in zip(codes, typed, strict=True):
        cleaned = text.strip().replace(",", ".")
        if not cleaned:
            continue
        try:
            weights[code] = float(cleaned)
        except ValueError:
            title = CRITERION_TITLES.get(code, code)
            raise InvalidInput(
                f"Вес критерия «{inputs.shown(title)}» — число от 0 до "
                f"{pairs.MAX_WEIGHT:g}, а не «{inputs.shown(text)}» (0 — критерий не учитывается)"
            ) from None
    return weights


def person_of(text: str | int | None, what: str) -> int:
    """A mentor's or mentee's number as a form's list sends it."""
    cleaned = str(text if text is not None else "").strip()
    if not cleaned:
        raise InvalidInput(f"Не выбран {what}: выберите его из списка")
    if not (cleaned.isascii() and cleaned.isdigit() and len(cleaned) <= 12):
        raise InvalidInput(f"{what.capitalize()} «{inputs.shown(cleaned)}»: выберите из списка")
    return int(cleaned)


# --- Changes ------------------------------------------------------------------------------------


def in_scope(signed: sessions.Signed, program_id: int) -> None:
    with database.session() as db:
        require_program(db, signed, program_id)


def _change(
    signed: sessions.Signed,
    program_id: int,
    do: Callable[[Session, str, datetime], tuple[pairs.MatchingView, str]],
) -> tuple[pairs.MatchingView, str]:
    """One change of the program's matching in one transaction: all of it or, refused, none."""
    with database.session() as db:
        require_program(db, signed, program_id)
        return do(db, signed.account.login, utc_now())


def _outcome(view: pairs.MatchingView) -> str:
    proposal = view.proposal
    if proposal is None:
        return "её учтут, когда пары будут подобраны"
    return (
        f"пары подобраны заново: {counted(len(proposal.pairs), 'пара', 'пары', 'пар')}, "
        f"без пары — {len(proposal.unmatched)}"
    )


def run(
    signed: sessions.Signed,
    program_id: int,
    method: str | None,
    weights: dict[str, Any] | None,
) -> tuple[pairs.MatchingView, str]:
    """Match with the setup, changed first by what was given (kept as the program's setup)."""

    def do(db: Session, actor: str, now: datetime) -> tuple[pairs.MatchingView, str]:
        if method or weights:
            pairs.configure(db, program_id, actor=actor, now=now, method=method or None,
                            weights=weights)  # fmt: skip
        view = pairs.propose(db, program_id, actor=actor, now=now)
        assert view.proposal is not None
        made = view.proposal
        return view, (
            f"Пары подобраны ({made.method_label}): "
            f"{counted(len(made.pairs), 'пара', 'пары', 'пар')}, без пары — {len(made.unmatched)}"
        )

    return _change(signed, program_id, do)


def setup(
    signed: sessions.Signed,
    program_id: int,
    method: str | None,
    weights: dict[str, Any] | None,
) -> tuple[pairs.MatchingView, str]:
    def do(db: Session, actor: str, now: datetime) -> tuple[pairs.MatchingView, str]:
        pairs.configure(db, program_id, actor=actor, now=now, method=method or None,
                        weights=weights)  # fmt: skip
        view = pairs.matching_view(db, program_id)
        told = "Настройки подбора сохранены"
        if view.proposal is not None:
            told += ": пары по ним подберёт кнопка «Подобрать пары»"
        return view, told

    return _change(signed, program_id, do)


def set_rule(
    signed: sessions.Signed, program_id: int, mentor_id: int, mentee_id: int, kind: str
) -> tuple[pairs.MatchingView, str]:
    def do(db: Session, actor: str, now: datetime) -> tuple[pairs.MatchingView, str]:
        view = pairs.set_rule(db, program_id, mentor_id, mentee_id, kind, actor=actor, now=now)
        [rule] = [r for r in view.rules if (r.mentor.id, r.mentee.id) == (mentor_id, mentee_id)]
        pair = f"{rule.mentor.name} – {rule.mentee.name}"
        told = f"Пара {pair} {RULE_WORDS[kind]}; {_outcome(view)}"
        return view, told

    return _change(signed, program_id, do)


def unset_rule(
    signed: sessions.Signed, program_id: int, mentor_id: int, mentee_id: int
) -> tuple[pairs.MatchingView, str]:
    def do(db: Session, actor: str, now: datetime) -> tuple[pairs.MatchingView, str]:
        view, taken = pairs.unset_rule(db, program_id, mentor_id, mentee_id, actor=actor, now=now)
        what = "больше не закреплена" if taken.kind == pairs.PIN else "больше не запрещена"
        pair = f"{taken.mentor.name} – {taken.mentee.name}"
        return view, f"Пара {pair} {what}; {_outcome(view)}"

    return _change(signed, program_id, do)


# --- Pages --------------------------------------------------------------------------------------


def _values(shown: PairsPage) -> dict[str, Any]:
    """What pairs.html and its proposal (pairs_matching.html) are rendered with."""
    tz = zone(shown.program.timezone)
    fixed_at = shown.matching.proposal.fixed_at if shown.matching.proposal else None
    return {
        "program": shown.program,
        "matching": shown.matching,
        "mentors": shown.mentors,
        "mentees": shown.mentees,
        "order_stage": shown.order_stage,
        "methods": {method.value: label for method, label in METHOD_LABELS.items()},
        "defaults": DEFAULT_WEIGHTS,
        "max_weight": f"{pairs.MAX_WEIGHT:g}",
        "fixed_on": day_text(fixed_at.astimezone(tz).date()) if fixed_at else None,
        "local": lambda moment: moment.astimezone(tz),
        "score": number_text,
        "weight_text": lambda w: f"{w:g}".replace(".", ","),
        "section": "pairs",
    }


def _typed(method: str, codes: list[str] | None, typed: list[str] | None) -> dict[str, str]:
    """The setup form as it was filled in, shown again beside its refusal."""
    return {"method": method, **dict(zip(codes or [], typed or [], strict=False))}


def _about(given: str | None, default: str) -> str:
    return given if given in ABOUT else default


def _answer(
    request: Request,
    signed: sessions.Signed,
    program_id: int,
    about: str,
    change: Callable[[], tuple[pairs.MatchingView, str]],
    given: dict[str, str],
) -> Response:
    """The answer to a page's form: with htmx the proposal in its new state; otherwise back to
    the page, which says what was done. Refused: the reason beside the form, with its status,
    and the form as it was filled in."""
    in_scope(signed, program_id)  # out of scope: not there (404), as every page
    htmx = request.headers.get("HX-Request") == "true"
    try:
        told = change()[1]
        status, headers, given = 200, dict(PRIVATE), {}  # done: the forms start afresh
    except NastavnikError as refusal:
        told, status, headers = str(refusal), status_of(refusal), {**PRIVATE, REFUSED: "1"}
        if not htmx:
            shown = page(request, "pairs.html", signed, status_code=status, message=told,
                         message_about=about, given=given,
                         **_values(pairs_in_scope(signed, program_id)))  # fmt: skip
            shown.headers.update(headers)
            return shown
    if not htmx:
        return flash.redirect(f"/programs/{program_id}/pairs#{about}", told, about)
    values = {**_values(pairs_in_scope(signed, program_id)), "csrf": signed.csrf,
              "message": told, "message_about": about, "given": given}  # fmt: skip
    return TEMPLATES.TemplateResponse(
        request, "pairs_matching.html", values, status_code=status, headers=headers
    )


def _disposition(program_id: int) -> str:
    """An attachment's name made of the program's number alone: nothing typed by anyone."""
    russian = quote(f"Приказ о закреплении пар, программа {program_id}.docx")
    return f"attachment; filename=\"order-pairs-{program_id}.docx\"; filename*=UTF-8''{russian}"


def router() -> APIRouter:
    pages = APIRouter()
    base = "/programs/{program_id}/pairs"

    @pages.get(base, response_class=HTMLResponse, include_in_schema=False)
    def pairs_page(request: Request, program_id: int, signed: OnPage) -> Response:
        shown = page(request, "pairs.html", signed, given={},
                     **_values(pairs_in_scope(signed, program_id)))  # fmt: skip
        shown.headers.update(PRIVATE)
        return shown

    @pages.post(base + "/run", include_in_schema=False)
    def run_form(
        request: Request,
        program_id: int,
        signed: OnPage,
        csrf: Annotated[str, Form()] = "",
        method: Annotated[str, Form()] = "",
        criterion: Annotated[list[str] | None, Form()] = None,
        weight: Annotated[list[str] | None, Form()] = None,
    ) -> Response:
        check_csrf(signed, csrf)
        return _answer(
            request, signed, program_id, "setup",
            lambda: run(signed, program_id, method, weights_of(criterion, weight)),
            _typed(method, criterion, weight),
        )  # fmt: skip

    @pages.post(base + "/setup", include_in_schema=False)
    def setup_form(
        request: Request,
        program_id: int,
        signed: OnPage,
        csrf: Annotated[str, Form()] = "",
        method: Annotated[str, Form()] = "",
        criterion: Annotated[list[str] | None, Form()] = None,
        weight: Annotated[list[str] | None, Form()] = None,
    ) -> Response:
        check_csrf(signed, csrf)
        return _answer(
            request, signed, program_id, "setup",
            lambda: setup(signed, program_id, method, weights_of(criterion, weight)),
            _typed(method, criterion, weight),
        )  # fmt: skip

    def rule_form(kind: str | None) -> Callable[..., Response]:
        def handle(
            request: Request,
            program_id: int,
            signed: OnPage,
            csrf: Annotated[str, Form()] = "",
            mentor: Annotated[str, Form()] = "",
            mentee: Annotated[str, Form()] = "",
            about: Annotated[str, Form()] = "",
        ) -> Response:
            check_csrf(signed, csrf)

            def change() -> tuple[pairs.MatchingView, str]:
                chosen = person_of(mentor, "наставник"), person_of(mentee, "наставляемый")
                if kind is None:
                    return unset_rule(signed, program_id, *chosen)
                return set_rule(signed, program_id, *chosen, kind)

            return _answer(request, signed, program_id, _about(about, "rules"), change,
                           {"mentor": mentor, "mentee": mentee})  # fmt: skip

        return handle

    for action, kind in (("pin", pairs.PIN), ("forbid", pairs.FORBID), ("unset", None)):
        pages.add_api_route(base + f"/{action}", rule_form(kind), methods=["POST"],
                            name=f"pairs_{action}_form", include_in_schema=False)  # fmt: skip

    @pages.get(base + "/order.docx", include_in_schema=False)
    def order_docx(program_id: int, signed: OnPage) -> Response:
        content = order_in_scope(signed, program_id)[0]
        headers = {**PRIVATE, "Content-Disposition": _disposition(program_id)}
        return Response(content, media_type=DOCX, headers=headers)

    @pages.get(base + "/order.html", response_class=HTMLResponse, include_in_schema=False)
    def order_html(program_id: int, signed: OnPage) -> Response:
        return HTMLResponse(order_in_scope(signed, program_id)[1], headers=PRIVATE)

    # The API.

    @pages.get("/api/v1" + base, tags=["pairs"])
    def pairs_api(program_id: int, signed: OnApi) -> Any:
        """The program's matching: the method and each criterion's weight, the pairs pinned and
        forbidden, and the latest proposal (null before the first): the pairs by mentor, each
        with its form, score and each criterion's part, who is without a pair and why, for the
        stable method the blocking pairs and the gap to the optimum, and when it was fixed."""
        return _json(matching_in_scope(signed, program_id))

    @pages.post("/api/v1" + base + "/run", tags=["pairs"])
    def run_api(
        request: Request,
        program_id: int,
        signed: OnApi,
        body: Annotated[SetupChange | None, Body()] = None,
    ) -> Any:
        """Match again (the setup changed first by ``method`` and ``weights``, if given, which
        are kept); refused once the pairs are fixed."""
        check_csrf(signed, request.headers.get("X-CSRF-Token"))
        given = body or SetupChange()
        return _json(run(signed, program_id, given.method, given.weights)[0])

    @pages.post("/api/v1" + base + "/setup", tags=["pairs"])
    def setup_api(
        request: Request,
        program_id: int,
        signed: OnApi,
        body: Annotated[SetupChange | None, Body()] = None,
    ) -> Any:
        """Change the method (``optimal``, ``stable``) or criteria's weights (0 to 100; 0 turns
        one off); the proposal stays as it is until matched again."""
        check_csrf(signed, request.headers.get("X-CSRF-Token"))
        given = body or SetupChange()
        return _json(setup(signed, program_id, given.method, given.weights)[0])

    def rule_api(kind: str | None) -> Callable[..., Any]:
        def handle(
            request: Request,
            program_id: int,
            signed: OnApi,
            mentor: int | None = None,
            mentee: int | None = None,
        ) -> Any:
            check_csrf(signed, request.headers.get("X-CSRF-Token"))
            chosen = person_of(mentor, "наставник"), person_of(mentee, "наставляемый")
            if kind is None:
                return _json(unset_rule(signed, program_id, *chosen)[0])
            return _json(set_rule(signed, program_id, *chosen, kind)[0])

        return handle

    for action, kind, said in (
        ("pin", pairs.PIN, "Pin the pair ``mentor`` – ``mentee`` (always together)"),
        ("forbid", pairs.FORBID, "Forbid the pair ``mentor`` – ``mentee`` (never together)"),
        ("unset", None, "Take back the pin or prohibition of ``mentor`` – ``mentee``"),
    ):
        pages.add_api_route(
            "/api/v1" + base + f"/{action}", rule_api(kind), methods=["POST"], tags=["pairs"],
            name=f"{action}_api",
            description=f"{said}; the proposal is matched again at once. Refused (422) when "
            "the rules forbid the pin, and once the pairs are fixed (409).",
        )  # fmt: skip

    return pages
