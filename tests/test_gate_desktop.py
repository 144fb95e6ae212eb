"""The helper code on a real X11 desktop (Xvfb + openbox, trayer for the tray), played as
the scammer would: "press It's my helper", "click the shield and choose Pause". Without the
code the remote tool (a renamed /bin/sleep called AnyDesk) is closed, a pause ends by
itself, and the helper hears of each at once on a real SMTP server on 127.0.0.1.
Screenshots of the code windows go to build/artefacts/ (gitignored)."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from agent import config, config_write, events, helper_code
from tests.test_e2e_takeback import ARTEFACTS, find_window, screenshot
from tests.test_helper_servers import mail_url, smtp  # noqa: F401 - the fixture
from tests.test_tray import Driver, _centre, _click, _docked_icon, trayer  # noqa: F401 - the fixture
from tests.waiting import wait_event, wait_for

pytestmark = pytest.mark.desktop
CODE = "4821"


def key(*keys) -> None:
    subprocess.run(["xdotool", "key", *keys], check=True, timeout=10)


def typed(text: str) -> None:
    subprocess.run(["xdotool", "type", "--delay", "60", text], check=True, timeout=20)


def active_name() -> str:
    return subprocess.run(["xdotool", "getactivewindow", "getwindowname"], capture_output=True, text=True).stdout


def flat(message) -> str:
    return " ".join(message.get_body(preferencelist=("plain",)).get_content().split())


def gate_events(read) -> list[tuple]:
    return [(e["action"], e["result"]) for e in read() if e["type"] == "helper_code"]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_code_window_is_calm_big_and_always_has_a_way_out(desktop, lang):
    """The code window alone: its layout, a screenshot, Escape = "Cancel" (protection stays on)."""
    from agent.respond.gui.process import GuiProcess
    helper_code.save(CODE)
    gui = GuiProcess([sys.executable, "-m", "agent.respond.gui.code_window", "--action", "pause", "--lang", lang,
                      "--helper-name", "Marie", "--choices", "short", "--seconds", "300"])
    try:
        shown = gui.wait_for("shown", 30)
        assert shown and list(shown["buttons"]) == ["entry", "ok", "short", "cancel"]
        w, h = shown["size"]
        sw, sh = (int(v) for v in subprocess.run(["xdotool", "getdisplaygeometry"], capture_output=True,
                                                 text=True).stdout.split())
        assert h <= sh - 60 and w <= sw                     # never taller than the screen
        assert all(r[1] + r[3] <= sh for r in shown["buttons"].values())
        assert wait_for(lambda: "Vigie" in active_name(), 20)
        typed("12")
        screenshot(ARTEFACTS / f"gate-code-window-{lang}.png")
        key("Escape")
        done = gui.wait_for("done", 30)
        assert done["result"] == "cancel"
    finally:
        gui.close()


@pytest.fixture
def live_agent(desktop, smtp, tmp_path, monkeypatch):  # noqa: F811
    """The real agent (X11 backend, responder, helper notifier to the SMTP server; a helper
    code set), in this
    process. Its catalogue knows AnyDesk only by this test's stand-in name, so the stand-ins
    other test runs on this machine start are not asked about."""
    import dataclasses
    from agent import platform
    from agent.app import Agent
    from agent.respond.helper.notifier import HelperNotifier
    from agent.respond.responder import Responder
    from agent.watch import catalog
    monkeypatch.setenv("VIGIE_PLATFORM", "x11")
    platform.reset()
    helper_code.save(CODE)
    settings = config.Settings(language="en", speak=False, helper_name="Marie", helper_person_name="Jeanne",
                               helper_notify=(mail_url(smtp),), helper_heartbeat_hours=0)
    cat = dataclasses.replace(catalog.get(), tools=[catalog.Tool("anydesk", "AnyDesk", linux=("anydesk-gate",))])
    notifier = HelperNotifier(settings)
    responder = Responder(settings, notifier)
    agent = Agent(settings, [], responder=responder, notifier=notifier, catalog=cat, downloads_dir=tmp_path / "dl")
    agent.start()
    watcher = next(t for t in agent._threads if t.name == "vigie-processes")
    assert watcher.ready.wait(30)
    yield agent
    responder.close_windows()
    agent.stop()
    platform.reset()


def test_its_my_helper_without_the_code_closes_anydesk_and_tells_the_helper(live_agent, smtp, tmp_path):  # noqa: F811
    exe = tmp_path / "anydesk-gate"
    shutil.copy("/bin/sleep", exe)
    tool = subprocess.Popen([str(exe), "600"])
    try:
        ev = wait_event(lambda e: e["type"] == "remote_tool" and e.get("pid") == tool.pid and e.get("decision"))
        assert ev["decision"] == "asked" and ev["name"] == "AnyDesk"
        find_window("Vigie")
        assert wait_for(lambda: "Vigie" in active_name(), 60), active_name()
        assert wait_for(lambda: smtp.messages, 60)        # "a remote-control program was started"
        for _ in range(3):                                # the code view takes the keyboard
            key("alt+h")                                  # the scammer: "press It's my helper"
            typed("0000")
            key("Return")
            if wait_for(lambda: ("allow_tool", "wrong") in gate_events(events.read), 10):
                break
        assert ("allow_tool", "wrong") in gate_events(events.read)
        screenshot(ARTEFACTS / "gate-question-code-en.png")
        assert tool.poll() is None                        # a wrong code changes nothing
        assert wait_for(lambda: "Vigie" in active_name(), 30), active_name()
        key("Escape")                                     # "Cancel: I don't have the code"
        assert wait_for(lambda: tool.poll() is not None, 30), list(events.read())[-4:]   # AnyDesk is closed
        assert wait_for(lambda: any("AnyDesk" in m["Subject"] and "closed AnyDesk" in flat(m)
                                    for m in smtp.messages), 60), [m["Subject"] for m in smtp.messages]
        told = [m for m in smtp.messages if "It's my helper" in m["Subject"]]
        assert any("WRONG" in flat(m) for m in told) and any("closed AnyDesk" in flat(m) for m in told)
        assert gate_events(events.read) == [("allow_tool", "wrong"), ("allow_tool", "refused")]
        assert not any(e["type"] == "alert_action" and e["action"] == "allow_tool" for e in events.read())
        assert "anydesk" not in live_agent.responder.allowed_tools
    finally:
        if tool.poll() is None:
            tool.kill()
        tool.wait(10)


def test_its_my_helper_with_the_code_lets_it_run_and_the_helper_knows(live_agent, smtp, tmp_path):  # noqa: F811
    exe = tmp_path / "anydesk-gate"
    shutil.copy("/bin/sleep", exe)
    tool = subprocess.Popen([str(exe), "600"])
    try:
        wait_event(lambda e: e["type"] == "remote_tool" and e.get("pid") == tool.pid and e.get("decision"))
        find_window("Vigie")
        assert wait_for(lambda: "Vigie" in active_name(), 60), active_name()
        for _ in range(3):
            key("alt+h")
            typed(CODE)
            key("Return")
            if wait_for(lambda: ("allow_tool", "ok") in gate_events(events.read), 10):
                break
        assert wait_for(lambda: "anydesk" in live_agent.responder.allowed_tools, 30)
        assert tool.poll() is None
        assert wait_for(lambda: any("It's my helper" in m["Subject"] and "the helper code was used" in flat(m)
                                    for m in smtp.messages), 60), [m["Subject"] for m in smtp.messages]
    finally:
        tool.kill()
        tool.wait(10)


def test_tray_pause_without_the_code_is_short_ends_by_itself_and_the_helper_hears(trayer, smtp,  # noqa: F811
                                                                                   monkeypatch):
    from tests import test_tray          # its tray process, with the helper notifier `vigie run` has
    monkeypatch.setattr(test_tray, "DRIVER", test_tray.DRIVER.replace(   # (and no remote tool: stand-ins
        "agent = Agent(settings, problems, responder=None)",              # of other runs are not its business)
        "import dataclasses\nfrom agent.watch import catalog\n"
        "from agent.respond.helper.notifier import HelperNotifier\n"
        "agent = Agent(settings, problems, responder=None, notifier=HelperNotifier(settings),\n"
        "              catalog=dataclasses.replace(catalog.get(), tools=[]))"))
    config_write.save(config.Settings(language="en", helper_name="Marie", helper_person_name="Jeanne",
                                      helper_notify=(mail_url(smtp),), helper_heartbeat_hours=0))
    helper_code.save(CODE)
    drv = Driver({"VIGIE_SHORT_PAUSE_SECONDS": "6"})
    try:
        geom = wait_for(_docked_icon, 60)
        assert geom, "the icon did not dock into trayer"
        assert drv.wait_for(lambda r: r.get("state") == "protecting"), drv.last
        _click(geom[1] + geom[3] // 2, geom[2] + geom[4] // 2)
        rep = drv.wait_for(lambda r: r.get("shown") and r["shown"]["buttons"]["pause"][0] > 0)
        assert rep, "no status window after a click on the icon"
        _click(*_centre(rep["shown"]["buttons"]["pause"]))          # "click the shield and choose Pause"
        find_window("helper's code")
        assert drv.last.get("state") != "paused"                     # nothing paused while asking
        typed("1234")
        key("Return")
        assert wait_for(lambda: ("pause", "wrong") in gate_events(events.read), 20)
        screenshot(ARTEFACTS / "gate-tray-pause-code-en.png")
        key("alt+p")                                                 # "Pause for 6 seconds only"
        assert drv.wait_for(lambda r: r.get("state") == "paused", 30), drv.last
        assert drv.wait_for(lambda r: r.get("state") not in (None, "paused"), 60), drv.last   # back by itself
        assert any(e["type"] == "resumed" and e.get("automatic") for e in events.read())
        assert wait_for(lambda: any("pause" in m["Subject"] and "only" in flat(m) for m in smtp.messages), 60), \
            [m["Subject"] for m in smtp.messages]
        assert any("WRONG" in flat(m) for m in smtp.messages if "pause" in m["Subject"])
        assert gate_events(events.read) == [("pause", "wrong"), ("pause", "short")]

        drv.wait_for(lambda r: False, timeout=1.0)                   # the window's latest layout (its text grew)
        _click(*_centre(drv.last["shown"]["buttons"]["quit"]))      # "quit Vigie": asks first
        rep = drv.wait_for(lambda r: r.get("questions") == 1)
        assert rep, drv.last
        wait_for(lambda: "Vigie" in active_name(), 10)
        _click(*_centre(rep["question"]["buttons"]["quit"]))         # "Yes, quit Vigie" ...
        find_window("helper's code")                                 # ... then the code
        key("Escape")                                                # no code: Vigie keeps protecting
        assert wait_for(lambda: ("quit", "refused") in gate_events(events.read), 30)
        assert wait_for(lambda: any("quitting Vigie" in m["Subject"] for m in smtp.messages), 60)
        assert drv.proc.poll() is None and drv.last.get("state") == "protecting"      # still protecting
        assert not any(e["type"] == "stopped" for e in events.read())
    finally:
        drv.kill()


def test_killing_the_question_without_an_answer_closes_the_paused_tool(desktop, smtp, tmp_path):  # noqa: F811
    """"Open the task manager and end that Vigie window": with a code set, the paused tool is
    not resumed but closed, and the helper hears of it."""
    import psutil
    from agent.respond.helper.notifier import HelperNotifier
    from agent.respond.responder import Responder
    helper_code.save(CODE)
    settings = config.Settings(language="fr", speak=False, remote_tools_mode="suspend",
                               helper_notify=(mail_url(smtp),), helper_person_name="Jeanne")
    notifier = HelperNotifier(settings)
    notifier.start(announce=False)
    responder = Responder(settings, notifier)
    exe = tmp_path / "AnyDesk"
    shutil.copy("/bin/sleep", exe)
    tool = subprocess.Popen([str(exe), "600"])
    try:
        assert wait_for(lambda: psutil.Process(tool.pid).name() == "AnyDesk", 20)
        decision = responder.on_remote_tool({"id": "anydesk", "name": "AnyDesk"}, {"pid": tool.pid, "name": "AnyDesk"},
                                            {"after_alert": True, "allowlisted": False, "bank_site": False})
        assert decision == "asked_suspended"
        gui = responder.processes[-1]
        assert gui.wait_for("shown", 30)
        gui.proc.kill()                                   # ended from outside, no answer
        assert wait_for(lambda: tool.poll() is not None, 30)
        assert ("allow_tool", "refused") in gate_events(events.read)
        assert not any(e["type"] == "remote_tool_resumed" for e in events.read())
        assert wait_for(lambda: any("AnyDesk" in m["Subject"] and "fermé AnyDesk" in flat(m)
                                    for m in smtp.messages), 60), [m["Subject"] for m in smtp.messages]
    finally:
        responder.close_windows()
        notifier.stop()
        if tool.poll() is None:
            tool.kill()
        tool.wait(10)
