"""Stopping Vigie is never silent, for real: `vigie run --no-tray` as a process, a JSON
webhook and a Healthchecks-style ping service on 127.0.0.1.

- SIGTERM outside a log-out or shutdown (no logind here, as in CI): the helper's message
  "Vigie was stopped on Jeanne's computer at …" has arrived when the process is gone, and
  the ping URL got its ``/fail``;
- kill -9: the pings stop; the next start sends the crash notice saying when Vigie was
  last seen alive;
- a stopped (SIGSTOP) agent is "not protecting" for ``vigie doctor``.
"""
from __future__ import annotations

import json
import os
import signal

import pytest

from agent import session_end
from tests.test_helper_live import Run
from tests.test_helper_servers import hook, pings  # noqa: F401 - the fixtures
from tests.waiting import wait_for


def _run(tmp_path, hook, pings=None, lang="en") -> Run:
    run = Run(tmp_path, lang=lang)
    extra = f'notify = ["{hook.url()}"]\n'
    if pings is not None:
        extra += f'watch_url = "{pings.url()}"\nwatch_minutes = 0.05\n'
    run.config.write_text(run.config.read_text() + extra, encoding="utf-8")
    return run


def _titles(hook) -> list[str]:
    return [body.get("title", "") for _h, body in hook.received]


@pytest.mark.parametrize("lang, title", [("en", "Vigie was stopped on Jeanne's computer at "),
                                         ("fr", "Vigie a été arrêté sur l'ordinateur de Jeanne à ")])
def test_sigterm_outside_shutdown_reaches_the_helper_before_the_process_is_gone(tmp_path, hook, pings, lang, title):
    run = _run(tmp_path, hook, pings, lang)
    run.start()
    assert wait_for(lambda: pings.count() >= 1, 30)            # the dead-man's switch is fed
    run.proc.send_signal(signal.SIGTERM)
    run.proc.communicate(timeout=60)
    assert run.proc.returncode == 0
    # no waiting here: what the process sent before it ended is all there is
    stopped = [t for t in _titles(hook) if t.startswith(title)]
    assert len(stopped) == 1, _titles(hook)
    assert pings.count(fail=True) == 1                          # Healthchecks: "down" at once
    types = [e["type"] for e in run.events()]
    assert "stop_requested" in types and types[-1] == "stopped"
    assert next(e for e in run.events() if e["type"] == "stop_requested")["reason"] == "SIGTERM"
    run.start()                                                  # a reported stop is no crash
    assert not any("unexpected" in t or "inattendu" in t for t in _titles(hook))
    run.stop()


def test_kill_9_stops_the_pings_and_the_next_start_says_when_vigie_was_last_seen(tmp_path, hook, pings):
    run = _run(tmp_path, hook, pings)
    run.start()
    assert wait_for(lambda: pings.count() >= 2, 30)             # every 3 s here (watch_minutes = 0.05)
    assert wait_for(lambda: (run.data / "state" / "alive").exists(), 30)
    os.kill(run.proc.pid, signal.SIGKILL)
    run.proc.communicate(timeout=30)
    seen = pings.count()
    assert not wait_for(lambda: pings.count() > seen, 10)       # three periods: not one more ping
    assert pings.count(fail=True) == 0                          # no time was left to say anything
    assert not any(t.startswith("Vigie was stopped") for t in _titles(hook)), _titles(hook)
    last = (run.data / "state" / "alive").read_text().strip()
    run.start()
    assert wait_for(lambda: any("unexpected stop" in t for t in _titles(hook)), 60), _titles(hook)
    body = next(b for _h, b in hook.received if "unexpected stop" in b.get("title", ""))
    assert "Last seen running: " + last[:10] in body["message"]
    assert f"at {last[11:16]}" in body["message"]
    assert wait_for(lambda: pings.count() > seen, 30)           # fed again by the new run
    run.stop()


