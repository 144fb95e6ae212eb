"""What a page does, as the Windows backend sees it (real Win32 calls under Wine): the
cursor (GetCursorInfo) over the stand-in chrome.exe page is seen visible, and with the
pointer off the page it is not "hidden over the page"; the keyboard lock cannot be seen
on Windows (None)."""
import ctypes

from tests.waiting import wait_for
from tests.windows.harness import in_front


def test_cursor_over_the_page_is_seen_visible(backend, page):
    w = in_front(backend, page.pid)
    assert w is not None
    user32 = ctypes.WinDLL("user32")
    user32.SetCursorPos(w.x + w.width // 2, w.y + w.height // 2)
    flags, _handle, x, y = backend.api.cursor_info()
    assert (x, y) == (w.x + w.width // 2, w.y + w.height // 2), (flags, x, y)
    assert wait_for(lambda: backend.cursor_hidden(w.id) is False, 10)
    user32.SetCursorPos(w.x + w.width + 50, w.y + w.height + 50)
    assert wait_for(lambda: backend.cursor_hidden(w.id) is False, 10)
    assert backend.keyboard_locked(w.id) is None
