"""The Windows clipboard's lowest calls (ctypes, user32/kernel32), one method each.

Used through :class:`agent.platform.clipboard.PollingClipboard` (the logic, tested on
Linux against a fake of this class): ``GetClipboardSequenceNumber`` polled every
0.25 s (one cheap call, no window or message loop needed), ``GetClipboardOwner`` →
``GetWindowThreadProcessId`` for the process that wrote it, ``CF_UNICODETEXT`` read
and written with the usual Open/Empty/SetClipboardData/Close sequence.
"""
from __future__ import annotations

from agent.platform.base import PlatformUnavailable

CF_UNICODETEXT = 13
GMEM_MOVEABLE = 0x0002


class Win32ClipboardApi:  # pragma: no cover - needs Windows (or Wine)
    def __init__(self):
        import ctypes  # noqa: PLC0415
        from ctypes import wintypes as w  # noqa: PLC0415
        try:
            self.user32 = ctypes.WinDLL("user32", use_last_error=True)
            self.kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        except (OSError, AttributeError) as exc:
            raise PlatformUnavailable(f"user32.dll is not available: {exc}") from exc
        self.ct = ctypes
        u, k = self.user32, self.kernel32
        u.GetClipboardSequenceNumber.restype = w.DWORD
        u.GetClipboardOwner.restype = w.HWND
        u.GetWindowThreadProcessId.argtypes = [w.HWND, ctypes.POINTER(w.DWORD)]
        u.OpenClipboard.argtypes, u.OpenClipboard.restype = [w.HWND], w.BOOL
        u.CloseClipboard.restype = w.BOOL
        u.EmptyClipboard.restype = w.BOOL
        u.IsClipboardFormatAvailable.argtypes = [w.UINT]
        u.GetClipboardData.argtypes, u.GetClipboardData.restype = [w.UINT], w.HANDLE
        u.SetClipboardData.argtypes, u.SetClipboardData.restype = [w.UINT, w.HANDLE], w.HANDLE
        k.GlobalAlloc.argtypes, k.GlobalAlloc.restype = [w.UINT, ctypes.c_size_t], w.HGLOBAL
        k.GlobalLock.argtypes, k.GlobalLock.restype = [w.HGLOBAL], ctypes.c_void_p
        k.GlobalUnlock.argtypes = [w.HGLOBAL]
        k.GlobalFree.argtypes = [w.HGLOBAL]
        self.w = w

    def serial(self) -> int:
        return int(self.user32.GetClipboardSequenceNumber())

    def owner(self) -> tuple[int, int]:
        """(pid, hwnd) of the clipboard's owner; (0, 0) when there is none."""
        hwnd = self.user32.GetClipboardOwner()
        if not hwnd:
            return 0, 0
        pid = self.w.DWORD()
        self.user32.GetWindowThreadProcessId(hwnd, self.ct.byref(pid))
        return int(pid.value), int(hwnd)

    def _open(self) -> None:
        if not self.user32.OpenClipboard(None):
            raise OSError("the clipboard is open in another program")

    def read_text(self) -> str | None:
        self._open()
        try:
            if not self.user32.IsClipboardFormatAvailable(CF_UNICODETEXT):
                return None
            handle = self.user32.GetClipboardData(CF_UNICODETEXT)
            if not handle:
                return None
            ptr = self.kernel32.GlobalLock(handle)
            if not ptr:
                return None
            try:
                return self.ct.wstring_at(ptr)
            finally:
                self.kernel32.GlobalUnlock(handle)
        finally:
            self.user32.CloseClipboard()

    def write_text(self, text: str) -> bool:
        data = self.ct.create_unicode_buffer(text)
        size = self.ct.sizeof(data)
        handle = self.kernel32.GlobalAlloc(GMEM_MOVEABLE, size)
        if not handle:
            return False
        ptr = self.kernel32.GlobalLock(handle)
        self.ct.memmove(ptr, data, size)
        self.kernel32.GlobalUnlock(handle)
        self._open()
        try:
            self.user32.EmptyClipboard()
            if not self.user32.SetClipboardData(CF_UNICODETEXT, handle):
                self.kernel32.GlobalFree(handle)
                return False
            return True        # the system owns the memory now
        finally:
            self.user32.CloseClipboard()
