"""Matching mentors and mentees (stage 19, «Формирование наставнических пар/групп»).

Pure functions over plain values: nothing here reads or writes the database. The caller
gathers the candidates (their questionnaires, consents, forms, psychological types), the
program's forms, the curator's weights, pins and forbidden pairs, calls ``match``, and persists
or shows what it returns.

    from domain.matching import Mentee, Mentor, match

    mentors = [Mentor.from_answers(pid, survey[pid], prefs.get(pid), consent=pid in allowed)
               for pid in mentor_ids]
    mentees = [Mentee.from_answers(pid, survey[pid], prefs.get(pid), consent=pid in allowed)
               for pid in mentee_ids]
    result = match(mentors, mentees, forms=["student_student"], method="optimal",
                   weights={"psych": 0}, pins=[(12, 40)], forbidden=[(12, 41)])
    for pair in result.pairs:          # mentor_id, mentee_id, score, breakdown, pinned
        print(pair.why())
    for person in result.unmatched:    # id, side, reason (Russian), cause
        print(person.text())

``match(mentors, mentees, *, forms, method, weights, pins, forbidden) -> Matching``
- ``mentors``, ``mentees``: ``Mentor`` and ``Mentee`` values (candidates.py), each with an int
  ``id`` unique on its side: a person's id, or an organisation's (``kind=Kind.ORGANISATION``).
- ``forms``: the program's forms of mentoring, by code or Russian name (domain/forms.py).
- ``method``: ``"optimal"`` (default) or ``"stable"`` (``Method``).
- ``weights``: code → weight for the criteria to re-weigh (criteria.py; 0 turns one off), the
  rest keep ``DEFAULT_WEIGHTS``.
- ``pins``: (mentor id, mentee id) pairs the curator fixed: always in the result (``pinned``),
  counted against the mentor's capacity. A pin that a hard rule forbids, that names no
  candidate, that pins a mentee twice or that exceeds a capacity is refused (InvalidInput, in
  Russian, naming it): the curator must see that the pin cannot stand (a pinned person whose
  consent was withdrawn, say, is named with that reason).
- ``forbidden``: (mentor id, mentee id) pairs the curator ruled out («никогда»).

``Matching``: ``pairs`` (``Pair``: mentor_id, mentee_id, score, breakdown — one
``CriterionScore`` per active criterion, with points, weight, score and a Russian explanation —
and pinned), ``unmatched`` (``Unmatched``: id, side, Russian reason, ``Cause``), ``total``, the
``weights`` used, and for the stable method ``blocking_pairs`` (none, unless something is wrong),
``optimum`` (the optimal method's total with the same pins), ``gap`` and ``gap_percent``.
``report()`` sums it up in Russian.

``explain(mentor, mentee, *, forms, weights, forbidden) -> PairExplanation``: score,
breakdown and the rules forbidding one pair, for «почему эта пара» and «почему не эта».

Design:
- criteria.py: the named, weighted compatibility criteria; rules.py: the hard rules with their
  Russian reasons; solvers.py: the two methods; features.py: both sides as numpy arrays, so
  that all pairs are scored at once; candidates.py: the values and how they are read from the
  questionnaires; engine.py: one matching from start to end; results.py: what it returns.
- Capacity: a mentor takes up to ``capacity`` mentees (1, the default: a pair; more: a group,
  the mentor survey's «capacity» answer); a mentee takes one mentor.
- School to school («образовательная организация – образовательная организация»): the
  candidates are organisations (``kind=Kind.ORGANISATION``, ``id`` the organisation's, form
  implied), the mentor school's competencies and the mentee school's request topics from their
  applications, the capacity the number of schools a strong school takes on. The same criteria
  (those without data give 0 and say so), rules (an organisation pairs only in this form, a
  person never) and solvers apply.
- Scale: all pairs are scored and checked at once with numpy, and each connected part of the
  allowed pairs (at least one per form) is solved on its own; 5,000 mentees and 1,500 mentors
  of four forms take about a second (bench/matching.py).
- Unmatched people are left unmatched and told why: a rule of their own («нет действующего
  согласия…»), no allowed partner at all (each rule that forbids and how many it forbids), or
  «все подходящие наставники заняты» (a mentor: «все подходящие наставляемые в парах с другими
  наставниками»).
"""

from __future__ import annotations

from domain.matching.candidates import Kind, Mentee, Mentor, Side, age_groups_of
from domain.matching.criteria import CRITERIA, DEFAULT_WEIGHTS, REQUEST_NEEDS, Criterion
from domain.matching.engine import PairExplanation, explain, match
from domain.matching.results import (
    METHOD_LABELS,
    BlockingPair,
    Cause,
    CriterionScore,
    Matching,
    Method,
    Pair,
    Unmatched,
)
from domain.matching.rules import PEER_FORM, PEER_MENTOR_AGES

__all__ = [
    "CRITERIA",
    "DEFAULT_WEIGHTS",
    "METHOD_LABELS",
    "PEER_FORM",
    "PEER_MENTOR_AGES",
    "REQUEST_NEEDS",
    "BlockingPair",
    "Cause",
    "Criterion",
    "CriterionScore",
    "Kind",
    "Matching",
    "Mentee",
    "Mentor",
    "Method",
    "Pair",
    "PairExplanation",
    "Side",
    "Unmatched",
    "age_groups_of",
    "explain",
    "match",
]
