"""Time from a browser window turning fullscreen to the agent's ``scam_screen`` event and
to the alert window being mapped on screen; and how fast the alert takes the front back.

Real desktop (Xvfb + openbox, display :$VIGIE_BENCH_DISPLAY, default 91), real Chromium,
the real agent (X11 backend, detector, Tesseract) in this process with the real Responder
(no speech). An independent observer (its own X11 connection) stamps the moment the window
is fullscreen and the moment Vigie's alert window is mapped (in the window manager's client
list); the latencies are measured from the first stamp. After each alert the page's window
is activated (what a click through or a JS dialog does) and the time until the alert is
the active window again is measured. Two cases:
- kiosk: Chromium started with --kiosk (the page may still be loading when it is
  fullscreen: loading time is part of what the user would see);
- click: a loaded page calls requestFullscreen() after a click.
Each case runs with the default OCR of an English user (eng) and with fra+eng.

    OMP_THREAD_LIMIT=1 .venv/bin/python bench/agent_latency.py [runs]
"""
from __future__ import annotations

import datetime as dt
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
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--password-store=basic"]


def desktop(num: str) -> None:
    out = subprocess.run([str(ROOT / "scripts" / "desktop-session.sh"), "start", num], capture_output=True,
                         text=True, check=True)
    for line in out.stdout.splitlines():
        k, _, v = line[len("export "):].partition("=")
        os.environ[k] = v.strip("'\"")


def watch_fullscreen(stamp: dict, painted: dict, stop: threading.Event, alert: dict | None = None) -> None:
    """Stamps when a window turns fullscreen, then when its page is first painted (the
    first non-blank capture after that): Chromium shows a blank window for a while, and
    no detector can read a page before it is drawn."""
    from agent.platform.x11 import X11Backend
    from agent.watch import look
    b = X11Backend()
    while not stop.is_set():
        b.wait_for_change(0.05)
        w = b.active_window()
        if w is not None and w.fullscreen and w.id not in stamp:
            stamp[w.id] = time.time()
        if alert is not None and "t" not in alert and stamp:
            try:
                if any(c.wm_class == "vigie.Vigie" for c in b.windows()):
                    alert["t"] = time.time()
            except Exception:  # noqa: BLE001 - a window vanished meanwhile
                pass
        if w is not None and w.id in stamp and w.id not in painted:
            try:
                if not look.is_blank(b.capture(w)):
                    painted[w.id] = time.time()
            except Exception:  # noqa: BLE001 - window gone
                pass
    b.close()


def event_time(e: dict) -> float:
    return dt.datetime.fromisoformat(e["time"]).timestamp()


def retake_time(page_wid: int) -> float | None:
    """Activate the page's window; seconds until Vigie's alert is the active window again."""
    from agent.platform.x11 import X11Backend
    b = X11Backend()
    try:
        t0 = time.time()
        b.activate(page_wid)
        end = t0 + 10
        lost = False
        while time.time() < end:
            w = b.active_window()
            mine = w is not None and w.wm_class == "vigie.Vigie"
            lost = lost or not mine
            if mine and lost:
                return time.time() - t0
            time.sleep(0.005)
        return None if lost else 0.0
    finally:
        b.close()


