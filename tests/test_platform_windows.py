"""Windows backend logic against faked Win32 calls (the real ones cannot run here)."""
from agent.platform.windows import WindowsBackend


class FakeWin32:
    """The lowest-level calls: hwnd → (title, class, rect l,t,r,b, monitor l,t,r,b, pid, zoomed, visible)."""

    def __init__(self, wins, fg):
        self.wins, self.fg = wins, fg

    def foreground(self):
        return self.fg

    def top_windows(self):
        return list(self.wins)

    def visible(self, h):
        return self.wins[h][6]

    def title(self, h):
        return self.wins[h][0]

    def class_name(self, h):
        return self.wins[h][1]

    def rect(self, h):
        if h not in self.wins:
            raise OSError("invalid window handle")
        return self.wins[h][2]

    def monitor_rect(self, h):
        return self.wins[h][3]

    def pid(self, h):
        return self.wins[h][4]

    def zoomed(self, h):
        return self.wins[h][5]


MON = (0, 0, 1920, 1080)
PROCS = {100: ("chrome.exe", r"C:\Program Files\Google\Chrome\Application\chrome.exe"),
         200: ("firefox.exe", r"C:\Program Files\Mozilla Firefox\firefox.exe")}


def backend(wins, fg):
    return WindowsBackend(api=FakeWin32(wins, fg), process=lambda pid: PROCS.get(pid, ("", "")),
                          sleep=lambda s: None)


def test_fullscreen_is_rect_equal_to_monitor():
    wins = {1: ("Alert - Google Chrome", "Chrome_WidgetWin_1", MON, MON, 100, False, True)}
    w = backend(wins, 1).active_window()
    assert w.fullscreen and not w.maximized
    assert w.wm_class == "Chrome_WidgetWin_1" and w.process_name == "chrome.exe"
    assert w.exe.endswith("chrome.exe") and w.pid == 100 and w.monitor == (0, 0, 1920, 1080)


def test_maximised_is_not_fullscreen_and_second_monitor():
    # a maximised window hangs 8 px over its monitor's edges but stops at the taskbar
    wins = {2: ("News - Mozilla Firefox", "MozillaWindowClass", (-8, -8, 1928, 1040), MON, 200, True, True),
            3: ("Kiosk", "Chrome_WidgetWin_1", (1920, 0, 3200, 1024), (1920, 0, 3200, 1024), 100, False, True)}
    b = backend(wins, 2)
    w = b.active_window()
    assert w.maximized and not w.fullscreen and w.wm_class == "MozillaWindowClass"
    k = b.info(3)
    assert k.fullscreen and k.monitor == (1920, 0, 1280, 1024) and k.rect == (1920, 0, 1280, 1024)


def test_windows_skips_hidden_desktop_and_untitled():
    wins = {1: ("A", "Chrome_WidgetWin_1", MON, MON, 100, False, True),
            2: ("B", "Progman", MON, MON, 0, False, True),
            3: ("", "X", MON, MON, 0, False, True),
            4: ("Hidden", "X", MON, MON, 0, False, False)}
    assert [w.id for w in backend(wins, 1).windows()] == [1]


def test_vanished_window_and_no_foreground():
    b = backend({}, 0)
    assert b.active_window() is None
    b2 = backend({}, 77)
    assert b2.active_window() is None


def test_wait_for_change_polls_foreground_title_and_rect():
    wins = {1: ("A", "Chrome_WidgetWin_1", (0, 0, 800, 600), MON, 100, False, True)}
    b = backend(wins, 1)
    assert b.wait_for_change(0.0) is True          # first look
    assert b.wait_for_change(0.0) is False         # nothing changed
    wins[1] = ("A", "Chrome_WidgetWin_1", MON, MON, 100, False, True)
    assert b.wait_for_change(1.0) is True          # went fullscreen
    wins[1] = ("Virus alert", "Chrome_WidgetWin_1", MON, MON, 100, False, True)
    assert b.wait_for_change(1.0) is True          # title changed


# -- WinEvent hooks (agent/platform/winhooks.py) against a faked Win32 api ----------------
import logging  # noqa: E402
import queue  # noqa: E402
import threading  # noqa: E402

from agent.platform import winhooks  # noqa: E402
from agent.platform.winhooks import (EVENT_OBJECT_LOCATIONCHANGE, EVENT_OBJECT_NAMECHANGE,  # noqa: E402
                                     EVENT_SYSTEM_FOREGROUND, EVENT_SYSTEM_MINIMIZEEND, OBJID_WINDOW)

OBJID_CURSOR = -9


