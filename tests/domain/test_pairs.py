"""A program's pairs from its database (domain/pairs.py): the candidates as their answers,
consents, profiles and recorded facts say; proposals kept with every pair's breakdown and every
unmatched person's reason; the curator's pins, prohibitions, method and weights; stage 19
proposing when it starts and stage 20 fixing the pairs with the order and telling everyone
their pair, or refusing in Russian and changing nothing. SQLite and PostgreSQL; the stages
move through real flow runs; the messages go through a real SMTP server."""

from __future__ import annotations

import asyncio
import html
import io
import re
from datetime import date, datetime

import docx
import pytest
import sqlalchemy as sa
from conftest import snapshot
from factories import WITHOUT_CONSENT, close_prerequisites, matching_program, program
from fastapi.testclient import TestClient
from sinks import plain_text, received, smtp_server
from sqlmodel import col, select

from app.web.main import create_app
from domain import database, pairs
from domain.consents import withdraw_consent
from domain.errors import InvalidInput, TransitionRefused
from domain.history import change_text, program_history
from domain.matching import match
from domain.models import (
    AuditEntry,
    Consent,
    MatchSetup,
    OutboxMessage,
    Person,
    Program,
    ProgramRole,
    Stage,
)
from domain.organisations import edit_organisation
from domain.person_links import page_url
from domain.roadmap_changes import add_stage
from domain.states import Action
from flows.actions import act_on_stage
from flows.reminders import reminder_sweep

SITE = "https://nastavnik.example"
NOW = datetime.fromisoformat("2026-11-20T10:00+03:00")  # stage 19 is due on 24.11.2026
ORLOVA, EGOROV = "Орлова Анна Сергеевна", "Егоров Павел Ильич"
MALTSEV, LEBEDEVA = "Мальцев Игорь Олегович", "Лебедева Ольга Викторовна"
SOKOLOVA = "Соколова Вера Андреевна"
EGOROV_ACCUSATIVE = "Егорова Павла Ильича"
ZAITSEV, PUSTOVA = WITHOUT_CONSENT, "Пустова Нина Ивановна"
# What the questionnaires make of them: Орлова (two places) serves exams and discipline, Егоров
# projects on Saturdays.
EXPECTED = [(EGOROV, SOKOLOVA), (ORLOVA, LEBEDEVA), (ORLOVA, MALTSEV)]


@pytest.fixture
def world(database_url: str) -> dict[str, int]:
    return matching_program()


def names(view: pairs.MatchingView) -> list[tuple[str, str]]:
    assert view.proposal is not None
    return sorted((p.mentor.name, p.mentee.name) for p in view.proposal.pairs)


def propose(world: dict[str, int], **kwargs: object) -> pairs.MatchingView:
    with database.session() as db:
        return pairs.propose(db, world["program"], actor="куратор", now=NOW, **kwargs)  # type: ignore[arg-type]


def rule(world: dict[str, int], mentor: str, mentee: str, kind: str) -> pairs.MatchingView:
    with database.session() as db:
        return pairs.set_rule(
            db, world["program"], world[mentor], world[mentee], kind, actor="куратор", now=NOW
        )


def withdraw(person_id: int, at: datetime = NOW) -> None:
    with database.session() as db:
        consent = db.exec(select(Consent).where(Consent.person_id == person_id)).one()
        withdraw_consent(db, consent.id or 0, actor="представитель", now=at)


def personal_page_of(person_id: int, monkeypatch: pytest.MonkeyPatch) -> str:
    """The participant's own page, opened by their personal link."""
    monkeypatch.setenv("NASTAVNIK_PUBLIC_URL", SITE)
    with database.session() as db:
        url = page_url(db.get_one(Person, person_id))
    assert url is not None
    page = TestClient(create_app(), base_url=SITE).get(url.removeprefix(SITE))
    assert page.status_code == 200
    return page.text


def partners_on(page: str) -> str:
    [card] = re.findall(r'<div class="card" id="partners-\d+">([^<]*)</div>', page)
    return html.unescape(card)


def act(world: dict[str, int], code: str, action: Action, at: datetime = NOW) -> None:
    asyncio.run(act_on_stage(world["program"], code, action, actor="куратор", now=at))


# --- Proposals ----------------------------------------------------------------------------------


