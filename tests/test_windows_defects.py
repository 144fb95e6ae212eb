"""Four defects of the Windows build, found by running it under Wine (issue #14), each
tested here at its lowest call (the Wine lane, tests/windows/, runs them for real where
Wine can show them): the spoken warning (SAPI) and doctor's claim about it, the watcher
blind behind silent WinEvent hooks, process names psutil cannot read, and doctor's
X11 display shown on Windows."""
import logging

import psutil
import pytest

from agent import config
from agent.cli import doctor
from agent.platform import winproc
from agent.platform.windows import WindowsBackend
from agent.respond import sapi, speech
from agent.watch import processes
from tests.test_platform_windows import MON, FakeWin32, hooked_backend

HORTENSE = ("Microsoft Hortense Desktop - French", "40C")
DAVID = ("Microsoft David Desktop - English (United States)", "409;9")


class FakeSapi:
    """SAPI's voices and Speak, as ComSapi calls them."""

    def __init__(self, voices, fail=None, rendered=4096):
        self._voices, self.fail, self.rendered, self.spoken = voices, fail, rendered, []

    def voices(self):
        if self.fail:
            raise self.fail
        return list(self._voices)

    def speak(self, text, voice_index, rate, to_memory=False):
        self.spoken.append((text, voice_index, rate, to_memory))
        return self.rendered if to_memory else 0


@pytest.fixture
def fake_sapi(monkeypatch):
    def use(*a, **kw):
        eng = FakeSapi(*a, **kw)
        monkeypatch.setattr(sapi, "ENGINE", eng)
        return eng
    speech._once.reset("speech")
    return use


# -- 1. the spoken warning on Windows: SAPI, in the person's language ----------------------
def test_windows_speaks_through_sapi_in_the_persons_language(fake_sapi):
    eng = fake_sapi([DAVID, HORTENSE])
    assert speech.speak("Attention, message de Vigie.", "fr", wait=True, platform="win32") is True
    assert eng.spoken == [("Attention, message de Vigie.", 1, sapi.RATE, False)]
    assert speech.speak("Warning from Vigie.", "en", wait=True, platform="win32") is True
    assert eng.spoken[-1][1] == 0


def test_sapi_voice_choice_reads_the_language_attribute():
    assert sapi.pick_voice([DAVID, HORTENSE], "fr") == 1
    assert sapi.pick_voice([HORTENSE, ("Microsoft Hazel - English (UK)", "809")], "en") == 1
    assert sapi.pick_voice([DAVID], "fr") is None and sapi.pick_voice([("Odd", "zz")], "en") is None
    assert sapi.pick_voice([], "en") is None


def test_windows_speech_failure_is_logged_once_and_returns_false(fake_sapi, caplog):
    fake_sapi([], fail=OSError("CoCreateInstance failed: class not registered"))
    with caplog.at_level(logging.WARNING, logger="agent.respond.speech"):
        assert speech.speak("Attention", "fr", wait=True, platform="win32") is False
        assert speech.speak("Attention", "fr", wait=True, platform="win32") is False
    assert sum("SAPI" in r.getMessage() for r in caplog.records) == 1


def test_doctor_speak_tests_sapi_instead_of_claiming_it_works(fake_sapi):
    settings = config.Settings()
    eng = fake_sapi([DAVID, HORTENSE])
    c = doctor.check_speech(settings, "fr", platform="win32")
    assert c.status == "ok" and "Hortense" in c.detail and "système" not in c.detail
    assert eng.spoken == [("Vigie", 1, sapi.RATE, True)], "rendered silently into memory"
    fake_sapi([DAVID])
    c = doctor.check_speech(settings, "fr", platform="win32")
    assert c.status == "warning" and "David" in c.detail and "Ajouter des voix" in c.fix
    fake_sapi([], fail=OSError("no SAPI"))
    c = doctor.check_speech(settings, "en", platform="win32")
    assert c.status == "warning" and "no SAPI" in c.detail
    fake_sapi([DAVID], rendered=0)
    assert doctor.check_speech(settings, "en", platform="win32").status == "warning"


# -- 2. silent WinEvent hooks: the safety look, and degraded hooks reported -----------------
def test_silent_hooks_do_not_blind_the_watcher(caplog):
    wins = {1: ("Mail", "X", (0, 0, 800, 600), MON, 200, False, True)}
    b, api = hooked_backend(wins, 1)
    b.safety_seconds = 0.05
    try:
        assert b.wait_for_change(0.0) is True and b._hooks.alive
        wins[2] = ("Page - Google Chrome", "Chrome_WidgetWin_1", MON, MON, 100, False, True)
        api.fg = 2                                # no event fired: the hooks stay silent
        assert b.wait_for_change(30) is True and b.active_window().fullscreen
        assert not b.hooks_degraded and b.problems() == []
        with caplog.at_level(logging.WARNING, logger="agent.platform.windows"):
            wins[2] = ("VIRUS ALERT - Google Chrome", "Chrome_WidgetWin_1", MON, MON, 100, False, True)
            assert b.wait_for_change(30) is True and b.active_window().title.startswith("VIRUS")
        assert b.hooks_degraded and "hooks" in b.problems()[0]
        assert any("missed 2 window changes" in r.getMessage() for r in caplog.records)
        wins[2] = ("Other", "Chrome_WidgetWin_1", MON, MON, 100, False, True)
        assert b.wait_for_change(30) is True        # degraded: the 0.5 s check
    finally:
        b.close()


