"""Remote-control tools found running when the agent starts: which ones the helper has
already heard about, so that a tool that starts with the computer every day is reported
once, not at every boot.

A small JSON file in the data folder (``state/tools_at_start.json``) remembers each
reported (tool id, executable path) pair and when it was reported; a pair is reported
again when its executable changed (another pair) or after :data:`REPORT_AGAIN_DAYS`.
The file is replaced atomically; a missing, corrupt or unreadable file counts as empty
(logged once), and a failure to write is logged once: neither ever stops the watcher.
Used by the process-watcher thread only.
"""
from __future__ import annotations

import json
import logging
import time
from pathlib import Path

from agent import atomic, paths, safefile

log = logging.getLogger(__name__)
FILE_NAME = "tools_at_start.json"
REPORT_AGAIN_DAYS = 30
VERSION = 1


def default_path() -> Path:
    return paths.state_dir() / FILE_NAME


class ReportedAtStart:
    """``due(tool_id, exe)`` → report it?; ``mark(pairs)`` → remember them (written at once)."""

    def __init__(self, path: Path | None = None, clock=time.time, days: float = REPORT_AGAIN_DAYS):
        self.path = Path(path) if path is not None else default_path()
        self.clock, self.max_age = clock, days * 86400.0
        self._entries: dict[tuple[str, str], float] | None = None
        self._logged: set[str] = set()

    def _log_once(self, kind: str, msg: str, *args) -> None:
        if kind not in self._logged:
            self._logged.add(kind)
            log.warning(msg, *args)

    def _load(self) -> dict[tuple[str, str], float]:
        if self._entries is not None:
            return self._entries
        self._entries = {}
        try:
            raw = safefile.read_text(self.path, 1 << 20)   # a regular file only, capped
        except FileNotFoundError:
            return self._entries
        except (OSError, UnicodeError) as exc:
            self._log_once("read", "cannot read %s (%s); tools running at start may be reported again",
                           self.path, exc)
            return self._entries
        try:
            data = json.loads(raw)
            for item in data["reported"]:
                self._entries[(str(item["tool"]), str(item.get("exe") or ""))] = float(item["at"])
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            self._entries = {}
            self._log_once("corrupt", "%s is damaged (%s: %s); starting it afresh", self.path,
                           type(exc).__name__, exc)
        return self._entries

    def due(self, tool_id: str, exe: str) -> bool:
        """True unless this tool with this executable was reported in the last 30 days."""
        at = self._load().get((tool_id, exe or ""))
        if at is None:
            return True
        age = self.clock() - at
        return not 0 <= age < self.max_age   # a clock set back counts as "long ago"

    def mark(self, pairs) -> bool:
        """Remember ``(tool_id, exe)`` pairs as reported now; forget entries too old to
        matter. Returns False (logged once) when the file cannot be written."""
        entries = self._load()
        now = self.clock()
        for tool_id, exe in pairs:
            entries[(tool_id, exe or "")] = now
        for key in [k for k, at in entries.items() if not 0 <= now - at < self.max_age]:
            del entries[key]
        data = {"version": VERSION, "reported": [
            {"tool": k[0], "exe": k[1], "at": at,
             "when": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(at))}
            for k, at in sorted(entries.items())]}
        try:
            paths.ensure_dir(self.path.parent)
            atomic.write_text(self.path, json.dumps(data, indent=1))
            return True
        except OSError as exc:
            self._log_once("write", "cannot write %s (%s); tools running at start may be reported again",
                           self.path, exc)
            return False
