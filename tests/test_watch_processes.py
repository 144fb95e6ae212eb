"""Process trigger with real processes: renamed copies of /bin/sleep stand in for tools.

Other programs on this machine may run stand-ins too, so assertions look only at the
processes each test started."""
import queue
import shutil
import subprocess
import threading

import pytest

from agent.config import Settings
from agent.watch import catalog
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
    w = ProcessWatcher(catalog.get(), Situation(), Settings(), lambda t: None, threading.Event())
    assert mine(w.check(baseline=True), before) == [], "running at start: remembered, not reported"
    assert my_tools(w, before)
    p = spawn("rustdesk")
    assert [t.tool.id for t in mine(w.check(), p)] == ["rustdesk"]


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
