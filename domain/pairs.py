"""A program's pairs and groups (stages 19 and 20 of the roadmap): what ``domain.matching``
needs read from the database, the curator's choices kept in it, the proposals matching makes,
and fixing the last one by the director's order.

- The candidates are the program's mentors and mentees: their answers to the mentor and mentee
  surveys and the stage-18 preference questionnaires, their consent on the matching day, and
  their profile (``set_profile``: the form of mentoring they take part in, needed when the
  program runs several, and a psychologist's type). A date of birth or a category recorded for
  the person is preferred to what the survey says of age and status.
- The curator's choices: the method and the criteria's weights (``configure``), pairs pinned
  («всегда вместе») or forbidden («никогда»), each kept until taken back (``unset_rule``).
- ``propose`` matches and keeps a proposal: every pair with its score and breakdown, everyone
  unmatched with the reason. Stage 19 proposes when it starts; the curator may propose again at
  any time until the pairs are fixed; pinning, forbidding or taking one back re-matches at once
  with the proposal's method, so the proposal always keeps the curator's word.
- Completing stage 20 fixes the latest proposal (``fix``): the order «О закреплении
  наставнических пар (групп)» is rendered then (.docx and HTML, documents/orders.py) and kept
  with it, and from then on nothing of the matching changes. ``check_fixable`` says in Russian
  why a program cannot be fixed yet, before the stage action is queued and again when applied.

Reasons kept in a proposal name people by number, never by name: names are put in when a
proposal is shown (``matching_view``), so that renaming a person renames them everywhere.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from domain import consents, inputs
from domain.errors import InvalidInput, NotFound, TransitionRefused
from domain.forms import FORMS, form_code
from domain.matching import (
    CRITERIA,
    DEFAULT_WEIGHTS,
    METHOD_LABELS,
    Criterion,
    CriterionScore,
    Matching,
    Mentee,
    Mentor,
    Method,
    Side,
    match,
)
from domain.matching.rules import effective_form, program_forms
from domain.models import (
    AuditEntry,
    EntryStatus,
    MatchPair,
    MatchProfile,
    MatchProposal,
    MatchRule,
    MatchSetup,
    Organisation,
    Person,
    Program,
    ProgramQuestionnaire,
    ProgramRole,
    Stage,
    SurveyResponse,
)
from domain.participants import PersonCategory, age_on, is_minor
from domain.programs import get_program, program_timezone
from domain.roadmap import ROLE_LABELS, Role, StageKind
from domain.schedule import as_moment, local_today, utc_now
from domain.wording import day_text

PIN, FORBID = "pin", "forbid"
CRITERION_FIELDS = tuple(f.name for f in dataclasses.fields(CriterionScore))
RULE_LABELS = {PIN: "закреплена", FORBID: "запрещена"}
MAX_WEIGHT = 100.0  # a criterion's weight: 0 (off) to this
# The questionnaires matching reads (domain/questionnaire_catalogue.py).
SURVEYS = {Side.MENTOR: "mentor_survey", Side.MENTEE: "mentee_survey"}
PREFERENCES = {Side.MENTOR: "mentor_preferences", Side.MENTEE: "mentee_preferences"}
ROLES = {Side.MENTOR: Role.MENTOR, Side.MENTEE: Role.MENTEE}
STATUS_OF_CATEGORY = {
    PersonCategory.PUPIL.value: "student",
    PersonCategory.STUDENT.value: "student",
    PersonCategory.TEACHER.value: "teacher",
}


# --- What is shown ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    """The program's method and every criterion's weight (``weights``), and which of them the
    curator changed (``changed``)."""

    method: Method
    weights: dict[str, float]
    changed: dict[str, float]

    @property
    def criteria(self) -> list[tuple[Criterion, float]]:
        return [(criterion, self.weights[criterion.code]) for criterion in CRITERIA]


@dataclass(frozen=True)
class PersonRef:
    id: int
    name: str
    place: str  # a class («7Б класс») or a position, or ""

    def text(self) -> str:
        return f"{self.name} ({self.place})" if self.place else self.name


@dataclass(frozen=True)
class PairView:
    mentor: PersonRef
    mentee: PersonRef
    form: str  # a code of domain/forms.py
    score: float
    breakdown: tuple[CriterionScore, ...]
    pinned: bool

    @property
    def form_label(self) -> str:
        return FORMS.get(self.form, self.form)


@dataclass(frozen=True)
class UnmatchedView:
    person: PersonRef
    side: Side
    reason: str


@dataclass(frozen=True)
class RuleView:
    mentor: PersonRef
    mentee: PersonRef
    kind: str  # PIN or FORBID
    set_by: str
    set_at: datetime


@dataclass(frozen=True)
class ProposalView:
    id: int
    method: Method
    weights: dict[str, float]
    total: float
    optimum: float | None
    blocking: tuple[tuple[PersonRef, PersonRef], ...]
    pairs: tuple[PairView, ...]  # by mentor, then mentee
    unmatched: tuple[UnmatchedView, ...]  # mentees first
    made_by: str
    made_at: datetime
    fixed_at: datetime | None

    @property
    def method_label(self) -> str:
        return METHOD_LABELS[self.method]

    @property
    def gap_percent(self) -> float | None:
        if self.optimum is None:
            return None
        return (
            0.0 if self.optimum <= 0 else 100.0 * max(0.0, self.optimum - self.total) / self.optimum
        )

    @property
    def groups(self) -> list[tuple[PersonRef, list[PairView]]]:
        """The pairs by mentor: a mentor with several mentees leads a group."""
        found: dict[int, tuple[PersonRef, list[PairView]]] = {}
        for pair in self.pairs:
            found.setdefault(pair.mentor.id, (pair.mentor, []))[1].append(pair)
        return list(found.values())


@dataclass(frozen=True)
class MatchingView:
    """Everything the curator sees of a program's matching: the setup, the pins and forbidden
    pairs, and the latest proposal (None before the first one)."""

    program_id: int
    program_title: str
    setup: Setup
    rules: tuple[RuleView, ...]
    proposal: ProposalView | None

    @property
    def fixed(self) -> bool:
        return self.proposal is not None and self.proposal.fixed_at is not None


# --- The curator's choices ----------------------------------------------------------------------


def method_of(text: str) -> Method:
    """A method by its code (optimal, stable) or its Russian label."""
    return inputs.labelled(text, METHOD_LABELS, "Неизвестный способ подбора")


def setup_of(db: Session, program_id: int) -> Setup:
    row = db.get(MatchSetup, program_id)
    changed = dict(row.weights) if row else {}
    return Setup(
        Method(row.method) if row else Method.OPTIMAL,
        {**DEFAULT_WEIGHTS, **changed},
        changed,
    )


def configure(
    db: Session,
    program_id: int,
    *,
    actor: str,
    now: datetime,
    method: str | None = None,
    weights: Mapping[str, float] | None = None,
) -> Setup:
    """Set the program's method and change criteria's weights (0 to MAX_WEIGHT; 0 turns one
    off; the default weight back: give the default). Refused once the pairs are fixed."""
    program = get_program(db, program_id)
    _refuse_if_fixed(db, program)
    if method is None and not weights:
        return setup_of(db, program_id)  # nothing to change: nothing written
    actor = inputs.text(actor, "«кто действует» (--actor)", inputs.NAME)
    row = db.get(MatchSetup, program_id) or MatchSetup(
        program_id=program_id, method=Method.OPTIMAL.value, weights={}, updated_by=actor
    )
    changed = dict(row.weights)
    known = {criterion.code: criterion for criterion in CRITERIA}
    for code, weight in (weights or {}).items():
        if code not in known:
            listed = "; ".join(f"{c.code} — {c.title}" for c in CRITERIA)
            raise InvalidInput(
                f"Неизвестный критерий подбора «{inputs.shown(code)}». Известные: {listed}"
            )
        if (
            isinstance(weight, bool)
            or not isinstance(weight, int | float)
            or not (0 <= weight <= MAX_WEIGHT)
        ):
            raise InvalidInput(
                f"Вес критерия «{known[code].title}» ({code}) — число от 0 до {MAX_WEIGHT:g}, "
                f"а не {weight!r} (0 — критерий не учитывается)"
            )
        if float(weight) == DEFAULT_WEIGHTS[code]:
            changed.pop(code, None)
        else:
            changed[code] = float(weight)
    row.weights = changed
    if method is not None:
        row.method = method_of(method).value
    row.updated_by, row.updated_at = actor, as_moment(now, program_timezone(db, program_id))
    db.add(row)
    db.flush()
    weights_said = ", ".join(f"{code}={weight:g}" for code, weight in sorted(changed.items()))
    said = METHOD_LABELS[Method(row.method)]
    _audit(db, program, "match_setup", actor, now, said, weights_said or None)
    return setup_of(db, program_id)


def set_profile(
    db: Session,
    program_id: int,
    person_id: int,
    *,
    actor: str,
    now: datetime,
    form: str | None = None,
    psych_type: str | None = None,
) -> MatchProfile:
    """A participant's form of mentoring and psychological type; an empty text clears one,
    None leaves it as it is."""
    program = get_program(db, program_id)
    _refuse_if_fixed(db, program)
    actor = inputs.text(actor, "«кто действует» (--actor)", inputs.NAME)
    _participant(db, program_id, person_id, None)
    row = db.exec(
        select(MatchProfile).where(
            MatchProfile.program_id == program_id, MatchProfile.person_id == person_id
        )
    ).first() or MatchProfile(program_id=program_id, person_id=person_id)
    if form is not None:
        code = form_code(form) if form.strip() else None
        if code is not None and code not in program.forms:
            run = ", ".join(f"«{FORMS.get(f, f)}»" for f in program.forms)
            raise InvalidInput(
                f"Форма «{FORMS[code]}» в программе №{program_id} не ведётся (ведётся: {run})"
            )
        row.form = code
    if psych_type is not None:
        row.psych_type = (
            inputs.text(psych_type, "«психологический тип»", inputs.SHORT)
            if psych_type.strip()
            else None
        )
    db.add(row)
    db.flush()
    said = [f"форма «{FORMS[row.form]}»" if row.form else "форма не указана"]
    if row.psych_type:
        said.append("психологический тип указан")  # the type itself stays out of the log
    _audit(db, program, "match_profile", actor, now, f"№{person_id}", "; ".join(said))
    return row


def set_rule(
    db: Session,
    program_id: int,
    mentor_id: int,
    mentee_id: int,
    kind: str,
    *,
    actor: str,
    now: datetime,
) -> MatchingView:
    """Pin a pair (PIN) or forbid it (FORBID), replacing what was said of it before; with a
    proposal, re-match at once. A pin that the rules forbid (no consent, another form, the
    «ученик – ученик» ages) is refused, naming why."""
    if kind not in RULE_LABELS:
        raise InvalidInput(f"Неизвестное указание о паре «{inputs.shown(kind)}»: pin или forbid")
    program = get_program(db, program_id)
    _refuse_if_fixed(db, program)
    actor = inputs.text(actor, "«кто действует» (--actor)", inputs.NAME)
    mentor = _participant(db, program_id, mentor_id, Side.MENTOR)
    _participant(db, program_id, mentee_id, Side.MENTEE)
    if mentor_id == mentee_id:
        raise InvalidInput(f"{mentor.name} не может быть наставником самому себе")
    row = _rule(db, program_id, mentor_id, mentee_id) or MatchRule(
        program_id=program_id, mentor_id=mentor_id, mentee_id=mentee_id, kind=kind, set_by=actor
    )
    row.kind, row.set_by = kind, actor
    row.set_at = as_moment(now, program_timezone(db, program_id))
    db.add(row)
    db.flush()
    _audit(db, program, kind, actor, now, f"№{mentor_id} – №{mentee_id}")
    if _latest(db, program_id) is not None:
        _rematch(db, program, actor, row.set_at)  # refuses a pin that cannot stand, by name
    elif kind == PIN:
        _check_pins(db, program, row.set_at)  # no proposal to re-make: check the pin alone
    return matching_view(db, program_id)


def unset_rule(
    db: Session, program_id: int, mentor_id: int, mentee_id: int, *, actor: str, now: datetime
) -> tuple[MatchingView, RuleView]:
    """Take back a pin or a prohibition of a pair; with a proposal, re-match at once. Returns
    the matching as it is now and the rule taken back."""
    program = get_program(db, program_id)
    _refuse_if_fixed(db, program)
    actor = inputs.text(actor, "«кто действует» (--actor)", inputs.NAME)
    mentor = _participant(db, program_id, mentor_id, Side.MENTOR)
    mentee = _participant(db, program_id, mentee_id, Side.MENTEE)
    row = _rule(db, program_id, mentor_id, mentee_id)
    if row is None:
        raise InvalidInput(
            f"Пара {mentor.name} (№{mentor_id}) – {mentee.name} (№{mentee_id}) не закреплена "
            "и не запрещена: снимать нечего"
        )
    refs = _refs(db, program_id, {mentor_id, mentee_id})
    taken = RuleView(refs[mentor_id], refs[mentee_id], row.kind, row.set_by, row.set_at)
    db.delete(row)
    db.flush()
    _audit(
        db, program, "unpin", actor, now, f"№{mentor_id} – №{mentee_id}", RULE_LABELS[taken.kind]
    )
    _rematch(db, program, actor, as_moment(now, program_timezone(db, program_id)))
    return matching_view(db, program_id), taken


# --- Matching -----------------------------------------------------------------------------------


def candidates(db: Session, program_id: int, day: date) -> tuple[list[Mentor], list[Mentee]]:
    """The program's mentors and mentees as ``domain.matching`` takes them, on ``day``."""
    sides = _sides(db, program_id)
    ids = {pid for people in sides.values() for pid in people}
    people = {p.id: p for p in db.exec(select(Person).where(col(Person.id).in_(ids))).all()}
    allowed = consents.allowed(db, ids, day)
    profiles = {
        p.person_id: p
        for p in db.exec(select(MatchProfile).where(MatchProfile.program_id == program_id)).all()
    }
    built: dict[Side, list[Any]] = {}
    for side, kind in ((Side.MENTOR, Mentor), (Side.MENTEE, Mentee)):
        survey = _answers(db, program_id, SURVEYS[side])
        preferences = _answers(db, program_id, PREFERENCES[side])
        built[side] = []
        for pid in sides[side]:
            profile = profiles.get(pid)
            candidate = kind.from_answers(
                pid,
                survey.get(pid, {}),
                preferences.get(pid),
                consent=pid in allowed,
                form=profile.form if profile else None,
                psych_type=profile.psych_type if profile else None,
            )
            built[side].append(_with_recorded_facts(candidate, people[pid], day))
    return built[Side.MENTOR], built[Side.MENTEE]


