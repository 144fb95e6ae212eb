"""The X11 CLIPBOARD with python-xlib: who owns it, what it holds, and taking it over.

- **Who**: XFixes ``SetSelectionOwnerNotify`` events on CLIPBOARD (the X server tells
  us; nothing is polled, an idle desktop costs nothing). The owner window's process is
  its ``_NET_WM_PID``, else the X-Resource extension's client pid (Chromium's
  clipboard window has no ``_NET_WM_PID``), else the pid of a top-level window of the
  same X client.
- **What**: a ``ConvertSelection`` to ``UTF8_STRING`` (``STRING`` for old programs)
  into a property of our own small unmapped window, read when ``SelectionNotify``
  comes; large texts sent in ``INCR`` chunks are read up to :data:`MAX_BYTES`.
- **Taking over**: ``replace(text)`` makes our window the CLIPBOARD owner (with a
  server timestamp, as ICCCM asks) and from then on answers every paste
  (``SelectionRequest``: ``TARGETS``, ``TIMESTAMP``, ``UTF8_STRING``, ``STRING``,
  ``TEXT``, ``text/plain``) with that text, until another program copies something.

One thread only (the clipboard guard's): the connection is not shared.
"""
from __future__ import annotations

import collections
import logging
import os
import select
import time

from agent.platform.base import PlatformUnavailable
from agent.platform.clipboard import ClipboardChange

log = logging.getLogger(__name__)
MAX_BYTES = 1 << 20
ATOMS = ("CLIPBOARD", "UTF8_STRING", "STRING", "TEXT", "TARGETS", "TIMESTAMP", "INCR", "ATOM", "INTEGER",
         "text/plain;charset=utf-8", "text/plain", "VIGIE_CLIPBOARD", "VIGIE_TIME", "_NET_WM_PID",
         "_NET_CLIENT_LIST")


