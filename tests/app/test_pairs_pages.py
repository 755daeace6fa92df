"""A program's pairs page as its curator uses it, over HTTP (issue 11): the proposal stage 19
made, by mentor, with each pair's «почему эта пара» and who is without a pair and why; pinning
(which matches again and keeps the pin), forbidding and taking back, with htmx and without; a
pin the rules refuse, shown in Russian with its 4xx status and nothing stored; the method and
the weights; another school's curator kept out; and once stage 20 fixes the pairs (real flow
runs), a read-only page with the order to download. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import docx
import pytest
from conftest import snapshot
from factories import WITHOUT_CONSENT, matching_program, school
from web_world import PASSWORD, client, csrf_of, page_text, signed_in, text_of

from domain import database
from domain.accounts import add_account
from domain.models import Program
from domain.schedule import zone
from domain.states import Action
from domain.wording import day_text
from flows.actions import act_on_stage

pytestmark = pytest.mark.usefixtures("prefect_api")

ORLOVA, EGOROV = "Орлова Анна Сергеевна", "Егоров Павел Ильич"
MALTSEV, LEBEDEVA = "Мальцев Игорь Олегович", "Лебедева Ольга Викторовна"
SOKOLOVA, ZAITSEV, PUSTOVA = "Соколова Вера Андреевна", WITHOUT_CONSENT, "Пустова Нина Ивановна"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class Matched:
    program: int
    ids: dict[str, int]

    def pair(self, mentor: str, mentee: str) -> str:
        """The element id of a pair on the page."""
        return f"pair-{self.ids[mentor]}-{self.ids[mentee]}"

    def path(self, rest: str = "") -> str:
        return f"/programs/{self.program}/pairs{rest}"


def stage(program_id: int, code: str, action: Action) -> None:
    asyncio.run(act_on_stage(program_id, code, action, actor="curator"))


@pytest.fixture
def matched(database_url: str) -> Matched:
    """The matching program (tests/factories.py) with stage 19 started through its flow, which
    proposed the pairs; its school's curator and another school's."""
    ids = matching_program()
    other_school = school(name="Гимназия № 2")
    with database.session() as db:
        org = db.get_one(Program, ids["program"]).org_id
        for login, org_id in (("curator", org), ("other", other_school)):
            add_account(db, login=login, role="curator", password=PASSWORD,
                        now=datetime(2026, 9, 1, tzinfo=UTC), org_id=org_id)  # fmt: skip
    stage(ids["program"], "form_pairs", Action.START)
    return Matched(ids["program"], ids)


def said(page: str) -> list[str]:
    """The messages a page shows after a form."""
    return [" ".join(m.split()) for m in re.findall(r'role="status">([^<]*)<', page)]


def pairs_of(data: dict[str, Any]) -> set[tuple[str, str, bool]]:
    """(mentor, mentee, pinned) of the proposal in the API's JSON."""
    return {
        (group["mentor"]["name"], pair["mentee"]["name"], pair["pinned"])
        for group in data["proposal"]["groups"]
        for pair in group["pairs"]
    }


