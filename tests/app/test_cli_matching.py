"""``nastavnik match`` end to end, in process: what a curator types and reads while forming pairs
(stage 19) and fixing them by order (stage 20), on SQLite and on PostgreSQL, on the matching-ready
program of tests/factories.py: Орлова takes two mentees, Егоров one; Зайцев has no consent and
Пустова answered nothing. Fixing completes stage 20 through its real flow run on the session's
Prefect server."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import docx
import pytest
import sqlalchemy as sa
from conftest import Cli, snapshot
from factories import WITHOUT_CONSENT, close_prerequisites, matching_program, program

from domain import database

ORLOVA, EGOROV = "Орлова Анна Сергеевна", "Егоров Павел Ильич"
MALTSEV, LEBEDEVA, SOKOLOVA = (
    "Мальцев Игорь Олегович",
    "Лебедева Ольга Викторовна",
    "Соколова Вера Андреевна",
)
PUSTOVA = "Пустова Нина Ивановна"
# What the optimal method makes of the factory's program: Орлова's group and Егоров's pair.
OPTIMAL = {(ORLOVA, MALTSEV), (ORLOVA, LEBEDEVA), (EGOROV, SOKOLOVA)}
CRITERIA = {"request", "interests", "mentee_age", "time", "mentee_choice", "mentor_choice", "psych"}
NO_CONSENT = "нет действующего согласия на обработку персональных данных"
NOW = "2026-11-16T10:00"


@pytest.fixture
def ids(cli: Cli) -> dict[str, Any]:
    """The factory's program; ``ids["p"]`` its number as typed."""
    made: dict[str, Any] = dict(matching_program())
    made["p"] = str(made["program"])
    return made


def who(person: dict[str, Any]) -> str:
    """A person as the command line names them: «Орлова Анна Сергеевна (№3, учитель
    математики)»."""
    place = f", {person['place']}" if person["place"] else ""
    return f"{person['name']} (№{person['id']}{place})"


def folded(text: str) -> str:
    return " ".join(text.split())


def pairs_of(view: dict[str, Any]) -> set[tuple[str, str]]:
    return {(p["mentor"]["name"], p["mentee"]["name"]) for p in view["proposal"]["pairs"]}


def pair(view: dict[str, Any], mentor: str, mentee: str) -> dict[str, Any]:
    [found] = [
        p
        for p in view["proposal"]["pairs"]
        if (p["mentor"]["name"], p["mentee"]["name"]) == (mentor, mentee)
    ]
    return found


def unmatched_of(view: dict[str, Any]) -> dict[str, str]:
    return {u["person"]["name"]: u["reason"] for u in view["proposal"]["unmatched"]}


def rules_of(view: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(r["kind"], r["mentor"]["name"], r["mentee"]["name"]) for r in view["rules"]}


def stage_state(url: str, program_id: int, code: str) -> str:
    with database.engine_for(url).connect() as connection:
        return str(
            connection.execute(
                sa.text("SELECT state FROM stage WHERE program_id = :p AND code = :c"),
                {"p": program_id, "c": code},
            ).scalar_one()
        )


# --- run and show -------------------------------------------------------------------------------


def test_show_before_any_proposal_says_how_to_make_one(cli: Cli, ids: dict[str, Any]) -> None:
    said = cli.ok("match", "show", ids["p"])
    assert "ещё не подобраны" in said
    assert f"nastavnik match run {ids['p']}" in said
    assert f"nastavnik stage start {ids['p']} form_pairs" in said
    shown = cli.json("match", "show", ids["p"])
    assert shown["proposal"] is None and shown["rules"] == [] and not shown["fixed"]
    assert shown["method"] == "optimal"
    assert {c["code"]: c["weight"] for c in shown["criteria"]}["request"] == 3


