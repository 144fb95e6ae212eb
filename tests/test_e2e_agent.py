"""End to end on a real X11 desktop (Xvfb + openbox) with real Chromium and Tesseract:
the agent's own threads, the X11 backend, capture and detection; events.jsonl checked.

Run with its own display: VIGIE_TEST_DISPLAY_NUM=91 pytest tests/test_e2e_agent.py
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agent import events, platform
from agent.app import Agent
from agent.config import Settings
from tests import waiting
from tests.chromium import Browser, executable as chromium_exe

pytestmark = [pytest.mark.desktop, pytest.mark.chromium]
ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "tests" / "pages"


@pytest.fixture
def chromium(desktop):
    exe = chromium_exe()
    if not exe:
        pytest.skip("Chromium is not installed")
    b = Browser(exe)                                   # a new profile for each launch
    yield lambda page, *mode: b.start(*mode, page.as_uri())
    b.stop()


@pytest.fixture
def agent(desktop, tmp_path, monkeypatch):
    monkeypatch.setenv("VIGIE_PLATFORM", "x11")
    platform.reset()
    a = Agent(Settings(language="en", ocr_languages="fra+eng"), [], downloads_dir=tmp_path / "dl")
    a.start()
    yield a
    a.stop()
    platform.reset()


def wait_event(pred, timeout=90):
    return waiting.wait_event(pred, timeout)


def xdotool(*args):
    return subprocess.run(["xdotool", *args], capture_output=True, text=True, timeout=30)


def find_window(name: str, timeout: float = 60.0) -> str:
    """The id of a visible window whose title contains ``name``. Searched again until found:
    ``xdotool search`` gives up on an X error when another window vanishes meanwhile (the
    previous test's browser closing)."""
    end = time.monotonic() + timeout
    while True:
        out = xdotool("search", "--onlyvisible", "--name", name)
        if out.stdout.split():
            return out.stdout.split()[0]
        if time.monotonic() > end:
            raise AssertionError(f"no window named {name!r}: {out.stderr.strip()}")
        time.sleep(0.2)


def test_kiosk_corpus_scam_page(agent, chromium, corpus):
    chromium(corpus / "pages" / "uuuuu-fr-2019" / "chrome.html", "--kiosk")
    ev = wait_event(lambda e: e["type"] == "scam_screen")
    assert ev["family"] == "tss" and ev["fullscreen"] is True and ev["browser"] == "chromium"
    assert ev["process"].startswith("chromium") and ev["signals"]
    assert agent.state == "alert"


def test_kiosk_own_english_scam_page(agent, chromium):
    chromium(PAGES / "tss_en.html", "--kiosk")
    ev = wait_event(lambda e: e["type"] == "scam_screen")
    assert ev["family"] == "tss" and "Security Alert" in ev["title"]
    assert any("555" in p and "0199" in p for p in ev["phones"])
    assert ev["geometry"][2:] == ev["monitor"][2:], "captured the whole screen the page covers"


def _became_fullscreen(wid: str, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        out = subprocess.run(["xprop", "-id", wid, "_NET_WM_STATE"], capture_output=True, text=True, timeout=10)
        if "_NET_WM_STATE_FULLSCREEN" in out.stdout:
            return True
        time.sleep(0.1)
    return False


def test_request_fullscreen_after_click(agent, chromium):
    chromium(PAGES / "fullscreen_click.html", "--window-size=1000,700", "--window-position=50,50")
    wid = find_window("Free recipes")
    assert wait_event(lambda e: e["type"] == "started")
    for _attempt in range(4):
        # a synthetic click sometimes lands before the page takes user gestures: click
        # again until the window really is fullscreen (what is tested is what follows)
        xdotool("windowactivate", "--sync", wid)
        xdotool("mousemove", "--window", wid, "300", "300", "click", "1")
        if _became_fullscreen(wid, 5.0):
            break
    ev = wait_event(lambda e: e["type"] == "scam_screen")
    assert ev["family"] == "tss" and ev["fullscreen"] is True
    assert ev["trigger"] in ("fullscreen", "settle", "rescan")


@pytest.mark.parametrize("page,title", [("video_fullscreen.html", "Holiday film"),
                                        ("article_scams.html", "How to recognise a fake support call")])
def test_legitimate_fullscreen_pages(agent, chromium, page, title):
    chromium(PAGES / page, "--kiosk")
    ok = wait_event(lambda e: e["type"] == "screen_ok" and title in (e.get("title") or ""))
    assert ok["fullscreen"] is True and ok["verdict"] == "ok"
    assert "scam_screen" not in [e["type"] for e in events.read()]
    assert agent.state == "protecting"


def test_renamed_sleep_called_anydesk(agent, tmp_path):
    exe = tmp_path / "AnyDesk"
    shutil.copy("/bin/sleep", exe)
    proc_watcher = next(t for t in agent._threads if t.name == "vigie-processes")
    assert proc_watcher.ready.wait(30)
    p = subprocess.Popen([str(exe), "300"])
    try:
        ev = wait_event(lambda e: e["type"] == "remote_tool" and e.get("pid") == p.pid)
        assert ev["tool"] == "anydesk" and ev["exe"] == str(exe)
    finally:
        p.kill()
        p.wait()


def test_vigie_run_whole_program(desktop, chromium, tmp_path):
    """`vigie run --no-tray` as the user would start it, with the real responder."""
    env = dict(os.environ, VIGIE_PLATFORM="x11", VIGIE_DOWNLOADS_DIR=str(tmp_path), PYTHONPATH=str(ROOT))
    (tmp_path / "c.toml").write_text('language = "en"\nspeak = false\n', encoding="utf-8")
    data = tmp_path / "d"
    agent = subprocess.Popen([sys.executable, "-m", "agent", "run", "--no-tray", "--data-dir", str(data),
                              "--config", str(tmp_path / "c.toml")], env=env, cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        path = data / "events.jsonl"
        end = time.monotonic() + 60
        while not (path.exists() and "started" in path.read_text()) and time.monotonic() < end:
            time.sleep(0.1)
        chromium(PAGES / "tss_en.html", "--kiosk")
        end = time.monotonic() + 90
        while time.monotonic() < end and "scam_screen" not in (path.read_text() if path.exists() else ""):
            time.sleep(0.2)
        evs = [json.loads(x) for x in path.read_text().splitlines()]
        scam = next(e for e in evs if e["type"] == "scam_screen")
        assert scam["family"] == "tss"
    finally:
        agent.send_signal(signal.SIGTERM)
        try:
            agent.communicate(timeout=30)
        finally:
            try:
                os.killpg(agent.pid, signal.SIGKILL)  # alert windows it started, if any are left
            except ProcessLookupError:
                pass
    assert agent.returncode == 0
    assert json.loads(path.read_text().splitlines()[-1])["type"] == "stopped"
