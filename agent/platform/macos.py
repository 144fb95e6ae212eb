"""macOS backend: Quartz ``CGWindowListCopyWindowInfo`` for windows, NSWorkspace for
the frontmost application, and the screen-recording permission check (without it
macOS hides window titles and captures show only the wallpaper).

All system calls go through :class:`QuartzApi` (pyobjc, created only on macOS); the
logic in :class:`MacBackend` is tested against a faked api. A window whose bounds equal
its display's is fullscreen. Changes are noticed by a 0.5 s check of the front window.
"""
from __future__ import annotations

import logging
import time

from agent.i18n import t
from agent.platform.base import ApiBackend, PlatformUnavailable, WindowInfo, covers, monitor_for, nearly_maximized

log = logging.getLogger(__name__)
POLL_SECONDS = 0.5


class QuartzApi:  # pragma: no cover - needs macOS
    """The lowest-level calls, one method each; faked in tests."""

    def __init__(self):
        try:
            import AppKit  # noqa: PLC0415
            import Quartz  # noqa: PLC0415
        except ImportError as exc:
            raise PlatformUnavailable("pyobjc is missing (pip install pyobjc-framework-Quartz)") from exc
        self.Q, self.AppKit = Quartz, AppKit

    def window_list(self) -> list[dict]:
        Q = self.Q
        opts = Q.kCGWindowListOptionOnScreenOnly | Q.kCGWindowListExcludeDesktopElements
        return [dict(w) for w in (Q.CGWindowListCopyWindowInfo(opts, Q.kCGNullWindowID) or [])]

    def displays(self) -> list[tuple[int, int, int, int]]:
        Q = self.Q
        err, ids, count = Q.CGGetActiveDisplayList(16, None, None)
        out = []
        for d in ids[:count]:
            b = Q.CGDisplayBounds(d)
            out.append((int(b.origin.x), int(b.origin.y), int(b.size.width), int(b.size.height)))
        return out

    def frontmost_pid(self) -> int:
        app = self.AppKit.NSWorkspace.sharedWorkspace().frontmostApplication()
        return int(app.processIdentifier()) if app else 0

    def screen_capture_allowed(self) -> bool:
        fn = getattr(self.Q, "CGPreflightScreenCaptureAccess", None)
        return bool(fn()) if fn else True  # before 10.15 there was no such permission


def _exe(pid: int) -> str:
    try:
        import psutil  # noqa: PLC0415
        return psutil.Process(pid).exe()
    except Exception:  # noqa: BLE001
        return ""


class MacBackend(ApiBackend):
    name = "macos"

    def __init__(self, api=None, exe_of=_exe, sleep=time.sleep):
        super().__init__(api, sleep)
        self._exe_of = exe_of

    def make_api(self):
        return QuartzApi()

    def _info(self, w: dict, displays) -> WindowInfo:
        b = w.get("kCGWindowBounds") or {}
        rect = (int(b.get("X", 0)), int(b.get("Y", 0)), int(b.get("Width", 0)), int(b.get("Height", 0)))
        monitor = monitor_for(rect, displays)
        pid = int(w.get("kCGWindowOwnerPID") or 0) or None
        owner = str(w.get("kCGWindowOwnerName") or "")
        full = covers(rect, monitor, tolerance=0)
        return WindowInfo(id=int(w.get("kCGWindowNumber") or 0), title=str(w.get("kCGWindowName") or ""),
                          pid=pid, process_name=owner, exe=self._exe_of(pid) if pid else "",
                          x=rect[0], y=rect[1], width=rect[2], height=rect[3], monitor=monitor,
                          fullscreen=full, maximized=not full and nearly_maximized(rect, monitor),
                          wm_class=owner)

    def windows(self) -> list[WindowInfo]:
        """Normal windows (layer 0), front to back as Quartz lists them."""
        api = self.api
        displays = api.displays()
        return [self._info(w, displays) for w in api.window_list()
                if int(w.get("kCGWindowLayer", 0)) == 0 and w.get("kCGWindowBounds")]

    def active_window(self) -> WindowInfo | None:
        pid = self.api.frontmost_pid()
        return next((w for w in self.windows() if w.pid == pid), None)

    def wait_for_change(self, timeout: float) -> bool:
        end = time.monotonic() + timeout
        while True:
            w = self.active_window()
            key = w and (w.id, w.title, w.rect)
            if key != self._last_key:
                self._last_key = key
                return True
            left = end - time.monotonic()
            if left <= 0:
                return False
            self._sleep(min(POLL_SECONDS, left))

    def problems(self, lang: str | None = None) -> list[str]:
        """The missing screen-recording permission, in ``lang`` (default: the session's
        language), or why pyobjc cannot work."""
        try:
            if not self.api.screen_capture_allowed():
                return [t("agent.mac_screen_recording", lang)]
        except PlatformUnavailable as exc:
            return [str(exc)]
        return []