def test_run_proposes_and_show_explains_every_pair_and_who_is_left_out(
    cli: Cli, ids: dict[str, Any]
) -> None:
    made = cli.json("match", "run", ids["p"], "--now", NOW)
    assert pairs_of(made) == OPTIMAL

    shown = cli.json("match", "show", ids["p"])
    assert shown["proposal"] == made["proposal"]
    assert pairs_of(shown) == OPTIMAL
    proposal = shown["proposal"]
    assert proposal["method"] == "optimal" and proposal["optimum"] is None
    assert proposal["fixed_at"] is None and not shown["fixed"]
    for found in proposal["pairs"]:
        assert {part["code"] for part in found["breakdown"]} == CRITERIA
        assert sum(part["score"] for part in found["breakdown"]) == pytest.approx(found["score"])
        assert not found["pinned"] and found["form"] == "teacher_teacher"
    interests = {p["code"]: p for p in pair(shown, ORLOVA, MALTSEV)["breakdown"]}["interests"]
    assert interests["score"] == 1 and "«Математика»" in interests["explanation"]
    reasons = unmatched_of(shown)
    [zaitsev] = [
        u["person"] for u in proposal["unmatched"] if u["person"]["name"] == WITHOUT_CONSENT
    ]
    assert set(reasons) == {WITHOUT_CONSENT, PUSTOVA}
    assert reasons[WITHOUT_CONSENT] == NO_CONSENT
    assert "заняты" in reasons[PUSTOVA]

    said = cli.ok("match", "show", ids["p"])
    orlova = pair(shown, ORLOVA, MALTSEV)["mentor"]
    egorov = pair(shown, EGOROV, SOKOLOVA)["mentor"]
    assert orlova["place"] == "учитель математики"  # from the survey: no place recorded
    assert f"Наставник {who(orlova)} — группа из 2 наставляемых:" in said
    assert f"Наставник {who(egorov)} — пара:" in said
    assert "3 пары, общая совместимость" in said
    # «Почему эта пара»: every criterion's line of every pair, under its mentee.
    for found in proposal["pairs"]:
        mentee = found["mentee"]
        head = f"• {who(mentee)}: совместимость"
        start = said.index(head)
        for part in found["breakdown"]:
            assert folded(part["text"]) in said[start:], part["text"]
    assert f"Без пары: • наставляемый {who(zaitsev)}: {NO_CONSENT}" in said
    assert "Пары ещё не закреплены приказом" in said
    # The optimal method has no optimum to compare with.
    assert "Наибольшая возможная совместимость" not in said


def test_stable_method_shows_its_gap_to_the_optimum_and_its_blocking_pairs(
    cli: Cli, ids: dict[str, Any]
) -> None:
    made = cli.json("match", "run", ids["p"], "--method", "stable", "--now", NOW)
    proposal = made["proposal"]
    assert proposal["method"] == "stable"
    assert proposal["optimum"] is not None and proposal["gap_percent"] is not None
    assert proposal["total"] <= proposal["optimum"] + 1e-9
    assert proposal["blocking"] == []
    # The program's own method stays: --method is for this time.
    assert made["method"] == "optimal"

    said = cli.ok("match", "show", ids["p"])
    gap = f"{proposal['gap_percent']:.2f}".replace(".", ",")
    optimum = f"{proposal['optimum']:.2f}".replace(".", ",")
    assert "stable — устойчивые пары по предпочтениям" in said
    assert f"Наибольшая возможная совместимость {optimum}" in said
    assert f"({gap} %)" in said
    assert "Неустойчивых пар нет" in said


# --- pins and prohibitions ----------------------------------------------------------------------


def test_a_pin_rematches_keeping_it_and_unpin_takes_it_back(cli: Cli, ids: dict[str, Any]) -> None:
    p, egorov, maltsev = ids["p"], str(ids[EGOROV]), str(ids[MALTSEV])
    # Before any proposal a pin is kept for the first one.
    said = cli.ok("match", "pin", p, egorov, maltsev, "--now", NOW)
    assert f"Пара {EGOROV} (№{egorov}" in said and f"– {MALTSEV} (№{maltsev}" in said
    assert "закреплена: всегда вместе" in said
    assert "ещё не подбирались" in said
    made = cli.json("match", "run", p, "--now", NOW)
    assert (EGOROV, MALTSEV) in pairs_of(made) and pair(made, EGOROV, MALTSEV)["pinned"]

    cli.json("match", "unpin", p, egorov, maltsev, "--now", NOW)
    assert pairs_of(cli.json("match", "show", p)) == OPTIMAL

    # With a proposal, pinning makes it again at once, the pin in it.
    said = cli.ok("match", "pin", p, egorov, maltsev, "--now", NOW)
    assert "Пары подобраны заново" in said and "закреплена куратором" in said
    shown = cli.json("match", "show", p)
    assert rules_of(shown) == {("pin", EGOROV, MALTSEV)}
    assert pair(shown, EGOROV, MALTSEV)["pinned"]
    assert (ORLOVA, MALTSEV) not in pairs_of(shown)
    assert all(
        not found["pinned"]
        for found in shown["proposal"]["pairs"]
        if found["mentee"]["name"] != MALTSEV
    )

    said = cli.ok("match", "unpin", p, egorov, maltsev, "--now", NOW)
    assert f"Закрепление пары {EGOROV} (№{egorov}" in said and "снят" in said
    shown = cli.json("match", "show", p)
    assert shown["rules"] == [] and pairs_of(shown) == OPTIMAL

    # Nothing left to take back: refused, naming the pair.
    assert cli("match", "unpin", p, egorov, maltsev) == 2
    assert "снимать нечего" in cli.err and MALTSEV in cli.err and "Traceback" not in cli.err

    # The program's log has each change, the pair by number.
    log = cli.ok("history", p)
    assert f"│ 19 form_pairs │ закрепить пару │ №{egorov} – №{maltsev} │" in log
    assert f"│ №{egorov} – №{maltsev}: закреплена │" in log  # taken back: what it was
    assert MALTSEV not in log and EGOROV not in log


