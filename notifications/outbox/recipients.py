"""Who hears about a program's stage: its people by role, and the coordinator of the nearest
territory above its organisation; read once per sweep, not once per message. The rules of who
hears what are domain/notices.py's; a participant (a mentor or a mentee) without a valid
consent to processing their data hears nothing but a consent request (domain/consents.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from domain import consents, surveys
from domain.meetings import WHOLE_STAGE
from domain.models import (
    Coordinator,
    MeetingMark,
    Person,
    Program,
    ProgramQuestionnaire,
    ProgramRole,
    Stage,
)
from domain.notices import ROLE_PRECEDENCE
from domain.organisations import resolve_organisations
from domain.roadmap import Role

PARTICIPANTS = (Role.MENTOR, Role.MENTEE)


@dataclass(frozen=True)
class Recipient:
    person_id: int
    name: str
    org_id: int
    role: Role


class Directory:
    """Programs, roles and coordinators read once per sweep, not once per message."""

    def __init__(self, db: Session, program_ids: Iterable[int]) -> None:
        self.db = db
        self._consenting: dict[date, set[int]] = {}
        ids = sorted(set(program_ids))
        self.orgs = resolve_organisations(db)
        self.programs = {
            p.id: p for p in db.exec(select(Program).where(col(Program.id).in_(ids))).all()
        }
        self.roles: dict[int, dict[Role, list[Recipient]]] = defaultdict(lambda: defaultdict(list))
        rows = db.execute(
            sa.select(
                col(ProgramRole.program_id),
                col(ProgramRole.role),
                col(Person.id),
                col(Person.name),
                col(Person.org_id),
            )
            .join(Person, col(Person.id) == col(ProgramRole.person_id))
            .where(col(ProgramRole.program_id).in_(ids))
            .order_by(col(Person.id))
        ).all()
        for program_id, role, person_id, name, org_id in rows:
            assert person_id is not None
            self.roles[program_id][Role(role)].append(
                Recipient(person_id, name, org_id, Role(role))
            )
        self.open_questionnaires: dict[int, list[ProgramQuestionnaire]] = defaultdict(list)
        for row in db.exec(
            select(ProgramQuestionnaire).where(
                col(ProgramQuestionnaire.program_id).in_(ids),
                col(ProgramQuestionnaire.opened_at).is_not(None),
                col(ProgramQuestionnaire.closed_at).is_(None),
            )
        ).all():
            self.open_questionnaires[row.stage_id].append(row)
        # Who marked which meeting held (stage, date): they are not reminded of it.
        self.met: dict[tuple[int, int], set[int]] = defaultdict(set)
        for stage_id, seq, person_id in db.execute(
            sa.select(
                col(MeetingMark.stage_id),
                col(MeetingMark.occurrence_seq),
                col(MeetingMark.person_id),
            )
            .join(Stage, col(Stage.id) == col(MeetingMark.stage_id))
            .where(col(Stage.program_id).in_(ids))
        ).all():
            self.met[(stage_id, seq)].add(person_id)
        self.coordinators = {c.org_id: c.person_id for c in db.exec(select(Coordinator)).all()}
        people = db.exec(
            select(Person).where(col(Person.id).in_(set(self.coordinators.values())))
        ).all()
        self.people = {p.id: p for p in people}

    def participants(self, program: Program) -> list[Recipient]:
        """The program's mentors and mentees: the people whose consent is asked."""
        assert program.id is not None
        return [r for role in PARTICIPANTS for r in self.roles[program.id][role]]

    def consenting(self, today: date) -> set[int]:
        """The participants of these programs whose data may be processed ``today``."""
        if today not in self._consenting:
            everyone = {r.person_id for roles in self.roles.values() for role in PARTICIPANTS
                        for r in roles[role]}  # fmt: skip
            self._consenting[today] = consents.allowed(self.db, everyone, today)
        return self._consenting[today]

    def recipients(self, program: Program, roles: frozenset[Role], today: date) -> list[Recipient]:
        assert program.id is not None
        chosen: dict[int, Recipient] = {}
        for role in ROLE_PRECEDENCE:
            if role in roles:
                for recipient in self.roles[program.id][role]:
                    chosen.setdefault(recipient.person_id, recipient)
        for person_id, recipient in list(chosen.items()):
            if recipient.role in PARTICIPANTS and person_id not in self.consenting(today):
                del chosen[person_id]
        if Role.COORDINATOR in roles:
            for org_id in self.orgs[program.org_id].ancestors:
                if org_id in self.coordinators:
                    person = self.people[self.coordinators[org_id]]
                    assert person.id is not None
                    chosen.setdefault(
                        person.id,
                        Recipient(person.id, person.name, person.org_id, Role.COORDINATOR),
                    )
                    break
        return list(chosen.values())

    def not_met(self, people: list[Recipient], stage_id: int, seq: int | None) -> list[Recipient]:
        """``people`` but the participants who marked this meeting held: a reminder or an
        overdue notice of a meeting they had would only confuse them. The curator still hears."""
        met = self.met.get((stage_id, seq or WHOLE_STAGE), set())
        return [p for p in people if not (p.role in PARTICIPANTS and p.person_id in met)]

    def waiting(self, stage_id: int, today: date) -> list[Recipient]:
        """Those asked by the stage's open questionnaires who have not answered yet: they
        are reminded of its deadline too, and those who answered are not."""
        found: dict[int, Recipient] = {}
        for row in self.open_questionnaires.get(stage_id, []):
            assert row.id is not None
            answered = surveys.respondents(self.db, row.id)
            role = surveys.roles_of(surveys.questionnaire_of(row))[0]
            for person in surveys.audience(self.db, row, today):
                if person.id is not None and person.id not in answered:
                    found.setdefault(
                        person.id, Recipient(person.id, person.name, person.org_id, role)
                    )
        return list(found.values())

    def curator_name(self, program: Program) -> str | None:
        assert program.id is not None
        curators = self.roles[program.id][Role.CURATOR]
        return curators[0].name if curators else None
