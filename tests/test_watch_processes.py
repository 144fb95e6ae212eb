"""Process trigger with real processes: renamed copies of /bin/sleep stand in for tools.

Other programs on this machine may run stand-ins too, so assertions look only at the
processes each test started."""
import json
import logging
import queue
import shutil
import subprocess
import threading
import time

import psutil
import pytest

from agent.config import Settings
from agent.watch import catalog
from agent.watch.at_start import ReportedAtStart, default_path
from agent.watch.processes import ProcessWatcher
from agent.watch.situation import Situation


@pytest.fixture
def spawn(tmp_path):
    procs = []

    def start(name, *args):
        exe = tmp_path / name
        if not exe.exists():
            shutil.copy("/bin/sleep", exe)
        p = subprocess.Popen([str(exe), *(args or ("300",))])
        procs.append(p)
        return p

    yield start
    for p in procs:
        p.kill()
        p.wait()


def running(p, name):
    """Wait until the stand-in has really become ``name`` (exec done), as a watcher would see it."""
    end = time.monotonic() + 30
    while time.monotonic() < end:
        try:
            if psutil.Process(p.pid).name() == name:
                return
        except psutil.NoSuchProcess:
            break
        time.sleep(0.02)
    raise AssertionError(f"{name} did not start")


def starting_watcher(settings=None, at_start=None):
    """A watcher as at an agent start: its first look is the baseline."""
    return ProcessWatcher(catalog.get(), Situation(), settings or Settings(), lambda t: None, threading.Event(),
                          at_start=at_start)


def watcher(settings=None, situation=None):
    w = ProcessWatcher(catalog.get(), situation or Situation(), settings or Settings(), lambda t: None,
                       threading.Event())
    w.check(baseline=True)
    w.situation.clear_tools()  # tools of other programs on this shared machine
    return w


def mine(trigs, *procs):
    pids = {p.pid for p in procs}
    return [t for t in trigs if t.process.get("pid") in pids]


def my_tools(w, *procs):
    pids = {p.pid for p in procs}
    return [t for t in w.situation.running_tools() if t["pid"] in pids]


def test_new_tool_is_reported_with_pid_and_exe(spawn):
    w = watcher()
    p = spawn("AnyDesk")
    trigs = mine(w.check(), p)
    assert len(trigs) == 1
    t = trigs[0]
    assert t.kind == "remote_tool" and t.tool.id == "anydesk" and t.process["exe"].endswith("/AnyDesk")
    assert my_tools(w, p)
    assert mine(w.check(), p) == [], "reported once"
    p.kill()
    p.wait()
    w.check()
    assert not my_tools(w, p)


def test_windows_style_name_and_tool_running_before(spawn):
    before = spawn("TeamViewer.exe")
    running(before, "TeamViewer.exe")
    w = ProcessWatcher(catalog.get(), Situation(), Settings(), lambda t: None, threading.Event())
    at_start = mine(w.check(baseline=True), before)
    assert [(t.tool.id, t.details["trigger"]) for t in at_start] == [("teamviewer", "running_at_start")]
    assert my_tools(w, before), "and it counts for the risky context"
    p = spawn("rustdesk")
    trigs = mine(w.check(), p)
    assert [t.tool.id for t in trigs] == ["rustdesk"] and "trigger" not in trigs[0].details


def test_allowlisted_tool_is_quiet(spawn):
    s = Settings(remote_tools_allowlist=("RustDesk",))
    w = watcher(s)
    p = spawn("rustdesk")
    assert mine(w.check(), p) == [] and not my_tools(w, p)
    s2 = Settings(remote_tools_allowlist=("rustdesk",), remote_tools_allow_hours="00:00-00:00")
    w2 = watcher(s2)
    p2 = spawn("rustdesk")
    assert [t.tool.id for t in mine(w2.check(), p2)] == ["rustdesk"], "outside the helper's hours"


def test_proof_tool_only_while_a_tool_runs(spawn):
    w = watcher()
    n = spawn("netstat")
    assert mine(w.check(), n) == [], "netstat alone is normal"
    a, t = spawn("AnyDesk"), spawn("tree", "301")
    trigs = mine(w.check(), a, t)
    assert sorted(t.kind for t in trigs) == ["remote_tool", "risky_context"]
    risky = next(t for t in trigs if t.kind == "risky_context")
    assert risky.details["kind"] == "proof_tool" and risky.details["proof"] == "tree"


def test_thread_puts_triggers(spawn):
    q, stop = queue.Queue(), threading.Event()
    w = ProcessWatcher(catalog.get(), Situation(), Settings(), q.put, stop, poll=0.2)
    w.start()
    try:
        assert w.ready.wait(20)
        p = spawn("UltraViewer_Desktop.exe")
        while True:
            t = q.get(timeout=20)
            if t.process.get("pid") == p.pid:
                break
        assert t.kind == "remote_tool" and t.tool.id == "ultraviewer"
    finally:
        stop.set()
        w.join(5)


