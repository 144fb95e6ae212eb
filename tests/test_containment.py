"""Remote-tool containment with real processes (renamed copies of /bin/sleep and /bin/sh),
and the real question window driven with xdotool under Xvfb."""
from __future__ import annotations

import os
import shutil
import subprocess
import time

import psutil
import pytest

from agent import events
from agent.config import Settings
from agent.platform import winproc
from agent.respond import contain
from agent.respond.responder import Responder
from tests.waiting import wait_for

TOOL = {"id": "anydesk", "name": "AnyDesk"}


def wait_until(cond, timeout=20.0):
    return wait_for(cond, timeout, 0.05)


@pytest.fixture
def stand_in(tmp_path):
    """Start a renamed copy of /bin/sleep (``AnyDesk``); always ended afterwards."""
    started = []

    def start(name="AnyDesk"):
        exe = tmp_path / name
        shutil.copy("/bin/sleep", exe)
        p = subprocess.Popen([str(exe), "300"])
        started.append(p)
        assert wait_until(lambda: psutil.Process(p.pid).name() == name)
        return p
    yield start
    for p in started:
        if p.poll() is None:
            try:
                psutil.Process(p.pid).resume()
            except psutil.Error:
                pass
            p.kill()
            p.wait()


def status(pid):
    return psutil.Process(pid).status()


def test_suspend_resume_terminate_a_tree(stand_in):
    p = stand_in()
    assert contain.suspend_tree(p.pid) == [p.pid]
    assert wait_until(lambda: status(p.pid) == psutil.STATUS_STOPPED)
    assert contain.resume_tree(p.pid) == [p.pid]
    assert wait_until(lambda: status(p.pid) != psutil.STATUS_STOPPED)
    contain.suspend_tree(p.pid)
    assert contain.terminate_tree(p.pid) == [p.pid]        # works on a paused process too
    assert p.wait(10) is not None and not contain.alive(p.pid)


def test_refuses_to_touch_itself_or_init():
    assert contain.terminate_tree(os.getpid()) == []
    assert contain.terminate_tree(1) == []
    assert contain.suspend_tree(os.getppid()) == []
    assert contain.alive(os.getpid())


def test_gone_process_is_not_an_error():
    p = subprocess.Popen(["true"])
    p.wait()
    assert contain.terminate_tree(p.pid) == []
    assert contain.resume_tree(p.pid) == []
    assert contain.close_browser(p.pid)["ok"] is True


def test_close_browser_ends_its_own_processes_and_leaves_other_programs(tmp_path):
    """From a child: the browser's processes end (same name), not the other programs it
    started (under Wine, ending every descendant took the desktop shell down)."""
    exe = tmp_path / "chromium"          # a renamed shell: parent and child share the name
    shutil.copy("/bin/sh", exe)
    root = subprocess.Popen([str(exe), "-c", f"{exe} -c 'sleep 300 & wait' & wait"])
    other = None
    try:
        assert wait_until(lambda: len(psutil.Process(root.pid).children(recursive=True)) >= 2)
        kids = psutil.Process(root.pid).children(recursive=True)
        child = next(k for k in kids if k.name() == "chromium")
        other = next(k for k in kids if k.name() == "sleep")
        assert contain.is_browser("chromium") and contain.is_browser("msedge.exe") and not contain.is_browser("python")
        assert contain.browser_root(child.pid) == root.pid
        assert sorted(p.pid for p in contain.browser_processes(root.pid)) == sorted([root.pid, child.pid])
        result = contain.close_browser(child.pid)
        assert result["ok"] and result["root"] == root.pid and sorted(result["ended"]) == sorted([root.pid, child.pid])
        assert root.wait(10) is not None
        assert not contain.alive(child.pid)
        assert contain.alive(other.pid), "a program the browser started was ended with it"
    finally:
        if root.poll() is None:
            root.kill()
        if other is not None and other.is_running():
            other.kill()


