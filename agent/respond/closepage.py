""""Close this page for me": end the scam's tab where the browser allows, else its
browser, and keep the browser from reopening it.

1. The scam window is taken out of fullscreen (its keyboard lock ends with it) and gets
   Escape held down 2 s (ends a keyboard lock, closes a JS dialog) then Ctrl+W (XTest): the tab closes, or — a page with a ``beforeunload`` handler —
   the browser asks "Leave site?", whose default button leaves: Enter confirms it.
2. If the tab is still there, the browser's own processes end (``contain.close_browser``:
   not every program it started).
3. Once that browser has ended, its session-restore files are removed
   (:mod:`agent.respond.sessions`) so a fresh start does not show the page again.

Called from the alert window process (a worker thread of it, not Tk's); returns what was
done so the alert can tell the person.
"""
from __future__ import annotations

import logging
import time

from agent.respond import contain, sessions, takeback

log = logging.getLogger(__name__)
TAB_WAIT = 2.5          # seconds for the tab (or the "Leave site?" prompt) to go
BROWSER_END_WAIT = 4.0
ESC_HOLD = 2.2          # Chromium: "press and hold Esc" leaves a keyboard-locked fullscreen  # seconds for a browser whose last tab closed to exit by itself


def _gone(b, wid: int, title: str, timeout: float) -> bool:
    """True once ``wid`` is gone or shows another page than ``title``."""
    end = time.monotonic() + timeout
    while True:
        try:
            if not b.exists(wid):
                return True
            info = b.info(wid) if hasattr(b, "info") else None
            if title and info is not None and info.title and info.title != title:
                return True
        except Exception:  # noqa: BLE001 - gone meanwhile
            return True
        if time.monotonic() > end:
            return False
        time.sleep(0.1)


def close_tab(wid: int, title: str = "") -> bool:
    """Ctrl+W (then Enter for a "Leave site?" prompt) to the window. True if the page went."""
    b = takeback.backend()
    if b is None or not wid:
        return False
    try:
        if not b.exists(wid):
            return True
        info = b.info(wid) if hasattr(b, "info") else None
        title = info.title if info is not None and info.title else title   # as the window shows it now
        b.leave_fullscreen(wid)
        # Escape held down: ends the page's keyboard lock (which swallows Ctrl+W while the
        # browser still thinks it is fullscreen) and closes an open JS alert()
        b.press_keys(wid, ("Escape",), hold=ESC_HOLD)
        if not b.press_keys(wid, ("Control_L", "w")):
            return False
        if _gone(b, wid, title, TAB_WAIT):
            return True
        b.press_keys(wid, ("Return",))
        return _gone(b, wid, title, TAB_WAIT)
    except Exception as exc:  # noqa: BLE001 - no XTest, display gone: the browser is closed instead
        log.warning("the tab could not be closed: %s", exc)
        return False


def close_page(wid: int, pid: int, title: str = "") -> dict:
    """Close the scam page in window ``wid`` of browser process ``pid``. Returns
    ``{"ok", "how": "tab"|"browser"|"none", "browser_pid", "ended", "sessions_cleared"}``."""
    root = contain.browser_root(pid) if pid else None
    profile = sessions.profile_of(root) if root else None
    out = {"ok": False, "how": "none", "browser_pid": root, "ended": 0, "sessions_cleared": []}
    if close_tab(wid, title):
        out.update(ok=True, how="tab")
    elif root:
        r = contain.close_browser(root)
        out.update(ok=r["ok"], how="browser", ended=len(r["ended"]))
    if root:
        end = time.monotonic() + BROWSER_END_WAIT
        while contain.alive(root) and time.monotonic() < end:
            time.sleep(0.1)
        if not contain.alive(root):     # a running browser keeps its session file itself
            out["sessions_cleared"] = sessions.forget(profile)
    log.info("close page: %s", out)
    return out
