"""The worker thread: takes triggers off the queue and does capture → detect → record
→ respond. It owns the ``Detector`` (OCR engines are not shared between threads).

Every decision is written to ``events.jsonl`` first, then handed to the responder if
there is one. One failing part (capture, OCR, responder) is logged once per kind and
never stops the loop; the agent shows "degraded" meanwhile.
"""
from __future__ import annotations

import heapq
import itertools
import logging
import queue
import threading
import time

from agent import events
from agent.log import Once
from agent.platform.base import clip
from agent.watch import behaviour as page_behaviour, clickfix, look, ownmask, steady, tool_events
from agent.watch.budget import EventBudget
from agent.watch.port import AgentPort
from agent.watch.trigger import Trigger

log = logging.getLogger(__name__)
SETTLE_DELAYS = (0.6, 1.5, 3.0)   # re-looks after a page goes fullscreen (it may still be drawing)
SAME_SCAM_SECONDS = 120.0          # the same scam on the same window back within this time is a
                                   # "repeat": alerted again at once (the Responder spares the helper)
LOOP_WAKE = 1.0
STEADY_KINDS = ("fullscreen", "settle", "title", "maximized")   # and rescans after a title change
BACKOFF_MAX = 6        # a fullscreen page read "ok" again and again (a video) is re-read
                       # less often: every interval x 1, 2, 4... up to this many intervals
RELEASE_AFTER = 600.0              # OCR models are freed after this long without a browser in front


def window_details(w) -> dict:
    if w is None:
        return {}
    return {"title": w.title, "process": w.process_name, "pid": w.pid, "exe": w.exe,
            "wm_class": w.wm_class, "fullscreen": w.fullscreen, "maximized": w.maximized,
            "geometry": [w.x, w.y, w.width, w.height], "monitor": list(w.monitor)}


