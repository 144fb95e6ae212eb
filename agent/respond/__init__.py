"""Responding to a detection: evidence, the alert window, notification, speech,
remote-tool containment (and, by another module, the helper notifications)."""