def propose(
    db: Session, program_id: int, *, actor: str, now: datetime, method: str | None = None
) -> MatchingView:
    """Match the program's mentors and mentees with its setup (``method`` instead of its own
    for this time) and keep the result as its proposal. Refused once the pairs are fixed."""
    program = get_program(db, program_id)
    _refuse_if_fixed(db, program)
    actor = inputs.text(actor, "«кто действует» (--actor)", inputs.NAME)
    chosen = method_of(method) if method is not None else None
    made = _make_proposal(
        db, program, actor, as_moment(now, program_timezone(db, program_id)), chosen
    )
    method_said = METHOD_LABELS[Method(made.method)]
    _audit(db, program, "match", actor, now, f"предложение №{made.id}", method_said)
    return matching_view(db, program_id)


def propose_for_stage(db: Session, entry: AuditEntry) -> MatchProposal:
    """Stage 19's start matches with the program's setup; its own audit entry records it."""
    program = get_program(db, entry.program_id)
    return _make_proposal(db, program, entry.actor, entry.effective_at, None)


def _make_proposal(
    db: Session, program: Program, actor: str, now: datetime, method: Method | None
) -> MatchProposal:
    assert program.id is not None
    day = local_today(now, program_timezone(db, program.id))
    setup = setup_of(db, program.id)
    mentors, mentees = candidates(db, program.id, day)
    rules = _rules(db, program.id)
    try:
        result = match(
            mentors,
            mentees,
            forms=program.forms,
            method=method or setup.method,
            weights=setup.changed,
            pins=[(r.mentor_id, r.mentee_id) for r in rules if r.kind == PIN],
            forbidden=[(r.mentor_id, r.mentee_id) for r in rules if r.kind == FORBID],
        )
    except InvalidInput as refusal:  # a pin that no longer stands: name the people
        raise InvalidInput(_named(db, str(refusal))) from None
    return _keep(db, program, result, mentors, mentees, actor, now)


