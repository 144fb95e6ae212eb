"""The process trigger: a remote-control tool that was not running before starts, or a
"proof" tool (Event Viewer, netstat, tree, cipher...) starts while one runs.

:class:`ProcessWatcher` is a thread polling the set of process ids once a second
(psutil; ~0.08 % of one core) and looking only at new ids. Tools already running when
the agent starts count for the risky context and are reported once with
``details["trigger"] = "running_at_start"`` (a scammer's tool left installed with
unattended access starts with the computer): once per tool and executable, and again
only after 30 days (:mod:`agent.watch.at_start`), so a boot does not cry wolf.
Allowlisted tools are neither reported nor counted. When the last process of a reported
tool is gone, a ``remote_session_ended`` trigger says so (the aftercare report).
"""
from __future__ import annotations

import logging
import threading
import time

from agent.log import Once
from agent.platform import winproc
from agent.platform.base import base_name
from agent.watch import allowlist
from agent.watch.at_start import ReportedAtStart
from agent.watch.trigger import Trigger

log = logging.getLogger(__name__)
POLL_SECONDS = 1.0
WARM_EVERY = 30.0   # a browser starting asks the worker for loaded OCR models at most this often


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
    if not out["name"]:   # Windows: an elevated process, or Wine: the image path's name
        name, exe = winproc.describe(proc.pid)
        out["name"], out["exe"] = name, out["exe"] or exe
    return out


class ProcessWatcher(threading.Thread):
    def __init__(self, catalog, situation, settings, put, stop: threading.Event,
                 poll: float = POLL_SECONDS, on_error=None, at_start: ReportedAtStart | None = None):
        super().__init__(name="vigie-processes", daemon=True)
        self.catalog, self.situation, self.settings = catalog, situation, settings
        self.put, self.stop_event, self.poll = put, stop, poll
        self.on_error = on_error or (lambda kind, exc: None)
        self._once = Once(600)
        self._known: set[int] = set()
        self.at_start = at_start if at_start is not None else ReportedAtStart()
        self._found_at_start: dict[str, list] = {}   # tool id → [(tool, process info, others)]
        self.ready = threading.Event()   # set after the first (baseline) look
        self.clock = time.monotonic
        self._last_warm = -1e9
        self._reported: dict[int, tuple] = {}   # pid → (tool, process info) of reported tools

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
                self._reported[pid] = (tool, info)
                out.append(Trigger("remote_tool", tool=tool, process=info,
                                   details={"other_tools_running": already}))
            else:
                self._found_at_start.setdefault(tool.id, []).append((tool, info, already))
            return out
        browser = self.catalog.browser_for_process(info["name"], base_name(info["exe"]), base_name(argv0))
        if browser and not baseline and self.clock() - self._last_warm >= WARM_EVERY:
            # a browser starts: its window (maybe a kiosk page) comes in a second or two;
            # have the OCR models loaded by then
            self._last_warm = self.clock()
            out.append(Trigger("warm", details={"browser": browser, "pid": pid}))
        proof = self.catalog.proof_for_process(info["name"], info["cmdline"])
        if proof is not None and not baseline and self.situation.remote_running():
            out.append(Trigger("risky_context", process=info, details={
                "kind": "proof_tool", "proof": proof["id"], "name": proof.get("name", proof["id"]),
                "process": info["name"], "pid": pid, "cmdline": " ".join(info["cmdline"])[:300]}))
        return out

    def _running_at_start(self) -> list[Trigger]:
        """One ``running_at_start`` trigger per tool and executable found by the first look,
        unless the helper heard about that pair in the last 30 days. Several processes of
        one executable make one report, and so does a process whose path is hidden (a
        service of another user) beside ones whose path could be read."""
        found, self._found_at_start = self._found_at_start, {}
        out: list[Trigger] = []
        report: list[tuple[str, str]] = []
        for tool_id, procs in found.items():
            by_exe: dict[str, tuple] = {}
            for item in procs:
                by_exe.setdefault(item[1]["exe"] or "", item)
            if len(by_exe) > 1:
                by_exe.pop("", None)
            for exe, (tool, info, already) in by_exe.items():
                try:
                    due = self.at_start.due(tool_id, exe)
                except Exception as exc:  # noqa: BLE001 - the memory must never stop the watcher
                    self._once.error(log, "at_start", "tools running at start: %s", exc)
                    due = True
                if not due:
                    log.info("%s (%s) was running at start; already reported", tool_id, exe or "path hidden")
                    continue
                out.append(Trigger("remote_tool", tool=tool, process=info, details={
                    "trigger": "running_at_start", "other_tools_running": already}))
                report.append((tool_id, exe))
        told = {tool_id for tool_id, _ in report}
        for tool_id, procs in found.items():          # their end is reported too
            if tool_id in told:
                self._reported.update((info["pid"], (tool, info)) for tool, info, _ in procs)
        if report:
            try:
                self.at_start.mark(report)
            except Exception as exc:  # noqa: BLE001
                self._once.error(log, "at_start", "tools running at start: %s", exc)
        return out

    def _ended(self, gone: set[int]) -> list[Trigger]:
        """One ``remote_session_ended`` per tool whose last seen process is gone."""
        ended = [self._reported.pop(pid) for pid in gone if pid in self._reported]
        out, left = [], {t.id for t, _ in self._reported.values()}
        for tool, info in ended:
            if tool.id not in left:
                left.add(tool.id)            # once per tool
                out.append(Trigger("remote_session_ended", tool=tool, process=info))
        return out

    def check(self, baseline: bool = False) -> list[Trigger]:
        """One poll: new pids examined, vanished ones forgotten."""
        import psutil  # noqa: PLC0415
        if baseline:
            self._found_at_start = {}     # a first look that failed half-way starts again
        now = set(psutil.pids())
        new, gone = now - self._known, self._known - now
        self._known = now
        for pid in gone:
            self.situation.tool_gone(pid)
        out: list[Trigger] = self._ended(gone)
        for pid in sorted(new):
            out += self.examine(pid, baseline)
        if baseline:
            out += self._running_at_start()
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
