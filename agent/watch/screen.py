"""The screen trigger: the active browser window turning fullscreen (kiosk, F11, a
page's requestFullscreen), getting a suspicious title, or maximised with a new title
(the worker then checks for a locked-alert look) → scan; a bank/payment page while a
remote tool runs → risky context; a program that is not a browser covering the screen
→ :mod:`agent.watch.covering`. Each browser window's entries into fullscreen are counted
(``fullscreen_entries`` in the triggers' details: a page that takes the screen back after
the person or Vigie left it) while it is in front.

:class:`ScreenRules` decides (pure apart from its memory; tested with plain
``WindowInfo`` values). :class:`ScreenWatcher` is the thread: it blocks in the
backend's ``wait_for_change`` (event-driven on X11) and asks for the active window only
when something changed or a re-scan of a fullscreen browser is due. Every
``PROBLEMS_EVERY`` s it also asks the backend's ``problems()`` — a trouble found while
running (Windows: WinEvent hooks that went silent) — and hands a changed list to
``on_problems`` (the agent: tray and status degraded, a ``degraded`` event).
"""
from __future__ import annotations

import logging
import threading
import time

from agent.log import Once
from agent.platform.base import WindowInfo
from agent.watch.covering import CoveringRules
from agent.watch.trigger import Trigger

log = logging.getLogger(__name__)
IDLE_WAKE_SECONDS = 1.0      # how often an idle watcher looks at its stop flag
WARM_EVERY = 60.0            # a browser in front asks the worker to keep OCR ready this often
ERROR_BACKOFF_SECONDS = 5.0
PROBLEMS_EVERY = 30.0        # the backend is asked this often what stops it working well now
TITLE_RESCAN_GAP = 2.0       # a fullscreen page's title changes are read at most this often (a
                             # title flickering every 50 ms: the last one is read after the gap)


class ScreenRules:
    """Turns successive views of the active window into triggers. One thread only."""

    def __init__(self, catalog, situation, scan_interval: float = 5.0, clock=time.monotonic):
        self.catalog = catalog
        self.situation = situation
        self.scan_interval = scan_interval
        self.clock = clock
        self.full_id: tuple | None = None    # (window id, pid) of the browser now fullscreen
        self.last_scan = 0.0
        self.titles: dict[int, str] = {}
        self.title_scans: dict[int, float] = {}
        self.last_warm = -1e9
        self.covering = CoveringRules(catalog)
        self.was_full: dict[tuple, bool] = {}   # (window id, pid) → fullscreen when last seen
        self.entries: dict[tuple, int] = {}     # (window id, pid) → entries into fullscreen seen
        self.title_rescan_at = -1e9          # the last read for a changed title (fullscreen)
        self.title_pending = False           # a title change not read yet (within the gap)

    def rescan_due_in(self) -> float | None:
        """Seconds until the fullscreen browser should be scanned again (None: none)."""
        if self.full_id is None:
            return None
        due = self.last_scan + self.scan_interval
        if self.title_pending:
            due = min(due, self.title_rescan_at + TITLE_RESCAN_GAP)
        return max(0.0, due - self.clock())

    def decide(self, w: WindowInfo | None) -> list[Trigger]:
        now = self.clock()
        out: list[Trigger] = []
        browser = self.catalog.browser_of(w)
        if w is None or not browser:
            self.full_id = None
            return self.covering.decide(w)
        key = (w.id, w.pid)
        if w.fullscreen and not self.was_full.get(key, False):
            if len(self.entries) > 200:
                self.entries.clear()
            self.entries[key] = self.entries.get(key, 0) + 1
        if len(self.was_full) > 200:
            self.was_full.clear()
        self.was_full[key] = w.fullscreen
        details = {"browser": browser, "fullscreen_entries": self.entries.get(key, 0)}
        if now - self.last_warm >= WARM_EVERY:
            # a browser is in front: have the OCR models loaded before a page takes the screen
            self.last_warm = now
            out.append(Trigger("warm", window=w, details=details))
        if w.fullscreen:
            if self.full_id != (w.id, w.pid):
                self.full_id, self.last_scan, self.title_pending = (w.id, w.pid), now, False
                out.append(Trigger("fullscreen", window=w, details=details))
            elif self.titles.get(w.id, w.title) != w.title or self.title_pending:
                if now - self.title_rescan_at >= TITLE_RESCAN_GAP:
                    # the page changed its title (it finished loading...)
                    self.last_scan = self.title_rescan_at = now
                    self.title_pending = False
                    out.append(Trigger("rescan", window=w, details={**details, "title_changed": True}))
                else:
                    self.title_pending = True      # a storm of titles: read after the gap
            elif now - self.last_scan >= self.scan_interval:
                self.last_scan = now  # due
                out.append(Trigger("rescan", window=w, details=details))
        else:
            self.full_id = None
        old_title = self.titles.get(w.id)
        self.titles[w.id] = w.title
        if len(self.titles) > 200:
            self.titles = {w.id: w.title}
        title_changed = old_title != w.title  # also True the first time this window is seen
        if title_changed and not w.fullscreen:
            word = self.catalog.suspicious_title(w.title)
            recent = now - self.title_scans.get(w.id, -1e9) < self.scan_interval
            if (word or w.maximized) and not recent:
                self.title_scans[w.id] = now
                kind = "title" if word else "maximized"
                out.append(Trigger(kind, window=w, details={**details, "title_word": word}))
        if title_changed and self.situation.remote_running():
            bank = self.catalog.bank_in_title(w.title)
            if bank and self.situation.first_time(("bank", w.id, bank)):
                out.append(Trigger("risky_context", window=w, details={
                    "kind": "bank_site", "match": bank, "title": w.title, "browser": browser,
                    "process": w.process_name}))
        return out