def test_a_proposal_keeps_each_pair_with_why_and_each_unmatched_with_the_reason(
    world: dict[str, int],
) -> None:
    made = propose(world)
    assert names(made) == EXPECTED
    # Read back in a new session: what the curator sees is what was kept.
    with database.session() as db:
        view = pairs.matching_view(db, world["program"])
    assert view == made
    proposal = view.proposal
    assert proposal is not None and proposal.made_by == "куратор" and proposal.fixed_at is None
    for pair in proposal.pairs:
        assert pair.form == "teacher_teacher" and pair.form_label == "учитель – учитель"
        assert pair.score == pytest.approx(sum(part.score for part in pair.breakdown))
        assert [part.code for part in pair.breakdown] == list(view.setup.weights)
    [maltsev] = [p for p in proposal.pairs if p.mentee.name == MALTSEV]
    assert maltsev.mentor.place == "учитель математики"
    request = maltsev.breakdown[0]
    assert request.text().startswith("Запрос наставляемого и компетенции наставника: 1,00 × 3")
    assert "«Подготовиться к экзаменам или олимпиадам»" in request.explanation
    why = {u.person.name: u.reason for u in proposal.unmatched}
    assert why == {
        ZAITSEV: "нет действующего согласия на обработку персональных данных",
        PUSTOVA: "все подходящие наставники заняты",
    }
    # The same total as the matching core on the same candidates: nothing lost on the way.
    with database.session() as db:
        mentors, mentees = pairs.candidates(db, world["program"], NOW.date())
    assert proposal.total == pytest.approx(match(mentors, mentees, forms=["teacher_teacher"]).total)


def test_a_recorded_birth_date_and_category_are_surer_than_the_survey(
    world: dict[str, int],
) -> None:
    with database.session() as db:
        maltsev = db.get_one(Person, world[MALTSEV])
        maltsev.birth_date = date(1990, 12, 1)  # the survey says 24
        pustova = db.get_one(Person, world[PUSTOVA])  # answered nothing
        pustova.category, pustova.teaching_since = "teacher", 2025
    with database.session() as db:
        _, mentees = pairs.candidates(db, world["program"], NOW.date())
    by_id = {mentee.id: mentee for mentee in mentees}
    assert by_id[world[MALTSEV]].age == 35
    assert by_id[world[PUSTOVA]].status == "teacher"
    assert by_id[world[PUSTOVA]].groups == {"young_teachers"}
    assert not by_id[world[ZAITSEV]].consent


def test_pins_stay_through_every_matching_and_a_forbidden_pair_never_comes(
    world: dict[str, int],
) -> None:
    propose(world)
    pinned = rule(world, EGOROV, MALTSEV, pairs.PIN)  # re-matched at once
    assert (EGOROV, MALTSEV) in names(pinned)
    assert pinned.proposal is not None
    assert [p.pinned for p in pinned.proposal.pairs if p.mentee.name == MALTSEV] == [True]
    assert [(r.mentor.name, r.mentee.name, r.kind) for r in pinned.rules] == [
        (EGOROV, MALTSEV, "pin")
    ]
    again = propose(world, method="stable")
    assert again.proposal is not None and again.proposal.method == "stable"
    assert (EGOROV, MALTSEV) in names(again)

    forbidden = rule(world, ORLOVA, LEBEDEVA, pairs.FORBID)
    assert (ORLOVA, LEBEDEVA) not in names(forbidden)
    assert forbidden.proposal is not None and forbidden.proposal.method == "stable"
    # A pin said again of the same pair replaces the prohibition, and the other way round.
    assert {(r.mentee.name, r.kind) for r in rule(world, ORLOVA, LEBEDEVA, pairs.PIN).rules} == {
        (MALTSEV, "pin"),
        (LEBEDEVA, "pin"),
    }
    with database.session() as db:
        pairs.unset_rule(db, world["program"], world[EGOROV], world[MALTSEV], actor="к", now=NOW)
        back, taken = pairs.unset_rule(
            db, world["program"], world[ORLOVA], world[LEBEDEVA], actor="к", now=NOW
        )
    assert (taken.mentor.name, taken.mentee.name, taken.kind) == (ORLOVA, LEBEDEVA, pairs.PIN)
    assert back.rules == () and names(propose(world)) == EXPECTED
    nothing = "не закреплена и не запрещена"
    with pytest.raises(InvalidInput, match=nothing), database.session() as db:
        pairs.unset_rule(db, world["program"], world[ORLOVA], world[MALTSEV], actor="к", now=NOW)


