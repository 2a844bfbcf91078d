"""Notifications of a case's steps (pure): who is told of which action (`rules`) and in what words
(`messages`). Storage (the outbox, store/notifications_outbox.py) and sending (the channels and the
dispatcher, services/notifications.py) are elsewhere."""
