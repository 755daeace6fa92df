"""The two methods of forming pairs, on matrices: mentees are rows, mentors columns.

Both take a score matrix, the matrix of allowed pairs (no hard rule forbids them), each mentor's
free places (their capacity less their pinned mentees) and which mentees are still to place
(not pinned); both return, per mentee, the index of their mentor or -1.

OPTIMAL: the assignment of the largest total score, exact. Each mentor's column is repeated once
per free place, and scipy's linear_sum_assignment (a shortest augmenting path method) solves
the rectangular problem. A forbidden pair's entry is 0, and an allowed pair's is its score plus
``TIE_BREAK`` (positive even for a score of 0), so that

- when there are more free places than mentees, every mentee gets a column; a mentee whose
  column is a forbidden pair is left unmatched, which is what any optimum of the problem with
  "unmatched" allowed does with them, since the places are enough for the matched and the
  unmatched alike (a dummy column per mentee would only double the matrix);
- when there are fewer places than mentees, every place gets a mentee, and a place given to a
  forbidden pair is a place left empty.

So the optimum of the repeated matrix is the optimum of the problem, and among assignments of
one total (to 1e-9 a pair) the one that leaves the fewest people unmatched. Rows and columns
that cannot be in any pair are left out, and the graph of allowed pairs is split into its
connected parts, each solved on its own: pairs across forms are always forbidden, so a program
of four forms solves four matrices of about a quarter of the size each, and the solver's time
grows faster than the square of the size. Measured by bench/matching.py (5,000 mentees, 1,500
mentors of capacity 1 to 4, structured answers): four forms, 2.3 to 2.6 s for the whole matrix
against 0.33 to 0.37 s for its parts; one form, 3.1 s (one part). scipy's
``min_weight_full_bipartite_matching`` on the same matrices as sparse ones took 3.2 s and 4.6 s,
plus 0.7 to 0.8 s to build them (and 28 s against 9 s on scores of many distinct values, in a
first trial): the dense method is the one used.

STABLE: deferred acceptance, proposed by mentees, with capacities (Gale–Shapley, «colleges and
students»). A mentee's order of mentors is the stage-18 ranking (the mentors they ranked that
are allowed, in their order), then every other allowed mentor by score, highest first, then by
position in the list; a mentor's order of mentees likewise with their own ranking. So ties, and
a person who ranked nobody, fall back to the score, and every allowed partner is acceptable.
The result is stable: no allowed pair (mentee, mentor) where the mentee prefers the mentor to
their partner (or has none) and the mentor has a free place or prefers the mentee to one of
theirs (``blocking_pairs`` checks it); and it is the best stable assignment for every mentee.
Pinned pairs are outside it: a pinned mentee does not move, and a mentor's pinned mentees only
take places.
"""

from __future__ import annotations

import heapq
from collections import deque

import numpy as np
from scipy.optimize import linear_sum_assignment

from domain.matching.features import BoolArray, FloatArray, IntArray

TIE_BREAK = 1e-9  # per allowed pair, times the largest score (at least 1)


def reachable(
    allowed: BoolArray, capacity: IntArray, eligible: BoolArray
) -> tuple[IntArray, IntArray, BoolArray]:
    """The mentees still to place who have an allowed mentor with a free place, those mentors,
    and the allowed pairs among them."""
    reach = allowed & eligible[:, None] & (capacity > 0)[None, :]
    rows = np.flatnonzero(reach.any(axis=1))
    columns = np.flatnonzero(reach[rows].any(axis=0))
    if len(rows) < reach.shape[0] or len(columns) < reach.shape[1]:
        reach = reach[np.ix_(rows, columns)]
    return rows, columns, reach


def components(reach: BoolArray) -> list[tuple[IntArray, IntArray]]:
    """The connected parts of the graph of allowed pairs (every row and column in one), as
    (rows, columns): no pair joins two of them, so each is solved on its own. A breadth-first
    search, a frontier at a time: each row and column is read once."""
    n, m = reach.shape
    row_seen = np.zeros(n, dtype=bool)
    column_seen = np.zeros(m, dtype=bool)
    found = []
    for start in range(n):
        if row_seen[start]:
            continue
        row_seen[start] = True
        rows, columns = [np.array([start])], []
        frontier = rows[0]
        while len(frontier):
            new_columns = np.flatnonzero(reach[frontier].any(axis=0) & ~column_seen)
            if not len(new_columns):
                break
            column_seen[new_columns] = True
            columns.append(new_columns)
            frontier = np.flatnonzero(reach[:, new_columns].any(axis=1) & ~row_seen)
            row_seen[frontier] = True
            rows.append(frontier)
        found.append((np.sort(np.concatenate(rows)), np.sort(np.concatenate(columns))))
    return found


