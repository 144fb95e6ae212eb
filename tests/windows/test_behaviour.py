"""What a page does, as the Windows backend sees it (real Win32 calls under Wine): with the
stand-in chrome.exe page covering the screen, the pointer is over it and GetCursorInfo shows
a visible cursor, so it is not "hidden over the page"; the keyboard lock cannot be seen on
Windows (None). (Wine's SetCursorPos does not move the pointer on the lane's Xvfb: the
first lane run saw it stay at the screen's centre, so the page is made to cover it.)"""
from tests.waiting import wait_for
from tests.windows.harness import in_front


def test_cursor_over_the_page_is_seen_visible(backend, page):
    assert in_front(backend, page.pid)
    assert page.send("full")
    w = wait_for(lambda: (lambda a: a if a and a.fullscreen else None)(backend.active_window()), 30)
    assert w and w.pid == page.pid
    flags, handle, x, y = backend.api.cursor_info()
    assert w.x <= x < w.x + w.width and w.y <= y < w.y + w.height, (x, y, w.rect)
    assert flags & 1 and handle, (flags, handle)
    assert backend.cursor_hidden(w.id) is False
    assert backend.keyboard_locked(w.id) is None
