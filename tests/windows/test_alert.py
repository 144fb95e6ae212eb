"""The alert window (its own process, as the Responder starts it) above a fullscreen
chrome.exe page, and still above after the page raises itself. The screenshot is kept in
the lane's artefacts (build/artefacts/wine/alert-over-fullscreen.png)."""
import sys

import pytest

from agent.respond.gui.process import GuiProcess
from tests.waiting import wait_for
from tests.windows.harness import artefact, in_front


def z_positions(backend, *pids):
    order = [x.pid for x in backend.windows()]
    return [order.index(p) if p in order else None for p in pids]


@pytest.fixture
def fullscreen_page(backend, page):
    assert in_front(backend, page.pid)
    assert page.send("full")
    assert wait_for(lambda: (lambda a: a and a.pid == page.pid and a.fullscreen)(backend.active_window()), 30)
    return page


def test_alert_in_front_of_a_fullscreen_page_and_stays_there(backend, fullscreen_page):
    page = fullscreen_page
    gui = GuiProcess([sys.executable, "-m", "agent.respond.gui.alert_window", "--kind", "scam", "--family", "tss",
                      "--lang", "en", "--browser-pid", str(page.pid), "--helper-name", "Julie",
                      "--helper-phone", "06 12 34 56 78"])
    try:
        assert gui.wait_for("shown", 60), gui.lines
        fg = in_front(backend, gui.proc.pid)
        assert fg is not None and fg.title.startswith("Vigie"), backend.active_window()
        alert, behind = z_positions(backend, gui.proc.pid, page.pid)
        assert alert is not None and behind is not None and alert < behind
        backend.capture().save(artefact("alert-over-fullscreen.png"))
        page.send("focus")            # the page raises itself again: keep_on_top lifts the alert back
        assert wait_for(lambda: (lambda a, b: a is not None and b is not None and a < b)(
            *z_positions(backend, gui.proc.pid, page.pid)), 30)
        backend.capture().save(artefact("alert-after-the-page-raised-itself.png"))
    finally:
        gui.close()
