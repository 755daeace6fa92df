"""Each program keeps its own copy of its roadmap: a later catalogue version changes new
programs only; a curator adds a stage of a known kind to one program or drops one that has not
started, and every rule (prerequisites, reminders, who hears) follows the program's copy.
SQLite and PostgreSQL; stage actions applied as their flow runs apply them, without Prefect."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import Cli
from factories import SETUP_TIME, close_prerequisites, consented, program
from sinks import HttpEndpoint, http_server
from sqlmodel import select

from domain import database, roadmap
from domain.errors import InvalidInput, NotFound, TransitionRefused
from domain.models import AuditEntry, OutboxMessage, Stage
from domain.people import add_person, assign
from domain.programs import create_program, program_view
from domain.roadmap import STAGES, StageDef
from domain.schedule import as_moment, utc_now
from domain.states import Action
from domain.transitions import request_action
from flows.roadmap_edits import add_stage, drop_stage
from notifications import outbox
from tasks.transitions import apply_with_messages

NOW = datetime(2026, 9, 2, 9, tzinfo=UTC)


@pytest.fixture
def endpoint() -> Iterator[HttpEndpoint]:
    with http_server() as server:
        yield server


def act(program_id: int, code: str, action: Action, when: datetime = NOW, **options: object) -> str:
    """A stage action as its flow run applies it; returns the stage's new state."""
    with database.session() as db:
        requested = request_action(
            db, program_id, code, action, actor="t", now=when, requested_at=utc_now(), **options
        )  # type: ignore[arg-type]
    with database.session() as db:
        applied, _ = apply_with_messages(db, requested.entry_id, None)
    return applied.to_value


def people(program_id: int, org_id: int, endpoint: HttpEndpoint) -> dict[str, int]:
    ids = {}
    with database.session() as db:
        for role in ("curator", "mentor", "mentee"):
            person = add_person(
                db, org_id=org_id, name=role, contacts=[endpoint.url(f"/{role}")], now=SETUP_TIME
            )
            assign(db, program_id=program_id, person_id=person.id, role=role)
            ids[role] = person.id
    consented(ids["mentor"], ids["mentee"])
    return ids


def messages(program_id: int, code: str) -> list[OutboxMessage]:
    with database.session() as db:
        return list(
            db.exec(
                select(OutboxMessage)
                .join(Stage, Stage.id == OutboxMessage.stage_id)  # type: ignore[arg-type]
                .where(Stage.program_id == program_id, Stage.code == code)
            ).all()
        )


# --- a new catalogue version affects new programs only ----------------------------------


def version_two() -> tuple[StageDef, ...]:
    """A later catalogue: stage 1 renamed (a new code), stage 2 removed, a stage added, and
    survey_mentees requiring the renamed one."""
    renamed = replace(STAGES[0], code="inform_staff", title="Информирование коллектива")
    kept = [
        replace(s, requires=tuple("inform_staff" if r == "inform_teachers" else r
                                  for r in s.requires if r != "inform_parents"))
        for s in STAGES[2:]
    ]  # fmt: skip
    added = StageDef(35, "inform_board", 1, roadmap.StageKind.INFORMING, 3, (roadmap.Role.CURATOR,),
                     "Информирование совета", "Информирование управляющего совета")  # fmt: skip
    return (renamed, *kept, added)


def test_a_program_keeps_its_roadmap_when_the_catalogue_changes(
    database_url: str, endpoint: HttpEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = program()
    ids = people(old.id, old.org_id, endpoint)
    # A new release of Nastavnik ships catalogue version 2.
    monkeypatch.setitem(roadmap.CATALOGUES, 2, version_two())
    monkeypatch.setattr(roadmap, "CURRENT_VERSION", 2)

    with database.session() as db:
        view = program_view(db, old.id, NOW)
    assert view.roadmap_version == 1
    assert [s.code for s in view.stages] == [s.code for s in STAGES]
    # Its stages, by their old codes and numbers, still go by its own rules.
    assert act(old.id, "inform_teachers", Action.START) == "active"
    assert act(old.id, "2", Action.START) == "active"
    with pytest.raises(TransitionRefused, match="Информирование родителей"):
        act(old.id, "survey_mentees", Action.START)
    with pytest.raises(InvalidInput, match="inform_staff"):
        act(old.id, "inform_staff", Action.START)
    # And its reminders: a sweep three days before stage 1's deadline reminds its curator.
    with database.session() as db:
        outbox.enqueue_due(db, as_moment(datetime(2026, 9, 5, 10), "Europe/Moscow"))
    reminded = {(m.kind, m.person_id) for m in messages(old.id, "inform_teachers")}
    assert ("reminder", ids["curator"]) in reminded

    with database.session() as db:
        new = create_program(
            db, org_id=old.org_id, title="Новая", start=date(2026, 9, 1), actor="t", now=NOW
        )
    assert new.roadmap_version == 2
    assert [s.code for s in new.stages][:2] == ["inform_staff", "inform_partners"]
    assert new.stages_total == len(STAGES)  # one removed, one added
    assert act(new.id, "inform_board", Action.START) == "active"


# --- a curator adds a stage ----------------------------------------------------------------


def test_an_added_stage_waits_for_its_prerequisites_and_reaches_its_people(
    database_url: str, endpoint: HttpEndpoint
) -> None:
    made = program()
    ids = people(made.id, made.org_id, endpoint)
    added = add_stage(
        made.id, kind="event", code="open_lesson", title="Открытый урок", week=22,
        who=["pair"], requires=["first_meeting"], actor="curator", now=NOW,
    )  # fmt: skip
    assert (added.number, added.due_date) == (35, date(2026, 9, 1) + timedelta(weeks=22))
    with database.session() as db:
        view = program_view(db, made.id, NOW)
        entry = db.get(AuditEntry, added.entry_id)
    assert view.stages_total == 35 and view.stages[-1].code == "open_lesson"
    assert view.stages[-1].kind == "event" and view.stages[-1].who == ["pair"]
    assert entry is not None and (entry.action, entry.actor) == ("add", "curator")

    with pytest.raises(TransitionRefused, match="Первая встреча"):
        act(made.id, "open_lesson", Action.START)
    close_prerequisites(made.id, "open_lesson")
    assert act(made.id, "35", Action.START) == "active"
    invited = {m.person_id for m in messages(made.id, "open_lesson") if m.kind == "invitation"}
    assert invited == {ids["mentor"], ids["mentee"]}


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"kind": "dance"}, "Неизвестный вид этапа «dance»"),
        ({"code": "first_meeting"}, r"уже есть \(или был\) этап с кодом «first_meeting»"),
        ({"code": "Урок"}, "Код этапа «Урок»"),
        ({"requires": ["nope"]}, "нет этапа «nope»"),
        ({"who": ["coordinator"]}, "Неизвестная роль «coordinator»"),
        ({"week": 99}, "позже окончания программы"),
        ({"title": " "}, "название этапа"),
    ],
)
def test_a_stage_that_cannot_be_added_is_refused_and_nothing_is_stored(
    database_url: str, change: dict[str, object], says: str
) -> None:
    made = program()
    stage: dict[str, object] = {"kind": "event", "title": "Урок", "week": 10, "actor": "t"}
    with pytest.raises(InvalidInput, match=says):
        add_stage(made.id, **{**stage, **change})
    with database.session() as db:
        assert program_view(db, made.id, NOW).stages_total == len(STAGES)
        assert len(db.exec(select(AuditEntry)).all()) == 1  # the program's creation