def test_a_forbidden_pair_leaves_the_proposal_and_unpin_lifts_the_prohibition(
    cli: Cli, ids: dict[str, Any]
) -> None:
    p, orlova, maltsev = ids["p"], str(ids[ORLOVA]), str(ids[MALTSEV])
    cli.json("match", "run", p, "--now", NOW)
    said = cli.ok("match", "forbid", p, orlova, maltsev, "--now", NOW)
    assert f"Пара {ORLOVA} (№{orlova}" in said and f"– {MALTSEV} (№{maltsev}" in said
    assert "запрещена: никогда вместе" in said
    shown = cli.json("match", "show", p)
    assert rules_of(shown) == {("forbid", ORLOVA, MALTSEV)}
    assert (ORLOVA, MALTSEV) not in pairs_of(shown)
    assert "Запрещены куратором (никогда вместе):" in cli.ok("match", "show", p)

    said = cli.ok("match", "unpin", p, orlova, maltsev, "--now", NOW)
    assert f"Запрет пары {ORLOVA} (№{orlova}" in said and "снят" in said
    assert pairs_of(cli.json("match", "show", p)) == OPTIMAL


def test_a_pin_the_rules_forbid_is_refused_naming_why_and_stores_nothing(
    cli: Cli, ids: dict[str, Any], database_url: str
) -> None:
    cli.json("match", "run", ids["p"], "--now", NOW)
    before = snapshot(database_url)
    code = cli("match", "pin", ids["p"], str(ids[EGOROV]), str(ids[WITHOUT_CONSENT]), "--now", NOW)
    assert code != 0
    assert WITHOUT_CONSENT in cli.err and NO_CONSENT in cli.err
    assert "Traceback" not in cli.err and cli.out == ""
    # Nor one that names no mentee of the program (the director).
    assert cli("match", "forbid", ids["p"], str(ids[EGOROV]), str(ids["director"])) == 2
    assert "не участвует в программе" in cli.err
    assert snapshot(database_url) == before
    assert cli.json("match", "show", ids["p"])["rules"] == []


# --- setup and profiles -------------------------------------------------------------------------


def test_setup_weights_change_the_scores_and_zero_turns_a_criterion_off(
    cli: Cli, ids: dict[str, Any]
) -> None:
    p = ids["p"]
    first = cli.json("match", "run", p, "--now", NOW)
    parts = {part["code"]: part for part in pair(first, ORLOVA, MALTSEV)["breakdown"]}
    assert parts["interests"]["score"] > 0

    setup = cli.json("match", "setup", p, "--weight", "interests=0", "--weight", "request=6")
    weights = {c["code"]: (c["weight"], c["changed"]) for c in setup["criteria"]}
    assert weights["interests"] == (0, True) and weights["request"] == (6, True)
    assert weights["time"] == (2, False)
    said = cli.ok("match", "setup", p)
    assert "0 (не учитывается); по умолчанию 1" in said and "6; по умолчанию 3" in said

    again = cli.json("match", "run", p, "--now", NOW)
    for found in again["proposal"]["pairs"]:
        assert "interests" not in {part["code"] for part in found["breakdown"]}
    parts_now = {part["code"]: part for part in pair(again, ORLOVA, MALTSEV)["breakdown"]}
    assert parts_now["request"]["weight"] == 6
    assert pair(again, ORLOVA, MALTSEV)["score"] == pytest.approx(
        pair(first, ORLOVA, MALTSEV)["score"]
        - parts["interests"]["score"]
        + parts["request"]["score"]
    )
    assert "Общие интересы:" not in cli.ok("match", "show", p)

    # The method: the program's own from now on.
    assert cli.json("match", "setup", p, "--method", "stable")["method"] == "stable"
    assert cli.json("match", "run", p, "--now", NOW)["proposal"]["method"] == "stable"


