"""The parts of taking the screen back, each on its own: which browser profile a process
uses and forgetting its session, painting Vigie's own windows out of a capture, and
muting a browser's streams on a real PulseAudio server (Windows' per-session volume is
faked at its lowest call: pycaw needs Windows)."""
from __future__ import annotations

import json
import math
import struct
import subprocess
import sys
import wave
from pathlib import Path
from types import SimpleNamespace

import pytest
from PIL import Image, ImageDraw

from agent.respond import audio, sessions
from agent.watch import ownmask
from tests.pulse import pulse_server, sink_inputs  # noqa: F401 - the fixture
from tests.waiting import wait_for


# -- browser profiles and their sessions -------------------------------------------------

def test_profile_from_the_command_line():
    p = sessions.profile_from_cmdline("chromium", ["/usr/lib/chromium/chromium", "--user-data-dir=/tmp/p",
                                                   "--profile-directory=Profile 2", "file:///x.html"], "linux")
    assert p == sessions.Profile("chromium", Path("/tmp/p/Profile 2"), Path("/tmp/p"))
    p = sessions.profile_from_cmdline("chrome", ["chrome", "--user-data-dir", "/home/a/c"], "linux")
    assert p.path == Path("/home/a/c/Default")
    default = sessions.profile_from_cmdline("chromium", ["chromium"], "linux")
    assert default.path == Path("~/.config/chromium/Default").expanduser()
    edge = sessions.profile_from_cmdline("msedge.exe", ["msedge.exe"], "win32")
    assert edge.family == "chromium" and edge.path.name == "Default" and "Edge" in str(edge.path)
    ff = sessions.profile_from_cmdline("firefox-esr", ["firefox-esr", "-profile", "/tmp/ff"], "linux")
    assert ff == sessions.Profile("firefox", Path("/tmp/ff"))
    assert sessions.profile_from_cmdline("python3", ["python3", "x.py"], "linux") is None


def test_firefox_default_profile_from_profiles_ini(tmp_path, monkeypatch):
    home = tmp_path / ".mozilla" / "firefox"
    home.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert sessions.profile_from_cmdline("firefox", ["firefox"], "linux") is None   # unknown: nothing removed
    (home / "profiles.ini").write_text("[Profile0]\nName=default\nIsRelative=1\nPath=abc.default\nDefault=1\n")
    assert sessions.profile_from_cmdline("firefox", ["firefox"], "linux") == sessions.Profile(
        "firefox", home / "abc.default")
    (home / "profiles.ini").write_text("[Install4F96D1932A9F858E]\nDefault=xyz.default-release\n\n"
                                       "[Profile0]\nPath=abc.default\nDefault=1\n")
    assert sessions.firefox_default(home) == home / "xyz.default-release"
    (home / "profiles.ini").write_bytes(b"\xff\xfe not an ini [")
    assert sessions.firefox_default(home) is None
    assert sessions.profile_from_cmdline("python3", ["python3", "x.py"], "linux") is None


def test_forgetting_a_chromium_session_keeps_the_rest(tmp_path):
    prof = tmp_path / "Default"
    (prof / "Sessions").mkdir(parents=True)
    (prof / "Sessions" / "Session_1").write_bytes(b"scam tab")
    (prof / "Current Session").write_bytes(b"old format")
    (prof / "History").write_bytes(b"kept")
    (prof / "Preferences").write_text(json.dumps({"profile": {"exit_type": "Crashed", "name": "Marie"}}))
    removed = sessions.forget(sessions.Profile("chromium", prof, tmp_path))
    assert sorted(removed) == ["Current Session", "Sessions"]
    assert not (prof / "Sessions").exists() and (prof / "History").read_bytes() == b"kept"
    prefs = json.loads((prof / "Preferences").read_text())
    assert prefs["profile"]["exit_type"] == "Normal" and prefs["profile"]["name"] == "Marie"


