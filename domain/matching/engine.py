"""One matching from start to end: candidates checked, scores and rules computed for every pair,
pins applied, a method run, and the result explained (domain/matching/__init__.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from domain.errors import InvalidInput
from domain.matching import criteria, solvers
from domain.matching.candidates import Mentee, Mentor, Side, check_candidates
from domain.matching.criteria import REQUEST_NEEDS, resolve_weights
from domain.matching.features import BoolArray, Features, FloatArray, IntArray
from domain.matching.results import (
    BlockingPair,
    Cause,
    CriterionScore,
    Matching,
    Method,
    Pair,
    Unmatched,
)
from domain.matching.rules import Rules, program_forms
from domain.wording import counted

ALL_MENTORS_TAKEN = "все подходящие наставники заняты"
ALL_MENTEES_TAKEN = "все подходящие наставляемые в парах с другими наставниками"
NO_MENTORS = "в подборе нет наставников"
NO_MENTEES = "в подборе нет наставляемых"


@dataclass(frozen=True)
class PairExplanation:
    """One mentor–mentee pair as a curator asks about it: its score and breakdown, and every
    rule that forbids it (none: the pair is allowed)."""

    mentor_id: int
    mentee_id: int
    score: float
    breakdown: tuple[CriterionScore, ...]
    refusals: tuple[str, ...]

    @property
    def allowed(self) -> bool:
        return not self.refusals


class Problem:
    """The candidates, their features, the rules, and the score and allowed matrices (mentees
    by rows, mentors by columns)."""

    def __init__(
        self,
        mentors: Sequence[Mentor],
        mentees: Sequence[Mentee],
        *,
        forms: Iterable[str],
        weights: Mapping[str, float] | None = None,
        forbidden: Iterable[tuple[int, int]] = (),
    ) -> None:
        self.mentors, self.mentees = list(mentors), list(mentees)
        check_candidates(self.mentors, self.mentees)
        self.weights = resolve_weights(weights)
        self.features = Features.of(self.mentors, self.mentees, REQUEST_NEEDS)
        self.rules = Rules(
            self.mentors,
            self.mentees,
            program_forms(forms),
            _id_pairs(forbidden, "запрещённая пара"),
        )
        self.scores: FloatArray = criteria.scores(self.features, self.weights, None)
        self.allowed: BoolArray = ~self.rules.forbidden(None)
        self.capacity: IntArray = np.array([m.capacity for m in self.mentors], dtype=np.int64)
        self.mentor_at = {m.id: number for number, m in enumerate(self.mentors)}
        self.mentee_at = {e.id: number for number, e in enumerate(self.mentees)}

    def pinned(self, pins: Iterable[tuple[int, int]]) -> IntArray:
        """Per mentee, the mentor the curator pinned them to, or -1; refused, naming the pin,
        when a pin names no candidate, is forbidden, or exceeds a mentor's capacity."""
        assignment = np.full(len(self.mentees), -1, dtype=np.int64)
        for mentor_id, mentee_id in dict.fromkeys(_id_pairs(pins, "закреплённая пара")):
            pair = f"Закреплённая пара наставник №{mentor_id} – наставляемый №{mentee_id}"
            if mentor_id not in self.mentor_at:
                raise InvalidInput(f"{pair}: наставника №{mentor_id} нет среди кандидатов")
            if mentee_id not in self.mentee_at:
                raise InvalidInput(f"{pair}: наставляемого №{mentee_id} нет среди кандидатов")
            r, e = self.mentor_at[mentor_id], self.mentee_at[mentee_id]
            if assignment[e] >= 0:
                other = self.mentors[assignment[e]].id
                raise InvalidInput(
                    f"Наставляемый №{mentee_id} закреплён дважды: за наставниками №{other} "
                    f"и №{mentor_id}"
                )
            refusals = self.rules.refusals(r, e)
            if refusals:
                raise InvalidInput(f"{pair} невозможна: " + "; ".join(refusals))
            assignment[e] = r
        taken = np.bincount(assignment[assignment >= 0], minlength=len(self.mentors))
        for over in np.flatnonzero(taken > self.capacity):
            raise InvalidInput(
                f"За наставником №{self.mentors[over].id} закреплено "
                f"{counted(int(taken[over]), 'наставляемый', 'наставляемых', 'наставляемых')}, "
                f"а он может вести не больше {self.capacity[over]}"
            )
        return assignment

    def breakdown(
        self, mentee_indices: IntArray, mentor_indices: IntArray
    ) -> tuple[FloatArray, list[tuple[CriterionScore, ...]]]:
        """The listed pairs' scores (the same arithmetic as the matrix) and breakdowns."""
        selection = (mentee_indices, mentor_indices)
        totals = criteria.scores(self.features, self.weights, selection)
        parts = [
            (criterion, criterion.points(self.features, selection))
            for criterion in criteria.active(self.weights)
        ]
        breakdowns = []
        for number, (e, r) in enumerate(zip(mentee_indices, mentor_indices, strict=True)):
            mentor, mentee = self.mentors[r], self.mentees[e]
            items = []
            for criterion, points in parts:
                weight = self.weights[criterion.code]
                value = float(points[number])
                items.append(
                    CriterionScore(
                        criterion.code,
                        criterion.title,
                        weight,
                        value,
                        value * weight,
                        criterion.explain(mentor, mentee, value),
                    )
                )
            breakdowns.append(tuple(items))
        return totals, breakdowns

    def unmatched(self, assignment: IntArray) -> list[Unmatched]:
        found = []
        n, m = len(self.mentees), len(self.mentors)
        for e in np.flatnonzero(assignment < 0):
            found.append(self._why(Side.MENTEE, int(e), m, bool(self.allowed[e].any())))
        busy = np.zeros(m, dtype=bool)
        busy[assignment[assignment >= 0]] = True
        for r in np.flatnonzero(~busy):
            found.append(self._why(Side.MENTOR, int(r), n, bool(self.allowed[:, r].any())))
        return found

    def _why(self, side: Side, index: int, others: int, any_allowed: bool) -> Unmatched:
        own = (self.rules.mentee_own if side == Side.MENTEE else self.rules.mentor_own)[index]
        candidate = (self.mentees if side == Side.MENTEE else self.mentors)[index]
        if own:
            return Unmatched(candidate.id, side, "; ".join(r.reason for r in own), Cause.OWN)
        if others == 0:
            reason = NO_MENTORS if side == Side.MENTEE else NO_MENTEES
            return Unmatched(candidate.id, side, reason, Cause.NOBODY)
        if not any_allowed:
            return Unmatched(candidate.id, side, self.rules.summary(side, index), Cause.NO_ALLOWED)
        reason = ALL_MENTORS_TAKEN if side == Side.MENTEE else ALL_MENTEES_TAKEN
        return Unmatched(candidate.id, side, reason, Cause.TAKEN)

    def total(self, assignment: IntArray) -> float:
        placed = np.flatnonzero(assignment >= 0)
        return float(np.sum(self.scores[placed, assignment[placed]], dtype=np.float64))