# --- a curator drops a stage ---------------------------------------------------------------


def test_a_dropped_stage_leaves_the_roadmap_its_messages_and_its_place_in_the_order(
    database_url: str, endpoint: HttpEndpoint
) -> None:
    made = program()
    ids = people(made.id, made.org_id, endpoint)
    with database.session() as db:  # the curator's reminder of stage 2, not started
        outbox.enqueue_due(db, as_moment(datetime(2026, 9, 12, 10), "Europe/Moscow"))
    assert {m.status for m in messages(made.id, "inform_parents")} == {"queued"}

    dropped = drop_stage(made.id, "inform_parents", reason="педагогическая программа", actor="c")
    assert dropped.rewired == ["survey_mentees"]
    assert {m.status for m in messages(made.id, "inform_parents")} == {"cancelled"}
    with database.session() as db:
        view = program_view(db, made.id, NOW)
    assert "inform_parents" not in [s.code for s in view.stages]
    assert view.stages_total == len(STAGES) - 1
    survey = next(s for s in view.stages if s.code == "survey_mentees")
    assert survey.requires == ["inform_teachers", "inform_students"]
    with pytest.raises(NotFound, match="исключён из программы"):
        act(made.id, "inform_parents", Action.START)
    # Survey now waits for stages 1 and 4 only.
    for code in ("inform_teachers", "inform_students"):
        act(made.id, code, Action.SKIP, reason="не нужно")
    assert act(made.id, "survey_mentees", Action.START) == "active"
    assert ids["curator"] not in {m.person_id for m in messages(made.id, "inform_parents")
                                  if m.status == "queued"}  # fmt: skip


def test_a_started_stage_cannot_be_dropped_and_nothing_changes(database_url: str) -> None:
    made = program()
    act(made.id, "inform_teachers", Action.START)
    with pytest.raises(TransitionRefused, match="только не начатый"):
        drop_stage(made.id, "1", reason="поздно", actor="c")
    with pytest.raises(InvalidInput, match="причина"):
        drop_stage(made.id, "2", reason=" ", actor="c")
    with database.session() as db:
        view = program_view(db, made.id, NOW)
        entries = [e.action for e in db.exec(select(AuditEntry)).all()]
    assert view.stages_total == len(STAGES) and "drop" not in entries


# --- the command line -------------------------------------------------------------------------


def test_stage_add_and_drop_from_the_command_line(database_url: str, cli: Cli) -> None:
    made = program()
    added = cli.json(
        "stage", "add", str(made.id), "--kind", "meeting", "--title", "Встреча с родителями",
        "--week", "20", "--who", "curator,mentee", "--requires", "19",
    )  # fmt: skip
    assert (added["code"], added["requires"], added["due_date"]) == (
        "meeting_35",
        ["form_pairs"],
        "2027-01-19",
    )
    dropped = cli.ok("stage", "drop", str(made.id), "meeting_35", "--reason", "передумали")
    assert "этап 35 «Встреча с родителями» исключён из дорожной карты" in dropped
    assert cli("stage", "drop", str(made.id), "35", "--reason", "ещё раз") == 3
    assert "исключён из программы" in cli.err
    assert cli("stage", "add", str(made.id), "--kind", "x", "--title", "t", "--week", "2") == 2
    assert "Неизвестный вид этапа" in cli.err and "Traceback" not in cli.err
    history = cli.json("history", str(made.id))
    assert [row["action"] for row in history] == ["create", "add", "drop"]
    assert [row["action_label"] for row in history][1:] == ["добавить этап", "исключить этап"]