def test_the_page_shows_the_pairs_why_and_who_is_without_a_pair(matched: Matched) -> None:
    browser = signed_in("curator")
    answer = browser.get(matched.path())
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    page = answer.text
    assert 'aria-current="page">Пары</a>' in page
    # Орлова takes two (a group), Егоров one; each pair with its form, score and breakdown.
    group = text_of(page, f"mentor-{matched.ids[ORLOVA]}")
    assert group.startswith(f"{ORLOVA} (учитель математики) — наставник, группа: 2 наставляемых")
    pair = text_of(page, matched.pair(ORLOVA, MALTSEV))
    assert pair.startswith(f"{MALTSEV} (учитель математики) учитель – учитель; совместимость 8,00")
    assert "закреплена куратором" not in pair
    assert (
        "Почему эта пара Запрос наставляемого и компетенции наставника: 1,00 × 3 = 3,00 — темы "
        "запроса, с которыми наставник может помочь, — 1 из 1: «Подготовиться к экзаменам или "
        "олимпиадам»"
    ) in pair
    assert "Общие интересы: 1,00 × 1 = 1,00 — общие интересы — 1 из 1 возможных: «Математика»" in (
        pair
    )
    assert "<summary>Почему эта пара</summary>" in page  # a <details>, closed until opened
    assert "Закрепить Запретить" in pair
    assert text_of(page, matched.pair(EGOROV, SOKOLOVA)).startswith(f"{SOKOLOVA} (учитель истории)")
    assert text_of(page, f"unmatched-{matched.ids[ZAITSEV]}") == (
        f"{ZAITSEV} — наставляемый Причина: нет действующего согласия на "
        "обработку персональных данных"
    )
    assert text_of(page, f"unmatched-{matched.ids[PUSTOVA]}") == (
        f"{PUSTOVA} — наставляемый Причина: все подходящие наставники заняты"
    )
    assert "Способ подбора: наибольшая общая совместимость; 3 пары" in page_text(page)
    # The form that pins or forbids any pair lists the program's mentors and mentees, and says
    # who has not consented.
    form = text_of(page, "rule-form")
    assert ORLOVA in form and EGOROV in form and f"{ZAITSEV} (согласия нет)" in form
    assert "Котов" not in form  # the director is neither
    # Stage 20 is planned: the way to it is the roadmap, no button to complete it yet.
    order = text_of(page, "order")
    assert "этап 20 «Закрепление пар приказом» запланирован" in order
    assert "/stages/fix_pairs/complete" not in page

    data = browser.get(f"/api/v1{matched.path()}").json()
    assert data["fixed"] is False and data["proposal"]["method"] == "optimal"
    assert pairs_of(data) == {(ORLOVA, MALTSEV, False), (ORLOVA, LEBEDEVA, False),
                              (EGOROV, SOKOLOVA, False)}  # fmt: skip
    unmatched = {u["person"]["name"]: u["reason"] for u in data["proposal"]["unmatched"]}
    assert unmatched == {
        ZAITSEV: "нет действующего согласия на обработку персональных данных",
        PUSTOVA: "все подходящие наставники заняты",
    }
    [first] = [p for g in data["proposal"]["groups"] for p in g["pairs"]
               if p["mentee"]["name"] == MALTSEV]  # fmt: skip
    assert first["form_label"] == "учитель – учитель" and first["score"] == 8.0
    lines = [part["text"] for part in first["breakdown"]]
    assert len(lines) == 7 and lines[1] == (
        "Общие интересы: 1,00 × 1 = 1,00 — общие интересы — 1 из 1 возможных: «Математика»"
    )
    assert all(" ".join(line.split()) in pair for line in lines)  # every criterion's line shown


def test_before_any_proposal_the_page_says_so_and_matches(database_url: str) -> None:
    """Before stage 19 starts there is no proposal: the page says so and its button matches
    with the program's setup; a pin set then is kept for the matching."""
    ids = matching_program()
    with database.session() as db:
        add_account(db, login="curator", role="curator", password=PASSWORD,
                    now=datetime(2026, 9, 1, tzinfo=UTC),
                    org_id=db.get_one(Program, ids["program"]).org_id)  # fmt: skip
    matched = Matched(ids["program"], ids)
    browser = signed_in("curator")
    token = csrf_of(browser)
    page = browser.get(matched.path()).text
    proposal = text_of(page, "matching")
    assert proposal.startswith("Предложение пар Пары ещё не подобраны. Подобрать пары способ: ")
    assert browser.get(f"/api/v1{matched.path()}").json()["proposal"] is None
    chosen = {"mentor": ids[EGOROV], "mentee": ids[MALTSEV], "about": "rules"}
    pinned = browser.post(matched.path("/pin"), data={"csrf": token, **chosen})
    page = browser.get(pinned.headers["location"]).text
    assert said(page) == [
        f"Пара {EGOROV} – {MALTSEV} закреплена куратором; её учтут, когда пары будут подобраны"
    ]
    assert "Пары ещё не подобраны" in page and "всегда вместе" in text_of(page, "rules-list")
    ran = browser.post(matched.path("/run"), data={"csrf": token})
    page = browser.get(ran.headers["location"]).text
    assert said(page) == ["Пары подобраны (наибольшая общая совместимость): 3 пары, без пары — 2"]
    assert "Пары ещё не подобраны" not in page
    assert "закреплена куратором" in text_of(page, matched.pair(EGOROV, MALTSEV))


