"""A scam page that fights back, against the live agent (real X11 desktop, real Chromium,
real dunst, a real PulseAudio server, real Tesseract, the real Responder and alert window).

The page (tests/pages/attack_locker.html) goes fullscreen on the first click, locks the
keyboard, plays a looping tone, sets ``beforeunload`` and loops JS dialogs. After the
detection, a click on the page, Escape, the window being put back in fullscreen and the
page's window being activated must each leave the alert on top and focused; the page's
sound is muted; "Close this page for me" ends it, and a fresh start of Chromium with the
same profile does not show it again. Screenshots, the tray state at each step and how long
each take-back took go to build/artefacts/takeback/ (gitignored), for people to look at.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import mss
import pytest
from PIL import Image

from agent import events, platform
from agent.app import Agent
from agent.config import Settings
from agent.respond import contain, desktop_notify
from agent.respond.gui.process import GuiProcess
from agent.respond.responder import Responder
from tests import waiting
from tests.chromium import Browser, executable as chromium_exe
from tests.pulse import pulse_server, sink_inputs  # noqa: F401 - the fixture

pytestmark = [pytest.mark.desktop, pytest.mark.chromium]
ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "tests" / "pages"
ARTEFACTS = ROOT / "build" / "artefacts"
LAYER = (0x26, 0x32, 0x3D)
SCAM_TITLE = "Windows Defender Security Alert"


def run(*cmd) -> str:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout


def active() -> int:
    out = run("xdotool", "getactivewindow").strip()
    return int(out) if out.isdigit() else 0


def stacking() -> list[int]:
    line = run("xprop", "-root", "_NET_CLIENT_LIST_STACKING")
    return [int(w, 16) for w in line.split("#", 1)[1].replace(" ", "").split(",")] if "#" in line else []


def fullscreen(wid: int) -> bool:
    return "_NET_WM_STATE_FULLSCREEN" in run("xprop", "-id", str(wid), "_NET_WM_STATE")


def alert_in_front() -> int:
    """The alert's window id when it is the active window and on top of the stack, else 0."""
    wid = active()
    if not wid or "Vigie" not in run("xprop", "-id", str(wid), "WM_CLASS"):
        return 0
    order = stacking()
    return wid if order and order[-1] == wid else 0


def screenshot(path: Path | None = None) -> Image.Image:
    with (mss.MSS() if hasattr(mss, "MSS") else mss.mss()) as m:
        s = m.grab(m.monitors[1])
    img = Image.frombytes("RGB", s.size, s.rgb)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        img.save(path)
    return img


def find_window(name: str, pid: int | None = None, timeout: float = 60.0) -> int:
    def look():
        for w in run("xdotool", "search", "--onlyvisible", "--name", name).split():
            if pid is None or f"= {pid}" in run("xprop", "-id", w, "_NET_WM_PID"):
                return int(w)
        return 0
    wid = waiting.wait_for(look, timeout, 0.2)
    assert wid, f"no window named {name!r}"
    return wid


@pytest.fixture
def browser(desktop, pulse_server, tmp_path):  # noqa: F811 - the fixture imported above
    exe = chromium_exe()
    if not exe:
        pytest.skip("Chromium is not installed")
    b = Browser(exe, Path(tempfile.mkdtemp(prefix="vigie-takeback-")))   # one profile: restarts see its session
    yield b
    b.stop()
    shutil.rmtree(b.profile, ignore_errors=True)


@pytest.fixture
def live_agent(desktop, tmp_path, monkeypatch):
    """The agent with its real Responder (no speech: there is no one to hear it)."""
    monkeypatch.setenv("VIGIE_PLATFORM", "x11")
    platform.reset()
    settings = Settings(language="en", speak=False, ocr_languages="fra+eng")
    a = Agent(settings, [], responder=Responder(settings), downloads_dir=tmp_path / "dl")
    a.start()
    waiting.wait_event(lambda e: e["type"] == "started")
    yield a
    a.responder.close_windows()
    a.stop()
    platform.reset()


def click_until_fullscreen(wid: int) -> None:
    for _attempt in range(6):
        # a synthetic click may land before the page takes user gestures: click again
        run("xdotool", "windowactivate", "--sync", str(wid))
        run("xdotool", "mousemove", "--window", str(wid), "300", "300", "click", "1")
        if waiting.wait_for(lambda: fullscreen(wid), 5.0):
            return
    raise AssertionError("the page did not go fullscreen")


