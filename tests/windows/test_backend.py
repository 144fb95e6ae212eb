"""The Windows backend against real Win32 windows: a Tk page in a process named chrome.exe."""
import psutil

from agent.platform import winproc
from tests.waiting import wait_for
from tests.windows.harness import BLUE, WINE, artefact, in_front, share_of


def test_active_window_is_the_chrome_page_named_by_its_process(backend, page):
    w = in_front(backend, page.pid)
    assert w is not None, "the page never came to the front"
    assert w.title == "Example page" and w.process_name.lower() == "chrome.exe", w
    assert w.exe.lower().endswith("chrome.exe") and not w.fullscreen
    mine = [x for x in backend.windows() if x.pid == page.pid]
    assert [(x.title, x.process_name) for x in mine] == [("Example page", w.process_name)]


def test_process_name_falls_back_to_the_image_path(page):
    name, exe = winproc.describe(page.pid)
    assert name.lower() == "chrome.exe" and exe.lower().endswith("chrome.exe")
    assert winproc.image_path(page.pid).lower().endswith("chrome.exe")
    try:   # why the fallback exists: psutil cannot name processes under Wine 8
        psutil_name = psutil.Process(page.pid).name()
    except (psutil.Error, OSError) as exc:
        psutil_name = f"{type(exc).__name__}"
    print(f"psutil's own answer: {psutil_name!r} (wine={WINE!r})")


def test_capture_of_the_window_and_of_the_screen(backend, page):
    w = in_front(backend, page.pid)
    img = backend.capture(w)
    assert img.size == (w.width, w.height)
    assert share_of(img.crop((10, 40, img.width - 10, img.height - 10)), BLUE) > 0.5
    full = backend.capture()
    full.save(artefact("capture-normal.png"))
    assert full.size == (w.monitor[2], w.monitor[3])


def test_borderless_fullscreen_then_maximised(backend, page):
    assert in_front(backend, page.pid)
    assert page.send("full")
    w = wait_for(lambda: (lambda a: a if a and a.fullscreen else None)(backend.active_window()), 30)
    assert w and w.pid == page.pid and w.rect == w.monitor, backend.active_window()
    backend.capture().save(artefact("capture-fullscreen.png"))
    assert page.send("max")
    w = wait_for(lambda: (lambda a: a if a and a.maximized else None)(backend.active_window()), 30)
    assert w and not w.fullscreen


def test_silent_hooks_never_blind_the_watcher(backend, page):
    """Wine sets the WinEvent hooks but raises none of the events they ask for: the safety
    look still sees the page's changes, and the hooks are reported degraded."""
    assert in_front(backend, page.pid)
    backend.wait_for_change(0.0)
    hooks = backend._hooks
    assert hooks is not None and hooks.alive and len(hooks.handles) == 3, "SetWinEventHook worked"
    while backend.wait_for_change(0.5):
        pass
    seen = []
    for cmd in ("title Security alert - call now", "full", "title Windows Defender - ALERT"):
        page.send(cmd)
        changed = backend.wait_for_change(30)
        seen.append((cmd, changed, backend.active_window()))
        assert changed, seen
    w = backend.active_window()
    assert w.fullscreen and w.title == "Windows Defender - ALERT"
    if WINE:
        assert backend.hooks_degraded and "hooks" in backend.problems()[0], backend.problems()
    else:
        assert not backend.hooks_degraded