def test_a_pin_matches_again_and_stays_through_a_new_run(matched: Matched) -> None:
    """Pinned Егоров – Мальцев: Мальцев leaves Орлова, who takes Соколова instead; the pin is
    marked, listed with «Снять», and kept when the pairs are matched again."""
    browser = signed_in("curator")
    token = csrf_of(browser)
    chosen = {"mentor": str(matched.ids[EGOROV]), "mentee": str(matched.ids[MALTSEV])}
    pinned = browser.post(matched.path("/pin"), data={"csrf": token, "about": "rules", **chosen})
    assert pinned.status_code == 303 and pinned.headers["location"] == matched.path("#rules")
    page = browser.get(pinned.headers["location"]).text
    assert said(page) == [
        f"Пара {EGOROV} – {MALTSEV} закреплена куратором; пары подобраны заново: 3 пары, без "
        "пары — 2"
    ]
    assert "закреплена куратором" in text_of(page, matched.pair(EGOROV, MALTSEV))
    assert "Снять закрепление Запретить" in text_of(page, matched.pair(EGOROV, MALTSEV))
    assert f'id="{matched.pair(ORLOVA, SOKOLOVA)}"' in page
    assert f'id="{matched.pair(ORLOVA, MALTSEV)}"' not in page
    rule = text_of(page, f"rule-{matched.ids[EGOROV]}-{matched.ids[MALTSEV]}")
    assert rule.startswith(f"{EGOROV} – {MALTSEV}: всегда вместе curator, ") and "Снять" in rule

    again = browser.post(matched.path("/run"), data={"csrf": token})
    assert again.status_code == 303 and again.headers["location"] == matched.path("#setup")
    data = browser.get(f"/api/v1{matched.path()}").json()
    assert pairs_of(data) == {(EGOROV, MALTSEV, True), (ORLOVA, LEBEDEVA, False),
                              (ORLOVA, SOKOLOVA, False)}  # fmt: skip
    assert [(r["kind"], r["mentor"]["name"], r["mentee"]["name"]) for r in data["rules"]] == [
        ("pin", EGOROV, MALTSEV)
    ]


def test_forbid_and_take_back_with_htmx_and_without(matched: Matched) -> None:
    browser = signed_in("curator")
    token = csrf_of(browser)
    orlova, lebedeva = matched.ids[ORLOVA], matched.ids[LEBEDEVA]
    # With htmx, from the pair's own buttons: the proposal comes back, matched again.
    swapped = browser.post(
        matched.path("/forbid"),
        data={"csrf": token, "mentor": orlova, "mentee": lebedeva, "about": "proposal"},
        headers={"HX-Request": "true"},
    )
    assert swapped.status_code == 200 and swapped.headers["cache-control"] == "no-store"
    assert swapped.text.lstrip().startswith('<section id="matching"')
    assert "<html" not in swapped.text
    assert said(swapped.text)[0].startswith(f"Пара {ORLOVA} – {LEBEDEVA} запрещена куратором")
    assert f'id="{matched.pair(ORLOVA, LEBEDEVA)}"' not in swapped.text
    assert text_of(swapped.text, f"rule-{orlova}-{lebedeva}").startswith(
        f"{ORLOVA} – {LEBEDEVA}: никогда вместе"
    )
    data = browser.get(f"/api/v1{matched.path()}").json()
    assert (ORLOVA, LEBEDEVA, False) not in pairs_of(data)
    assert [r["kind"] for r in data["rules"]] == ["forbid"]

    # Without JavaScript, the rule's «Снять»: back to the page, the pair possible again.
    chosen = {"csrf": token, "mentor": orlova, "mentee": lebedeva, "about": "rules"}
    taken = browser.post(matched.path("/unset"), data=chosen)
    assert taken.status_code == 303
    page = browser.get(taken.headers["location"]).text
    assert said(page)[0].startswith(f"Пара {ORLOVA} – {LEBEDEVA} больше не запрещена; пары")
    assert "Куратор не закреплял и не запрещал пар." in page
    assert f'id="{matched.pair(ORLOVA, LEBEDEVA)}"' in page
    assert browser.get(matched.path()).text.count('role="status"') == 0  # said once

    # Taking back what was never said is refused beside the list, 422, on the page itself.
    nothing = browser.post(matched.path("/unset"), data=chosen)
    assert nothing.status_code == 422 and "Причина:" in text_of(nothing.text, "matching")
    assert said(nothing.text) == [
        f"Пара {ORLOVA} (№{orlova}) – {LEBEDEVA} (№{lebedeva}) не закреплена и не запрещена: "
        f"снимать нечего"
    ]
    # The API twin.
    api = f"/api/v1{matched.path('/forbid')}"
    forbidden = browser.post(api, params={"mentor": orlova, "mentee": lebedeva},
                             headers={"X-CSRF-Token": token})  # fmt: skip
    assert forbidden.status_code == 200
    assert [r["kind"] for r in forbidden.json()["rules"]] == ["forbid"]
    back = browser.post(f"/api/v1{matched.path('/unset')}",
                        params={"mentor": orlova, "mentee": lebedeva},
                        headers={"X-CSRF-Token": token})  # fmt: skip
    assert back.status_code == 200 and back.json()["rules"] == []
    assert (ORLOVA, LEBEDEVA, False) in pairs_of(back.json())


