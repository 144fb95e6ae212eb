"""Health that is reported (issue 15): `degraded` events, every start-up problem in
`started.problems` (a missing OCR model included), a read-only data folder, and
`vigie doctor` saying whether the agent runs, since when and in which state."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agent import agent_status, events, paths
from agent.app import Agent
from agent.config import Settings
from agent.platform.fake import FakeBackend
from tests.waiting import wait_event, wait_for


def _sigterm_handled(pid: int) -> bool:
    """True once the process catches SIGTERM (its handler is installed: a clean stop follows)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("SigCgt:"):
                return bool(int(line.split()[1], 16) & (1 << (signal.SIGTERM - 1)))
    except OSError:
        return False
    return False


def _doctor(lang="en") -> dict:
    r = subprocess.run([sys.executable, "-m", "agent", "doctor", "--json"], capture_output=True, text=True,
                       timeout=120, env={**os.environ, "LANG": "fr_FR.UTF-8" if lang == "fr" else "C.UTF-8"})
    return {c["id"]: c for c in json.loads(r.stdout)["checks"]}


def test_run_reports_every_start_problem_and_doctor_follows_it():
    cfg = paths.config_file()
    (cfg.parent / "phrases").mkdir(parents=True)
    (cfg.parent / "phrases" / "broken.toml").write_text("[en.tss\nthreat = [\n")
    cfg.write_text('ocr_languages = "zzz"\ncolour = "blue"\n')
    assert _doctor()["agent"]["status"] == "problem"      # not running: not protecting now
    assert "not running" in _doctor()["agent"]["detail"]
    proc = subprocess.Popen([sys.executable, "-m", "agent", "run", "--no-tray"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        started = wait_event(lambda e: e["type"] == "started")
        degraded = wait_event(lambda e: e["type"] == "degraded")
        problems = " | ".join(started["problems"])
        assert "zzz" in problems                         # the missing OCR model, known before `started`
        assert "broken.toml" in problems and "colour" in problems
        assert set(degraded["problems"]) >= set(started["problems"])
        assert wait_for(lambda: _sigterm_handled(proc.pid))
        doctor = _doctor()["agent"]
        assert doctor["status"] == "warning" and f"process {proc.pid}" in doctor["detail"]
        assert "something is missing" in doctor["detail"] and "since" in doctor["detail"]
        assert f"processus {proc.pid}" in _doctor("fr")["agent"]["detail"]
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    # the same problem is reported once: the worker finds them again without new events
    assert len([e for e in events.read() if e["type"] == "degraded"]) == 1
    status = agent_status.read()
    assert status["state"] == "stopped" and not status["running"]
    assert "not running" in _doctor()["agent"]["detail"]


def test_doctor_tells_a_crash_from_a_clean_stop():
    proc = subprocess.Popen([sys.executable, "-m", "agent", "run", "--no-tray"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_event(lambda e: e["type"] == "started")
        assert wait_for(lambda: agent_status.read()["running"])
        assert agent_status.read()["pid"] == proc.pid
    finally:
        proc.kill()
        proc.communicate(timeout=60)
    st = agent_status.read()
    assert not st["running"] and st["crashed"]
    assert "stopped unexpectedly" in _doctor()["agent"]["detail"]


def test_a_damaged_status_file_reads_as_not_running():
    agent_status.path().parent.mkdir(parents=True)
    for content in ("", "[]", '{"state": "protecting", "pid": "x"}', '{"state": 5, "pid": 1}',
                    json.dumps({"state": "protecting", "pid": os.getpid(), "process_started": 1.0})):
        agent_status.path().write_text(content)
        assert agent_status.read()["running"] is False


def test_a_new_problem_while_running_gets_one_degraded_event():
    a = Agent(Settings(), [], backend=FakeBackend())
    a.start()
    try:
        assert wait_for(lambda: agent_status.read()["running"])
        a.degrade("capture", "screen capture failed: test", transient=True)
        a.degrade("capture", "screen capture failed: test", transient=True)   # the same again
        ev = wait_event(lambda e: e["type"] == "degraded" and e.get("part") == "capture")
        assert ev["problem"] == "screen capture failed: test" and ev["transient"] is True
        assert a.state == "degraded" and agent_status.read()["state"] == "degraded"
    finally:
        a.stop()
    assert len([e for e in events.read() if e["type"] == "degraded" and e.get("part") == "capture"]) == 1


def test_a_backend_problem_found_while_running_reaches_the_agent(monkeypatch):
    """Windows' WinEvent hooks can go silent after start (the backend then says so in
    problems()): the running agent turns degraded, writes one `degraded` event, and is
    protecting again once the backend no longer reports it."""
    from agent.watch import screen
    monkeypatch.setattr(screen, "PROBLEMS_EVERY", 0.2)
    fb = FakeBackend()
    a = Agent(Settings(), [], backend=fb)
    a.start()
    try:
        assert wait_for(lambda: agent_status.read()["running"])
        assert a.state == "protecting"
        silent = "Windows does not report window changes to Vigie (WinEvent hooks silent)"
        fb.set_problems([silent])
        ev = wait_event(lambda e: e["type"] == "degraded" and e.get("problem") == silent)
        assert ev["part"] == "platform:" + silent and silent in ev["problems"] and ev["transient"] is False
        assert wait_for(lambda: a.state == "degraded") and silent in a.problems_now()
        assert wait_for(lambda: agent_status.read()["state"] == "degraded")
        assert silent in agent_status.read()["problems"]
        fb.set_problems([])
        assert wait_for(lambda: a.state == "protecting"), a.problems_now()
        assert wait_for(lambda: agent_status.read()["state"] == "protecting")
    finally:
        a.stop()
    assert len([e for e in events.read() if e["type"] == "degraded" and e.get("problem") == silent]) == 1


@pytest.fixture
def read_only_data(tmp_path, monkeypatch):
    folder = tmp_path / "ro-data"
    folder.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(folder)], capture_output=True)
    if r.returncode != 0:
        pytest.skip("cannot mount a read-only tmpfs here: " + r.stderr.decode(errors="replace"))
    monkeypatch.setenv("VIGIE_DATA_DIR", str(folder))
    yield folder
    subprocess.run(["umount", str(folder)], check=False)


def test_read_only_data_folder_makes_the_agent_degraded(read_only_data):
    a = Agent(Settings(), [], backend=FakeBackend())
    a.start()
    try:
        assert a.state == "degraded"
        assert any(str(read_only_data) in p and "cannot be written" in p for p in a.problems_now())
    finally:
        a.stop()
    assert not any(read_only_data.iterdir())


def test_an_unreadable_config_is_in_started_and_a_degraded_event():
    from agent import config
    cfg = paths.config_file()
    cfg.mkdir(parents=True)                      # a folder where the file should be
    settings, problems = config.load()
    a = Agent(settings, problems, backend=FakeBackend())
    a.start()
    try:
        started = wait_event(lambda e: e["type"] == "started")
        degraded = wait_event(lambda e: e["type"] == "degraded")
    finally:
        a.stop()
    assert any(str(cfg) in p and "cannot be read" in p for p in started["problems"])
    assert started["problems"] == degraded["problems"]
