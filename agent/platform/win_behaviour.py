"""What a page does that Windows lets another program see (worker thread; mixed into
:class:`agent.platform.windows.WindowsBackend`).

- :meth:`cursor_hidden`: ``GetCursorInfo`` — the pointer over the window and either hidden
  (``flags == 0``: ``ShowCursor(FALSE)``) or with no cursor at all (``hCursor`` NULL: what
  ``SetCursor(NULL)`` leaves, which is how Chromium shows a page's ``cursor: none``).
  Not verified on a real Windows machine; a transparent cursor *image* is not seen.
- Keyboard lock: not observable (see :meth:`agent.platform.base.ApiBackend.keyboard_locked`).
"""
from __future__ import annotations

CURSOR_SHOWING = 0x1


class WinBehaviour:
    """Needs ``api`` (``cursor_info() -> (flags, hcursor, x, y)``) and ``info()``."""

    def cursor_hidden(self, wid: int) -> bool | None:
        try:
            flags, hcursor, x, y = self.api.cursor_info()
            w = self.info(wid)
        except (OSError, AttributeError, ValueError, TypeError):
            return None
        if w is None:
            return None
        if not (w.x <= x < w.x + w.width and w.y <= y < w.y + w.height):
            return False
        return not (flags & CURSOR_SHOWING) or not hcursor
