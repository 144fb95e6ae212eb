"""Screen trigger rules, the watcher thread (fake backend), and the cheap looks."""
import threading

from PIL import Image, ImageDraw

from agent.platform.base import WindowInfo
from agent.platform.fake import FakeBackend
from agent.watch import catalog, look, screen
from agent.watch.screen import ScreenRules, ScreenWatcher
from agent.watch.situation import Situation

MON = (0, 0, 1280, 720)


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def chrome(title="Page - Chromium", full=False, maxi=False, wid=1):
    return WindowInfo(wid, title, 10, "chromium", "/usr/lib/chromium/chromium", 0, 0,
                      1280 if full else 800, 720 if full else 600, MON, full, maxi, "chromium.Chromium")


def rules(clock=None, situation=None):
    return ScreenRules(catalog.get(), situation or Situation(), 5.0, clock or Clock())


def kinds(trigs):
    """The scan/context triggers ("warm" is checked on its own below)."""
    return [t.kind for t in trigs if t.kind != "warm"]


def test_a_browser_in_front_asks_for_warm_ocr_once_a_minute():
    clock = Clock()
    r = rules(clock)
    assert [t.kind for t in r.decide(chrome())] == ["warm"]
    clock.t += 30
    assert "warm" not in [t.kind for t in r.decide(chrome("Other"))]
    clock.t += 31
    assert "warm" in [t.kind for t in r.decide(chrome("Other again"))]
    assert r.decide(WindowInfo(5, "Terminal", 11, "xterm", wm_class="xterm.XTerm")) == []


def test_fullscreen_then_rescans_at_the_interval():
    clock = Clock()
    r = rules(clock)
    assert kinds(r.decide(chrome())) == []
    assert kinds(r.decide(chrome(full=True))) == ["fullscreen"]
    assert r.rescan_due_in() == 5.0
    clock.t += 2
    assert kinds(r.decide(chrome(full=True))) == []
    clock.t += 3
    assert r.rescan_due_in() == 0
    assert kinds(r.decide(chrome(full=True))) == ["rescan"]
    assert kinds(r.decide(chrome("Loaded - Chromium", full=True))) == ["rescan"], "title change on a fullscreen page"
    assert kinds(r.decide(chrome("Loaded - Chromium"))) == []
    assert r.rescan_due_in() is None, "no re-scans once it leaves fullscreen"
    assert kinds(r.decide(chrome("Loaded - Chromium", full=True))) == ["fullscreen"]


def test_non_browser_covering_the_screen_gets_one_look_per_title():
    """A fullscreen program that is not a browser (a video player, or a locker written as a
    desktop program): one "maximized" trigger per window and title — the worker reads it
    only if one capture has a locked-alert look — and a "title" trigger at once when its
    title is alarming. Windows that do not cover the screen and Vigie's own are left alone."""
    r = rules()
    video = WindowInfo(3, "Film", 5, "vlc", "/usr/bin/vlc", 0, 0, 1280, 720, MON, True, False, "vlc.vlc")
    assert kinds(r.decide(video)) == ["maximized"]
    assert r.decide(video) == [] and r.decide(None) == [], "once per window and title"
    locker = WindowInfo(4, "Windows Defender", 6, "python3", "", 0, 0, 1280, 720, MON, True, False, "tk.Tk")
    t = r.decide(locker)
    assert kinds(t) == ["title"] and t[0].details["title_word"] == "windows defender"
    assert r.decide(WindowInfo(5, "Windows Defender", 7, "xterm", "", 0, 0, 600, 400, MON, False, False, "xterm")) == []
    assert r.decide(WindowInfo(6, "Vigie", 8, "python3", "", 0, 0, 1280, 720, MON, True, False, "vigie.Vigie")) == []


def test_fullscreen_entries_are_counted_per_window():
    """The page taking the screen back after the person or Vigie left fullscreen: each
    entry into fullscreen of the same window is counted while it is in front."""
    clock = Clock()
    r = rules(clock)
    assert r.decide(chrome(full=True))[-1].details["fullscreen_entries"] == 1
    r.decide(chrome())
    again = r.decide(chrome(full=True))
    assert kinds(again) == ["fullscreen"] and again[0].details["fullscreen_entries"] == 2
    clock.t += 6
    assert r.decide(chrome(full=True))[0].details["fullscreen_entries"] == 2, "a rescan is no new entry"


