"""The helper code window (Tk, its own process, as the tray starts it) under Windows: in front,
typed into with real key presses, a wrong code said and counted, WM_CLOSE sent by another
process taken as "Cancel" (protection stays on), the right code accepted. Screenshots in the
lane's artefacts (build/artefacts/wine/code-window-*.png)."""
import ctypes
import sys
import time

from agent import helper_code
from agent.respond.gui.process import GuiProcess
from tests.windows.harness import artefact, in_front

u = ctypes.windll.user32
WM_CLOSE, VK_RETURN, KEYUP = 0x0010, 0x0D, 0x0002


def press(text: str) -> None:
    for ch in text:
        vk = ord(ch) if ch.isdigit() else VK_RETURN
        u.keybd_event(vk, 0, 0, 0)
        time.sleep(0.03)
        u.keybd_event(vk, 0, KEYUP, 0)
        time.sleep(0.05)


def window(lang: str) -> GuiProcess:
    return GuiProcess([sys.executable, "-m", "agent.respond.gui.code_window", "--action", "pause", "--lang", lang,
                       "--helper-name", "Marie", "--choices", "short", "--seconds", "300"])


def test_code_window_wrong_code_then_wm_close_is_cancel(backend):
    helper_code.save("4821")
    gui = window("fr")
    try:
        shown = gui.wait_for("shown", 60)
        assert shown and list(shown["buttons"]) == ["entry", "ok", "short", "cancel"], gui.lines
        front = in_front(backend, gui.proc.pid)
        assert front is not None and front.title.startswith("Vigie"), backend.active_window()
        press("0000\n")
        wrong = gui.wait_for("action", 30, result="wrong")
        assert wrong and wrong["fails"] == 1, gui.lines
        backend.capture().save(artefact("code-window-fr.png"))
        assert u.PostMessageW(front.id, WM_CLOSE, 0, 0)          # another program closes it
        done = gui.wait_for("done", 30)
        assert done and done["result"] == "cancel", gui.lines
        assert gui.proc.wait(30) == 0
    finally:
        gui.close()


def test_code_window_right_code(backend):
    helper_code.save("4821")
    gui = window("en")
    try:
        assert gui.wait_for("shown", 60), gui.lines
        assert in_front(backend, gui.proc.pid) is not None, backend.active_window()
        press("4821")
        backend.capture().save(artefact("code-window-en.png"))
        press("\n")
        done = gui.wait_for("done", 30)
        assert done and done["result"] == "ok", gui.lines
    finally:
        gui.close()