def test_a_refused_pin_says_why_in_russian_and_stores_nothing(
    matched: Matched, database_url: str
) -> None:
    """Зайцев gave no consent: pinning him is refused, the reason beside the form, the form as
    it was filled in; the same with htmx (the proposal with the reason swapped in) and by the
    API. Nothing is stored by any of them."""
    browser = signed_in("curator")
    token = csrf_of(browser)
    egorov, zaitsev = matched.ids[EGOROV], matched.ids[ZAITSEV]
    before = snapshot(database_url)
    reason = (
        f"Закреплённая пара наставник {EGOROV} (№{egorov}) – наставляемый {ZAITSEV} "
        f"(№{zaitsev}) невозможна: наставляемый: нет действующего согласия на обработку "
        "персональных данных"
    )
    chosen = {"csrf": token, "mentor": str(egorov), "mentee": str(zaitsev), "about": "rules"}
    refused = browser.post(matched.path("/pin"), data=chosen)
    assert refused.status_code == 422 and refused.headers["cache-control"] == "no-store"
    assert said(refused.text) == [reason]
    shown = refused.text
    assert shown.index(reason) > shown.index('id="rules"')  # beside the form, not at the top
    assert f'<option value="{zaitsev}" selected>' in shown  # the form as it was filled in
    assert f'<option value="{egorov}" selected>' in shown
    assert f'id="{matched.pair(ORLOVA, MALTSEV)}"' in shown  # the proposal as it was

    htmx = browser.post(matched.path("/pin"), data=chosen, headers={"HX-Request": "true"})
    assert htmx.status_code == 422 and htmx.headers["X-Nastavnik-Refused"] == "1"
    assert htmx.text.lstrip().startswith('<section id="matching"') and said(htmx.text) == [reason]
    assert f'<option value="{zaitsev}" selected>' in htmx.text
    api = browser.post(f"/api/v1{matched.path('/pin')}",
                       params={"mentor": egorov, "mentee": zaitsev},
                       headers={"X-CSRF-Token": token})  # fmt: skip
    assert api.status_code == 422 and api.json()["detail"] == reason
    unchosen = browser.post(matched.path("/pin"), data={"csrf": token, "mentee": str(zaitsev)})
    assert unchosen.status_code == 422
    assert said(unchosen.text) == ["Не выбран наставник: выберите его из списка"]
    director = browser.post(matched.path("/forbid"), data={
        "csrf": token, "mentor": str(matched.ids["director"]), "mentee": str(zaitsev)})  # fmt: skip
    assert director.status_code == 422
    assert "не участвует в программе" in said(director.text)[0]
    assert snapshot(database_url) == before


