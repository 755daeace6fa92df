"""What a matching gives back: pairs with their breakdown, the unmatched with the reason, and
for the stable method its report (blocking pairs, the gap to the optimum). Plain frozen values:
the caller persists, prints or shows them; every text is Russian, for a curator."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from domain.matching.candidates import SIDE_LABELS, Side
from domain.matching.criteria import number_text


class Method(StrEnum):
    OPTIMAL = "optimal"  # the largest total score
    STABLE = "stable"  # deferred acceptance on the stage-18 preferences


METHOD_LABELS = {
    Method.OPTIMAL: "наибольшая общая совместимость",
    Method.STABLE: "устойчивые пары по предпочтениям",
}


class Cause(StrEnum):
    """Why a candidate is in no pair, for a program that counts or filters them."""

    OWN = "own"  # a rule of their own keeps them out (consent, form, age)
    NO_ALLOWED = "no_allowed"  # every candidate of the other side is forbidden to them
    NOBODY = "nobody"  # the other side is empty
    TAKEN = "taken"  # those allowed are full (mentors) or paired elsewhere (mentees)


@dataclass(frozen=True)
class CriterionScore:
    """One criterion's part of a pair's score: ``points`` in [0, 1] times ``weight``."""

    code: str
    title: str
    weight: float
    points: float
    score: float
    explanation: str

    def text(self) -> str:
        """«Общие интересы: 0,50 × 1 = 0,50 — общие интересы — 1 из 2 возможных: «Спорт»»."""
        weight = f"{self.weight:g}".replace(".", ",")
        return (
            f"{self.title}: {number_text(self.points)} × {weight} = {number_text(self.score)}"
            f" — {self.explanation}"
        )


@dataclass(frozen=True)
class Pair:
    mentor_id: int
    mentee_id: int
    score: float
    breakdown: tuple[CriterionScore, ...]
    pinned: bool = False  # fixed by the curator

    def why(self) -> str:
        """«Почему эта пара»: the score and each criterion's part, one per line."""
        head = f"Совместимость {number_text(self.score)}"
        if self.pinned:
            head += " (пару закрепил куратор)"
        return "\n".join([head, *(f"• {part.text()}" for part in self.breakdown)])


@dataclass(frozen=True)
class Unmatched:
    id: int
    side: Side
    reason: str
    cause: Cause

    def text(self) -> str:
        return f"{SIDE_LABELS[self.side].capitalize()} №{self.id}: {self.reason}"


@dataclass(frozen=True)
class BlockingPair:
    """A mentor and a mentee who would both rather be together than as they are."""

    mentor_id: int
    mentee_id: int


@dataclass(frozen=True)
class Matching:
    method: Method
    pairs: tuple[Pair, ...]  # by mentor, then mentee
    unmatched: tuple[Unmatched, ...]  # mentees first, each side by id
    total: float  # the sum of the pairs' scores, pinned ones included
    weights: dict[str, float]  # every criterion's weight used (0: off)
    blocking_pairs: tuple[BlockingPair, ...] = ()  # stable: should be none
    optimum: float | None = None  # stable: the optimal method's total with the same pins

    @property
    def gap(self) -> float | None:
        """Stable: how much less total score than the optimum (never negative)."""
        return None if self.optimum is None else max(0.0, self.optimum - self.total)

    @property
    def gap_percent(self) -> float | None:
        """Stable: the gap as a percentage of the optimum (0 when the optimum is 0)."""
        if self.optimum is None or self.gap is None:
            return None
        return 0.0 if self.optimum <= 0 else 100.0 * self.gap / self.optimum

    def mentees_of(self, mentor_id: int) -> list[int]:
        return [pair.mentee_id for pair in self.pairs if pair.mentor_id == mentor_id]

    def mentor_of(self, mentee_id: int) -> int | None:
        return next((p.mentor_id for p in self.pairs if p.mentee_id == mentee_id), None)

    def report(self) -> str:
        """A summary in Russian: method, pairs, total, unmatched, and for the stable method
        its blocking pairs and its gap to the optimum."""
        lines = [
            f"Способ подбора: {METHOD_LABELS[self.method]}",
            f"Пар: {len(self.pairs)}, общая совместимость {number_text(self.total)}",
        ]
        if self.optimum is not None and self.gap is not None and self.gap_percent is not None:
            lines.append(
                f"Наибольшая возможная совместимость {number_text(self.optimum)}: "
                f"меньше на {number_text(self.gap)} ({number_text(self.gap_percent)} %)"
            )
            lines.append(
                "Неустойчивых пар нет"
                if not self.blocking_pairs
                else "Неустойчивые пары (оба предпочли бы друг друга): "
                + ", ".join(f"№{b.mentor_id} – №{b.mentee_id}" for b in self.blocking_pairs)
            )
        lines += [f"Без пары: {u.text()}" for u in self.unmatched]
        return "\n".join(lines)


def finite_total(scores: list[float]) -> float:
    return math.fsum(scores)
