"""The clipboard guard: a web page putting a dangerous command in the clipboard (ClickFix).

:class:`ClipboardGuard` is a thread blocked in the platform clipboard's ``wait``
(X11: XFixes events, nothing polled). When a **browser** becomes the clipboard's owner,
it reads the text (what other programs copy is never read) and classifies it
(:func:`agent.detect.command.classify`). A dangerous command is replaced at once,
in this thread, by a harmless sentence in the user's language — before the person has
had time to press Win+R and Ctrl+V, and whatever the worker is busy with; on X11 this
thread then owns the CLIPBOARD and answers the pastes. Then a ``clickfix`` trigger goes
on the queue (the worker writes the event and calls ``Responder.on_clickfix``), and a
:class:`agent.watch.clickfix.FollowUp` watches, twice a second and only meanwhile,
for the Run box or a terminal in front and for the command being run.

Paused agent: nothing is read or replaced. ``clipboard.guard = false`` in the settings
turns the guard off (the agent does not start this thread).
"""
from __future__ import annotations

import logging
import threading
import time

from agent.detect.command import classify
from agent.log import Once
from agent.platform.base import PlatformUnavailable, base_name
from agent.watch.catalog import norm
from agent.watch.clickfix import FollowUp
from agent.watch.trigger import Trigger

log = logging.getLogger(__name__)
IDLE_WAKE_SECONDS = 1.0       # an idle guard looks at its stop flag this often
FOLLOW_SECONDS = 0.5          # while following up a dangerous copy: windows and processes
SAME_COMMAND_SECONDS = 120.0  # a page writing the same command again is replaced, not re-alerted
ERROR_BACKOFF_SECONDS = 5.0
MAX_COMMAND_CHARS = 4000      # kept in the trigger (the incident keeps it whole)
# programs that own the X11 clipboard on behalf of another (a Wayland compositor bridging
# its clipboard to XWayland): the window in front stands for the real owner
BRIDGES = {"gnome-shell", "kwin_wayland", "xwayland", "mutter", "weston", "sway", "hyprland", "labwc",
           "wayfire", "river", "mutter-x11-frames"}


def _open_for(backend):
    """The clipboard of the backend's platform (the fake desktop gets a fake clipboard)."""
    from agent import platform  # noqa: PLC0415
    from agent.platform import clipboard  # noqa: PLC0415
    return clipboard.create(getattr(backend, "name", None) or platform.choose())


def process_info(pid: int | None) -> tuple[dict, list[str]]:
    """(describe() of the process, names of its ancestors nearest first); blanks if gone."""
    if not pid:
        return {}, []
    import psutil  # noqa: PLC0415
    from agent.watch.processes import describe  # noqa: PLC0415
    try:
        proc = psutil.Process(pid)
        info = describe(proc)
        names = []
        for parent in proc.parents()[:5]:
            try:
                names.append(parent.name())
            except psutil.Error:
                break
        return info, names
    except (psutil.Error, OSError):
        return {}, []