def test_hooks_that_report_changes_are_not_degraded():
    from agent.platform.winhooks import EVENT_OBJECT_NAMECHANGE
    wins = {1: ("A", "Chrome_WidgetWin_1", MON, MON, 100, False, True)}
    b, api = hooked_backend(wins, 1)
    b.safety_seconds = 0.05
    try:
        b.wait_for_change(0.0)
        for title in ("B", "C", "D"):
            wins[1] = (title, "Chrome_WidgetWin_1", MON, MON, 100, False, True)
            api.fire(EVENT_OBJECT_NAMECHANGE, 1)
            api.sync()
            assert b.wait_for_change(30) is True
        assert not b.hooks_degraded and b.problems() == []
        assert b.wait_for_change(0.3) is False, "safety looks that find nothing report nothing"
    finally:
        b.close()


# -- 3. process names psutil cannot read (AccessDenied on Windows, WinError 87 under Wine) ---
class NamelessProcess:
    """psutil.Process whose name()/exe() fail as under Wine (or AccessDenied)."""

    def __init__(self, pid, error=None):
        self.pid, self.error = pid, error or OSError(22, "[WinError 87] The parameter is incorrect")

    def name(self):
        raise self.error

    exe = username = name

    def cmdline(self):
        return []


@pytest.mark.parametrize("error", [None, psutil.AccessDenied(4242)])
def test_backend_names_the_browser_when_psutil_cannot(monkeypatch, error):
    monkeypatch.setattr(psutil, "Process", lambda pid: NamelessProcess(pid, error))
    monkeypatch.setattr(winproc, "IMAGE_PATH",
                        lambda pid: r"C:\Program Files\Google\Chrome\Application\chrome.exe" if pid == 4242 else "")
    wins = {1: ("Alert - Google Chrome", "Chrome_WidgetWin_1", MON, MON, 4242, False, True)}
    w = WindowsBackend(api=FakeWin32(wins, 1), sleep=lambda s: None).active_window()
    assert w.process_name == "chrome.exe" and w.exe.endswith(r"Application\chrome.exe")


def test_process_watcher_names_a_remote_tool_when_psutil_cannot(monkeypatch):
    monkeypatch.setattr(psutil, "Process", lambda pid: NamelessProcess(pid))
    monkeypatch.setattr(winproc, "IMAGE_PATH", lambda pid: r"C:\Users\marie\Downloads\AnyDesk.exe")
    info = processes.describe(NamelessProcess(777))
    assert info["name"] == "AnyDesk.exe" and info["exe"].endswith("AnyDesk.exe") and info["pid"] == 777
    monkeypatch.setattr(winproc, "IMAGE_PATH", lambda pid: "")
    assert processes.describe(NamelessProcess(777))["name"] == "", "nothing readable: blanks, no crash"


@pytest.mark.parametrize("error", [None, psutil.AccessDenied(4242)])
def test_aftercare_names_the_tools_still_running_when_psutil_cannot(monkeypatch, error):
    """The after-session report's "still running" list (psutil.process_iter raised WinError 87
    under Wine): each process is named through winproc."""
    from agent.respond.aftercare import session
    monkeypatch.setattr(psutil, "pids", lambda: [4, 777, 4242])
    monkeypatch.setattr(psutil, "Process", lambda pid: NamelessProcess(pid, error))
    paths = {777: r"C:\Users\marie\Downloads\AnyDesk.exe", 4242: r"C:\Program Files\TeamViewer\TeamViewer.exe"}
    monkeypatch.setattr(winproc, "IMAGE_PATH", lambda pid: paths.get(pid, ""))
    assert sorted(session.running_tools()) == ["AnyDesk", "TeamViewer"]
    assert session.running_tools(exclude_pid=777) == ["TeamViewer"]


# -- 4. doctor's screen-capture line on Windows has no X11 display -------------------------
@pytest.mark.desktop
def test_doctor_capture_line_on_windows_shows_no_x11_display(desktop):
    display = desktop["DISPLAY"]
    c = doctor.check_capture("en", platform="win32")[0]
    assert c.status == "ok" and display not in c.detail and c.detail == "works"
    assert display in doctor.check_capture("en", platform="linux")[0].detail
