"""Taking the screen back on Windows: the scam window is minimised (a browser's own
fullscreen is a borderless window over the monitor; minimising it takes it off the
screen), Vigie's alert is brought to the foreground, and a window's existence is checked.

Three user32 calls (``ShowWindow``, ``SetForegroundWindow``, ``IsWindow``) in
:class:`Win32Control`, the lowest level, faked in the Linux tests. Not available here:
sending Ctrl+W to a tab (``press_keys`` says False), so "Close this page" ends the
browser's own processes. Mixed into :class:`agent.platform.windows.WindowsBackend`.
"""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)
SW_MINIMIZE = 6


class Win32Control:  # pragma: no cover - needs Windows
    def __init__(self):
        import ctypes  # noqa: PLC0415
        self.user32 = ctypes.WinDLL("user32", use_last_error=True)

    def show_window(self, hwnd: int, cmd: int) -> bool:
        return bool(self.user32.ShowWindow(hwnd, cmd))

    def set_foreground(self, hwnd: int) -> bool:
        return bool(self.user32.SetForegroundWindow(hwnd))

    def is_window(self, hwnd: int) -> bool:
        return bool(self.user32.IsWindow(hwnd))


class WinControl:
    """Needs ``info()`` from the backend; ``_control`` may be set to a fake."""
    _control = None

    @property
    def control(self):
        if self._control is None:
            self._control = Win32Control()
        return self._control

    def leave_fullscreen(self, hwnd: int) -> bool:
        """Minimise ``hwnd`` if it covers its monitor. True if it did."""
        info = self.info(hwnd)
        if info is None or not info.fullscreen:
            return False
        try:
            return self.control.show_window(hwnd, SW_MINIMIZE) or True
        except OSError as exc:
            log.warning("cannot minimise window %s: %s", hwnd, exc)
            return False

    def is_fullscreen(self, hwnd: int) -> bool:
        info = self.info(hwnd)
        return bool(info is not None and info.fullscreen)

    def exists(self, hwnd: int) -> bool:
        try:
            return self.control.is_window(hwnd)
        except OSError:
            return False

    def activate(self, hwnd: int) -> bool:
        try:
            return self.control.set_foreground(hwnd)
        except OSError:
            return False
