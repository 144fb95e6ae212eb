"""The agent: watcher threads feed one queue; one worker thread captures, detects,
records and responds (see ARCHITECTURE.md, "Threads").

``Agent`` methods are called from the main thread (``vigie run``, the tray); the
state is read from any thread and every change is also put on ``state_changes`` for
the tray. ``build()`` wires the real responder and helper notifier when they exist.
"""
from __future__ import annotations

import dataclasses
import logging
import os
import queue
import threading
import time

from agent import __version__, agent_status, events

log = logging.getLogger(__name__)
ALERT_SECONDS = 30.0         # the tray says "alert" from the detection until the alert window is up (at
                             # most this long without one), then while it is open, and no longer
TRANSIENT_SECONDS = 60.0     # a passing failure keeps the agent "degraded" this long
PRUNE_SECONDS = 86400.0      # old evidence is looked for at start, then once a day
SETTINGS_POLL = 2.0          # the settings file is looked at (one stat) this often
STATES = ("protecting", "paused", "alert", "degraded")


class Agent:
    def __init__(self, settings, problems=(), responder=None, notifier=None, backend=None,
                 catalog=None, downloads_dir=None, clipboard=None):
        self.settings, self.problems = settings, list(problems)
        self.responder, self.notifier = responder, notifier
        self.state_changes: queue.Queue = queue.Queue()
        self.queue: queue.Queue = queue.Queue(maxsize=200)
        self._backend, self._catalog, self._downloads_dir = backend, catalog, downloads_dir
        self._clipboard = (lambda: clipboard) if clipboard is not None else None   # tests: a FakeClipboard
        self._stop = threading.Event()
        self._lock = threading.RLock()
        self._threads: list[threading.Thread] = []
        self._degraded: dict[str, tuple[str, float | None]] = {}
        self._paused_until: float | None = None
        self._alert_on: tuple[object, float] | None = None
        self._alert_seen_open = False              # the alert window of the current alert was seen open
        self._last_incident: dict | None = None
        self._state = "protecting"
        self._started = False
        self._stamp = self._settings_stamp()     # the settings file as these settings were read
        self._announced = False        # `started` written: new problems get a `degraded` event
        self._since = events.now_iso()
        self._pruned_at: float | None = None
        self._ticked = time.monotonic()     # the worker's last tick (a hung worker: not protecting)
        self._tamper = None                 # agent.tamper.TamperWatch once started
        from agent.watch.situation import Situation  # noqa: PLC0415
        self.situation = Situation()
        for p in self.problems:
            self._degraded[f"config:{p}"] = (str(p), None)

    # -- life cycle (main thread) ---------------------------------------------------
    def start(self) -> None:
        from agent import platform  # noqa: PLC0415
        from agent.watch import catalog as catalog_mod  # noqa: PLC0415
        from agent.watch.downloads import DownloadsWatcher  # noqa: PLC0415
        from agent.watch.processes import ProcessWatcher  # noqa: PLC0415
        from agent.watch.screen import ScreenRules, ScreenWatcher  # noqa: PLC0415
        from agent.watch.worker import Worker  # noqa: PLC0415
        if self._started:
            return
        self._started = True
        cat = self._catalog or catalog_mod.get()
        for p in cat.problems:
            self.degrade(f"catalog:{p}", p)
        from agent import config  # noqa: PLC0415
        for p in config.validate(self.settings):   # settings built in code; a loaded file is checked already
            self.degrade(f"config:{p}", str(p))
        self._check_data_dir()
        self._check_detection()
        try:   # incident folders a crash left half-written (older than 10 minutes)
            from agent.respond.evidence import store  # noqa: PLC0415
            store.clean_leftovers()
        except Exception as exc:  # noqa: BLE001
            log.warning("cannot clean the evidence folder: %s", exc)
        backend = self._backend
        if backend is None:
            try:
                backend = platform.get()
            except Exception as exc:  # noqa: BLE001 - PlatformUnavailable, broken library
                self.degrade("platform", str(exc))
        for p in (backend.problems() if backend is not None else ()):
            self.degrade("platform", p)
        from agent import settings_guard  # noqa: PLC0415
        settings, broken = settings_guard.checked(self.settings, self.problems)
        self._use(settings)     # a broken or deleted file: the helper's last good addresses
        from agent.tamper import TamperWatch  # noqa: PLC0415
        self._tamper = TamperWatch(self.report_tamper, self._stop)   # what is there before `started`
        # Before `started`: the run marker (crash or clean stop) is in place once it is written.
        if self.notifier is not None:
            try:
                self.notifier.start()
            except Exception as exc:  # noqa: BLE001
                log.error("helper notifications cannot start: %s", exc)
                self.degrade("notifier", f"helper notifications cannot start: {exc}")
        self._since = events.now_iso()
        problems = [d[0] for d in self._degraded.values()]
        events.append("started", version=__version__, platform=getattr(backend, "name", None),
                      problems=problems)
        if problems:
            events.append("degraded", problems=problems)
        self._announced = True
        self._write_status()
        if broken:
            self.report_tamper(broken, file=self.settings.source)
        put = self._put
        self._threads = [Worker(self, backend, self.queue, self._stop),
                         ProcessWatcher(cat, self.situation, self.settings, put, self._stop, on_error=self._error),
                         DownloadsWatcher(cat, self.settings, put, self._stop, folder=self._downloads_dir)]
        if backend is not None and not any(k == "platform" for k in self._degraded):
            rules = ScreenRules(cat, self.situation, self.settings.scan_interval_seconds)
            self._threads.append(ScreenWatcher(backend, rules, put, self._stop, on_error=self._error,
                                               on_problems=self._platform_problems))
        if self.settings.clipboard_guard:   # a web page copying a command to paste (ClickFix)
            from agent.watch.clipboard import ClipboardGuard  # noqa: PLC0415
            self._threads.append(ClipboardGuard(cat, self.settings, put, self._stop, backend=backend,
                                                open_clipboard=self._clipboard, paused=lambda: self.paused,
                                                on_error=self._error))
        from agent import alive  # noqa: PLC0415
        self._threads += [alive.Heartbeat(self._write_status, self._stop),
                          alive.DeadMan(lambda: self.settings, self._stop), self._tamper]
        for t in self._threads:
            t.start()
        from agent.gate import CodeWatch  # noqa: PLC0415 - the helper code file, kept while running
        self._code_watch = CodeWatch(lambda: self.settings, self.notifier)
        watch = threading.Thread(target=self._watch_settings, args=(self._stamp,), name="settings-watch",
                                 daemon=True)
        watch.start()
        self._threads.append(watch)
        self._refresh()

    # -- live settings and the helper outbox's health (the "settings-watch" thread) ----------
    def _settings_stamp(self):
        from agent import paths  # noqa: PLC0415
        try:
            st = os.stat(self.settings.source or paths.config_file())
            return st.st_mtime_ns, st.st_size
        except OSError:
            return None

    def _watch_settings(self, stamp) -> None:
        """Every ``SETTINGS_POLL`` s: reload the settings file when it changed since the
        agent was made (``vigie helper add``, ``vigie config``, an editor), and show the
        helper outbox's health, and keep the helper code file (:class:`agent.gate.CodeWatch`)."""
        while not self._stop.wait(SETTINGS_POLL):
            try:
                self._code_watch.check()
                now = self._settings_stamp()
                if now != stamp:
                    stamp = now
                    from pathlib import Path  # noqa: PLC0415
                    from agent import config  # noqa: PLC0415
                    from agent import settings_guard  # noqa: PLC0415
                    src = self.settings.source
                    loaded = config.load(Path(src) if src else None)
                    if settings_guard.unusable(*loaded) and not self._stop.wait(1.0):   # an editor still writing?
                        stamp = self._settings_stamp()
                        loaded = config.load(Path(src) if src else None)
                    self.apply_settings(*loaded)
                health = self.notifier.health() if self.notifier is not None else None
                if health:
                    self.degrade("helper_outbox", health)
                else:
                    self.recover("helper_outbox")
            except Exception as exc:  # noqa: BLE001 - never lose the watch
                log.error("settings watch: %s", exc)

    def apply_settings(self, settings, problems=()) -> None:
        """Use new settings from now on: the helper's channels and names at once. A change
        of the helper addresses or of a protective setting, a broken or deleted file, is
        told to the helper (old and new addresses). Any thread."""
        from agent import settings_guard  # noqa: PLC0415
        old = self.settings
        settings, broken = settings_guard.checked(settings, problems, old)
        self._use(settings)
        with self._lock:
            for key in [k for k in self._degraded if k.startswith("config:")]:
                del self._degraded[key]
            for p in problems:
                self._degraded[f"config:{p}"] = (str(p), None)
        changed = sorted(f.name for f in dataclasses.fields(settings) if f.name != "source"
                         and getattr(settings, f.name) != getattr(old, f.name))
        log.info("settings reloaded from %s; changed: %s", settings.source, ", ".join(changed) or "nothing")
        events.append("settings_changed", changed=changed, problems=[str(p) for p in problems])
        for what, channels, details in settings_guard.changes(old, settings, changed, broken):
            self.report_tamper(what, channels=channels, **details)
        self._refresh()

    def _use(self, settings) -> None:
        self.settings = settings
        if self.notifier is not None and hasattr(self.notifier, "use_settings"):
            self.notifier.use_settings(settings)
        if self.responder is not None:
            self.responder.settings = settings

    def report_tamper(self, what: str, channels=None, **details) -> None:
        """Something that keeps the protection going was changed (``what``: see
        ``agent/tamper.py``, ``settings_*``, ``helper_changed``, ``protection_changed``,
        ``lock_squatted``): the ``tampered`` event, then the helper's urgent message
        (to ``channels`` when the old addresses must hear too; with every address removed,
        to the last good ones). Any thread."""
        from agent import settings_guard  # noqa: PLC0415
        log.warning("tampered: %s %s", what, details)
        events.append("tampered", what=what, **details)
        if self.notifier is not None:
            self.notifier.notify("tampered", {"what": what, **details},
                                 channels=channels or settings_guard.channels(self.settings))

    def stop(self, timeout: float = 5.0) -> None:
        """Stop every thread (each within ``timeout``) and record ``stopped``."""
        if not self._started or self._stop.is_set():
            return
        self._stop.set()
        try:
            self.queue.put_nowait(_stop_trigger())
        except queue.Full:
            pass
        for t in self._threads:
            t.join(timeout)
        if self.notifier is not None:
            try:
                self.notifier.stop()
            except Exception as exc:  # noqa: BLE001
                log.error("helper notifications did not stop cleanly: %s", exc)
        events.append("stopped", still_running=[t.name for t in self._threads if t.is_alive()])
        agent_status.write("stopped", self._since)

    def report_stop(self, reason: str) -> None:
        """Someone stopped Vigie (not a log-out or shutdown): the event, the helper's
        message (sent by :meth:`stop` within its bound) and the dead-man's switch's
        ``/fail`` ping (3 s at most). Main thread (the signal handler), before ``stop()``."""
        from agent import settings_guard  # noqa: PLC0415
        events.append("stop_requested", reason=reason)
        if self.notifier is not None:   # every address removed first? the last good ones hear it
            self.notifier.notify("stopped", {"reason": reason}, channels=settings_guard.channels(self.settings))
        if self.settings.helper_watch_url:   # its own thread: a name look-up has no timeout
            from agent import alive  # noqa: PLC0415
            fail = threading.Thread(target=alive.ping, args=(self.settings.helper_watch_url, True, 3.0),
                                    name="vigie-deadman-fail", daemon=True)
            fail.start()
            fail.join(3.0)

    @property
    def running(self) -> bool:
        return self._started and not self._stop.is_set()

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

    def test_alert(self) -> bool:
        """Show a harmless sample alert through the responder (``trigger="test"``)."""
        from agent.platform.base import WindowInfo  # noqa: PLC0415
        from agent.watch.trigger import Trigger  # noqa: PLC0415
        verdict, image = sample_verdict(self.settings.lang())
        window = WindowInfo(id=0, title=verdict.text.splitlines()[0], process_name="vigie")
        events.append("test_alert")
        trig = Trigger("test", window=window, details={"verdict": verdict, "image": image})
        if self.running:
            self.queue.put(trig)
        elif self.responder is not None:
            self.responder.on_scam(verdict, image, window, "test")
        return self.responder is not None

    def last_incident(self) -> dict | None:
        """The last scam screen or remote tool event (with ``incident`` folder if any)."""
        with self._lock:
            return dict(self._last_incident) if self._last_incident else None

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


