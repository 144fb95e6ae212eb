""""Close this page for me": end the scam's tab where the browser allows, else its
browser, and keep the browser from reopening it — in about a second where the browser
lets it (bench/closepage.py measures it).

1. The scam window gets Escape held down 1.7 s (XTest: ends a page's keyboard lock, which
   Chromium keeps after the window manager took the window out of fullscreen, and closes
   an open JS dialog), is taken out of fullscreen, then gets Ctrl+W: the tab closes, or —
   a page with a ``beforeunload`` handler — the browser asks "Leave site?", whose default
   button leaves: Enter confirms it.
2. If the page is still there, once more.
3. If the tab is still there, the browser's own processes end (``contain.close_browser``:
   not every program it started).
4. Once that browser has ended, its session-restore files are removed
   (:mod:`agent.respond.sessions`) so a fresh start does not show the page again. With
   ``later`` this waits in a thread of its own (appended to ``later``; it writes a
   ``sessions_cleared`` event): the page is gone, the person need not wait for it.

Called from the alert window process (a worker thread of it, not Tk's); returns what was
done so the alert can tell the person.
"""
from __future__ import annotations

import logging
import threading
import time

from agent import events
from agent.respond import contain, sessions, takeback

log = logging.getLogger(__name__)
FIRST_WAIT = 0.4        # seconds for the tab (or its "Leave site?" prompt) to go after Ctrl+W
TAB_WAIT = 1.5          # seconds for the tab to go once the prompt is answered
BROWSER_END_WAIT = 4.0  # seconds for a browser whose last tab closed to exit by itself
ESC_HOLD = 1.7          # Chromium: Esc held 1.5 s (kHoldEscapeTime) leaves a keyboard-locked fullscreen


def _gone(b, wid: int, title: str, timeout: float) -> bool:
    """True once ``wid`` is gone or shows another page than ``title``."""
    end = time.monotonic() + timeout
    while True:
        try:
            if not takeback.page_open(b, wid, title):
                return True
        except Exception:  # noqa: BLE001 - gone meanwhile
            return True
        if time.monotonic() > end:
            return False
        time.sleep(0.1)


def _windowed(b, wid: int, timeout: float = 0.5) -> bool:
    """Take ``wid`` out of fullscreen (its keyboard lock ends with it); True once the
    window manager says it is out (a page may re-request fullscreen a moment later)."""
    b.leave_fullscreen(wid)
    end = time.monotonic() + timeout
    while b.is_fullscreen(wid):
        if time.monotonic() > end:
            return False
        time.sleep(0.02)
    return True


def close_tab(wid: int, title: str = "") -> bool:
    """Escape held down, then Ctrl+W (and Enter for a "Leave site?" prompt) to the window;
    once more if the page is still there. True if the page went."""
    b = takeback.backend()
    if b is None or not wid:
        return False
    try:
        if not b.exists(wid):
            return True
        info = b.info(wid) if hasattr(b, "info") else None
        title = info.title if info is not None and info.title else title   # as the window shows it now
        for _attempt in range(2):
            # Escape held down: ends a keyboard lock (Chromium keeps its own fullscreen, and the
            # lock that swallows Ctrl+W, after the window manager took the window out of it)
            # and closes an open JS alert()
            b.press_keys(wid, ("Escape",), hold=ESC_HOLD)
            _windowed(b, wid)
            if not b.press_keys(wid, ("Control_L", "w")):
                return False
            if _gone(b, wid, title, FIRST_WAIT):
                return True
            if not b.is_fullscreen(wid):           # "Leave site?" (a locked fullscreen page would take Enter)
                b.press_keys(wid, ("Return",))
                if _gone(b, wid, title, TAB_WAIT):
                    return True
        return False
    except Exception as exc:  # noqa: BLE001 - no XTest, display gone: the browser is closed instead
        log.warning("the tab could not be closed: %s", exc)
        return False


def forget_sessions(root: int, profile) -> list:
    """Once browser ``root`` has ended (up to BROWSER_END_WAIT s), its session files removed."""
    end = time.monotonic() + BROWSER_END_WAIT
    while contain.alive(root) and time.monotonic() < end:
        time.sleep(0.1)
    if contain.alive(root):     # a running browser keeps its session file itself
        return []
    return sessions.forget(profile)


def close_page(wid: int, pid: int, title: str = "", later: list | None = None) -> dict:
    """Close the scam page in window ``wid`` of browser process ``pid``. Returns
    ``{"ok", "how": "tab"|"browser"|"none", "browser_pid", "ended", "sessions_cleared"}``
    (``sessions_cleared`` is None when ``later`` — a list — got the thread doing it)."""
    root = contain.browser_root(pid) if pid else None
    profile = sessions.profile_of(root) if root else None
    out = {"ok": False, "how": "none", "browser_pid": root, "ended": 0, "sessions_cleared": []}
    if close_tab(wid, title):
        out.update(ok=True, how="tab")
    elif root:
        r = contain.close_browser(root)
        out.update(ok=r["ok"], how="browser", ended=len(r["ended"]))
    if root and later is not None:
        def forget() -> None:
            events.append("sessions_cleared", browser_pid=root, files=forget_sessions(root, profile))
        t = threading.Thread(target=forget, name="vigie-forget-sessions", daemon=True)
        t.start()
        later.append(t)
        out["sessions_cleared"] = None
    elif root:
        out["sessions_cleared"] = forget_sessions(root, profile)
    log.info("close page: %s", out)
    return out
