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

import dataclasses
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
from agent.watch import catalog as catalog_mod
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
def live_agent(desktop, tmp_path, monkeypatch, request):
    """The agent with its real Responder (no speech: there is no one to hear it); its
    language is the test's indirect parameter (English by default)."""
    monkeypatch.setenv("VIGIE_PLATFORM", "x11")
    platform.reset()
    settings = Settings(language=getattr(request, "param", "en"), speak=False, ocr_languages="fra+eng")
    # no remote-tool catalogue: the machine's other tests start stand-in remote tools whose
    # questions would come in front of the page under test (their own tests cover them)
    catalog = dataclasses.replace(catalog_mod.get(), tools=[])
    a = Agent(settings, [], responder=Responder(settings), downloads_dir=tmp_path / "dl", catalog=catalog)
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


def last_buttons(gui: GuiProcess) -> dict:
    """The buttons of the alert's latest view (a note shown moves them)."""
    return next(ln for ln in reversed(gui.lines) if ln.get("event") in ("shown", "view"))["buttons"]


def press(gui: GuiProcess, name: str, then: str, **match) -> dict:
    """Click the alert's button ``name`` once it takes input — in front and focused — and
    return the ``then`` line it leads to; a click the window did not take yet (it was
    still being raised) is clicked again, as a person would."""
    for _attempt in range(3):
        assert waiting.wait_for(alert_in_front, 15), "the alert is not in front to be clicked"
        x, y, w, h = last_buttons(gui)[name]
        run("xdotool", "mousemove", str(x + w // 2), str(y + h // 2), "click", "1")
        line = gui.wait_for(then, 5, **match)
        if line:
            return line
    raise AssertionError(f"the click on {name} was never taken: {gui.lines}")


def scam_windows() -> list[str]:
    return run("xdotool", "search", "--name", SCAM_TITLE).split()


@pytest.mark.parametrize("live_agent", ["en", "fr"], indirect=True)
def test_the_scammers_script_cannot_dismiss_the_alert(live_agent, browser, pulse_server):  # noqa: F811
    """What the fake technician dictates, one step after the other, on Vigie's own fighting
    page: Alt+F4 on the alert, the window manager's close (the title bar's ×), a click on
    the page and the page back in fullscreen, the alert window's process killed, "I'm safe"
    too soon, the page reopened in the same window a moment later. After each, the alert
    is in front again or the scam's page is gone; then "Close this page for me" says what
    it does at once, and a fresh browser plays sound (the mute is not remembered).
    Screenshots and how long each step took: build/artefacts/scammer-script-<lang>/."""
    lang = live_agent.settings.language
    out = ARTEFACTS / f"scammer-script-{lang}"
    shutil.rmtree(out, ignore_errors=True)
    steps: list[dict] = []
    responder = live_agent.responder

    def step(name: str, **extra) -> None:
        screenshot(out / f"{len(steps):02d}-{name}.png")
        steps.append({"step": name, "tray": live_agent.state, **extra})

    def held(gui: GuiProcess, name: str, t0: float) -> None:
        """The alert in front (the page not fullscreen), the window still open."""
        assert waiting.wait_for(lambda: alert_in_front() and not fullscreen(wid), 15, 0.02), f"{name}: alert not back"
        assert gui.running(), f"{name} closed the alert"
        assert live_agent.state == "alert", f"the tray says {live_agent.state} after {name}"
        step(name, back_after_s=round(time.monotonic() - t0, 3))

    def attempts(gui: GuiProcess) -> int:
        return sum(1 for a in gui.actions if a.get("action") == "close_attempt")

    # the person's browser with a page of theirs; the scam opens as a tab of that window
    chrome = browser.start("--window-size=1000,700", "--window-position=50,50", "about:blank")
    find_window("Chromium", chrome.pid)
    browser.start((PAGES / "attack_locker.html").as_uri())
    wid = find_window(SCAM_TITLE, chrome.pid)
    click_until_fullscreen(wid)
    assert waiting.wait_for(lambda: browser_streams(pulse_server, chrome.pid), 30), "the page's tone never played"
    first = waiting.wait_event(lambda e: e["type"] == "alert_shown", 90)
    gui: GuiProcess = responder.processes[-1]
    assert gui.wait_for("shown", 30) and waiting.wait_for(alert_in_front, 15)
    step("alert-shown")

    # "press Alt and F4"
    t0 = time.monotonic()
    run("xdotool", "key", "alt+F4")
    assert waiting.wait_for(lambda: attempts(gui) == 1, 15), "Alt+F4 was not seen as a close"
    held(gui, "alt-f4", t0)
    # "click the little cross at the top" (the window manager's close)
    t0 = time.monotonic()
    run("wmctrl", "-i", "-c", str(alert_in_front()))
    assert waiting.wait_for(lambda: attempts(gui) == 2, 15), "the window manager's close was not seen"
    held(gui, "wm-close", t0)
    # "click on the page" — it re-enters fullscreen
    t0 = time.monotonic()
    run("xdotool", "mousemove", "200", "200", "click", "1")
    held(gui, "click-on-page", t0)
    t0 = time.monotonic()
    run("wmctrl", "-i", "-r", str(wid), "-b", "add,fullscreen")
    held(gui, "fullscreen-again", t0)

    # "open the task manager and end that window" (kill -9 of the alert's process)
    t0 = time.monotonic()
    gui.proc.kill()
    died = waiting.wait_event(lambda e: e["type"] == "alert_window_died", 30)
    assert died["pid"] == gui.proc.pid
    gui = waiting.wait_for(lambda: next((p for p in responder.processes[::-1] if p.running()), None), 30)
    assert gui and gui.wait_for("shown", 30), "the alert did not come back after it was killed"
    held(gui, "alert-killed", t0)
    assert any(e["type"] == "alert_reopened" for e in events.read())

    # "press the button that says I'm safe" — the page is still open
    t0 = time.monotonic()
    busy = press(gui, "safe", "busy")
    assert busy["status"] == "safe_page_open", gui.lines
    step("safe-too-soon-closing")
    assert waiting.wait_for(lambda: not scam_windows(), 20, 0.02), "the scam page stayed after \"I'm safe\""
    gone = time.monotonic() - t0
    safe = gui.wait_for("action", 20, action="safe")
    assert safe and safe["page_closed_first"] is True and gui.proc.wait(20) == 0
    step("safe-too-soon-page-gone", gone_after_s=round(gone, 3))

    # "open the page again" — the same window, a moment later: alerted again at once
    t0 = time.monotonic()
    browser.start((PAGES / "attack_locker.html").as_uri())
    wid = find_window(SCAM_TITLE, chrome.pid)
    click_until_fullscreen(wid)
    again = waiting.wait_event(lambda e: e["type"] == "alert_again" and e.get("reason") == "back", 90)
    assert again["pid"] == chrome.pid
    gui = waiting.wait_for(lambda: next((p for p in responder.processes[::-1] if p.running()), None), 30)
    assert gui and gui.wait_for("shown", 30)
    held(gui, "page-back", t0)
    shown = [e for e in events.read() if e["type"] == "alert_shown"]
    assert len({e["incident"] for e in shown}) == 1, "the page back was saved as a new incident"
    assert shown[0] == first

    # "Close this page for me": said at once, done within a few seconds
    t0 = time.monotonic()
    busy = press(gui, "close_page", "busy")
    assert busy["status"] == "closing_page"
    said = time.monotonic() - t0
    closed = gui.wait_for("action", 30, action="close_page")
    assert closed and closed["ok"] is True and closed["how"] == "tab", closed
    step("close-page", said_after_s=round(said, 3), closed_after_s=round(time.monotonic() - t0, 3))
    assert not scam_windows()
    assert press(gui, "safe", "action", action="safe") and gui.proc.wait(20) == 0

    # a fresh browser after the alert plays sound: the mute Vigie set is not remembered
    assert waiting.wait_for(lambda: not responder.silencer.busy(), 30)
    radio = Browser(browser.exe)
    try:
        fresh = radio.start("--autoplay-policy=no-user-gesture-required", (PAGES / "radio.html").as_uri())
        streams = waiting.wait_for(lambda: browser_streams(pulse_server, fresh.pid), 30)
        assert streams, "the radio page played nothing"
        assert not any(s["muted"] for s in streams), streams
        step("fresh-browser-sound", streams=streams)
    finally:
        radio.stop()
    (out / "steps.json").write_text(json.dumps(steps, indent=1), encoding="utf-8")
    actions = [e["action"] for e in events.read() if e["type"] == "alert_action"]
    assert actions == ["close_attempt", "close_attempt", "safe_page_open", "close_page", "safe", "close_page",
                       "safe"], actions


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


def test_im_safe_while_the_page_is_still_open_closes_it_first(desktop, browser):
    """"I'm safe" pressed too soon — the scam page still there, here in a kiosk window — is
    no way to leave the page on screen: Vigie says it closes the page first, closes it, and
    only then the alert ends."""
    from agent.detect.verdict import Signal, Verdict
    from agent.platform.x11 import X11Backend
    chrome = browser.start("--kiosk", (PAGES / "tss_en.html").as_uri())
    wid = find_window("Security Alert", chrome.pid)
    assert waiting.wait_for(lambda: fullscreen(wid), 30)
    info = X11Backend().info(wid)
    verdict = Verdict("scam", "tss", 0.9, ["+1-800-555-0199"], ["+18005550199"],
                      [Signal("phone", "tss", 0.3, "+1-800-555-0199", "en")], "en", 100.0, "test")
    r = Responder(Settings(language="en", speak=False))
    try:
        r.on_scam(verdict, None, info, "fullscreen")
        gui = r.processes[-1]
        shown = gui.wait_for("shown", 30)
        assert shown and waiting.wait_for(lambda: not fullscreen(wid), 10)
        busy = press(gui, "safe", "busy")
        assert busy["status"] == "safe_page_open", gui.lines
        screenshot(ARTEFACTS / "takeback" / "safe-too-soon-closing.png")
        closed = gui.wait_for("action", 30, action="close_page")
        assert closed and closed["ok"] is True, gui.lines
        assert waiting.wait_for(lambda: not run("xdotool", "search", "--name", "Security Alert").split(), 20)
        safe = gui.wait_for("action", 20, action="safe")
        assert safe and safe["page_closed_first"] is True and gui.proc.wait(20) == 0
        assert not r.alert_open()
        actions = [e["action"] for e in events.read() if e["type"] == "alert_action"]
        # (a click that landed while the window was still being laid out may have pressed
        # another button first: what follows "I'm safe" is what this test is about)
        assert "safe_page_open" in actions, actions
        assert actions[actions.index("safe_page_open"):] == ["safe_page_open", "close_page", "safe"], actions
        assert not any(e["type"] == "alert_again" for e in events.read())
    finally:
        r.close_windows()
