"""Vigie: a tray agent that stops tech-support scams before they cost money."""

__version__ = "0.1.0"
