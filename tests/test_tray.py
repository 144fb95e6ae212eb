"""The tray under Xvfb with a real tray host (trayer), the real Agent (responder=None),
real clicks (xdotool) on the docked icon and on the status window, real Chromium."""
from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import pytest

from agent import config, config_write, events, i18n, paths, tray
from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parent.parent
PALETTE = {"protecting": (46, 157, 74), "paused": (128, 128, 128), "alert": (211, 47, 47), "degraded": (240, 140, 0)}

# The process under test: the real Agent (no responder), the real Tray, on its main thread.
# It prints the status window's layout and the tray's states as JSON lines for the test.
DRIVER = textwrap.dedent("""
    import json, sys, threading, time
    from agent import config, log, tray
    from agent.app import Agent
    import pystray
    log.setup(verbose=True)
    settings, problems = config.load()
    agent = Agent(settings, problems, responder=None)
    agent.start()
    t = tray.Tray(agent, pystray)
    def report():
        last = None
        while True:
            shown = t.window.shown if t.window else None
            asked = t.window.questions if t.window else 0
            question = t.window.question if t.window else None
            now = (t.state, json.dumps(shown, sort_keys=True), asked)
            if now != last:
                print(json.dumps({"state": t.state, "shown": shown, "questions": asked, "question": question}),
                      flush=True)
                last = now
            time.sleep(0.1)
    threading.Thread(target=report, daemon=True).start()
    t.run()
    agent.stop()
    print(json.dumps({"quit": True}), flush=True)
""")

SCAM_PAGE = """<!DOCTYPE html>
<!-- Vigie test page (tests/test_tray.py): an invented locked-browser scam, fake number. -->
<html><head><meta charset="utf-8"><title>Windows Security Center</title><style>
 body{margin:0;background:#0a4fb0;color:#fff;font-family:"DejaVu Sans",sans-serif}
 .b{background:#fff;color:#111;width:1000px;margin:80px auto;padding:36px 48px}
 h1{color:#b00;font-size:40px} p{font-size:28px;line-height:1.4} .n{font-size:48px;color:#b00;font-weight:bold}
</style></head><body><div class="b">
 <h1>Windows Security Alert: your computer is blocked</h1>
 <p>A virus (Trojan spyware) has been detected. Your bank details and passwords are at risk.</p>
 <p>Do not turn off or restart your computer. Call Microsoft Support now to unlock it:</p>
 <p class="n">Toll-free: +1-800-555-0142</p>
 <p>Microsoft certified technicians are available 24/7.</p>
</div></body></html>
"""


# -- pure parts ------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_state_has_words_and_a_distinct_icon(lang):
    tips = {s: tray.tooltip(s, lang) for s in tray.STATES}
    assert len(set(tips.values())) == 4 and all("Vigie" in v for v in tips.values())
    assert tray.tooltip("nonsense", lang) == tips["degraded"]
    colours = {s: _dominant(tray.icon_image(s)) for s in tray.STATES}
    assert colours == {s: s for s in tray.STATES}


