"""The candidates' answers as numpy arrays, so that a criterion or a rule is computed for every
mentor–mentee pair at once (7.5 million pairs for 5,000 mentees and 1,500 mentors).

A set of choices is a row of 0/1 indicators over the codes either side used; the size of the
common part of two sets is then a product of matrices (``common``). The age groups, few, are
numbered as distinct sets, so that a criterion fills a small table and looks it up. Rankings
are dense matrices of positions (-1 where one did not rank the other).

A ``Selection`` says which pairs to compute: None for all of them (an n x m matrix, mentees by
rows, mentors by columns), or two index arrays of equal length (mentee, mentor) for a list of
pairs; every criterion and rule works on both with the same arithmetic, so that a pair's
breakdown adds up to exactly its entry in the matrix.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from domain.matching.candidates import Mentee, Mentor

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
Selection = tuple[IntArray, IntArray] | None


def indicators(sets: Sequence[Iterable[str]], vocabulary: dict[str, int]) -> FloatArray:
    """Rows of 0/1 over ``vocabulary`` (codes outside it are left out)."""
    matrix = np.zeros((len(sets), max(len(vocabulary), 1)), dtype=np.float64)
    for row, codes in enumerate(sets):
        for code in codes:
            column = vocabulary.get(code)
            if column is not None:
                matrix[row, column] = 1.0
    return matrix


def vocabulary_of(*groups: Iterable[Iterable[str]]) -> dict[str, int]:
    codes = sorted({code for group in groups for codes in group for code in codes})
    return {code: number for number, code in enumerate(codes)}


def served_topics(
    competencies: Sequence[frozenset[str]], needs: dict[str, frozenset[str]]
) -> list[frozenset[str]]:
    """Per mentor, the request topics their competencies serve."""
    return [
        frozenset(topic for topic, serving in needs.items() if serving & own)
        for own in competencies
    ]


@dataclass
class Features:
    """Both sides encoded. Mentees are rows (index ``e``), mentors columns (index ``r``)."""

    mentors: Sequence[Mentor]
    mentees: Sequence[Mentee]
    wished: FloatArray  # mentee x competency: what the mentee looks for
    competencies: FloatArray  # mentor x competency
    topics: FloatArray  # mentee x comparable request topic
    served: FloatArray  # mentor x comparable request topic served
    mentee_interests: FloatArray
    mentor_interests: FloatArray
    mentee_times: FloatArray
    mentor_times: FloatArray
    group_sets: IntArray  # per mentee, a number for their set of age groups
    wanted_sets: IntArray  # per mentor, a number for the set of age groups they chose
    distinct_groups: list[frozenset[str]]  # the sets those numbers stand for
    distinct_wanted: list[frozenset[str]]
    mentee_psych: IntArray  # a number per type, -1 not assessed
    mentor_psych: IntArray
    mentee_ranks: NDArray[np.int32]  # n x m: where the mentee put the mentor, -1 nowhere
    mentor_ranks: NDArray[np.int32]  # n x m: where the mentor put the mentee, -1 nowhere

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.mentees), len(self.mentors)

    @classmethod
    def of(
        cls,
        mentors: Sequence[Mentor],
        mentees: Sequence[Mentee],
        needs: dict[str, frozenset[str]],
    ) -> Features:
        """``needs``: each comparable request topic and the competencies that serve it."""
        competence = vocabulary_of(
            (m.competencies for m in mentors), (e.wished_competencies for e in mentees)
        )
        topics = {topic: number for number, topic in enumerate(needs)}
        interests = vocabulary_of((m.interests for m in mentors), (e.interests for e in mentees))
        times = vocabulary_of((m.times for m in mentors), (e.times for e in mentees))
        group_sets, distinct_groups = _distinct([e.groups for e in mentees])
        wanted_sets, distinct_wanted = _distinct([m.mentee_ages for m in mentors])
        psych = vocabulary_of([c.psych_type] if c.psych_type else [] for c in [*mentors, *mentees])
        return cls(
            mentors=mentors,
            mentees=mentees,
            wished=indicators([e.wished_competencies for e in mentees], competence),
            competencies=indicators([m.competencies for m in mentors], competence),
            topics=indicators([e.request_topics for e in mentees], topics),
            served=indicators(served_topics([m.competencies for m in mentors], needs), topics),
            mentee_interests=indicators([e.interests for e in mentees], interests),
            mentor_interests=indicators([m.interests for m in mentors], interests),
            mentee_times=indicators([e.times for e in mentees], times),
            mentor_times=indicators([m.times for m in mentors], times),
            group_sets=group_sets,
            wanted_sets=wanted_sets,
            distinct_groups=distinct_groups,
            distinct_wanted=distinct_wanted,
            mentee_psych=_numbers([e.psych_type for e in mentees], psych),
            mentor_psych=_numbers([m.psych_type for m in mentors], psych),
            mentee_ranks=_ranks(mentors, mentees, by_mentee=True),
            mentor_ranks=_ranks(mentors, mentees, by_mentee=False),
        )


def _distinct(sets: Sequence[frozenset[str]]) -> tuple[IntArray, list[frozenset[str]]]:
    """A number per set, and the distinct sets in the order of their numbers."""
    numbers: dict[frozenset[str], int] = {}
    found = [numbers.setdefault(codes, len(numbers)) for codes in sets]
    return np.array(found, dtype=np.int64), list(numbers)


def _numbers(values: Sequence[str | None], vocabulary: dict[str, int]) -> IntArray:
    return np.array([-1 if v is None else vocabulary[v] for v in values], dtype=np.int64)


def _ranks(
    mentors: Sequence[Mentor], mentees: Sequence[Mentee], by_mentee: bool
) -> NDArray[np.int32]:
    """Mentees by mentors: where each mentee (``by_mentee``) or each mentor put the other in
    their ranking. Positions are the ranker's own (ids not among the candidates, say without
    consent, keep their place, so that a second choice is still called second)."""
    matrix = np.full((len(mentees), len(mentors)), -1, dtype=np.int32)
    rankers: Sequence[Mentor] | Sequence[Mentee] = mentees if by_mentee else mentors
    others: Sequence[Mentor] | Sequence[Mentee] = mentors if by_mentee else mentees
    where = {candidate.id: number for number, candidate in enumerate(others)}
    for number, ranker in enumerate(rankers):
        for position, other in enumerate(ranker.ranking):
            found = where.get(other)
            if found is not None:
                cell = (number, found) if by_mentee else (found, number)
                matrix[cell] = position
    return matrix


def common(a: FloatArray, b: FloatArray, selection: Selection) -> FloatArray:
    """How many codes each mentee's row of ``a`` shares with each mentor's row of ``b``."""
    if selection is None:
        return np.asarray(a @ b.T)
    e, r = selection
    return np.einsum("ij,ij->i", a[e], b[r])


def per_mentee(values: NDArray[Any], selection: Selection) -> NDArray[Any]:
    """A per-mentee value for the selected pairs (a column, for all pairs)."""
    return values[:, None] if selection is None else values[selection[0]]


def per_mentor(values: NDArray[Any], selection: Selection) -> NDArray[Any]:
    """A per-mentor value for the selected pairs (a row, for all pairs)."""
    return values[None, :] if selection is None else values[selection[1]]


def cells(matrix: NDArray[Any], selection: Selection) -> NDArray[Any]:
    """A mentees x mentors matrix's entries for the selected pairs."""
    return matrix if selection is None else matrix[selection[0], selection[1]]