def _keep(
    db: Session,
    program: Program,
    result: Matching,
    mentors: list[Mentor],
    mentees: list[Mentee],
    actor: str,
    now: datetime,
) -> MatchProposal:
    assert program.id is not None
    forms = program_forms(program.forms)
    form_of = {
        (side, c.id): effective_form(c, forms) or ""
        for side, group in ((Side.MENTOR, mentors), (Side.MENTEE, mentees))
        for c in group
    }
    proposal = MatchProposal(
        program_id=program.id,
        method=result.method.value,
        weights=result.weights,
        total=result.total,
        optimum=result.optimum,
        blocking=[[b.mentor_id, b.mentee_id] for b in result.blocking_pairs],
        unmatched=[
            {"id": u.id, "side": u.side.value, "reason": u.reason, "cause": u.cause.value}
            for u in result.unmatched
        ],
        made_by=actor,
        made_at=now,
    )
    db.add(proposal)
    db.flush()
    assert proposal.id is not None
    # One INSERT for all the pairs: a large program has hundreds, each with its breakdown.
    rows = [
        {
            "proposal_id": proposal.id,
            "mentor_id": pair.mentor_id,
            "mentee_id": pair.mentee_id,
            "form": form_of[(Side.MENTEE, pair.mentee_id)]
            or form_of[(Side.MENTOR, pair.mentor_id)],
            "score": pair.score,
            "breakdown": [_part(part) for part in pair.breakdown],
            "pinned": pair.pinned,
        }
        for pair in result.pairs
    ]
    if rows:
        db.execute(sa.insert(MatchPair), rows)
    db.flush()
    return proposal


