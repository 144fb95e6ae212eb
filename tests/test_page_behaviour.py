"""What a page does, observed on a real desktop (Xvfb + openbox) with real Chromium and a
real PulseAudio server: the Keyboard Lock API (a refused grab of Escape on the browser's
window), a tone playing while fullscreen, a hidden cursor, fullscreen taken back after
Vigie left it. The page is Vigie's own (tests/pages/behaviour.html) served on 127.0.0.1;
each behaviour's weight in the verdict is in tests/test_detect_behaviour.py."""
from __future__ import annotations

import functools
import http.server
import subprocess
import threading
from pathlib import Path

import pytest

from agent import platform
from agent.detect import behaviour as detect_behaviour
from agent.platform import sound
from agent.watch import behaviour, catalog
from agent.watch.screen import ScreenRules
from agent.watch.situation import Situation
from tests import waiting
from tests.chromium import Browser, executable as chromium_exe
from tests.pulse import pulse_server  # noqa: F401 - the fixture

pytestmark = [pytest.mark.desktop, pytest.mark.chromium]
PAGES = Path(__file__).resolve().parent / "pages"


def xdotool(*args) -> str:
    return subprocess.run(["xdotool", *args], capture_output=True, text=True, timeout=30).stdout


def window_of(pid: int, name: str) -> int:
    """The visible window of process ``pid`` whose title holds ``name`` (waited for)."""
    def look():
        for w in xdotool("search", "--onlyvisible", "--name", name).split():
            if f"= {pid}" in subprocess.run(["xprop", "-id", w, "_NET_WM_PID"], capture_output=True, text=True).stdout:
                return int(w)
        return 0
    wid = waiting.wait_for(look, 60, 0.2)
    assert wid, f"no window {name!r} of process {pid}"
    return wid


