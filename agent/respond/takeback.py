"""Taking the screen back from a scam page while the alert is open.

``ScreenHold`` is used by the alert window process (its Tk main thread calls ``check``
every 150 ms): the scam window leaves fullscreen each time it (re-)enters it, and when
anything else takes the keyboard focus or the top of the stack — a click on the page, a
JS dialog, a page re-requesting fullscreen — ``check`` says so, and the alert raises and
focuses itself again. Works through :mod:`agent.platform` (X11: EWMH messages; Windows
and macOS: what their backends offer, else nothing but the alert's own topmost flag).
"""
from __future__ import annotations

import logging
import time

log = logging.getLogger(__name__)


def backend():
    """The platform backend, or None where there is none (no display, unknown OS)."""
    try:
        from agent import platform  # noqa: PLC0415
        return platform.get()
    except Exception as exc:  # noqa: BLE001 - PlatformUnavailable, missing library
        log.warning("the screen cannot be taken back here: %s", exc)
        return None


def monitors(fallback: tuple[int, int, int, int]) -> list[tuple[int, int, int, int]]:
    """Every monitor's rectangle (``fallback`` — Tk's screen — when the backend cannot tell)."""
    b = backend()
    try:
        mons = list(b.monitors()) if b is not None and hasattr(b, "monitors") else []
    except Exception:  # noqa: BLE001
        mons = []
    return mons or [fallback]


class ScreenHold:
    """The scam window ``scam_id`` kept out of fullscreen and the alert ``own_id`` kept
    in front, focused. ``paused``: the alert no longer takes the front (while the page is
    being closed for the person, it must take the keys); the scam is still kept out of fullscreen."""

    def __init__(self, scam_id: int = 0):
        self.scam_id = int(scam_id or 0)
        self.own_id = 0
        self.paused = False
        self.unfullscreened = 0      # times the scam window was taken out of fullscreen
        self.retaken = 0             # times the alert had to take the front back
        self.lost_at: float | None = None
        self.b = backend()

    def release_scam(self) -> bool:
        """Take the scam window out of fullscreen if it is in it. True if it was."""
        if self.b is None or not self.scam_id:
            return False
        try:
            if self.b.is_fullscreen(self.scam_id):
                self.b.leave_fullscreen(self.scam_id)
                self.unfullscreened += 1
                return True
        except Exception as exc:  # noqa: BLE001 - display gone: the alert still shows
            log.warning("cannot take the page out of fullscreen: %s", exc)
        return False

    def scam_fullscreen(self) -> bool:
        try:
            return bool(self.b is not None and self.scam_id and self.b.is_fullscreen(self.scam_id))
        except Exception:  # noqa: BLE001
            return False

    def front_lost(self) -> bool:
        """True when the alert no longer has the focus or the top (the caller re-raises)."""
        if self.b is None or not self.own_id or self.paused:
            return False
        try:
            active = self.b.active_id()
            stack = self.b.stacking() if hasattr(self.b, "stacking") else []
        except Exception:  # noqa: BLE001
            return False
        top = stack[-1] if stack else self.own_id
        lost = active != self.own_id or top != self.own_id
        if lost and self.lost_at is None:
            self.lost_at = time.monotonic()
        return lost

    def take_front(self) -> float | None:
        """Activate the alert; returns how long it had been hidden (s), if it was."""
        if self.b is not None and self.own_id:
            try:
                self.b.activate(self.own_id)
            except Exception:  # noqa: BLE001
                pass
        lost, self.lost_at = self.lost_at, None
        if lost is None:
            return None
        self.retaken += 1
        return time.monotonic() - lost

    def check(self) -> bool:
        """One look (Tk main thread): release the scam, tell whether the front was lost
        (paused: the scam is still kept out of fullscreen, but may take the focus)."""
        self.release_scam()
        return False if self.paused else self.front_lost()


def page_open(b, wid: int, title: str = "") -> bool:
    """True while window ``wid`` exists and (with ``title``) still shows that page, in any
    state — fullscreen, maximised, normal or minimised. Raises what the backend raises."""
    if not b.exists(wid):
        return False
    info = b.info(wid) if hasattr(b, "info") else None
    return not (title and info is not None and info.title and info.title != title)


class PageWatch:
    """``page()`` is True while window ``wid`` still shows the page titled ``title``
    (any thread; ``close()`` releases that thread's display connection)."""

    def __init__(self, wid: int, title: str = ""):
        self.wid, self.title = int(wid or 0), title or ""
        self.b = backend() if self.wid else None

    def __call__(self) -> bool:
        if self.b is None:
            return True
        try:
            return page_open(self.b, self.wid, self.title)
        except Exception:  # noqa: BLE001 - display gone: keep the page silent
            return True

    def fullscreen(self) -> bool:
        try:
            return bool(self.b is not None and self.b.is_fullscreen(self.wid))
        except Exception:  # noqa: BLE001
            return False

    def close(self) -> None:
        if self.b is not None:
            try:
                self.b.close()
            except Exception:  # noqa: BLE001
                pass
