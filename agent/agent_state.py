"""The agent's state (protecting / paused / alert / degraded) and the port its watchers
see it through (:class:`agent.watch.port.AgentPort`: ``tick``, ``degrade``, ``recover``,
``alert``, ``scan_ok``, ``incident``): every change goes on ``state_changes`` for the tray
and into ``state/agent.json``; a new problem gets a ``degraded`` event once ``started``
is written; old evidence is pruned once a day from ``tick``.

Part of :class:`agent.app.Agent` (a mixin). ``tick`` is called by the worker thread;
the rest by the watcher threads, the main thread (``pause``/``resume``) or any thread
(``state``, ``problems_now``), all under the agent's lock.
"""
from __future__ import annotations

import logging
import queue
import time

from agent import agent_status, events

log = logging.getLogger("agent.app")   # the agent's log lines, as before the split
ALERT_SECONDS = 30.0         # the tray says "alert" from the detection until the alert window is up (at
                             # most this long without one), then while it is open, and no longer
TRANSIENT_SECONDS = 60.0     # a passing failure keeps the agent "degraded" this long
PRUNE_SECONDS = 86400.0      # old evidence is looked for at start, then once a day


class AgentState:
    def pause(self, seconds: float) -> None:
        """Stop looking for ``seconds`` (the helper is working on the computer)."""
        with self._lock:
            self._paused_until = time.monotonic() + max(0.0, float(seconds))
        events.append("paused", seconds=seconds)
        self._refresh()

    def resume(self) -> None:
        with self._lock:
            was = self._paused_until is not None
            self._paused_until, self._alert_on = None, None
        if was:
            events.append("resumed")
        self._refresh()

    @property
    def paused(self) -> bool:
        with self._lock:
            return self._paused_until is not None and time.monotonic() < self._paused_until

    @property
    def state(self) -> str:
        with self._lock:
            return self._state

    def problems_now(self) -> list[str]:
        with self._lock:
            now = time.monotonic()
            return [r for r, when in self._degraded.values() if when is None or now - when < TRANSIENT_SECONDS]

    # -- the watchers' port (agent.watch.port.AgentPort) and the agent's own threads ----
    def _put(self, trig) -> None:
        try:
            self.queue.put_nowait(trig)
        except queue.Full:
            log.warning("too many things happening at once; %s trigger dropped", trig.kind)

    def degrade(self, part: str, reason: str, transient: bool = False) -> None:
        """Something does not work. A problem not already shown (the same words under
        another part count as shown) gets a ``degraded`` event once ``started`` is written."""
        with self._lock:
            shown = self.problems_now()
            known = reason in shown or (not transient and any(
                r == reason and when is None for r, when in self._degraded.values()))
            if known and part not in self._degraded:
                return
            self._degraded[part] = (reason, time.monotonic() if transient else None)
            announce = self._announced and reason not in shown
            problems = self.problems_now() if announce else []
        if announce:
            log.warning("degraded: %s", reason)
            events.append("degraded", part=part, problem=reason, problems=problems, transient=transient)
        self._refresh()
        if announce:
            self._write_status()

    def _check_data_dir(self) -> None:
        """Evidence, events and helper messages are kept in the data folder: say so when
        it cannot be written (the tray and the status turn "degraded")."""
        import tempfile  # noqa: PLC0415
        from agent import paths  # noqa: PLC0415
        folder = paths.data_dir()
        try:
            paths.ensure_dir(folder)
            with tempfile.NamedTemporaryFile(dir=folder, prefix=".probe-"):
                pass
        except OSError as exc:
            self.degrade("data_dir", f"the data folder {folder} cannot be written ({exc.strerror or exc}): "
                          "evidence, events and helper messages cannot be kept")

    def _check_detection(self) -> None:
        """OCR and phrase-list problems, known before ``started`` is written (the worker
        finds the same ones again; they are not reported twice)."""
        try:
            from agent.detect import phrases  # noqa: PLC0415
            from agent.detect.ocr import check_tesseract  # noqa: PLC0415
            from agent.detect.readable import settings_langs  # noqa: PLC0415
            for problem in check_tesseract(self.settings.tess_langs()) + settings_langs(self.settings)[1]:
                self.degrade(f"ocr:{problem}", problem)
            for err in phrases.cached(None)[1]:
                self.degrade(f"phrases:{err}", str(err))
        except Exception as exc:  # noqa: BLE001 - the worker reports a broken detector itself
            log.error("cannot check the scam detector: %s", exc)

    def _write_status(self) -> None:
        """state/agent.json: on every state change and every few seconds (the heartbeat)."""
        if self._started and not self._stop.is_set():
            from agent import alive  # noqa: PLC0415
            agent_status.write(self.state, self._since, self.problems_now(), alive_every=alive.ALIVE_SECONDS,
                               worker_ok=time.monotonic() - self._ticked < alive.WORKER_STALE)

    def recover(self, part: str) -> None:
        with self._lock:
            if self._degraded.pop(part, None) is None:
                return
        self._refresh()

    def _platform_problems(self, problems: list[str]) -> None:
        """The backend's problems found while running (screen-watcher thread; Windows:
        silent WinEvent hooks): each one degrades the agent until the backend stops saying it."""
        with self._lock:
            gone = [k for k in self._degraded if k.startswith("platform:") and k[len("platform:"):] not in problems]
        for key in gone:
            self.recover(key)
        for p in problems:
            self.degrade(f"platform:{p}", p)

    def _error(self, part: str, exc: Exception) -> None:
        self.degrade(part, f"{part} watcher failed: {exc}", transient=True)

    def alert(self, key) -> None:
        """The worker found a scam or a remote tool (``key``: what it is about). Called
        before the event is written, so that whoever reads the event sees the alert state."""
        with self._lock:
            self._alert_on = (key, time.monotonic())
            self._alert_seen_open = False
        self._refresh()

    def scan_ok(self, key) -> None:
        with self._lock:
            if self._alert_on and self._alert_on[0] == key:
                self._alert_on = None
        self._refresh()

    def incident(self, event: dict) -> None:
        with self._lock:
            self._last_incident = event

    def tick(self) -> None:
        """Called by the worker about once a second: pause/alert expiry."""
        self._ticked = time.monotonic()
        with self._lock:
            due = self._paused_until is not None and time.monotonic() >= self._paused_until
        if due:
            # The event first, then the state: whoever sees "protecting" again finds the event.
            events.append("resumed", automatic=True)
            with self._lock:
                if self._paused_until is not None and time.monotonic() >= self._paused_until:
                    self._paused_until = None
        self._housekeeping()
        self._refresh()

    def _housekeeping(self) -> None:
        """Once soon after start, then once a day (worker thread): evidence past
        ``evidence.retention_days`` is removed (each with an ``evidence_expired`` event)."""
        now = time.monotonic()
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_SECONDS:
            return
        self._pruned_at = now
        prune = getattr(self.responder, "prune_evidence", None)
        if prune is None:
            return
        try:
            import contextlib  # noqa: PLC0415
            with self._tamper.expected() if self._tamper is not None else contextlib.nullcontext():
                prune()   # Vigie's own removals: not reported as tampering
        except Exception as exc:  # noqa: BLE001 - a full disk, a folder we cannot read
            log.warning("cannot remove old evidence: %s", exc)

    def _refresh(self) -> None:
        with self._lock:
            now = time.monotonic()
            open_now = self._alert_window_open()
            seen = self._alert_seen_open or open_now
            self._alert_seen_open = seen
            if self._alert_on and not open_now and (seen or now - self._alert_on[1] > ALERT_SECONDS):
                self._alert_on = None         # the alert is over: "protecting" again, not minutes of red
            if self._paused_until is not None:  # cleared by tick() once "resumed" is written
                new = "paused"
            elif self._alert_on or open_now:
                new = "alert"
            elif self.problems_now():
                new = "degraded"
            else:
                new = "protecting"
            changed, self._state = new != self._state, new
        if changed:
            self.state_changes.put(new)
            self._write_status()


    def _alert_window_open(self) -> bool:
        """True while the responder shows an alert: the tray says "alert" until the
        person has chosen, whatever a later read of the screen says."""
        try:
            return bool(self.responder is not None and getattr(self.responder, "alert_open", lambda: False)())
        except Exception:  # noqa: BLE001
            return False
