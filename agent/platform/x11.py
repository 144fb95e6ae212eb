"""X11 backend: EWMH properties read with python-xlib, changes by PropertyNotify.

Window info comes from ``_NET_ACTIVE_WINDOW``, ``_NET_CLIENT_LIST(_STACKING)``,
``_NET_WM_STATE`` (``_FULLSCREEN``, ``_MAXIMIZED_*``), ``_NET_WM_PID``, ``WM_CLASS`` and
``_NET_WM_NAME`` (~7 ms a window). Each thread gets its own Display connection (Xlib
connections are not thread-safe); nothing connects at import. :meth:`wait_for_change`
blocks on the connection's socket, so an idle desktop costs nothing.
"""
from __future__ import annotations

import logging
import os
import select
import threading
import time

from agent.log import Once
from agent.platform import capture
from agent.platform.base import PlatformUnavailable, Rect, WindowInfo, clip, covers, monitor_for
from agent.platform.x11_behaviour import X11Behaviour
from agent.platform.x11_control import X11Control

log = logging.getLogger(__name__)
_once = Once()
MONITOR_CACHE_SECONDS = 5.0
WATCHED_WINDOW_ATOMS = ("_NET_WM_STATE", "_NET_WM_NAME", "WM_NAME")
WATCHED_ROOT_ATOMS = ("_NET_ACTIVE_WINDOW", "_NET_CLIENT_LIST", "_NET_CLIENT_LIST_STACKING")


def process_of(pid: int | None) -> tuple[str, str]:
    """(name, executable path) of a process; blanks when it is gone or hidden."""
    if not pid:
        return "", ""
    try:
        import psutil  # noqa: PLC0415
        p = psutil.Process(pid)
        name = p.name()
        try:
            exe = p.exe()
        except (psutil.AccessDenied, psutil.ZombieProcess, OSError):
            exe = ""
        return name, exe
    except Exception:  # noqa: BLE001 - gone, denied, other user
        return "", ""