class X11Clipboard:
    def __init__(self, display_name: str | None = None):
        try:
            from Xlib import X, Xatom, display  # noqa: PLC0415
            from Xlib.ext import res, xfixes  # noqa: PLC0415
            from Xlib.protocol import event as xevent  # noqa: PLC0415
        except ImportError as exc:
            raise PlatformUnavailable("python-xlib is not installed (pip install python-xlib)") from exc
        name = display_name or os.environ.get("DISPLAY")
        if not name:
            raise PlatformUnavailable("no X11 display (DISPLAY is not set)")
        try:
            self.dpy = display.Display(name)
        except Exception as exc:  # noqa: BLE001 - DisplayNameError, ConnectionError...
            raise PlatformUnavailable(f"cannot open the X11 display {name}: {exc}") from exc
        if not self.dpy.has_extension("XFIXES"):
            self.dpy.close()
            raise PlatformUnavailable("the X server has no XFIXES extension: the clipboard cannot be watched")
        self.X, self.Xatom, self.xfixes, self.res, self.xevent = X, Xatom, xfixes, res, xevent
        self.dpy.set_error_handler(lambda *a, **k: None)   # a window vanishing is normal
        self.dpy.xfixes_query_version()                    # required before any XFixes request
        # python-xlib may load the extension's event classes twice: match by code, not class
        self.xfixes_event = self.dpy.query_extension("XFIXES").first_event + xfixes.XFixesSelectionNotify
        self.a = {n: self.dpy.intern_atom(n) for n in ATOMS}
        self.root = self.dpy.screen().root
        self.win = self.root.create_window(-10, -10, 1, 1, 0, X.CopyFromParent, X.InputOnly, X.CopyFromParent,
                                           event_mask=X.PropertyChangeMask)
        self.win.set_wm_name("Vigie clipboard guard")
        self.win.change_property(self.a["_NET_WM_PID"], Xatom.CARDINAL, 32, [os.getpid()])
        self.dpy.xfixes_select_selection_input(self.root, self.a["CLIPBOARD"],
                                               xfixes.XFixesSetSelectionOwnerNotifyMask)
        self.dpy.flush()
        self.has_res = self.dpy.has_extension("X-Resource")
        self.text: str | None = None          # what we answer pastes with while we own CLIPBOARD
        self.owned_at = 0
        self._later: collections.deque = collections.deque()   # changes seen while busy

    # -- events ----------------------------------------------------------------------
    def _next(self, end: float):
        """The next event, or None once ``end`` (monotonic) has passed."""
        while not self.dpy.pending_events():
            left = end - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.dpy.fileno()], [], [], left)
            if not ready:
                return None
        return self.dpy.next_event()

    def _dispatch(self, ev) -> ClipboardChange | None:
        """Answer pastes and lost ownership; a change of owner comes back."""
        X = self.X
        if ev.type == X.SelectionRequest:
            self._answer(ev)
        elif ev.type == X.SelectionClear:
            if ev.window == self.win and ev.atom == self.a["CLIPBOARD"]:
                self.text = None
        elif ev.type == self.xfixes_event and ev.sub_code == 0 and ev.selection == self.a["CLIPBOARD"]:
            owner = getattr(ev.owner, "id", ev.owner) or 0
            if owner and owner != self.win.id:
                return ClipboardChange(self.pid_of(owner), owner, int(ev.timestamp))
        return None

    def wait(self, timeout: float) -> ClipboardChange | None:
        if self._later:
            return self._later.popleft()
        end = time.monotonic() + max(0.0, timeout)
        while True:
            ev = self._next(end)
            if ev is None:
                return None
            change = self._dispatch(ev)
            if change is not None:
                return change

    # -- who ---------------------------------------------------------------------------
    def _wm_pid(self, wid: int) -> int | None:
        try:
            p = self.dpy.create_resource_object("window", wid).get_full_property(self.a["_NET_WM_PID"], 0)
        except Exception:  # noqa: BLE001 - BadWindow
            return None
        return int(p.value[0]) if p is not None and len(p.value) else None

    def pid_of(self, wid: int) -> int | None:
        """The process of an X window (see the module docstring)."""
        pid = self._wm_pid(wid)
        if pid:
            return pid
        if self.has_res:
            try:
                reply = self.dpy.res_query_client_ids([{"client": wid, "mask": self.res.LocalClientPIDMask}])
                for item in reply.ids:
                    if item.value:
                        return int(item.value[0])
            except Exception:  # noqa: BLE001 - old server
                pass
        mask = self.dpy.display.info.resource_id_mask
        try:
            clients = self.root.get_full_property(self.a["_NET_CLIENT_LIST"], 0)
        except Exception:  # noqa: BLE001
            clients = None
        for other in (clients.value if clients is not None else ()):
            if int(other) & ~mask == wid & ~mask:
                pid = self._wm_pid(int(other))
                if pid:
                    return pid
        return None

    # -- what --------------------------------------------------------------------------
    def _read_property(self, end: float) -> bytes | None:
        prop = self.win.get_full_property(self.a["VIGIE_CLIPBOARD"], self.X.AnyPropertyType)
        if prop is None:
            return None
        if prop.property_type != self.a["INCR"]:
            self.win.delete_property(self.a["VIGIE_CLIPBOARD"])
            self.dpy.flush()
            return bytes(prop.value) if not isinstance(prop.value, str) else prop.value.encode()
        data = b""                           # INCR: deleting the property asks for each chunk
        self.win.delete_property(self.a["VIGIE_CLIPBOARD"])
        self.dpy.flush()
        while len(data) < MAX_BYTES:
            ev = self._next(end)
            if ev is None:
                break
            if ev.type == self.X.PropertyNotify and ev.window == self.win and ev.atom == self.a["VIGIE_CLIPBOARD"] \
                    and ev.state == self.X.PropertyNewValue:
                chunk = self.win.get_full_property(self.a["VIGIE_CLIPBOARD"], self.X.AnyPropertyType)
                self.win.delete_property(self.a["VIGIE_CLIPBOARD"])
                self.dpy.flush()
                if chunk is None or not len(chunk.value):
                    break
                data += bytes(chunk.value) if not isinstance(chunk.value, str) else chunk.value.encode()
            else:
                self._keep(ev)
        return data

    def _keep(self, ev) -> None:
        change = self._dispatch(ev)
        if change is not None:
            self._later.append(change)

    def read_text(self, change: ClipboardChange | None = None, timeout: float = 1.0) -> str | None:
        """The CLIPBOARD's text now (``None``: no text, or no answer within ``timeout``)."""
        end = time.monotonic() + timeout
        when = change.serial if change is not None and change.serial else self.X.CurrentTime
        for target in ("UTF8_STRING", "STRING"):
            self.win.convert_selection(self.a["CLIPBOARD"], self.a[target], self.a["VIGIE_CLIPBOARD"], when)
            self.dpy.flush()
            while True:
                ev = self._next(end)
                if ev is None:
                    return None
                if ev.type == self.X.SelectionNotify and ev.requestor == self.win:
                    break
                self._keep(ev)
            if ev.property == self.X.NONE:
                continue                     # no such format: try the next one
            data = self._read_property(end)
            if data is None:
                return None
            return data.decode("utf-8" if target == "UTF8_STRING" else "latin-1", "replace")
        return None

    # -- taking over ---------------------------------------------------------------------
    def _server_time(self) -> int:
        """A current server timestamp: a zero-length append to our own property (ICCCM)."""
        self.win.change_property(self.a["VIGIE_TIME"], self.Xatom.STRING, 8, b"", self.X.PropModeAppend)
        self.dpy.flush()
        end = time.monotonic() + 1.0
        while True:
            ev = self._next(end)
            if ev is None:
                return self.X.CurrentTime
            if ev.type == self.X.PropertyNotify and ev.window == self.win and ev.atom == self.a["VIGIE_TIME"]:
                return int(ev.time)
            self._keep(ev)

    def replace(self, text: str) -> bool:
        """Own CLIPBOARD with ``text``; True when the server says we own it."""
        when = self._server_time()
        self.text, self.owned_at = text, when
        self.win.set_selection_owner(self.a["CLIPBOARD"], when)
        owner = self.dpy.get_selection_owner(self.a["CLIPBOARD"])
        ok = getattr(owner, "id", owner) == self.win.id
        if not ok:
            self.text = None
        return ok

    def _answer(self, ev) -> None:
        a, X = self.a, self.X
        prop = ev.property or ev.target      # obsolete requestors give no property
        text_targets = (a["UTF8_STRING"], a["TEXT"], a["text/plain;charset=utf-8"])
        if ev.owner != self.win or ev.selection != a["CLIPBOARD"] or self.text is None:
            prop = X.NONE
        elif ev.target == a["TARGETS"]:
            ev.requestor.change_property(prop, a["ATOM"], 32, [a["TARGETS"], a["TIMESTAMP"], *text_targets,
                                                               a["STRING"], a["text/plain"]])
        elif ev.target == a["TIMESTAMP"]:
            ev.requestor.change_property(prop, a["INTEGER"], 32, [self.owned_at])
        elif ev.target in text_targets:
            ev.requestor.change_property(prop, a["UTF8_STRING"], 8, self.text.encode("utf-8"))
        elif ev.target in (a["STRING"], a["text/plain"]):
            ev.requestor.change_property(prop, a["STRING"], 8, self.text.encode("latin-1", "replace"))
        else:
            prop = X.NONE
        notify = self.xevent.SelectionNotify(time=ev.time, requestor=ev.requestor, selection=ev.selection,
                                             target=ev.target, property=prop)
        ev.requestor.send_event(notify, event_mask=0)
        self.dpy.flush()

    def close(self) -> None:
        try:
            self.win.destroy()
            self.dpy.close()
        except Exception:  # noqa: BLE001
            pass
