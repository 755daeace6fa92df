"""Hard rules: what forbids a mentor–mentee pair whatever its score, each with its Russian
reason.

Some rules concern one candidate, who then can be in no pair at all:
- ``consent``: no valid consent to the processing of their data (the caller's flag);
- ``form_unknown``: the program runs several forms and the candidate's is not given;
- ``form_not_run``: the candidate's form is not one the program runs;
- ``kind``: an organisation outside the school-to-school form, or a person inside it;
- ``peer_mentor_age``: in «ученик – ученик», a mentor outside the usual 15–19 years (or whose
  age is not known: a rule that protects children does not depend on a field left empty);
- ``peer_mentee_age``: in «ученик – ученик», a mentee whose age is not known (the mentor must
  not be younger, which cannot then be checked).
Others concern a pair:
- ``same``: the same person (or organisation) on both sides;
- ``other_form``: the two take part in different forms;
- ``never``: the curator forbade the pair;
- ``peer_younger``: in «ученик – ученик», a mentor younger than the mentee (of one age is
  allowed: «равный – равному»).

A candidate's form is the one given; for an organisation not given, school to school; for a
person not given, the program's only form, or unknown when it runs several.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from domain.errors import InvalidInput
from domain.forms import form_code
from domain.matching.candidates import (
    SCHOOL_TO_SCHOOL,
    SIDE_LABELS,
    Candidate,
    Kind,
    Mentee,
    Mentor,
    Side,
    form_label,
)
from domain.matching.features import BoolArray, Selection, cells, per_mentee, per_mentor
from domain.wording import counted

PEER_FORM = "student_student"  # «ученик – ученик»
PEER_MENTOR_AGES = (15, 19)
_GENITIVE = {Side.MENTOR: "наставника", Side.MENTEE: "наставляемого"}


@dataclass(frozen=True)
class Refusal:
    """Why a pair is forbidden: ``reason`` about this candidate or pair, ``short`` the same
    for a count over many (``Rules.summary``)."""

    code: str
    reason: str
    short: str


def program_forms(forms: Iterable[str]) -> frozenset[str]:
    codes = frozenset(form_code(form) for form in forms)
    if not codes:
        raise InvalidInput("Для подбора нужна хотя бы одна форма наставничества программы")
    return codes


def effective_form(candidate: Candidate, forms: frozenset[str]) -> str | None:
    if candidate.form is not None:
        return candidate.form
    if candidate.kind == Kind.ORGANISATION:
        return SCHOOL_TO_SCHOOL
    return next(iter(forms)) if len(forms) == 1 else None


def own_refusals(candidate: Candidate, side: Side, forms: frozenset[str]) -> list[Refusal]:
    """What keeps a candidate out of every pair, in the order a curator deals with it."""
    found = []
    if not candidate.consent:
        found.append(
            Refusal(
                "consent",
                "нет действующего согласия на обработку персональных данных",
                f"у {_GENITIVE[side]} нет согласия на обработку персональных данных",
            )
        )
    form = effective_form(candidate, forms)
    run = ", ".join(form_label(code) for code in sorted(forms))
    if form is None:
        found.append(
            Refusal(
                "form_unknown",
                f"не указана форма наставничества, а программа ведёт несколько: {run}",
                f"у {_GENITIVE[side]} не указана форма наставничества",
            )
        )
        return found
    if form not in forms:
        found.append(
            Refusal(
                "form_not_run",
                f"форма {form_label(form)} в программе не ведётся (ведётся: {run})",
                f"форма {_GENITIVE[side]} не ведётся в программе",
            )
        )
    school = form_label(SCHOOL_TO_SCHOOL)
    if (candidate.kind == Kind.ORGANISATION) != (form == SCHOOL_TO_SCHOOL):
        reason = (
            f"организация участвует только в форме {school}"
            if candidate.kind == Kind.ORGANISATION
            else f"в форме {school} участвуют организации, а не люди"
        )
        found.append(Refusal("kind", reason, f"{SIDE_LABELS[side]} не подходит к своей форме"))
        return found  # an organisation's age is no concern of the peer rules
    if form == PEER_FORM:
        found.extend(_peer_refusals(candidate, side))
    return found


def _peer_refusals(candidate: Candidate, side: Side) -> list[Refusal]:
    peer = form_label(PEER_FORM)
    low, high = PEER_MENTOR_AGES
    if side == Side.MENTOR:
        if candidate.age is None:
            age = "а его возраст не указан"
        elif not low <= candidate.age <= high:
            age = f"а ему {counted(candidate.age, 'год', 'года', 'лет')}"
        else:
            return []
        return [
            Refusal(
                "peer_mentor_age",
                f"в форме {peer} наставнику должно быть от {low} до {high} лет, {age}",
                f"наставнику не {low}–{high} лет (форма {peer})",
            )
        ]
    if candidate.age is None:
        return [
            Refusal(
                "peer_mentee_age",
                f"в форме {peer} нужен возраст наставляемого (наставник не может быть младше), "
                "а он не указан",
                f"возраст наставляемого не указан (форма {peer})",
            )
        ]
    return []


@dataclass(frozen=True)
class PairRule:
    code: str
    short: str
    forbids: Callable[[Rules, Selection], BoolArray]
    reason: Callable[[Rules, int, int], str]  # the rules, the mentor's index, the mentee's


def _same(rules: Rules, selection: Selection) -> BoolArray:
    return np.asarray(
        per_mentee(rules.mentee_keys, selection) == per_mentor(rules.mentor_keys, selection)
    )


def _same_reason(rules: Rules, mentor_index: int, mentee_index: int) -> str:
    mentor = rules.mentors[mentor_index]
    if mentor.kind == Kind.ORGANISATION:
        return f"одна и та же организация ({mentor.name}) не может быть наставником самой себе"
    return f"один и тот же человек ({mentor.name}) не может быть наставником самому себе"


def _other_form(rules: Rules, selection: Selection) -> BoolArray:
    mentee_form = per_mentee(rules.mentee_form_numbers, selection)
    mentor_form = per_mentor(rules.mentor_form_numbers, selection)
    return np.asarray((mentee_form != mentor_form) & (mentee_form >= 0) & (mentor_form >= 0))


def _never(rules: Rules, selection: Selection) -> BoolArray:
    return np.asarray(cells(rules.never, selection))


def _peer_younger(rules: Rules, selection: Selection) -> BoolArray:
    peer = per_mentor(rules.mentor_form_numbers, selection) == rules.peer_number
    younger = per_mentor(rules.mentor_ages, selection) < per_mentee(rules.mentee_ages, selection)
    return np.asarray(peer & younger)


PAIR_RULES: tuple[PairRule, ...] = (
    PairRule("same", "тот же участник", _same, _same_reason),
    PairRule(
        "other_form",
        "другая форма наставничества",
        _other_form,
        lambda rules, r, e: (
            f"наставник участвует в форме {form_label(rules.mentor_forms[r] or '?')}, "
            f"наставляемый — в форме {form_label(rules.mentee_forms[e] or '?')}"
        ),
    ),
    PairRule("never", "запрет куратора", _never, lambda rules, r, e: "куратор запретил эту пару"),
    PairRule(
        "peer_younger",
        "наставник младше наставляемого",
        _peer_younger,
        lambda rules, r, e: (
            f"в форме {form_label(PEER_FORM)} наставник не может быть младше наставляемого: "
            f"наставнику {_years(rules.mentors[r].age)}, наставляемому "
            f"{_years(rules.mentees[e].age)}"
        ),
    ),
)


class Rules:
    """The hard rules of one program applied to its candidates."""

    def __init__(
        self,
        mentors: Sequence[Mentor],
        mentees: Sequence[Mentee],
        forms: frozenset[str],
        forbidden: Iterable[tuple[int, int]],
    ) -> None:
        self.mentors: Sequence[Mentor] = mentors
        self.mentees: Sequence[Mentee] = mentees
        self.forms = forms
        self.mentor_own = [own_refusals(m, Side.MENTOR, forms) for m in mentors]
        self.mentee_own = [own_refusals(e, Side.MENTEE, forms) for e in mentees]
        self.mentor_out = np.array([bool(own) for own in self.mentor_own], dtype=bool)
        self.mentee_out = np.array([bool(own) for own in self.mentee_own], dtype=bool)
        numbers = {form: number for number, form in enumerate(sorted(forms))}
        self.peer_number = numbers.get(PEER_FORM, -2)

        self.mentor_forms: list[str | None] = [effective_form(m, forms) for m in mentors]
        self.mentee_forms: list[str | None] = [effective_form(e, forms) for e in mentees]

        def form_numbers(known: list[str | None]) -> np.ndarray:
            return np.array([numbers.get(f, -1) if f else -1 for f in known], dtype=np.int64)

        self.mentor_form_numbers = form_numbers(self.mentor_forms)
        self.mentee_form_numbers = form_numbers(self.mentee_forms)
        self.mentor_ages = np.array(
            [np.nan if m.age is None else m.age for m in mentors], dtype=np.float64
        )
        self.mentee_ages = np.array(
            [np.nan if e.age is None else e.age for e in mentees], dtype=np.float64
        )
        self.mentor_keys = np.array([_key(m) for m in mentors], dtype=np.int64)
        self.mentee_keys = np.array([_key(e) for e in mentees], dtype=np.int64)
        mentor_at = {m.id: number for number, m in enumerate(mentors)}
        mentee_at = {e.id: number for number, e in enumerate(mentees)}
        self.never = np.zeros((len(mentees), len(mentors)), dtype=bool)
        for mentor_id, mentee_id in forbidden:
            # A forbidden pair of someone no longer a candidate forbids nothing.
            if mentor_id in mentor_at and mentee_id in mentee_at:
                self.never[mentee_at[mentee_id], mentor_at[mentor_id]] = True

    def forbidden(self, selection: Selection = None) -> BoolArray:
        """Which pairs some rule forbids: a mentees x mentors matrix, or per listed pair."""
        out = per_mentee(self.mentee_out, selection) | per_mentor(self.mentor_out, selection)
        for rule in PAIR_RULES:
            out = out | rule.forbids(self, selection)
        return np.asarray(out, dtype=bool)

    def refusals(self, mentor: int, mentee: int) -> list[str]:
        """Every reason the pair (by index) is forbidden, for a curator; none if allowed."""
        reasons = [f"наставник: {r.reason}" for r in self.mentor_own[mentor]]
        reasons += [f"наставляемый: {r.reason}" for r in self.mentee_own[mentee]]
        selection = (np.array([mentee]), np.array([mentor]))
        for rule in PAIR_RULES:
            if rule.forbids(self, selection)[0]:
                reasons.append(rule.reason(self, mentor, mentee))
        return reasons

    def summary(self, side: Side, index: int) -> str:
        """Why nobody on the other side can be paired with this candidate (who is not kept
        out by a rule of their own): the first rule that forbids each pair, counted."""
        others = len(self.mentors) if side == Side.MENTEE else len(self.mentees)
        own = np.full(others, index)
        across = np.arange(others)
        selection = (own, across) if side == Side.MENTEE else (across, own)
        other_own = self.mentor_own if side == Side.MENTEE else self.mentee_own
        counts: dict[str, int] = {}
        for refusals in other_own:
            if refusals:
                counts[refusals[0].short] = counts.get(refusals[0].short, 0) + 1
        left = ~(self.mentor_out if side == Side.MENTEE else self.mentee_out)
        for rule in PAIR_RULES:
            hit = left & rule.forbids(self, selection)
            if hit.any():
                counts[rule.short] = int(hit.sum())
                left &= ~hit
        whom = "наставника" if side == Side.MENTEE else "наставляемого"
        total = counted(others, "кандидат", "кандидата", "кандидатов")
        items = "; ".join(f"{short} — {count}" for short, count in counts.items())
        return f"нет ни одного допустимого {whom} (всего {total}): {items}"


def _years(age: int | None) -> str:
    return "возраст не указан" if age is None else counted(age, "год", "года", "лет")


def _key(candidate: Candidate) -> int:
    """One number per candidate: a person and an organisation with one id differ."""
    return candidate.id * 2 + (1 if candidate.kind == Kind.ORGANISATION else 0)
