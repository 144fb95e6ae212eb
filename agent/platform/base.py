"""What every platform backend offers, and the pure geometry rules they share.

``WindowInfo`` is plain data (safe to pass between threads). A backend is any object
with the methods of :class:`Backend`; which one runs is chosen by
:func:`agent.platform.get`. Backend methods are called from the thread that uses
them (the window watcher, the worker); a backend keeps per-thread resources
(display connections, capture instances) itself.
"""
from __future__ import annotations

import ntpath
import posixpath
import time
from dataclasses import asdict, dataclass, field
from typing import Protocol, runtime_checkable

Rect = tuple[int, int, int, int]  # x, y, width, height

# A window this close to its monitor's edges (pixels) counts as covering it.
FULLSCREEN_TOLERANCE = 2


class PlatformUnavailable(RuntimeError):
    """The backend cannot work here (no display, missing library, no permission).
    The message says, in plain words, what is missing."""


@dataclass(frozen=True)
class WindowInfo:
    id: int
    title: str = ""
    pid: int | None = None
    process_name: str = ""
    exe: str = ""
    x: int = 0
    y: int = 0
    width: int = 0
    height: int = 0
    monitor: Rect = (0, 0, 0, 0)
    fullscreen: bool = False
    maximized: bool = False
    wm_class: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def rect(self) -> Rect:
        return (self.x, self.y, self.width, self.height)

    def to_json(self) -> dict:
        d = asdict(self)
        d.pop("extra", None)
        d["monitor"] = list(self.monitor)
        return d


@runtime_checkable
class Backend(Protocol):
    name: str

    def active_window(self) -> WindowInfo | None:
        """The window with the keyboard focus, or None (none, or not readable)."""

    def windows(self) -> list[WindowInfo]:
        """All top-level, visible application windows, front-most first where known."""

    def capture(self, window: WindowInfo | None = None):
        """A Pillow RGB image of the window's area (clipped to its monitor), or of the
        whole screen when ``window`` is None. Raises on failure (the caller logs once)."""

    def wait_for_change(self, timeout: float) -> bool:
        """Block up to ``timeout`` seconds until the active window, its title or its
        state may have changed; True if something changed. Event-driven where the OS
        allows it (X11, Windows hooks), else a short sleep. Called by the window-watcher thread only."""

    def problems(self) -> list[str]:
        """What stops this backend from working well (missing permission...), in plain words."""

    def close(self) -> None:
        """Release the calling thread's resources."""


class ApiBackend:
    """What the Windows and macOS backends share: every system call goes through one
    ``api`` object, created on first use by :meth:`make_api` (tests pass a fake one),
    ``sleep`` can be replaced (tests), ``_last_key`` is what ``wait_for_change`` last
    saw, and a capture is of the window's area clipped to its monitor."""

    def __init__(self, api=None, sleep=time.sleep):
        self._api = api
        self._sleep = sleep
        self._last_key = None

    def make_api(self):
        """The real api object; raises :class:`PlatformUnavailable` where it cannot work."""
        raise NotImplementedError

    @property
    def api(self):
        if self._api is None:
            self._api = self.make_api()
        return self._api

    def capture(self, window: WindowInfo | None = None):
        """See :meth:`Backend.capture`."""
        from agent.platform import capture  # noqa: PLC0415 - capture imports this module
        return capture.grab(None if window is None else clip(window.rect, window.monitor))

    def close(self) -> None:
        """Release the calling thread's capture."""
        from agent.platform import capture  # noqa: PLC0415
        capture.close()

    # -- taking the screen back: what a backend without window control answers --------
    def leave_fullscreen(self, wid: int) -> bool:
        """Take window ``wid`` out of fullscreen; False where the OS offers no way."""
        return False

    def is_fullscreen(self, wid: int) -> bool:
        return False

    def exists(self, wid: int) -> bool:
        return True

    def activate(self, wid: int) -> bool:
        return False

    def active_id(self) -> int:
        w = self.active_window()
        return w.id if w is not None else 0

    def stacking(self) -> list[int]:
        return []

    def clients_of(self, pid: int) -> list[int]:
        return []

    def client_in(self, frame: int) -> int:
        return frame

    def restack_below(self, wid: int, sibling: int) -> bool:
        return False

    def is_below(self, wid: int, other: int) -> bool:
        return True

    def press_keys(self, wid: int, keys: tuple[str, ...], wait: float = 1.5, hold: float = 0.0) -> bool:
        return False

    def own_areas(self, pids=()) -> list[Rect]:
        return []

    # -- what a page does (agent.platform.x11_behaviour on X11) --------------------------
    def keyboard_locked(self, wid: int) -> bool | None:
        """None: cannot tell. On Windows Chromium's Keyboard Lock is a low-level keyboard
        hook (``WH_KEYBOARD_LL``) in the browser process; Windows offers no way to list
        another process's hooks, and probing it would mean injecting keys. macOS: an
        event tap, equally invisible to another program."""
        return None

    def cursor_hidden(self, wid: int) -> bool | None:
        """None: cannot tell here."""
        return None


def intersection(a: Rect, b: Rect) -> int:
    """Area shared by two rectangles."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    w = min(ax + aw, bx + bw) - max(ax, bx)
    h = min(ay + ah, by + bh) - max(ay, by)
    return w * h if w > 0 and h > 0 else 0


def monitor_for(rect: Rect, monitors: list[Rect]) -> Rect:
    """The monitor that shows most of ``rect`` (the first one if none does)."""
    if not monitors:
        return (0, 0, 0, 0)
    return max(monitors, key=lambda m: intersection(rect, m)) if any(
        intersection(rect, m) for m in monitors) else monitors[0]


def covers(rect: Rect, monitor: Rect, tolerance: int = FULLSCREEN_TOLERANCE) -> bool:
    """True when the window covers its whole monitor (fullscreen/kiosk by geometry)."""
    x, y, w, h = rect
    mx, my, mw, mh = monitor
    if mw <= 0 or mh <= 0:
        return False
    return (x <= mx + tolerance and y <= my + tolerance
            and x + w >= mx + mw - tolerance and y + h >= my + mh - tolerance)


def nearly_maximized(rect: Rect, monitor: Rect, share: float = 0.85) -> bool:
    """True when the window fills at least ``share`` of its monitor in each direction."""
    _, _, w, h = rect
    _, _, mw, mh = monitor
    return mw > 0 and mh > 0 and w >= share * mw and h >= share * mh


def clip(rect: Rect, monitor: Rect) -> Rect:
    """``rect`` cut to ``monitor`` (what is actually visible); the monitor if nothing is."""
    x, y, w, h = rect
    mx, my, mw, mh = monitor
    left, top = max(x, mx), max(y, my)
    right, bottom = min(x + w, mx + mw), min(y + h, my + mh)
    if right <= left or bottom <= top:
        return monitor
    return (left, top, right - left, bottom - top)


def base_name(path_or_name: str) -> str:
    """File name of a Windows or POSIX path (``C:\\x\\AnyDesk.exe`` → ``AnyDesk.exe``)."""
    if not path_or_name:
        return ""
    return posixpath.basename(ntpath.basename(path_or_name))