class Worker(threading.Thread):
    def __init__(self, agent: AgentPort, backend, q: queue.Queue, stop: threading.Event):
        super().__init__(name="vigie-worker", daemon=True)
        self.agent, self.backend, self.q, self.stop_event = agent, backend, q, stop
        self.settings = agent.settings
        self.detector = None
        self._once = Once(600)
        self._later: list = []
        self._seq = itertools.count()
        self._prints: dict[tuple, str] = {}
        self._reported: dict[tuple, float] = {}
        self._ok_titles: dict[tuple, str] = {}
        self._budget = EventBudget()   # screen_ok events: a few per window per minute (agent.watch.budget)
        self._last_use = 0.0
        self.reads = 0                      # OCR passes so far (tests, diagnostics)
        self.masked = 0                     # own windows/notifications painted out of reads
        self._ok_streak: dict[tuple, tuple[int, float]] = {}   # window key → (ok reads in a row, last read)

    # -- loop ----------------------------------------------------------------------
    def later(self, delay: float, trig: Trigger) -> None:
        heapq.heappush(self._later, (time.monotonic() + delay, next(self._seq), trig))

    def run(self) -> None:
        self._open_detector()
        while not self.stop_event.is_set():
            wait = LOOP_WAKE
            if self._later:
                wait = max(0.0, min(wait, self._later[0][0] - time.monotonic()))
            try:
                trig = self.q.get(timeout=wait)
            except queue.Empty:
                trig = None
            while self._later and self._later[0][0] <= time.monotonic():
                self.handle(heapq.heappop(self._later)[2])
            if trig is not None and trig.kind != "stop":
                self.handle(trig)
            self._release_if_idle()
            self.agent.tick()
        if self.detector is not None:
            try:
                self.detector.close()
            except Exception:  # noqa: BLE001
                pass
        try:
            self.backend and self.backend.close()
        except Exception:  # noqa: BLE001
            pass

    def _open_detector(self) -> None:
        try:
            from agent.detect.ocr import check_tesseract  # noqa: PLC0415
            from agent.detect.pipeline import Detector  # noqa: PLC0415
            from agent.detect.readable import settings_langs  # noqa: PLC0415
            langs, blind = settings_langs(self.settings)     # never "osd" alone: it reads no words
            for problem in check_tesseract(self.settings.tess_langs()) + blind:
                self.agent.degrade(f"ocr:{problem}", problem)
            self.detector = Detector(langs, self.settings.sensitivity)
            for err in getattr(self.detector, "phrase_errors", ()):
                self.agent.degrade("phrases", str(err))
        except Exception as exc:  # noqa: BLE001 - detection module missing or broken
            log.error("the scam detector cannot start: %s", exc)
            self.agent.degrade("detector", f"the scam detector cannot start: {exc}")

    def warm(self) -> None:
        """Load the OCR models now (a browser came to the front), so that the first scan
        of a page going fullscreen does not also pay ~0.4-1 s of model loading."""
        self._last_use = time.monotonic()
        if self.detector is not None:
            self.detector.warm()

    def _release_if_idle(self) -> None:
        """Free the OCR models (~60 MB) after RELEASE_AFTER seconds without a browser in front."""
        if (self.detector is not None and self.detector.is_warm
                and time.monotonic() - self._last_use > RELEASE_AFTER):
            log.debug("no browser in front for %.0f s: freeing the OCR models", RELEASE_AFTER)
            self.detector.release()

    def handle(self, trig: Trigger) -> None:
        if self.agent.paused and trig.kind != "test":
            return
        try:
            if trig.kind == "warm":
                self.warm()
            elif trig.is_scan:
                self.scan(trig)
            elif trig.kind in ("remote_tool", "installer"):
                self.remote_tool(trig)
            elif trig.kind == "risky_context":
                self.risky(trig)
            elif trig.kind == "remote_session_ended":
                tool_events.session_ended(self.agent, trig, self._respond)
            elif trig.kind in ("clickfix", "clickfix_repeat"):
                clickfix.handle(self.agent, trig, self._respond)
        except Exception as exc:  # noqa: BLE001 - one bad trigger never stops the worker
            if self._once.error(log, f"{trig.kind}:{type(exc).__name__}", "%s trigger failed: %s", trig.kind, exc):
                log.debug("details", exc_info=True)

    def _respond(self, method: str, *args, **kw):
        responder = self.agent.responder
        if responder is None:
            return None
        try:
            return getattr(responder, method)(*args, **kw)
        except Exception as exc:  # noqa: BLE001
            self._once.error(log, f"respond:{method}", "responder.%s failed: %s", method, exc)
            return None

    # -- scans -----------------------------------------------------------------------
    def _fresh(self, w):
        """The window as it is now (title, state) if it is still the active one."""
        try:
            now = self.backend.active_window()
        except Exception:  # noqa: BLE001 - the capture will tell if the display is gone
            return w
        return now if now is not None and w is not None and now.id == w.id else w

    def _backing_off(self, key) -> bool:
        """True when a timed re-read of this fullscreen window is skipped: after two "ok"
        reads in a row of a changing page (a video), the interval doubles each time, up to
        BACKOFF_MAX intervals. A title change, a new fullscreen or a scam resets it."""
        streak, last = self._ok_streak.get(key, (0, 0.0))
        if streak < 2:
            return False
        wait = self.settings.scan_interval_seconds * min(BACKOFF_MAX, 2 ** (streak - 1))
        return time.monotonic() - last < wait - 0.5

    def scan(self, trig: Trigger) -> None:
        if trig.kind == "test":
            v, image, w = trig.details["verdict"], trig.details["image"], trig.window
            path = self._respond("on_scam", v, image, w, "test")
            self.agent.incident({"type": "test_alert", "incident": str(path) if path else None})
            return
        w = trig.window
        if self.detector is None:
            return
        if self._alert_up():
            # the screen shows Vigie's own alert over a covering layer: reading it would
            # find no scam and turn the tray green. After "I'm safe" the Responder itself
            # looks again; the timed re-reads resume once the alert is closed.
            log.debug("alert open: %s trigger not read", trig.kind)
            return
        w = self._fresh(w)
        self._last_use = time.monotonic()
        key = (w.id, w.pid) if w is not None else (0, None)  # X11 reuses ids for new clients
        if trig.kind == "rescan" and not trig.details.get("title_changed") and self._backing_off(key):
            return
        try:
            image = self.backend.capture(w)
            fp = look.fingerprint(image)
            if trig.kind in ("rescan", "settle") and self._prints.get(key) == fp:
                return  # nothing changed since the last read
            if trig.kind in STEADY_KINDS or trig.details.get("title_changed"):
                image, n = steady.steady_capture(lambda: self.backend.capture(self._fresh(w)), image,
                                                 wait=self.stop_event.wait)
                w = self._fresh(w)  # the title may have changed meanwhile
                fp = look.fingerprint(image)
                log.debug("steady after %d more captures", n)
        except Exception as exc:  # noqa: BLE001 - display gone, window closed
            self._once.warning(log, "capture", "capture failed (will retry): %s", exc)
            self.agent.degrade("capture", f"screen capture failed: {exc}", transient=True)
            if trig.kind == "fullscreen":
                self.later(SETTLE_DELAYS[-1], Trigger("settle", window=w, details=trig.details))
            return
        self.agent.recover("capture")
        if trig.kind in ("rescan", "settle") and self._prints.get(key) == fp:
            return
        self._prints[key] = fp
        if len(self._prints) > 100:
            self._prints, self._ok_titles = {key: fp}, {}
        if trig.kind == "maximized" and not look.looks_locked(image):
            return
        if look.is_blank(image):
            # still not painted after the steady wait (up to 4 s for a blank window): the
            # timed re-read of the fullscreen window reads it once it is (not "unchanged")
            self._prints.pop(key, None)
            return
        log.debug("reading the screen (%s) of %r", trig.kind, w and w.title)
        image = self._without_own_windows(image, w)
        self.reads += 1
        seen = page_behaviour.observe(self.backend, w, trig.details)   # what the page does, where it lives
        try:
            # the screen scans are of browser windows (agent.watch.screen); a page drawing the
            # system's own security alert is evidence only a browser page can give
            verdict = self.detector.scan_image(image, source="web" if trig.details.get("browser") else "",
                                               behaviour=seen)
        except Exception as exc:  # noqa: BLE001 - OcrUnavailable, Tesseract crash
            self._once.error(log, "ocr", "the screen could not be read: %s", exc)
            self.agent.degrade("ocr", f"the screen could not be read: {exc}", transient=True)
            return
        self.agent.recover("ocr")
        log.debug("read in %.0f ms: %s %.2f", verdict.ms, verdict.verdict, verdict.score)
        base = {"trigger": trig.kind, **window_details(w), "browser": trig.details.get("browser")}
        if verdict.is_scam or trig.kind == "fullscreen" or trig.details.get("title_changed"):
            self._ok_streak.pop(key, None)
        if not verdict.is_scam:
            streak = self._ok_streak.get(key, (0, 0.0))[0]
            self._ok_streak[key] = (streak + 1, time.monotonic())
            if len(self._ok_streak) > 100:
                self._ok_streak = {key: self._ok_streak[key]}
            # recorded once per window title (a video page re-scanned every 5 s writes one line)
            if self._ok_titles.get(key) != base.get("title"):
                self._ok_titles[key] = base.get("title")
                write, left_out = self._budget.allow(key)   # a title changing every 50 ms: a few a minute
                if write:
                    extra = {"coalesced": left_out} if left_out else {}
                    events.append("screen_ok", **base, verdict=verdict.verdict, score=round(verdict.score, 3),
                                  ms=round(verdict.ms, 1), **extra)
            if trig.kind == "fullscreen":
                for d in SETTLE_DELAYS:
                    self.later(d, Trigger("settle", window=w, details=trig.details))
            self.agent.scan_ok(key)
            return
        rkey = (key, verdict.family)
        now = time.monotonic()
        # a page back after its alert (fullscreen again, reopened in the same window) is
        # alerted again at once: the quiet time is for the helper's messages, never the person
        repeat = now - self._reported.get(rkey, -1e9) < SAME_SCAM_SECONDS
        self._reported[rkey] = now
        self.agent.situation.scam_seen()
        j = verdict.to_json()
        self.agent.alert(key)
        ev = events.append("scam_screen", **base, verdict=j["verdict"], family=j["family"], score=j["score"],
                           signals=j["signals"], phones=j["phones"], phones_e164=j["phones_e164"],
                           lang=j["lang"], ms=j["ms"], context=self.agent.situation.context(),
                           page_url=verdict.page_url or None, behaviour=seen.to_json() if seen else None,
                           **({"repeat": True} if repeat else {}))
        path = self._respond("on_scam", verdict, image, w, trig.kind)
        if path:
            ev = {**ev, "incident": str(path)}
            events.append("incident", incident=str(path), of="scam_screen", title=base.get("title"))
        self.agent.incident(ev)

    def _alert_up(self) -> bool:
        """True while the Responder has an alert window open."""
        responder = self.agent.responder
        try:
            return bool(responder is not None and getattr(responder, "alert_open", lambda: False)())
        except Exception:  # noqa: BLE001
            return False

    def _without_own_windows(self, image, w):
        """The capture with Vigie's windows and notification pop-ups painted out."""
        if self.backend is None:
            return image
        origin = clip(w.rect, w.monitor)[:2] if w is not None else (0, 0)
        image, n = ownmask.mask(image, origin, ownmask.own_areas(self.backend))
        if n:
            log.debug("%d of Vigie's own windows/notifications kept out of the read", n)
            self.masked += n
        return image

    # -- remote tools and context ------------------------------------------------------
    def remote_tool(self, trig: Trigger) -> None:
        tool_events.remote_tool(self.agent, trig, self._respond)

    def risky(self, trig: Trigger) -> None:
        tool_events.risky(self.agent, trig, self._respond)