def browser_streams(server: str, root: int) -> list[dict]:
    pids = {p.pid for p in contain.browser_processes(root)}
    return [s for s in sink_inputs(server) if s["pid"] in pids]


def test_a_page_that_fights_back_cannot_bury_the_alert(live_agent, browser, pulse_server):  # noqa: F811
    out = ARTEFACTS / "takeback"
    shutil.rmtree(out, ignore_errors=True)
    steps: list[dict] = []

    def step(name: str, **extra) -> None:
        screenshot(out / f"{len(steps):02d}-{name}.png")
        steps.append({"step": name, "tray": live_agent.state, **extra})

    chrome = browser.start("--window-size=1000,700", "--window-position=50,50", (PAGES / "attack_locker.html").as_uri())
    wid = find_window(SCAM_TITLE, chrome.pid)
    click_until_fullscreen(wid)
    assert waiting.wait_for(lambda: browser_streams(pulse_server, chrome.pid), 30), "the page's tone never played"
    step("page-fullscreen")

    shown_ev = waiting.wait_event(lambda e: e["type"] == "alert_shown", 90)
    assert shown_ev["pid"] == chrome.pid
    gui: GuiProcess = live_agent.responder.processes[-1]
    shown = gui.wait_for("shown", 30)
    assert shown, "the alert window did not show"
    # the screen is taken back: out of fullscreen, calm layer, alert in front, page silent
    assert waiting.wait_for(lambda: not fullscreen(wid), 10), "the page stayed fullscreen"
    assert waiting.wait_for(alert_in_front, 10), "the alert is not in front"
    assert waiting.wait_for(lambda: all(s["muted"] for s in browser_streams(pulse_server, chrome.pid)), 10)
    shot = screenshot()
    assert shot.getpixel((5, shot.height - 5)) == LAYER
    assert (0, 0x50, 0xA0) not in {c for _n, c in shot.getcolors(1 << 24)}, "the page's blue is still visible"
    assert live_agent.state == "alert"
    step("alert-shown", muted=True)

    def retakes() -> list[dict]:
        return [ln for ln in gui.lines if ln.get("event") == "retake"]

    def attack(name: str, *cmd, steals: bool = True) -> None:
        before = len(retakes())
        t0 = time.monotonic()
        subprocess.run(cmd, capture_output=True, timeout=30)
        if steals:   # the attack took effect, and the alert took the front back
            assert waiting.wait_for(lambda: len(retakes()) > before, 10), f"{name}: no take-back seen"
        # the attack may take effect a moment later: wait until it did, then until the alert is back
        back = waiting.wait_for(lambda: alert_in_front() and not fullscreen(wid), 10, 0.02)
        took = time.monotonic() - t0
        assert back, f"after {name} the alert is not in front (or the page is fullscreen again)"
        assert gui.running(), f"{name} closed the alert"
        assert live_agent.state == "alert", f"the tray says {live_agent.state} after {name}"
        step(name, back_after_s=round(took, 3), retake=retakes()[-1] if steals else None)

    attack("click-on-page", "xdotool", "mousemove", "200", "200", "click", "1", steals=False)
    assert gui.wait_for("layer_click", 10), "the click did not land on Vigie's layer"
    attack("page-window-activated", "xdotool", "windowactivate", str(wid))
    attack("escape", "xdotool", "key", "Escape", steals=False)
    attack("fullscreen-again", "wmctrl", "-i", "-r", str(wid), "-b", "add,fullscreen")
    attack("escape-again", "xdotool", "key", "Escape", "Escape", steals=False)
    assert not any(a.get("action") == "safe" for a in gui.actions), "Escape counted as \"I'm safe\""
    assert all(s["muted"] for s in browser_streams(pulse_server, chrome.pid))

    # "Close this page for me"
    x, y, w, h = shown["buttons"]["close_page"]
    run("xdotool", "mousemove", str(x + w // 2), str(y + h // 2), "click", "1")
    action = gui.wait_for("action", 60, action="close_page")
    assert action and action["ok"] is True, action
    assert waiting.wait_for(lambda: not run("xdotool", "search", "--name", SCAM_TITLE).split(), 20)
    assert waiting.wait_for(lambda: chrome.poll() is not None or not contain.alive(chrome.pid), 30)
    step("page-closed", how=action["how"], sessions_cleared=action.get("sessions_cleared"))

    # a fresh start with the same profile, asking to restore the last session, shows no scam
    again = browser.start("--restore-last-session")
    fresh = find_window("Chromium", again.pid)
    assert waiting.wait_for(lambda: "New Tab" in run("xdotool", "getwindowname", str(fresh)), 30)
    titles = [run("xdotool", "getwindowname", w) for w in run("xdotool", "search", "--name", ".").split()]
    assert not any(SCAM_TITLE in t for t in titles), titles
    step("browser-restarted", titles=[t.strip() for t in titles if "Chromium" in t])

    # the new browser window came up in front; the alert took the front back
    assert waiting.wait_for(alert_in_front, 10), "the alert is not in front of the new browser window"
    x, y, w, h = gui.wait_for("view", 10)["buttons"]["safe"]
    run("xdotool", "mousemove", str(x + w // 2), str(y + h // 2), "click", "1")
    assert gui.wait_for("action", 20, action="safe") and gui.proc.wait(10) == 0
    step("safe-chosen")
    (out / "steps.json").write_text(json.dumps(steps, indent=1), encoding="utf-8")
    assert [e["action"] for e in events.read() if e["type"] == "alert_action"] == ["close_page", "safe"]


def test_vigie_own_notification_is_not_read(live_agent, browser):
    """Vigie's pop-up ("do not call the number") over a scam page: painted out of the read."""
    assert desktop_notify.notify("Vigie: this is a scam", "Do not call the number. Do not pay. Restart the computer.")
    browser.start("--kiosk", (PAGES / "tss_en.html").as_uri())
    ev = waiting.wait_event(lambda e: e["type"] == "scam_screen", 90)
    worker = next(t for t in live_agent._threads if t.name == "vigie-worker")
    assert worker.masked >= 1, "the notification was not kept out of the read"
    inc = waiting.wait_event(lambda e: e["type"] == "incident", 30)
    text = (Path(inc["incident"]) / "text.txt").read_text(encoding="utf-8")
    assert "Restart the computer" not in text and "Vigie" not in text
    assert ev["family"] == "tss"


def test_im_safe_while_the_page_is_fullscreen_again_says_it_once_more(desktop, browser, monkeypatch):
    """"I'm safe" is a choice, not the end: if the same page is back in fullscreen a moment
    later, the alert says it once more, calmly (once)."""
    from agent.detect.verdict import Signal, Verdict
    from agent.platform.x11 import X11Backend
    from agent.respond import responder as responder_mod
    monkeypatch.setattr(responder_mod, "AGAIN_SECONDS", 1.0)
    chrome = browser.start("--kiosk", (PAGES / "tss_en.html").as_uri())
    wid = find_window("Security Alert", chrome.pid)
    assert waiting.wait_for(lambda: fullscreen(wid), 30)
    info = X11Backend().info(wid)
    verdict = Verdict("scam", "tss", 0.9, ["+1-800-555-0199"], ["+18005550199"],
                      [Signal("phone", "tss", 0.3, "+1-800-555-0199", "en")], "en", 100.0, "test")
    r = Responder(Settings(language="en", speak=False))
    try:
        r.on_scam(verdict, None, info, "fullscreen")
        first = r.processes[-1]
        shown = first.wait_for("shown", 30)
        assert shown and waiting.wait_for(lambda: not fullscreen(wid), 10)
        x, y, w, h = shown["buttons"]["safe"]
        run("xdotool", "mousemove", str(x + w // 2), str(y + h // 2), "click", "1")
        assert first.wait_for("action", 20, action="safe") and first.proc.wait(10) == 0
        run("wmctrl", "-i", "-r", str(wid), "-b", "add,fullscreen")        # the page grabs the screen again
        again = waiting.wait_event(lambda e: e["type"] == "alert_again", 30)
        assert again["pid"] == chrome.pid
        second = waiting.wait_for(lambda: next((p for p in r.processes if "--again" in p.argv), None), 10)
        shown2 = second.wait_for("shown", 30)
        assert shown2 and waiting.wait_for(lambda: not fullscreen(wid), 10)
        screenshot(ARTEFACTS / "takeback" / "again.png")
        assert r.alert_open()
        x, y, w, h = shown2["buttons"]["safe"]
        run("xdotool", "mousemove", str(x + w // 2), str(y + h // 2), "click", "1")
        assert second.wait_for("action", 20, action="safe") and second.proc.wait(10) == 0
        assert not r.alert_open()
        assert [e["type"] for e in events.read()].count("alert_again") == 1
    finally:
        r.close_windows()
