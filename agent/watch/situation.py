"""What is going on right now, shared by the watchers and the worker (thread-safe):
which remote-control tools run, when a scam screen was last seen, and how risky the
situation has become (each risky context raises it; it decays after a quiet hour).
"""
from __future__ import annotations

import threading
import time

RISK_DECAY_SECONDS = 3600.0


class Situation:
    def __init__(self, clock=time.monotonic):
        self._lock = threading.Lock()
        self._clock = clock
        self._tools: dict[int, tuple[object, dict]] = {}   # pid → (Tool, process info)
        self._risk = 0
        self._risk_at = 0.0
        self._last_scam: float | None = None
        self._reported: set = set()

    def tool_started(self, pid: int, tool, process: dict) -> None:
        with self._lock:
            self._tools[pid] = (tool, process)

    def tool_gone(self, pid: int) -> None:
        with self._lock:
            self._tools.pop(pid, None)

    def clear_tools(self) -> None:
        """Forget the running tools (they are seen again when they start anew)."""
        with self._lock:
            self._tools.clear()

    def running_tools(self) -> list[dict]:
        with self._lock:
            seen, out = set(), []
            for pid, (tool, proc) in self._tools.items():
                if tool.id not in seen:
                    seen.add(tool.id)
                    out.append({"id": tool.id, "name": tool.name, "pid": pid, "exe": proc.get("exe", "")})
            return out

    def remote_running(self) -> bool:
        with self._lock:
            return bool(self._tools)

    def raise_risk(self, amount: int = 1) -> int:
        with self._lock:
            self._decay()
            self._risk += amount
            self._risk_at = self._clock()
            return self._risk

    @property
    def risk(self) -> int:
        with self._lock:
            self._decay()
            return self._risk

    def _decay(self) -> None:
        if self._risk and self._clock() - self._risk_at > RISK_DECAY_SECONDS:
            self._risk = 0
            self._reported.clear()

    def scam_seen(self) -> None:
        with self._lock:
            self._last_scam = self._clock()

    def seconds_since_scam(self) -> float | None:
        with self._lock:
            return None if self._last_scam is None else self._clock() - self._last_scam

    def first_time(self, key) -> bool:
        """True the first time ``key`` is reported (until the risk decays): no repeats."""
        with self._lock:
            if key in self._reported:
                return False
            self._reported.add(key)
            return True

    def context(self) -> dict:
        """A summary for events and the responder."""
        since = self.seconds_since_scam()
        return {"risk": self.risk, "running_tools": self.running_tools(),
                "scam_seen_seconds_ago": None if since is None else round(since, 1)}