class FakeHookApi(FakeWin32):
    """FakeWin32 plus the hook calls. Its message loop, like GetMessageW, calls the hook
    function for each event ``fire``d, and returns 0 once WM_QUIT was posted."""

    def __init__(self, wins, fg, refuse_range=None, loop_error=False):
        super().__init__(wins, fg)
        self.calls = []
        self.inbox = queue.Queue()
        self.refuse_range, self.loop_error = refuse_range, loop_error
        self.hooked, self.callbacks, self.hook_thread = {}, [], None
        self._next = 0x1000

    def foreground(self):
        self.looks = getattr(self, "looks", 0) + 1
        return self.fg

    def thread_id(self):
        self.hook_thread = threading.get_ident()
        return 4242

    def make_queue(self):
        self.calls.append(("make_queue", threading.get_ident()))

    def win_event_callback(self, fn):
        wrapped = lambda *a: fn(*a)  # noqa: E731 - stands in for the ctypes WINFUNCTYPE object
        self.callbacks.append(wrapped)
        return wrapped

    def set_win_event_hook(self, low, high, callback, flags):
        self.calls.append(("hook", low, high, flags))
        if (low, high) == self.refuse_range:
            return 0
        self._next += 1
        self.hooked[self._next] = callback
        return self._next

    def get_message(self):
        if self.loop_error:
            return -1
        while True:
            item = self.inbox.get()
            if item == "quit":
                return 0
            if isinstance(item, threading.Event):   # sync(): everything before it was handled
                item.set()
                continue
            for handle, cb in list(self.hooked.items()):
                cb(handle, *item)

    def post_quit(self, thread_id):
        self.calls.append(("post_quit", thread_id))
        self.inbox.put("quit")
        return True

    def unhook(self, handle):
        self.calls.append(("unhook", handle, threading.get_ident()))
        self.hooked.pop(handle, None)
        return True

    def fire(self, event, hwnd, id_object=OBJID_WINDOW):
        self.inbox.put((event, hwnd, id_object, 0, 0, 0))

    def sync(self):
        done = threading.Event()
        self.inbox.put(done)
        assert done.wait(30), "the fake message loop is stuck"


def hooked_backend(wins, fg, **kw):
    api = FakeHookApi(wins, fg, **kw)
    return WindowsBackend(api=api, process=lambda pid: PROCS.get(pid, ("", "")), sleep=lambda s: None), api


def test_no_hook_thread_before_the_first_wait():
    b, api = hooked_backend({}, 0)
    assert b.active_window() is None and b.windows() == []
    assert api.calls == [] and api.hook_thread is None and b._hooks is None


def test_hooks_set_out_of_context_one_range_each_and_callback_kept():
    wins = {1: ("A", "Chrome_WidgetWin_1", (0, 0, 800, 600), MON, 100, False, True)}
    b, api = hooked_backend(wins, 1)
    try:
        assert b.wait_for_change(0.0) is True                 # first look
        hooks = b._hooks
        assert hooks is not None and hooks.alive
        flags = winhooks.WINEVENT_OUTOFCONTEXT | winhooks.WINEVENT_SKIPOWNPROCESS
        assert flags == 0x0002
        assert [c[1:] for c in api.calls if c[0] == "hook"] == [
            (0x0003, 0x0003, flags), (0x0017, 0x0017, flags), (0x800B, 0x800C, flags)]
        assert hooks._callback is api.callbacks[0], "the callback object stays referenced"
        assert api.hook_thread != threading.get_ident(), "hooks live on their own thread"
    finally:
        b.close()


def test_foreground_restore_and_fullscreen_wake_the_watcher():
    wins = {1: ("Mail", "X", (0, 0, 800, 600), MON, 200, False, True),
            2: ("Page - Google Chrome", "Chrome_WidgetWin_1", (0, 0, 800, 600), MON, 100, False, True)}
    b, api = hooked_backend(wins, 1)
    try:
        assert b.wait_for_change(0.0) is True
        api.fg = 2
        api.fire(EVENT_SYSTEM_FOREGROUND, 2)
        assert b.wait_for_change(30) is True and b.active_window().id == 2
        wins[2] = ("Page - Google Chrome", "Chrome_WidgetWin_1", MON, MON, 100, False, True)
        api.fire(EVENT_OBJECT_LOCATIONCHANGE, 2)
        assert b.wait_for_change(30) is True and b.active_window().fullscreen
        wins[2] = ("VIRUS ALERT - Google Chrome", "Chrome_WidgetWin_1", MON, MON, 100, False, True)
        api.fire(EVENT_OBJECT_NAMECHANGE, 2)
        assert b.wait_for_change(30) is True and b.active_window().title.startswith("VIRUS")
        api.fg = 1
        api.fire(EVENT_SYSTEM_MINIMIZEEND, 1)
        assert b.wait_for_change(30) is True and b.active_window().id == 1
    finally:
        b.close()


