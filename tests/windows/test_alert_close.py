"""The alert under Windows (Tk; under Wine here) holds against a close it did not offer:
``WM_CLOSE`` posted by another process and the system menu's Close / title bar × (``SC_CLOSE``)
each leave it open and in front (``alert_action`` ``close_attempt``), and so does Alt+F4
typed at it; only a test alert closes that way. Screenshot: the lane's artefacts (alert-after-wm-close.png)."""
import ctypes
import sys
from ctypes import wintypes

from agent.respond.gui.process import GuiProcess
from tests.waiting import wait_for
from tests.windows.harness import artefact, in_front

WM_CLOSE, WM_SYSCOMMAND, SC_CLOSE = 0x0010, 0x0112, 0xF060
VK_MENU, VK_F4, KEYEVENTF_KEYUP = 0x12, 0x73, 0x0002
user32 = ctypes.WinDLL("user32", use_last_error=True)
user32.PostMessageW.argtypes = [wintypes.HWND, wintypes.UINT, wintypes.WPARAM, wintypes.LPARAM]
user32.PostMessageW.restype = wintypes.BOOL


def alert(kind: str, *extra) -> GuiProcess:
    return GuiProcess([sys.executable, "-m", "agent.respond.gui.alert_window", "--kind", kind, "--family", "tss",
                       "--lang", "en", *extra])


def attempts(gui: GuiProcess) -> int:
    return sum(1 for a in gui.actions if a.get("action") == "close_attempt")


def alt_f4() -> None:
    """Alt+F4 typed (virtual keys with their scan codes, as a keyboard sends them)."""
    for vk, flags in ((VK_MENU, 0), (VK_F4, 0), (VK_F4, KEYEVENTF_KEYUP), (VK_MENU, KEYEVENTF_KEYUP)):
        user32.keybd_event(vk, user32.MapVirtualKeyW(vk, 0), flags, 0)


def test_a_close_from_outside_leaves_the_alert_in_front(backend, page):
    gui = alert("scam", "--browser-pid", str(page.pid))
    try:
        assert gui.wait_for("shown", 60), gui.lines
        front = in_front(backend, gui.proc.pid)
        assert front is not None, backend.active_window()
        assert user32.PostMessageW(front.id, WM_CLOSE, 0, 0)            # another program's close
        assert wait_for(lambda: attempts(gui) == 1, 30), gui.lines
        assert gui.running() and in_front(backend, gui.proc.pid)
        backend.capture().save(artefact("alert-after-wm-close.png"))
        assert user32.PostMessageW(front.id, WM_SYSCOMMAND, SC_CLOSE, 0)   # the title bar's x / system menu
        assert wait_for(lambda: attempts(gui) == 2, 30), gui.lines
        front = in_front(backend, gui.proc.pid)
        assert gui.running() and front is not None
        # Alt+F4 on the focused alert, then Alt+H ("Call my &helper"): the helper view proves
        # the keys reached the alert, in order; the alert is still there. (Whether Tk turns
        # Alt+F4 into SC_CLOSE — a third close_attempt — or keeps it is not asserted: under
        # Wine 8 it keeps it.)
        alt_f4()
        for vk, flags in ((VK_MENU, 0), (0x48, 0), (0x48, KEYEVENTF_KEYUP), (VK_MENU, KEYEVENTF_KEYUP)):
            user32.keybd_event(vk, user32.MapVirtualKeyW(vk, 0), flags, 0)
        assert gui.wait_for("view", 30, view="helper"), gui.lines
        assert gui.running() and attempts(gui) >= 2 and in_front(backend, gui.proc.pid)
        backend.capture().save(artefact("alert-after-alt-f4.png"))
    finally:
        gui.close()


def test_a_test_alert_closes_from_outside(backend):
    gui = alert("test")
    try:
        assert gui.wait_for("shown", 60), gui.lines
        front = in_front(backend, gui.proc.pid)
        assert front is not None and user32.PostMessageW(front.id, WM_CLOSE, 0, 0)
        assert gui.wait_for("action", 30, action="closed") and gui.proc.wait(30) == 0
    finally:
        gui.close()
