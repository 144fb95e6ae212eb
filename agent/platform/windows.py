"""Windows backend: the foreground window, its rectangle against its monitor's, its
class (``Chrome_WidgetWin_1``, ``MozillaWindowClass``...) and process.

All Win32 calls go through :class:`Win32Api` (ctypes, created only on Windows); the
logic in :class:`WindowsBackend` is tested here against a faked api. Windows has no
fullscreen flag: a window whose rectangle equals its monitor's is fullscreen (F11,
kiosk, a page's requestFullscreen). Changes are noticed through WinEvent hooks
(:mod:`agent.platform.winhooks`: foreground, restore, move/resize and title of the
foreground window), started on the first ``wait_for_change``; if they cannot be set,
a cheap 0.5 s check of the foreground window, title and rectangle takes over. Hooks can
also be set and stay silent (a starved or dead hook thread; Wine raises none of these
events): a safety look every 2 s keeps the watcher seeing, and when it finds changes the
hooks did not report, the hooks are reported degraded and the 0.5 s check takes over.
Process names come from :mod:`agent.platform.winproc` (psutil, else the image path).
"""
from __future__ import annotations

import logging
import threading
import time

from agent.platform import winhooks, winproc
from agent.platform.base import ApiBackend, PlatformUnavailable, WindowInfo, base_name, covers
from agent.platform.win_behaviour import WinBehaviour
from agent.platform.win_control import WinControl

log = logging.getLogger(__name__)
POLL_SECONDS = 0.5
SAFETY_SECONDS = 2.0      # with hooks: look anyway after this long without an event
MISSES_TO_DEGRADE = 2     # changes the hooks did not report before they count as degraded
COALESCE_SECONDS = 0.05   # a drag sends dozens of moves a second: look once per burst
WM_QUIT, WM_USER, PM_NOREMOVE = 0x0012, 0x0400, 0x0000
SKIP_CLASSES = {"Progman", "WorkerW", "Shell_TrayWnd", "Shell_SecondaryTrayWnd"}