def test_the_method_and_weights_are_set_and_used(matched: Matched, database_url: str) -> None:
    browser = signed_in("curator")
    token = csrf_of(browser)
    form = {"csrf": token, "method": "stable", "criterion": ["time", "psych"],
            "weight": ["2,5", "0"]}  # fmt: skip
    saved = browser.post(matched.path("/setup"), data=form)
    assert saved.status_code == 303 and saved.headers["location"] == matched.path("#setup")
    page = browser.get(saved.headers["location"]).text
    assert said(page) == [
        "Настройки подбора сохранены: пары по ним подберёт кнопка «Подобрать пары»"
    ]
    assert re.search(r'<input type="radio" name="method" value="stable" checked>', page)
    assert re.search(r'id="weight-time" name="weight"[^>]* value="2.5"', page)
    assert re.search(r'id="weight-psych" name="weight"[^>]* value="0"', page)
    assert "по умолчанию 2" in page_text(page)
    # The proposal stays as it was until the pairs are matched again.
    assert "Способ подбора: наибольшая общая совместимость" in page_text(page)

    ran = browser.post(matched.path("/run"), data={"csrf": token})
    page = browser.get(ran.headers["location"]).text
    assert said(page)[0].startswith("Пары подобраны (устойчивые пары по предпочтениям): 3 пары")
    stable = text_of(page, "stability")
    assert stable.startswith("Меньше наибольшей возможной совместимости (") and "%" in stable
    assert stable.endswith("Неустойчивых пар нет.")
    pair = text_of(page, matched.pair(ORLOVA, MALTSEV))
    assert "Удобное время встреч: 1,00 × 2,5 = 2,50" in pair
    assert "Психологическая совместимость" not in pair  # weight 0: not counted, not shown
    data = browser.get(f"/api/v1{matched.path()}").json()
    assert data["setup"]["method"] == "stable" and data["proposal"]["method"] == "stable"
    assert {c["code"]: c["weight"] for c in data["setup"]["criteria"]}["time"] == 2.5
    assert data["proposal"]["blocking"] == [] and data["proposal"]["gap_percent"] is not None

    # Refused weights: in Russian, beside the form as typed, nothing stored.
    before = snapshot(database_url)
    for typed, reason in [
        ("много", "Вес критерия «Удобное время встреч» — число от 0 до 100, а не «много»"),
        ("150", "Вес критерия «Удобное время встреч» (time) — число от 0 до 100, а не 150.0"),
    ]:
        refused = browser.post(matched.path("/run"), data={**form, "weight": [typed, "1"]})
        assert refused.status_code == 422, typed
        assert said(refused.text)[0].startswith(reason), said(refused.text)
        assert refused.text.index(reason) > refused.text.index('id="setup"')
        assert re.search(rf'id="weight-time" name="weight"[^>]* value="{typed}"', refused.text)
    unknown = browser.post(matched.path("/setup"), data={"csrf": token, "method": "случайно"})
    assert unknown.status_code == 422
    assert said(unknown.text)[0].startswith("Неизвестный способ подбора «случайно»")
    api = f"/api/v1{matched.path('/setup')}"
    refused_api = browser.post(api, json={"weights": {"psych": True}},
                               headers={"X-CSRF-Token": token})  # fmt: skip
    assert refused_api.status_code == 422 and "Вес критерия" in refused_api.json()["detail"]
    assert snapshot(database_url) == before

    # The API twin: setup, then run with the optimal method.
    changed = browser.post(api, json={"weights": {"time": 2}}, headers={"X-CSRF-Token": token})
    assert changed.status_code == 200
    assert {c["code"]: c["weight"] for c in changed.json()["setup"]["criteria"]}["time"] == 2.0
    run = browser.post(f"/api/v1{matched.path('/run')}", json={"method": "optimal"},
                       headers={"X-CSRF-Token": token})  # fmt: skip
    assert run.status_code == 200 and run.json()["proposal"]["method"] == "optimal"
    assert run.json()["proposal"]["gap_percent"] is None


def test_another_schools_curator_finds_nothing(matched: Matched, database_url: str) -> None:
    other = signed_in("other")
    token = csrf_of(other)
    before = snapshot(database_url)
    assert other.get(matched.path()).status_code == 404
    assert other.get(f"/api/v1{matched.path()}").status_code == 404
    assert other.get(matched.path("/order.docx")).status_code == 404
    chosen = {"mentor": matched.ids[EGOROV], "mentee": matched.ids[MALTSEV]}
    for action in ("pin", "forbid", "unset", "run", "setup"):
        page = other.post(matched.path(f"/{action}"), data={"csrf": token, **chosen})
        assert page.status_code == 404 and "не найдена" in page.text, action
        api = other.post(f"/api/v1{matched.path(f'/{action}')}", params=chosen,
                         headers={"X-CSRF-Token": token})  # fmt: skip
        assert api.status_code == 404 and "не найдена" in api.json()["detail"], action
    assert snapshot(database_url) == before


