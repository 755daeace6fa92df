"""The tables. Times are stored as UTC; dates (deadlines) are local dates of the organisation."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlmodel import JSON, Column, Field, SQLModel, UniqueConstraint


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (which keeps no zone) as on PG."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a moment is stored")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _moment(**kwargs: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kwargs)


class OrgKind(StrEnum):
    REGION = "region"
    MUNICIPALITY = "municipality"
    SCHOOL = "school"
    COLLEGE = "college"
    ADDITIONAL_EDUCATION = "additional_education"
    ENTERPRISE = "enterprise"
    NGO = "ngo"


ORG_KIND_LABELS: dict[OrgKind, str] = {
    OrgKind.REGION: "регион",
    OrgKind.MUNICIPALITY: "муниципалитет",
    OrgKind.SCHOOL: "школа",
    OrgKind.COLLEGE: "колледж",
    OrgKind.ADDITIONAL_EDUCATION: "дополнительное образование",
    OrgKind.ENTERPRISE: "предприятие / партнёр",
    OrgKind.NGO: "НКО",
}

TERRITORIES = frozenset({OrgKind.REGION, OrgKind.MUNICIPALITY})


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str
    kind: str = Field(index=True)
    parent_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    timezone: str | None = None  # IANA; None means the parent's
    # Sending hours, local whole hours [from, until); None means the parent's, then 09-18.
    send_from_hour: int | None = None
    send_until_hour: int | None = None
    # The organisation's own SMTP server for e-mail, an apprise URL without a recipient, with
    # "***" in place of its password (mailtos://user:***@smtp.school.ru?from=noreply@school.ru);
    # None means the parent's. The password is never stored in the clear: it is in
    # smtp_password_encrypted, encrypted with a key kept apart from the database
    # (domain/contacts.py, domain/secrets.py).
    smtp_url: str | None = None
    smtp_password_encrypted: str | None = None
    created_at: datetime = _moment()


class Program(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    title: str
    forms: list[str] = Field(sa_column=Column(JSON, nullable=False))
    role_model: str | None = None
    start_date: date
    end_date: date
    # Reminders go this many days before a deadline; an overdue stage is escalated to the
    # municipal coordinator this many days after it.
    reminder_days: list[int] = Field(default=[3, 1], sa_column=Column(JSON, nullable=False))
    escalation_days: int = 3
    # The roadmap catalogue version its stages were copied from (domain/roadmap.py).
    roadmap_version: int = 1
    created_at: datetime = _moment()


class Stage(SQLModel, table=True):
    """One stage of a program's own roadmap: a copy of its catalogue entry (or a stage the
    curator added), so that a later catalogue never changes a program made before it."""

    __table_args__ = (UniqueConstraint("program_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    number: int
    code: str
    phase: int
    kind: str  # a StageKind: which flow runs it
    week: int  # due this many weeks after the program's start, unless moved
    who: list[str] = Field(sa_column=Column(JSON, nullable=False))  # Role codes
    title: str
    name: str
    requires: list[str] = Field(sa_column=Column(JSON, nullable=False))  # codes in the program
    # A recurring stage happens every repeat_every_weeks from repeat_from_week to its week.
    repeat_from_week: int | None = None
    repeat_every_weeks: int | None = None
    state: str = "planned"
    due_date: date
    started_at: datetime | None = _moment(default=None)
    finished_at: datetime | None = _moment(default=None)
    # Taken out of the program's roadmap by its curator before it started; kept for history.
    dropped_at: datetime | None = _moment(default=None)


class StageOccurrence(SQLModel, table=True):
    """One date of a recurring stage (a round of regular meetings or of feedback)."""

    __tablename__ = "stage_occurrence"
    __table_args__ = (UniqueConstraint("stage_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    stage_id: int = Field(foreign_key="stage.id", index=True)
    seq: int
    state: str = "planned"
    due_date: date
    finished_at: datetime | None = _moment(default=None)


class EntryStatus(StrEnum):
    PENDING = "pending"  # asked for; its flow run has not applied it yet
    APPLIED = "applied"
    REFUSED = "refused"  # by the roadmap's rules or the stage's state: the message says which
    FAILED = "failed"  # the machinery failed (Prefect, the database, Ctrl+C): nothing changed


ENTRY_STATUS_LABELS: dict[EntryStatus, str] = {
    EntryStatus.PENDING: "выполняется",
    EntryStatus.APPLIED: "выполнено",
    EntryStatus.REFUSED: "отклонено",
    EntryStatus.FAILED: "сбой",
}


class AuditEntry(SQLModel, table=True):
    """The audit log: one row per curator action on a program, kept beyond Prefect's retention.

    Who and why live here, never in Prefect: the flow run gets only this row's id.
    """

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    stage_id: int | None = Field(default=None, foreign_key="stage.id")
    occurrence_seq: int | None = None
    action: str
    expected: str | None = None  # the state the action was asked for in
    from_value: str | None = None  # a state, or an ISO date for a new deadline
    to_value: str | None = None
    actor: str
    reason: str | None = None
    status: str = EntryStatus.PENDING
    message: str | None = None  # why it was refused
    requested_at: datetime = _moment()  # wall-clock time of the request
    effective_at: datetime = _moment()  # the ``now`` the action took place at (may be simulated)
    flow_run_id: str | None = Field(default=None, index=True)


class Person(SQLModel, table=True):
    """A curator, director, mentor, mentee, psychologist, coordinator or a minor's legal
    representative: personal data, many of them children's (domain/participants.py)."""

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    name: str
    birth_date: date | None = None
    category: str | None = None  # a PersonCategory
    school_class: str | None = None  # a pupil's class: "7Б"
    teaching_since: int | None = None  # a teacher's first year of teaching
    place: str | None = None  # of study or work: organisation, class or position
    # Personal links carry the generation they were made in; revoking them all is one step
    # up (domain/person_links.py), so a leaked link dies without touching anything else.
    link_generation: int = 0
    created_at: datetime = _moment()