def test_background_windows_cursor_and_unchanged_windows_do_not_report():
    wins = {1: ("A", "Chrome_WidgetWin_1", (0, 0, 800, 600), MON, 100, False, True),
            2: ("B", "X", (0, 0, 800, 600), MON, 200, False, True)}
    b, api = hooked_backend(wins, 1)
    try:
        b.wait_for_change(0.0)
        hooks = b._hooks
        looks = api.looks
        assert b.wait_for_change(0.2) is False and api.looks == looks, "idle: not one system call"
        api.fire(EVENT_OBJECT_NAMECHANGE, 2)                   # a background window renamed
        api.fire(EVENT_OBJECT_LOCATIONCHANGE, 1, OBJID_CURSOR)  # the mouse moved
        api.sync()
        assert not hooks.changed.is_set(), "neither a background window nor the cursor wakes the watcher"
        api.fire(EVENT_OBJECT_LOCATIONCHANGE, 1)               # the foreground window, same place
        api.sync()
        assert hooks.changed.is_set() and hooks._foreground == 1
        assert b.wait_for_change(0.2) is False, "woken, but nothing changed: not reported"
    finally:
        b.close()


def test_close_posts_wm_quit_and_the_hook_thread_unhooks_itself():
    b, api = hooked_backend({}, 0)
    b.wait_for_change(0.0)
    hooks = b._hooks
    handles = list(hooks.handles)
    assert len(handles) == 3
    other = threading.Thread(target=b.close)   # the worker's close leaves the hooks alone
    other.start()
    other.join()
    assert hooks.alive and not any(c[0] == "post_quit" for c in api.calls)
    b.close()
    assert ("post_quit", 4242) in api.calls
    assert not hooks.alive and b._hooks is None
    unhooked = [c for c in api.calls if c[0] == "unhook"]
    assert [c[1] for c in unhooked] == handles
    assert all(c[2] == api.hook_thread for c in unhooked), "UnhookWinEvent on the thread that hooked"
    api.fg, looks = 0, api.looks
    b.wait_for_change(0.0)                                # used again: new hooks, and a fresh look
    assert b._hooks is not None and b._hooks is not hooks and b._hooks.alive and api.looks > looks + 1
    b.close()


def test_refused_hook_falls_back_to_polling_logged_once(caplog):
    wins = {1: ("A", "Chrome_WidgetWin_1", (0, 0, 800, 600), MON, 100, False, True)}
    b, api = hooked_backend(wins, 1, refuse_range=(0x800B, 0x800C))
    with caplog.at_level(logging.WARNING, logger="agent.platform.windows"):
        assert b.wait_for_change(0.0) is True
        assert b.wait_for_change(0.0) is False
        wins[1] = ("A", "Chrome_WidgetWin_1", MON, MON, 100, False, True)
        assert b.wait_for_change(1.0) is True, "polling noticed the fullscreen switch"
    assert b._hooks is None
    assert [r.getMessage() for r in caplog.records].count(
        "WinEvent hooks unavailable (OSError: SetWinEventHook(0x800b..0x800c) returned 0); "
        "checking the foreground window every 0.5 s instead") == 1
    assert sum(1 for c in api.calls if c[0] == "hook") == 3, "not retried at every wait"
    unhooked = {c[1] for c in api.calls if c[0] == "unhook"}
    assert len(unhooked) == 2, "the hooks already set were removed"


def test_api_without_hooks_or_broken_loop_still_watches(caplog):
    caplog.set_level(logging.WARNING, logger="agent.platform.windows")
    wins = {1: ("A", "Chrome_WidgetWin_1", (0, 0, 800, 600), MON, 100, False, True)}
    plain = backend(wins, 1)                        # FakeWin32 has no hook calls at all
    assert plain.wait_for_change(0.0) is True
    wins[1] = ("B", "Chrome_WidgetWin_1", (0, 0, 800, 600), MON, 100, False, True)
    assert plain.wait_for_change(1.0) is True and plain._hooks_failed
    b, api = hooked_backend(wins, 1, loop_error=True)  # GetMessageW returns -1
    assert b.wait_for_change(0.0) is True
    b._hooks._thread.join(30)
    wins[1] = ("C", "Chrome_WidgetWin_1", (0, 0, 800, 600), MON, 100, False, True)
    assert b.wait_for_change(1.0) is True and b._hooks_failed
    assert any("GetMessageW failed" in r.getMessage() for r in caplog.records)
    assert sum(1 for c in api.calls if c[0] == "unhook") == 3