class Win32Api:  # pragma: no cover - needs Windows
    """The lowest-level calls, one method each; faked in tests."""

    def __init__(self):
        import ctypes  # noqa: PLC0415
        from ctypes import wintypes  # noqa: PLC0415
        try:
            self.user32 = ctypes.WinDLL("user32", use_last_error=True)
        except (OSError, AttributeError) as exc:
            raise PlatformUnavailable(f"user32.dll is not available: {exc}") from exc
        self.ct, self.wt = ctypes, wintypes
        w, u = wintypes, self.user32
        self.kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        # void CALLBACK WinEventProc(HWINEVENTHOOK, DWORD, HWND, LONG, LONG, DWORD, DWORD)
        self.proc_type = ctypes.WINFUNCTYPE(None, w.HANDLE, w.DWORD, w.HWND, w.LONG, w.LONG, w.DWORD, w.DWORD)
        u.SetWinEventHook.argtypes = [w.DWORD, w.DWORD, w.HMODULE, self.proc_type, w.DWORD, w.DWORD, w.DWORD]
        u.SetWinEventHook.restype = w.HANDLE
        u.UnhookWinEvent.argtypes, u.UnhookWinEvent.restype = [w.HANDLE], w.BOOL
        u.GetMessageW.argtypes, u.GetMessageW.restype = [ctypes.POINTER(w.MSG), w.HWND, w.UINT, w.UINT], w.BOOL
        u.PeekMessageW.argtypes = [ctypes.POINTER(w.MSG), w.HWND, w.UINT, w.UINT, w.UINT]
        u.PostThreadMessageW.argtypes = [w.DWORD, w.UINT, w.WPARAM, w.LPARAM]
        u.PostThreadMessageW.restype = w.BOOL
        self.kernel32.GetCurrentThreadId.restype = w.DWORD
        try:
            self.user32.SetProcessDPIAware()  # real pixels, so rectangles match captures
        except Exception:  # noqa: BLE001
            pass

    def foreground(self) -> int:
        return int(self.user32.GetForegroundWindow() or 0)

    def top_windows(self) -> list[int]:
        out: list[int] = []
        proto = self.ct.WINFUNCTYPE(self.wt.BOOL, self.wt.HWND, self.wt.LPARAM)
        self.user32.EnumWindows(proto(lambda h, _l: out.append(int(h)) or True), 0)
        return out

    def visible(self, hwnd: int) -> bool:
        return bool(self.user32.IsWindowVisible(hwnd)) and not self.user32.IsIconic(hwnd)

    def title(self, hwnd: int) -> str:
        buf = self.ct.create_unicode_buffer(512)
        self.user32.GetWindowTextW(hwnd, buf, 512)
        return buf.value

    def class_name(self, hwnd: int) -> str:
        buf = self.ct.create_unicode_buffer(256)
        self.user32.GetClassNameW(hwnd, buf, 256)
        return buf.value

    def rect(self, hwnd: int) -> tuple[int, int, int, int]:
        r = self.wt.RECT()
        self.user32.GetWindowRect(hwnd, self.ct.byref(r))
        return r.left, r.top, r.right, r.bottom

    def monitor_rect(self, hwnd: int) -> tuple[int, int, int, int]:
        class MONITORINFO(self.ct.Structure):
            _fields_ = [("cbSize", self.wt.DWORD), ("rcMonitor", self.wt.RECT),
                        ("rcWork", self.wt.RECT), ("dwFlags", self.wt.DWORD)]
        mon = self.user32.MonitorFromWindow(hwnd, 2)  # MONITOR_DEFAULTTONEAREST
        info = MONITORINFO()
        info.cbSize = self.ct.sizeof(MONITORINFO)
        self.user32.GetMonitorInfoW(mon, self.ct.byref(info))
        r = info.rcMonitor
        return r.left, r.top, r.right, r.bottom

    def pid(self, hwnd: int) -> int:
        pid = self.wt.DWORD()
        self.user32.GetWindowThreadProcessId(hwnd, self.ct.byref(pid))
        return int(pid.value)

    def zoomed(self, hwnd: int) -> bool:
        return bool(self.user32.IsZoomed(hwnd))

    def cursor_info(self) -> tuple[int, int, int, int]:
        """(flags, cursor handle, x, y) of ``GetCursorInfo``; OSError when it fails."""
        class CURSORINFO(self.ct.Structure):
            _fields_ = [("cbSize", self.wt.DWORD), ("flags", self.wt.DWORD), ("hCursor", self.wt.HANDLE),
                        ("ptScreenPos", self.wt.POINT)]
        info = CURSORINFO()
        info.cbSize = self.ct.sizeof(CURSORINFO)
        if not self.user32.GetCursorInfo(self.ct.byref(info)):
            raise OSError(self.ct.get_last_error(), "GetCursorInfo failed")
        return int(info.flags), int(info.hCursor or 0), int(info.ptScreenPos.x), int(info.ptScreenPos.y)

    # -- WinEvent hooks: called on the hook thread, except post_quit ---------------------
    def thread_id(self) -> int:
        return int(self.kernel32.GetCurrentThreadId())

    def make_queue(self) -> None:
        self.user32.PeekMessageW(self.ct.byref(self.wt.MSG()), None, WM_USER, WM_USER, PM_NOREMOVE)

    def win_event_callback(self, fn):
        return self.proc_type(fn)

    def set_win_event_hook(self, low: int, high: int, callback, flags: int) -> int:
        return int(self.user32.SetWinEventHook(low, high, None, callback, 0, 0, flags) or 0)

    def get_message(self) -> int:
        return int(self.user32.GetMessageW(self.ct.byref(self.wt.MSG()), None, 0, 0))

    def post_quit(self, thread_id: int) -> bool:
        return bool(self.user32.PostThreadMessageW(thread_id, WM_QUIT, 0, 0))

    def unhook(self, handle: int) -> bool:
        return bool(self.user32.UnhookWinEvent(handle))