def test_fixed_pairs_are_read_only_with_the_order_to_download(
    matched: Matched, database_url: str
) -> None:
    """Stage 19 completed and stage 20 started through their flows; the pairs page's button
    completes stage 20 through the roadmap's own action, which fixes the pairs by the order."""
    browser = signed_in("curator")
    token = csrf_of(browser)
    assert browser.get(matched.path("/order.docx")).status_code == 404
    early = browser.get(matched.path("/order.html"))
    assert early.status_code == 404 and "ещё не закреплены приказом" in early.text
    stage(matched.program, "form_pairs", Action.COMPLETE)
    stage(matched.program, "fix_pairs", Action.START)
    page = browser.get(matched.path()).text
    complete = f"/programs/{matched.program}/stages/fix_pairs/complete"
    assert f'action="{complete}"' in page and "Закрепить пары приказом" in text_of(page, "order")
    done = browser.post(complete, data={"csrf": token})
    assert done.status_code == 303 and done.headers["location"].endswith("#stage-fix_pairs")
    assert "Готово" in said(browser.get(done.headers["location"]).text)

    data = browser.get(f"/api/v1{matched.path()}").json()
    assert data["fixed"] is True and data["proposal"]["fixed_at"]
    fixed_at = datetime.fromisoformat(data["proposal"]["fixed_at"])
    fixed_on = day_text(fixed_at.astimezone(zone("Europe/Moscow")).date())
    page = browser.get(matched.path()).text
    order = text_of(page, "order")
    assert order.startswith(f"Пары закреплены приказом {fixed_on}")
    assert f'href="{matched.path("/order.docx")}"' in page
    assert f'href="{matched.path("/order.html")}"' in page
    assert 'id="rule-form"' not in page and 'id="setup-form"' not in page
    for action in ("pin", "forbid", "unset", "run", "setup"):  # no form left to change them
        assert f"/pairs/{action}" not in page, action
    assert "Почему эта пара" in text_of(page, matched.pair(ORLOVA, MALTSEV))  # still explained
    assert "Как подбирали Способ подбора: наибольшая общая совместимость" in page_text(page)
    assert "Психологическая совместимость: вес 1" in page_text(page)

    before = snapshot(database_url)
    chosen = {"csrf": token, "mentor": matched.ids[EGOROV], "mentee": matched.ids[MALTSEV]}
    for action in ("pin", "forbid", "unset", "run", "setup"):
        refused = browser.post(matched.path(f"/{action}"), data=chosen)
        assert refused.status_code == 409, action
        assert said(refused.text)[0].startswith(
            f"Пары программы №{matched.program} закреплены приказом {fixed_on}"
        ), action
        api = browser.post(f"/api/v1{matched.path(f'/{action}')}",
                           params={"mentor": chosen["mentor"], "mentee": chosen["mentee"]},
                           headers={"X-CSRF-Token": token})  # fmt: skip
        assert api.status_code == 409, action
    assert snapshot(database_url) == before

    document = browser.get(matched.path("/order.docx"))
    assert document.status_code == 200 and document.headers["content-type"] == DOCX
    assert document.headers["content-disposition"].startswith(
        f'attachment; filename="order-pairs-{matched.program}.docx"'
    )
    assert document.headers["cache-control"] == "no-store"
    opened = docx.Document(io.BytesIO(document.content))
    rows = [" ".join(cell.text for cell in row.cells) for t in opened.tables for row in t.rows]
    for mentor, mentee in ((ORLOVA, MALTSEV), (ORLOVA, LEBEDEVA), (EGOROV, SOKOLOVA)):
        assert any(mentor in row and mentee in row for row in rows), (mentor, mentee, rows)
    assert not any(ZAITSEV in row or PUSTOVA in row for row in rows)
    printable = browser.get(matched.path("/order.html"))
    assert printable.status_code == 200 and printable.headers["cache-control"] == "no-store"
    assert printable.headers["content-type"].startswith("text/html")
    text = page_text(printable.text)
    assert all(name in text for name in (ORLOVA, EGOROV, MALTSEV, LEBEDEVA, SOKOLOVA))
    assert client().get(matched.path("/order.docx")).headers["location"] == "/login"
