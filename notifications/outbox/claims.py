"""A sweep's part of the outbox: claim a batch of messages that may go out now (sending hours,
back-off, an expired lease), and record what delivery reported for each.

The batch is built here, at send time: each message gets its recipient's personal link
(domain/person_links.py) and its e-mail sender's name, neither of which is stored with it. A
queued message therefore always carries a fresh link of the person's current generation:
revoking a person's links reaches the messages still waiting too."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from domain import settings
from domain.contacts import with_passwords
from domain.errors import SecretKeyUnavailable
from domain.models import Contact, OutboxMessage, OutboxStatus, Person
from domain.notices import in_sending_hours
from domain.organisations import Resolved, resolve_organisations
from domain.person_links import page_urls
from domain.schedule import as_moment, utc_now
from notifications.delivery import Delivered, Outgoing, with_smtp
from notifications.messages import sender_name


def claim(db: Session, now: datetime, sweep_id: str, limit: int) -> list[Outgoing]:
    """Take up to ``limit`` messages that may go out now, for this sweep only.

    ``now`` decides what is due (sending hours, back-off); it may be simulated, and a naive one
    is each organisation's own wall-clock time. The lease is on the real clock: a sweep with a
    past ``now`` never takes rows another sweep still holds, one with a future ``now`` that dies
    leaves none stuck. On PostgreSQL the rows are locked with SKIP LOCKED, so two sweeps never
    take the same row; SQLite serialises writers, so the single UPDATE is already exclusive.
    """
    wall = utc_now()
    facts = resolve_organisations(db)
    open_by_moment: dict[datetime, list[int]] = defaultdict(list)
    for org_id, org in facts.items():
        moment = as_moment(now, org.timezone)
        if in_sending_hours(org.hours, org.timezone, moment):
            open_by_moment[moment].append(org_id)
    if not open_by_moment:
        return []
    open_orgs = [org_id for ids in open_by_moment.values() for org_id in ids]
    due = sa.or_(
        *(
            sa.and_(
                col(OutboxMessage.org_id).in_(ids), col(OutboxMessage.next_attempt_at) <= moment
            )
            for moment, ids in open_by_moment.items()
        )
    )
    abandoned = sa.and_(
        col(OutboxMessage.status) == OutboxStatus.SENDING.value,
        col(OutboxMessage.claimed_until) < wall,
        col(OutboxMessage.org_id).in_(open_orgs),
    )
    claimable = (
        select(OutboxMessage.id)
        .where(
            sa.or_(sa.and_(col(OutboxMessage.status) == OutboxStatus.QUEUED.value, due), abandoned)
        )
        .order_by(col(OutboxMessage.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = (
        db.execute(
            sa.update(OutboxMessage)
            .where(col(OutboxMessage.id).in_(claimable.scalar_subquery()))
            .values(
                status=OutboxStatus.SENDING.value,
                claimed_by=sweep_id,
                claimed_until=wall + settings.current().claim_lease,
            )
            .returning(col(OutboxMessage.id))
        )
        .scalars()
        .all()
    )
    if not claimed:
        return []
    rows = db.execute(
        sa.select(
            col(OutboxMessage.id),
            col(Contact.url),
            col(OutboxMessage.org_id),
            col(OutboxMessage.subject),
            col(OutboxMessage.body),
            Person,  # for the personal link: the batch's people in the same query
        )
        .join(Person, col(Person.id) == col(OutboxMessage.person_id))
        # Outer join: a person left without a preferred address fails the message (and it
        # shows as failed) instead of leaving it claimed for ever.
        .join(
            Contact,
            sa.and_(
                col(Contact.person_id) == col(OutboxMessage.person_id),
                col(Contact.preferred).is_(True),
            ),
            isouter=True,
        )
        .where(col(OutboxMessage.id).in_(claimed))
        .order_by(col(OutboxMessage.id))
    ).all()
    servers: dict[int, tuple[str | None, str | None]] = {}
    links, no_link = _links([row[5] for row in rows if row[0] is not None])
    batch = []
    for row_id, url, org_id, subject, body, person in rows:
        if row_id is None:
            continue
        org = facts[org_id]
        address, unsendable = _address(url or "", org, servers)
        batch.append(
            Outgoing(
                row_id,
                address,
                subject,
                body,
                unsendable=unsendable or no_link,
                link=links.get(person.id) if links else None,
                sender_name=sender_name(org.name),
            )
        )
    return batch


def _links(people: list[Person]) -> tuple[dict[int, str] | None, str | None]:
    """The batch's personal links, made now (None without a public address), or why its
    messages cannot go: the promise is a link in every message, and none can be made without
    the key (a key that is not one, a key file that cannot be made or read)."""
    try:
        return page_urls(people), None
    except SecretKeyUnavailable as error:
        return None, f"personal link cannot be made: {error.cause}"


def _address(
    url: str, facts: Resolved, servers: dict[int, tuple[str | None, str | None]]
) -> tuple[str, str | None]:
    """The URL to send to, and why the message cannot be sent if so; an unusable server
    setting fails its messages, not the batch. The server's password is put back here, in
    memory only, once per organisation and batch."""
    if facts.id not in servers:
        try:
            servers[facts.id] = (
                with_passwords(facts.smtp_url, facts.smtp_password_encrypted)
                if facts.smtp_url
                else None,
                None,
            )
        except SecretKeyUnavailable as error:
            servers[facts.id] = (None, f"SMTP password cannot be read: {error.cause}")
        except ValueError:
            servers[facts.id] = (None, "SMTP password cannot be read: stored URL does not fit it")
    smtp, unsendable = servers[facts.id]
    try:
        address = with_smtp(url, facts.smtp_url if unsendable else smtp)
    except ValueError:
        return "", None  # delivery reports "invalid or unsupported apprise URL"
    if unsendable and address != url:
        return "", unsendable  # e-mail through that server; other channels still go
    return address, None


def record(
    db: Session, results: Sequence[Delivered], now: datetime, sweep_id: str
) -> tuple[int, int, int]:
    """Mark what went out as sent; put what failed back with back-off, or give it up after
    the attempts allowed, or at once when it may have gone out after all (given up at its
    deadline: a retry could send it twice). Only rows this sweep still holds are touched, and
    only those are counted: a row whose lease ran out and that another sweep took is not ours
    to record. Returns (sent, to retry, failed)."""
    config = settings.current()
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    rows = {
        row_id: (tries, org_id)
        for row_id, tries, org_id in db.execute(
            sa.select(table.c.id, table.c.attempts, table.c.org_id).where(
                table.c.id.in_([r.id for r in results])
            )
        ).all()
    }
    zones = {org_id: org.timezone for org_id, org in resolve_organisations(db).items()}
    groups: dict[OutboxStatus, list[dict[str, Any]]] = {
        OutboxStatus.SENT: [],
        OutboxStatus.QUEUED: [],
        OutboxStatus.FAILED: [],
    }
    for result in results:
        if result.id not in rows:
            continue
        done, org_id = rows[result.id]
        tries = done + (0 if result.ok else 1)
        if result.ok:
            status = OutboxStatus.SENT
        elif result.uncertain or tries >= config.max_attempts:
            status = OutboxStatus.FAILED
        else:
            status = OutboxStatus.QUEUED
        moment = as_moment(now, zones[org_id])
        groups[status].append(
            {
                "b_id": result.id,
                "b_sweep": sweep_id,
                "b_attempts": tries,
                "b_next": moment + config.first_retry * 2 ** (tries - 1) if tries else moment,
                "b_sent": moment if result.ok else None,
                "b_error": result.error,
            }
        )
    counts = dict.fromkeys(groups, 0)
    for status, values in groups.items():
        if values:
            # One statement per outcome: its rowcount (summed over the rows by both drivers)
            # is how many of them were still this sweep's.
            counts[status] = db.execute(
                sa.update(table)
                .where(
                    table.c.id == sa.bindparam("b_id"),
                    table.c.claimed_by == sa.bindparam("b_sweep"),
                    table.c.status == OutboxStatus.SENDING.value,
                )
                .values(
                    status=status.value,
                    attempts=sa.bindparam("b_attempts"),
                    next_attempt_at=sa.bindparam("b_next"),
                    sent_at=sa.bindparam("b_sent"),
                    last_error=sa.bindparam("b_error"),
                    claimed_by=None,
                    claimed_until=None,
                ),
                values,
            ).rowcount  # type: ignore[attr-defined]
    return counts[OutboxStatus.SENT], counts[OutboxStatus.QUEUED], counts[OutboxStatus.FAILED]


def holders_of_live_leases(db: Session, sweep_ids: Sequence[str]) -> set[str]:
    """Which of these sweeps still hold a message on a lease that has not run out."""
    holders = db.exec(
        select(OutboxMessage.claimed_by)
        .where(
            col(OutboxMessage.claimed_by).in_(sweep_ids),
            col(OutboxMessage.claimed_until) >= utc_now(),
        )
        .distinct()
    ).all()
    return {holder for holder in holders if holder is not None}


def renew_leases(db: Session, sweep_id: str) -> int:
    """Extend this sweep's leases while it still works through its batch (on the real clock),
    so that a slow batch is never taken by another sweep as if its owner had died."""
    return int(
        db.execute(
            sa.update(OutboxMessage)
            .where(
                col(OutboxMessage.claimed_by) == sweep_id,
                col(OutboxMessage.status) == OutboxStatus.SENDING.value,
            )
            .values(claimed_until=utc_now() + settings.current().claim_lease)
        ).rowcount  # type: ignore[attr-defined]
    )
