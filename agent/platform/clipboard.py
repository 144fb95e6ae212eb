"""The clipboard, per OS, behind one small interface (the ClickFix guard's eyes and hands).

A clipboard object is used by **one thread only** (the clipboard guard's): on X11 it
holds its own display connection and, once it has replaced a dangerous command, owns
the CLIPBOARD selection and answers the paste requests from that thread. Methods:

- ``wait(timeout) -> ClipboardChange | None`` — block until another program becomes
  the clipboard's owner (X11: XFixes selection events, no polling; Windows: the
  clipboard sequence number; macOS: ``NSPasteboard.changeCount``, both polled every
  0.25 s), meanwhile answering paste requests for the text Vigie put there;
- ``read_text(change, timeout=1.0) -> str | None`` — the text now in the clipboard
  (called only when the owner is a browser: Vigie does not read what other programs copy);
- ``replace(text) -> bool`` — put ``text`` in the clipboard instead;
- ``close()``.

``create(name)`` builds the one for a platform name (``agent.platform.choose()``).
The Windows and macOS ones share :class:`PollingClipboard`; their system calls are in
``clipboard_win.py`` / ``clipboard_mac.py`` (faked in the tests at the lowest call).
"""
from __future__ import annotations

import queue
import time
from dataclasses import dataclass

from agent.platform.base import PlatformUnavailable

POLL_SECONDS = 0.25


@dataclass(frozen=True)
class ClipboardChange:
    owner_pid: int | None          # the process that wrote the clipboard (None: unknown)
    owner_window: int = 0          # its X11 window / HWND (0: unknown)
    serial: int = 0                # X11 server time / Windows sequence number / macOS changeCount


class PollingClipboard:
    """The clipboard through an api with ``serial()``, ``owner() -> (pid, window)``,
    ``read_text()`` and ``write_text(text) -> bool`` (Windows, macOS, tests)."""

    def __init__(self, api, sleep=time.sleep, clock=time.monotonic, poll: float = POLL_SECONDS):
        self.api, self._sleep, self._clock, self.poll = api, sleep, clock, poll
        self._last = api.serial()

    def wait(self, timeout: float) -> ClipboardChange | None:
        end = self._clock() + timeout
        while True:
            serial = self.api.serial()
            if serial != self._last:
                self._last = serial
                pid, window = self.api.owner()
                return ClipboardChange(pid or None, window or 0, serial)
            left = end - self._clock()
            if left <= 0:
                return None
            self._sleep(min(self.poll, left))

    def read_text(self, change: ClipboardChange | None = None, timeout: float = 1.0) -> str | None:
        """The text; another program holding the clipboard open is waited for up to ``timeout``."""
        end = self._clock() + timeout
        while True:
            try:
                return self.api.read_text()
            except OSError:
                if self._clock() >= end:
                    return None
                self._sleep(0.02)

    def replace(self, text: str) -> bool:
        try:
            ok = bool(self.api.write_text(text))
        except OSError:
            ok = False
        self._last = self.api.serial()        # our own write is no change to look at
        return ok

    def close(self) -> None:
        getattr(self.api, "close", lambda: None)()


class FakeClipboard:
    """A clipboard driven by the test: ``copy(text, owner_pid)`` is a program copying."""

    def __init__(self):
        self._changes: queue.Queue = queue.Queue()
        self.text: str | None = None
        self.replaced: list[str] = []
        self.waits = 0                     # calls of wait() so far (tests: the guard is back waiting)
        self._serial = 0

    def copy(self, text: str, owner_pid: int | None, owner_window: int = 0) -> None:
        """Called by the test thread: a program puts ``text`` in the clipboard."""
        self._serial += 1
        self._changes.put((text, ClipboardChange(owner_pid, owner_window, self._serial)))

    def wait(self, timeout: float) -> ClipboardChange | None:
        self.waits += 1
        try:
            self.text, change = self._changes.get(timeout=timeout)
        except queue.Empty:
            return None
        return change

    def read_text(self, change=None, timeout: float = 1.0) -> str | None:
        return self.text

    def replace(self, text: str) -> bool:
        self.text = text
        self.replaced.append(text)
        return True

    def close(self) -> None:
        pass


def create(name: str):
    """The clipboard for the platform ``name``; raises :class:`PlatformUnavailable`."""
    if name == "x11":
        from agent.platform.clipboard_x11 import X11Clipboard  # noqa: PLC0415
        return X11Clipboard()
    if name == "windows":
        from agent.platform.clipboard_win import Win32ClipboardApi  # noqa: PLC0415
        return PollingClipboard(Win32ClipboardApi())
    if name == "macos":
        from agent.platform.clipboard_mac import PasteboardApi  # noqa: PLC0415
        return PollingClipboard(PasteboardApi())
    if name == "fake":
        return FakeClipboard()
    raise PlatformUnavailable(f"no clipboard for platform {name!r}")
