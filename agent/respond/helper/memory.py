"""Helper messages the outbox could not store yet (a lock, a full disk, a read-only folder).

:class:`MemoryQueue` keeps them (:class:`Held`: what to render, for which channels) until
the notifier's sender thread stores them in the outbox or sends them straight from memory
(each channel once; backoff between tries). Everything in it is lost if the process ends
before — the notifier says so in its log and its ``health()``. Thread-safe.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from agent import clock
from agent.respond.helper.outbox import BACKOFF_CAP, MAX_HOLD, backoff


@dataclass
class Held:
    msg_id: str
    kind: str
    data: dict
    channels: tuple[str, ...]
    attachments: tuple = ()
    group: str | None = None
    due: float = 0.0                    # epoch seconds: a held follow-up waits until then
    tries: int = 0
    delivered: set = field(default_factory=set)

    def remaining(self) -> tuple[str, ...]:
        return tuple(c for c in self.channels if c not in self.delivered)


class MemoryQueue:
    def __init__(self):
        self._items: list[Held] = []
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def pending(self) -> int:
        """Messages × channels still to deliver."""
        with self._lock:
            return sum(len(h.remaining()) for h in self._items)

    def add(self, held: Held) -> None:
        with self._lock:
            if held not in self._items:
                self._items.append(held)

    def drain(self) -> list[Held]:
        """Take out every message never sent to any channel (to store it); the others stay."""
        with self._lock:
            out = [h for h in self._items if not h.delivered]
            self._items = [h for h in self._items if h.delivered]
        return out

    def merge(self, group: str, update) -> bool:
        """Rewrite the held message of ``group`` with ``update(data) -> (data, …, due)``."""
        with self._lock:
            for h in self._items:
                if h.group == group and not h.delivered:
                    h.data, *_, h.due = update(h.data)
                    return True
        return False

    def release(self, group: str) -> None:
        with self._lock:
            for h in self._items:
                if h.group == group:
                    h.due = min(h.due, time.time())

    def due(self, now: float | None = None) -> list[Held]:
        now = time.time() if now is None else now
        with self._lock:
            for h in self._items:        # set while the clock was ahead: never further than a backoff
                h.due = clock.clamp_due(h.due, BACKOFF_CAP + MAX_HOLD, now)
            return [h for h in self._items if h.due <= now]

    def delivered(self, held: Held, channel: str) -> None:
        with self._lock:
            held.delivered.add(channel)
            if not held.remaining() and held in self._items:
                self._items.remove(held)

    def retry_later(self, held: Held) -> None:
        with self._lock:
            if held in self._items:
                held.tries += 1
                held.due = time.time() + backoff(held.tries)
