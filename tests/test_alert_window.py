"""The alert window for real: above a fullscreen Chromium under openbox, focused, driven
with xdotool (mouse and keyboard), and its "Close this page for me" really ends Chromium."""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
from types import SimpleNamespace

import mss
import psutil
import pytest
from PIL import Image

from agent import events
from agent.config import Settings
from agent.detect.verdict import Signal, Verdict
from agent.respond import contain
from agent.respond.evidence import store as evidence
from agent.respond.gui.process import GuiProcess
from agent.respond.responder import Responder
from tests.waiting import wait_for

pytestmark = pytest.mark.desktop
PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Vigie test page</title></head>
<body style="margin:0;background:#0050ef;color:#fff;font:48px sans-serif">
<p style="padding:80px">Fictitious test page for Vigie.<br>Support line: +1-800-555-0199</p></body></html>"""


class Recorder:
    """Stands for the helper notifier (another module): records what it is given."""

    def __init__(self):
        self.calls = []

    def notify(self, kind, data, attachments=()):
        self.calls.append((kind, data, list(attachments)))


wait_until = wait_for   # same defaults: 30 s, every 0.1 s


def xprop(*args) -> str:
    return subprocess.run(["xprop", *args], capture_output=True, text=True).stdout


def active_window() -> int:
    out = subprocess.run(["xdotool", "getactivewindow"], capture_output=True, text=True).stdout.strip()
    return int(out) if out else 0


def stacking() -> list[int]:
    line = xprop("-root", "_NET_CLIENT_LIST_STACKING")
    return [int(w, 16) for w in line.split("#", 1)[1].replace(" ", "").split(",")] if "#" in line else []


def screenshot(path=None) -> Image.Image:
    with mss.MSS() as m:
        s = m.grab(m.monitors[1])
    img = Image.frombytes("RGB", s.size, s.rgb)
    if path:
        img.save(path)
    return img


def click(rect):
    x, y, w, h = rect
    subprocess.run(["xdotool", "mousemove", str(x + w // 2), str(y + h // 2), "click", "1"], check=True)


def key(*keys):
    subprocess.run(["xdotool", "key", *keys], check=True)


@pytest.fixture
def chromium(desktop, tmp_path):
    """A fullscreen (kiosk) Chromium showing our own page; ended afterwards."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        pytest.skip("Chromium is not installed")
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    proc = subprocess.Popen([exe, "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                             "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
                             "--kiosk", page.as_uri()], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def fullscreen_window():
        w = active_window()
        props = xprop("-id", str(w), "_NET_WM_PID", "_NET_WM_STATE") if w else ""
        return w if f"= {proc.pid}" in props and "FULLSCREEN" in props else 0
    try:
        assert wait_until(fullscreen_window, 60), "Chromium did not go fullscreen"
        yield SimpleNamespace(proc=proc, window=fullscreen_window())
    finally:
        if proc.poll() is None:
            contain.terminate_tree(proc.pid)
        proc.wait(10)


def window_info(win, pid):
    return SimpleNamespace(id=win, title="Vigie test page", pid=pid, process_name="chromium",
                           exe="/usr/lib/chromium/chromium", x=0, y=0, width=1920, height=1080,
                           monitor=(0, 0, 1920, 1080), fullscreen=True, maximized=False, wm_class="Chromium")


def verdict():
    return Verdict("scam", "tss", 0.91, ["+1-800-555-0199"], ["+18005550199"],
                   [Signal("phone", "tss", 0.3, "+1-800-555-0199", "en")], "en", 300.0,
                   "Fictitious test page for Vigie. Support line: +1-800-555-0199")


@pytest.mark.chromium
def test_alert_above_fullscreen_chromium_and_close_page(chromium, tmp_path):
    notifier = Recorder()
    settings = Settings(language="en", speak=False, helper_name="Julie", helper_phone="+1-800-555-0123",
                        helper_attach_screenshot=True)
    r = Responder(settings, notifier)
    try:
        t0 = time.monotonic()
        incident = r.on_scam(verdict(), screenshot(), window_info(chromium.window, chromium.proc.pid), None)
        returned = time.monotonic() - t0
        assert incident is not None and evidence.verify(incident) == []
        kind, data, attachments = notifier.calls[0]
        assert kind == "scam" and data["incident"] == incident.name and data["phones"] == ["+1-800-555-0199"]
        assert attachments == [incident / "screenshot.png"]
        # the same scam seen again by the next scan is not alerted twice
        assert r.on_scam(verdict(), None, window_info(chromium.window, chromium.proc.pid), None) == incident
        assert len(r.processes) == 1
        gui = r.processes[-1]
        shown = gui.wait_for("shown", 30)
        print(f"on_scam returned in {returned * 1000:.0f} ms; window shown after {time.monotonic() - t0:.2f} s")
        assert shown and list(shown["buttons"]) == ["close_page", "call_helper", "show_steps", "safe"]

        # stacking and focus: the alert is active, above the still-fullscreen Chromium
        assert wait_until(lambda: "Vigie" in xprop("-id", str(active_window()), "WM_CLASS"), 10)
        alert = active_window()
        assert "_NET_WM_STATE_ABOVE" in xprop("-id", str(alert), "_NET_WM_STATE")
        order = stacking()
        assert order.index(chromium.window) < order.index(alert) == len(order) - 1
        # the screen is taken back: the page has left fullscreen, a calm layer hides it
        assert wait_until(lambda: "FULLSCREEN" not in xprop("-id", str(chromium.window), "_NET_WM_STATE"), 10)
        def header_pixels():   # the dark red header, once Tk has painted it
            return dict((c, n) for n, c in screenshot().getcolors(1 << 24)).get((0x8B, 0, 0), 0)
        assert wait_until(lambda: header_pixels() > 50_000, 10)   # the header is visible
        shot = screenshot(tmp_path / "alert-over-chromium.png")
        x, y, w, h = shown["buttons"]["close_page"]
        assert shot.getpixel((x + w // 2, y + 5)) != (0, 0x50, 0xEF)   # not the page's blue
        assert shot.getpixel((5, shot.height - 5)) == (0x26, 0x32, 0x3D)  # the layer, not the page
        assert (0, 0x50, 0xEF) not in dict((c, n) for n, c in shot.getcolors(1 << 24))

        click(shown["buttons"]["close_page"])
        action = gui.wait_for("action", 60, action="close_page")
        assert action, (gui.lines, screenshot(tmp_path / "after-click.png") and active_window(), stacking())
        assert action["ok"] is True and action["browser_pid"] == chromium.proc.pid
        assert action["how"] in ("tab", "browser")
        assert chromium.proc.wait(15) is not None
        assert not psutil.pid_exists(chromium.proc.pid) or not contain.alive(chromium.proc.pid)
        view = gui.wait_for("view", 10)
        assert "close_page" not in view["buttons"]
        assert wait_until(lambda: any(c[0] == "alert_action" and c[1]["action"] == "close_page"
                                      for c in notifier.calls), 10)

        # keyboard only: Enter on the focused first button, Escape back, Tab + Enter, Escape, Alt+I
        key("Return")
        assert gui.wait_for("view", 10, view="helper")
        key("Escape")
        assert wait_until(lambda: [ln.get("view") for ln in gui.lines if ln["event"] == "view"][-1:] == ["main"], 10)
        key("Escape")                                         # on the first screen Esc does nothing
        key("Tab", "Return")                                  # focus: "Call my helper" → "Show me what to do"
        assert gui.wait_for("view", 10, view="steps")
        key("Escape", "alt+i")
        assert gui.wait_for("action", 10, action="safe")
        assert gui.proc.wait(10) == 0
        actions = [e["action"] for e in events.read() if e["type"] == "alert_action"]
        assert actions == ["close_page", "call_helper", "show_steps", "safe"]
        assert all(e["incident"] == incident.name for e in events.read() if e["type"] == "alert_action")
        assert [e["type"] for e in events.read()][0] == "alert_shown"
    finally:
        r.close_windows()


def run_window(*args) -> GuiProcess:
    return GuiProcess([sys.executable, "-m", "agent.respond.gui.alert_window", *args])


def test_french_at_200_percent_fits_the_screen_and_test_kind(tmp_path):
    gui = run_window("--kind", "test", "--lang", "fr", "--scale", "2", "--helper-name", "Julie",
                     "--helper-phone", "01 99 00 12 34")
    try:
        shown = gui.wait_for("shown", 30)
        assert shown and set(shown["buttons"]) == {"close_page", "call_helper", "show_steps", "safe"}
        with mss.MSS() as m:
            sw, sh = m.monitors[1]["width"], m.monitors[1]["height"]
        for x, y, w, h in shown["buttons"].values():
            assert 0 <= x and x + w <= sw and 0 <= y and y + h <= sh
            assert h >= 80                                  # big buttons at 200%
        screenshot(tmp_path / "fr-200.png")
        click(shown["buttons"]["close_page"])               # a test alert has no page to close
        action = gui.wait_for("action", 20)
        assert action["action"] == "close_page" and action["ok"] is False
        key("alt+a")                                        # « &Appeler mon aidant »
        view = gui.wait_for("view", 20, view="helper")
        for x, y, w, h in view["buttons"].values():
            assert y + h <= sh
        screenshot(tmp_path / "fr-200-helper.png")
        key("alt+j")                                        # « &Je suis en sécurité »
        assert gui.wait_for("action", 20, action="safe") and gui.proc.wait(10) == 0
    finally:
        gui.close()


def test_the_same_page_back_is_alerted_again_and_the_helper_told_once(desktop):
    """A page back within the quiet time (the same window, process and family, after
    "I'm safe"): the person gets the alert again at once — "this page is still open", the
    same incident, no new evidence — and the helper is not sent a second message."""
    notifier = Recorder()
    r = Responder(Settings(language="en", speak=False), notifier)
    w = window_info(0x3ffff01, psutil.Process().pid)     # a browser window already gone: no page to close
    try:
        first = r.on_scam(verdict(), screenshot(), w, "fullscreen")
        gui = r.processes[-1]
        assert first is not None and gui.wait_for("shown", 30)
        for _attempt in range(3):                           # "&I'm safe", once the alert takes keys
            assert wait_until(lambda: active_window() and "Vigie" in xprop("-id", str(active_window()), "WM_CLASS"))
            key("alt+i")
            if gui.wait_for("action", 5, action="safe"):
                break
        assert gui.proc.wait(20) == 0 and not r.alert_open()
        back = r.on_scam(verdict(), screenshot(), w, "fullscreen")
        assert back == first
        again = r.processes[-1]
        assert again is not gui and "--again" in again.argv and again.wait_for("shown", 30) and r.alert_open()
        assert [kind for kind, _data, _att in notifier.calls].count("scam") == 1
        ev = next(e for e in events.read() if e["type"] == "alert_again")
        assert ev["reason"] == "back" and ev["incident"] == first.name
        assert len([e for e in events.read() if e["type"] == "alert_shown"]) == 2
        assert r.on_scam(verdict(), screenshot(), w, "rescan") == first and r.processes[-1] is again   # open: once
    finally:
        r.close_windows()
