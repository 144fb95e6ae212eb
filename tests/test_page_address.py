"""The address of the page in front, read from the browser's own session files: a real
Chromium profile and a real Firefox (Debian's firefox-esr) profile, after visiting pages
served on 127.0.0.1; and unreadable files give no address, never an error."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import pytest

from agent import platform
from agent.watch import page_address, snss
from tests import waiting
from tests.chromium import Browser, executable as chromium_exe
from tests.test_page_behaviour import site, window_of, xdotool  # noqa: F401 - the fixture

FIREFOX_PREFS = """user_pref("browser.sessionstore.interval", 1000);
user_pref("datareporting.policy.firstRunURL", "");
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("browser.aboutwelcome.enabled", false);
user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
"""


@pytest.fixture
def backend(desktop, monkeypatch):
    monkeypatch.setenv("VIGIE_PLATFORM", "x11")
    platform.reset()
    b = platform.get()
    yield b
    b.close()
    platform.reset()


@pytest.mark.desktop
@pytest.mark.chromium
def test_address_from_a_real_chromium_profile(backend, site):  # noqa: F811
    exe = chromium_exe()
    if not exe:
        pytest.skip("Chromium is not installed")
    profile_dir = Path(tempfile.mkdtemp(prefix="vigie-chromium-"))
    b = Browser(exe, profile_dir)                   # one profile: the second start opens a tab in it
    try:
        first = b.start("--window-size=900,600", f"{site}behaviour.html?first")
        wid = window_of(first.pid, "Behaviour test")
        assert waiting.wait_for(lambda: page_address.address_of(backend.info(wid)) == f"{site}behaviour.html?first", 30)
        # a second page in a new tab of the same window: the tab in front is the one read
        b.start(f"{site}fullscreen_click.html")
        assert waiting.wait_for(lambda: "Free recipes" in xdotool("getwindowname", str(wid)), 30)
        assert waiting.wait_for(lambda: page_address.address_of(backend.info(wid)) == f"{site}fullscreen_click.html", 30)
        profile = profile_dir / "Default"
        assert {u for u, _t in page_address.open_tabs("chromium", profile)} == {
            f"{site}behaviour.html?first", f"{site}fullscreen_click.html"}
    finally:
        b.stop()
        shutil.rmtree(profile_dir, ignore_errors=True)


@pytest.mark.desktop
@pytest.mark.chromium
def test_a_restarted_browser_never_gives_the_previous_runs_address(backend, site):  # noqa: F811
    """The session file of the previous run is still there while the new run starts: it is
    not read (older than the process); until the new one is written, the address the browser
    was started with is given (a kiosk started on the scam's address)."""
    exe = chromium_exe()
    if not exe:
        pytest.skip("Chromium is not installed")
    profile_dir = Path(tempfile.mkdtemp(prefix="vigie-chromium-"))
    b = Browser(exe, profile_dir)
    try:
        old = b.start(f"{site}behaviour.html?old")
        wid = window_of(old.pid, "Behaviour test")
        assert waiting.wait_for(lambda: page_address.address_of(backend.info(wid)).endswith("?old"), 30)
        b.stop()
        b.procs.clear()
        new = b.start("--kiosk", f"{site}behaviour.html?new")
        wid = window_of(new.pid, "Behaviour test")
        seen = []           # every answer from the window's first moments on
        assert waiting.wait_for(lambda: seen.append(page_address.address_of(backend.info(wid)))
                                or sum(u.endswith("?new") for u in seen) >= 5, 30, 0.05)
        assert {u for u in seen if u} == {f"{site}behaviour.html?new"}, set(seen)
    finally:
        b.stop()
        shutil.rmtree(profile_dir, ignore_errors=True)


@pytest.mark.desktop
def test_address_from_a_real_firefox_profile(backend, site):  # noqa: F811
    exe = shutil.which("firefox-esr") or shutil.which("firefox")
    if not exe:
        pytest.skip("Firefox is not installed (scripts/setup.sh --test installs firefox-esr)")
    profile = Path(tempfile.mkdtemp(prefix="vigie-firefox-"))
    (profile / "user.js").write_text(FIREFOX_PREFS, encoding="utf-8")
    proc = subprocess.Popen([exe, "--no-remote", "-profile", str(profile), f"{site}behaviour.html?firefox"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wid = window_of(proc.pid, "Behaviour test")
        w = backend.info(wid)
        assert "Behaviour test" in w.title
        assert waiting.wait_for(lambda: page_address.address_of(backend.info(wid)) == f"{site}behaviour.html?firefox", 60)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
        shutil.rmtree(profile, ignore_errors=True)


def test_unreadable_session_files_give_no_address(tmp_path):
    chromium = tmp_path / "Default"
    (chromium / "Sessions").mkdir(parents=True)
    (chromium / "Sessions" / "Session_1").write_bytes(b"SNSS\x03\x00\x00\x00" + os.urandom(300))
    assert isinstance(page_address.open_tabs("chromium", chromium), list)
    (chromium / "Sessions" / "Session_2").write_bytes(b"SNSS\x02\x00\x00\x00" + b"\x00" * 40)   # encrypted
    assert page_address.open_tabs("chromium", chromium) == []
    firefox = tmp_path / "ff"
    (firefox / "sessionstore-backups").mkdir(parents=True)
    (firefox / "sessionstore-backups" / "recovery.jsonlz4").write_bytes(b"mozLz40\0garbage")
    assert page_address.open_tabs("firefox", firefox) == []
    assert page_address.open_tabs("firefox", tmp_path / "none") == []
    assert page_address.match_title([], "Anything") == ""


def test_a_firefox_session_file_read_with_lz4(tmp_path):
    import lz4.block
    session = {"windows": [{"selected": 2, "tabs": [
        {"index": 1, "entries": [{"url": "https://example.org/", "title": "Example"}]},
        {"index": 2, "entries": [{"url": "https://a.example/", "title": "A"},
                                 {"url": "http://45.77.12.34/alert", "title": "Security Alert"}]}]}]}
    f = tmp_path / "sessionstore-backups" / "recovery.jsonlz4"
    f.parent.mkdir()
    f.write_bytes(b"mozLz40\0" + lz4.block.compress(json.dumps(session).encode()))
    tabs = page_address.open_tabs("firefox", tmp_path)
    assert tabs[0] == ("http://45.77.12.34/alert", "Security Alert"), "the selected tab, its current entry"
    assert page_address.match_title(tabs, "Example — Mozilla Firefox") == "https://example.org/"
    assert page_address.match_title(tabs, "Something else") == "http://45.77.12.34/alert"
    assert snss.tabs(b"") == [] and snss.tabs(b"SNSS") == []


def test_a_session_file_written_by_chromium_names_the_tab_in_front(tmp_path):
    """tests/fixtures/sessions/chromium-Session: written by Debian's Chromium after opening
    dlg.html?first, then lock.html?front in a second tab of the same window (the Windows
    lane reads the same file at Chrome's default place)."""
    import shutil as sh
    sessions = tmp_path / "Default" / "Sessions"
    sessions.mkdir(parents=True)
    sh.copy(Path(__file__).parent / "fixtures" / "sessions" / "chromium-Session", sessions / "Session_13441080451216909")
    sess = snss.read_session(tmp_path / "Default")
    assert [t.current[0] for t in sess.tabs] == ["http://127.0.0.1:8765/dlg.html?first", "http://127.0.0.1:8765/lock.html?front"]
    assert sess.front_tab().current[0] == "http://127.0.0.1:8765/lock.html?front"
    assert page_address.match_title(page_address.open_tabs("chromium", tmp_path / "Default"), "Lock test - Google Chrome") \
        == "http://127.0.0.1:8765/lock.html?front"


@pytest.mark.parametrize("cmdline, urls", [
    (["chromium", "--kiosk", "https://scam.example/x", "--user-data-dir=/tmp/p"], ["https://scam.example/x"]),
    (["firefox-esr", "-profile", "/home/a/p", "file:///home/a/alerte.html"], ["file:///home/a/alerte.html"]),
    (["chrome.exe", "C:\\Users\\a\\page.html"], []), (["chromium"], []), (["chromium", "--app=https://x"], []),
])
def test_addresses_a_browser_was_started_with(cmdline, urls):
    assert page_address.url_arguments(cmdline) == urls