class X11Backend(X11Control, X11Behaviour):
    """Reading windows here; acting on them (leave fullscreen, activate, keys) in X11Control;
    what a page does (keyboard lock, hidden cursor) in X11Behaviour."""

    name = "x11"

    def __init__(self, display_name: str | None = None):
        self.display_name = display_name or os.environ.get("DISPLAY")
        self._local = threading.local()
        self._monitors: tuple[float, list[Rect]] = (0.0, [])
        self._watch: dict = {}

    # -- connections -------------------------------------------------------------
    def _connect(self):
        if not self.display_name:
            raise PlatformUnavailable("no X11 display (DISPLAY is not set)")
        try:
            from Xlib import X, display  # noqa: PLC0415
        except ImportError as exc:
            raise PlatformUnavailable("python-xlib is not installed (pip install python-xlib)") from exc
        try:
            dpy = display.Display(self.display_name)
        except Exception as exc:  # noqa: BLE001 - DisplayNameError, ConnectionError...
            raise PlatformUnavailable(f"cannot open the X11 display {self.display_name}: {exc}") from exc
        dpy.set_error_handler(lambda *a, **k: None)  # a window vanishing is normal
        return dpy, X

    def _dpy(self):
        dpy = getattr(self._local, "dpy", None)
        if dpy is None:
            dpy, _ = self._connect()
            self._local.dpy = dpy
            self._local.atoms = {}
        return dpy

    def _atom(self, dpy, name: str) -> int:
        atoms = self._local.atoms if dpy is getattr(self._local, "dpy", None) else self._watch.setdefault("atoms", {})
        if name not in atoms:
            atoms[name] = dpy.intern_atom(name)
        return atoms[name]

    def _prop(self, dpy, win, name: str, type_=0):
        try:
            p = win.get_full_property(self._atom(dpy, name), type_)
        except Exception:  # noqa: BLE001 - BadWindow: the window is gone
            return None
        return p.value if p is not None else None

    # -- queries -----------------------------------------------------------------
    def monitors(self) -> list[Rect]:
        stamp, mons = self._monitors
        if mons and time.monotonic() - stamp < MONITOR_CACHE_SECONDS:
            return mons
        dpy = self._dpy()
        root = dpy.screen().root
        mons = []
        try:
            if dpy.has_extension("RANDR"):
                for m in dpy.xrandr_get_monitors(root, is_active=True).monitors:
                    mons.append((m.x, m.y, m.width_in_pixels, m.height_in_pixels))
        except Exception:  # noqa: BLE001 - old servers: fall back to the root window
            mons = []
        if not mons:
            g = root.get_geometry()
            mons = [(0, 0, g.width, g.height)]
        self._monitors = (time.monotonic(), mons)
        return mons

    def info(self, wid: int) -> WindowInfo | None:
        """Everything about one client window, or None if it is gone."""
        dpy = self._dpy()
        try:
            win = dpy.create_resource_object("window", wid)
            geo = win.get_geometry()
            pos = win.translate_coords(dpy.screen().root, 0, 0)
        except Exception:  # noqa: BLE001 - BadWindow/BadDrawable: it closed meanwhile
            return None
        title = self._prop(dpy, win, "_NET_WM_NAME", self._atom(dpy, "UTF8_STRING"))
        if title is None:
            title = self._prop(dpy, win, "WM_NAME")
        if isinstance(title, bytes):
            title = title.decode("utf-8", "replace")
        pid_v = self._prop(dpy, win, "_NET_WM_PID")
        pid = int(pid_v[0]) if pid_v is not None and len(pid_v) else None
        try:
            cls = win.get_wm_class() or ()
        except Exception:  # noqa: BLE001
            cls = ()
        state_atoms = set(self._prop(dpy, win, "_NET_WM_STATE") or ())
        rect = (-pos.x, -pos.y, geo.width, geo.height)
        monitor = monitor_for(rect, self.monitors())
        by_state = self._atom(dpy, "_NET_WM_STATE_FULLSCREEN") in state_atoms
        maximized = {self._atom(dpy, "_NET_WM_STATE_MAXIMIZED_VERT"),
                     self._atom(dpy, "_NET_WM_STATE_MAXIMIZED_HORZ")} <= state_atoms
        name, exe = process_of(pid)
        return WindowInfo(id=wid, title=title or "", pid=pid, process_name=name, exe=exe,
                          x=rect[0], y=rect[1], width=rect[2], height=rect[3], monitor=monitor,
                          fullscreen=by_state or covers(rect, monitor), maximized=maximized,
                          wm_class=".".join(cls), extra={"fullscreen_state": by_state})

    def active_window(self) -> WindowInfo | None:
        dpy = self._dpy()
        value = self._prop(dpy, dpy.screen().root, "_NET_ACTIVE_WINDOW")
        wid = int(value[0]) if value is not None and len(value) else 0
        return self.info(wid) if wid else None

    def windows(self) -> list[WindowInfo]:
        dpy = self._dpy()
        root = dpy.screen().root
        ids = self._prop(dpy, root, "_NET_CLIENT_LIST_STACKING")
        ids = list(reversed(ids)) if ids is not None else list(self._prop(dpy, root, "_NET_CLIENT_LIST") or ())
        return [w for w in (self.info(int(i)) for i in ids) if w is not None]

    def capture(self, window: WindowInfo | None = None):
        if window is None:
            return capture.grab(None)
        return capture.grab(clip(window.rect, window.monitor))

    def problems(self) -> list[str]:
        try:
            self._dpy()
        except PlatformUnavailable as exc:
            return [str(exc)]
        return []

    # -- events ------------------------------------------------------------------
    def _watch_select(self, dpy, X, wid: int) -> None:
        """Listen to the new active window's state/title/geometry (and not the old one's)."""
        old = self._watch.get("active")
        if old and old != wid:
            try:
                dpy.create_resource_object("window", old).change_attributes(event_mask=0)
            except Exception:  # noqa: BLE001
                pass
        if wid:
            try:
                dpy.create_resource_object("window", wid).change_attributes(
                    event_mask=X.PropertyChangeMask | X.StructureNotifyMask)
            except Exception:  # noqa: BLE001
                pass
        self._watch["active"] = wid

    def wait_for_change(self, timeout: float) -> bool:
        w = self._watch
        if "dpy" not in w:
            dpy, X = self._connect()
            w.update(dpy=dpy, X=X, atoms={}, thread=threading.get_ident())
            root = dpy.screen().root
            root.change_attributes(event_mask=X.PropertyChangeMask)
            w["root_atoms"] = {self._atom(dpy, a) for a in WATCHED_ROOT_ATOMS}
            w["win_atoms"] = {self._atom(dpy, a) for a in WATCHED_WINDOW_ATOMS}
            active = self._prop(dpy, root, "_NET_ACTIVE_WINDOW")
            self._watch_select(dpy, X, int(active[0]) if active is not None and len(active) else 0)
            dpy.flush()
            return True
        dpy, X = w["dpy"], w["X"]
        if not dpy.pending_events():
            ready, _, _ = select.select([dpy.fileno()], [], [], max(0.0, timeout))
            if not ready:
                return False
        changed = False
        while dpy.pending_events():
            ev = dpy.next_event()
            if ev.type == X.PropertyNotify:
                if ev.window == dpy.screen().root and ev.atom in w["root_atoms"]:
                    changed = True
                    if ev.atom == self._atom(dpy, "_NET_ACTIVE_WINDOW"):
                        active = self._prop(dpy, dpy.screen().root, "_NET_ACTIVE_WINDOW")
                        self._watch_select(dpy, X, int(active[0]) if active is not None and len(active) else 0)
                elif ev.atom in w["win_atoms"]:
                    changed = True
            elif ev.type in (X.ConfigureNotify, X.DestroyNotify, X.UnmapNotify, X.MapNotify):
                changed = True
        dpy.flush()
        return changed

    def close(self) -> None:
        """Release the calling thread's connection and capture (and the watch connection
        when called by the thread that watches)."""
        dpy = getattr(self._local, "dpy", None)
        self._local.dpy = None
        mine = self._watch.get("thread") == threading.get_ident()
        for d in (dpy, self._watch.pop("dpy", None) if mine else None):
            if d is not None:
                try:
                    d.close()
                except Exception:  # noqa: BLE001
                    pass
        if mine:
            self._watch.clear()
        capture.close()
