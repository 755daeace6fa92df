"""Benchmark: a curator's «Подобрать пары» on a large program (domain/pairs.py), against the
matching core alone on the same candidates, measured in the same run.

The program: 1,000 mentees and 300 mentors (a large college, or a municipality's program) with
the answers, forms, psychological types and stage-18 rankings of bench/matching.py's instance,
stored as a curator's would be: people with their roles and consents, survey and preference
responses, a profile per participant; a few pins and forbidden pairs.

1. Baseline: ``domain.matching.match`` on the candidates already read — the core alone.
2. Measured: ``pairs.propose``: the candidates read from the database (roles, people,
   consents, four questionnaires' answers, profiles, the curator's rules), matched, and the
   proposal stored with every pair's breakdown and every unmatched person's reason, committed.
   Also timed: ``pairs.matching_view``, what the pairs page and ``match show`` read.

Each round times both, one after the other, and prints the ratio (measured / baseline): how
much the database adds to the matching itself. The aim is what a curator waits for: a proposal
for 1,300 people stored and shown in under a second (propose + matching_view). On a temporary
SQLite file by default; ``--database-url postgresql+psycopg://…`` on an empty PostgreSQL
database. Usage:

    .venv/bin/python bench/pairs.py [--mentees 1000] [--mentors 300] [--rounds 3] \
        [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from matching import instance  # bench/matching.py: the same people

LIMIT_SECONDS = 1.0  # propose + matching_view, for 1,000 mentees and 300 mentors
NOW = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
START = date(2026, 9, 1)


def populate(mentee_count: int, mentor_count: int, seed: int) -> int:
    """The program and its people, stored; returns the program's id."""
    from sqlmodel import select

    from domain import database
    from domain.matching import Mentee, Mentor
    from domain.models import (
        Consent,
        MatchProfile,
        MatchRule,
        Person,
        ProgramQuestionnaire,
        ProgramRole,
        Stage,
        SurveyResponse,
    )
    from domain.organisations import add_organisation
    from domain.programs import create_program
    from domain.questionnaire_catalogue import CATALOGUE

    mentors, mentees = instance(mentee_count, mentor_count, seed)
    forms = sorted({c.form for c in [*mentors, *mentees] if c.form})
    with database.session() as db:
        town = add_organisation(
            db, name="Округ", kind="municipality", timezone="Europe/Moscow", now=NOW
        )
        school = add_organisation(db, name="Колледж", kind="college", parent_id=town.id, now=NOW)
        program = create_program(
            db,
            org_id=school.id,
            title="Наставничество",
            forms=forms,
            start=START,
            actor="bench",
            now=NOW,
        )
        stages = {
            s.code: s.id for s in db.exec(select(Stage).where(Stage.program_id == program.id)).all()
        }
        questionnaires = {}
        for code in ("mentor_survey", "mentee_survey", "mentor_preferences", "mentee_preferences"):
            row = ProgramQuestionnaire(
                program_id=program.id,
                stage_id=stages[CATALOGUE[code].stage],
                code=code,
                data=CATALOGUE[code].to_data(),
                opened_at=NOW,
            )
            db.add(row)
            questionnaires[code] = row
        people: dict[tuple[str, int], int] = {}
        for side, group in (("mentor", mentors), ("mentee", mentees)):
            for candidate in group:
                person = Person(org_id=school.id, name=f"{side} {candidate.id}", created_at=NOW)
                db.add(person)
                db.flush()
                assert person.id is not None
                people[(side, candidate.id)] = person.id
                db.add(ProgramRole(program_id=program.id, person_id=person.id, role=side))
                db.add(
                    Consent(
                        person_id=person.id,
                        kind="processing",
                        given_by_id=person.id,
                        given_on=START,
                        recorded_at=NOW,
                        recorded_by="bench",
                    )
                )
                db.add(
                    MatchProfile(
                        program_id=program.id,
                        person_id=person.id,
                        form=candidate.form,
                        psych_type=candidate.psych_type,
                    )
                )
        db.flush()
        other = {"mentor": "mentee", "mentee": "mentor"}
        for side, group in (("mentor", mentors), ("mentee", mentees)):
            for candidate in group:
                person_id = people[(side, candidate.id)]
                db.add(
                    SurveyResponse(
                        questionnaire_id=questionnaires[f"{side}_survey"].id,
                        person_id=person_id,
                        answers=_answers(candidate),
                        submitted_at=NOW,
                        source="import",
                    )
                )
                if candidate.ranking:
                    ranked = [people[(other[side], pid)] for pid in candidate.ranking]
                    code = "preferred_mentees" if side == "mentor" else "preferred_mentors"
                    db.add(
                        SurveyResponse(
                            questionnaire_id=questionnaires[f"{side}_preferences"].id,
                            person_id=person_id,
                            answers={code: ranked},
                            submitted_at=NOW,
                            source="import",
                        )
                    )
        # A curator's word on a few pairs: a pin of the first pupil pair, two prohibitions.
        pupil_mentor = next(
            m for m in mentors if m.form == "student_student" and 15 <= (m.age or 0) <= 19
        )
        pupil = next(
            e
            for e in mentees
            if e.form == "student_student" and (e.age or 99) <= (pupil_mentor.age or 0)
        )
        db.add(
            MatchRule(
                program_id=program.id,
                mentor_id=people[("mentor", pupil_mentor.id)],
                mentee_id=people[("mentee", pupil.id)],
                kind="pin",
                set_by="bench",
                set_at=NOW,
            )
        )
        for mentor, mentee in zip(mentors[1:3], mentees[1:3], strict=True):
            db.add(
                MatchRule(
                    program_id=program.id,
                    mentor_id=people[("mentor", mentor.id)],
                    mentee_id=people[("mentee", mentee.id)],
                    kind="forbid",
                    set_by="bench",
                    set_at=NOW,
                )
            )
        assert isinstance(mentors[0], Mentor) and isinstance(mentees[0], Mentee)
        return program.id