def one(case: str, page: Path, seen: int, stamp: dict, painted: dict, alert: dict):
    from agent import events
    profile = tempfile.mkdtemp(prefix="vigie-bench-")
    mode = ["--kiosk"] if case == "kiosk" else ["--window-size=1000,700", "--window-position=40,40"]
    p = subprocess.Popen(["chromium", *FLAGS, f"--user-data-dir={profile}", *mode, page.as_uri()],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        if case == "click":
            found = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", "Free recipes"],
                                   capture_output=True, text=True, timeout=60).stdout.split()
            if not found:
                return None
            wid = found[0]
            time.sleep(1.0)  # let it settle: we measure detection, not Chromium's start
            for _attempt in range(4):
                # a synthetic click sometimes lands before the page takes user gestures:
                # click again until the window is fullscreen (what is measured starts there)
                subprocess.run(["xdotool", "windowactivate", "--sync", wid], timeout=30)
                subprocess.run(["xdotool", "mousemove", "--window", wid, "300", "300", "click", "1"], timeout=30)
                end = time.monotonic() + 3
                while not stamp and time.monotonic() < end:
                    time.sleep(0.05)
                if stamp:
                    break
        end = time.monotonic() + 60
        while time.monotonic() < end:
            evs = [e for e in events.read() if e["type"] == "scam_screen"]
            if len(evs) > seen:
                e = evs[-1]
                starts = [(t, wid) for wid, t in stamp.items() if t <= event_time(e) + 0.001]
                if not starts:
                    return None
                full, wid = max(starts)
                paint = painted.get(wid)
                end2 = time.monotonic() + 30
                while "t" not in alert and time.monotonic() < end2:
                    time.sleep(0.02)
                mapped = alert["t"] - full if "t" in alert else None
                back = retake_time(wid) if mapped is not None else None
                return (event_time(e) - full, (None if paint is None else event_time(e) - max(full, paint)),
                        mapped, back)
            time.sleep(0.05)
        return None
    finally:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        shutil.rmtree(profile, ignore_errors=True)
        time.sleep(1.0)


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    if os.environ.get("VIGIE_BENCH_DEBUG"):
        import logging
        logging.basicConfig(level=logging.DEBUG, format="%(relativeCreated)7.0f %(threadName)s %(message)s")
        for noisy in ("PIL", "agent.detect"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
    num = os.environ.get("VIGIE_BENCH_DISPLAY", "91")
    tmp = tempfile.mkdtemp(prefix="vigie-bench-data-")
    os.environ.update(VIGIE_DATA_DIR=tmp, VIGIE_LOG_DIR=tmp, VIGIE_CONFIG=tmp + "/none.toml",
                      VIGIE_PLATFORM="x11", VIGIE_DOWNLOADS_DIR=tmp)
    desktop(num)
    from agent.app import Agent
    from agent.config import Settings
    stamp: dict = {}
    painted: dict = {}
    alert: dict = {}
    stop = threading.Event()
    threading.Thread(target=watch_fullscreen, args=(stamp, painted, stop, alert), daemon=True).start()
    from agent.respond.responder import Responder
    from agent import events
    results: dict[tuple, list[tuple]] = {}
    # The default OCR of an English user (eng), then two models (a French user reading an
    # English page with fra+eng: the slower case).
    configs = (("eng (default for en)", {}), ("fra+eng", {"ocr_languages": "fra+eng"}))
    try:
        for label, extra in configs:
            for case, page in (("kiosk", ROOT / "tests/pages/tss_en.html"),
                               ("click", ROOT / "tests/pages/fullscreen_click.html")):
                for i in range(runs):
                    # a fresh agent each run: X11 reuses window ids, and the agent rightly
                    # reports the same scam on the same window only once every two minutes
                    settings = Settings(language="en", speak=False, **extra)
                    agent = Agent(settings, [], responder=Responder(settings))
                    agent.start()
                    time.sleep(1.0)
                    stamp.clear()
                    painted.clear()
                    alert.clear()
                    seen = sum(1 for e in events.read() if e["type"] == "scam_screen")
                    try:
                        lat = one(case, page, seen, stamp, painted, alert)
                    finally:
                        agent.responder.close_windows()
                        agent.stop()
                    shown = "missed" if lat is None else f"event {lat[0]:.2f} s" + (
                        "" if lat[1] is None else f" ({lat[1]:.2f} s after the page was painted)") + (
                        "" if lat[2] is None else f", alert mapped {lat[2]:.2f} s") + (
                        "" if lat[3] is None else f", front taken back in {lat[3] * 1000:.0f} ms")
                    print(f"{label} {case} run {i + 1}: {shown}", flush=True)
                    if lat is not None:
                        results.setdefault((label, case), []).append(lat)
    finally:
        stop.set()
        subprocess.run([str(ROOT / "scripts" / "desktop-session.sh"), "stop", num], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\n{os.cpu_count()} cores; latency from the moment the window was fullscreen")
    for (label, case), xs in results.items():
        full = [x[0] for x in xs]
        paint = [x[1] for x in xs if x[1] is not None]
        line = (f"{label:22s} {case}: fullscreen → scam_screen median {statistics.median(full):.2f} s, "
                f"min {min(full):.2f}, max {max(full):.2f} (n={len(full)})")
        if paint:
            line += f"; after first paint median {statistics.median(paint):.2f} s"
        print(line)
        mapped = [x[2] for x in xs if x[2] is not None]
        if mapped:
            print(f"{'':22s} {case}: fullscreen → alert window mapped median {statistics.median(mapped):.2f} s, "
                  f"min {min(mapped):.2f}, max {max(mapped):.2f} (n={len(mapped)})")
        back = [x[3] for x in xs if x[3] is not None]
        if back:
            print(f"{'':22s} {case}: page window activated → alert in front again median "
                  f"{statistics.median(back) * 1000:.0f} ms, max {max(back) * 1000:.0f} ms (n={len(back)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
