"""Compatibility of a mentor and a mentee: named, weighted criteria a curator sees and may
re-weigh per program.

Each criterion gives a pair points in [0, 1] and a short Russian explanation; its score is the
points times its weight, and a pair's score is the sum over the criteria whose weight is not 0
(a weight of 0 turns a criterion off). ``DEFAULT_WEIGHTS`` are the weights unless a program
gives its own as a dict of code → weight (codes it leaves out keep the default).

- ``request``: the mentee's request against the mentor's competencies. Two halves, each counted
  when the mentee answered it: the share of the competencies they wish for in a mentor
  (mentor_competencies) that the mentor has, and the share of their request's topics
  (request_topics) that one of the mentor's competencies serves (``REQUEST_NEEDS``; the topic
  «Другое» cannot be compared and is left out).
- ``interests``: shared interests, over the shorter of the two lists (one shared interest of a
  person who named one is full points); none if either gave no interests.
- ``mentee_age``: the mentee's age group (candidates.age_groups_of) among those the mentor
  said they would take (mentee_ages): 1; a neighbouring group (5–9 classes for one who chose
  10–11): 0.5.
- ``time``: convenient times in common, over the shorter of the two lists.
- ``mentee_choice`` and ``mentor_choice``: the stage-18 preferences. A place in the list gives
  1 / place: the first choice 1, the second 1/2, the third 1/3; not chosen, 0.
- ``psych``: psychological compatibility where a psychologist assessed both: the same type, 1;
  different types, 0; a type missing on either side, 0 with the words «не оценивалась».

Every criterion is computed by ``points`` for all pairs at once or for a list of pairs with the
same arithmetic (features.py), and explained for one pair by ``explain``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from domain.errors import InvalidInput
from domain.matching.candidates import Kind, Mentee, Mentor
from domain.matching.features import (
    Features,
    FloatArray,
    Selection,
    cells,
    common,
    per_mentee,
    per_mentor,
)
from domain.questionnaire_catalogue import COMPETENCIES, INTERESTS, MENTEE_AGES, REQUESTS, TIMES

# Which of the mentor's competencies serve each topic of a mentee's request («Другое» none).
REQUEST_NEEDS: dict[str, frozenset[str]] = {
    topic: frozenset(serving)
    for topic, serving in {
        "academic_progress": ("subject_knowledge", "self_organisation", "support"),
        "exams": ("exam_preparation", "subject_knowledge"),
        "project": ("projects",),
        "career_choice": ("career_guidance", "work_experience"),
        "adaptation": ("support", "communication"),
        "confidence": ("communication", "support"),
        "leadership": ("leadership",),
        "talents": ("creativity", "sport_coaching"),
        "profession_start": ("teaching_methods", "classroom_management", "class_teacher"),
        "lessons": ("teaching_methods", "digital_skills"),
        "class_relations": ("classroom_management", "class_teacher"),
        "parents": ("class_teacher",),
    }.items()
}

_LABELS: dict[str, str] = {
    option.code: option.label
    for options in (COMPETENCIES, INTERESTS, REQUESTS, TIMES, MENTEE_AGES)
    for option in options
}
_ORDER: dict[str, int] = {
    option.code: number
    for options in (COMPETENCIES, INTERESTS, REQUESTS, TIMES, MENTEE_AGES)
    for number, option in enumerate(options)
}


@dataclass(frozen=True)
class Criterion:
    code: str
    title: str  # as a curator reads it in a pair's breakdown
    weight: float  # the default
    points: Callable[[Features, Selection], FloatArray]
    explain: Callable[[Mentor, Mentee, float], str]


def number_text(value: float) -> str:
    """0,67 — as Russian writes decimals."""
    return f"{value:.2f}".replace(".", ",")


def listed(codes: Iterable[str]) -> str:
    """Codes as the curator reads them: their labels in «», in the questionnaire's order."""
    ordered = sorted(codes, key=lambda code: (_ORDER.get(code, len(_ORDER)), code))
    return ", ".join(f"«{_LABELS.get(code, code)}»" for code in ordered)