@pytest.mark.parametrize(
    ("weight", "expected"),
    [
        ("interests", "«interests» (--weight) не понят: нужно КОД=ВЕС"),
        ("=2", "«=2» (--weight) не понят: нужно КОД=ВЕС"),
        ("interests=много", "«interests=много» (--weight): «много» — не число"),
        ("interests=nan", "«interests=nan» (--weight): «nan» — не число"),
        ("interests=500", "«Общие интересы» (interests) — число от 0 до 100, а не 500"),
        ("nope=1", "Неизвестный критерий подбора «nope»"),
    ],
)
def test_a_malformed_weight_is_refused_naming_it_and_changes_nothing(
    cli: Cli, ids: dict[str, Any], database_url: str, weight: str, expected: str
) -> None:
    before = snapshot(database_url)
    assert cli("match", "setup", ids["p"], "--weight", "psych=0", "--weight", weight) == 2
    assert expected in cli.err, cli.err
    assert "Traceback" not in cli.err and cli.out == ""
    assert snapshot(database_url) == before


def test_a_participants_profile_is_kept_and_cleared(cli: Cli, ids: dict[str, Any]) -> None:
    p, maltsev = ids["p"], str(ids[MALTSEV])
    shown = cli.json("match", "profile", p, maltsev, "--psych-type", "аналитик", "--form",
                     "учитель – учитель")  # fmt: skip
    assert (shown["form"], shown["psych_type"]) == ("teacher_teacher", "аналитик")
    shown = cli.json("match", "profile", p, maltsev, "--no-psych-type")
    assert (shown["form"], shown["psych_type"]) == ("teacher_teacher", None)
    assert cli("match", "profile", p, maltsev, "--form", "ученик – ученик") == 2
    assert "не ведётся" in cli.err
    assert cli("match", "profile", p, str(ids["director"]), "--psych-type", "x") == 2
    assert "не участвует в программе" in cli.err


# --- fixing by order ----------------------------------------------------------------------------