def test_missing_icon_files_give_plain_icons(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("VIGIE_ASSETS", str(tmp_path))
    img = tray.icon_image("alert")
    assert img.size == (64, 64) and _dominant(img) == "alert"
    assert "unreadable" in caplog.text


def test_no_display_means_no_tray_host(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("PYSTRAY_BACKEND", raising=False)
    assert tray.tray_host_available("linux") is False
    assert tray.tray_host_available("win32") is True and tray.tray_host_available("darwin") is True


# -- helpers ---------------------------------------------------------------------------

def _dominant(img) -> str | None:
    """Which state colour most pixels are close to."""
    counts = dict.fromkeys(PALETTE, 0)
    data = img.convert("RGB").tobytes()
    for r, g, b in zip(data[0::3], data[1::3], data[2::3]):
        for name, (pr, pg, pb) in PALETTE.items():
            if abs(r - pr) + abs(g - pg) + abs(b - pb) < 60:
                counts[name] += 1
    best = max(counts, key=counts.get)
    return best if counts[best] > 20 else None


def _docked_icon():
    """(window id, root x, y, w, h) of Vigie's icon if it sits inside trayer, else None."""
    from Xlib import display as xdisplay
    d = xdisplay.Display()
    try:
        def walk(win, inside_trayer):
            for child in win.query_tree().children:
                try:
                    cls = child.get_wm_class() or ()
                except Exception:  # noqa: BLE001 - window vanished meanwhile
                    continue
                if cls and cls[0] == "vigieSystemTrayIcon" and inside_trayer:
                    g = child.get_geometry()
                    pos = child.translate_coords(d.screen().root, 0, 0)
                    return child.id, -pos.x, -pos.y, g.width, g.height
                found = walk(child, inside_trayer or "trayer" in cls)
                if found:
                    return found
            return None
        return walk(d.screen().root, False)
    finally:
        d.close()


def _window_name(wid: int) -> str:
    from Xlib import display as xdisplay
    d = xdisplay.Display()
    try:
        return d.create_resource_object("window", wid).get_wm_name() or ""
    finally:
        d.close()


def _icon_colour(geom) -> str | None:
    import mss
    from PIL import Image
    _wid, x, y, w, h = geom
    with (mss.MSS() if hasattr(mss, "MSS") else mss.mss()) as grab:
        shot = grab.grab({"left": x, "top": y, "width": w, "height": h})
    return _dominant(Image.frombytes("RGB", shot.size, shot.rgb))


def _current_colour() -> str | None:
    """The colour of the docked icon where it is now (trayer moves icons as others come and go)."""
    geom = _docked_icon()
    return _icon_colour(geom) if geom else None


def _same_size(geom) -> bool:
    """The docked icon still has its first size (it once shrank to 1-3 px on a state change)."""
    now = _docked_icon()
    return bool(now) and now[3:] == geom[3:] and min(now[3:]) >= 16


def _wait(what, timeout=60.0):
    return wait_for(what, timeout, 0.2)


def _click(x: int, y: int) -> None:
    # (no --sync: it waits forever when the pointer is already there)
    subprocess.run(["xdotool", "mousemove", str(x), str(y), "sleep", "0.2", "click", "1"], check=True, timeout=10)


def _centre(rect):
    x, y, w, h = rect
    return x + w // 2, y + h // 2


def _alert_windows(pid: int) -> list[list[str]]:
    """Command lines of the alert windows the tray process started."""
    import psutil
    out = []
    for child in psutil.Process(pid).children(recursive=True):
        try:
            cmd = child.cmdline()
        except psutil.Error:
            continue
        if "agent.respond.gui.alert_window" in cmd:
            out.append(cmd)
    return out


def _kill_alert_windows(pid: int) -> None:
    import psutil
    for child in psutil.Process(pid).children(recursive=True):
        try:
            if "agent.respond.gui.alert_window" in child.cmdline():
                child.kill()
        except psutil.Error:
            pass


def _event_types() -> list[str]:
    return [e["type"] for e in events.read()]


class Driver:
    """The tray process; its JSON lines are collected by a thread."""

    def __init__(self, env_extra=None):
        env = {**os.environ, "PYTHONPATH": str(ROOT), **(env_extra or {})}
        self.proc = subprocess.Popen([sys.executable, "-c", DRIVER], stdout=subprocess.PIPE, text=True,
                                     cwd=str(ROOT), env=env, start_new_session=True)
        self.lines: queue.Queue = queue.Queue()
        self.last: dict = {}
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            try:
                self.lines.put(json.loads(line))
            except ValueError:
                pass

    def wait_for(self, check, timeout=60.0):
        """The first report (newest state) for which ``check(report)`` is true, or None."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.last and check(self.last):
                return self.last
            try:
                self.last = self.lines.get(timeout=0.5)
            except queue.Empty:
                continue
        return None

    def kill(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)


@pytest.fixture
def trayer(desktop):
    if not shutil.which("trayer") or not shutil.which("xdotool"):
        pytest.skip("trayer and xdotool are needed")
    proc = subprocess.Popen(["trayer", "--edge", "top", "--align", "right", "--widthtype", "pixel", "--width", "120",
                             "--height", "32", "--transparent", "false", "--tint", "0xffffff"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert _wait(tray.tray_host_available, 20), "trayer did not take the tray selection"
        yield proc
    finally:
        proc.terminate()
        proc.wait(10)
        _wait(lambda: not tray.tray_host_available(), 10)


@pytest.fixture
def opener_log(tmp_path):
    """A stand-in ``xdg-open`` that records what it was asked to open (no file manager here)."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    log = tmp_path / "opened.txt"
    script = bindir / "xdg-open"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" >> "{log}"\n')
    script.chmod(0o755)
    return bindir, log


# -- on the desktop --------------------------------------------------------------------

@pytest.mark.desktop
def test_without_tray_host_run_returns_false_and_says_so(desktop, caplog):
    assert tray.tray_host_available() is False  # openbox + dunst, no tray

    class Standin:  # run() must not touch the agent when there is no tray
        settings = config.Settings()

    assert tray.run(Standin()) is False
    assert "no tray host" in caplog.text


@pytest.mark.desktop
def test_icon_docks_changes_state_and_window_actions_work(trayer, opener_log):
    bindir, opened = opener_log
    config_write.save(config.Settings(language="en", helper_name="Marie", helper_phone="+1-800-555-0143"))
    drv = Driver({"PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}"})
    try:
        geom = _wait(_docked_icon, 60)
        assert geom, "the icon did not dock into trayer"
        assert drv.wait_for(lambda r: r.get("state") == "protecting"), drv.last
        assert _wait(lambda: _current_colour() == "protecting", 20)
        assert _wait(lambda: _window_name(geom[0]) == tray.tooltip("protecting", "en"), 10), _window_name(geom[0])

        _click(geom[1] + geom[3] // 2, geom[2] + geom[4] // 2)   # the icon: X11 has no menu
        rep = drv.wait_for(lambda r: r.get("shown") and r["shown"]["buttons"]["pause"][0] > 0)
        assert rep, "no status window after a click on the icon"
        buttons = rep["shown"]["buttons"]

        def button(name):  # the window grows when its text does: use its latest layout
            time.sleep(0.6)
            drv.wait_for(lambda r: False, timeout=0.6)  # drain the reports
            return drv.last["shown"]["buttons"][name]
        assert "Marie" in rep["shown"]["text"]

        _click(*_centre(buttons["pause"]))                      # Pause for 1 hour
        assert drv.wait_for(lambda r: r.get("state") == "paused" and r["shown"]["state"] == "paused"), drv.last
        assert _wait(lambda: _current_colour() == "paused", 20)
        assert _same_size(geom), (_docked_icon(), geom)
        assert _wait(lambda: _window_name(geom[0]) == tray.tooltip("paused", "en"), 10), _window_name(geom[0])
        assert "paused" in _event_types()

        _click(*_centre(button("pause")))                       # now "Resume protection now"
        assert drv.wait_for(lambda r: r.get("state") == "protecting" and r["shown"]["state"] == "protecting")
        assert _wait(lambda: _current_colour() == "protecting", 20)
        assert _same_size(geom), (_docked_icon(), geom)
        assert "resumed" in _event_types()

        _click(*_centre(button("show_last")))                  # nothing happened yet: says so
        assert drv.wait_for(lambda r: r.get("shown") and i18n.t("tray.no_alert_yet", "en") in r["shown"]["text"])

        _click(*_centre(button("open_evidence")))
        assert _wait(lambda: opened.exists() and opened.read_text().strip() == str(paths.evidence_dir()), 20)

        _click(*_centre(button("test_alert")))
        assert _wait(lambda: "test_alert" in _event_types(), 30)
        assert drv.wait_for(lambda r: r.get("state") == "protecting")  # a test is not an incident on the icon

        _click(*_centre(button("show_last")))                  # now the (test) alert comes back
        shown = _wait(lambda: _alert_windows(drv.proc.pid), 30)
        assert shown and "--kind" in shown[0] and shown[0][shown[0].index("--kind") + 1] == "test"
        _kill_alert_windows(drv.proc.pid)

        _click(*_centre(button("help")))
        assert drv.wait_for(lambda r: r.get("shown") and r["shown"]["help"]
                            and "Test the alert" in r["shown"]["text"])

        _click(*_centre(button("quit")))                       # asks first; Enter keeps protecting
        assert drv.wait_for(lambda r: r.get("questions") == 1), drv.last
        time.sleep(0.5)  # let the question window take the focus
        subprocess.run(["xdotool", "key", "Return"], check=True, timeout=10)
        _click(*_centre(button("pause")))                      # still running: the window still acts
        assert drv.wait_for(lambda r: r.get("state") == "paused"), drv.last
        _click(*_centre(button("quit")))                       # now "Yes, quit Vigie"
        rep = drv.wait_for(lambda r: r.get("questions") == 2)
        assert rep, drv.last
        time.sleep(0.5)  # let the question window be mapped and take the focus (as above)
        _click(*_centre(rep["question"]["buttons"]["quit"]))    # "Yes, quit Vigie"
        assert drv.wait_for(lambda r: r.get("quit"), 30), drv.last
        assert drv.proc.wait(30) == 0
        assert _event_types()[-1] == "stopped"
        assert _wait(lambda: _docked_icon() is None, 10)
    finally:
        drv.kill()


@pytest.mark.desktop
@pytest.mark.chromium
def test_corrupt_config_shows_degraded_and_a_scam_is_still_caught(trayer, tmp_path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        pytest.skip("Chromium is needed")
    cfg = paths.config_file()
    cfg.parent.mkdir(parents=True, exist_ok=True)
    cfg.write_text('language = "en"\nsensitivity = "paranoid"\n[helper]\nheartbeat_hours = "daily"\n'
                   'name = "Marie"\n[nonsense]\n', encoding="utf-8")
    page = tmp_path / "locked.html"
    page.write_text(SCAM_PAGE, encoding="utf-8")
    drv = Driver()
    chrome = None
    try:
        geom = _wait(_docked_icon, 60)
        assert geom, "the icon did not dock into trayer"
        assert drv.wait_for(lambda r: r.get("state") == "degraded"), drv.last
        assert _wait(lambda: _current_colour() == "degraded", 20)
        assert _wait(lambda: _window_name(geom[0]) == tray.tooltip("degraded", "en"), 10), _window_name(geom[0])

        profile = tempfile.mkdtemp(prefix="vigie-chromium-", dir=tmp_path)
        chrome = subprocess.Popen([browser, "--no-sandbox", "--disable-gpu", "--no-first-run",
                                   "--disable-background-networking", "--disable-component-update",
                                   "--disable-sync", f"--user-data-dir={profile}", "--kiosk", page.as_uri()],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        assert _wait(lambda: "scam_screen" in _event_types(), 120), _event_types()
        scam = next(e for e in events.read() if e["type"] == "scam_screen")
        assert scam["family"] == "tss" and scam["verdict"] == "scam"
        assert drv.wait_for(lambda r: r.get("state") == "alert"), drv.last
        assert _wait(lambda: _window_name(geom[0]) == tray.tooltip("alert", "en"), 10), _window_name(geom[0])
        os.killpg(chrome.pid, signal.SIGKILL)  # the kiosk window covers the tray; the icon stays red after
        chrome.wait(10)
        chrome = None
        assert _wait(lambda: _current_colour() == "alert", 20)
        assert _same_size(geom), (_docked_icon(), geom)
        started = next(e for e in events.read() if e["type"] == "started")
        assert any("sensitivity" in p for p in started["problems"])   # the config problems are recorded
    finally:
        if chrome is not None:
            os.killpg(chrome.pid, signal.SIGKILL)
            chrome.wait(10)
        drv.kill()


@pytest.mark.desktop
def test_doctor_sees_the_tray_host(trayer):
    from agent.cli import doctor
    assert doctor.check_tray("en").status == "ok"
    assert doctor.check_tray("fr").title == "Icône près de l'horloge"


def test_alert_command_for_each_kind_of_incident():
    s = config.Settings(helper_name="Marie", helper_phone="+1-800-555-0143")
    assert tray.alert_command(None, s, "fr") is None
    scam = tray.alert_command({"type": "scam_screen", "family": "summons", "incident": "2026-01-01_x"}, s, "fr")
    assert scam[scam.index("--kind") + 1] == "scam" and scam[scam.index("--family") + 1] == "summons"
    assert scam[scam.index("--incident") + 1] == str(paths.evidence_dir() / "2026-01-01_x")
    assert scam[scam.index("--helper-name") + 1] == "Marie" and scam[scam.index("--lang") + 1] == "fr"
    tool = tray.alert_command({"type": "remote_tool", "name": "AnyDesk"}, s, "en")
    assert tool[tool.index("--kind") + 1] == "risky" and "AnyDesk" in tool and "--incident" not in tool
    test = tray.alert_command({"type": "test_alert", "incident": None}, s, "en")
    assert test[test.index("--kind") + 1] == "test"
    folder = tray.alert_command(Path("/tmp/some-incident"), s, "en")
    assert folder[folder.index("--incident") + 1] == "/tmp/some-incident"


def test_menu_actions_tell_the_helper_through_the_real_outbox(monkeypatch):
    """The menu used where the tray has one (Windows, macOS, GTK): items, default, actions."""
    monkeypatch.setenv("PYSTRAY_BACKEND", "dummy")  # menus only; no display needed
    import pystray
    from agent.app import Agent
    from agent.respond.helper.notifier import HelperNotifier
    settings = config.Settings(language="en", helper_notify=("json://127.0.0.1:9/hook",))
    notifier = HelperNotifier(settings)
    agent = Agent(settings, [], responder=None, notifier=notifier)
    t = tray.Tray(agent, pystray)
    menu = t.menu()
    items = {str(i.text): i for i in menu.items}
    default = [i for i in menu.items if getattr(i, "default", False)]
    assert len(default) == 1 and default[0].text == tray.tooltip("protecting", "en")
    assert [i.text for i in menu] == [tray.tooltip("protecting", "en"), "- - - -", "Show the last alert",
                                      "Pause for 1 hour", "Open the evidence folder", "Test the alert", "Help",
                                      "- - - -", "Quit"]
    items["Pause for 1 hour"](None)
    assert agent.state == "paused" and agent.state_changes.get_nowait() == "paused"
    t.set_state("paused")
    assert "Resume protection now" in [i.text for i in menu] and "Pause for 1 hour" not in [i.text for i in menu]
    items["Resume protection now"](None)
    assert agent.state == "protecting"
    monkeypatch.delenv("DISPLAY", raising=False)   # the "Quit Vigie?" window cannot show: quits as before
    items["Quit"](None)
    assert wait_for(lambda: t._stop.is_set(), 30)
    rows = notifier.outbox.rows()
    (row,) = [r for r in rows if r["kind"] == "notices"]   # one "news" message, sent at the quit
    assert row["next_attempt_at"] <= time.time()
    assert [i["kind"] for i in json.loads(row["data"])["items"]] == ["paused", "resumed", "quit"]
    # no helper code set: Pause and Quit are done as asked, and the helper hears of each at once
    urgent = [json.loads(r["data"]) for r in rows if r["kind"] == "protection_weakened"]
    assert [(u["action"], u["result"]) for u in urgent] == [("pause", "no_code"), ("quit", "no_code")]
    assert all(r["next_attempt_at"] <= time.time() for r in rows if r["kind"] == "protection_weakened")
    assert "paused" in _event_types() and "resumed" in _event_types()


def test_an_older_state_is_never_drawn_over_a_newer_one():
    """The after-docking refresh and a state change draw from two threads; the icon must
    end on the newer state (it used to be able to end on the older one's tooltip)."""
    from agent.app import Agent

    class SlowIcon:
        """Drawing a picture takes a while, as on a real tray (PNG → X11 pixmap)."""
        HAS_MENU = False

        def __init__(self):
            self.titles = []
            self._icon = None

        @property
        def icon(self):
            return self._icon

        @icon.setter
        def icon(self, image):
            time.sleep(0.3)
            self._icon = image

        @property
        def title(self):
            return self.titles[-1] if self.titles else ""

        @title.setter
        def title(self, text):
            self.titles.append(text)

    t = tray.Tray(Agent(config.Settings(language="en"), [], responder=None), None)
    t.state = "degraded"
    t.icon = SlowIcon()
    refresh = threading.Thread(target=t._draw, args=(t.icon,))
    refresh.start()                 # draws "degraded" (its picture takes 0.3 s)...
    time.sleep(0.1)
    t.set_state("alert")            # ...while the state turns to alert
    refresh.join()
    assert t.icon.title == tray.tooltip("alert", "en")
    assert t.icon.titles[-1] == tray.tooltip("alert", "en") and t.icon.titles.count(tray.tooltip("alert", "en")) == 1