def test_suspicious_title_rate_limited_and_maximised():
    clock = Clock()
    r = rules(clock)
    assert kinds(r.decide(chrome("Recipes - Chromium"))) == []
    t = r.decide(chrome("Security Alert - Chromium"))
    assert kinds(t) == ["title"] and t[0].details["title_word"] == "security alert"
    assert kinds(r.decide(chrome("Virus detected - Chromium"))) == [], "rate-limited"
    clock.t += 6
    assert kinds(r.decide(chrome("Virus detected! - Chromium"))) == ["title"]
    clock.t += 6
    assert kinds(r.decide(chrome("News - Chromium", maxi=True))) == ["maximized"]
    clock.t += 6
    assert kinds(r.decide(chrome("News - Chromium", maxi=True))) == [], "same title: nothing new"


def test_bank_site_while_remote_tool_runs():
    sit = Situation()
    r = rules(situation=sit)
    assert kinds(r.decide(chrome("Crédit Agricole - Mes comptes"))) == []
    sit.tool_started(99, catalog.get().tool("anydesk"), {"exe": "/tmp/AnyDesk"})
    r.decide(chrome("Accueil - Chromium"))
    t = r.decide(chrome("Crédit Agricole - Mes comptes"))
    assert kinds(t) == ["risky_context"] and t[0].details["kind"] == "bank_site"
    r.decide(chrome("Accueil - Chromium"))
    assert r.decide(chrome("Crédit Agricole - Mes comptes")) == [], "reported once"


def test_watcher_thread_with_fake_backend():
    fb = FakeBackend([chrome()])
    got, stop = [], threading.Event()
    seen = threading.Event()

    def put(t):
        if t.kind != "warm":
            got.append(t)
            seen.set()

    w = ScreenWatcher(fb, rules(), put, stop)
    w.start()
    fb.set_windows([chrome(full=True)])
    assert seen.wait(10)
    stop.set()
    w.join(5)
    assert not w.is_alive() and fb.closed
    assert got[0].kind == "fullscreen" and got[0].window.fullscreen


def test_watcher_survives_backend_errors():
    class Broken(FakeBackend):
        calls = 0

        def active_window(self):
            Broken.calls += 1
            raise RuntimeError("display went away")

    fb = Broken([chrome()])
    errors, stop = [], threading.Event()
    w = ScreenWatcher(fb, rules(), lambda t: None, stop, on_error=lambda k, e: (errors.append(k), stop.set()))
    w.start()
    fb.set_windows([chrome(full=True)])
    w.join(10)
    assert errors == ["screen"] and Broken.calls >= 1


def test_watcher_hands_the_backends_new_problems_to_the_agent(monkeypatch):
    """A trouble the backend finds while running (Windows: WinEvent hooks gone silent) is
    asked for every PROBLEMS_EVERY s and handed on when the list changes, not before."""
    monkeypatch.setattr(screen, "PROBLEMS_EVERY", 30.0)
    now = [100.0]
    fb = FakeBackend([chrome()])
    seen = []
    w = ScreenWatcher(fb, rules(), lambda t: None, threading.Event(), on_problems=seen.append, clock=lambda: now[0])
    fb.set_problems(["hooks silent"])
    w.check_problems()
    assert seen == [], "not due yet"
    now[0] += 30
    w.check_problems()
    now[0] += 30
    w.check_problems()
    assert seen == [["hooks silent"]], "once per change"
    fb.set_problems([])
    now[0] += 30
    w.check_problems()
    assert seen == [["hooks silent"], []]


def test_looks():
    blue = Image.new("RGB", (640, 360), (10, 90, 200))
    ImageDraw.Draw(blue).rectangle((160, 90, 480, 270), fill="white")
    white = Image.new("RGB", (640, 360), "white")
    ImageDraw.Draw(white).text((20, 20), "An article about gardening", fill="black")
    assert look.looks_locked(blue) and not look.looks_locked(white)
    assert look.is_blank(Image.new("RGB", (640, 360), "white")) and not look.is_blank(blue)
    assert look.fingerprint(blue) == look.fingerprint(blue.copy())
    assert look.fingerprint(blue) != look.fingerprint(white)
