"""Benchmark: forming pairs (domain/matching) for 5,000 mentees and 1,500 mentors, against
scipy's linear_sum_assignment alone on the finished matrix, measured in the same run.

The instance: a municipality's program running «ученик – ученик», «студент – ученик»,
«работодатель – ученик» and «учитель – учитель». Mentees are pupils of 7 to 17 (most of them
11 to 16) and young teachers; mentors are teachers, pupils of 15 to 18 (a few 14 or 19, whom the
rules keep out), college students and employers' staff, each taking 1 to 4 mentees. Their
answers follow the surveys (domain/questionnaire_catalogue.py) with skewed popularity: request
topics by who asks (pupils: grades, exams, career; young teachers: lessons, discipline,
parents), the competencies wished for mostly those that serve the request, mentors'
competencies by who they are, interests, convenient times (after lessons the most), the ages
a mentor takes by who they are; seven in ten mentees and six in ten mentors ranked some of the
people of their form they met (stage 18); a psychologist typed three in ten. No consent
missing (that only removes rows).

1. Baseline: ``linear_sum_assignment`` on the matrix the optimal method solves (each mentor's
   column repeated by capacity, forbidden pairs 0), built beforehand — the exact solver alone.
2. Measured: ``match(..., method="optimal")`` from the candidates: every pair scored on seven
   criteria and checked against the hard rules (numpy), the matrix built, solved, and every
   pair's breakdown and every unmatched person's reason written.
   Also timed: scoring and rules alone; and, for the same instance, the total score against
   greedy (the best-scoring allowed pair first, until nobody fits), which must never be
   higher.

Each round times both, one after the other; the ratio (measured / baseline) must stay under
2, and the measured time under 3 s. The optimal method solves each connected part of the
allowed pairs on its own (pairs across forms are forbidden, so here four parts), which is why
it can take less than the baseline; the time of linear_sum_assignment alone on those parts is
printed too. ``--one-form`` puts everyone in one form, so that there is one part, as large as
the baseline's matrix. ``--sparse`` also times scipy's min_weight_full_bipartite_matching on the
baseline's matrix; ``--stable`` the stable method and its gap to the optimum. Usage:

    .venv/bin/python bench/matching.py [--mentees 5000] [--mentors 1500] [--rounds 3] \
        [--one-form] [--sparse] [--stable]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from domain.matching import Mentee, Mentor, match, solvers
from domain.matching.engine import Problem

LIMIT_RATIO = 2.0
LIMIT_SECONDS = 3.0
FORMS = ["student_student", "student_pupil", "employer_pupil", "teacher_teacher"]

PUPIL_TOPICS = {
    "academic_progress": 30,
    "exams": 25,
    "career_choice": 20,
    "project": 12,
    "confidence": 10,
    "adaptation": 8,
    "talents": 8,
    "leadership": 5,
    "other": 3,
}
TEACHER_TOPICS = {
    "lessons": 30,
    "class_relations": 25,
    "profession_start": 20,
    "parents": 15,
    "academic_progress": 5,
    "other": 2,
}
SERVING = {
    "academic_progress": ["subject_knowledge", "self_organisation", "support"],
    "exams": ["exam_preparation", "subject_knowledge"],
    "project": ["projects"],
    "career_choice": ["career_guidance", "work_experience"],
    "adaptation": ["support", "communication"],
    "confidence": ["communication", "support"],
    "leadership": ["leadership"],
    "talents": ["creativity", "sport_coaching"],
    "profession_start": ["teaching_methods", "classroom_management", "class_teacher"],
    "lessons": ["teaching_methods", "digital_skills"],
    "class_relations": ["classroom_management", "class_teacher"],
    "parents": ["class_teacher"],
    "other": ["communication"],
}
COMPETENCIES_BY_MENTOR = {
    "teacher": {
        "teaching_methods": 30,
        "classroom_management": 25,
        "class_teacher": 20,
        "subject_knowledge": 25,
        "digital_skills": 10,
        "support": 10,
    },
    "pupil": {
        "subject_knowledge": 20,
        "exam_preparation": 20,
        "communication": 20,
        "leadership": 12,
        "support": 15,
        "creativity": 10,
        "sport_coaching": 8,
        "projects": 10,
        "self_organisation": 8,
    },
    "student": {
        "exam_preparation": 25,
        "subject_knowledge": 25,
        "projects": 20,
        "career_guidance": 15,
        "digital_skills": 15,
        "self_organisation": 10,
    },
    "employer": {
        "work_experience": 35,
        "career_guidance": 30,
        "projects": 20,
        "digital_skills": 15,
        "leadership": 10,
        "communication": 10,
    },
}
INTEREST_WEIGHTS = {
    "it": 20,
    "sport": 20,
    "arts": 12,
    "mathematics": 10,
    "languages": 10,
    "natural_sciences": 8,
    "literature": 8,
    "volunteering": 8,
    "engineering": 7,
    "humanities": 6,
    "business": 6,
    "media": 5,
    "local_history": 4,
    "education": 4,
}
TIME_WEIGHTS = {
    "weekday_after_lessons": 50,
    "weekday_evening": 20,
    "saturday": 15,
    "weekday_before_lessons": 8,
    "sunday": 7,
}
AGES_BY_MENTOR = {
    "teacher": {"young_teachers": 80, "teachers": 20},
    "pupil": {"primary": 45, "middle": 55},
    "student": {"middle": 50, "senior": 50},
    "employer": {"senior": 70, "students": 30},
}
MENTOR_MIX = [
    ("teacher", "teacher_teacher", 30),
    ("pupil", "student_student", 35),
    ("student", "student_pupil", 20),
    ("employer", "employer_pupil", 15),
]
PSYCH_TYPES = ["сангвиник", "холерик", "флегматик", "меланхолик"]


def picks(chance: random.Random, weights: dict[str, int], low: int, high: int) -> set[str]:
    """low..high distinct codes, the popular ones likelier."""
    wanted = chance.randint(low, min(high, len(weights)))
    codes, chosen = list(weights), set()
    while len(chosen) < wanted:
        chosen.add(chance.choices(codes, weights=[weights[c] for c in codes])[0])
    return chosen


def instance(mentee_count: int, mentor_count: int, seed: int) -> tuple[list[Mentor], list[Mentee]]:
    chance = random.Random(seed)
    mentors = []
    for number in range(mentor_count):
        kind, form, _ = chance.choices(MENTOR_MIX, weights=[w for *_, w in MENTOR_MIX])[0]
        age = {
            "teacher": chance.randint(28, 62),
            "pupil": chance.choice([14] + [15, 16, 17] * 10 + [18] * 6 + [19]),
            "student": chance.randint(18, 22),
            "employer": chance.randint(24, 55),
        }[kind]
        mentors.append(
            Mentor(
                100_000 + number,
                consent=True,
                form=form,
                age=age,
                competencies=picks(chance, COMPETENCIES_BY_MENTOR[kind], 2, 5),
                interests=picks(chance, INTEREST_WEIGHTS, 1, 4),
                times=picks(chance, TIME_WEIGHTS, 1, 3),
                mentee_ages=picks(chance, AGES_BY_MENTOR[kind], 1, 2),
                capacity=chance.choices([1, 2, 3, 4], weights=[15, 20, 25, 40])[0],
                psych_type=chance.choice(PSYCH_TYPES) if chance.random() < 0.3 else None,
            )
        )
    mentees = []
    for number in range(mentee_count):
        if chance.random() < 0.15:
            status, age, form = "teacher", chance.randint(22, 30), "teacher_teacher"
            topics = picks(chance, TEACHER_TOPICS, 1, 3)
            experience: int | None = chance.randint(0, 3)
        else:
            status, experience = "student", None
            age = min(17, max(7, round(chance.gauss(13, 2.5))))
            form = chance.choices(FORMS[:3], weights=[40, 35, 25 if age >= 14 else 5])[0]
            topics = picks(chance, PUPIL_TOPICS, 1, 3)
        serving = [c for t in sorted(topics) for c in SERVING[t]]
        wished = {chance.choice(serving) for _ in range(chance.randint(1, 4))}
        if chance.random() < 0.3:
            wished.add(chance.choice(list(COMPETENCIES_BY_MENTOR["pupil"])))
        mentees.append(
            Mentee(
                number + 1,
                consent=True,
                form=form,
                age=age,
                status=status,
                teaching_experience=experience,
                request_topics=topics,
                wished_competencies=wished,
                interests=picks(chance, INTEREST_WEIGHTS, 1, 4),
                times=picks(chance, TIME_WEIGHTS, 1, 3),
                psych_type=chance.choice(PSYCH_TYPES) if chance.random() < 0.3 else None,
            )
        )
    return with_rankings(mentors, mentees, chance), mentees_with_rankings(mentors, mentees, chance)


def _met(
    chance: random.Random, people: Sequence[Mentor] | Sequence[Mentee], form: str, how_many: int
) -> list[int]:
    same = [p.id for p in people if p.form == form]
    return chance.sample(same, min(how_many, len(same)))


def with_rankings(
    mentors: list[Mentor], mentees: list[Mentee], chance: random.Random
) -> list[Mentor]:
    """Six in ten mentors rank 2 to 8 of the mentees of their form they met."""
    by_form: dict[str | None, list[Mentee]] = {}
    for mentee in mentees:
        by_form.setdefault(mentee.form, []).append(mentee)
    ranked = []
    for mentor in mentors:
        if chance.random() < 0.6 and mentor.form:
            met = _met(chance, by_form.get(mentor.form, []), mentor.form, 20)
            ranking = tuple(chance.sample(met, min(len(met), chance.randint(2, 8))))
            mentor = Mentor(**{**_fields(mentor), "ranking": ranking})
        ranked.append(mentor)
    return ranked


def mentees_with_rankings(
    mentors: list[Mentor], mentees: list[Mentee], chance: random.Random
) -> list[Mentee]:
    """Seven in ten mentees rank up to 3 of the mentors of their form they met."""
    by_form: dict[str | None, list[Mentor]] = {}
    for mentor in mentors:
        by_form.setdefault(mentor.form, []).append(mentor)
    ranked = []
    for mentee in mentees:
        if chance.random() < 0.7 and mentee.form:
            met = _met(chance, by_form.get(mentee.form, []), mentee.form, 12)
            ranking = tuple(chance.sample(met, min(len(met), chance.randint(1, 3))))
            mentee = Mentee(**{**_fields(mentee), "ranking": ranking})
        ranked.append(mentee)
    return ranked


def _fields(candidate: Mentor | Mentee) -> dict[str, object]:
    return {name: getattr(candidate, name) for name in candidate.__dataclass_fields__}


def greedy_total(problem: Problem) -> tuple[float, int]:
    """Best pair first: the allowed pairs by score, highest first, each taken while its
    mentee is free and its mentor has a place."""
    scores, allowed = problem.scores, problem.allowed
    candidates = np.flatnonzero(allowed.ravel())
    order = candidates[np.argsort(-scores.ravel()[candidates], kind="stable")]
    m = scores.shape[1]
    free_mentee = np.ones(scores.shape[0], dtype=bool)
    places = problem.capacity.copy()
    total, pairs = 0.0, 0
    for start in range(0, len(order), 200_000):
        chunk = order[start : start + 200_000]
        chunk = chunk[free_mentee[chunk // m] & (places[chunk % m] > 0)]
        for cell in chunk.tolist():
            e, r = divmod(cell, m)
            if free_mentee[e] and places[r] > 0:
                free_mentee[e] = False
                places[r] -= 1
                total += scores[e, r]
                pairs += 1
        if not free_mentee.any() or not places.any():
            break
    return total, pairs


def whole(problem: Problem) -> np.ndarray:
    """The matrix of every reachable pair, each mentor's column repeated by capacity."""
    eligible = np.ones(len(problem.mentees), dtype=bool)
    return solvers.whole_matrix(problem.scores, problem.allowed, problem.capacity, eligible)


