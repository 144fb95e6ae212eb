"""The alert holds while the scam's page is there: the same page back within a visit goes
into the same incident (``page_back``); an alert window that dies without a choice is
reopened (``alert_window_died``, ``alert_reopened``, bounded by ``REOPEN_LIMIT``); "I'm
safe" with the page still open names it once more (``alert_again``).

Part of :class:`agent.respond.responder.Responder` (a mixin). ``_visit_of`` and
``_page_back`` run on the worker thread (``on_scam``); ``_died`` and ``_reopen`` on the
alert window's reader thread; ``_say_again`` on the Responder's "again" thread.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

from agent import events
from agent.respond import takeback
from agent.respond.evidence import store as evidence
from agent.respond.evidence import timeline
from agent.respond.gui.process import GuiProcess

log = logging.getLogger("agent.respond.responder")   # the Responder's log lines, as before the split
AGAIN_SECONDS = 1.0        # after "I'm safe", a page still open this long after is named once more
REOPEN_LIMIT = (5, 60.0)   # an alert window that dies is reopened at most 5 times a minute
VISIT_SECONDS = 1800.0     # the same page back within this time is a return of one visit, not a new incident


class AlertRepeats:
    def _visit_of(self, page: tuple | None) -> Path | None:
        """The incident of this page's current visit (seen within ``VISIT_SECONDS``), or None."""
        if page is None:
            return None
        with self._lock:
            visit = self._visits.get(page)
            if visit and visit["incident"] and time.monotonic() - visit["at"] < VISIT_SECONDS:
                return visit["incident"]
        return None

    def _page_back(self, incident: Path, image, title: str | None, url: str | None, **extra) -> None:
        """The same page came back: its screenshot and time go into the same incident, and
        the helper's conversation of that incident hears it (no new alert message)."""
        n = timeline.returns(incident) + 1
        files = {}
        if image is not None:
            try:
                files[f"return-{n}.png"] = evidence.png_bytes(image)
            except (OSError, ValueError, AttributeError) as exc:
                log.error("the screenshot of the page's return could not be encoded: %s", exc)
        timeline.add(incident, {"what": "page_back", "count": n, "screenshot": next(iter(files), None),
                                "title": title, "url": url, **extra}, files)
        self._tell_helper("page_back", {"incident": incident.name, "time": events.now_iso(), "title": title,
                                        "url": url, **extra})

    def _died(self, gui: GuiProcess) -> bool:
        """True when the alert window's process ended without a choice: killed (kill -9,
        a task manager), crashed, or its X connection cut (xkill). The ``alert_window_died``
        event is written then. Any thread (the window's reader thread)."""
        rc = gui.proc.returncode
        if rc in (0, 2, None) or getattr(gui, "closing", False):
            return False         # closed by a choice, no display at all, or ended by Vigie itself
        events.append("alert_window_died", pid=gui.proc.pid, returncode=rc,
                      actions=[a.get("action") for a in gui.actions])
        log.error("the alert window (process %s) ended with code %s without a choice", gui.proc.pid, rc)
        return True

    def _reopen(self, verdict, image, window, key, incident, trigger, follow_up) -> bool:
        """The alert window died: reopen it while the scam's page is still there (bounded:
        REOPEN_LIMIT). True if reopened."""
        still = _page_there(window)
        now = time.monotonic()
        with self._lock:
            times = [t for t in self._reopened.get(key, []) if now - t < REOPEN_LIMIT[1]]
            if not still or len(times) >= REOPEN_LIMIT[0]:
                return False
            self._reopened[key] = [*times, now]
            if self._current and self._current["key"] == key:
                self._current = None
        events.append("alert_reopened", title=getattr(window, "title", None), pid=getattr(window, "pid", None),
                      incident=incident.name if incident else None)
        self.on_scam(verdict, image, window, "again" if trigger == "again" else "reopen", incident, follow_up)
        return True

    def _say_again(self, verdict, image, window, key) -> None:
        """"I'm safe" with the same page still open (any state): say it once more, calmly."""
        time.sleep(AGAIN_SECONDS)
        still = bool(getattr(window, "id", 0)) and _page_there(window)
        with self._lock:
            if not still or key in self._again_done:
                return
            self._again_done.add(key)
            cur, self._current = self._current, None
        incident = cur["incident"] if cur and cur["key"] == key else None
        events.append("alert_again", title=getattr(window, "title", None), pid=getattr(window, "pid", None))
        if incident is not None:        # "I'm safe" while the page was still open: a risk for the helper
            self._page_back(incident, None, getattr(window, "title", None), getattr(window, "url", None),
                            open_after_safe=True)
        self.on_scam(verdict, image, window, "again", incident)


def _page_there(window) -> bool:
    """True while ``window`` still shows the scam's page (True when it cannot be told)."""
    watch = takeback.PageWatch(getattr(window, "id", 0), getattr(window, "title", ""))
    try:
        return watch()
    finally:
        watch.close()