def expanded(
    scores: FloatArray, allowed: BoolArray, capacity: IntArray
) -> tuple[FloatArray, IntArray]:
    """The matrix the optimal method solves for these rows and columns (each column repeated
    by its free places, forbidden pairs 0, allowed ones their score plus the tie-break), and
    per column of it the column of ``scores`` it repeats."""
    bonus = TIE_BREAK * max(1.0, float(scores.max(initial=0.0)))
    weights = np.where(allowed, scores + bonus, 0.0)
    places = np.minimum(capacity, len(scores))
    return np.repeat(weights, places, axis=1), np.repeat(np.arange(len(places)), places)


def whole_matrix(
    scores: FloatArray, allowed: BoolArray, capacity: IntArray, eligible: BoolArray
) -> FloatArray:
    """The same matrix for every reachable pair at once, without splitting it into parts: what
    the optimal method would solve if it did not (the benchmark's baseline)."""
    rows, columns, reach = reachable(allowed, capacity, eligible)
    matrix, _ = expanded(scores[np.ix_(rows, columns)], reach, capacity[columns])
    return matrix


def optimal(
    scores: FloatArray, allowed: BoolArray, capacity: IntArray, eligible: BoolArray
) -> IntArray:
    """Per mentee, the mentor of the largest total score, or -1: each connected part of the
    allowed pairs solved exactly by linear_sum_assignment."""
    assignment = np.full(len(scores), -1, dtype=np.int64)
    rows, columns, reach = reachable(allowed, capacity, eligible)
    for part_rows, part_columns in components(reach):
        mentees, mentors = rows[part_rows], columns[part_columns]
        part = np.ix_(mentees, mentors)
        part_allowed = reach[np.ix_(part_rows, part_columns)]
        matrix, owners = expanded(scores[part], part_allowed, capacity[mentors])
        chosen_rows, chosen_columns = linear_sum_assignment(matrix, maximize=True)
        chosen_mentors = owners[chosen_columns]
        kept = part_allowed[chosen_rows, chosen_mentors]
        assignment[mentees[chosen_rows[kept]]] = mentors[chosen_mentors[kept]]
    return assignment


def preference_keys(
    scores: FloatArray, ranks: np.ndarray, allowed: BoolArray
) -> tuple[np.ndarray, FloatArray]:
    """Two keys, smaller first: the place in the ranking (unranked after every ranked, a
    forbidden pair after everything), then minus the score."""
    unranked = int(ranks.max(initial=-1)) + 1
    place = np.where(ranks >= 0, ranks, unranked).astype(np.int64)
    place[~allowed] = unranked + 1
    return place, -scores