def parts(problem: Problem) -> list[np.ndarray]:
    """The same matrix split into the connected parts the optimal method solves."""
    eligible = np.ones(len(problem.mentees), dtype=bool)
    rows, columns, reach = solvers.reachable(problem.allowed, problem.capacity, eligible)
    matrices = []
    for part_rows, part_columns in solvers.components(reach):
        mentees, mentors = rows[part_rows], columns[part_columns]
        matrix, _ = solvers.expanded(
            problem.scores[np.ix_(mentees, mentors)],
            reach[np.ix_(part_rows, part_columns)],
            problem.capacity[mentors],
        )
        matrices.append(matrix)
    return matrices


def timed_lsa(matrix: np.ndarray) -> float:
    started = time.perf_counter()
    linear_sum_assignment(matrix, maximize=True)
    return time.perf_counter() - started


def sparse_seconds(matrix: np.ndarray) -> tuple[float, float]:
    """min_weight_full_bipartite_matching on the same matrix (costs made positive, so that no
    entry is an absent edge): the time to build the sparse matrix, and to solve it."""
    started = time.perf_counter()
    rows, columns = matrix.shape
    costs = (matrix.max() + 1.0) - matrix
    sparse = csr_matrix(
        (
            costs.ravel(),
            np.tile(np.arange(columns), rows),
            np.arange(0, rows * columns + 1, columns),
        ),
        shape=(rows, columns),
    )
    built = time.perf_counter() - started
    started = time.perf_counter()
    min_weight_full_bipartite_matching(sparse)
    return built, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mentees", type=int, default=5000)
    parser.add_argument("--mentors", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20260919)
    parser.add_argument("--sparse", action="store_true", help="also time the sparse solver")
    parser.add_argument("--stable", action="store_true", help="also time the stable method")
    parser.add_argument(
        "--one-form", action="store_true", help="everyone in one form: one matrix, no parts"
    )
    arguments = parser.parse_args()
    started = time.perf_counter()
    mentors, mentees = instance(arguments.mentees, arguments.mentors, arguments.seed)
    forms = FORMS
    if arguments.one_form:
        forms = ["traditional"]
        mentors = [Mentor(**{**_fields(m), "form": None}) for m in mentors]  # type: ignore[arg-type]
        mentees = [Mentee(**{**_fields(e), "form": None}) for e in mentees]  # type: ignore[arg-type]
    places = sum(m.capacity for m in mentors)
    print(
        f"{len(mentees)} mentees, {len(mentors)} mentors with {places} places "
        f"({len(mentees) * len(mentors):,} pairs), generated in "
        f"{time.perf_counter() - started:.1f} s"
    )
    bases: list[float] = []
    ours: list[float] = []
    solver_parts: list[float] = []
    result = None
    for number in range(1, arguments.rounds + 1):
        started = time.perf_counter()
        problem = Problem(mentors, mentees, forms=forms)
        scoring = time.perf_counter() - started
        base = timed_lsa(whole(problem))
        in_parts = sum(timed_lsa(matrix) for matrix in parts(problem))
        del problem
        started = time.perf_counter()
        result = match(mentors, mentees, forms=forms, method="optimal")
        mine = time.perf_counter() - started
        bases.append(base)
        ours.append(mine)
        solver_parts.append(in_parts)
        print(
            f"round {number}: linear_sum_assignment alone {base:.2f} s on the whole matrix, "
            f"{in_parts:.2f} s on its connected parts; match(optimal) {mine:.2f} s, of which "
            f"scores and rules {scoring:.2f} s; ratio {mine / base:.2f}"
        )
    assert result is not None
    base, mine = statistics.median(bases), statistics.median(ours)
    ratio = mine / base
    print(
        f"median of {arguments.rounds}: linear_sum_assignment alone {base:.2f} s, "
        f"match(optimal) {mine:.2f} s, ratio {ratio:.2f} (limit {LIMIT_RATIO}; "
        f"time limit {LIMIT_SECONDS} s); against linear_sum_assignment alone on the parts "
        f"({statistics.median(solver_parts):.2f} s) {mine / statistics.median(solver_parts):.2f}"
    )
    problem = Problem(mentors, mentees, forms=forms)
    greedy, greedy_pairs = greedy_total(problem)
    gain = result.total - greedy
    print(
        f"total score: optimal {result.total:.2f} in {len(result.pairs)} pairs, greedy "
        f"{greedy:.2f} in {greedy_pairs} pairs: gain {gain:.2f} ({100 * gain / greedy:.2f} %); "
        f"unmatched mentees {sum(u.side == 'mentee' for u in result.unmatched)}"
    )
    failed = ratio > LIMIT_RATIO or gain < -1e-6
    if mine > LIMIT_SECONDS:
        if base < LIMIT_SECONDS:
            failed = True
        else:
            print(
                f"over {LIMIT_SECONDS} s, but so is linear_sum_assignment alone: the time limit "
                "is not ours to meet on this instance"
            )
    if arguments.sparse:
        built, solved = sparse_seconds(whole(problem))
        print(
            f"min_weight_full_bipartite_matching on the same matrix: {solved:.2f} s, "
            f"and {built:.2f} s to build the sparse matrix"
        )
    if arguments.stable:
        started = time.perf_counter()
        stable = match(mentors, mentees, forms=forms, method="stable")
        print(
            f"match(stable) {time.perf_counter() - started:.2f} s (with the optimum for the "
            f"gap): total {stable.total:.2f}, gap {stable.gap:.2f} "
            f"({stable.gap_percent:.2f} %), blocking pairs {len(stable.blocking_pairs)}"
        )
        failed = failed or bool(stable.blocking_pairs)
    if failed:
        sys.exit("over the limit")


if __name__ == "__main__":
    main()