@pytest.mark.parametrize(
    ("mentor", "mentee", "refusal"),
    [
        (EGOROV, ZAITSEV, rf"наставляемый {ZAITSEV} \(№\d+\) невозможна: наставляемый: нет "
                          "действующего согласия"),
        (MALTSEV, SOKOLOVA, rf"{MALTSEV} \(№\d+\) не участвует в программе №\d+ в роли "
                            "«наставник»"),
        (EGOROV, ORLOVA, rf"{ORLOVA} \(№\d+\) не участвует в программе №\d+ в роли "
                         "«наставляемый»"),
    ],
)  # fmt: skip
def test_a_pin_that_cannot_stand_is_refused_naming_why_and_nothing_is_stored(
    world: dict[str, int], database_url: str, mentor: str, mentee: str, refusal: str
) -> None:
    propose(world)
    before = snapshot(database_url)
    with pytest.raises(InvalidInput, match=refusal):
        rule(world, mentor, mentee, pairs.PIN)
    assert snapshot(database_url) == before


def test_the_curator_weighs_the_criteria_and_chooses_the_method(
    world: dict[str, int], database_url: str
) -> None:
    with database.session() as db:
        setup = pairs.configure(
            db, world["program"], actor="к", now=NOW, method="stable",
            weights={"request": 0, "interests": 5},
        )  # fmt: skip
    assert setup.method == "stable" and setup.changed == {"request": 0.0, "interests": 5.0}
    view = propose(world)
    assert view.proposal is not None and view.proposal.method == "stable"
    assert view.proposal.blocking == () and view.proposal.gap_percent is not None
    for pair in view.proposal.pairs:
        assert "request" not in {part.code for part in pair.breakdown}  # weight 0: off
        assert {part.weight for part in pair.breakdown if part.code == "interests"} == {5.0}
    with database.session() as db:  # nothing asked, nothing written
        pairs.configure(db, world["program"], actor="другой", now=NOW)
    with database.session() as db:
        assert db.get_one(MatchSetup, world["program"]).updated_by == "к"
    with database.session() as db:  # the default weight again is no change
        assert pairs.configure(db, world["program"], actor="к", now=NOW,
                               weights={"request": 3}).changed == {"interests": 5.0}  # fmt: skip
    before = snapshot(database_url)
    for weights, method, refusal in (
        ({"request": -1}, None, "число от 0 до 100"),
        ({"request": 101}, None, "число от 0 до 100"),
        ({"request": True}, None, "число от 0 до 100"),
        ({"request": float("nan")}, None, "число от 0 до 100"),
        ({"charm": 1}, None, "Неизвестный критерий подбора «charm»"),
        (None, "greedy", "Неизвестный способ подбора «greedy»"),
    ):
        with pytest.raises(InvalidInput, match=refusal), database.session() as db:
            pairs.configure(db, world["program"], actor="к", now=NOW, method=method,
                            weights=weights)  # fmt: skip
    assert snapshot(database_url) == before


def test_in_a_program_of_several_forms_each_participant_is_matched_in_their_own(
    world: dict[str, int],
) -> None:
    with database.session() as db:
        db.get_one(Program, world["program"]).forms = ["teacher_teacher", "traditional"]
    view = propose(world)
    assert view.proposal is not None and view.proposal.pairs == ()
    assert all(
        "не указана форма наставничества, а программа ведёт несколько" in u.reason
        for u in view.proposal.unmatched
        if u.person.name != ZAITSEV
    )
    with database.session() as db:
        for name in (ORLOVA, MALTSEV, LEBEDEVA):
            pairs.set_profile(
                db, world["program"], world[name], actor="к", now=NOW, form="учитель – учитель"
            )
        for name in (EGOROV, SOKOLOVA):
            pairs.set_profile(
                db, world["program"], world[name], actor="к", now=NOW, form="traditional"
            )
        with pytest.raises(InvalidInput, match="не ведётся"):
            pairs.set_profile(
                db, world["program"], world[PUSTOVA], actor="к", now=NOW, form="ученик – ученик"
            )
    view = propose(world)
    assert names(view) == EXPECTED
    assert view.proposal is not None
    assert {(p.mentee.name, p.form) for p in view.proposal.pairs} == {
        (MALTSEV, "teacher_teacher"),
        (LEBEDEVA, "teacher_teacher"),
        (SOKOLOVA, "traditional"),
    }


