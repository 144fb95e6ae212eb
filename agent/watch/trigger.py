"""The items watchers put on the agent's queue (plain data, any thread)."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

# kind → what the worker does with it
SCAN_KINDS = ("fullscreen", "rescan", "settle", "title", "maximized", "test")
OTHER_KINDS = ("remote_tool", "installer", "risky_context", "warm", "stop", "remote_session_ended",
               "clickfix", "clickfix_repeat")


@dataclass
class Trigger:
    kind: str
    window: object | None = None          # WindowInfo for scan kinds
    tool: object | None = None            # catalog.Tool for remote_tool / installer
    process: dict = field(default_factory=dict)
    details: dict = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)

    @property
    def is_scan(self) -> bool:
        return self.kind in SCAN_KINDS