def _part(part: CriterionScore) -> dict[str, Any]:
    """A criterion's part as stored (dataclasses.asdict deep-copies: ten times slower)."""
    return {name: getattr(part, name) for name in CRITERION_FIELDS}


def _rematch(db: Session, program: Program, actor: str, now: datetime) -> None:
    """After a pin or a prohibition changed: the proposal again, with its own method."""
    latest = _latest(db, program.id or 0)
    if latest is not None:
        _make_proposal(db, program, actor, now, Method(latest.method))


def _check_pins(db: Session, program: Program, now: datetime) -> None:
    """Refuse, naming the people and the reason, a pin the rules forbid on the day of ``now``."""
    assert program.id is not None
    day = local_today(now, program_timezone(db, program.id))
    mentors, mentees = candidates(db, program.id, day)
    rules = _rules(db, program.id)
    try:
        match(
            mentors,
            mentees,
            forms=program.forms,
            pins=[(r.mentor_id, r.mentee_id) for r in rules if r.kind == PIN],
            forbidden=[(r.mentor_id, r.mentee_id) for r in rules if r.kind == FORBID],
        )
    except InvalidInput as refusal:
        raise InvalidInput(_named(db, str(refusal))) from None


def check_matchable(db: Session, program_id: int, now: datetime) -> None:
    """Before stage 19 (or a stage of matching a curator added) starts: the pairs are not fixed
    yet, and every pin still stands."""
    program = get_program(db, program_id)
    _refuse_if_fixed(db, program)
    _check_pins(db, program, now)


