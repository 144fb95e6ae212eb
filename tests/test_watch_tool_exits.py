"""The process watcher reports the end of a remote session: one
``remote_session_ended`` when the last process of a reported tool exits (real
processes: renamed copies of /bin/sleep). Tools that other tests on this shared machine
do not stand in for are used: another AnyDesk still running would rightly keep the
AnyDesk session open."""
import shutil
import subprocess
import threading

import psutil

from agent.config import Settings
from agent.watch import catalog
from agent.watch.processes import ProcessWatcher
from agent.watch.situation import Situation
from tests.waiting import wait_for


def stand_in(tmp_path, name):
    exe = tmp_path / name
    if not exe.exists():
        shutil.copy("/bin/sleep", exe)
    p = subprocess.Popen([str(exe), "300"])
    assert wait_for(lambda: psutil.Process(p.pid).name() == name, 30)
    MINE.add(p.pid)
    return p


MINE: set = set()    # only this test's processes: others on this shared machine may come and go


def ended(trigs, tool_id):
    return [t for t in trigs if t.kind == "remote_session_ended" and t.tool.id == tool_id
            and t.process["pid"] in MINE]


def test_end_is_reported_once_when_the_last_process_exits(tmp_path):
    w = ProcessWatcher(catalog.get(), Situation(), Settings(), lambda t: None, threading.Event())
    w.check(baseline=True)
    a, b = stand_in(tmp_path, "AeroAdmin"), stand_in(tmp_path, "AeroAdmin")
    other = stand_in(tmp_path, "Supremo")
    procs = [a, b, other]
    try:
        trigs = w.check()
        assert {t.process["pid"] for t in trigs if t.kind == "remote_tool"} >= {a.pid, b.pid, other.pid}
        a.kill(), a.wait()
        assert ended(w.check(), "aeroadmin") == [], "another AeroAdmin process still runs"
        b.kill(), b.wait()
        done = ended(w.check(), "aeroadmin")
        assert len(done) == 1 and done[0].process["pid"] == b.pid
        assert ended(w.check(), "aeroadmin") == [] and ended(w.check(), "supremo") == []
        other.kill(), other.wait()
        assert [t.process["pid"] for t in ended(w.check(), "supremo")] == [other.pid]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()


def test_allowed_tools_and_other_programs_end_quietly(tmp_path):
    w = ProcessWatcher(catalog.get(), Situation(), Settings(remote_tools_allowlist=("rustdesk",)),
                       lambda t: None, threading.Event())
    w.check(baseline=True)
    allowed, plain = stand_in(tmp_path, "rustdesk"), stand_in(tmp_path, "sleep")
    w.check()
    for p in (allowed, plain):
        p.kill()
        p.wait()
    assert [t for t in w.check() if t.kind == "remote_session_ended" and t.process.get("pid") in
            (allowed.pid, plain.pid)] == []


def test_a_tool_running_at_start_is_followed_to_its_end(tmp_path):
    p = stand_in(tmp_path, "HopToDesk")
    try:
        w = ProcessWatcher(catalog.get(), Situation(), Settings(), lambda t: None, threading.Event())
        assert any(t.process.get("pid") == p.pid and t.details.get("trigger") == "running_at_start"
                   for t in w.check(baseline=True))
        p.kill()
        p.wait()
        assert [t.process["pid"] for t in ended(w.check(), "hoptodesk")] == [p.pid]
        q = stand_in(tmp_path, "HopToDesk")
        again = ProcessWatcher(catalog.get(), Situation(), Settings(), lambda t: None, threading.Event())
        assert not any(t.process.get("pid") == q.pid for t in again.check(baseline=True)), "told within 30 days"
        q.kill()
        q.wait()
        assert ended(again.check(), "hoptodesk") == [], "not reported, so its end is not either"
    finally:
        for x in (p,):
            if x.poll() is None:
                x.kill()
                x.wait()
