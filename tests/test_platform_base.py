"""Platform layer: backend choice, geometry rules, the fake backend."""
import os
import subprocess
import sys

import pytest
from PIL import Image

from agent import platform
from agent.platform import base
from agent.platform.base import PlatformUnavailable, WindowInfo
from agent.platform.fake import FakeBackend


def test_choose_override_then_os():
    assert platform.choose({"VIGIE_PLATFORM": "fake"}, "linux") == "fake"
    assert platform.choose({"VIGIE_PLATFORM": " X11 "}, "win32") == "x11"
    assert platform.choose({}, "win32") == "windows"
    assert platform.choose({}, "darwin") == "macos"
    assert platform.choose({"DISPLAY": ":0"}, "linux") == "x11"
    with pytest.raises(PlatformUnavailable, match="not one of"):
        platform.choose({"VIGIE_PLATFORM": "beos"}, "linux")
    with pytest.raises(PlatformUnavailable, match="Wayland"):
        platform.choose({"WAYLAND_DISPLAY": "wayland-0"}, "linux")


def test_get_is_lazy_and_cached(monkeypatch):
    monkeypatch.setenv("VIGIE_PLATFORM", "fake")
    platform.reset()
    try:
        b = platform.get()
        assert b.name == "fake" and platform.get() is b
    finally:
        platform.reset()


def test_import_does_not_touch_the_display():
    code = ("import sys, agent.platform, agent.platform.x11, agent.platform.windows, agent.platform.macos, "
            "agent.app, agent.watch.screen, agent.watch.worker, agent.cli.run; "
            "bad = [m for m in ('Xlib.display', 'mss', 'pystray', 'tkinter') if m in sys.modules]; print(bad)")
    env = dict(os.environ, DISPLAY=":987")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_x11_without_display_is_a_clear_problem():
    from agent.platform.x11 import X11Backend
    b = X11Backend(display_name=":987")
    problems = b.problems()
    assert problems and ":987" in problems[0]
    with pytest.raises(PlatformUnavailable):
        b.active_window()


def test_geometry_rules():
    mon = (0, 0, 1920, 1080)
    assert base.covers((0, 0, 1920, 1080), mon)
    assert base.covers((-1, -1, 1922, 1082), mon)
    assert not base.covers((0, 30, 1920, 1050), mon)
    assert not base.covers((0, 0, 1920, 1080), (0, 0, 0, 0))
    second = (1920, 0, 1280, 1024)
    assert base.monitor_for((2000, 100, 800, 600), [mon, second]) == second
    assert base.monitor_for((5000, 5000, 10, 10), [mon, second]) == mon
    assert base.covers((1920, 0, 1280, 1024), base.monitor_for((1920, 0, 1280, 1024), [mon, second]))
    assert base.clip((-10, -10, 3000, 500), mon) == (0, 0, 1920, 490)
    assert base.clip((5000, 0, 10, 10), mon) == mon
    assert base.nearly_maximized((0, 0, 1900, 1000), mon) and not base.nearly_maximized((0, 0, 900, 1000), mon)
    assert base.base_name(r"C:\Program Files\AnyDesk\AnyDesk.exe") == "AnyDesk.exe"
    assert base.base_name("/usr/bin/anydesk") == "anydesk"


def test_window_info_json():
    w = WindowInfo(5, "t", 12, "p", "/x/p", 1, 2, 3, 4, (0, 0, 10, 10), True, False, "a.B", extra={"k": 1})
    j = w.to_json()
    assert j["monitor"] == [0, 0, 10, 10] and "extra" not in j and j["fullscreen"] is True
    assert w.rect == (1, 2, 3, 4)


def test_fake_backend_changes_and_capture():
    w1 = WindowInfo(1, "one", width=200, height=100)
    fb = FakeBackend([w1])
    assert fb.active_window() == w1
    assert fb.capture(w1).size == (200, 100)
    assert fb.capture().size == fb.screen_size
    assert fb.wait_for_change(0.0) is False
    red = Image.new("RGB", (10, 10), "red")
    fb.set_image(1, red)
    assert fb.wait_for_change(0.0) is True
    assert fb.capture(w1).getpixel((0, 0)) == (255, 0, 0)
    fb.fail_capture(OSError("gone"))
    with pytest.raises(OSError):
        fb.capture(w1)
    fb.set_windows([], None)
    assert fb.active_window() is None and fb.windows() == []


def test_api_backend_makes_its_api_once_and_captures_the_visible_part(monkeypatch):
    from agent.platform import capture  # noqa: PLC0415
    made, grabbed, closed = [], [], []

    class Backend(base.ApiBackend):
        def make_api(self):
            made.append(1)
            return object()

    monkeypatch.setattr(capture, "grab", lambda rect: grabbed.append(rect) or "image")
    monkeypatch.setattr(capture, "close", lambda: closed.append(1))
    b = Backend()
    assert b.api is b.api and made == [1]
    win = WindowInfo(1, x=1800, y=-10, width=400, height=300, monitor=(0, 0, 1920, 1080))
    assert b.capture(win) == "image" and b.capture() == "image"
    assert grabbed == [(1800, 0, 120, 290), None]     # cut to its monitor; None: the whole screen
    b.close()
    assert closed == [1]
    fake = object()
    assert Backend(api=fake).api is fake and made == [1]   # tests pass a fake api
