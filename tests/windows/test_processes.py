"""The process watcher sees a remote-control tool start (AnyDesk.exe, a copy of python.exe)."""
import subprocess
import threading

from agent.config import Settings
from agent.watch import catalog
from agent.watch.processes import ProcessWatcher
from agent.watch.situation import Situation
from tests.waiting import wait_for


class Remember:
    def due(self, *a):
        return True

    def mark(self, *a):
        pass


def test_anydesk_starting_is_a_remote_tool(stand_ins):
    got, stop = [], threading.Event()
    watcher = ProcessWatcher(catalog.get(), Situation(), Settings(), got.append, stop, poll=0.5, at_start=Remember())
    watcher.start()
    try:
        assert watcher.ready.wait(60)
        tool = subprocess.Popen([stand_ins["AnyDesk.exe"], "-c", "import time; time.sleep(60)"])
        try:
            trig = wait_for(lambda: next((t for t in got if t.kind == "remote_tool"
                                          and t.process.get("pid") == tool.pid), None), 60)
            assert trig and trig.tool.id == "anydesk", got
            assert trig.process["name"] == "AnyDesk.exe"
        finally:
            tool.kill()
    finally:
        stop.set()
        watcher.join(10)


def test_aftercare_names_the_remote_tool_still_running(stand_ins):
    """The after-session report lists the remote tools still running (psutil's process_iter
    names no process under Wine: the names come from the image path)."""
    from agent.respond.aftercare import session
    tool = subprocess.Popen([stand_ins["AnyDesk.exe"], "-c", "import time; time.sleep(60)"])
    try:
        assert wait_for(lambda: "AnyDesk" in session.running_tools(), 60), session.running_tools()
        assert "AnyDesk" not in session.running_tools(exclude_pid=tool.pid)
    finally:
        tool.kill()