def reciprocal(counts: FloatArray) -> FloatArray:
    """1 / count, and 0 for a count of 0 (whose common part is 0 too)."""
    out = np.zeros_like(counts)
    np.divide(1.0, counts, out=out, where=counts > 0)
    return out


def _counts(matrix: FloatArray) -> FloatArray:
    return matrix.sum(axis=1)


# request


def _request_points(features: Features, selection: Selection) -> FloatArray:
    wished, topics = _counts(features.wished), _counts(features.topics)
    halves = (wished > 0).astype(np.float64) + (topics > 0)
    points = common(features.wished, features.competencies, selection)
    points *= per_mentee(reciprocal(wished), selection)
    by_topic = common(features.topics, features.served, selection)
    by_topic *= per_mentee(reciprocal(topics), selection)
    points += by_topic
    points *= per_mentee(reciprocal(halves), selection)
    return points


def _request_text(mentor: Mentor, mentee: Mentee, points: float) -> str:
    topics = {t for t in mentee.request_topics if t in REQUEST_NEEDS}
    wished = mentee.wished_competencies
    if not topics and not wished:
        return "наставляемый не указал ни тем запроса, ни желаемых умений наставника"
    if not mentor.competencies:
        return "наставник не указал своих компетенций"
    parts = []
    if topics:
        served = {t for t in topics if REQUEST_NEEDS[t] & mentor.competencies}
        found = f": {listed(served)}" if served else ""
        parts.append(
            f"темы запроса, с которыми наставник может помочь, — {len(served)} из "
            f"{len(topics)}{found}"
        )
    if wished:
        have = wished & mentor.competencies
        found = f": {listed(have)}" if have else ""
        parts.append(
            f"желаемые умения, которые у наставника есть, — {len(have)} из {len(wished)}{found}"
        )
    return "; ".join(parts)


# interests and time: the common part over the shorter list


def _overlap(mentee_side: FloatArray, mentor_side: FloatArray, selection: Selection) -> FloatArray:
    """The common part over the shorter list: 1 / min(a, b) is max(1 / a, 1 / b)."""
    points = common(mentee_side, mentor_side, selection)
    points *= np.maximum(
        per_mentee(reciprocal(_counts(mentee_side)), selection),
        per_mentor(reciprocal(_counts(mentor_side)), selection),
    )
    return points


def _interests_points(features: Features, selection: Selection) -> FloatArray:
    return _overlap(features.mentee_interests, features.mentor_interests, selection)


def _interests_text(mentor: Mentor, mentee: Mentee, points: float) -> str:
    missing = _missing(mentor.interests, mentee.interests, "интересов")
    if missing:
        return missing
    shared = mentor.interests & mentee.interests
    if not shared:
        return "общих интересов нет"
    shorter = min(len(mentor.interests), len(mentee.interests))
    return f"общие интересы — {len(shared)} из {shorter} возможных: {listed(shared)}"


def _time_points(features: Features, selection: Selection) -> FloatArray:
    return _overlap(features.mentee_times, features.mentor_times, selection)


def _time_text(mentor: Mentor, mentee: Mentee, points: float) -> str:
    missing = _missing(mentor.times, mentee.times, "удобного времени")
    if missing:
        return missing
    shared = mentor.times & mentee.times
    if not shared:
        return (
            f"общего удобного времени нет: наставнику удобно {listed(mentor.times)}, "
            f"наставляемому — {listed(mentee.times)}"
        )
    return f"общее удобное время: {listed(shared)}"


def _missing(mentor_side: frozenset[str], mentee_side: frozenset[str], what: str) -> str:
    if not mentor_side and not mentee_side:
        return f"ни наставник, ни наставляемый не указали {what}"
    if not mentor_side:
        return f"наставник не указал {what}"
    if not mentee_side:
        return f"наставляемый не указал {what}"
    return ""


# mentee's age


# Neighbouring groups of MENTEE_AGES: a mentor who chose one half-suits the next.
NEIGHBOURS = (
    ("primary", "middle"),
    ("middle", "senior"),
    ("senior", "students"),
    ("young_teachers", "teachers"),
)


