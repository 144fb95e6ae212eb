"""Every Vigie window fits a 1366x768 screen at 100 % and a 1920x1080 screen at 200 %: the
alert (English and French, each view) and the status window with its help open. The test
desktop's screen is switched to 1366x768 with RandR (Xvfb supports it) and back. The
screenshots are kept in build/artefacts/ (gitignored) for people to look at."""
from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import mss
import pytest
from PIL import Image

from agent.respond.gui.process import GuiProcess
from tests.waiting import wait_for

pytestmark = pytest.mark.desktop
ROOT = Path(__file__).resolve().parent.parent
ARTEFACTS = ROOT / "build" / "artefacts"


def xrandr(*args) -> subprocess.CompletedProcess:
    return subprocess.run(["xrandr", *args], capture_output=True, text=True, timeout=30)


def screen_size() -> tuple[int, int]:
    with (mss.MSS() if hasattr(mss, "MSS") else mss.mss()) as m:
        mon = m.monitors[1]
    return mon["width"], mon["height"]


def grab() -> Image.Image:
    with (mss.MSS() if hasattr(mss, "MSS") else mss.mss()) as m:
        s = m.grab(m.monitors[1])
    return Image.frombytes("RGB", s.size, s.rgb)


def shot(name: str) -> Path:
    """The screen once it holds still (Tk paints the text a moment after mapping)."""
    last = [grab()]

    def still():
        now = grab()
        same = now.tobytes() == last[0].tobytes()
        last[0] = now
        return same
    wait_for(still, 10, 0.3)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / name
    last[0].save(path)
    return path


@pytest.fixture
def small_screen(desktop):
    """The desktop at 1366x768 for one test (the mode is added once, then switched back)."""
    out = xrandr("--query").stdout
    output = next((ln.split()[0] for ln in out.splitlines() if " connected" in ln), "screen")
    if "1366x768" not in out:
        xrandr("--newmode", "1366x768", "85.25", "1366", "1440", "1576", "1784", "768", "771", "781", "798")
        xrandr("--addmode", output, "1366x768")
    if xrandr("--output", output, "--mode", "1366x768").returncode != 0:
        pytest.skip("this X server cannot switch to 1366x768")
    assert wait_for(lambda: screen_size() == (1366, 768), 10)
    yield 1366, 768
    xrandr("--output", output, "--mode", "1920x1080")
    wait_for(lambda: screen_size() == (1920, 1080), 10)


def inside(rects, sw, sh) -> bool:
    return all(0 <= x and x + w <= sw and 0 <= y and y + h <= sh for x, y, w, h in rects)