class ScreenWatcher(threading.Thread):
    """Thread: backend changes → :class:`ScreenRules` → triggers on ``put``."""

    def __init__(self, backend, rules: ScreenRules, put, stop: threading.Event, on_error=None,
                 on_problems=None, clock=time.monotonic):
        super().__init__(name="vigie-screen", daemon=True)
        self.backend, self.rules, self.put, self.stop_event = backend, rules, put, stop
        self.on_error = on_error or (lambda kind, exc: None)
        self.on_problems = on_problems or (lambda problems: None)
        self.clock = clock
        self._problems: list[str] = []        # the agent asked once before starting this thread
        self._problems_at = clock()
        self._once = Once(600)

    def run(self) -> None:
        try:
            while not self.stop_event.is_set():
                try:
                    self.step()
                except Exception as exc:  # noqa: BLE001 - display gone, library bug...
                    self._once.error(log, f"screen:{type(exc).__name__}", "screen watcher failed: %s", exc)
                    self.on_error("screen", exc)
                    self.stop_event.wait(ERROR_BACKOFF_SECONDS)
        finally:
            try:
                self.backend.close()
            except Exception:  # noqa: BLE001
                pass

    def check_problems(self) -> None:
        """Ask the backend's ``problems()`` when due; a list that changed goes to
        ``on_problems`` (this thread)."""
        now = self.clock()
        if now - self._problems_at < PROBLEMS_EVERY:
            return
        self._problems_at = now
        problems = [str(p) for p in self.backend.problems()]
        if problems != self._problems:
            self._problems = problems
            self.on_problems(list(problems))

    def step(self) -> None:
        self.check_problems()
        due = self.rules.rescan_due_in()
        timeout = IDLE_WAKE_SECONDS if due is None else min(IDLE_WAKE_SECONDS, due)
        changed = self.backend.wait_for_change(timeout)
        due = self.rules.rescan_due_in()
        if not changed and (due is None or due > 0):
            return
        for trig in self.rules.decide(self.backend.active_window()):
            log.debug("trigger %s: %r fullscreen=%s", trig.kind, trig.window and trig.window.title,
                      trig.window and trig.window.fullscreen)
            self.put(trig)
