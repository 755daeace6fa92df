"""Notifications: the outbox (outbox.py), delivery through apprise (delivery.py) and the Russian
message texts (messages.py, templates/). Who hears what and when is domain/notices.py."""