def test_sigstop_makes_doctor_say_not_protecting(tmp_path, hook):
    run = _run(tmp_path, hook)
    run.start()
    doctor = json.loads(run.vigie("doctor", "--json").stdout)
    agent = next(c for c in doctor["checks"] if c["id"] == "agent")
    assert agent["status"] == "ok", agent
    os.kill(run.proc.pid, signal.SIGSTOP)
    try:
        def stale():
            check = next(c for c in json.loads(run.vigie("doctor", "--json").stdout)["checks"] if c["id"] == "agent")
            return check if check["status"] == "problem" else None
        check = wait_for(stale, 120, 2.0)
        assert check and "NOT protecting" in check["detail"] and str(run.proc.pid) in check["detail"]
    finally:
        os.kill(run.proc.pid, signal.SIGCONT)
    assert wait_for(lambda: next(c for c in json.loads(run.vigie("doctor", "--json").stdout)["checks"]
                                 if c["id"] == "agent")["status"] == "ok", 60, 1.0)
    run.stop(signal.SIGINT)


def test_only_a_log_out_or_shutdown_is_a_quiet_stop():
    assert session_end.is_session_end("windows session end") and session_end.is_session_end("windows shutdown")
    assert not session_end.is_session_end("windows ctrl-c")
    assert not session_end.is_session_end("windows console closed")
    assert session_end.is_session_end("SIGTERM", ask=lambda: True)            # logind: closing / shutdown
    assert not session_end.is_session_end("SIGTERM", ask=lambda: False)       # logind: an ordinary kill
    assert not session_end.is_session_end("SIGHUP", ask=lambda: None)         # no logind (CI): reported
    assert not session_end.is_session_end("SIGTERM")                           # the real question, here


class FakeLogind:
    """systemd-logind as Vigie sees it, on a private D-Bus bus (a real dbus-daemon; the
    test machine has no system bus): the manager's PreparingForShutdown, GetSessionByPID
    and the session's State, answered from ``self.shutdown`` and ``self.state``."""

    def __init__(self):
        import subprocess
        import threading
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import open_dbus_connection
        self.daemon = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address"],
                                       stdout=subprocess.PIPE, text=True)
        self.address = self.daemon.stdout.readline().strip()
        self.conn = open_dbus_connection(self.address)
        self.conn.send_and_get_reply(message_bus.RequestName("org.freedesktop.login1"))
        self.shutdown, self.state, self.asked = False, "active", 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        from jeepney import MessageType, new_error, new_method_return
        while True:
            try:
                msg = self.conn.receive()
            except Exception:  # noqa: BLE001 - the bus is gone: the test is over
                return
            if msg.header.message_type != MessageType.method_call:
                continue
            member = msg.header.fields.get(3)
            if member == "Get" and msg.body[1] == "PreparingForShutdown":
                self.asked += 1
                reply = new_method_return(msg, "v", (("b", self.shutdown),))
            elif member == "Get" and msg.body[1] == "State":
                reply = new_method_return(msg, "v", (("s", self.state),))
            elif member == "GetSessionByPID":
                reply = new_method_return(msg, "o", ("/org/freedesktop/login1/session/_31",))
            else:
                reply = new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod")
            self.conn.send(reply)

    def stop(self):
        self.conn.close()
        self.daemon.kill()
        self.daemon.wait()


@pytest.fixture
def logind():
    import shutil
    if not shutil.which("dbus-daemon"):
        pytest.skip("dbus-daemon is not installed")
    bus = FakeLogind()
    yield bus
    bus.stop()


def test_with_logind_a_log_out_or_shutdown_is_quiet_and_a_kill_is_told(tmp_path, hook, logind):
    run = _run(tmp_path, hook)
    run.env["DBUS_SYSTEM_BUS_ADDRESS"] = logind.address
    for shutdown, state, told in ((False, "closing", False), (True, "active", False), (False, "active", True)):
        logind.shutdown, logind.state, asked = shutdown, state, logind.asked
        run.start()
        assert run.stop(signal.SIGTERM) == 0
        assert logind.asked == asked + 1                           # logind was asked, at the signal
        stopped = [t for t in _titles(hook) if t.startswith("Vigie was stopped")]
        assert len(stopped) == (1 if told else 0), (shutdown, state, _titles(hook))
    assert [e["reason"] for e in run.events() if e["type"] == "stop_requested"] == ["SIGTERM"]
