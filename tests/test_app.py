"""The agent with the fake desktop, the real detector (Tesseract) and real processes;
``vigie run`` as a real process."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from PIL import Image, ImageDraw, ImageFont

from agent import events
from agent.app import Agent, build
from agent.config import Settings
from agent.platform.base import WindowInfo
from agent.platform.fake import FakeBackend
from tests.waiting import wait_event, wait_for

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
MON = (0, 0, 1280, 720)
SCAM_TEXT = ["Windows Defender - Security Warning", "Your computer has been blocked.",
             "Trojan spyware infection detected. Your passwords and bank details are being stolen.",
             "Do not restart or shut down your computer.",
             "Call Microsoft Support immediately: +1-800-555-0199 (Toll-Free)"]
OK_TEXT = ["Apple pie recipe", "Peel six apples and cut them into thin slices.",
           "Bake for forty minutes at 180 degrees.", "Serve warm with a little cream."]


def picture(lines, bg="white", fg="black"):
    img = Image.new("RGB", (1280, 720), bg)
    d = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 30) if os.path.exists(FONT) else None
    for i, line in enumerate(lines):
        d.text((60, 60 + i * 70), line, fill=fg, font=font)
    return img


def browser(full=True, title="Page - Chromium", wid=7):
    return WindowInfo(wid, title, 4242, "chromium", "/usr/lib/chromium/chromium", 0, 0, 1280, 720, MON,
                      full, False, "chromium.Chromium")


class Recorder:
    """Stands in for the respond module's Responder; records the calls."""

    def __init__(self, fail=False):
        self.calls, self.fail = [], fail

    def on_scam(self, verdict, image, window, trigger):
        self.calls.append(("scam", verdict.family, trigger, window.title))
        if self.fail:
            raise RuntimeError("alert window crashed")
        return None

    def on_remote_tool(self, tool, process, context):
        self.calls.append(("tool", tool["id"], process.get("pid"), context))

    def on_risky_context(self, kind, details):
        self.calls.append(("risky", kind, details))




def types():
    return [e["type"] for e in events.read()]


@pytest.fixture
def agent_with(tmp_path):
    made = []

    def make(backend, responder=None, settings=None, problems=()):
        a = Agent(settings or Settings(language="en", ocr_languages="eng", scan_interval_seconds=1.0), problems,
                  responder=responder, backend=backend, downloads_dir=tmp_path / "dl")
        made.append(a)
        a.start()
        return a

    yield make
    for a in made:
        a.stop()


def test_scam_screen_recorded_then_responder_called(agent_with):
    fb = FakeBackend([browser(full=False)])
    fb.set_image(7, picture(SCAM_TEXT))
    rec = Recorder()
    a = agent_with(fb, rec)
    assert a.state == "protecting"
    fb.set_windows([browser(full=True, title="Security Warning - Chromium")])
    ev = wait_event(lambda e: e["type"] == "scam_screen")
    assert ev["family"] == "tss" and ev["trigger"] == "fullscreen" and ev["title"].startswith("Security Warning")
    assert any("555" in p and "0199" in p for p in ev["phones"]) and ev["signals"] and ev["process"] == "chromium"
    assert ev["fullscreen"] is True and ev["score"] > 0
    wait_until(lambda: rec.calls)
    assert rec.calls[0][:3] == ("scam", "tss", "fullscreen")
    assert a.state == "alert" and a.last_incident()["type"] == "scam_screen"
    assert "alert" in drain(a.state_changes)
    time.sleep(2.5)  # two re-scan intervals: unchanged picture → not scanned, not re-reported
    assert types().count("scam_screen") == 1


def test_the_same_page_back_in_fullscreen_is_handed_on_again_at_once(agent_with):
    """A page back in fullscreen within the quiet time (after its alert closed) is read and
    handed to the Responder again at once, marked ``repeat``: the quiet time spares the
    helper a second message (the Responder's part), never the person the alert."""
    fb = FakeBackend([browser(full=False)])
    fb.set_image(7, picture(SCAM_TEXT))
    rec = Recorder()
    agent_with(fb, rec)
    fb.set_windows([browser(full=True, title="Security Warning - Chromium")])
    wait_until(lambda: [c[0] for c in rec.calls].count("scam") == 1)
    for _look in range(2):     # taken out of fullscreen; the second look proves the watcher saw the first
        fb.set_windows([browser(full=False, title="Security Warning - Chromium")])
        wait_until(lambda: not fb._changed.is_set())
    fb.set_windows([browser(full=True, title="Security Warning - Chromium")])    # the page grabs it again
    wait_until(lambda: [c[0] for c in rec.calls].count("scam") == 2)
    screens = [e for e in events.read() if e["type"] == "scam_screen"]
    assert len(screens) == 2 and "repeat" not in screens[0] and screens[1]["repeat"] is True


