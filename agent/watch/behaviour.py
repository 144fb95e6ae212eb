"""What the page in front does, observed just before its screen is read (worker thread):
the page holding the keyboard, the browser playing sound while fullscreen, the pointer
hidden over it, how many times its window entered fullscreen (counted by
:class:`agent.watch.screen.ScreenRules`), and its address from the browser's session
files (:mod:`agent.watch.page_address`). The result is plain data
(:class:`agent.detect.behaviour.Behaviour`) handed to the detector, which knows no screen.

Which parts each system can see (None = cannot tell):
- X11: keyboard lock (a refused grab of Escape), hidden cursor (XFixes), sound (PulseAudio).
- Windows: sound (audio sessions); keyboard lock: no (Chromium's low-level hook cannot be
  seen by another program); hidden cursor: not yet.
- macOS: none of them (no per-application audio view; keyboard lock is an event tap).
- Every system: the address (session files), fullscreen re-entries.
Cost: a grab/ungrab round trip, a cursor query, one sound-server query and one ``stat`` of
the session file (parsed again only when it changed) — a few milliseconds.
"""
from __future__ import annotations

import logging

from agent.detect.behaviour import Behaviour
from agent.platform import sound
from agent.watch import page_address

log = logging.getLogger(__name__)


def _ask(backend, name: str, wid: int) -> bool | None:
    fn = getattr(backend, name, None)
    if fn is None:
        return None
    try:
        return fn(wid)
    except Exception as exc:  # noqa: BLE001 - a backend that fails says nothing
        log.debug("%s failed: %s", name, exc)
        return None


def process_tree(pid: int | None) -> set[int]:
    """``pid`` and its descendants (a browser's renderers and audio service)."""
    if not pid:
        return set()
    try:
        import psutil  # noqa: PLC0415
        top = psutil.Process(pid)
        return {pid} | {p.pid for p in top.children(recursive=True)}
    except Exception:  # noqa: BLE001 - gone, denied
        return {pid}


def observe(backend, window, details: dict | None = None) -> Behaviour | None:
    """What ``window`` (the WindowInfo about to be read) is seen doing; None without one.
    ``details``: the trigger's (``fullscreen_entries``, ``browser``)."""
    if window is None:
        return None
    details = details or {}
    full = bool(window.fullscreen)
    address = ""
    if details.get("browser"):
        try:
            address = page_address.address_of(window)
        except Exception as exc:  # noqa: BLE001 - never lose a read for want of an address
            log.debug("page address: %s", exc)
    return Behaviour(
        keyboard_lock=_ask(backend, "keyboard_locked", window.id) if full else None,
        audio=sound.playing(process_tree(window.pid)) if full else None,
        cursor_hidden=_ask(backend, "cursor_hidden", window.id),
        fullscreen_entries=int(details.get("fullscreen_entries") or 0),
        page_url=address,
    )