def match(
    mentors: Sequence[Mentor],
    mentees: Sequence[Mentee],
    *,
    forms: Iterable[str],
    method: Method | str = Method.OPTIMAL,
    weights: Mapping[str, float] | None = None,
    pins: Iterable[tuple[int, int]] = (),
    forbidden: Iterable[tuple[int, int]] = (),
) -> Matching:
    """Pairs of mentors and mentees (see the package's documentation)."""
    chosen = _method(method)
    problem = Problem(mentors, mentees, forms=forms, weights=weights, forbidden=forbidden)
    pinned = problem.pinned(pins)
    capacity = problem.capacity - np.bincount(pinned[pinned >= 0], minlength=len(problem.mentors))
    eligible = pinned < 0
    ranks = (problem.features.mentee_ranks, problem.features.mentor_ranks)
    blocking: list[tuple[int, int]] = []
    optimum = None
    if chosen == Method.OPTIMAL:
        free = solvers.optimal(problem.scores, problem.allowed, capacity, eligible)
    else:
        free = solvers.stable(problem.scores, problem.allowed, capacity, eligible, *ranks)
        blocking = solvers.blocking_pairs(
            problem.scores, problem.allowed, capacity, eligible, *ranks, free
        )
        best = solvers.optimal(problem.scores, problem.allowed, capacity, eligible)
        optimum = problem.total(np.where(eligible, best, pinned))
    assignment = np.where(eligible, free, pinned)
    placed = np.flatnonzero(assignment >= 0)
    order = sorted(placed, key=lambda e: (problem.mentors[assignment[e]].id, problem.mentees[e].id))
    mentee_indices = np.array(order, dtype=np.int64)
    mentor_indices = assignment[mentee_indices]
    totals, breakdowns = problem.breakdown(mentee_indices, mentor_indices)
    pairs = tuple(
        Pair(
            problem.mentors[r].id,
            problem.mentees[e].id,
            float(score),
            parts,
            pinned=bool(pinned[e] >= 0),
        )
        for e, r, score, parts in zip(
            mentee_indices, mentor_indices, totals, breakdowns, strict=True
        )
    )
    unmatched = sorted(problem.unmatched(assignment), key=lambda u: (u.side != Side.MENTEE, u.id))
    return Matching(
        method=chosen,
        pairs=pairs,
        unmatched=tuple(unmatched),
        total=float(np.sum(totals, dtype=np.float64)),
        weights=dict(problem.weights),
        blocking_pairs=tuple(
            BlockingPair(problem.mentors[r].id, problem.mentees[e].id) for e, r in blocking
        ),
        optimum=optimum,
    )


def explain(
    mentor: Mentor,
    mentee: Mentee,
    *,
    forms: Iterable[str],
    weights: Mapping[str, float] | None = None,
    forbidden: Iterable[tuple[int, int]] = (),
) -> PairExplanation:
    """«Почему эта пара» (or why not) for any mentor and mentee: score, breakdown, refusals."""
    problem = Problem([mentor], [mentee], forms=forms, weights=weights, forbidden=forbidden)
    zero = np.zeros(1, dtype=np.int64)
    totals, [parts] = problem.breakdown(zero, zero)
    return PairExplanation(
        mentor.id, mentee.id, float(totals[0]), parts, tuple(problem.rules.refusals(0, 0))
    )


def _method(method: Method | str) -> Method:
    try:
        return Method(method)
    except ValueError:
        known = ", ".join(m.value for m in Method)
        raise InvalidInput(f"Неизвестный способ подбора «{method}»: известны {known}") from None


def _id_pairs(pairs: Iterable[tuple[int, int]], what: str) -> list[tuple[int, int]]:
    checked = []
    for pair in pairs:
        if (
            not isinstance(pair, tuple | list)
            or len(pair) != 2
            or not all(isinstance(i, int) and not isinstance(i, bool) for i in pair)
        ):
            raise InvalidInput(
                f"{what.capitalize()} — два номера (наставник, наставляемый), а не {pair!r}"
            )
        checked.append((int(pair[0]), int(pair[1])))
    return checked
