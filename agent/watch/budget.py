"""A storm of triggers from one window coalesced: bounded events per window per minute.

A page that changes its title every 50 ms would otherwise write an event for each read
(164 a minute in the issue's test) and fill ``events.jsonl``. :class:`EventBudget` lets
``per_minute`` events of one kind through per window in any 60 s; the rest are counted
and the next event let through carries ``coalesced`` (how many were left out). Used by the
worker thread only (not thread-safe); ``clock`` is injectable for tests.
"""
from __future__ import annotations

import time
from collections import deque

WINDOW_SECONDS = 60.0


class EventBudget:
    def __init__(self, per_minute: int = 6, clock=time.monotonic, keep: int = 200):
        self.per_minute, self.clock, self.keep = per_minute, clock, keep
        self._sent: dict = {}         # key -> deque of times let through
        self._held: dict = {}         # key -> count left out since the last let through

    def allow(self, key) -> tuple[bool, int]:
        """``(write it?, how many were left out before it)``."""
        now = self.clock()
        times = self._sent.setdefault(key, deque())
        while times and now - times[0] >= WINDOW_SECONDS:
            times.popleft()
        if len(times) >= self.per_minute:
            self._held[key] = self._held.get(key, 0) + 1
            return False, 0
        times.append(now)
        if len(self._sent) > self.keep:       # windows come and go: forget the oldest
            for old in list(self._sent)[: len(self._sent) - self.keep]:
                self._sent.pop(old, None)
                self._held.pop(old, None)
        return True, self._held.pop(key, 0)
