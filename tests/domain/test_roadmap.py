"""The roadmap catalogue against the reference table, and the logic of its prerequisites."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from domain.errors import InvalidInput
from domain.roadmap import BY_CODE, STAGES, Role, StageDef, StageKind, find_stage

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "reference" / "roadmap.md"
STAGE_COUNT = 34
CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


@cache
def reference_rows() -> dict[int, dict[str, object]]:
    """The roadmap table of docs/reference/roadmap.md, by stage number, in StageDef's terms."""
    if not REFERENCE.is_file():
        pytest.fail(
            f"The reference roadmap is missing: expected the Markdown table at {REFERENCE} "
            "(docs/reference/roadmap.md in the repository)",
            pytrace=False,
        )
    rows: dict[int, dict[str, object]] = {}
    for line in REFERENCE.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 7 or not cells[0].isdigit():
            continue  # the header, the separator and the prose around the table
        number, code, phase, kind, week, who, name = cells
        recurring = "(recurring)" in kind
        first_week, _, last_week = week.partition("-")
        rows[int(number)] = {
            "number": int(number),
            "code": code,
            "phase": int(phase),
            "kind": kind.split()[0],
            "week": int(last_week or first_week),
            "first_week": int(first_week) if recurring else None,
            "who": tuple(Role(role.strip()) for role in who.split(",")),
            "name": name,
        }
    return rows


def as_row(stage: StageDef) -> dict[str, object]:
    return {
        "number": stage.number,
        "code": stage.code,
        "phase": stage.phase,
        "kind": stage.kind.value,
        "week": stage.week,
        "first_week": stage.recurrence.first_week if stage.recurrence else None,
        "who": stage.who,
        "name": stage.name,
    }


def closure(code: str) -> set[str]:
    """Every stage that must be closed, directly or through others, before ``code`` starts."""
    seen: set[str] = set()
    pending = list(BY_CODE[code].requires)
    while pending:
        required = pending.pop()
        if required not in seen:
            seen.add(required)
            pending.extend(BY_CODE[required].requires)
    return seen


# --- the catalogue equals the reference table ---------------------------------------------


def test_reference_table_has_every_stage_once_in_order() -> None:
    rows = reference_rows()
    assert sorted(rows) == list(range(1, STAGE_COUNT + 1))
    assert len(STAGES) == STAGE_COUNT
    assert [stage.number for stage in STAGES] == list(range(1, STAGE_COUNT + 1))
    assert [stage.code for stage in STAGES] == [rows[n]["code"] for n in sorted(rows)]
    assert len(BY_CODE) == STAGE_COUNT, "stage codes must be unique"


@pytest.mark.parametrize("number", range(1, STAGE_COUNT + 1), ids=lambda n: f"stage{n:02d}")
def test_stage_equals_reference_row(number: int) -> None:
    expected = reference_rows()[number]
    stage = STAGES[number - 1]
    assert as_row(stage) == expected
    assert isinstance(stage.kind, StageKind)
    assert stage.title.strip(), "every stage has a short title for tables"


def test_recurring_stages_are_regular_meetings_and_feedback() -> None:
    recurring = {stage.code: stage.recurrence for stage in STAGES if stage.recurrence}
    assert set(recurring) == {"regular_meetings", "collect_feedback"}
    for stage in STAGES:
        if stage.recurrence:
            assert stage.recurrence.every_weeks > 0
            assert stage.recurrence.first_week < stage.week


# --- prerequisites ------------------------------------------------------------------------

PREREQUISITES = [(stage, BY_CODE.get(code, code)) for stage in STAGES for code in stage.requires]


@pytest.mark.parametrize(
    ("stage", "required"),
    PREREQUISITES,
    ids=[
        f"{stage.code}<-{getattr(required, 'code', required)}" for stage, required in PREREQUISITES
    ],
)
def test_prerequisite_is_an_earlier_existing_stage(stage: StageDef, required: object) -> None:
    assert isinstance(required, StageDef), f"{stage.code} requires an unknown stage {required!r}"
    assert required.code != stage.code, f"{stage.code} requires itself"
    assert required.number < stage.number
    assert required.week <= stage.week


def test_no_stage_names_a_prerequisite_twice() -> None:
    for stage in STAGES:
        assert len(set(stage.requires)) == len(stage.requires), stage.code


def test_first_four_stages_need_nothing() -> None:
    for stage in STAGES[:4]:
        assert stage.requires == (), stage.code
    assert all(stage.requires for stage in STAGES[4:]), "only informing opens the roadmap"


def test_form_pairs_needs_both_databases_and_the_preference_survey() -> None:
    assert {"mentee_database", "mentor_database", "preference_survey"} <= closure("form_pairs")


def test_first_meeting_needs_pairs_fixed_by_order() -> None:
    assert "fix_pairs" in closure("first_meeting")


@pytest.mark.parametrize(
    "code",
    [s.code for s in STAGES if s.phase == 6 and s.kind == StageKind.MEETING],
)
def test_every_pair_meeting_needs_fixed_pairs(code: str) -> None:
    assert "fix_pairs" in closure(code)


def test_phase_six_meetings_are_the_four_pair_meetings() -> None:
    meetings = [s.number for s in STAGES if s.phase == 6 and s.kind == StageKind.MEETING]
    assert meetings == [21, 22, 23, 24]


def test_exit_assessment_needs_both_entry_assessments() -> None:
    assert {"assess_mentees_entry", "assess_mentors_entry"} <= closure("assess_exit")


def test_publishing_results_needs_the_whole_roadmap() -> None:
    needed = closure("publish_results")
    assert {"ceremony", "quality_monitoring", "assess_exit", "write_cases"} <= needed
    assert len(needed) >= 30
    # As the catalogue stands, every other stage leads to the publication.
    assert needed == {stage.code for stage in STAGES} - {"publish_results"}


def test_matching_comes_after_every_survey_that_feeds_it() -> None:
    assert {"survey_mentees", "third_party_info", "survey_mentors", "group_meeting"} <= closure(
        "form_pairs"
    )


# --- looking a stage up --------------------------------------------------------------------


def test_number_and_code_name_the_same_stage() -> None:
    assert find_stage(STAGES, "19") is find_stage(STAGES, "form_pairs")
    assert find_stage(STAGES, "19").code == "form_pairs"
    assert find_stage(STAGES, "19").number == 19


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s.code)
def test_every_stage_is_found_by_number_and_by_code(stage: StageDef) -> None:
    assert find_stage(STAGES, str(stage.number)) is stage
    assert find_stage(STAGES, stage.code) is stage


def test_surrounding_spaces_are_ignored() -> None:
    assert find_stage(STAGES, " 19 ") is find_stage(STAGES, "form_pairs")
    assert find_stage(STAGES, " form_pairs\n") is find_stage(STAGES, "19")


@pytest.mark.parametrize("text", ["0", "35", "nope", "", "-1", "Form_Pairs"])
def test_unknown_stage_is_refused_in_russian_naming_the_input(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        find_stage(STAGES, text)
    message = str(refused.value)
    assert CYRILLIC.search(message), message
    assert f"«{text}»" in message
    assert str(STAGE_COUNT) in message, "the message says which numbers exist"


def test_superscript_digit_is_refused_as_unknown_stage() -> None:
    with pytest.raises(InvalidInput):
        find_stage(STAGES, "²")