class WindowRecorder(Recorder):
    """A Responder stand-in whose alert window opens and closes when the test says."""

    def __init__(self):
        super().__init__()
        self.open = False

    def alert_open(self):
        return self.open


def test_the_tray_says_alert_only_while_the_alert_is_open(agent_with):
    fb = FakeBackend([browser(full=False)])
    fb.set_image(7, picture(SCAM_TEXT))
    rec = WindowRecorder()
    a = agent_with(fb, rec)
    fb.set_windows([browser(full=True, title="Security Warning - Chromium")])
    wait_until(lambda: rec.calls)
    assert a.state == "alert"                      # from the detection until the window is up
    rec.open = True                                # the alert window shows
    wait_until(lambda: a.state == "alert" and a._alert_seen_open)
    fb.set_windows([browser(full=False)])          # the page went away behind the alert
    rec.open = False                               # the person answered: the window closes
    wait_until(lambda: a.state == "protecting")
    assert drain(a.state_changes)[-1] == "protecting"


def test_legitimate_fullscreen_is_ok_and_changes_are_rescanned(agent_with):
    fb = FakeBackend([browser(full=False)])
    fb.set_image(7, picture(OK_TEXT))
    a = agent_with(fb)
    fb.set_windows([browser(full=True)])
    ok = wait_event(lambda e: e["type"] == "screen_ok")
    assert ok["verdict"] == "ok" and ok["trigger"] == "fullscreen"
    fb.set_image(7, picture(SCAM_TEXT))  # the page changes while fullscreen
    ev = wait_event(lambda e: e["type"] == "scam_screen")
    assert ev["trigger"] in ("rescan", "settle")
    assert a.state == "alert"


def test_capture_failure_degrades_then_recovers(agent_with):
    fb = FakeBackend([browser(full=False)])
    fb.fail_capture(OSError("window vanished"))
    a = agent_with(fb)
    fb.set_windows([browser(full=True)])
    wait_until(lambda: a.state == "degraded")
    fb.fail_capture(None)
    fb.set_image(7, picture(SCAM_TEXT))
    wait_event(lambda e: e["type"] == "scam_screen")
    assert a.state == "alert" and a.running


def test_failing_responder_does_not_stop_the_worker(agent_with):
    fb = FakeBackend([browser(full=False, wid=1), browser(full=False, wid=2)])
    fb.set_image(1, picture(SCAM_TEXT))
    fb.set_image(2, picture(SCAM_TEXT))
    rec = Recorder(fail=True)
    agent_with(fb, rec)
    fb.set_windows([browser(full=True, wid=1)])
    # Only the scam calls: the process watcher sees this machine's real processes, and a
    # remote tool started elsewhere meanwhile must not be counted here.
    wait_until(lambda: [c[0] for c in rec.calls].count("scam") == 1)
    fb.set_windows([browser(full=True, wid=2)])
    wait_until(lambda: [c[0] for c in rec.calls].count("scam") == 2)
    assert types().count("scam_screen") == 2


def test_pause_resume_and_test_alert(agent_with):
    fb = FakeBackend([browser(full=False)])
    fb.set_image(7, picture(SCAM_TEXT))
    rec = Recorder()
    a = agent_with(fb, rec)
    a.pause(600)
    assert a.state == "paused" and "paused" in drain(a.state_changes)
    fb.set_windows([browser(full=True)])
    time.sleep(1.5)
    assert "scam_screen" not in types() and fb.captures == 0
    a.resume()
    assert a.state == "protecting" and "resumed" in types()
    assert a.test_alert() is True
    wait_until(lambda: any(c[2] == "test" for c in rec.calls))
    assert "test_alert" in types()
    a.pause(0.5)
    wait_until(lambda: a.state != "paused")
    assert any(e["type"] == "resumed" and e.get("automatic") for e in events.read())


