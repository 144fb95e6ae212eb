""""Close this page for me": how long from the click to the scam page gone.

Real desktop (Xvfb + openbox, display :$VIGIE_BENCH_DISPLAY, default 91), real Chromium
with Vigie's own fighting page (tests/pages/attack_locker.html: fullscreen on the first
click, keyboard lock, looping tone, ``beforeunload``, JS dialogs). Each run starts
Chromium with a fresh profile, clicks the page into fullscreen, holds it out of fullscreen
for 6 s as the alert's layer does, then times ``closepage.close_page`` (the call the alert makes,
the session files cleared in a thread meanwhile) until it returns — what the person waits
for — and separately until the page's window is gone (an observer polling every 20 ms). Two cases: the page
alone in its browser (the tab closes, the browser exits) and the page next to another
window of the same browser (only the tab closes).

    VIGIE_BENCH_DISPLAY=101 OMP_THREAD_LIMIT=1 .venv/bin/python bench/closepage.py [runs]
"""
from __future__ import annotations

import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import desktop  # noqa: E402
from tests.chromium import FLAGS  # noqa: E402
from tests.waiting import wait_for as wait  # noqa: E402

PAGE = (ROOT / "tests" / "pages" / "attack_locker.html").as_uri()
TITLE = "Windows Defender Security Alert"


def run(*cmd) -> str:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout


def window_of(pid: int, visible: bool = True) -> int:
    """The page's window (``visible=False``: also while unmapped — a window leaving
    fullscreen is remapped — so that only a closed page counts as gone)."""
    for w in run("xdotool", "search", *(["--onlyvisible"] if visible else []), "--name", TITLE).split():
        if f"= {pid}" in run("xprop", "-id", w, "_NET_WM_PID"):
            return int(w)
    return 0


def one(exe: str, other_window: bool) -> tuple[float, float, str]:
    from agent.respond import closepage
    profile = Path(tempfile.mkdtemp(prefix="vigie-bench-close-"))
    args = [exe, *FLAGS, f"--user-data-dir={profile}", "--window-size=1000,700"]
    p = subprocess.Popen([*args, "about:blank" if other_window else PAGE], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        if other_window:     # the person's other window first, then the scam in a window of its own
            wait(lambda: run("xdotool", "search", "--onlyvisible", "--pid", str(p.pid)).split(), 60, 0.2)
            subprocess.run([*args, "--new-window", PAGE], capture_output=True, timeout=30)
        wid = wait(lambda: window_of(p.pid), 60, 0.2)
        assert wid, "the page did not open"
        for _ in range(6):
            run("xdotool", "windowactivate", "--sync", str(wid))
            run("xdotool", "mousemove", "--window", str(wid), "300", "300", "click", "1")
            if wait(lambda: "FULLSCREEN" in run("xprop", "-id", str(wid), "_NET_WM_STATE"), 5):
                break
        # what the alert's layer does while the person reads it (here 6 s): the page is taken
        # out of fullscreen every 150 ms (it re-requests it while its click still counts)
        end = time.monotonic() + 6.0
        while time.monotonic() < end:
            run("wmctrl", "-i", "-r", str(wid), "-b", "remove,fullscreen")
            time.sleep(0.15)
        gone: dict = {}

        def watch():
            wait(lambda: not window_of(p.pid, visible=False), 30, 0.02)
            gone["t"] = time.monotonic()
        threading.Thread(target=watch, daemon=True).start()
        t0 = time.monotonic()
        later: list = []     # as the alert calls it: session files cleared once the browser ended, meanwhile
        r = closepage.close_page(wid, p.pid, TITLE, later=later)
        returned = time.monotonic() - t0
        wait(lambda: "t" in gone, 30)
        return returned, gone.get("t", float("nan")) - t0, r["how"]
    finally:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait(10)
        shutil.rmtree(profile, ignore_errors=True)


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    num = os.environ.get("VIGIE_BENCH_DISPLAY", "91")
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        print("Chromium is not installed")
        return 1
    env = desktop.start(num)
    if env is None:
        return 1
    os.environ.update(env)
    try:
        for other in (False, True):
            results = [one(exe, other) for _ in range(runs)]
            ret = [r[0] for r in results]
            gone = [r[1] for r in results]
            print(f"{'with another window' if other else 'page alone':20s} close_page returned: "
                  f"median {statistics.median(ret):.2f} s (max {max(ret):.2f}); page gone after: "
                  f"median {statistics.median(gone):.2f} s (max {max(gone):.2f}); how: "
                  f"{sorted({r[2] for r in results})}")
    finally:
        desktop.stop(num)
    return 0


if __name__ == "__main__":
    sys.exit(main())