def stable(
    scores: FloatArray,
    allowed: BoolArray,
    capacity: IntArray,
    eligible: BoolArray,
    mentee_ranks: np.ndarray,
    mentor_ranks: np.ndarray,
) -> IntArray:
    """Mentee-proposing deferred acceptance; per mentee, their mentor or -1."""
    n, m = scores.shape
    assignment = np.full(n, -1, dtype=np.int64)
    if n == 0 or m == 0:
        return assignment
    usable = allowed & eligible[:, None] & (capacity > 0)[None, :]
    mentee_place, mentee_minus = preference_keys(scores, mentee_ranks, usable)
    mentor_place, mentor_minus = preference_keys(scores, mentor_ranks, usable)
    columns = np.broadcast_to(np.arange(m), (n, m))
    order = np.lexsort((columns, mentee_minus, mentee_place), axis=1)
    lengths = usable.sum(axis=1)
    following = np.zeros(n, dtype=np.int64)
    # Each mentor holds a heap of (-place, score, -mentee): its top is the least wanted. Once
    # full, that least wanted one only gets better (``bar``: its key, place and minus score);
    # a mentee skips at once every full mentor whose bar they do not pass, who would refuse.
    held: list[list[tuple[int, float, int]]] = [[] for _ in range(m)]
    full = np.zeros(m, dtype=bool)
    bar_place = np.zeros(m, dtype=np.int64)
    bar_minus = np.zeros(m)
    bar_row = np.zeros(m, dtype=np.int64)
    free = deque(e for e in range(n) if lengths[e] > 0)
    while free:
        e = free.popleft()
        rest = order[e, following[e] : lengths[e]]
        refuse = full[rest] & _before(
            (bar_place[rest], bar_minus[rest], bar_row[rest]),
            (mentor_place[e, rest], mentor_minus[e, rest], np.full(len(rest), e)),
        )
        open_ = np.flatnonzero(~refuse)
        if not len(open_):
            following[e] = lengths[e]
            continue  # refused by every allowed mentor
        r = int(rest[open_[0]])
        following[e] += open_[0] + 1
        entry = (-int(mentor_place[e, r]), -float(mentor_minus[e, r]), -e)
        if len(held[r]) < capacity[r]:
            heapq.heappush(held[r], entry)
        else:  # e passes the bar: the least wanted is let go
            worst = heapq.heapreplace(held[r], entry)
            free.append(-worst[2])
        if len(held[r]) == capacity[r]:
            full[r] = True
            top = held[r][0]
            bar_place[r], bar_minus[r], bar_row[r] = -top[0], -top[1], -top[2]
    for r, mentees in enumerate(held):
        for entry in mentees:
            assignment[-entry[2]] = r
    return assignment


def blocking_pairs(
    scores: FloatArray,
    allowed: BoolArray,
    capacity: IntArray,
    eligible: BoolArray,
    mentee_ranks: np.ndarray,
    mentor_ranks: np.ndarray,
    assignment: IntArray,
) -> list[tuple[int, int]]:
    """(mentee, mentor) index pairs that would both rather be together than as assigned, by
    the preferences ``stable`` uses; pinned mentees (not ``eligible``) are left out."""
    n, m = scores.shape
    if n == 0 or m == 0:
        return []
    usable = allowed & eligible[:, None] & (capacity > 0)[None, :]
    mentee_place, mentee_minus = preference_keys(scores, mentee_ranks, usable)
    mentor_place, mentor_minus = preference_keys(scores, mentor_ranks, usable)
    rows = np.arange(n)
    columns = np.arange(m)
    partner = assignment
    has = partner >= 0
    safe = np.where(has, partner, 0)
    # The mentee would rather: no partner, or a (place, -score, index) key before the partner's.
    own_place = np.where(has, mentee_place[rows, safe], np.iinfo(np.int64).max)[:, None]
    own_minus = np.where(has, mentee_minus[rows, safe], np.inf)[:, None]
    own_column = np.where(has, safe, m)[:, None]
    mentee_wants = _before(
        (mentee_place, mentee_minus, columns[None, :]), (own_place, own_minus, own_column)
    )
    # The mentor would rather: a free place, or a key before their least wanted mentee's.
    worst_place = np.full(m, -1, dtype=np.int64)
    worst_minus = np.full(m, -np.inf)
    worst_row = np.full(m, -1, dtype=np.int64)
    count = np.zeros(m, dtype=np.int64)
    for e in np.flatnonzero(has & eligible):
        r = partner[e]
        count[r] += 1
        key = (mentor_place[e, r], mentor_minus[e, r], e)
        if key > (worst_place[r], worst_minus[r], worst_row[r]):
            worst_place[r], worst_minus[r], worst_row[r] = key
    room = count < capacity
    mentor_wants = room[None, :] | _before(
        (mentor_place, mentor_minus, rows[:, None]),
        (worst_place[None, :], worst_minus[None, :], worst_row[None, :]),
    )
    blocking = usable & mentee_wants & mentor_wants & (partner[:, None] != columns[None, :])
    found = np.argwhere(blocking)
    return [(int(e), int(r)) for e, r in found]


def _before(
    first: tuple[np.ndarray, np.ndarray, np.ndarray],
    second: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> BoolArray:
    """Element-wise lexicographic ``first < second`` over three keys."""
    (a1, a2, a3), (b1, b2, b3) = first, second
    return np.asarray((a1 < b1) | ((a1 == b1) & ((a2 < b2) | ((a2 == b2) & (a3 < b3)))))