# --- Fixing -------------------------------------------------------------------------------------


def check_fixable(db: Session, program_id: int, now: datetime) -> None:
    """Why completing stage 20 would be refused, in Russian: no proposal or no pair while the
    program has participants, a paired person without consent now, or an order that cannot be
    written (no director, no curator). A program without mentors and mentees has nothing to
    fix and is not refused."""
    program = get_program(db, program_id)
    proposal = _latest(db, program_id)
    if proposal is None or proposal.fixed_at is not None:
        if proposal is None and any(_sides(db, program_id).values()):
            raise TransitionRefused(
                f"Пары программы №{program_id} ещё не подобраны: nastavnik match run {program_id}"
            )
        return
    pairs = _pairs(db, proposal.id or 0)
    if not pairs:
        raise TransitionRefused(
            f"В предложении подбора программы №{program_id} нет ни одной пары: закреплять "
            f"нечего (кто без пары и почему — nastavnik match show {program_id})"
        )
    day = local_today(now, program_timezone(db, program_id))
    paired = {p.mentor_id for p in pairs} | {p.mentee_id for p in pairs}
    lost = sorted(paired - consents.allowed(db, paired, day))
    if lost:
        names = _names(db, lost)
        raise TransitionRefused(
            "Нет действующего согласия на обработку персональных данных у "
            + ", ".join(f"{names[pid]} (№{pid})" for pid in lost)
            + f" на {day_text(day)}: подберите пары заново (nastavnik match run {program_id})"
        )
    from documents.orders import compose  # the order's libraries load only when an order is made

    compose(order_facts(db, program, pairs, day))


def fix(db: Session, program_id: int, now: datetime) -> MatchProposal | None:
    """Fix the latest proposal: render its order and keep it with it. Called by stage 20's
    completion after ``check_fixable``; None when there is nothing to fix."""
    from documents.orders import docx_bytes, render_html

    program = get_program(db, program_id)
    proposal = _latest(db, program_id)
    if proposal is None or proposal.fixed_at is not None:
        return None
    day = local_today(now, program_timezone(db, program_id))
    facts = order_facts(db, program, _pairs(db, proposal.id or 0), day)
    proposal.order_docx = docx_bytes(facts)
    proposal.order_html = render_html(facts)
    proposal.fixed_at = now
    db.add(proposal)
    db.flush()
    return proposal