def near_groups(chosen: frozenset[str]) -> frozenset[str]:
    """The groups next to the chosen ones, not chosen themselves."""
    close = {b for a, b in NEIGHBOURS if a in chosen} | {a for a, b in NEIGHBOURS if b in chosen}
    return frozenset(close - chosen)


def age_fit(groups: frozenset[str], wanted: frozenset[str]) -> float:
    """A mentee of ``groups`` for a mentor who wants ``wanted``: 1, 0.5 next to it, or 0."""
    if groups & wanted:
        return 1.0
    return 0.5 if groups & near_groups(wanted) else 0.0


def _age_points(features: Features, selection: Selection) -> FloatArray:
    """From a table of the distinct group sets of mentees by those of mentors."""
    table = np.array(
        [
            [age_fit(g, w) for w in features.distinct_wanted] or [0.0]
            for g in features.distinct_groups
        ]
        or [[0.0]]
    )
    if selection is None:
        return np.take(table[features.group_sets], features.wanted_sets, axis=1)
    return table[features.group_sets[selection[0]], features.wanted_sets[selection[1]]]


def _age_text(mentor: Mentor, mentee: Mentee, points: float) -> str:
    if Kind.ORGANISATION in (mentor.kind, mentee.kind):
        return "не применяется: в паре организации"
    if not mentor.mentee_ages:
        return "наставник не указал, с кем готов работать"
    if not mentee.groups:
        return "возраст наставляемого не указан"
    age = f"наставляемому {mentee.age} {_years(mentee.age)}, " if mentee.age is not None else ""
    fits = mentee.groups & mentor.mentee_ages
    if fits:
        return f"{age}это группа {listed(fits)}, которую выбрал наставник"
    if points > 0:
        return (
            f"{age}группа {listed(mentee.groups)} — соседняя с выбранными наставником: "
            f"{listed(mentor.mentee_ages)}"
        )
    return f"{age}группа {listed(mentee.groups)}, а наставник выбрал {listed(mentor.mentee_ages)}"


def _years(age: int) -> str:
    if age % 10 == 1 and age % 100 != 11:
        return "год"
    if 2 <= age % 10 <= 4 and not 12 <= age % 100 <= 14:
        return "года"
    return "лет"


# stage-18 preferences


def rank_points(positions: np.ndarray) -> FloatArray:
    """1 / place for a place in a ranking (position 0 is the first), 0 for no place."""
    table = reciprocal(np.arange(int(positions.max(initial=-1)) + 2, dtype=np.float64))
    return np.take(table, positions + 1)


def _choice_points(ranks: np.ndarray, selection: Selection) -> FloatArray:
    if selection is not None:
        return rank_points(cells(ranks, selection))
    # All pairs: few are ranked, so only their cells are written into a matrix of zeros.
    rows, columns = np.nonzero(ranks >= 0)
    points = np.zeros(ranks.shape, dtype=np.float64)
    points[rows, columns] = rank_points(ranks[rows, columns])
    return points


def _mentee_choice_points(features: Features, selection: Selection) -> FloatArray:
    return _choice_points(features.mentee_ranks, selection)


def _mentor_choice_points(features: Features, selection: Selection) -> FloatArray:
    return _choice_points(features.mentor_ranks, selection)


def _mentee_choice_text(mentor: Mentor, mentee: Mentee, points: float) -> str:
    return _choice_text(mentee.ranking, mentor.id, "наставляемый", "наставника")


def _mentor_choice_text(mentor: Mentor, mentee: Mentee, points: float) -> str:
    return _choice_text(mentor.ranking, mentee.id, "наставник", "наставляемого")


def _choice_text(ranking: tuple[int, ...], other: int, who: str, whom: str) -> str:
    if not ranking:
        return f"{who} не заполнил анкету предпочтений"
    if other not in ranking:
        return f"{who} не выбрал этого {whom}"
    return f"{who} поставил этого {whom} на {ranking.index(other) + 1}-е место из {len(ranking)}"


# psychological type