def _stop_trigger():
    from agent.watch.trigger import Trigger  # noqa: PLC0415
    return Trigger("stop")


def sample_verdict(lang: str):
    """A harmless made-up scam verdict and picture for ``test_alert``."""
    from PIL import Image, ImageDraw  # noqa: PLC0415
    from agent.detect.verdict import Signal, Verdict  # noqa: PLC0415
    from agent.i18n import t  # noqa: PLC0415
    text = t("agent.test_alert_text", lang)
    image = Image.new("RGB", (800, 450), (0, 90, 200))
    ImageDraw.Draw(image).multiline_text((40, 40), text, fill="white")
    verdict = Verdict("scam", "tss", 1.0, phones=["+1-800-555-0199"], phones_e164=["+18005550199"],
                      signals=[Signal("test", "tss", 1.0, "test")], lang=lang, text=text)
    return verdict, image


def build(settings, problems, backend=None) -> Agent:
    """The agent with the real helper notifier and responder (each optional)."""
    notifier = responder = None
    try:
        from agent.respond.helper.notifier import HelperNotifier  # noqa: PLC0415
        notifier = HelperNotifier(settings)
    except Exception as exc:  # noqa: BLE001 - not written yet, or broken
        log.warning("helper notifications are not available: %s", exc)
    try:
        from agent.respond.responder import Responder  # noqa: PLC0415
        responder = Responder(settings, notifier)
    except Exception as exc:  # noqa: BLE001
        log.warning("alerts are not available (events are still recorded): %s", exc)
    return Agent(settings, problems, responder=responder, notifier=notifier, backend=backend)
