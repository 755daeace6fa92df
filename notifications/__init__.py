"""Notification delivery: the outbox, apprise channels and the Russian message templates.

Empty until invitations and reminders are built; stage flows will enqueue into the outbox here.
"""
