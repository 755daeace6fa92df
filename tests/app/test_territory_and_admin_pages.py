"""A coordinator drills from the territory into one organisation (and never into one outside
the territory); an administrator lists the accounts and adds one, with Russian refusals.
SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from web_world import NOW, World, csrf_of, make_world, page_text, signed_in, text_of

from domain import database
from domain.accounts import authenticate

pytestmark = pytest.mark.usefixtures("prefect_api")


@pytest.fixture
def world(database_url: str) -> World:
    return make_world()


def test_a_coordinator_drills_into_an_organisation_and_not_outside_the_territory(
    world: World,
) -> None:
    """Stage 1 of every program is due on 8 September: by now it is overdue, in red."""
    coordinator = signed_in("coord")
    territory = coordinator.get("/territory").text
    assert f'href="/territory/{world.here_org}"' in territory
    assert f'href="/territory/{world.there_org}"' not in territory

    school = coordinator.get(f"/territory/{world.here_org}")
    assert school.status_code == 200
    assert "Школа № 1" in school.text and f'href="/programs/{world.here}"' in school.text
    overdue = f"program-{world.here}-stage-inform_teachers"
    assert f'<li class="overdue" id="{overdue}">' in school.text
    assert re.fullmatch(
        r"1\. Информирование педагогов: срок 08\.09\.2026, просрочен на \d+ (день|дня|дней)",
        text_of(school.text, overdue),
    )
    detail = coordinator.get(f"/api/v1/territory/{world.here_org}").json()
    assert [p["id"] for p in detail["programs"]] == [world.here]
    assert detail["stages_overdue"] == detail["programs"][0]["stages_overdue"] > 0
    first = detail["programs"][0]["stages"][0]
    assert (first["code"], first["days_overdue"] > 0) == ("inform_teachers", True)

    town = coordinator.get(f"/territory/{world.town}")
    assert town.status_code == 200 and "Организации в её составе" in town.text
    assert f'href="/territory/{world.here_org}"' in town.text

    outside = coordinator.get(f"/territory/{world.there_org}")
    assert outside.status_code == 404 and "Организация" in outside.text
    assert "Гимназия" not in outside.text
    assert coordinator.get(f"/api/v1/territory/{world.there_org}").status_code == 404
    assert signed_in("curator").get(f"/territory/{world.here_org}").status_code == 404
    admin = signed_in("admin").get(f"/territory/{world.there_org}")
    assert admin.status_code == 200 and "Гимназия № 2" in admin.text


def test_the_administrator_lists_the_accounts_and_adds_one(world: World) -> None:
    admin = signed_in("admin")
    page = admin.get("/users").text
    assert text_of(page, "account-coord") == (
        f"coord координатор Округ (Europe/Moscow) {NOW:%d.%m.%Y} действует"
    )
    assert text_of(page, "account-admin").startswith("admin администратор все организации")
    assert 'href="/users"' in page  # in the header, for administrators only
    assert 'href="/users"' not in signed_in("coord").get("/programs").text
    listed = admin.get("/api/v1/users").json()
    assert [a["login"] for a in listed] == ["admin", "coord", "curator", "other"]
    assert not any("hash" in key or "password" in key for key in listed[0])

    token = csrf_of(admin)
    new = {"csrf": token, "login": "petrova", "role": "curator", "org": str(world.here_org)}
    good = {"password": "Длинный-пароль-1", "again": "Длинный-пароль-1"}
    for given, refusal in [
        ({"password": "короткий", "again": "короткий"}, "Пароль: от 10 до 200 знаков"),
        ({**good, "again": "другой-пароль-2"}, "Пароли не совпали"),
        ({**good, "org": str(world.town)}, "Куратор работает в образовательной или партнёрской"),
        ({**good, "login": "coord"}, "Логин «coord» уже занят"),
    ]:
        refused = admin.post("/users", data={**new, **given})
        assert refused.status_code == 422 and refusal in page_text(refused.text), given
        assert "Длинный-пароль-1" not in refused.text  # a password is never shown back
    made = admin.post("/users", data={**new, **good})
    assert made.status_code == 303
    said = admin.get(made.headers["location"]).text
    assert "Учётная запись «petrova» (куратор) создана" in said
    assert text_of(said, "account-petrova").startswith("petrova куратор Школа № 1")
    with database.session() as db:
        assert authenticate(db, "petrova", "Длинный-пароль-1") is not None
    # Nobody else may: the page is not there for them.
    coordinator = signed_in("coord")
    attempt = {**new, **good, "login": "sneaky", "csrf": csrf_of(coordinator)}
    assert coordinator.post("/users", data=attempt).status_code == 404
    with database.session() as db:
        assert authenticate(db, "sneaky", "Длинный-пароль-1") is None