def test_remote_tool_with_real_process(agent_with, tmp_path):
    rec = Recorder()
    exe = tmp_path / "AnyDesk"
    shutil.copy("/bin/sleep", exe)
    a = agent_with(FakeBackend([]), rec)
    a._threads[1].ready.wait(20)
    p = subprocess.Popen([str(exe), "300"])
    try:
        ev = wait_event(lambda e: e["type"] == "remote_tool" and e.get("pid") == p.pid)
        assert ev["tool"] == "anydesk" and ev["name"] == "AnyDesk" and ev["exe"] == str(exe)
        assert ev["context"]["risk"] >= 1
        wait_until(lambda: any(c[0] == "tool" and c[2] == p.pid for c in rec.calls))
        assert a.state == "alert"
    finally:
        p.kill()
        p.wait()


def test_no_display_is_degraded_not_fatal(tmp_path, monkeypatch):
    monkeypatch.setenv("VIGIE_PLATFORM", "x11")
    monkeypatch.setenv("DISPLAY", ":987")
    from agent import platform
    platform.reset()
    a = Agent(Settings(remote_tools_allow_hours="soon"), [])
    try:
        a.start()
        started = wait_event(lambda e: e["type"] == "started")
        assert a.state == "degraded"
        assert any(":987" in p for p in started["problems"]) and any("allow_hours" in p for p in a.problems_now())
    finally:
        a.stop()
        platform.reset()
    assert types()[-1] == "stopped"


def test_build_wires_responder_and_notifier():
    a = build(Settings(), [])
    assert a.responder is not None and type(a.responder).__name__ == "Responder"
    assert a.notifier is not None and type(a.notifier).__name__ == "HelperNotifier"


def run_agent(tmp_path, *extra, env_extra=None):
    env = dict(os.environ, VIGIE_PLATFORM="fake", VIGIE_DOWNLOADS_DIR=str(tmp_path), PYTHONPATH=ROOT)
    env.pop("VIGIE_DATA_DIR", None)
    env.update(env_extra or {})
    return subprocess.Popen([sys.executable, "-m", "agent", "run", "--no-tray", "--data-dir", str(tmp_path / "d"),
                             "--config", str(tmp_path / "c.toml"), *extra], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def read_events(path):
    if not path.exists():
        return []
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()]


def test_vigie_run_started_stopped_and_single_instance(tmp_path):
    (tmp_path / "c.toml").write_text('language = "fr"\nsensitivity = "loud"\n', encoding="utf-8")
    evfile = tmp_path / "d" / "events.jsonl"
    p = run_agent(tmp_path)
    try:
        wait_until(lambda: any(e["type"] == "started" for e in read_events(evfile)), 60)
        second = run_agent(tmp_path)
        out, err = second.communicate(timeout=60)
        assert second.returncode == 3 and err.strip()
    finally:
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=30)
    assert p.returncode == 0, err
    evs = read_events(evfile)
    assert [e["type"] for e in evs][0] == "started" and evs[-1]["type"] == "stopped"
    assert any("sensitivity" in x for x in evs[0]["problems"]), "config problems recorded, not fatal"


def wait_until(pred, timeout=60):
    assert wait_for(pred, timeout, 0.05), "condition not reached"


def drain(q):
    out = []
    while not q.empty():
        out.append(q.get_nowait())
    return out


def _stand_in(path, name):
    """A renamed copy of /bin/sleep, waited for until it runs under its new name."""
    import psutil
    path.mkdir(parents=True, exist_ok=True)
    exe = path / name
    shutil.copy("/bin/sleep", exe)
    p = subprocess.Popen([str(exe), "300"])
    wait_until(lambda: psutil.Process(p.pid).name() == name)
    return p


def _first_look_done(a, tmp_path, name):
    """Everything the agent's first look found has been recorded: a tool started after it
    is recorded after them (one queue, one worker)."""
    assert a._threads[1].ready.wait(30)
    later = _stand_in(tmp_path / name, name)
    try:
        wait_event(lambda e: e["type"] == "remote_tool" and e.get("pid") == later.pid)
    finally:
        later.kill()
        later.wait()