class WindowsBackend(WinControl, WinBehaviour, ApiBackend):
    name = "windows"

    safety_seconds = SAFETY_SECONDS

    def __init__(self, api=None, process=None, sleep=time.sleep):
        super().__init__(api, sleep)
        self._process = process or winproc.describe
        self._looked = False
        self._looked_at = 0.0
        self._hooks: winhooks.WinEventHooks | None = None
        self._hooks_owner: int | None = None
        self._hooks_failed = False
        self._hooks_missed = 0
        self.hooks_degraded = False   # set (once) when the safety look saw what the hooks missed

    def make_api(self):
        return Win32Api()

    def info(self, hwnd: int) -> WindowInfo | None:
        if not hwnd:
            return None
        api = self.api
        try:
            left, top, right, bottom = api.rect(hwnd)
            ml, mt, mr, mb = api.monitor_rect(hwnd)
            pid = api.pid(hwnd)
            title, cls, zoomed = api.title(hwnd), api.class_name(hwnd), api.zoomed(hwnd)
        except OSError as exc:
            log.debug("window %s vanished: %s", hwnd, exc)
            return None
        rect = (left, top, right - left, bottom - top)
        monitor = (ml, mt, mr - ml, mb - mt)
        name, exe = self._process(pid) if pid else ("", "")
        return WindowInfo(id=hwnd, title=title, pid=pid or None, process_name=name or base_name(exe),
                          exe=exe, x=rect[0], y=rect[1], width=rect[2], height=rect[3],
                          monitor=monitor, fullscreen=covers(rect, monitor, tolerance=0) and not zoomed,
                          maximized=zoomed, wm_class=cls)

    def active_window(self) -> WindowInfo | None:
        return self.info(self.api.foreground())

    def windows(self) -> list[WindowInfo]:
        api = self.api
        out = []
        for hwnd in api.top_windows():
            if not api.visible(hwnd) or api.class_name(hwnd) in SKIP_CLASSES or not api.title(hwnd):
                continue
            info = self.info(hwnd)
            if info is not None:
                out.append(info)
        return out

    def _key(self):
        api = self.api
        hwnd = api.foreground()
        if not hwnd:
            return None
        try:
            return hwnd, api.title(hwnd), api.rect(hwnd)
        except OSError:
            return None

    def _hooks_running(self):
        """The WinEvent hooks, started on first use; None when they cannot work (logged once)."""
        if self._hooks is not None and self._hooks.alive:
            return self._hooks
        if self._hooks_failed:
            return None
        hooks, self._hooks = self._hooks, None
        if hooks is None:
            hooks = winhooks.WinEventHooks(self.api)
            if hooks.start():
                self._hooks, self._hooks_owner = hooks, threading.get_ident()
                return hooks
        hooks.stop()
        self._hooks_failed = True
        log.warning("WinEvent hooks unavailable (%s); checking the foreground window every %.1f s instead",
                    hooks.error or "unknown error", POLL_SECONDS)
        return None

    def wait_for_change(self, timeout: float) -> bool:
        """Wait for a WinEvent (foreground, restore, move/resize or title of the foreground
        window), or poll every 0.5 s without hooks; with hooks, look anyway every 2 s (the
        safety look). True when the foreground window, its title or rectangle changed.
        Window-watcher thread only."""
        end = time.monotonic() + timeout
        while True:
            hooks = self._hooks_running()
            now = time.monotonic()
            woken = hooks is not None and hooks.changed.is_set()
            safety = hooks is not None and now - self._looked_at >= self.safety_seconds
            look = hooks is None or self.hooks_degraded or not self._looked or woken or safety
            if hooks is not None and look:
                hooks.changed.clear()     # before looking: an event from now on wakes us
            if look:                      # with hooks, idle costs one look every 2 s
                first, self._looked, self._looked_at = not self._looked, True, now
                key = self._key()
                if key != self._last_key:
                    self._last_key = key
                    if hooks is not None and not woken and not first:
                        self._missed(key)
                    return True
            left = end - time.monotonic()
            if left <= 0:
                return False
            if hooks is None or self.hooks_degraded:
                self._sleep(min(POLL_SECONDS, left))
            elif hooks.changed.wait(min(left, max(0.0, self._looked_at + self.safety_seconds - time.monotonic()))):
                self._sleep(COALESCE_SECONDS)

    def _missed(self, key) -> None:
        """The safety look found a change no hook reported (window-watcher thread)."""
        self._hooks_missed += 1
        if self._hooks_missed >= MISSES_TO_DEGRADE and not self.hooks_degraded:
            self.hooks_degraded = True
            log.warning("WinEvent hooks are set but missed %d window changes (the last: %r); "
                        "checking the foreground window every %.1f s as well",
                        self._hooks_missed, key[1] if key else None, POLL_SECONDS)

    def problems(self) -> list[str]:
        try:
            self.api
        except PlatformUnavailable as exc:
            return [str(exc)]
        if self.hooks_degraded:
            return ["Windows does not report window changes to Vigie (WinEvent hooks silent); "
                    f"Vigie checks the front window every {POLL_SECONDS} s instead"]
        return []

    def close(self) -> None:
        """Release the calling thread's capture; the thread that waits for changes also
        stops the hook thread (a later ``wait_for_change`` starts it again)."""
        hooks = self._hooks
        if hooks is not None and self._hooks_owner == threading.get_ident():
            self._hooks, self._looked = None, False
            hooks.stop()
        super().close()