def test_a_psychologists_type_counts_where_both_were_assessed(world: dict[str, int]) -> None:
    with database.session() as db:
        for name in (EGOROV, MALTSEV):
            pairs.set_profile(
                db, world["program"], world[name], actor="к", now=NOW, psych_type="аналитик"
            )
    propose(world)
    with database.session() as db:
        mentors, _ = pairs.candidates(db, world["program"], NOW.date())
    assert {m.psych_type for m in mentors} == {None, "аналитик"}
    pinned = rule(world, EGOROV, MALTSEV, pairs.PIN)
    assert pinned.proposal is not None
    [pair] = [p for p in pinned.proposal.pairs if p.mentee.name == MALTSEV]
    [psych] = [part for part in pair.breakdown if part.code == "psych"]
    assert psych.points == 1.0


def test_the_curators_changes_of_the_matching_are_in_the_programs_log_by_number(
    world: dict[str, int],
) -> None:
    propose(world)
    rule(world, EGOROV, MALTSEV, pairs.PIN)
    with database.session() as db:
        pairs.unset_rule(db, world["program"], world[EGOROV], world[MALTSEV], actor="к", now=NOW)
        pairs.configure(db, world["program"], actor="завуч", now=NOW, weights={"psych": 0})
        pairs.set_profile(db, world["program"], world[MALTSEV], actor="психолог", now=NOW,
                          psych_type="аналитик")  # fmt: skip
        log = program_history(db, world["program"])
    mentor, mentee = world[EGOROV], world[MALTSEV]
    assert [
        (row.action_label, row.stage_code, row.actor, row.from_value, row.to_value, row.status)
        for row in log
        if row.action not in ("create",)
    ] == [
        ("подобрать пары", "form_pairs", "куратор", "наибольшая общая совместимость",
         "предложение №1", "applied"),
        ("закрепить пару", "form_pairs", "куратор", None, f"№{mentor} – №{mentee}", "applied"),
        ("снять закрепление или запрет пары", "form_pairs", "к", "закреплена",
         f"№{mentor} – №{mentee}", "applied"),
        ("настроить подбор", "form_pairs", "завуч", "psych=0", "наибольшая общая совместимость",
         "applied"),
        ("форма и тип участника для подбора", "form_pairs", "психолог",
         "форма не указана; психологический тип указан", f"№{mentee}", "applied"),
    ]  # fmt: skip
    assert [change_text(row) for row in log[1:3]] == [
        "предложение №1: наибольшая общая совместимость",
        f"№{mentor} – №{mentee}",
    ]
    # Numbers only: the log outlives the program's people, and names are theirs.
    logged = " ".join(str(value) for row in log for value in (row.from_value, row.to_value))
    assert not any(name in logged for name in (EGOROV, MALTSEV, "аналитик"))
    assert log[1].effective_at == NOW


# --- Stages 19 and 20 ---------------------------------------------------------------------------

pytestmark_flows = pytest.mark.usefixtures("prefect_api")


