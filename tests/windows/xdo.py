"""A person's hands on the Wine desktop: the real X pointer and keyboard (xdotool, through
XTEST) and screenshots (ImageMagick's ``import``), run from the Windows Python; the wizard's
controls found by their text through Win32 (where to click, which page is shown).

Wine starts a Unix program that a Windows process asks for, but hands back no process handle
(WinError 6): :func:`unix` gets its output and exit status through a file in /tmp, written
aside and renamed when the program is done, and waits for that file.
"""
from __future__ import annotations

import ctypes
import os
import uuid
from ctypes import wintypes as w

from tests.waiting import wait_for

u = ctypes.windll.user32 if os.name == "nt" else None
SCRIPT = '"$@" >"$0.part" 2>&1; echo "rc=$?" >>"$0.part"; mv "$0.part" "$0"'


def unix_path(windows_path: str) -> str:
    """``Z:\\work\\x`` -> ``/work/x`` (Wine's Z: drive is the Unix root)."""
    p = os.path.abspath(windows_path)
    assert p[:2].upper() == "Z:", p
    return p[2:].replace("\\", "/")


def unix(*argv: str, timeout: float = 60) -> tuple[int, str]:
    """Run a Unix program; (exit status, its output). AssertionError when it never ends."""
    out = f"/tmp/vigie-unix-{uuid.uuid4().hex}"
    cmd = ctypes.create_unicode_buffer(" ".join(_quote(a) for a in ["/bin/sh", "-c", SCRIPT, out, *argv]))
    si = (ctypes.c_byte * 104)()
    ctypes.cast(si, ctypes.POINTER(w.DWORD))[0] = 104          # STARTUPINFOW.cb
    pi = (ctypes.c_byte * 24)()
    ctypes.windll.kernel32.CreateProcessW(None, cmd, None, None, False, 0, None, None, si, pi)
    done = "Z:" + out.replace("/", "\\")
    assert wait_for(lambda: os.path.exists(done), timeout, 0.05), f"{argv} did not finish in {timeout} s"
    with open(done, encoding="utf-8", errors="replace") as f:
        text = f.read()
    os.unlink(done)
    body, _, rc = text.rstrip("\n").rpartition("rc=")
    return int(rc), body


def _quote(arg: str) -> str:
    """Windows command-line quoting, which Wine undoes into the Unix program's argv."""
    import subprocess  # noqa: PLC0415
    return subprocess.list2cmdline([arg])


def xdo(*args: str) -> str:
    rc, out = unix("xdotool", *args)
    assert rc == 0, (args, out)
    return out


def key(*keys: str) -> None:
    xdo("key", "--delay", "80", *keys)


def type_text(text: str) -> None:
    xdo("type", "--delay", "60", text)


def click_at(x: int, y: int) -> None:
    xdo("mousemove", "--sync", str(x), str(y), "click", "1")


def screenshot(path: str) -> None:
    """The whole Wine desktop, as a PNG at ``path`` (a Windows path)."""
    rc, out = unix("import", "-window", "root", unix_path(path))
    assert rc == 0 and os.path.isfile(path), out


# -- the wizard's controls, found by their text (Win32) -----------------------------------
def _text(h) -> str:
    buf = ctypes.create_unicode_buffer(2048)
    u.GetWindowTextW(h, buf, 2048)
    return buf.value


def _class(h) -> str:
    buf = ctypes.create_unicode_buffer(128)
    u.GetClassNameW(h, buf, 128)
    return buf.value


def _rect(h) -> tuple[int, int, int, int]:
    r = w.RECT()
    u.GetWindowRect(h, ctypes.byref(r))
    return r.left, r.top, r.right, r.bottom


class Control:
    def __init__(self, hwnd: int):
        self.hwnd = hwnd
        self.text = _text(hwnd)
        self.cls = _class(hwnd)
        self.rect = _rect(hwnd)

    @property
    def pid(self) -> int:
        owner = w.DWORD()
        u.GetWindowThreadProcessId(self.hwnd, ctypes.byref(owner))
        return owner.value

    def click(self) -> None:
        left, top, right, bottom = self.rect
        click_at((left + right) // 2, (top + bottom) // 2)

    def click_item(self, index: int) -> None:
        """Click the ``index``-th row of a list box (Inno's radio-button lists are one)."""
        r = w.RECT()
        assert u.SendMessageW(self.hwnd, 0x0198, index, ctypes.byref(r)) != -1, (self, index)  # LB_GETITEMRECT
        pt = w.POINT((r.left + r.right) // 2, (r.top + r.bottom) // 2)
        u.ClientToScreen(self.hwnd, ctypes.byref(pt))
        click_at(pt.x, pt.y)

    def __repr__(self):
        return f"{self.cls}({self.text!r})"


def windows(pid: int | None = None) -> list[Control]:
    """The visible top-level windows (of process ``pid``)."""
    out = []

    def cb(h, _l):
        owner = w.DWORD()
        u.GetWindowThreadProcessId(h, ctypes.byref(owner))
        if u.IsWindowVisible(h) and (pid is None or owner.value == pid):
            out.append(Control(h))
        return True
    u.EnumWindows(ctypes.WINFUNCTYPE(w.BOOL, w.HWND, w.LPARAM)(cb), 0)
    return out


def controls(top: Control) -> list[Control]:
    """The visible controls inside a window, top to bottom."""
    out = []

    def cb(h, _l):
        if u.IsWindowVisible(h):
            out.append(Control(h))
        return True
    u.EnumChildWindows(top.hwnd, ctypes.WINFUNCTYPE(w.BOOL, w.HWND, w.LPARAM)(cb), 0)
    return sorted(out, key=lambda c: (c.rect[1], c.rect[0]))


def plain(label: str) -> str:
    """A button's words without its accelerator and arrows: "< &Back" -> "back"."""
    return label.replace("&", "").strip("<> ").lower()