def fixed_proposal(db: Session, program_id: int) -> MatchProposal:
    """The proposal fixed by the order, refused in Russian while there is none."""
    get_program(db, program_id)
    proposal = _latest(db, program_id)
    if proposal is None or proposal.fixed_at is None:
        raise NotFound(
            f"Пары программы №{program_id} ещё не закреплены приказом: приказ появляется, когда "
            "завершается этап 20 «Закрепление пар приказом» (nastavnik match fix "
            f"{program_id} --docx ФАЙЛ)"
        )
    return proposal


def fixed_pairs(db: Session, program_id: int) -> list[MatchPair]:
    """The pairs of the fixed proposal (none before the pairs are fixed)."""
    proposal = _latest(db, program_id)
    if proposal is None or proposal.fixed_at is None:
        return []
    return _pairs(db, proposal.id or 0)


def partners_of(
    db: Session, program_id: int, person_id: int | None = None
) -> dict[tuple[int, Role], tuple[str, ...]]:
    """Who is told what when the pairs are fixed: each mentor their mentees, each mentee their
    mentor, as «ФИО (класс или должность)»; only ``person_id``'s pairs when given."""
    found: dict[tuple[int, Role], list[str]] = {}
    pairs = [
        pair
        for pair in fixed_pairs(db, program_id)
        if person_id is None or person_id in (pair.mentor_id, pair.mentee_id)
    ]
    refs = _refs(db, program_id, {p.mentor_id for p in pairs} | {p.mentee_id for p in pairs})
    for pair in pairs:
        found.setdefault((pair.mentor_id, Role.MENTOR), []).append(refs[pair.mentee_id].text())
        found.setdefault((pair.mentee_id, Role.MENTEE), []).append(refs[pair.mentor_id].text())
    return {key: tuple(names) for key, names in found.items()}


def order_facts(db: Session, program: Program, pairs: Iterable[MatchPair], day: date) -> Any:
    """The order's facts (documents.orders.OrderFacts) from the program and its pairs, on
    ``day`` (who is a minor then)."""
    from documents.orders import FixedPair, Official, OrderFacts, Participant

    assert program.id is not None
    org = db.get(Organisation, program.org_id)
    assert org is not None
    pairs = list(pairs)
    refs = _refs(db, program.id, {p.mentor_id for p in pairs} | {p.mentee_id for p in pairs})
    minors = {pid for pid, person in _people(db, {p.mentee_id for p in pairs}).items()
              if is_minor(person, day)}  # fmt: skip
    curator = _holder(db, program.id, Role.CURATOR, "куратор")
    director = _holder(db, program.id, Role.DIRECTOR, "руководитель ОО")
    groups: dict[tuple[int, str], list[MatchPair]] = {}
    for pair in pairs:
        groups.setdefault((pair.mentor_id, pair.form), []).append(pair)
    return OrderFacts(
        organisation=org.name,
        program_title=program.title,
        curator=Official(curator.name, curator.place or ""),
        director=Official(director.name, director.place or ""),
        pairs=tuple(
            FixedPair(
                mentor=Participant(refs[mentor_id].name, refs[mentor_id].place),
                mentees=tuple(
                    Participant(
                        refs[p.mentee_id].name, refs[p.mentee_id].place, p.mentee_id in minors
                    )
                    for p in group
                ),
                form=form,
            )
            for (mentor_id, form), group in groups.items()
        ),
        program_forms=tuple(program.forms),
        start=program.start_date,
        end=program.end_date,
    )


# --- Reading ------------------------------------------------------------------------------------


def matching_view(db: Session, program_id: int) -> MatchingView:
    program = get_program(db, program_id)
    rules = _rules(db, program_id)
    proposal = _latest(db, program_id)
    pairs = _pairs(db, proposal.id or 0) if proposal else []
    ids = {r.mentor_id for r in rules} | {r.mentee_id for r in rules}
    ids |= {p.mentor_id for p in pairs} | {p.mentee_id for p in pairs}
    if proposal is not None:
        ids |= {int(u["id"]) for u in proposal.unmatched}
        ids |= {pid for pair in proposal.blocking for pid in pair}
    refs = _refs(db, program_id, ids)
    return MatchingView(
        program_id=program_id,
        program_title=program.title,
        setup=setup_of(db, program_id),
        rules=tuple(
            RuleView(refs[r.mentor_id], refs[r.mentee_id], r.kind, r.set_by, r.set_at)
            for r in rules
        ),
        proposal=_proposal_view(proposal, pairs, refs) if proposal else None,
    )


