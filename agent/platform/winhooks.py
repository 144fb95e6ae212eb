"""WinEvent hooks for the Windows backend: the system tells us when the foreground
window changes, is restored, moves/resizes or is renamed, so idle costs nothing.

:class:`WinEventHooks` owns one daemon thread ("vigie-winevents") that sets
out-of-context hooks (``SetWinEventHook`` with ``WINEVENT_OUTOFCONTEXT |
WINEVENT_SKIPOWNPROCESS``) and runs a ``GetMessageW`` loop; Windows calls the hook
function on that thread, inside ``GetMessageW``. The hook function only sets
:attr:`WinEventHooks.changed`; the window-watcher thread waits on it. Only window
objects count (``idObject == OBJID_WINDOW``), and a move or a new title only when it
is the foreground window's, so caret and cursor moves or background windows wake
nobody.

Every Win32 call goes through the backend's ``Win32Api`` (one thin method each), so
this logic is tested against a faked api. ``UnhookWinEvent`` must be called by the
thread that set the hooks: :meth:`WinEventHooks.stop` posts ``WM_QUIT`` to that thread,
which leaves its loop and unhooks.
"""
from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)

# winuser.h (learn.microsoft.com: "Event Constants", "SetWinEventHook", "Object Identifiers")
EVENT_SYSTEM_FOREGROUND = 0x0003
EVENT_SYSTEM_MINIMIZEEND = 0x0017
EVENT_OBJECT_LOCATIONCHANGE = 0x800B
EVENT_OBJECT_NAMECHANGE = 0x800C
WINEVENT_OUTOFCONTEXT = 0x0000
WINEVENT_SKIPOWNPROCESS = 0x0002
OBJID_WINDOW = 0
FLAGS = WINEVENT_OUTOFCONTEXT | WINEVENT_SKIPOWNPROCESS
# one hook per range: a single 0x0003..0x0017 range would also bring menus, drags...
RANGES = ((EVENT_SYSTEM_FOREGROUND, EVENT_SYSTEM_FOREGROUND),
          (EVENT_SYSTEM_MINIMIZEEND, EVENT_SYSTEM_MINIMIZEEND),
          (EVENT_OBJECT_LOCATIONCHANGE, EVENT_OBJECT_NAMECHANGE))
START_SECONDS = 5.0
STOP_SECONDS = 2.0


class WinEventHooks:
    """The hook thread. ``start``/``stop`` are called by the window-watcher thread;
    ``changed`` is set by the hook thread and waited on (and cleared) by the watcher."""

    def __init__(self, api):
        self.api = api
        self.changed = threading.Event()
        self.error: str | None = None
        self._ready = threading.Event()
        self._ok = False
        self._abandoned = False
        self._loop_ended = False
        self._thread: threading.Thread | None = None
        self._thread_id = 0
        self._callback = None   # the ctypes callback: must live as long as the hooks
        self._foreground = 0
        self.handles: list[int] = []

    @property
    def alive(self) -> bool:
        """True while the hooks are set and the message loop runs."""
        return self._ok and not self._loop_ended and self._thread is not None and self._thread.is_alive()

    def start(self, timeout: float = START_SECONDS) -> bool:
        """Start the hook thread and wait until its hooks are set; False (with
        ``error``) when they could not be. Window-watcher thread."""
        self._thread = threading.Thread(target=self._run, name="vigie-winevents", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            self._abandoned = True        # if it starts later, it unhooks and ends at once
            self.error = "the WinEvent hook thread did not start"
            return False
        return self._ok

    def stop(self, timeout: float = STOP_SECONDS) -> None:
        """Post WM_QUIT to the hook thread (it unhooks, then ends) and wait for it.
        Window-watcher thread; never raises."""
        t = self._thread
        if t is None or not t.is_alive():
            return
        try:
            if not self.api.post_quit(self._thread_id):
                log.warning("could not ask the WinEvent hook thread to stop")
        except Exception as exc:  # noqa: BLE001
            log.warning("could not ask the WinEvent hook thread to stop: %s", exc)
        t.join(timeout)

    # -- the hook thread ---------------------------------------------------------------
    def _on_event(self, _hook, event, hwnd, id_object, _id_child, _thread, _ms) -> None:
        """The hook function (hook thread, inside GetMessageW): cheap, never raises."""
        try:
            if id_object != OBJID_WINDOW:
                return
            hwnd = int(hwnd or 0)
            if event == EVENT_SYSTEM_FOREGROUND:
                self._foreground = hwnd
            elif event in (EVENT_OBJECT_LOCATIONCHANGE, EVENT_OBJECT_NAMECHANGE) and hwnd != self._foreground:
                return
            self.changed.set()
        except Exception:  # noqa: BLE001 - an exception must not cross back into user32
            self.changed.set()

    def _run(self) -> None:
        api = self.api
        try:
            self._thread_id = api.thread_id()
            api.make_queue()            # so that WM_QUIT can be posted to this thread at once
            self._foreground = int(api.foreground() or 0)
            self._callback = api.win_event_callback(self._on_event)
            for low, high in RANGES:
                handle = api.set_win_event_hook(low, high, self._callback, FLAGS)
                if not handle:
                    raise OSError(f"SetWinEventHook({low:#06x}..{high:#06x}) returned 0")
                self.handles.append(handle)
            self._ok = not self._abandoned
        except Exception as exc:  # noqa: BLE001 - no user32, refused hook, ctypes error
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self._ready.set()
        try:
            while self._ok:
                got = api.get_message()   # hook functions run inside this call
                if got == 0:              # WM_QUIT
                    break
                if got < 0:
                    self.error = "GetMessageW failed"
                    break
        except Exception as exc:  # noqa: BLE001
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self._loop_ended = True
            for handle in self.handles:
                try:
                    api.unhook(handle)
                except Exception as exc:  # noqa: BLE001
                    log.debug("UnhookWinEvent(%s) failed: %s", handle, exc)
            self.handles = []
            self.changed.set()            # wake the watcher: it falls back to polling