def test_forgetting_a_firefox_session_and_bad_input(tmp_path):
    (tmp_path / "sessionstore-backups").mkdir()
    (tmp_path / "sessionstore-backups" / "recovery.jsonlz4").write_bytes(b"x")
    (tmp_path / "sessionstore.jsonlz4").write_bytes(b"x")
    (tmp_path / "places.sqlite").write_bytes(b"kept")
    assert sorted(sessions.forget(sessions.Profile("firefox", tmp_path))) == ["sessionstore-backups",
                                                                             "sessionstore.jsonlz4"]
    assert (tmp_path / "places.sqlite").exists()
    assert sessions.forget(None) == []
    assert sessions.forget(sessions.Profile("chromium", tmp_path / "missing")) == []
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "Preferences").write_text("{not json")      # corrupt: left as it is, no crash
    assert sessions.forget(sessions.Profile("chromium", tmp_path / "c")) == []


# -- Vigie's own windows out of a capture --------------------------------------------------

def test_own_areas_are_painted_out_in_capture_coordinates():
    img = Image.new("RGB", (400, 300), (0, 80, 160))
    ImageDraw.Draw(img).rectangle((300, 10, 390, 60), fill=(255, 255, 255))   # "the notification"
    # the capture starts at screen (100, 50): a pop-up at screen (400, 60) is at (300, 10) in it
    out, n = ownmask.mask(img, (100, 50), [(400, 60, 91, 51), (2000, 2000, 10, 10)])
    assert n == 1 and img.getpixel((340, 30)) == (255, 255, 255)        # the input is untouched
    assert out.getpixel((340, 30)) != (255, 255, 255) and out.getpixel((10, 10)) == (0, 80, 160)
    same, n = ownmask.mask(img, (0, 0), [])
    assert same is img and n == 0

    class Broken:
        def own_areas(self, pids):
            raise OSError("display gone")
    assert ownmask.own_areas(Broken()) == []
    assert ownmask.own_areas(SimpleNamespace()) == []


# -- muting ------------------------------------------------------------------------------

def _tone(path: Path, seconds: int = 30) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(i / 8000 * 2 * math.pi * 440)))
                               for i in range(8000 * seconds)))
    return path


def test_only_the_browser_streams_are_muted_until_the_page_is_gone(pulse_server, tmp_path):  # noqa: F811
    tone = _tone(tmp_path / "tone.wav")
    page = subprocess.Popen(["paplay", "--server", pulse_server, str(tone)])
    voice = subprocess.Popen(["paplay", "--server", pulse_server, str(tone)])     # "Vigie's voice"
    try:
        def streams():
            return {s["pid"]: s for s in sink_inputs(pulse_server)}
        assert wait_for(lambda: {page.pid, voice.pid} <= set(streams()), 20)
        open_ = {"page": True}
        keeper = audio.MuteKeeper(page.pid, lambda: open_["page"], lambda root: {root} if page.poll() is None else set())
        keeper.start()
        assert keeper.first.wait(20)
        assert wait_for(lambda: streams()[page.pid]["muted"], 10)
        assert streams()[voice.pid]["muted"] is False
        open_["page"] = False                     # the page is gone: what was muted is let go
        keeper.join(20)
        assert not keeper.is_alive() and streams()[page.pid]["muted"] is False
    finally:
        for p in (page, voice):
            p.kill()
            p.wait()


def test_the_mute_is_not_remembered_for_the_next_stream_of_that_program(pulse_server, tmp_path):  # noqa: F811
    """PulseAudio's stream-restore remembers the mute Vigie set for the application: once
    the page is gone (here: its player killed, nothing left to un-mute), the remembered
    state is set back, and a new stream of the same program plays un-muted."""
    tone = _tone(tmp_path / "tone.wav")
    page = subprocess.Popen(["paplay", "--server", pulse_server, str(tone)])
    fresh = None
    try:
        assert wait_for(lambda: any(s["pid"] == page.pid for s in sink_inputs(pulse_server)), 20)
        keeper = audio.MuteKeeper(page.pid, lambda: page.poll() is None, lambda root: {root} if page.poll() is None else set())
        keeper.start()
        assert keeper.first.wait(20) and keeper.remembered, "the stream's remembered name was not seen"
        assert wait_for(lambda: all(s["muted"] for s in sink_inputs(pulse_server) if s["pid"] == page.pid), 10)
        page.kill()                               # the page ends while muted (the browser closed)
        page.wait()
        keeper.join(20)
        assert not keeper.is_alive() and set(keeper.restored) == keeper.remembered
        fresh = subprocess.Popen(["paplay", "--server", pulse_server, str(tone)])
        stream = wait_for(lambda: next((s for s in sink_inputs(pulse_server) if s["pid"] == fresh.pid), None), 20)
        assert stream and stream["muted"] is False
    finally:
        for p in (page, fresh):
            if p is not None:
                p.kill()
                p.wait()


