"""The process trigger: a remote-control tool that was not running before starts, or a
"proof" tool (Event Viewer, netstat, tree, cipher...) starts while one runs.

:class:`ProcessWatcher` is a thread polling the set of process ids once a second
(psutil; ~0.08 % of one core) and looking only at new ids. Tools already running when
the agent starts are remembered (they count for the risky context) but not reported:
the trigger is a tool *starting*. Allowlisted tools are neither reported nor counted.
"""
from __future__ import annotations

import logging
import threading

from agent.log import Once
from agent.platform.base import base_name
from agent.watch import allowlist
from agent.watch.trigger import Trigger

log = logging.getLogger(__name__)
POLL_SECONDS = 1.0


def describe(proc) -> dict:
    """name, exe, cmdline, pid, username of a psutil.Process; blanks where denied."""
    import psutil  # noqa: PLC0415
    out = {"pid": proc.pid, "name": "", "exe": "", "cmdline": [], "username": ""}
    for key, getter in (("name", proc.name), ("exe", proc.exe), ("cmdline", proc.cmdline),
                        ("username", proc.username)):
        try:
            out[key] = getter() or out[key]
        except (psutil.AccessDenied, psutil.ZombieProcess, OSError):
            pass
    return out


class ProcessWatcher(threading.Thread):
    def __init__(self, catalog, situation, settings, put, stop: threading.Event,
                 poll: float = POLL_SECONDS, on_error=None):
        super().__init__(name="vigie-processes", daemon=True)
        self.catalog, self.situation, self.settings = catalog, situation, settings
        self.put, self.stop_event, self.poll = put, stop, poll
        self.on_error = on_error or (lambda kind, exc: None)
        self._once = Once(600)
        self._known: set[int] = set()
        self.ready = threading.Event()   # set after the first (baseline) look

    def _allowed(self, tool) -> bool:
        return allowlist.is_allowed(tool, self.settings.remote_tools_allowlist,
                                    self.settings.remote_tools_allow_hours)

    def examine(self, pid: int, baseline: bool = False) -> list[Trigger]:
        """Triggers for one new process (pure apart from psutil and the situation)."""
        import psutil  # noqa: PLC0415
        try:
            info = describe(psutil.Process(pid))
        except (psutil.NoSuchProcess, psutil.AccessDenied, OSError):
            return []
        argv0 = info["cmdline"][0] if info["cmdline"] else ""
        tool = self.catalog.tool_for_process(info["name"], base_name(info["exe"]), base_name(argv0))
        out: list[Trigger] = []
        if tool is not None:
            if self._allowed(tool):
                log.info("allowed remote tool %s started (pid %s)", tool.name, pid)
                return out
            already = self.situation.remote_running()
            self.situation.tool_started(pid, tool, info)
            if not baseline:
                out.append(Trigger("remote_tool", tool=tool, process=info,
                                   details={"other_tools_running": already}))
            return out
        proof = self.catalog.proof_for_process(info["name"], info["cmdline"])
        if proof is not None and not baseline and self.situation.remote_running():
            out.append(Trigger("risky_context", process=info, details={
                "kind": "proof_tool", "proof": proof["id"], "name": proof.get("name", proof["id"]),
                "process": info["name"], "pid": pid, "cmdline": " ".join(info["cmdline"])[:300]}))
        return out

    def check(self, baseline: bool = False) -> list[Trigger]:
        """One poll: new pids examined, vanished ones forgotten."""
        import psutil  # noqa: PLC0415
        now = set(psutil.pids())
        new, gone = now - self._known, self._known - now
        self._known = now
        for pid in gone:
            self.situation.tool_gone(pid)
        out: list[Trigger] = []
        for pid in sorted(new):
            out += self.examine(pid, baseline)
        return out

    def run(self) -> None:
        first = True
        while not self.stop_event.is_set():
            try:
                for trig in self.check(baseline=first):
                    self.put(trig)
                first = False
                self.ready.set()
            except Exception as exc:  # noqa: BLE001 - psutil missing or broken
                self._once.error(log, f"proc:{type(exc).__name__}", "process watcher failed: %s", exc)
                self.on_error("processes", exc)
            self.stop_event.wait(self.poll)
