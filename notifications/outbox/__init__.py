"""The outbox: every message to be sent is a row with a unique key, so that enqueueing twice
makes one row and a sweep that is re-run or killed halfway sends nothing twice that it recorded
as sent, and loses nothing (a claimed row returns to the queue when its claim expires).

By concept: keys.py (the unique key), recipients.py (who hears, read once per sweep),
queueing.py (what is queued and cancelled), claims.py (a sweep's batch and its results),
listing.py (what people read; a retry by hand). The rules of what is due and to whom are in
domain/notices.py; the texts in notifications/messages.py; the delivery in delivery.py. Rows
hold names and texts, so nothing here is logged but ids and counts.
"""

from notifications.outbox.claims import claim, holders_of_live_leases, record, renew_leases
from notifications.outbox.listing import (
    OutboxView,
    count_outbox,
    list_outbox,
    outbox_status,
    retry,
)
from notifications.outbox.queueing import (
    cancel_for_withdrawn,
    cancel_unsent,
    enqueue_consent_requests,
    enqueue_due,
    enqueue_invitations,
    enqueue_pair_notices,
    enqueue_questionnaires,
    follow_up,
)

__all__ = [
    "OutboxView",
    "cancel_for_withdrawn",
    "cancel_unsent",
    "claim",
    "count_outbox",
    "enqueue_consent_requests",
    "enqueue_due",
    "enqueue_invitations",
    "enqueue_pair_notices",
    "enqueue_questionnaires",
    "follow_up",
    "holders_of_live_leases",
    "list_outbox",
    "outbox_status",
    "record",
    "renew_leases",
    "retry",
]