class MeetingMark(SQLModel, table=True):
    """A participant's word that a meeting of their pair or group took place: one stage of
    meetings, or one date of the regular ones (``occurrence_seq``; 0 for a stage of one date),
    marked from their personal page (domain/meetings.py)."""

    __tablename__ = "meeting_mark"
    __table_args__ = (UniqueConstraint("stage_id", "occurrence_seq", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    stage_id: int = Field(foreign_key="stage.id", index=True)
    occurrence_seq: int = 0
    person_id: int = Field(foreign_key="person.id", index=True)
    held_on: date
    marked_at: datetime = _moment()


class Representative(SQLModel, table=True):
    """A legal representative (законный представитель) of a minor: a person with contacts."""

    __table_args__ = (UniqueConstraint("person_id", "representative_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    representative_id: int = Field(foreign_key="person.id", index=True)


class Consent(SQLModel, table=True):
    """A consent under 152-ФЗ to processing a person's data, or to publishing it: who gave
    it (the person, or a legal representative for a minor), when, on which document; a
    withdrawal takes effect at once (domain/consents.py)."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    kind: str  # processing, publication
    given_by_id: int = Field(foreign_key="person.id")
    given_on: date  # the date on the document
    document: str | None = None  # its reference: "№ 12 от 01.09.2026"
    recorded_at: datetime = _moment()
    recorded_by: str
    withdrawn_at: datetime | None = _moment(default=None)
    withdrawn_by: str | None = None


class Contact(SQLModel, table=True):
    """One delivery address of a person, as an apprise URL; one of them is preferred."""

    __table_args__ = (UniqueConstraint("person_id", "url"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    url: str
    preferred: bool = False


class ProgramRole(SQLModel, table=True):
    __tablename__ = "program_role"
    __table_args__ = (UniqueConstraint("program_id", "person_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    role: str


class Coordinator(SQLModel, table=True):
    """The person who coordinates mentoring for a municipality (or a region)."""

    org_id: int = Field(foreign_key="organisation.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id")


class OutboxStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"  # claimed by a sweep until claimed_until
    SENT = "sent"
    FAILED = "failed"  # gave up after the attempt limit; shown to the curator
    CANCELLED = "cancelled"  # its stage closed or moved before it went out


OUTBOX_STATUS_LABELS: dict[OutboxStatus, str] = {
    OutboxStatus.QUEUED: "ждёт",
    OutboxStatus.SENDING: "отправляется",
    OutboxStatus.SENT: "отправлено",
    OutboxStatus.FAILED: "не доставлено",
    OutboxStatus.CANCELLED: "отменено",
}


class OutboxMessage(SQLModel, table=True):
    """One message to one person. ``key`` makes enqueueing idempotent: what, to whom, for which
    deadline. The rendered text stays here and never goes through Prefect."""

    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    stage_id: int = Field(foreign_key="stage.id", index=True)
    occurrence_seq: int | None = None
    person_id: int = Field(foreign_key="person.id", index=True)
    org_id: int = Field(foreign_key="organisation.id")  # the recipient's: hours, SMTP
    kind: str
    due_date: date
    subject: str
    body: str
    status: str = Field(default=OutboxStatus.QUEUED, index=True)
    attempts: int = 0
    next_attempt_at: datetime = _moment()
    claimed_by: str | None = None
    claimed_until: datetime | None = _moment(default=None)
    sent_at: datetime | None = _moment(default=None)
    last_error: str | None = None
    created_at: datetime = _moment()


class ProgramQuestionnaire(SQLModel, table=True):
    """A program's own copy of a questionnaire (domain/questionnaires.py), taken from the
    built-in ones when its stage first starts; a curator may add questions to it. Opened when
    its stage starts, closed when it completes, with the response rate recorded then."""

    __tablename__ = "program_questionnaire"
    __table_args__ = (UniqueConstraint("program_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    stage_id: int = Field(foreign_key="stage.id", index=True)
    code: str
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    opened_at: datetime | None = _moment(default=None)
    closed_at: datetime | None = _moment(default=None)
    expected: int | None = None  # the audience when it closed
    answered: int | None = None


class SurveyResponse(SQLModel, table=True):
    """One person's answers to one questionnaire of a program, validated against it."""

    __tablename__ = "survey_response"
    __table_args__ = (UniqueConstraint("questionnaire_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    questionnaire_id: int = Field(foreign_key="program_questionnaire.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    answers: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    submitted_at: datetime = _moment()
    source: str  # link (the person), import (a spreadsheet), curator (typed in)


class ImportMapping(SQLModel, table=True):
    """How a program's spreadsheets name their columns, saved from the last import of a kind
    (people, answers) so that the next file of the same form imports without a mapping."""

    __tablename__ = "import_mapping"
    __table_args__ = (UniqueConstraint("program_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    kind: str
    mapping: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    updated_at: datetime = _moment()


class UserAccount(SQLModel, table=True):
    """Who signs in to the web pages: an administrator (everything), a coordinator (their
    territory and all below it) or a curator (their organisation's programs). Participants
    sign in with no password, by their personal links. The password is stored only as an
    argon2id hash (domain/accounts.py)."""

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(unique=True)
    role: str  # administrator, coordinator, curator
    org_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    password_hash: str
    created_at: datetime = _moment()
    disabled_at: datetime | None = _moment(default=None)


class MatchSetup(SQLModel, table=True):
    """How a program's pairs are matched (domain/pairs.py): the method the curator chose and
    the weights they changed (a criterion not named keeps its default weight)."""

    __tablename__ = "match_setup"

    program_id: int = Field(foreign_key="program.id", primary_key=True)
    method: str = "optimal"  # a domain.matching.Method
    weights: dict[str, float] = Field(default={}, sa_column=Column(JSON, nullable=False))
    updated_by: str
    updated_at: datetime = _moment()


class MatchProfile(SQLModel, table=True):
    """What matching knows of a participant beyond their questionnaire: the form of mentoring
    they take part in (needed when the program runs several) and the psychological type a
    psychologist assessed, if any."""

    __tablename__ = "match_profile"
    __table_args__ = (UniqueConstraint("program_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    form: str | None = None  # a code of domain/forms.py
    psych_type: str | None = None


class MatchRule(SQLModel, table=True):
    """A curator's word on one mentor–mentee pair: pinned (always together) or forbidden
    (never); every matching of the program keeps it until it is taken back."""

    __tablename__ = "match_rule"
    __table_args__ = (UniqueConstraint("program_id", "mentor_id", "mentee_id"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    mentor_id: int = Field(foreign_key="person.id")
    mentee_id: int = Field(foreign_key="person.id")
    kind: str  # pin, forbid
    set_by: str
    set_at: datetime = _moment()


class MatchProposal(SQLModel, table=True):
    """One matching of a program's mentors and mentees: the latest is the program's proposal,
    until completing stage 20 fixes it (``fixed_at``) with the order that was rendered then.
    Earlier ones are kept as the history of the curator's choices."""

    __tablename__ = "match_proposal"

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    method: str
    weights: dict[str, float] = Field(sa_column=Column(JSON, nullable=False))
    total: float
    optimum: float | None = None  # stable: the optimal method's total with the same pins
    # stable: [[mentor id, mentee id], ...] who would rather be together (should be none)
    blocking: list[list[int]] = Field(default=[], sa_column=Column(JSON, nullable=False))
    # [{"id", "side", "reason", "cause"}]: who is in no pair and why (reasons name numbers)
    unmatched: list[dict[str, Any]] = Field(default=[], sa_column=Column(JSON, nullable=False))
    made_by: str
    made_at: datetime = _moment()
    fixed_at: datetime | None = _moment(default=None)
    # The order as rendered when the pairs were fixed: what the director signs.
    order_docx: bytes | None = Field(default=None, sa_column=Column(sa.LargeBinary, nullable=True))
    order_html: str | None = Field(default=None, sa_column=Column(sa.Text, nullable=True))


class MatchPair(SQLModel, table=True):
    """One mentor and one mentee of a proposal, with its score and why (each criterion's
    points); a mentor with several mentees leads a group."""

    __tablename__ = "match_pair"
    __table_args__ = (UniqueConstraint("proposal_id", "mentee_id"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="match_proposal.id", index=True)
    mentor_id: int = Field(foreign_key="person.id", index=True)
    mentee_id: int = Field(foreign_key="person.id", index=True)
    form: str
    score: float
    # [{"code", "title", "weight", "points", "score", "explanation"}], as CriterionScore
    breakdown: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    pinned: bool = False