@pytestmark_flows
def test_stage_19_proposes_and_stage_20_fixes_the_pairs_with_the_order(
    world: dict[str, int], database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    act(world, "form_pairs", Action.START)
    with database.session() as db:
        proposed = pairs.matching_view(db, world["program"])
    assert names(proposed) == EXPECTED
    assert proposed.proposal is not None and proposed.proposal.made_by == "куратор"
    rule(world, EGOROV, MALTSEV, pairs.PIN)
    act(world, "form_pairs", Action.COMPLETE)
    act(world, "fix_pairs", Action.START)
    page = personal_page_of(world[MALTSEV], monkeypatch)
    assert "Ваш наставник" not in page  # a proposal is the curator's until it is fixed
    act(world, "fix_pairs", Action.COMPLETE)
    page = personal_page_of(world[MALTSEV], monkeypatch)
    assert partners_on(page) == f"Ваш наставник: {EGOROV} (учитель истории)"
    assert partners_on(personal_page_of(world[ORLOVA], monkeypatch)) == (
        f"Ваши наставляемые: {LEBEDEVA} (учитель русского языка), {SOKOLOVA} (учитель истории)"
    )

    with database.session() as db:
        view = pairs.matching_view(db, world["program"])
        kept = pairs.fixed_proposal(db, world["program"])
        told = db.exec(
            select(OutboxMessage).where(OutboxMessage.kind == "pair").order_by(
                col(OutboxMessage.person_id))
        ).all()  # fmt: skip
    assert view.fixed and view.proposal is not None and view.proposal.fixed_at == NOW
    assert kept.order_docx is not None and kept.order_html is not None
    order = docx.Document(io.BytesIO(kept.order_docx))
    [table] = order.tables
    rows = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    # Орлова leads a group: Мальцев, pinned to Егоров, left her place to Соколова.
    assert [row[1:] for row in rows] == [
        [f"{ORLOVA}, учитель математики",
         f"{LEBEDEVA}, учитель русского языка\n{SOKOLOVA}, учитель истории",
         "учитель – учитель", "с 01.09.2026 по 18.05.2027"],
        [f"{EGOROV}, учитель истории", f"{MALTSEV}, учитель математики",
         "учитель – учитель", "с 01.09.2026 по 18.05.2027"],
    ]  # fmt: skip
    paragraphs = "\n".join(p.text for p in order.paragraphs)
    # The mentees are adults (teachers): acquainted with the order themselves.
    assert f"{EGOROV_ACCUSATIVE} и наставляемых;\n" in paragraphs
    assert "Директор\tБ. Н. Котов" in paragraphs
    appointed = "Назначить куратором программы наставничества «Наставничество педагогов» Иванову"
    assert f"{appointed} Марию Петровну" in paragraphs
    assert MALTSEV in kept.order_html and "ПРИКАЗ" in kept.order_html

    # Everyone in a pair hears whom they are with: each mentor, each mentee, once.
    paired = {pid for p in view.proposal.pairs for pid in (p.mentor.id, p.mentee.id)}
    assert sorted(m.person_id for m in told) == sorted(paired)
    bodies = {m.person_id: m.body for m in told}
    assert f"Ваш наставник: {EGOROV} (учитель истории)." in bodies[world[MALTSEV]]
    assert f"Ваш наставляемый: {MALTSEV} (учитель математики)." in bodies[world[EGOROV]]
    assert (
        f"Ваши наставляемые:\n— {LEBEDEVA} (учитель русского языка)\n— {SOKOLOVA} (учитель "
        "истории)\n" in bodies[world[ORLOVA]]
    )
    # From now on the pairs are the order's: nothing of the matching changes.
    before = snapshot(database_url)
    with pytest.raises(TransitionRefused, match=r"закреплены приказом 20\.11\.2026"):
        propose(world)
    with pytest.raises(TransitionRefused, match="закреплены приказом"):
        rule(world, ORLOVA, MALTSEV, pairs.FORBID)
    with pytest.raises(TransitionRefused, match="закреплены приказом"), database.session() as db:
        pairs.configure(db, world["program"], actor="к", now=NOW, weights={"psych": 0})
    assert snapshot(database_url) == before
    # Nor does a stage of matching the curator adds to the roadmap afterwards.
    with database.session() as db:
        add_stage(db, world["program"], kind="matching", title="Новый подбор", week=30,
                  actor="к", now=NOW, requires=["fix_pairs"], code="rematch")  # fmt: skip
    before = snapshot(database_url)
    with pytest.raises(TransitionRefused, match="закреплены приказом"):
        act(world, "rematch", Action.START)
    assert snapshot(database_url) == before


@pytestmark_flows
def test_stage_20_is_refused_while_there_is_nothing_to_fix_or_no_one_may_be_named(
    world: dict[str, int], database_url: str
) -> None:
    program_id = world["program"]
    with database.session() as db:  # stage 19 skipped: nothing was matched
        db.execute(
            sa.update(Stage)
            .where(col(Stage.program_id) == program_id, col(Stage.code) == "form_pairs")
            .values(state="skipped")
        )
    act(world, "fix_pairs", Action.START)
    before = snapshot(database_url)
    with pytest.raises(
        TransitionRefused, match=f"ещё не подобраны: nastavnik match run {program_id}"
    ):
        act(world, "fix_pairs", Action.COMPLETE)

    propose(world)
    withdraw(world[MALTSEV])
    with pytest.raises(TransitionRefused, match=rf"согласия .* у {MALTSEV} \(№\d+\) на 20.11.2026"):
        act(world, "fix_pairs", Action.COMPLETE)

    propose(world)  # Мальцев is left out now
    with database.session() as db:  # the director leaves the program
        db.execute(sa.delete(ProgramRole).where(col(ProgramRole.person_id) == world["director"]))
    with pytest.raises(TransitionRefused, match="нет участника в роли «руководитель ОО»"):
        act(world, "fix_pairs", Action.COMPLETE)
    with database.session() as db:
        stage = db.exec(select(Stage).where(Stage.program_id == program_id,
                                            Stage.code == "fix_pairs")).one()  # fmt: skip
        refused = db.exec(select(AuditEntry).where(AuditEntry.status == "refused")).all()
        assert stage.state == "active" and pairs.fixed_pairs(db, program_id) == []
        assert not db.exec(select(OutboxMessage).where(OutboxMessage.kind == "pair")).all()
    # Refused before a flow ran: nothing was recorded as refused in the log either.
    assert refused == []
    assert snapshot(database_url)["match_proposal"] != before["match_proposal"]


@pytestmark_flows
def test_stage_19_does_not_start_on_a_pin_that_can_no_longer_stand(
    world: dict[str, int], database_url: str
) -> None:
    rule(world, EGOROV, MALTSEV, pairs.PIN)  # no proposal yet: kept for when there is one
    withdraw(world[MALTSEV])
    before = snapshot(database_url)
    with pytest.raises(InvalidInput, match=rf"наставляемый {MALTSEV} \(№\d+\) невозможна"):
        act(world, "form_pairs", Action.START)
    with pytest.raises(InvalidInput, match=rf"наставляемый {MALTSEV} \(№\d+\) невозможна"):
        propose(world)  # the curator's «Подобрать пары» names them too
    assert snapshot(database_url) == before
    with database.session() as db:
        pairs.unset_rule(db, world["program"], world[EGOROV], world[MALTSEV], actor="к", now=NOW)
    act(world, "form_pairs", Action.START)
    with database.session() as db:
        assert MALTSEV not in {p for pair in names(pairs.matching_view(db, world["program"]))
                               for p in pair}  # fmt: skip


@pytestmark_flows
def test_a_program_without_participants_completes_stage_20_with_nothing_to_fix(
    database_url: str,
) -> None:
    shown = program()
    close_prerequisites(shown.id, "fix_pairs")
    world = {"program": shown.id}
    act(world, "fix_pairs", Action.START)
    act(world, "fix_pairs", Action.COMPLETE)
    with database.session() as db:
        stage = db.exec(
            select(Stage).where(Stage.program_id == shown.id, Stage.code == "fix_pairs")
        ).one()
        assert stage.state == "done"
        assert pairs.matching_view(db, shown.id).proposal is None


@pytestmark_flows
def test_every_participant_gets_their_pair_by_email(world: dict[str, int]) -> None:
    with smtp_server() as (port, inbox):
        with database.session() as db:
            org_id = db.get_one(Program, world["program"]).org_id
            edit_organisation(db, org_id, smtp_url=f"mailto://127.0.0.1:{port}?from=n@school.ru")
        act(world, "form_pairs", Action.START)
        act(world, "form_pairs", Action.COMPLETE)
        act(world, "fix_pairs", Action.START)
        act(world, "fix_pairs", Action.COMPLETE)
        asyncio.run(reminder_sweep(NOW))
    with database.session() as db:
        address = {
            pid: db.exec(sa.text(f"SELECT url FROM contact WHERE person_id = {pid}")).scalar_one()
            for pid in (world[name] for name in (ORLOVA, EGOROV, MALTSEV, LEBEDEVA, SOKOLOVA))
        }
    mails = {}
    for envelope in inbox.envelopes:
        message = received(envelope)
        if str(message["Subject"]).startswith("Наставническая пара"):
            [to] = envelope.rcpt_tos
            mails[to] = plain_text(message)
    said = {url.removeprefix("mailto://"): url for url in address.values()}
    assert set(mails) == set(said)
    maltsev = address[world[MALTSEV]].removeprefix("mailto://")
    assert f"Ваш наставник: {ORLOVA} (учитель математики)." in mails[maltsev]
    orlova = address[world[ORLOVA]].removeprefix("mailto://")
    assert (
        f"Ваши наставляемые:\n— {MALTSEV} (учитель математики)\n— {LEBEDEVA} (учитель "
        "русского языка)\n" in mails[orlova]
    )