def test_close_browser_when_no_process_can_be_named(tmp_path, monkeypatch):
    """Under Wine psutil names no process (name/exe: WinError 87, an OSError) and the image
    path may be unreadable too, faked here at those lowest calls: the browser is then the
    page's own process only. Two blank names are not "the same name": the program that
    started the browser (explorer.exe on Windows) and its other child are left alone."""
    exe = tmp_path / "chromium"
    shutil.copy("/bin/sh", exe)
    parent = subprocess.Popen(["/bin/sh", "-c", f"{exe} -c 'sleep 300' & sleep 300 & wait"])
    try:
        assert wait_until(lambda: len(psutil.Process(parent.pid).children()) >= 2)
        kids = psutil.Process(parent.pid).children()
        page = next(k for k in kids if k.name() == "chromium")
        other = next(k for k in kids if k.name() == "sleep")

        def unreadable(self):
            raise OSError(22, "[WinError 87] Invalid parameter")
        for attr in ("name", "exe", "cmdline"):
            monkeypatch.setattr(psutil.Process, attr, unreadable)
        monkeypatch.setattr(winproc, "IMAGE_PATH", lambda pid: "")
        assert contain.name_of(page.pid) == ""
        assert contain.browser_root(page.pid) == page.pid
        result = contain.close_browser(page.pid)
        monkeypatch.undo()
        assert result["ok"] and result["root"] == page.pid
        assert page.pid in result["ended"] and parent.pid not in result["ended"]
        assert parent.poll() is None, "the program that started the browser was ended"
        assert other.is_running() and other.status() != psutil.STATUS_ZOMBIE, "its other child was ended"
    finally:
        for p in psutil.Process(parent.pid).children(recursive=True):
            p.kill()
        parent.kill()


def test_decisions_without_a_window(stand_in):
    p = stand_in()
    r = Responder(Settings(language="en", speak=False))
    proc = {"pid": p.pid, "name": "AnyDesk", "exe": "/x/AnyDesk"}
    assert r.on_remote_tool(TOOL, proc, {"after_alert": False, "allowlisted": True, "bank_site": False}) == "allowlisted"
    r.allowed_tools.add("anydesk")
    assert r.on_remote_tool(TOOL, proc, {"after_alert": True, "allowlisted": False, "bank_site": False}) == "allowed_session"
    kinds = [(e["type"], e.get("decision")) for e in events.read()]
    assert kinds == [("remote_tool", "allowlisted"), ("remote_tool", "allowed_session")]
    assert status(p.pid) != psutil.STATUS_STOPPED and r.processes == []


def test_recent_alert_turns_an_allowlisted_tool_into_a_question(stand_in, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)          # the window fails: the tool must be resumed
    p = stand_in()
    r = Responder(Settings(language="en", speak=False, remote_tools_mode="suspend",
                           remote_tools_containment_minutes=30))
    r.last_alert = time.monotonic() - 60
    ctx = {"after_alert": False, "allowlisted": True, "bank_site": False}
    assert r.on_remote_tool(TOOL, {"pid": p.pid, "name": "AnyDesk"}, ctx) == "asked_suspended"
    gui = r.processes[-1]
    assert gui.wait_for("error", 30) is not None
    assert wait_until(lambda: status(p.pid) != psutil.STATUS_STOPPED)
    assert any(e["type"] == "remote_tool_resumed" for e in events.read())