@pytest.fixture(scope="module")
def site():
    """http://127.0.0.1:<port>/ serving tests/pages (a secure context: Keyboard Lock works)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(PAGES))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture
def open_page(desktop, pulse_server, site, monkeypatch):  # noqa: F811 - the fixture imported above
    """open(query) → (backend, window id, browser pid) of behaviour.html?query, after the
    click that lets the page act (fullscreen, lock, sound)."""
    exe = chromium_exe()
    if not exe:
        pytest.skip("Chromium is not installed")
    monkeypatch.setenv("VIGIE_PLATFORM", "x11")
    platform.reset()
    backend = platform.get()
    started = []

    def open_(query: str, click: bool = True):
        b = Browser(exe)
        started.append(b)
        proc = b.start("--window-size=900,600", "--window-position=40,40", f"{site}behaviour.html?{query}")
        wid = window_of(proc.pid, "Behaviour test")
        if click:
            click_until(wid, "ready")
        return backend, wid, proc.pid

    yield open_
    for b in started:
        b.stop()
    backend.close()
    platform.reset()


def click_until(wid: int, state: str) -> None:
    """Click on the page until its title says ``state`` (a click may land before the page
    takes user gestures)."""
    for _attempt in range(6):
        xdotool("windowactivate", "--sync", str(wid))
        xdotool("mousemove", "--window", str(wid), "300", "300", "click", "1")
        if waiting.wait_for(lambda: state in xdotool("getwindowname", str(wid)), 5.0):
            return
    raise AssertionError(f"the page never said {state!r}: {xdotool('getwindowname', str(wid))!r}")


@pytest.mark.parametrize("query, locked", [("lock", True), ("plain", False)])
def test_keyboard_lock_is_seen_only_while_a_page_holds_it(open_page, query, locked):
    backend, wid, _pid = open_page(query, click=False)
    assert backend.keyboard_locked(wid) is False, "no page holds the keyboard before the click"
    click_until(wid, "ready")
    assert backend.is_fullscreen(wid)
    assert waiting.wait_for(lambda: backend.keyboard_locked(wid) is locked, 10)
    # the probe never keeps Escape: a second probe answers the same
    assert backend.keyboard_locked(wid) is locked
    if not locked:
        # Escape still reaches the page: it leaves fullscreen
        xdotool("key", "Escape")
        assert waiting.wait_for(lambda: not backend.is_fullscreen(wid), 10)


@pytest.mark.parametrize("query, playing", [("sound", True), ("plain", False)])
def test_sound_of_the_fullscreen_page(open_page, query, playing):
    backend, wid, pid = open_page(query)
    w = backend.info(wid)
    assert w.fullscreen
    if playing:
        assert waiting.wait_for(lambda: sound.playing(behaviour.process_tree(pid)), 20), "the tone is not seen"
        assert behaviour.observe(backend, backend.info(wid), {"browser": "chromium"}).audio is True
    else:
        assert waiting.wait_for(lambda: sound.playing(behaviour.process_tree(pid)) is False, 10)
        assert sound.playing({999999}) is False, "a process with no stream plays nothing"


@pytest.mark.parametrize("query, hidden", [("nocursor", True), ("plain", False)])
def test_hidden_cursor_over_the_page(open_page, query, hidden):
    backend, wid, _pid = open_page(query)
    xdotool("mousemove", "500", "500")
    xdotool("mousemove", "520", "510")
    assert waiting.wait_for(lambda: backend.cursor_hidden(wid) is hidden, 10)
    if hidden:
        # the pointer away from the page (a second window beside it is not needed: off its area)
        backend.leave_fullscreen(wid)
        assert waiting.wait_for(lambda: not backend.is_fullscreen(wid), 10)
        xdotool("mousemove", "1900", "1060")
        assert waiting.wait_for(lambda: backend.cursor_hidden(wid) is False, 10)


def test_fullscreen_taken_back_after_vigie_left_it_is_counted(open_page):
    backend, wid, _pid = open_page("reenter")
    rules = ScreenRules(catalog.get(), Situation(), 5.0)
    first = rules.decide(backend.active_window())
    assert first and first[-1].details["fullscreen_entries"] == 1
    backend.leave_fullscreen(wid)                         # what Vigie's take-back does
    assert waiting.wait_for(lambda: not backend.is_fullscreen(wid), 10)
    assert not rules.decide(backend.active_window())
    click_until(wid, "ready 2")                           # the page grabs the screen again
    assert waiting.wait_for(lambda: backend.is_fullscreen(wid), 10)
    again = [t for t in rules.decide(backend.active_window()) if t.kind == "fullscreen"]
    assert again and again[0].details["fullscreen_entries"] == 2
    seen = behaviour.observe(backend, backend.active_window(), again[0].details)
    assert seen.fullscreen_entries == 2
    assert detect_behaviour.features(seen)["fullscreen_reentered"] == 1.0
    assert seen.page_url.endswith("/behaviour.html?reenter"), seen.page_url


def test_a_js_dialog_is_no_window_and_takes_the_page_out_of_fullscreen(open_page):
    """What a JS dialog looks like from outside on X11 (measured, so that the README's table
    holds): Chromium draws it inside its window — no new client window, no focus change —
    and leaves fullscreen for it; a page looping dialogs and grabbing the screen back
    therefore shows as fullscreen re-entries (counted above), not as windows."""
    backend, wid, _pid = open_page("dialog")
    before = [w.id for w in backend.windows()]
    assert backend.is_fullscreen(wid)
    assert waiting.wait_for(lambda: not backend.is_fullscreen(wid), 15), "Chromium kept fullscreen under a dialog"
    assert [w.id for w in backend.windows()] == before and backend.active_id() == wid
    xdotool("key", "Return")                                  # OK


def test_a_js_dialog_over_a_fullscreen_page_is_seen_in_the_verdict(open_page):
    """The dialog Chromium draws inside the page for ``alert()`` (a white box with its OK
    button, the page behind dimmed) is read from the window's capture as what it is: the
    ``dialog`` evidence of the verdict (agent/detect/dialog.py), whatever the dialog says."""
    from agent.detect import ocr  # noqa: PLC0415
    from agent.detect.pipeline import Detector  # noqa: PLC0415
    if ocr.check_tesseract("eng"):
        pytest.skip("Tesseract eng not installed")
    backend, wid, _pid = open_page("dialog")
    assert backend.is_fullscreen(wid)
    assert waiting.wait_for(lambda: not backend.is_fullscreen(wid), 15), "no dialog came"
    det = Detector("eng")
    try:
        def seen():
            v = det.scan_image(backend.capture(backend.info(wid)))
            return v if v.features.get("dialog") == 1.0 else None
        v = waiting.wait_for(seen, 30, 0.5)               # the dialog drawn, its button too
        assert v, "the dialog was not seen in the capture"
        assert v.features["dialog_dimmed"] == 1.0, v.features
        assert {"dialog", "dialog_dimmed"} <= {s.text for s in v.signals if s.kind == "image"}, v.signals
        assert "A plain page" in v.text, v.text            # the dimmed page behind is still read
    finally:
        det.close()
        xdotool("key", "Return")