def test_tool_running_before_the_agent_starts_is_reported_once(tmp_path, monkeypatch):
    from agent.respond.helper.notifier import HelperNotifier
    from agent.respond.responder import Responder
    monkeypatch.delenv("DISPLAY", raising=False)
    p = _stand_in(tmp_path / "bin", "AnyDesk")
    settings = Settings(language="en", ocr_languages="eng", helper_notify=("json://127.0.0.1:9/vigie",))
    notifier = HelperNotifier(settings)          # not started: its messages wait in the outbox
    responder = Responder(settings, notifier)
    mine = lambda e: e["type"] == "remote_tool" and e.get("pid") == p.pid  # noqa: E731
    try:
        a = Agent(settings, [], responder=responder, backend=FakeBackend([]), downloads_dir=tmp_path / "dl")
        a.start()
        try:
            ev = wait_event(lambda e: mine(e) and e.get("trigger") == "running_at_start")
            assert ev["tool"] == "anydesk" and ev["exe"] == str(tmp_path / "bin" / "AnyDesk")
            told = wait_event(lambda e: mine(e) and e.get("decision"))
            assert told["decision"] == "told_helper" and responder.processes == []
            assert (a.last_incident() or {}).get("pid") != p.pid, "the tray does not turn red for it"
            told_rows = lambda: [r for r in notifier.outbox.rows() if r["kind"] == "remote_tool"  # noqa: E731
                                 and "AnyDesk" in r["body"]]
            wait_until(told_rows)
            assert [r["kind"] for r in told_rows()] == ["remote_tool"]
            assert "is running" in told_rows()[0]["title"] and "AnyDesk" in told_rows()[0]["body"]
        finally:
            a.stop()
        count = len([e for e in events.read() if mine(e)])
        b = Agent(settings, [], responder=Recorder(), backend=FakeBackend([]), downloads_dir=tmp_path / "dl")
        b.start()
        try:
            _first_look_done(b, tmp_path, "rustdesk")
        finally:
            b.stop()
        assert len([e for e in events.read() if mine(e)]) == count, "the second start stays quiet"
        monkeypatch.setenv("VIGIE_DATA_DIR", str(tmp_path / "fresh"))   # nothing remembered here
        allowed = Settings(language="en", ocr_languages="eng", remote_tools_allowlist=("AnyDesk",))
        c = Agent(allowed, [], responder=Recorder(), backend=FakeBackend([]), downloads_dir=tmp_path / "dl")
        c.start()
        try:
            _first_look_done(c, tmp_path, "todesk")
        finally:
            c.stop()
        assert not [e for e in events.read() if mine(e)], "allowlisted: nothing"
    finally:
        p.kill()
        p.wait()


def test_a_browser_in_front_loads_ocr_and_idle_frees_it(agent_with, monkeypatch):
    """The models load when a browser comes to the front (not on the first scan), and are
    freed again after a while without a browser or a scan (an idle agent holds none)."""
    from agent.watch import worker as worker_mod
    fb = FakeBackend([])
    a = agent_with(fb)
    worker = next(t for t in a._threads if isinstance(t, worker_mod.Worker))
    wait_until(lambda: worker.detector is not None)
    time.sleep(1.5)
    assert not worker.detector.is_warm, "no browser yet: no model in memory"
    monkeypatch.setattr(worker_mod, "RELEASE_AFTER", 3.0)
    fb.set_windows([browser(full=False)])
    wait_until(lambda: worker.detector.is_warm, timeout=30)
    fb.set_windows([])
    wait_until(lambda: not worker.detector.is_warm, timeout=30)
    assert a.running and "scam_screen" not in types()


def test_a_fullscreen_video_is_read_less_and_less_often(agent_with):
    """A fullscreen page that changes at every look and reads "ok" (a video) is re-read at
    a growing interval (1, 2, 4... up to 6 intervals), not at every interval; a title
    change has it read at once again."""
    from agent.watch import worker as worker_mod
    frame = [0]

    def video():
        frame[0] += 1
        return picture(OK_TEXT + [f"Episode {frame[0]} of the cooking show"])

    fb = FakeBackend([browser(full=False)])
    fb.set_image(7, video)
    a = agent_with(fb)   # re-scan interval 1 s
    worker = next(t for t in a._threads if isinstance(t, worker_mod.Worker))
    fb.set_windows([browser(full=True, title="Cooking show - Chromium")])
    wait_event(lambda e: e["type"] == "screen_ok")
    time.sleep(14)
    reads = worker.reads
    # without back-off: about 14 reads (one a second); with it: 1 + 1 + 2 + 4 + ... ≈ 5
    assert 2 <= reads <= 8, reads
    fb.set_windows([browser(full=True, title="Security Warning - Chromium")])
    fb.set_image(7, picture(SCAM_TEXT))
    ev = wait_event(lambda e: e["type"] == "scam_screen", timeout=30)
    assert ev["trigger"] == "rescan" and ev["title"].startswith("Security Warning")