def _proposal_view(
    proposal: MatchProposal, pairs: list[MatchPair], refs: dict[int, PersonRef]
) -> ProposalView:
    assert proposal.id is not None
    return ProposalView(
        id=proposal.id,
        method=Method(proposal.method),
        weights=dict(proposal.weights),
        total=proposal.total,
        optimum=proposal.optimum,
        blocking=tuple((refs[a], refs[b]) for a, b in proposal.blocking),
        pairs=tuple(
            PairView(
                refs[p.mentor_id],
                refs[p.mentee_id],
                p.form,
                p.score,
                tuple(CriterionScore(**part) for part in p.breakdown),
                p.pinned,
            )
            for p in pairs
        ),
        unmatched=tuple(
            UnmatchedView(refs[int(u["id"])], Side(u["side"]), str(u["reason"]))
            for u in proposal.unmatched
        ),
        made_by=proposal.made_by,
        made_at=proposal.made_at,
        fixed_at=proposal.fixed_at,
    )


# --- Helpers ------------------------------------------------------------------------------------


def _audit(
    db: Session,
    program: Program,
    action: str,
    actor: str,
    now: datetime,
    what: str,
    detail: str | None = None,
) -> None:
    """The curator's change of the matching in the program's log (domain/history.py), on
    stage 19: people by number only, as a proposal keeps them."""
    assert program.id is not None
    moment = as_moment(now, program_timezone(db, program.id))
    stage = db.exec(
        select(Stage).where(Stage.program_id == program.id, Stage.kind == StageKind.MATCHING.value)
    ).first()
    db.add(
        AuditEntry(
            program_id=program.id,
            stage_id=stage.id if stage else None,
            action=action,
            to_value=what,
            from_value=detail,
            actor=actor,
            status=EntryStatus.APPLIED,
            requested_at=utc_now(),
            effective_at=moment,
        )
    )
    db.flush()


def _latest(db: Session, program_id: int) -> MatchProposal | None:
    return db.exec(
        select(MatchProposal)
        .where(MatchProposal.program_id == program_id)
        .order_by(col(MatchProposal.id).desc())
        .limit(1)
    ).first()


def _pairs(db: Session, proposal_id: int) -> list[MatchPair]:
    return list(
        db.exec(
            select(MatchPair)
            .where(MatchPair.proposal_id == proposal_id)
            .order_by(col(MatchPair.mentor_id), col(MatchPair.mentee_id))
        ).all()
    )


def _rules(db: Session, program_id: int) -> list[MatchRule]:
    return list(
        db.exec(
            select(MatchRule)
            .where(MatchRule.program_id == program_id)
            .order_by(col(MatchRule.mentor_id), col(MatchRule.mentee_id))
        ).all()
    )


def _rule(db: Session, program_id: int, mentor_id: int, mentee_id: int) -> MatchRule | None:
    return db.exec(
        select(MatchRule).where(
            MatchRule.program_id == program_id,
            MatchRule.mentor_id == mentor_id,
            MatchRule.mentee_id == mentee_id,
        )
    ).first()


def _refuse_if_fixed(db: Session, program: Program) -> None:
    latest = _latest(db, program.id or 0)
    if latest is not None and latest.fixed_at is not None:
        day = local_today(latest.fixed_at, program_timezone(db, program.id or 0))
        raise TransitionRefused(
            f"Пары программы №{program.id} закреплены приказом {day_text(day)} (этап 20 "
            "завершён): подбор больше не меняется"
        )


def _sides(db: Session, program_id: int) -> dict[Side, list[int]]:
    found: dict[Side, list[int]] = {Side.MENTOR: [], Side.MENTEE: []}
    by_role = {role.value: side for side, role in ROLES.items()}
    rows = db.exec(
        select(ProgramRole)
        .where(
            ProgramRole.program_id == program_id,
            col(ProgramRole.role).in_(list(by_role)),
        )
        .order_by(col(ProgramRole.person_id))
    ).all()
    for row in rows:
        found[by_role[row.role]].append(row.person_id)
    return found