def test_tool_running_at_start_reported_once_per_exe_and_not_at_the_next_start(spawn, tmp_path):
    a1, a2 = spawn("AnyDesk"), spawn("AnyDesk", "301")     # a tool often runs as two processes
    running(a1, "AnyDesk"), running(a2, "AnyDesk")
    trigs = mine(starting_watcher().check(baseline=True), a1, a2)
    assert len(trigs) == 1, "one report per tool and executable"
    t = trigs[0]
    assert t.kind == "remote_tool" and t.tool.id == "anydesk" and t.details["trigger"] == "running_at_start"
    assert t.process["exe"] == str(tmp_path / "AnyDesk") and t.process["pid"] in (a1.pid, a2.pid)
    saved = json.loads(default_path().read_text(encoding="utf-8"))
    assert {(e["tool"], e["exe"]) for e in saved["reported"]} >= {("anydesk", str(tmp_path / "AnyDesk"))}
    assert mine(starting_watcher().check(baseline=True), a1, a2) == [], "the next start stays quiet"
    other = tmp_path / "elsewhere"
    other.mkdir()
    shutil.copy("/bin/sleep", other / "AnyDesk")
    moved = subprocess.Popen([str(other / "AnyDesk"), "300"])
    try:
        running(moved, "AnyDesk")
        again = mine(starting_watcher().check(baseline=True), a1, a2, moved)
        assert [t.process["pid"] for t in again] == [moved.pid], "another executable is reported"
    finally:
        moved.kill()
        moved.wait()


def test_reported_again_after_thirty_days(spawn, tmp_path):
    p = spawn("rustdesk")
    running(p, "rustdesk")
    now = [1_800_000_000.0]
    state = tmp_path / "state.json"
    first = starting_watcher(at_start=ReportedAtStart(state, clock=lambda: now[0])).check(baseline=True)
    assert len(mine(first, p)) == 1
    now[0] += 29 * 86400
    assert mine(starting_watcher(at_start=ReportedAtStart(state, clock=lambda: now[0])).check(baseline=True), p) == []
    now[0] += 2 * 86400
    assert len(mine(starting_watcher(at_start=ReportedAtStart(state, clock=lambda: now[0])).check(baseline=True),
                    p)) == 1, "30 days later the helper hears about it again"


def test_allowlisted_tool_running_at_start_is_not_reported(spawn):
    p = spawn("rustdesk")
    running(p, "rustdesk")
    w = starting_watcher(Settings(remote_tools_allowlist=("RustDesk",)))
    assert mine(w.check(baseline=True), p) == [] and not my_tools(w, p)
    assert not default_path().exists() or "rustdesk" not in default_path().read_text(encoding="utf-8")


@pytest.mark.parametrize("content", ["{not json", '{"reported": 3}', '[1, 2]', '{"reported": [{"tool": 1}]}',
                                     '{"reported": [{"tool": "anydesk", "exe": "", "at": "soon"}]}'])
def test_damaged_state_file_counts_as_empty_and_is_replaced(spawn, content, caplog):
    p = spawn("AnyDesk")
    running(p, "AnyDesk")
    path = default_path()
    path.parent.mkdir(parents=True)
    path.write_text(content, encoding="utf-8")
    caplog.set_level(logging.WARNING, logger="agent.watch.at_start")
    w = starting_watcher()
    assert len(mine(w.check(baseline=True), p)) == 1
    assert sum("is damaged" in r.getMessage() for r in caplog.records) == 1
    assert json.loads(path.read_text(encoding="utf-8"))["version"] == 1, "rewritten whole"
    assert mine(starting_watcher().check(baseline=True), p) == []


def test_unreadable_and_unwritable_state_never_stops_the_watcher(spawn, caplog):
    p = spawn("AnyDesk")
    running(p, "AnyDesk")
    default_path().mkdir(parents=True)          # a folder where the file should be
    caplog.set_level(logging.WARNING, logger="agent.watch.at_start")
    w = starting_watcher()
    assert len(mine(w.check(baseline=True), p)) == 1, "reported rather than lost"
    q = spawn("rustdesk")
    assert [t.tool.id for t in mine(w.check(), q)] == ["rustdesk"], "and the watcher goes on"
    messages = [r.getMessage() for r in caplog.records]
    assert sum("cannot read" in m for m in messages) == 1 and sum("cannot write" in m for m in messages) == 1


def test_a_browser_starting_asks_for_warm_ocr_once(spawn):
    """A browser process starting → a "warm" trigger (the OCR models load before its
    window, maybe a kiosk scam page, appears); more browser processes soon after → none."""
    w = watcher()
    first = spawn("firefox")
    running(first, "firefox")
    warm = [t for t in w.check() if t.kind == "warm" and t.details.get("pid") == first.pid]
    assert len(warm) == 1 and warm[0].details["browser"] == "firefox"
    second = spawn("firefox-esr")
    running(second, "firefox-esr")
    assert [t for t in w.check() if t.kind == "warm"] == []
    w.clock = lambda: time.monotonic() + 60   # half a minute later: a new browser start warms again
    third = spawn("chromium")
    running(third, "chromium")
    assert [t.details["browser"] for t in w.check() if t.kind == "warm" and t.details.get("pid") == third.pid] == ["chromium"]
