#!/usr/bin/env python3
"""Idle cost of the running agent: CPU (% of one core) and resident memory.

Starts a throwaway X11 desktop (scripts/desktop-session.sh, display :$VIGIE_BENCH_DISPLAY,
default 96), then the real agent (`python -m agent run --no-tray`, isolated folders) with
no browser open, lets it settle, and measures its CPU time and RSS over the window.
With ``--video``, Chromium shows a moving film fullscreen (bench/pages/moving_film.html)
during the window: the cost of watching a legitimate fullscreen video (the agent's own
CPU, not Chromium's; the OCR models are loaded then). With ``--flicker``, the page
fullscreen changes its title and its text every 50 ms (bench/pages/flicker.html): a storm of
triggers from one window; the events written during the window are counted.

    .venv/bin/python bench/idle.py [seconds=60] [--video | --flicker]
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import psutil

import desktop

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    flicker = "--flicker" in sys.argv[1:]
    video = "--video" in sys.argv[1:] or flicker
    page = "flicker.html" if flicker else "moving_film.html"
    seconds = float(args[0]) if args else 60.0
    num = os.environ.get("VIGIE_BENCH_DISPLAY", "96")
    env = desktop.start(num)
    if env is None:
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="vigie-idle-"))
    env.update(VIGIE_DATA_DIR=str(tmp / "data"), VIGIE_CONFIG=str(tmp / "config.toml"),
               VIGIE_LOG_DIR=str(tmp / "log"), OMP_THREAD_LIMIT="1")
    browser = None
    agent = subprocess.Popen([sys.executable, "-m", "agent", "run", "--no-tray"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        events = tmp / "data" / "events.jsonl"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (events.is_file() and "started" in events.read_text()):
            time.sleep(0.2)
        time.sleep(5)                                   # let start-up work finish
        if video:
            browser = subprocess.Popen(
                ["chromium", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp / 'chromium'}", "--kiosk",
                 (Path(__file__).parent / "pages" / page).as_uri()],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
            time.sleep(10)                              # the first reads after it went fullscreen
        proc = psutil.Process(agent.pid)

        def cpu() -> float:
            total = sum(proc.cpu_times()[:2])
            for child in proc.children(recursive=True):
                try:
                    total += sum(child.cpu_times()[:2])
                except psutil.Error:
                    pass
            return total

        n0 = len(events.read_text().splitlines())
        c0, t0 = cpu(), time.monotonic()
        peak = 0
        while time.monotonic() - t0 < seconds:
            peak = max(peak, proc.memory_info().rss)
            time.sleep(1)
        c1, t1 = cpu(), time.monotonic()
        written = events.read_text().splitlines()[n0:]
        rss = proc.memory_info().rss
        what = ("a page changing its title every 50 ms, fullscreen in Chromium" if flicker else
                "a moving film fullscreen in Chromium" if video else "no browser open")
        print(f"{'agent' if video else 'idle agent'} over {t1 - t0:.0f} s, {what} (display :{num}, openbox)")
        print(f"  CPU: {100 * (c1 - c0) / (t1 - t0):.3f}% of one core ({c1 - c0:.3f} s of CPU)")
        print(f"  resident memory: {rss / 2**20:.1f} MB now, {peak / 2**20:.1f} MB peak")
        print(f"  threads: {proc.num_threads()}")
        if video:
            reads = [line for line in events.read_text().splitlines() if '"screen_ok"' in line or '"scam_screen"' in line]
            print(f"  events: {len(reads)} screen_ok/scam_screen line(s) (one per title: the film reads ok)")
            per_min = 60 * len(written) / (t1 - t0)
            kinds = Counter(json.loads(x).get("type") for x in written if x.strip())
            print(f"  events written during the window: {len(written)} ({per_min:.1f} a minute): "
                  + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
    finally:
        if video and browser is not None:
            os.killpg(browser.pid, 9)
            browser.wait()
        agent.terminate()
        try:
            agent.wait(15)
        except subprocess.TimeoutExpired:
            agent.kill()
        desktop.stop(num)
    return 0


if __name__ == "__main__":
    sys.exit(main())