def _psych_points(features: Features, selection: Selection) -> FloatArray:
    mentee_type = per_mentee(features.mentee_psych, selection)
    mentor_type = per_mentor(features.mentor_psych, selection)
    return ((mentee_type == mentor_type) & (mentee_type >= 0)).astype(np.float64)


def _psych_text(mentor: Mentor, mentee: Mentee, points: float) -> str:
    if mentor.psych_type is None and mentee.psych_type is None:
        return "не оценивалась: тип не определён ни у наставника, ни у наставляемого"
    if mentor.psych_type is None:
        return "не оценивалась: тип наставника не определён"
    if mentee.psych_type is None:
        return "не оценивалась: тип наставляемого не определён"
    if mentor.psych_type == mentee.psych_type:
        return f"типы совпадают: «{mentor.psych_type}»"
    return (
        f"типы различаются: у наставника «{mentor.psych_type}», у наставляемого "
        f"«{mentee.psych_type}»"
    )


CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "request",
        "Запрос наставляемого и компетенции наставника",
        3.0,
        _request_points,
        _request_text,
    ),
    Criterion("interests", "Общие интересы", 1.0, _interests_points, _interests_text),
    Criterion(
        "mentee_age",
        "Возраст наставляемого, с которым готов работать наставник",
        2.0,
        _age_points,
        _age_text,
    ),
    Criterion("time", "Удобное время встреч", 2.0, _time_points, _time_text),
    Criterion(
        "mentee_choice",
        "Выбор наставляемого (анкета предпочтений)",
        2.0,
        _mentee_choice_points,
        _mentee_choice_text,
    ),
    Criterion(
        "mentor_choice",
        "Выбор наставника (анкета предпочтений)",
        2.0,
        _mentor_choice_points,
        _mentor_choice_text,
    ),
    Criterion("psych", "Психологическая совместимость", 1.0, _psych_points, _psych_text),
)
BY_CODE = {criterion.code: criterion for criterion in CRITERIA}
DEFAULT_WEIGHTS: dict[str, float] = {criterion.code: criterion.weight for criterion in CRITERIA}


def resolve_weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    """Every criterion's weight: the program's where it gives one, the default elsewhere."""
    resolved = dict(DEFAULT_WEIGHTS)
    for code, weight in (weights or {}).items():
        if code not in BY_CODE:
            known = "; ".join(f"{c.code} — {c.title}" for c in CRITERIA)
            raise InvalidInput(f"Неизвестный критерий подбора «{code}». Известные: {known}")
        if (
            isinstance(weight, bool)
            or not isinstance(weight, int | float)
            or not math.isfinite(weight)
            or weight < 0
        ):
            raise InvalidInput(
                f"Вес критерия «{BY_CODE[code].title}» ({code}) — неотрицательное число, "
                f"а не {weight!r} (0 — критерий не учитывается)"
            )
        resolved[code] = float(weight)
    return resolved


def active(weights: Mapping[str, float]) -> list[Criterion]:
    return [criterion for criterion in CRITERIA if weights[criterion.code] > 0]


def scores(features: Features, weights: Mapping[str, float], selection: Selection) -> FloatArray:
    """The pairs' scores: the weighted sum of the active criteria's points."""
    return weighted_sum(
        [(c, c.points(features, selection)) for c in active(weights)],
        weights,
        features.shape if selection is None else selection[0].shape,
        keep=False,
    )


def weighted_sum(
    parts: list[tuple[Criterion, FloatArray]],
    weights: Mapping[str, float],
    shape: tuple[int, ...],
    *,
    keep: bool = True,
) -> FloatArray:
    """Σ points × weight, in the criteria's order: one arithmetic for the matrix and for a
    pair's breakdown, so that both give the same number. ``keep``: leave the points as they
    are (else they are multiplied in place, saving memory on the whole matrix)."""
    total: FloatArray | None = None
    for criterion, points in parts:
        part = points * weights[criterion.code] if keep else points
        if not keep:
            part *= weights[criterion.code]
        if total is None:
            total = part if not keep else part.copy()
        else:
            total += part
        del part
    if total is None:
        return np.zeros(shape, dtype=np.float64)
    return np.ascontiguousarray(total)
