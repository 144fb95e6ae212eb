"""Telling the family helper: the durable outbox, the channels (apprise), secrets, message texts."""