def _answers(candidate: Any) -> dict[str, Any]:
    """A candidate's survey answers as the questionnaires store them."""
    given: dict[str, Any] = {
        "age": candidate.age,
        "interests": sorted(candidate.interests),
        "convenient_time": sorted(candidate.times),
    }
    if hasattr(candidate, "capacity"):
        given |= {
            "competencies": sorted(candidate.competencies),
            "mentee_ages": sorted(candidate.mentee_ages),
            "capacity": candidate.capacity,
        }
    else:
        given |= {
            "status": candidate.status,
            "request_topics": sorted(candidate.request_topics),
            "mentor_competencies": sorted(candidate.wished_competencies),
            "teaching_experience": candidate.teaching_experience,
        }
    return {code: value for code, value in given.items() if value is not None}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mentees", type=int, default=1000)
    parser.add_argument("--mentors", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--database-url", help="an empty database (default: a temporary SQLite)")
    arguments = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="nastavnik-bench-pairs-")
    os.environ["NASTAVNIK_HOME"] = folder
    os.environ["NASTAVNIK_DATABASE_URL"] = arguments.database_url or f"sqlite:///{folder}/b.db"

    from domain import database, pairs
    from domain.matching import match
    from domain.models import Program

    database.upgrade()
    started = time.perf_counter()
    program_id = populate(arguments.mentees, arguments.mentors, arguments.seed)
    kind = os.environ["NASTAVNIK_DATABASE_URL"].split(":")[0]
    print(
        f"{arguments.mentees} mentees, {arguments.mentors} mentors stored in "
        f"{time.perf_counter() - started:.1f} s ({kind})"
    )
    with database.session() as db:
        mentors, mentees = pairs.candidates(db, program_id, NOW.date())
        forms = db.get_one(Program, program_id).forms
        rules = {
            kind: [
                (r.mentor_id, r.mentee_id) for r in pairs._rules(db, program_id) if r.kind == kind
            ]
            for kind in (pairs.PIN, pairs.FORBID)
        }
    bases, ours, views = [], [], []
    for number in range(1, arguments.rounds + 1):
        started = time.perf_counter()
        core = match(
            mentors, mentees, forms=forms, pins=rules[pairs.PIN], forbidden=rules[pairs.FORBID]
        )
        base = time.perf_counter() - started
        started = time.perf_counter()
        with database.session() as db:
            made = pairs.propose(db, program_id, actor="bench", now=NOW)
        mine = time.perf_counter() - started
        started = time.perf_counter()
        with database.session() as db:
            view = pairs.matching_view(db, program_id)
        shown = time.perf_counter() - started
        assert made.proposal is not None and view.proposal is not None
        assert abs(view.proposal.total - core.total) < 1e-6 * max(1.0, core.total)
        assert len(view.proposal.pairs) == len(core.pairs)
        bases.append(base)
        ours.append(mine)
        views.append(shown)
        print(
            f"round {number}: match alone {base:.2f} s; propose (read, match, store) {mine:.2f} s"
            f" ({mine / base:.2f}x); matching_view {shown:.2f} s; {len(core.pairs)} pairs"
        )
    base, mine, view_time = (statistics.median(times) for times in (bases, ours, views))
    waited = mine + view_time
    print(
        f"median: match {base:.2f} s, propose {mine:.2f} s, view {view_time:.2f} s; ratio "
        f"propose / match {mine / base:.2f}; a curator waits {waited:.2f} s (aim under "
        f"{LIMIT_SECONDS:g} s): {'met' if waited < LIMIT_SECONDS else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
