"""What a page does that X11 lets another program see (read by the worker thread before a
read of the screen; mixed into :class:`agent.platform.x11.X11Backend`).

- :meth:`keyboard_locked`: while a fullscreen Chromium page holds the Keyboard Lock API
  (``navigator.keyboard.lock()``), Chromium keeps passive grabs of Escape (and Super) on
  its own top-level window. Another client's ``XGrabKey`` of Escape on that window then
  fails with ``BadAccess``; without the lock it succeeds (measured with Debian's Chromium;
  a grab on the root window does *not* show it). The probe grabs and at once ungrabs,
  synchronously, so it never keeps a key from the person.
- :meth:`cursor_hidden`: the pointer is over the window and the cursor image (XFixes
  ``GetCursorImage``) is fully transparent — a page's ``cursor: none``.

Both answer None when they cannot tell (no XFixes, window gone, display error).
"""
from __future__ import annotations


class X11Behaviour:
    """Needs ``_dpy()`` and ``info()`` from the backend; the calling thread's connection."""

    def keyboard_locked(self, wid: int) -> bool | None:
        """True while the window ``wid`` (a browser's top-level client window) holds a grab
        of Escape, i.e. a page holds the keyboard; None when it cannot be told."""
        try:
            from Xlib import X, XK, error  # noqa: PLC0415
            dpy = self._dpy()
            code = dpy.keysym_to_keycode(XK.string_to_keysym("Escape"))
            if not code or not wid:
                return None
            win = dpy.create_resource_object("window", wid)
            caught = error.CatchError(error.BadAccess, error.BadWindow, error.BadValue)
            win.grab_key(code, X.AnyModifier, False, X.GrabModeAsync, X.GrabModeAsync, onerror=caught)
            dpy.sync()
            err = caught.get_error()
            if err is None:
                # ours: let it go at once (a failed grab holds nothing)
                win.ungrab_key(code, X.AnyModifier, onerror=error.CatchError())
                dpy.sync()
                return False
            return True if isinstance(err, error.BadAccess) else None
        except Exception:  # noqa: BLE001 - display gone, library too old
            return None

    def cursor_hidden(self, wid: int) -> bool | None:
        """True when the pointer is over window ``wid`` and the cursor shown is fully
        transparent; False when it is visible or elsewhere; None when it cannot be told."""
        try:
            dpy = self._dpy()
            if not dpy.has_extension("XFIXES"):
                return None
            w = self.info(wid)
            if w is None:
                return None
            dpy.xfixes_query_version()
            pointer = dpy.screen().root.query_pointer()
            x, y = pointer.root_x, pointer.root_y
            if not (w.x <= x < w.x + w.width and w.y <= y < w.y + w.height):
                return False
            image = dpy.xfixes_get_cursor_image(dpy.screen().root)
            pixels = list(image.cursor_image or ())
            return bool(pixels) and all((p >> 24) & 0xFF == 0 for p in pixels)
        except Exception:  # noqa: BLE001
            return None
