"""The agent: watcher threads feed one queue; one worker thread captures, detects,
records and responds (see ARCHITECTURE.md, "Threads").

``Agent`` methods are called from the main thread (``vigie run``, the tray); the
state is read from any thread and every change is also put on ``state_changes`` for
the tray. ``build()`` wires the real responder and helper notifier when they exist.
"""
from __future__ import annotations

import logging
import queue
import threading
import time

from agent import __version__, agent_status, events
from agent.agent_state import AgentState
from agent.live_settings import LiveSettings

log = logging.getLogger(__name__)
STATES = ("protecting", "paused", "alert", "degraded")


class Agent(LiveSettings, AgentState):
    """Made on the main thread (``build``); see the module's docstring for who calls what.
    Its parts: :mod:`agent.live_settings` (the settings file, tamper reports) and
    :mod:`agent.agent_state` (the state, the watchers' port)."""

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
