"""`vigie run` with its tray icon (pystray's win32 backend) in the Wine desktop's taskbar:
the icon shows, a left click opens the status window, a right click opens the menu."""
import ctypes
import subprocess
import sys
import time

import pytest

from tests.waiting import wait_for
from tests.windows.harness import ROOT, artefact, python_env
from tests.windows.test_agent_e2e import end_tree, first

u = ctypes.windll.user32


def top_windows():
    """(title, class, pid, rect) of the visible top-level windows."""
    from ctypes import wintypes as w
    out = []

    def cb(h, _l):
        if u.IsWindowVisible(h):
            t, c, r, pid = ctypes.create_unicode_buffer(200), ctypes.create_unicode_buffer(100), w.RECT(), w.DWORD()
            u.GetWindowTextW(h, t, 200)
            u.GetClassNameW(h, c, 100)
            u.GetWindowRect(h, ctypes.byref(r))
            u.GetWindowThreadProcessId(h, ctypes.byref(pid))
            out.append((t.value, c.value, pid.value, (r.left, r.top, r.right - r.left, r.bottom - r.top)))
        return True
    u.EnumWindows(ctypes.WINFUNCTYPE(w.BOOL, w.HWND, w.LPARAM)(cb), 0)
    return out


def click(x, y, right=False):
    u.SetCursorPos(x, y)
    time.sleep(0.2)
    down, up = (0x0008, 0x0010) if right else (0x0002, 0x0004)
    u.mouse_event(down, 0, 0, 0, 0)
    time.sleep(0.05)
    u.mouse_event(up, 0, 0, 0, 0)


def find_icon(img, bar):
    """The centre of the coloured pixels at the right end of the taskbar (the grey bar is not)."""
    x0, y0, w, h = bar
    pts = [(x, y) for x in range(max(x0, x0 + w - 200), x0 + w) for y in range(y0, y0 + h)
           if (lambda p: max(p) - min(p) > 60)(img.getpixel((x, y))[:3])]
    if not pts:
        return None
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return (min(xs) + max(xs)) // 2, (min(ys) + max(ys)) // 2


@pytest.fixture
def tray_agent(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text('language = "en"\nocr_languages = "eng"\nspeak = false\n', encoding="utf-8")
    data = tmp_path / "data"
    proc = subprocess.Popen([sys.executable, "-m", "agent", "run"], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
                            env=python_env(VIGIE_DATA_DIR=str(data), VIGIE_LOG_DIR=str(tmp_path / "log"),
                                           VIGIE_CONFIG=str(cfg)))
    try:
        assert first(str(data / "events.jsonl"), "started", 120)
        yield proc
    finally:
        end_tree(proc)


def test_tray_icon_status_window_and_menu(tray_agent, backend):
    bar = wait_for(lambda: next((w for w in top_windows() if w[1] == "Shell_TrayWnd"), None), 30)
    assert bar, "the Wine desktop has a taskbar"
    icon = wait_for(lambda: find_icon(backend.capture(), bar[3]), 60)
    backend.capture().save(artefact("tray-icon.png"))
    assert icon, "no icon in the tray"
    click(*icon)
    status = wait_for(lambda: next((w for w in top_windows() if w[0] == "Vigie" and w[1] == "TkTopLevel"), None), 60)
    assert status, top_windows()
    backend.capture().save(artefact("tray-status-window.png"))
    click(*icon, right=True)
    menu = wait_for(lambda: next((w for w in top_windows() if w[1] == "#32768"), None), 30)
    assert menu, top_windows()
    time.sleep(0.5)
    backend.capture().save(artefact("tray-menu.png"))
    click(menu[3][0] - 50, menu[3][1] - 50)   # close the menu by clicking elsewhere
