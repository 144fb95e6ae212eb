"""The address of the page a browser window shows, read from the browser's own
session-restore files (never from the network, never sent anywhere): Chromium-family
``Sessions/`` (:mod:`agent.watch.snss`), Firefox ``sessionstore-backups/recovery.jsonlz4``
(``mozLz40\\0`` + an LZ4 block, read with the ``lz4`` package). The profile is the one
the browser process was started with (:func:`agent.platform.browser_profiles.profile_of`).

The tab is the one whose title the window shows ("<page title> - Chromium"), else the
tab the browser marks as selected in its active window (Chromium does not write titles;
Firefox marks the selected tab of each window and the worker reads the active window). Browsers write these files a little after a page
loads (Chromium within ~3 s, Firefox every 15 s by default), so a page seen at once may
have no address yet: "" then. Called by the worker thread before a read; the parsed
file is kept until it changes (one ``stat`` a call).
"""
from __future__ import annotations

import json
import logging
import re
from pathlib import Path

from agent.log import Once
from agent.platform import browser_profiles
from agent.watch import snss

log = logging.getLogger(__name__)
_once = Once(600)
FIREFOX_RECOVERY = ("sessionstore-backups/recovery.jsonlz4", "sessionstore-backups/recovery.baklz4")
MOZLZ4_MAGIC = b"mozLz40\0"
MAX_BYTES = 32 * 1024 * 1024
MAX_URL = 2048
_cache: dict[str, tuple[tuple, list]] = {}


def mozlz4(data: bytes) -> bytes:
    """The content of a Firefox ``.jsonlz4``/``.mozlz4`` file; raises ValueError if not one."""
    if not data.startswith(MOZLZ4_MAGIC):
        raise ValueError("not a mozLz4 file")
    body = data[len(MOZLZ4_MAGIC):]                     # uint32 size, then the block
    if len(body) < 4 or int.from_bytes(body[:4], "little") > MAX_BYTES * 4:
        raise ValueError("a mozLz4 file of an impossible size")
    import lz4.block  # noqa: PLC0415
    try:
        return lz4.block.decompress(body)
    except lz4.block.LZ4BlockError as exc:
        raise ValueError(f"corrupt mozLz4 file: {exc}") from exc


def firefox_tabs(session: dict) -> list[tuple[str, str]]:
    """(url, title) of the current entry of every open tab of a Firefox session, the
    selected tab of each window first."""
    out = []
    for w in session.get("windows") or ():
        tabs = [t for t in (w.get("tabs") or ()) if isinstance(t, dict)]
        sel = int(w.get("selected") or 1) - 1
        order = ([tabs[sel]] if 0 <= sel < len(tabs) else []) + [t for i, t in enumerate(tabs) if i != sel]
        for t in order:
            entries = [e for e in (t.get("entries") or ()) if isinstance(e, dict)]
            if entries:
                e = entries[max(0, min(len(entries), int(t.get("index") or len(entries))) - 1)]
                out.append((str(e.get("url") or ""), str(e.get("title") or "")))
    return out


def _firefox_file(profile: Path) -> Path | None:
    for name in FIREFOX_RECOVERY:
        if (profile / name).is_file():
            return profile / name
    return None


def _read(path: Path, family: str) -> list[tuple[str, str]]:
    st = path.stat()
    key = (st.st_mtime_ns, st.st_size)
    hit = _cache.get(str(path))
    if hit and hit[0] == key:
        return hit[1]
    if st.st_size > MAX_BYTES:
        return []
    if family == "firefox":
        tabs = firefox_tabs(json.loads(mozlz4(path.read_bytes())))
    else:
        sess = snss.session(path.read_bytes())
        front = sess.front_tab()
        # the tab in front first: the fallback of match_title when no title matches
        tabs = ([front.current] if front else []) + [t.current for t in sess.tabs if t is not front]
    if len(_cache) > 8:
        _cache.clear()
    _cache[str(path)] = (key, tabs)
    return tabs


def open_tabs(family: str, profile: Path, since: float = 0.0) -> list[tuple[str, str]]:
    """(url, title) of the open tabs of a profile folder ([] when unreadable, or when the
    file was last written before ``since``: a file left by the browser's previous run)."""
    path = _firefox_file(profile) if family == "firefox" else snss.newest_session_file(profile)
    if path is None:
        return []
    try:
        if path.stat().st_mtime < since:
            return []
        return _read(path, family)
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        _once.warning(log, f"session:{family}", "cannot read the browser's session file %s: %s", path, exc)
        return []


def match_title(tabs: list[tuple[str, str]], window_title: str) -> str:
    """The address of the tab whose title the window shows (the longest title that starts
    the window's title); else the first tab (the browser's tab in front); "" for none."""
    best, size = "", 0
    for url, title in tabs:
        if title and window_title.startswith(title) and len(title) > size:
            best, size = url, len(title)
    return best or (tabs[0][0] if tabs else "")


def url_arguments(cmdline: list[str]) -> list[str]:
    """The addresses a browser was started with (``chromium --kiosk https://…``)."""
    return [a for a in cmdline[1:] if not a.startswith("-") and re.match(r"^[a-z][a-z0-9+.-]*:", a, re.I)
            and not re.match(r"^[a-z]:[\\/]", a, re.I)]


def _started(pid: int) -> tuple[float, list[str]]:
    """(start time, command line) of a process; (0, []) when unreadable."""
    try:
        import psutil  # noqa: PLC0415
        p = psutil.Process(pid)
        return p.create_time(), p.cmdline()
    except Exception:  # noqa: BLE001 - gone, denied
        return 0.0, []


def address_of(window) -> str:
    """The address of the page ``window`` (a browser's WindowInfo) shows, or "". Before the
    browser has written its session (its first seconds: a kiosk started with the scam's
    address), the one address it was started with."""
    if window is None or not window.pid:
        return ""
    profile = browser_profiles.profile_of(window.pid)
    if profile is None:
        return ""
    started, cmdline = _started(window.pid)
    tabs = open_tabs(profile.family, profile.path, since=started - 1.0 if started else 0.0)
    args = url_arguments(cmdline) if not tabs else []
    url = match_title(tabs, window.title or "") or (args[0] if len(args) == 1 else "")
    return url if len(url) <= MAX_URL else url[:MAX_URL] + "…"   # a data: page can be megabytes
