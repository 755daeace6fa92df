"""The service every interface calls to record a consent, import a file of them or withdraw
one: the domain's rules (domain/consents.py, documents/imports.py) and the outbox's part, in
one transaction. Plain writes, no flow run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from documents import imports
from documents.imports import ImportOutcome
from domain import consents, database, surveys
from domain.consents import ConsentKind, ConsentView
from domain.schedule import utc_now
from notifications import outbox


def give_consent(
    person_id: int,
    kind: str,
    *,
    given_by_id: int | None,
    given_on: date | None,
    document: str | None,
    actor: str,
    now: datetime | None = None,
) -> ConsentView:
    """Record a consent given by the person, or by a legal representative for a minor; the
    questionnaires open to them are sent to them then."""
    now = now or utc_now()
    with database.session() as db:
        consent = consents.give_consent(
            db,
            person_id=person_id,
            kind=kind,
            given_by_id=given_by_id,
            given_on=given_on or now.date(),
            document=document,
            actor=actor,
            now=now,
        )
        # Questionnaires already open to the person's role reach them now.
        for stage_id in surveys.open_stages_of(db, person_id):
            outbox.enqueue_questionnaires(db, stage_id, now)
        return consent


def import_consents(
    program_id: int,
    path: str | Path,
    *,
    actor: str,
    now: datetime | None = None,
    mapping: Mapping[str, str | None] | None = None,
    sheet: str | None = None,
    dry_run: bool = False,
) -> ImportOutcome:
    """Record the consents of a school's spreadsheet, all of them or none
    (documents/imports.py); as with one consent, the questionnaires open to those who now
    consent to processing are sent to them, in the same transaction. A dry run sends nothing."""
    now = now or utc_now()
    with database.session() as db:
        outcome = imports.import_consents(
            db,
            program_id,
            path,
            actor=actor,
            now=now,
            mapping=mapping,
            sheet=sheet,
            dry_run=dry_run,
        )
        if dry_run:
            return outcome
        stages = {stage for pid in outcome.consented for stage in surveys.open_stages_of(db, pid)}
        # Each stage's questionnaires go to all of its audience who has not had them: once per
        # stage, however many of its people consented.
        queued = sum(
            outbox.enqueue_questionnaires(db, stage_id, now) for stage_id in sorted(stages)
        )
    return replace(outcome, messages_queued=queued)


def withdraw_consent(
    consent_id: int, *, actor: str, now: datetime | None = None
) -> tuple[ConsentView, int]:
    """Withdraw a consent at once; when the person's data may no longer be processed, their
    queued messages other than consent requests are cancelled. Returns the consent as it is
    now and how many messages were cancelled."""
    now = now or utc_now()
    with database.session() as db:
        consent = consents.withdraw_consent(db, consent_id, actor=actor, now=now)
        cancelled = 0
        if consent.kind == ConsentKind.PROCESSING and not consents.may_process(
            db, consent.person_id, now.date()
        ):
            cancelled = outbox.cancel_for_withdrawn(db, consent.person_id)
        views = consents.list_consents(db, now.date(), person_id=consent.person_id)
    return next(v for v in views if v.id == consent_id), cancelled