def _participant(db: Session, program_id: int, person_id: int, side: Side | None) -> Person:
    """A mentor (or a mentee) of the program, refused in Russian when not one."""
    inputs.identifier(person_id, "участника")
    person = db.get(Person, person_id)
    if person is None:
        raise NotFound(f"Участник №{person_id} не найден (список: nastavnik person list)")
    sides = _sides(db, program_id)
    wanted = [side] if side else list(sides)
    if not any(person_id in sides[s] for s in wanted):
        role = " или ".join(f"«{ROLE_LABELS[ROLES[s]]}»" for s in wanted)
        raise InvalidInput(
            f"{person.name} (№{person_id}) не участвует в программе №{program_id} в роли {role}"
        )
    return person


def _answers(db: Session, program_id: int, code: str) -> dict[int, dict[str, object]]:
    """A questionnaire's answers by person; none while its stage has not started."""
    rows = db.execute(
        sa.select(col(SurveyResponse.person_id), col(SurveyResponse.answers))
        .join(
            ProgramQuestionnaire,
            col(ProgramQuestionnaire.id) == col(SurveyResponse.questionnaire_id),
        )
        .where(
            col(ProgramQuestionnaire.program_id) == program_id,
            col(ProgramQuestionnaire.code) == code,
        )
    ).all()
    return {person_id: dict(answers) for person_id, answers in rows}


def _with_recorded_facts(candidate: Any, person: Person, day: date) -> Any:
    """A date of birth recorded for the person is surer than the age they gave; their category
    tells a mentee's status when the survey does not."""
    changes: dict[str, object] = {}
    if person.birth_date is not None:
        changes["age"] = age_on(person.birth_date, day)
    if isinstance(candidate, Mentee):
        if candidate.status is None and person.category in STATUS_OF_CATEGORY:
            changes["status"] = STATUS_OF_CATEGORY[person.category]
        if candidate.teaching_experience is None and person.teaching_since is not None:
            changes["teaching_experience"] = max(0, day.year - person.teaching_since)
        if changes:
            changes["age_groups"] = None  # worked out again from the facts
    return dataclasses.replace(candidate, **changes) if changes else candidate


def _people(db: Session, ids: Iterable[int]) -> dict[int, Person]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = db.exec(select(Person).where(col(Person.id).in_(wanted))).all()
    return {p.id: p for p in rows if p.id is not None}


def _names(db: Session, ids: Iterable[int]) -> dict[int, str]:
    return {pid: person.name for pid, person in _people(db, ids).items()}


def _refs(db: Session, program_id: int, ids: Iterable[int]) -> dict[int, PersonRef]:
    """People as the curator and the order name them: with a pupil's class or the place
    recorded for them, else the place they gave in their survey."""
    people = _people(db, ids)
    place = col(SurveyResponse.answers)["place"].as_string()  # read in the database
    given: dict[int, object] = dict(
        db.execute(  # type: ignore[arg-type]
            sa.select(col(SurveyResponse.person_id), place)
            .join(
                ProgramQuestionnaire,
                col(ProgramQuestionnaire.id) == col(SurveyResponse.questionnaire_id),
            )
            .where(
                col(ProgramQuestionnaire.program_id) == program_id,
                col(ProgramQuestionnaire.code).in_(list(SURVEYS.values())),
                col(SurveyResponse.person_id).in_(list(people)),
            )
        ).all()
    )
    return {
        pid: PersonRef(pid, person.name, _place(person, given.get(pid)))
        for pid, person in people.items()
    }


def _place(person: Person, answered: object) -> str:
    if person.school_class:
        return f"{person.school_class} класс"
    if person.place:
        return person.place
    return answered.strip() if isinstance(answered, str) else ""


def _holder(db: Session, program_id: int, role: Role, label: str) -> Person:
    person = db.exec(
        select(Person)
        .join(ProgramRole, col(ProgramRole.person_id) == col(Person.id))
        .where(ProgramRole.program_id == program_id, ProgramRole.role == role.value)
        .order_by(col(Person.id))
    ).first()
    if person is None:
        raise TransitionRefused(
            f"В программе №{program_id} нет участника в роли «{label}»: приказ без него не "
            f"составить (nastavnik program assign {program_id} ЧЕЛОВЕК --role {role.value})"
        )
    return person


def _named(db: Session, message: str) -> str:
    """A refusal of the matching core names people by number: «№12» becomes «Иванов И. (№12)»."""
    numbers = {int(n) for n in re.findall(r"№(\d+)", message)}
    names = _names(db, numbers)
    return re.sub(
        r"№(\d+)",
        lambda m: (
            f"{names[int(m.group(1))]} (№{m.group(1)})" if int(m.group(1)) in names else m.group(0)
        ),
        message,
    )