def test_no_sound_server_is_no_error(monkeypatch):
    monkeypatch.setenv("PULSE_SERVER", "unix:/nonexistent/native")
    assert audio.set_mute({12345}) == []


def test_windows_sessions_of_the_browser_are_muted(monkeypatch):
    """pycaw needs Windows: its sessions are faked at the lowest call."""
    calls = []

    def session(pid, muted=False):
        vol = SimpleNamespace(SetMute=lambda m, ctx: calls.append((pid, m)))
        return (SimpleNamespace(SimpleAudioVolume=vol), pid, muted)
    monkeypatch.setattr(audio, "_win_sessions", lambda: [session(10), session(11, True), session(99)])
    monkeypatch.setattr(sys, "platform", "win32")
    assert audio.set_mute({10, 11}) == [10]
    assert calls == [(10, 1)]
    assert audio.set_mute({11}, False) == [11] and calls[-1] == (11, 0)


# -- where to report ------------------------------------------------------------------------

def test_country_from_settings_then_locale_then_french_speakers_get_france(monkeypatch):
    from agent.respond import guidance
    for var in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")             # Python maps it to en_US: no country for all that
    assert guidance.resolve_country("auto", "fr") == "FR"
    assert guidance.resolve_country("auto", "en") == ""
    assert guidance.resolve_country("be", "fr") == "BE"
    monkeypatch.setenv("LANG", "fr_CA.UTF-8")
    assert guidance.resolve_country("auto", "fr") == "CA"
    monkeypatch.setenv("LANG", "C.UTF-8")
    g = guidance.load("tss", "fr", guidance.resolve_country("auto", "fr"))
    assert g.country == "FR" and not any("FTC" in c or "FBI" in c for c in g.report)


# -- Windows: the scam window minimised, the alert in front (user32 faked at its lowest call) --

def test_windows_takes_the_screen_back_with_three_user32_calls():
    from agent.platform.windows import WindowsBackend
    from tests.test_platform_windows import MON, FakeWin32

    class FakeControl:
        def __init__(self):
            self.calls, self.alive = [], {1, 2}

        def show_window(self, hwnd, cmd):
            self.calls.append(("show", hwnd, cmd))
            return True

        def set_foreground(self, hwnd):
            self.calls.append(("front", hwnd))
            return True

        def is_window(self, hwnd):
            return hwnd in self.alive
    wins = {1: ("Security Alert - Google Chrome", "Chrome_WidgetWin_1", (0, 0, 1920, 1080), (0, 0, 1920, 1080),
                100, False, True),
            2: ("Vigie", "TkTopLevel", (400, 200, 1500, 900), MON, 300, False, True)}
    b = WindowsBackend(api=FakeWin32(wins, 1), process=lambda pid: ("chrome.exe", ""), sleep=lambda s: None)
    b._control = FakeControl()
    assert b.is_fullscreen(1) and not b.is_fullscreen(2)
    assert b.leave_fullscreen(1) is True and b._control.calls == [("show", 1, 6)]      # SW_MINIMIZE
    assert b.leave_fullscreen(2) is False                                                # not fullscreen: left alone
    assert b.activate(2) and b._control.calls[-1] == ("front", 2)
    assert b.exists(1) and not b.exists(3)
    assert b.active_id() == 1 and b.press_keys(1, ("Control_L", "w")) is False          # no tab closing here