@pytest.mark.usefixtures("prefect_api")
def test_fix_completes_stage_20_writes_the_order_and_freezes_the_matching(
    cli: Cli, ids: dict[str, Any], database_url: str, tmp_path: Path
) -> None:
    p, program = ids["p"], ids["program"]
    cli.ok("stage", "start", p, "form_pairs", "--now", NOW)  # proposes
    proposed = cli.json("match", "show", p)
    assert pairs_of(proposed) == OPTIMAL
    cli.ok("stage", "complete", p, "form_pairs", "--now", "2026-11-17T10:00")
    cli.ok("stage", "start", p, "fix_pairs", "--now", "2026-11-17T11:00")

    # A folder that is not there: refused before the stage is touched.
    before = snapshot(database_url)
    missing = tmp_path / "отсутствует" / "приказ.docx"
    assert cli("match", "fix", p, "--docx", str(missing), "--now", "2026-11-18T10:00") == 2
    assert f"Папки «{missing.parent}» нет" in cli.err and "(--docx)" in cli.err
    assert "Traceback" not in cli.err
    good = str(tmp_path / "приказ.docx")
    assert cli("match", "fix", p, "--docx", good, "--html", str(missing.with_suffix(".html"))) == 2
    assert "(--html)" in cli.err
    assert cli("match", "fix", p, "--docx", str(tmp_path / "приказ.txt")) == 2
    assert "должен называться *.docx" in cli.err
    assert snapshot(database_url) == before
    assert stage_state(database_url, program, "fix_pairs") == "active"

    order, page = tmp_path / "приказ.docx", tmp_path / "приказ.html"
    said = cli.ok("match", "fix", p, "--docx", str(order), "--html", str(page),
                  "--now", "2026-11-18T10:00")  # fmt: skip
    assert "закреплены приказом 18.11.2026" in said and "этап 20 завершён" in said
    assert str(order) in said and str(page) in said
    assert stage_state(database_url, program, "fix_pairs") == "done"
    for path in (order, page):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600

    # The appendix of the order: a row per mentor naming them and each of their mentees.
    rows = [
        [cell.text for cell in row.cells] for table in docx.Document(str(order)).tables
        for row in table.rows
    ]  # fmt: skip
    for mentor, mentee in OPTIMAL:
        assert any(mentor in row[1] and mentee in row[2] for row in rows), (mentor, mentee)
    assert not any(WITHOUT_CONSENT in " ".join(row) for row in rows)
    html = page.read_text(encoding="utf-8")
    for mentor, mentee in OPTIMAL:
        assert mentor in html and mentee in html

    shown = cli.json("match", "show", p)
    assert shown["fixed"] and shown["proposal"]["fixed_on"] == "2026-11-18"
    assert pairs_of(shown) == OPTIMAL
    assert "Пары закреплены приказом 18.11.2026" in cli.ok("match", "show", p)

    # Fixed: the matching changes no more.
    before = snapshot(database_url)
    for refused in (
        ("match", "run", p),
        ("match", "pin", p, str(ids[EGOROV]), str(ids[MALTSEV])),
        ("match", "setup", p, "--weight", "psych=0"),
    ):
        assert cli(*refused) == 4, refused
        assert "закреплены приказом 18.11.2026" in cli.err and "Traceback" not in cli.err
    assert snapshot(database_url) == before

    # Fixed already: the same order again, written where asked, nothing else done.
    again = tmp_path / "копия.docx"
    written = cli.json("match", "fix", p, "--docx", str(again))
    assert written["fixed_on"] == "2026-11-18" and not written["fixed_now"]
    assert written["pairs"] == 3 and written["docx"] == str(again) and written["html"] is None
    assert again.read_bytes() == order.read_bytes()
    assert "уже закреплены приказом 18.11.2026" in cli.ok("match", "fix", p, "--docx", str(again))
    assert snapshot(database_url) == before


@pytest.mark.usefixtures("prefect_api")
def test_fix_before_pairs_are_proposed_is_refused_and_changes_nothing(
    cli: Cli, ids: dict[str, Any], database_url: str, tmp_path: Path
) -> None:
    p = ids["p"]
    cli.ok("stage", "start", p, "form_pairs", "--now", NOW)
    cli.ok("stage", "complete", p, "form_pairs", "--now", "2026-11-17T10:00")
    cli.ok("stage", "start", p, "fix_pairs", "--now", "2026-11-17T11:00")
    # Every mentee lost: pin each mentor off (forbid all), so the proposal has no pair.
    for mentor in (ORLOVA, EGOROV):
        for mentee in (MALTSEV, LEBEDEVA, SOKOLOVA, PUSTOVA):
            cli.ok("match", "forbid", p, str(ids[mentor]), str(ids[mentee]))
    assert cli.json("match", "show", p)["proposal"]["pairs"] == []
    before = snapshot(database_url)
    order = tmp_path / "приказ.docx"
    assert cli("match", "fix", p, "--docx", str(order)) == 4
    assert "нет ни одной пары" in cli.err and "Traceback" not in cli.err
    assert not order.exists()
    assert stage_state(database_url, ids["program"], "fix_pairs") == "active"
    assert snapshot(database_url) == before


@pytest.mark.usefixtures("prefect_api")
def test_fix_of_a_program_without_participants_completes_the_stage_and_says_nothing_was_fixed(
    cli: Cli, database_url: str, tmp_path: Path
) -> None:
    empty = program().id
    close_prerequisites(empty, "fix_pairs")
    cli.ok("stage", "start", str(empty), "fix_pairs", "--now", NOW)
    order = tmp_path / "приказ.docx"
    assert cli("match", "fix", str(empty), "--docx", str(order), "--now", NOW) == 3
    # The last line: before it Prefect's console handler may complain of an earlier test's
    # captured stream, closed since (in process only; a real command has one stream).
    said = cli.err.splitlines()[-1]
    assert said.startswith("Ошибка: Этап 20") and "закреплять было нечего" in said
    assert stage_state(database_url, empty, "fix_pairs") == "done"
    assert not order.exists()
