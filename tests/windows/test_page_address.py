"""The page's address read by the Windows Python from the browsers' session files at their
Windows places: a session file written by Chromium (tests/fixtures/sessions/) put in Chrome's
default profile under %LOCALAPPDATA%, read for the stand-in chrome.exe window in front;
and a Firefox profile found through %APPDATA%'s profiles.ini, its recovery.jsonlz4 written
and read with the Windows lz4 wheel."""
import json
import os
import shutil

import pytest

from agent.respond import sessions
from agent.watch import page_address
from tests.windows.harness import ROOT, in_front

FIXTURE = os.path.join(ROOT, "tests", "fixtures", "sessions", "chromium-Session")
FRONT = "http://127.0.0.1:8765/lock.html?front"


@pytest.fixture
def chrome_profile():
    """Chrome's default profile folder with the fixture as its session (refuses to touch a
    profile that is already there)."""
    data = os.path.expandvars(r"%LOCALAPPDATA%\Google\Chrome\User Data")
    if os.path.exists(data):
        pytest.skip(f"{data} exists: not touching a real profile")
    folder = os.path.join(data, "Default", "Sessions")
    os.makedirs(folder)
    shutil.copy(FIXTURE, os.path.join(folder, "Session_13441080451216909"))
    yield os.path.join(data, "Default")
    shutil.rmtree(data, ignore_errors=True)


def test_chrome_window_in_front_gets_its_address(backend, page, chrome_profile):
    w = in_front(backend, page.pid)
    assert w is not None and w.process_name.lower() == "chrome.exe"
    assert sessions.profile_of(page.pid).path.samefile(chrome_profile)
    assert page_address.address_of(w) == FRONT


def test_firefox_profile_through_profiles_ini(tmp_path, monkeypatch):
    import lz4.block
    monkeypatch.setenv("APPDATA", str(tmp_path))
    home = tmp_path / "Mozilla" / "Firefox"
    (home / "Profiles" / "abc.default-release" / "sessionstore-backups").mkdir(parents=True)
    (home / "profiles.ini").write_text("[Install308046B0AF4A39CB]\nDefault=Profiles/abc.default-release\n",
                                       encoding="utf-8")
    session = {"windows": [{"selected": 1, "tabs": [{"index": 1, "entries": [
        {"url": "http://45.77.12.34/alerte", "title": "Alerte de sécurité"}]}]}]}
    (home / "Profiles" / "abc.default-release" / "sessionstore-backups" / "recovery.jsonlz4").write_bytes(
        b"mozLz40\0" + lz4.block.compress(json.dumps(session).encode("utf-8")))
    profile = sessions.profile_from_cmdline("firefox.exe", ["firefox.exe"], "win32")
    assert profile is not None and profile.family == "firefox"
    tabs = page_address.open_tabs("firefox", profile.path)
    assert page_address.match_title(tabs, "Alerte de sécurité — Mozilla Firefox") == "http://45.77.12.34/alerte"