def click(rect):
    x, y, w, h = rect
    subprocess.run(["xdotool", "mousemove", str(x + w // 2), str(y + h // 2), "click", "1"], check=True)


@pytest.mark.desktop
def test_suspend_mode_question_close_it(desktop, stand_in):
    p = stand_in()
    r = Responder(Settings(language="fr", speak=False, remote_tools_mode="suspend"))
    try:
        decision = r.on_remote_tool(TOOL, {"pid": p.pid, "name": "AnyDesk"},
                                    {"after_alert": True, "allowlisted": False, "bank_site": False})
        assert decision == "asked_suspended"
        assert status(p.pid) == psutil.STATUS_STOPPED          # paused before the question
        gui = r.processes[-1]
        shown = gui.wait_for("shown", 30)
        assert shown and set(shown["buttons"]) == {"close_tool", "allow_tool"}
        active = subprocess.run(["xdotool", "getactivewindow", "getwindowname"], capture_output=True,
                                text=True).stdout.strip()
        assert active == "Vigie — attention"
        # Escape does not dismiss a question while the tool is paused
        subprocess.run(["xdotool", "key", "Escape"], check=True)
        assert gui.wait_for("action", 1.0) is None and gui.running()
        click(shown["buttons"]["close_tool"])
        action = gui.wait_for("action", 30)
        assert action["action"] == "close_tool" and action["ok"] is True
        assert p.wait(10) is not None
        assert any(e["type"] == "alert_action" and e["action"] == "close_tool" for e in events.read())
    finally:
        r.close_windows()


@pytest.mark.desktop
def test_warn_mode_question_its_my_helper_by_keyboard(desktop, stand_in):
    p = stand_in()
    r = Responder(Settings(language="en", speak=False, remote_tools_mode="warn"))
    try:
        assert r.on_remote_tool(TOOL, {"pid": p.pid, "name": "AnyDesk"},
                                {"after_alert": False, "allowlisted": False, "bank_site": False}) == "asked"
        assert status(p.pid) != psutil.STATUS_STOPPED
        gui = r.processes[-1]
        assert gui.wait_for("shown", 30)
        subprocess.run(["xdotool", "key", "alt+h"], check=True)       # "It's my &helper"
        action = gui.wait_for("action", 30)
        assert action["action"] == "allow_tool" and action["tool"] == "anydesk"
        assert wait_until(lambda: "anydesk" in r.allowed_tools)
        assert p.poll() is None
        assert r.on_remote_tool(TOOL, {"pid": p.pid}, {"after_alert": True, "allowlisted": False,
                                                        "bank_site": False}) == "allowed_session"
    finally:
        r.close_windows()


@pytest.mark.desktop
def test_remote_tool_with_bank_site_gets_the_strongest_alert(desktop, stand_in):
    p = stand_in()
    r = Responder(Settings(language="en", speak=False))
    try:
        assert r.on_remote_tool(TOOL, {"pid": p.pid, "name": "AnyDesk"},
                                {"after_alert": False, "allowlisted": True, "bank_site": True}) == "bank_alert"
        gui = r.processes[-1]
        shown = gui.wait_for("shown", 30)
        assert "close_tool" in shown["buttons"]
        subprocess.run(["xdotool", "key", "Return"], check=True)       # focus starts on the first button
        action = gui.wait_for("action", 30)
        assert action["action"] == "close_tool" and action["ok"] is True
        assert p.wait(10) is not None
        risky = [e for e in events.read() if e["type"] == "risky_context"]
        assert risky and risky[0]["kind"] == "remote_tool_bank" and risky[0]["incident"]
    finally:
        r.close_windows()


def test_tool_running_at_start_tells_the_helper_without_asking_the_person(stand_in, monkeypatch):
    from agent.respond.helper.notifier import HelperNotifier
    monkeypatch.delenv("DISPLAY", raising=False)
    p = stand_in()
    settings = Settings(language="fr", speak=False, remote_tools_mode="suspend",
                        helper_notify=("json://127.0.0.1:9/vigie",))
    notifier = HelperNotifier(settings)          # not started: the message waits in the outbox
    r = Responder(settings, notifier)
    proc = {"pid": p.pid, "name": "AnyDesk", "exe": "/opt/anydesk/AnyDesk"}
    ctx = {"trigger": "running_at_start", "after_alert": False, "bank_site": False}
    assert r.on_remote_tool(TOOL, proc, ctx) == "told_helper"
    assert r.processes == [], "no question window: nobody just started it"
    assert status(p.pid) != psutil.STATUS_STOPPED, "not paused either, even in suspend mode"
    ev = [e for e in events.read() if e["type"] == "remote_tool"]
    assert [(e["decision"], e["pid"]) for e in ev] == [("told_helper", p.pid)]
    rows = notifier.outbox.rows()
    assert [r_["kind"] for r_ in rows] == ["remote_tool"]
    assert "fonctionne sur l'ordinateur" in rows[0]["title"]
    assert "fonctionnait déjà" in rows[0]["body"] and "/opt/anydesk/AnyDesk" in rows[0]["body"]
    assert "30 jours" in rows[0]["body"]


def test_helper_message_for_a_tool_running_at_start_in_english():
    from agent.respond.helper import messages
    msg = messages.render("remote_tool", {"tool": "anydesk", "name": "AnyDesk", "pid": 7,
                                          "exe": r"C:\Program Files (x86)\AnyDesk\AnyDesk.exe",
                                          "at_start": True}, "en", host="pc", person="Marie", msg_id="m1")
    title, body = msg.title, " ".join(msg.text.split())
    assert title == "Vigie: a remote-control program is running on Marie's computer"
    assert "was already running" in body and r"C:\Program Files (x86)\AnyDesk\AnyDesk.exe" in body
    assert "allowed list" in body and "was started" not in body
    started_title = messages.render("remote_tool", {"tool": "anydesk", "name": "AnyDesk"}, "en",
                                    host="pc", person="Marie", msg_id="m2").title
    assert " started at " in started_title, "a tool starting keeps its own message"
