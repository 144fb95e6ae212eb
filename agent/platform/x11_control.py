"""Acting on X11 windows (what the alert needs to take the screen back): leave
fullscreen, activate and raise, send a key press to a window, and find the areas that
Vigie's own windows and desktop notifications cover.

EWMH client messages go to the root window (the window manager acts on them); key
presses go through XTest to the focused window (Chromium ignores synthetic
``XSendEvent`` keys). Mixed into :class:`agent.platform.x11.X11Backend`; every method
uses the calling thread's display connection and returns False/[] when the window is
gone instead of raising.
"""
from __future__ import annotations

import time

OWN_CLASSES = {"vigie", "vigie-status"}     # Tk class names of Vigie's windows (exact: a
                                            # browser's class may hold a profile path)
NOTIFICATION_CLASSES = ("dunst", "notify-osd", "xfce4-notifyd", "mako", "notification-daemon")


class X11Control:
    """Needs ``_dpy()``, ``_atom()``, ``_prop()`` and ``info()`` from the backend."""

    def _client_message(self, wid: int, type_name: str, data: list[int]) -> bool:
        from Xlib import X  # noqa: PLC0415
        from Xlib.protocol import event  # noqa: PLC0415
        dpy = self._dpy()
        root = dpy.screen().root
        try:
            win = dpy.create_resource_object("window", wid)
            ev = event.ClientMessage(window=win, client_type=self._atom(dpy, type_name),
                                     data=(32, (data + [0] * 5)[:5]))
            root.send_event(ev, event_mask=X.SubstructureRedirectMask | X.SubstructureNotifyMask)
            dpy.flush()
            return True
        except Exception:  # noqa: BLE001 - BadWindow, display gone
            return False

    def leave_fullscreen(self, wid: int) -> bool:
        """Ask the window manager to take ``wid`` out of fullscreen (``_NET_WM_STATE``
        remove ``_FULLSCREEN``, source = pager so it is obeyed). True if the message went."""
        dpy = self._dpy()
        return self._client_message(wid, "_NET_WM_STATE", [0, self._atom(dpy, "_NET_WM_STATE_FULLSCREEN"), 0, 2])

    def is_fullscreen(self, wid: int) -> bool:
        """True while ``wid`` has ``_NET_WM_STATE_FULLSCREEN`` (the state, not the geometry)."""
        dpy = self._dpy()
        try:
            win = dpy.create_resource_object("window", wid)
        except Exception:  # noqa: BLE001
            return False
        return self._atom(dpy, "_NET_WM_STATE_FULLSCREEN") in set(self._prop(dpy, win, "_NET_WM_STATE") or ())

    def exists(self, wid: int) -> bool:
        """True while the client window ``wid`` is still managed (in ``_NET_CLIENT_LIST``)."""
        dpy = self._dpy()
        return wid in set(int(i) for i in (self._prop(dpy, dpy.screen().root, "_NET_CLIENT_LIST") or ()))

    def active_id(self) -> int:
        """The id in ``_NET_ACTIVE_WINDOW`` (0 when none)."""
        dpy = self._dpy()
        v = self._prop(dpy, dpy.screen().root, "_NET_ACTIVE_WINDOW")
        return int(v[0]) if v is not None and len(v) else 0

    def stacking(self) -> list[int]:
        """Managed client windows, bottom to top (``_NET_CLIENT_LIST_STACKING``)."""
        dpy = self._dpy()
        return [int(i) for i in (self._prop(dpy, dpy.screen().root, "_NET_CLIENT_LIST_STACKING") or ())]

    def clients_of(self, pid: int) -> list[int]:
        """Managed client windows whose ``_NET_WM_PID`` is ``pid``."""
        dpy = self._dpy()
        out = []
        for wid in self._prop(dpy, dpy.screen().root, "_NET_CLIENT_LIST") or ():
            v = self._prop(dpy, dpy.create_resource_object("window", int(wid)), "_NET_WM_PID")
            if v is not None and len(v) and int(v[0]) == pid:
                out.append(int(wid))
        return out

    def client_in(self, frame: int) -> int:
        """The managed client window inside the window manager's ``frame`` (Tk's ``wm
        frame``), or ``frame`` itself when it is managed or nothing matches."""
        dpy = self._dpy()
        clients = {int(i) for i in (self._prop(dpy, dpy.screen().root, "_NET_CLIENT_LIST") or ())}
        todo = [frame]
        while todo:
            wid = todo.pop(0)
            if wid in clients:
                return wid
            try:
                todo += [c.id for c in dpy.create_resource_object("window", wid).query_tree().children]
            except Exception:  # noqa: BLE001
                pass
        return frame

    def _top_of(self, wid: int) -> int:
        """The child of the root window that holds ``wid`` (Tk's wrapper, the WM frame)."""
        dpy = self._dpy()
        root = dpy.screen().root.id
        for _ in range(8):
            tree = dpy.create_resource_object("window", wid).query_tree()
            if tree.parent.id in (root, 0):
                return wid
            wid = tree.parent.id
        return wid

    def restack_below(self, wid: int, sibling: int) -> bool:
        """Put the unmanaged (override-redirect) window ``wid`` just below the top-level
        window holding ``sibling`` (its WM frame). True once the X server accepted it."""
        from Xlib import X, error  # noqa: PLC0415
        dpy = self._dpy()
        try:
            catch = error.CatchError(error.BadMatch, error.BadWindow, error.BadValue)
            dpy.create_resource_object("window", self._top_of(wid)).configure(
                sibling=dpy.create_resource_object("window", self._top_of(sibling)), stack_mode=X.Below,
                onerror=catch)
            dpy.sync()
            return catch.get_error() is None
        except Exception:  # noqa: BLE001 - a window went away meanwhile
            return False

    def is_below(self, wid: int, other: int) -> bool:
        """True when the top-level window holding ``wid`` is stacked below the one holding
        ``other`` (root's children are listed bottom to top)."""
        dpy = self._dpy()
        try:
            order = [c.id for c in dpy.screen().root.query_tree().children]
            return order.index(self._top_of(wid)) < order.index(self._top_of(other))
        except Exception:  # noqa: BLE001 - not mapped yet, gone
            return False

    def activate(self, wid: int) -> bool:
        """Raise ``wid`` and give it the keyboard focus (``_NET_ACTIVE_WINDOW``, source = pager)."""
        ok = self._client_message(wid, "_NET_ACTIVE_WINDOW", [2, 0, 0])
        try:
            dpy = self._dpy()
            dpy.create_resource_object("window", wid).raise_window()
            dpy.flush()
        except Exception:  # noqa: BLE001
            pass
        return ok

    def press_keys(self, wid: int, keys: tuple[str, ...], wait: float = 1.5, hold: float = 0.0) -> bool:
        """Activate ``wid`` and press the chord ``keys`` (keysym names, e.g. ``("Control_L",
        "w")``) through XTest, once ``wid`` has the focus (up to ``wait`` s), holding it down
        ``hold`` seconds. False if the window never took the focus."""
        from Xlib import X, XK  # noqa: PLC0415
        from Xlib.ext import xtest  # noqa: PLC0415
        dpy = self._dpy()
        end = time.monotonic() + wait
        self.activate(wid)
        while self.active_id() != wid:
            if time.monotonic() > end:
                return False
            time.sleep(0.05)
            self.activate(wid)
        codes = [dpy.keysym_to_keycode(XK.string_to_keysym(k)) for k in keys]
        if not all(codes):
            return False
        for c in codes:
            xtest.fake_input(dpy, X.KeyPress, c)
        if hold:
            dpy.sync()
            time.sleep(hold)
        for c in reversed(codes):
            xtest.fake_input(dpy, X.KeyRelease, c)
        dpy.sync()
        return True

    def own_areas(self, pids=()) -> list[tuple[int, int, int, int]]:
        """Screen rectangles to keep out of a capture: mapped top-level windows of the
        processes ``pids`` (Vigie's own windows) or of class ``Vigie``, and desktop
        notification pop-ups (override-redirect windows of a notification daemon or of
        type ``_NET_WM_WINDOW_TYPE_NOTIFICATION``)."""
        from Xlib import X  # noqa: PLC0415
        dpy = self._dpy()
        root = dpy.screen().root
        pids = {int(p) for p in pids if p}
        notif = self._atom(dpy, "_NET_WM_WINDOW_TYPE_NOTIFICATION")
        out = []
        try:
            children = root.query_tree().children
        except Exception:  # noqa: BLE001
            return []
        for top in children:
            try:
                attrs = top.get_attributes()
                if attrs.map_state != X.IsViewable:
                    continue
                g = top.get_geometry()
                cands = [top] + list(top.query_tree().children)   # the WM frame holds the client
            except Exception:  # noqa: BLE001 - closed meanwhile
                continue
            for w in cands:
                try:
                    classes = {c.lower() for c in (w.get_wm_class() or ())}
                except Exception:  # noqa: BLE001
                    classes = set()
                pid_v = self._prop(dpy, w, "_NET_WM_PID")
                types = set(self._prop(dpy, w, "_NET_WM_WINDOW_TYPE") or ())
                mine = (pid_v is not None and len(pid_v) and int(pid_v[0]) in pids) or bool(classes & OWN_CLASSES)
                popup = notif in types or bool(classes & set(NOTIFICATION_CLASSES))
                if mine or popup:
                    out.append((g.x, g.y, g.width, g.height))
                    break
        return out
