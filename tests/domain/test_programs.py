"""Organisations and programs on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from factories import SETUP_TIME, START, program, school

from domain import database
from domain.errors import InvalidInput, NotFound
from domain.organisations import add_organisation, list_organisations
from domain.programs import create_program, list_programs, program_view
from domain.roadmap import STAGES


def test_time_zone_is_inherited_down_the_hierarchy(database_url: str) -> None:
    with database.session() as db:
        region = add_organisation(
            db,
            name="Свердловская область",
            kind="region",
            timezone="Asia/Yekaterinburg",
            now=SETUP_TIME,
        )
        city = add_organisation(
            db, name="Екатеринбург", kind="муниципалитет", parent_id=region.id, now=SETUP_TIME
        )
        school_ = add_organisation(
            db, name="Гимназия № 9", kind="school", parent_id=city.id, now=SETUP_TIME
        )
        partner = add_organisation(
            db,
            name="Завод",
            kind="enterprise",
            parent_id=city.id,
            timezone="Europe/Moscow",
            now=SETUP_TIME,
        )
    assert (school_.timezone, school_.timezone_inherited) == ("Asia/Yekaterinburg", True)
    assert (partner.timezone, partner.timezone_inherited) == ("Europe/Moscow", False)
    with database.session() as db:
        listed = {org.name: org.timezone for org in list_organisations(db)}
    assert listed["Гимназия № 9"] == "Asia/Yekaterinburg"


@pytest.mark.parametrize(
    ("kind", "parent_kind", "needle"),
    [
        ("municipality", "school", "не может входить"),
        ("region", "region", "не может входить"),
        ("планета", None, "Неизвестный тип организации «планета»"),
    ],
)
def test_wrong_hierarchy_is_refused_and_nothing_is_stored(
    database_url: str, kind: str, parent_kind: str | None, needle: str
) -> None:
    parent_id = None
    with database.session() as db:
        if parent_kind == "school":
            parent_id = school()
        elif parent_kind:
            parent_id = add_organisation(
                db, name="Родитель", kind=parent_kind, timezone="Europe/Moscow", now=SETUP_TIME
            ).id
    with database.session() as db:
        before = len(list_organisations(db))
    with pytest.raises(InvalidInput, match=needle), database.session() as db:
        add_organisation(
            db,
            name="Новая",
            kind=kind,
            parent_id=parent_id,
            timezone="Europe/Moscow",
            now=SETUP_TIME,
        )
    with database.session() as db:
        assert len(list_organisations(db)) == before


def test_top_level_organisation_needs_a_time_zone(database_url: str) -> None:
    with pytest.raises(InvalidInput, match="часовой пояс"), database.session() as db:
        add_organisation(db, name="Округ", kind="municipality", now=SETUP_TIME)


def test_program_gets_34_stages_due_week_by_week(database_url: str) -> None:
    created = program()
    assert [s.number for s in created.stages] == list(range(1, 35))
    for stage, definition in zip(created.stages, STAGES, strict=True):
        assert stage.code == definition.code
        assert stage.due_date == START + timedelta(weeks=definition.week)
        assert stage.state == "planned"
    meetings = created.stages[23]
    assert meetings.code == "regular_meetings"
    assert [o.due_date for o in meetings.occurrences] == [
        START + timedelta(weeks=week) for week in range(16, 33, 2)
    ]
    assert len(created.stages[24].occurrences) == 5
    assert created.end_date == START + timedelta(weeks=37)
    assert created.curator == "Иванова Мария Петровна"


def test_program_start_defaults_to_the_schools_local_today(database_url: str) -> None:
    vladivostok = school("Asia/Vladivostok")
    late_evening_utc = datetime(2026, 8, 31, 15, 30, tzinfo=UTC)  # 01:30 on 1 Sept there
    with database.session() as db:
        created = create_program(db, org_id=vladivostok, title="П", actor="t", now=late_evening_utc)
    assert created.start_date == date(2026, 9, 1)


def test_overdue_depends_on_the_schools_time_zone(database_url: str) -> None:
    """The same deadline, the same moment: overdue in Vladivostok, not yet in Kaliningrad."""
    east = program(school("Asia/Vladivostok"))
    west = program(school("Europe/Kaliningrad"))
    first_due = east.stages[0].due_date  # 2026-09-08
    moment = datetime(2026, 9, 8, 21, 30, tzinfo=UTC)
    with database.session() as db:
        east_now = program_view(db, east.id, moment)
        west_now = program_view(db, west.id, moment)
    assert east_now.stages[0].due_date == west_now.stages[0].due_date == first_due
    assert east_now.stages[0].days_overdue == 1
    assert west_now.stages[0].days_overdue == 0
    assert east_now.stages_overdue == 1 and west_now.stages_overdue == 0


def test_territory_cannot_hold_a_program_and_dates_must_make_sense(database_url: str) -> None:
    with database.session() as db:
        territory = add_organisation(
            db, name="Округ", kind="municipality", timezone="Europe/Moscow", now=SETUP_TIME
        )
    with pytest.raises(InvalidInput, match="территория"), database.session() as db:
        create_program(db, org_id=territory.id, title="П", actor="t", now=SETUP_TIME)
    org = school()
    with pytest.raises(InvalidInput, match="раньше даты начала"), database.session() as db:
        create_program(
            db,
            org_id=org,
            title="П",
            actor="t",
            now=SETUP_TIME,
            start=date(2026, 9, 1),
            end=date(2026, 8, 1),
        )
    with pytest.raises(NotFound, match="номером 404"), database.session() as db:
        create_program(db, org_id=404, title="П", actor="t", now=SETUP_TIME)
    with database.session() as db:
        assert list_programs(db, SETUP_TIME) == []


def test_list_programs_by_organisation(database_url: str) -> None:
    first, second = school(name="Школа 1"), school(name="Школа 2")
    program(first)
    program(second)
    program(second)
    with database.session() as db:
        assert len(list_programs(db, SETUP_TIME)) == 3
        assert [p.org_id for p in list_programs(db, SETUP_TIME, org_id=second)] == [second] * 2
