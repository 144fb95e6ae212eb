"""Reading Chromium's session file (``Sessions/Session_*``, formerly ``Current Session``):
the tabs open now, each with its current address and title. Pure file parsing (any
thread, any OS); the format is Chromium's own and undocumented, so every unreadable part
is skipped rather than raised.

The file is ``SNSS`` + a version (1 or 3; 2 and 4 are encrypted: not read), then
commands appended as the session changes: ``uint16 size``, ``uint8 id``, ``size-1`` bytes.
Used here: 0 SetTabWindow (window, tab), 2 SetTabIndexInWindow (tab, index),
6 UpdateTabNavigation (a pickle: tab, index, url, title...), 7 SetSelectedNavigationIndex
(tab, index), 8 SetSelectedTabInIndex (window, index), 16 TabClosed, 17 WindowClosed,
20 SetActiveWindow (window). Measured with Debian's Chromium: the address is written
~2.5 s after a page loads, its title is not (left empty), so the page in front is found
as the active window's selected tab.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

MAX_BYTES = 16 * 1024 * 1024          # a bigger file is not a session file we can afford to read
READABLE_VERSIONS = (1, 3)


@dataclass
class Tab:
    id: int
    window: int = 0
    index: int = 0                                   # position in its window
    navigations: dict = field(default_factory=dict)  # index → (url, title)
    selected: int | None = None                      # the current navigation

    @property
    def current(self) -> tuple[str, str]:
        if not self.navigations:
            return "", ""
        i = self.selected if self.selected in self.navigations else max(self.navigations)
        return self.navigations[i]


def _pickle_string(buf: bytes, pos: int, wide: bool) -> tuple[str, int]:
    (n,) = struct.unpack_from("<i", buf, pos)
    pos += 4
    size = n * 2 if wide else n
    if n < 0 or pos + size > len(buf):
        raise ValueError("string past the end")
    raw = buf[pos: pos + size]
    pos += (size + 3) & ~3
    return (raw.decode("utf-16-le", "replace") if wide else raw.decode("utf-8", "replace")), pos


def _navigation(payload: bytes) -> tuple[int, int, str, str]:
    """(tab, index, url, title) of an UpdateTabNavigation pickle."""
    tab, index = struct.unpack_from("<ii", payload, 4)     # after the pickle's uint32 size
    url, pos = _pickle_string(payload, 12, wide=False)
    title, _ = _pickle_string(payload, pos, wide=True)
    return tab, index, url, title


def commands(data: bytes):
    """(id, payload) of each command of a session file's bytes (none if not readable)."""
    if len(data) < 8 or data[:4] != b"SNSS" or struct.unpack_from("<i", data, 4)[0] not in READABLE_VERSIONS:
        return
    pos = 8
    while pos + 3 <= len(data):
        (size,) = struct.unpack_from("<H", data, pos)
        if size < 1 or pos + 2 + size > len(data):
            return                                        # a command still being written
        yield data[pos + 2], data[pos + 3: pos + 2 + size]
        pos += 2 + size


@dataclass
class Session:
    tabs: list                                    # the open tabs, in window order
    selected: dict = field(default_factory=dict)  # window → position of its selected tab
    active_window: int | None = None

    def front_tab(self) -> Tab | None:
        """The selected tab of the active window (of the only window when none is marked)."""
        windows = {t.window for t in self.tabs}
        window = self.active_window if self.active_window in windows else (
            next(iter(windows)) if len(windows) == 1 else None)
        mine = [t for t in self.tabs if t.window == window]
        pos = self.selected.get(window, 0)
        return mine[pos] if 0 <= pos < len(mine) else (mine[0] if len(mine) == 1 else None)


def tabs(data: bytes) -> list[Tab]:
    """The open tabs described by a session file's bytes, in window order."""
    return session(data).tabs


def session(data: bytes) -> Session:
    """The open tabs, selected tabs and active window of a session file's bytes."""
    found: dict[int, Tab] = {}
    closed_windows: set[int] = set()
    selected: dict[int, int] = {}
    active = None
    for cid, p in commands(data):
        try:
            if cid == 6:
                tab, index, url, title = _navigation(p)
                found.setdefault(tab, Tab(tab)).navigations[index] = (url, title)
            elif cid == 0 and len(p) >= 8:
                window, tab = struct.unpack_from("<ii", p)
                found.setdefault(tab, Tab(tab)).window = window
            elif cid == 2 and len(p) >= 8:
                tab, index = struct.unpack_from("<ii", p)
                found.setdefault(tab, Tab(tab)).index = index
            elif cid == 7 and len(p) >= 8:
                tab, index = struct.unpack_from("<ii", p)
                found.setdefault(tab, Tab(tab)).selected = index
            elif cid == 16 and len(p) >= 4:
                found.pop(struct.unpack_from("<i", p)[0], None)
            elif cid == 17 and len(p) >= 4:
                closed_windows.add(struct.unpack_from("<i", p)[0])
            elif cid == 8 and len(p) >= 8:
                window, index = struct.unpack_from("<ii", p)
                selected[window] = index
            elif cid == 20 and len(p) >= 4:
                active = struct.unpack_from("<i", p)[0]
        except (struct.error, ValueError):
            continue
    out = [t for t in found.values() if t.window not in closed_windows and t.navigations]
    return Session(sorted(out, key=lambda t: (t.window, t.index)), selected, active)


def newest_session_file(profile: Path) -> Path | None:
    """The session file Chromium writes now in ``profile`` (newest ``Sessions/Session_*``,
    else ``Current Session``), or None."""
    try:
        files = [p for p in (profile / "Sessions").glob("Session_*") if p.is_file()]
    except OSError:
        files = []
    if not files and (profile / "Current Session").is_file():
        files = [profile / "Current Session"]
    try:
        return max(files, key=lambda p: p.stat().st_mtime) if files else None
    except OSError:
        return None


def read_session(profile: Path) -> Session:
    """The session of a Chromium profile folder (no tabs when unreadable)."""
    path = newest_session_file(profile)
    try:
        if path is None or path.stat().st_size > MAX_BYTES:
            return Session([])
        return session(path.read_bytes())
    except OSError:
        return Session([])
