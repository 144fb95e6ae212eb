"""What the watchers may ask of the agent: :class:`AgentPort`.

The worker thread (``agent/watch/worker.py``) and the decisions it delegates
(``tool_events.py``, ``clickfix.py``) see the agent only through these names;
``agent.app.Agent`` implements them. Nothing here imports ``agent.app`` (the agent
imports the watchers, never the other way round).
"""
from __future__ import annotations

from typing import Any, Protocol


class AgentPort(Protocol):
    """The agent as its watcher threads see it. Every method is thread-safe."""

    settings: Any       # the live ``agent.config.Settings`` (replaced whole on a reload)
    situation: Any      # ``agent.watch.situation.Situation``: what runs now, shared by the watchers
    responder: Any      # ``agent.respond.responder.Responder`` or None (events are still written)

    @property
    def paused(self) -> bool:
        """True while the person (or the helper) paused the protection. Any thread."""

    def tick(self) -> None:
        """Worker thread, about once a second: a pause that ran out ends (``resumed``),
        daily housekeeping (old evidence), the state is recomputed."""

    def degrade(self, part: str, reason: str, transient: bool = False) -> None:
        """``part`` does not work, for ``reason`` (plain words shown in the status). A
        ``transient`` problem counts for a minute. Any thread (worker, watchers, settings-watch)."""

    def recover(self, part: str) -> None:
        """``part`` works again. Any thread."""

    def alert(self, key: Any) -> None:
        """Worker thread: a scam or a remote tool was found (``key`` says what); called
        before its event is written, so whoever reads the event sees the ``alert`` state."""

    def scan_ok(self, key: Any) -> None:
        """Worker thread: the thing ``key`` alerted about reads clean now."""

    def incident(self, event: dict) -> None:
        """Worker thread: the event of the last incident (``Agent.last_incident()``)."""
