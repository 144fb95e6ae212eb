"""A log-off or shutdown is a clean stop: POSIX signals for real (`vigie run` gets SIGHUP),
Windows' session-end messages and console events faked at the lowest call (the window
procedure and the console handler Windows would call; DefWindowProcW recorded)."""
from __future__ import annotations

import os
import signal
from pathlib import Path

from agent import instance, session_end
from tests.test_helper_live import Run
from tests.test_helper_servers import mail_url, smtp  # noqa: F401 - the fixture


class FakeUser32:
    def __init__(self):
        self.calls = []

    def DefWindowProcW(self, hwnd, msg, wparam, lparam):  # noqa: N802 - the Win32 name
        self.calls.append((hwnd, msg, wparam, lparam))
        return 0


def marker() -> Path:
    return Path(os.environ["VIGIE_DATA_DIR"]) / "state" / "running"


def test_windows_session_end_records_a_clean_stop_first():
    assert instance.mark_running() is False and marker().exists()
    seen = []

    def on_end(reason):
        instance.mark_clean_stop(reason)
        seen.append((reason, marker().exists()))

    user32 = FakeUser32()
    w = session_end.WindowsSessionEnd(on_end, user32=user32, kernel32=object())
    assert w.window_proc(1, session_end.WM_QUERYENDSESSION, 0, 0) == 1     # may the session end? yes
    assert seen == []                                                        # not yet: it may be cancelled
    assert w.window_proc(1, session_end.WM_ENDSESSION, 0, 0) == 0           # cancelled after all
    assert seen == []
    assert w.window_proc(1, 0x000F, 0, 0) == 0 and user32.calls == [(1, 0x000F, 0, 0)]  # others: default
    assert w.window_proc(1, session_end.WM_ENDSESSION, 1, 0) == 0           # it ends now
    assert seen == [("windows session end", False)]
    assert instance.mark_running() is False                                  # the next start: no crash


def test_windows_console_log_off_and_shutdown_events():
    for ctrl, reason in ((5, "windows log-off"), (6, "windows shutdown"), (2, "windows console closed")):
        seen = []
        w = session_end.WindowsSessionEnd(seen.append, user32=FakeUser32(), kernel32=object())
        assert w.console_ctrl(ctrl) is True and seen == [reason]
        assert w.console_ctrl(ctrl) is True and seen == [reason]             # once
    assert session_end.WindowsSessionEnd(print, user32=FakeUser32()).console_ctrl(99) is False


def test_sighup_and_sigterm_are_clean_stops_reported_without_logind(smtp, tmp_path):  # noqa: F811 - the fixture
    """No crash notice after either; without logind (as here) neither can pass for a
    log-out, so each is told to the helper as a stop (agent/logind.py, session_end.is_session_end)."""
    run = Run(tmp_path)
    run.config.write_text(run.config.read_text() + f'notify = ["{mail_url(smtp)}"]\n', encoding="utf-8")
    run.start()
    assert run.stop(signal.SIGHUP) == 0
    assert not (run.data / "state" / "running").exists()
    run.start()
    assert run.stop(signal.SIGTERM) == 0
    subjects = [m["Subject"] for m in smtp.messages]    # both runs have ended: nothing more can come
    assert len(subjects) == 2 and all(s.startswith("Vigie was stopped on Jeanne's computer at ") for s in subjects)