class FakeDllFunction:
    def __init__(self, name, log, results):
        self.name, self.log, self.results = name, log, results
        self.argtypes, self.restype = None, None

    def __call__(self, *args):
        self.log.append((self.name, args))
        return self.results.get(self.name, 1)


class FakeDll:
    """Stands in for ctypes.WinDLL("user32"/"kernel32"): records prototypes and calls."""

    def __init__(self, log, results):
        self._log, self._results, self._fns = log, results, {}

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self._fns.setdefault(name, FakeDllFunction(name, self._log, self._results))


def test_win32api_hook_wrappers_declare_the_documented_prototypes(monkeypatch):
    import ctypes
    from ctypes import wintypes as w

    from agent.platform.windows import Win32Api
    log, dlls = [], {}
    results = {"SetWinEventHook": 0xBEEF, "GetMessageW": 0, "GetCurrentThreadId": 77, "PostThreadMessageW": 1}
    monkeypatch.setattr(ctypes, "WinDLL", lambda name, **kw: dlls.setdefault(name, FakeDll(log, results)),
                        raising=False)
    monkeypatch.setattr(ctypes, "WINFUNCTYPE", ctypes.CFUNCTYPE, raising=False)
    api = Win32Api()
    u = dlls["user32"]
    assert u.SetWinEventHook.argtypes[:3] == [w.DWORD, w.DWORD, w.HMODULE]
    assert u.SetWinEventHook.argtypes[4:] == [w.DWORD, w.DWORD, w.DWORD] and u.SetWinEventHook.restype is w.HANDLE
    assert u.UnhookWinEvent.argtypes == [w.HANDLE]
    assert u.PostThreadMessageW.argtypes == [w.DWORD, w.UINT, w.WPARAM, w.LPARAM]
    got = []
    cb = api.win_event_callback(lambda *a: got.append(a))
    cb(1, EVENT_SYSTEM_FOREGROUND, 5, OBJID_WINDOW, 0, 9, 1234)   # called as user32 would
    assert got == [(1, EVENT_SYSTEM_FOREGROUND, 5, 0, 0, 9, 1234)]
    assert api.thread_id() == 77
    api.make_queue()
    assert api.set_win_event_hook(0x800B, 0x800C, cb, 2) == 0xBEEF
    assert api.get_message() == 0 and api.post_quit(77) is True and api.unhook(0xBEEF) is True
    calls = {name: args for name, args in log}
    assert calls["SetWinEventHook"][:3] == (0x800B, 0x800C, None) and calls["SetWinEventHook"][3] is cb
    assert calls["SetWinEventHook"][4:] == (0, 0, 2)
    assert calls["PeekMessageW"][1:] == (None, 0x0400, 0x0400, 0)        # WM_USER, PM_NOREMOVE
    assert calls["PostThreadMessageW"] == (77, 0x0012, 0, 0)            # WM_QUIT
    assert calls["UnhookWinEvent"] == (0xBEEF,)


class CursorWin32(FakeWin32):
    def __init__(self, wins, fg, cursor):
        super().__init__(wins, fg)
        self.cursor = cursor

    def cursor_info(self):
        if self.cursor is None:
            raise OSError("GetCursorInfo failed")
        return self.cursor


def test_hidden_cursor_and_keyboard_lock_on_windows():
    """GetCursorInfo: hidden (flags 0) or no cursor (NULL handle, a page's cursor: none)
    over the window counts; elsewhere it does not; a failing call says "cannot tell".
    The keyboard lock (Chromium's low-level hook) cannot be seen: always None."""
    full = {1: ("Alert", "Chrome_WidgetWin_1", (0, 0, 1920, 1080), (0, 0, 1920, 1080), 10, False, True)}
    for cursor, hidden in (((1, 0x10005, 500, 400), False), ((1, 0, 500, 400), True), ((0, 0x10005, 500, 400), True),
                           ((1, 0, 2500, 400), False), (None, None)):
        b = WindowsBackend(api=CursorWin32(full, 1, cursor), process=lambda pid: ("chrome.exe", ""))
        assert b.cursor_hidden(1) is hidden, cursor
    assert WindowsBackend(api=CursorWin32(full, 1, None), process=lambda pid: ("chrome.exe", "")).keyboard_locked(1) is None