def alert(lang: str, *extra) -> GuiProcess:
    return GuiProcess([sys.executable, "-m", "agent.respond.gui.alert_window", "--kind", "scam", "--family", "tss",
                       "--lang", lang, "--browser-pid", str(os.getpid()), "--helper-name", "Julie",
                       "--helper-phone", "01 99 00 12 34", *extra])


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_alert_fits_1366x768_in_every_view(small_screen, lang):
    sw, sh = small_screen
    gui = alert(lang)
    try:
        shown = gui.wait_for("shown", 30)
        assert shown and inside(shown["buttons"].values(), sw, sh), shown
        assert shown["size"][1] <= sh
        shot(f"alert-1366x768-{lang}.png")
        # a close from outside ("back") adds a note: everything still fits
        wid = subprocess.run(["xdotool", "getactivewindow"], capture_output=True, text=True).stdout.strip()
        subprocess.run(["wmctrl", "-i", "-c", wid], check=True)
        refused = gui.wait_for("view", 20, view="main")
        assert refused and inside(refused["buttons"].values(), sw, sh) and refused["size"][1] <= sh, refused
        assert any(a.get("action") == "close_attempt" for a in gui.actions) and gui.running()
        shot(f"alert-1366x768-{lang}-close-refused.png")
        x, y, w, h = refused["buttons"]["show_steps"]
        subprocess.run(["xdotool", "mousemove", str(x + w // 2), str(y + h // 2), "click", "1"], check=True)
        steps = gui.wait_for("view", 20, view="steps")
        assert steps and inside(steps["buttons"].values(), sw, sh) and steps["size"][1] <= sh
        shot(f"alert-1366x768-{lang}-steps.png")
        assert steps["fits"] is True, "the steps need scrolling at 1366x768"
    finally:
        gui.close()


def status_window(lang: str, env=None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "agent.status_window", "--lang", lang], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, encoding="utf-8", cwd=str(ROOT),
                            env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})


def last_shown(proc, help_on=True, timeout=30.0) -> dict | None:
    status = {"state": "protecting", "text": "Vigie", "problems": [], "helper": "Julie", "phone": "01 99 00 12 34",
              "help": help_on, "raise": True}
    proc.stdin.write(json.dumps(status) + "\n")
    proc.stdin.flush()
    found = None
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        ready, _, _ = select.select([proc.stdout], [], [], 1.0)
        if not ready:
            if found:
                return found
            continue
        msg = json.loads(proc.stdout.readline() or "{}")
        if msg.get("event") == "shown" and msg.get("help") == help_on:
            found = msg
    return found


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_status_window_with_help_fits_1366x768(small_screen, lang):
    sw, sh = small_screen
    proc = status_window(lang)
    try:
        shown = last_shown(proc)
        assert shown, "the status window did not show"
        assert inside(shown["buttons"].values(), sw, sh), shown["buttons"]
        assert shown["size"][1] <= sh - 40, shown["size"]
        shot(f"status-help-1366x768-{lang}.png")
    finally:
        proc.stdin.close()
        proc.wait(10)


def test_status_window_with_help_fits_1920x1080_at_200_percent(desktop):
    sw, sh = screen_size()
    proc = status_window("fr", {"VIGIE_UI_SCALE": "2"})
    try:
        shown = last_shown(proc)
        assert shown and inside(shown["buttons"].values(), sw, sh), shown
        assert shown["size"][1] <= sh - 40
        shot("status-help-1920x1080-200-fr.png")
    finally:
        proc.stdin.close()
        proc.wait(10)


def question(lang: str, *extra) -> GuiProcess:
    return GuiProcess([sys.executable, "-m", "agent.respond.gui.question_window", "--tool-id", "anydesk",
                       "--tool-name", "AnyDesk", "--pid", "0", "--lang", lang, *extra])


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_question_fits_1366x768_and_waits_for_the_answer(small_screen, lang):
    """The remote-tool question: nothing cut at 1366x768, the answer's outcome included
    (its last line was cut: the window kept the size it had before the answer), and a
    close from outside (Alt+F4, the window manager's close) before the answer leaves it
    open; it closes by itself only once answered."""
    sw, sh = small_screen
    gui = question(lang, "--suspended")
    try:
        shown = gui.wait_for("shown", 30)
        assert shown and inside(shown["buttons"].values(), sw, sh) and shown["size"][1] <= sh, shown
        wid = wait_for(lambda: (lambda w: int(w) if w.isdigit() else 0)(subprocess.run(
            ["xdotool", "getactivewindow"], capture_output=True, text=True).stdout.strip()), 10)
        assert wid
        subprocess.run(["xdotool", "key", "alt+F4"], check=True)
        subprocess.run(["wmctrl", "-i", "-c", str(wid)], check=True)
        assert wait_for(lambda: sum(a.get("action") == "close_attempt" for a in gui.actions) == 2, 15), gui.lines
        assert gui.running() and gui.wait_for("shown", 1)
        shot(f"question-1366x768-{lang}.png")
        x, y, w, h = shown["buttons"]["close_tool"]
        subprocess.run(["xdotool", "mousemove", str(x + w // 2), str(y + h // 2), "click", "1"], check=True)
        answered = gui.wait_for("answered", 30)
        assert answered, gui.lines
        assert inside([answered["window"]], sw, sh), answered
        wx, wy, ww, wh = answered["window"]
        sx, sy, sw_, sh_ = answered["status"]       # the outcome's text, all of it inside the window
        assert sh_ > 0 and wy <= sy and sy + sh_ <= wy + wh, answered
        shot(f"question-1366x768-{lang}-answered.png")
        assert gui.proc.wait(30) == 0          # closes by itself once answered
    finally:
        gui.close()