class ClipboardGuard(threading.Thread):
    def __init__(self, catalog, settings, put, stop: threading.Event, backend=None, open_clipboard=None,
                 paused=lambda: False, on_error=None, clock=time.monotonic):
        super().__init__(name="vigie-clipboard", daemon=True)
        self.catalog, self.settings, self.put, self.stop_event = catalog, settings, put, stop
        self.backend = backend
        self.open_clipboard = open_clipboard or (lambda: _open_for(backend))
        self.paused = paused
        self.on_error = on_error or (lambda kind, exc: None)
        self.clock = clock
        self.follow: FollowUp | None = None
        self.ready = threading.Event()         # set once the clipboard is watched (tests)
        self._once = Once(600)
        self._last: tuple[str, float] | None = None
        self._harmless = None

    def harmless_text(self) -> str:
        if self._harmless is None:
            from agent.i18n import t  # noqa: PLC0415
            self._harmless = t("alert.clipboard_replaced", self.settings.lang())
        return self._harmless

    def run(self) -> None:
        try:
            clip = self.open_clipboard()
        except PlatformUnavailable as exc:
            log.warning("the clipboard guard cannot start: %s", exc)
            self.on_error("clipboard", exc)
            return
        self.ready.set()
        try:
            while not self.stop_event.is_set():
                try:
                    self.step(clip)
                except Exception as exc:  # noqa: BLE001 - display gone, library bug...
                    self._once.error(log, f"clipboard:{type(exc).__name__}", "clipboard guard failed: %s", exc)
                    self.on_error("clipboard", exc)
                    self.stop_event.wait(ERROR_BACKOFF_SECONDS)
                    clip = self._reopen(clip)
        finally:
            if clip is not None:
                clip.close()
            if self.backend is not None:
                try:
                    self.backend.close()        # this thread's display connection
                except Exception:  # noqa: BLE001
                    pass

    def _reopen(self, clip):
        """A fresh clipboard after a failure (the X connection may be dead); the old one
        if a new one cannot be had yet (tried again after the next failure)."""
        try:
            fresh = self.open_clipboard()
        except Exception as exc:  # noqa: BLE001 - PlatformUnavailable: the display is not back
            log.debug("clipboard not reopened yet: %s", exc)
            return clip
        if fresh is not clip:
            try:
                clip.close()
            except Exception:  # noqa: BLE001
                pass
        return fresh

    def step(self, clip) -> None:
        following = self.follow is not None and self.follow.active
        change = clip.wait(FOLLOW_SECONDS if following else IDLE_WAKE_SECONDS)
        if change is not None and not self.paused():
            self.on_change(clip, change)
        if self.follow is not None:
            if self.follow.active and not self.paused():
                self.look_around()
            elif not self.follow.active:
                self.follow = None

    # -- a new owner ------------------------------------------------------------------
    def _front(self):
        try:
            return self.backend.active_window() if self.backend is not None else None
        except Exception:  # noqa: BLE001 - the window closed meanwhile
            return None

    def _window_of(self, pid):
        """The browser's window: the one in front if it is the owner's, else the owner's
        front-most window (an alert or another program may be in front), else the front one."""
        front = self._front()
        if not pid or front is None or front.pid == pid:
            return front
        try:
            return next((w for w in self.backend.windows() if w.pid == pid), front)
        except Exception:  # noqa: BLE001
            return front

    def on_change(self, clip, change) -> Trigger | None:
        owner, _ = process_info(change.owner_pid)
        argv0 = (owner.get("cmdline") or [""])[0]
        browser = self.catalog.browser_for_process(owner.get("name", ""), base_name(owner.get("exe", "")),
                                                   base_name(argv0))
        window = None
        if not owner or norm(owner.get("name", "")) in BRIDGES:
            # owner unknown (macOS), or a compositor copying for a Wayland app: the window
            # in front stands for it
            window = self._front()
            browser = self.catalog.browser_of(window)
            owner = {"pid": getattr(window, "pid", None), "name": getattr(window, "process_name", ""),
                     "exe": getattr(window, "exe", ""), "cmdline": []}
        if not browser:
            return None        # a code editor, a terminal, an office program: not read at all
        text = clip.read_text(change)
        verdict = classify(text)
        if not verdict.dangerous:
            log.debug("%s copied text that is no dangerous command", browser)
            return None
        replaced = clip.replace(self.harmless_text())
        now = self.clock()
        if self._last and self._last[0] == text and now - self._last[1] < SAME_COMMAND_SECONDS:
            log.info("the page wrote the same command again; replaced again (%s)", replaced)
            return None
        self._last = (text, now)
        log.warning("a web page (%s) put a command in the clipboard; replaced: %s", browser, replaced)
        window = window or self._window_of(owner.get("pid"))
        details = {"stage": "copied", "command": text[:MAX_COMMAND_CHARS], "verdict": verdict.to_json(),
                   "browser": browser, "replaced": replaced}
        trig = Trigger("clickfix", window=window, process=owner, details=details)
        self.put(trig)
        try:
            import psutil  # noqa: PLC0415
            known = psutil.pids()
        except Exception:  # noqa: BLE001
            known = ()
        self.follow = FollowUp(text, {k: details[k] for k in ("command", "browser")},
                               front_id=getattr(window, "id", None), known_pids=known, clock=self.clock)
        return trig

    # -- after a dangerous copy ------------------------------------------------------------
    def look_around(self) -> None:
        """The Run box or a terminal in front, and new processes running the command."""
        follow = self.follow
        trig = follow.window(self._front())
        if trig is not None:
            self.put(trig)
        import psutil  # noqa: PLC0415
        pids = set(psutil.pids())
        new, follow.known = pids - follow.known, pids
        for pid in sorted(new):
            info, ancestors = process_info(pid)
            trig = follow.process(info, ancestors) if info else None
            if trig is not None:
                log.warning("the copied command was run: %s (pid %s) from %s", info.get("name"), pid,
                            trig.details["launcher"])
                self.put(trig)
                break
