"""After a web page put a dangerous command in the clipboard (ClickFix): what follows.

- :class:`FollowUp` (the clipboard guard's thread): for a minute, the Run box or a
  terminal coming to the front repeats the warning (``clickfix_repeat`` trigger); for
  ten minutes, a process started from the Run box (``explorer.exe``) or a terminal
  whose command line is the copied command is a risky context of its own
  (``risky_context`` trigger, kind ``clickfix_paste``).
- :func:`handle` (the worker thread): writes the ``clickfix`` / ``clickfix_repeat``
  event, then hands it to ``Responder.on_clickfix``.
- Where people are told to paste is data: ``assets/clickfix.toml`` (:func:`places`).
"""
from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from agent import events, paths
from agent.detect.command import same_command
from agent.watch.catalog import norm
from agent.watch.port import AgentPort
from agent.watch.trigger import Trigger

log = logging.getLogger(__name__)
REPEAT_SECONDS = 60.0       # the Run box / a terminal in front this soon after: warn again
PROCESS_SECONDS = 600.0     # the copied command started from there this soon after: risky
MAX_REPEATS = 3


@dataclass(frozen=True)
class Places:
    run_box_classes: frozenset = frozenset({"#32770"})
    run_box_processes: frozenset = frozenset({"explorer"})
    run_box_titles: frozenset = frozenset({"run", "exécuter"})
    terminal_processes: frozenset = frozenset({"xterm", "gnome-terminal-server", "konsole", "cmd", "powershell",
                                               "windowsterminal", "terminal"})
    terminal_classes: frozenset = frozenset({"consolewindowclass", "cascadia_hosting_window_class"})
    launchers: frozenset = frozenset({"explorer"})

    def place_of(self, window) -> str | None:
        """"run_box", "terminal" or None for a WindowInfo."""
        if window is None:
            return None
        classes = {c.lower() for c in (window.wm_class or "").split(".") if c} | {(window.wm_class or "").lower()}
        proc = norm(window.process_name) or norm(window.exe)
        if classes & self.run_box_classes and proc in self.run_box_processes \
                and (window.title or "").strip().lower() in self.run_box_titles:
            return "run_box"
        if proc in self.terminal_processes or classes & self.terminal_classes:
            return "terminal"
        return None

    def launched_from(self, ancestors) -> str | None:
        """The first of a process's ancestors (names) that is the Run box's or a terminal."""
        for name in ancestors:
            n = norm(name)
            if n in self.launchers or n in self.terminal_processes:
                return name
        return None


@functools.lru_cache(maxsize=2)
def places(folder: str | None = None) -> Places:
    """The places of ``assets/clickfix.toml``; the built-in short list if it is unreadable."""
    from agent.tomlcompat import tomllib  # noqa: PLC0415
    path = paths.assets_dir() / "clickfix.toml" if folder is None else Path(folder) / "clickfix.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        run, term = data.get("run_box", {}), data.get("terminals", {})

        def low(values, f=str.lower):
            return frozenset(f(v) for v in values or () if isinstance(v, str))
        return Places(low(run.get("window_class")), low(run.get("process"), norm), low(run.get("titles")),
                      low(term.get("process"), norm), low(term.get("window_class")),
                      low(data.get("launchers", {}).get("process"), norm))
    except (OSError, ValueError, AttributeError) as exc:
        log.error("%s cannot be used (%s); using the built-in list", path, exc)
        return Places()


class FollowUp:
    """What the guard watches after one dangerous copy. One thread (the guard's)."""

    def __init__(self, command: str, details: dict, front_id=None, known_pids=(), where: Places | None = None,
                 clock=time.monotonic):
        self.command, self.details, self.clock = command, details, clock
        self.where = where or places()
        self.at = clock()
        self.seen_windows = {front_id}        # what was in front already is no news
        self.known = set(known_pids)
        self.repeats = 0
        self.pasted = False

    @property
    def active(self) -> bool:
        return self.clock() - self.at < PROCESS_SECONDS and not self.pasted

    def window(self, w) -> Trigger | None:
        """A repeat trigger when ``w`` (the window in front now) is a Run box or terminal."""
        if w is None or w.id in self.seen_windows or self.clock() - self.at > REPEAT_SECONDS:
            return None
        self.seen_windows.add(w.id)
        place = self.where.place_of(w)
        if place is None or self.repeats >= MAX_REPEATS:
            return None
        self.repeats += 1
        return Trigger("clickfix_repeat", window=w, details={**self.details, "stage": "opened", "place": place})

    def process(self, info: dict, ancestors: list[str]) -> Trigger | None:
        """A ``clickfix_paste`` risky context for a new process running the copied command."""
        launcher = self.where.launched_from(ancestors)
        if launcher is None or not same_command(self.command, info.get("cmdline") or ()):
            return None
        self.pasted = True
        return Trigger("risky_context", process=info, details={
            "kind": "clickfix_paste", "process": info.get("name"), "pid": info.get("pid"), "name": info.get("name"),
            "cmdline": " ".join(info.get("cmdline") or ())[:500], "launcher": launcher,
            "command": self.command[:500], "browser": self.details.get("browser")})


def handle(agent: AgentPort, trig: Trigger, respond) -> None:
    """Worker thread: the event first, then the responder (``on_clickfix``)."""
    d, w, proc = trig.details, trig.window, trig.process or {}
    base = {"browser": d.get("browser"), "process": proc.get("name"), "pid": proc.get("pid"),
            "exe": proc.get("exe"), "title": getattr(w, "title", None),
            "window_process": getattr(w, "process_name", None)}
    command = d.get("command", "")
    if trig.kind == "clickfix_repeat":
        events.append("clickfix_repeat", place=d.get("place"), title=base["title"],
                      window_process=base["window_process"], command=command)
        respond("on_clickfix", command, {**base, "place": d.get("place")}, repeat=True)
        return
    agent.alert(("clickfix", proc.get("pid")))
    verdict = d.get("verdict") or {}
    ev = events.append("clickfix", **base, command=command, shell=verdict.get("shell"),
                       signals=verdict.get("signals"), replaced=d.get("replaced"))
    path = respond("on_clickfix", command, {**base, "verdict": verdict, "replaced": d.get("replaced"),
                                            "browser_pid": proc.get("pid")})
    if path:
        ev = {**ev, "incident": str(path)}
        events.append("incident", incident=str(path), of="clickfix", title=base["title"])
    agent.incident(ev)
