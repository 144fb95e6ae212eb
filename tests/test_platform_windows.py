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
