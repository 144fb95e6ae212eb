"""macOS backend logic against faked Quartz calls (the real ones cannot run here)."""
from agent.platform.macos import MacBackend


class FakeQuartz:
    def __init__(self, windows, front, displays=((0, 0, 1440, 900),), allowed=True):
        self.windows, self.front, self.d, self.allowed = windows, front, list(displays), allowed

    def window_list(self):
        return list(self.windows)

    def displays(self):
        return self.d

    def frontmost_pid(self):
        return self.front

    def screen_capture_allowed(self):
        return self.allowed


def win(num, pid, owner, title, x, y, w, h, layer=0):
    return {"kCGWindowNumber": num, "kCGWindowOwnerPID": pid, "kCGWindowOwnerName": owner,
            "kCGWindowName": title, "kCGWindowLayer": layer,
            "kCGWindowBounds": {"X": x, "Y": y, "Width": w, "Height": h}}


def mac(windows, front, **kw):
    return MacBackend(api=FakeQuartz(windows, front, **kw), exe_of=lambda pid: f"/Applications/{pid}",
                      sleep=lambda s: None)


def test_front_window_fullscreen_and_menu_bar_skipped():
    ws = [win(1, 50, "Window Server", "Menubar", 0, 0, 1440, 25, layer=25),
          win(7, 300, "Safari", "Alerte de sécurité", 0, 0, 1440, 900),
          win(8, 400, "Mail", "Inbox", 100, 100, 800, 600)]
    b = mac(ws, 300)
    w = b.active_window()
    assert w.id == 7 and w.fullscreen and w.process_name == "Safari" and w.title == "Alerte de sécurité"
    assert w.exe == "/Applications/300"
    assert [x.id for x in b.windows()] == [7, 8]
    assert not b.windows()[1].fullscreen


def test_zoomed_window_is_maximised_and_second_display():
    ws = [win(9, 300, "Google Chrome", "News", 0, 25, 1440, 875),
          win(10, 301, "Firefox", "Kiosk", 1440, 0, 1920, 1080)]
    b = mac(ws, 300, displays=((0, 0, 1440, 900), (1440, 0, 1920, 1080)))
    w = b.active_window()
    assert w.maximized and not w.fullscreen
    k = b.windows()[1]
    assert k.fullscreen and k.monitor == (1440, 0, 1920, 1080)


def test_permission_problem_in_plain_words():
    assert mac([], 0, allowed=False).problems("en")[0].startswith("macOS screen recording is not allowed")
    assert mac([], 0, allowed=False).problems("fr")[0].startswith("macOS n'autorise pas Vigie")
    assert mac([], 0).problems() == []
    assert mac([], 0).active_window() is None


def test_wait_for_change():
    ws = [win(7, 300, "Safari", "A", 0, 0, 800, 600)]
    b = mac(ws, 300)
    assert b.wait_for_change(0) is True
    assert b.wait_for_change(0) is False
    ws[0] = win(7, 300, "Safari", "B", 0, 0, 800, 600)
    assert b.wait_for_change(1) is True
