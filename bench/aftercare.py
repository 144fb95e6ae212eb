"""Cost of the remote-session work: the aftercare snapshot on this computer, the
catalogue's process matching with the generated catalogue (LOLRMM + Vigie's own), and
one poll of the process watcher, compared with the former 48-tool catalogue
(``git show <rev>:assets/remote_tools.toml``, if given).

    .venv/bin/python bench/aftercare.py [--runs 25] [--old-catalogue REV]

Prints medians; asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def matching(cat, runs: int) -> tuple[float, float]:
    """µs per process looked up (name, exe, argv0): a miss (most processes) and a hit."""
    miss = median_ms(lambda: [cat.tool_for_process("python3.11", "/usr/bin/python3.11", "python3")
                              for _ in range(1000)], runs)
    hit = median_ms(lambda: [cat.tool_for_process("AnyDesk (1).exe", r"C:\Users\m\Downloads\AnyDesk (1).exe", "")
                             for _ in range(1000)], runs)
    return miss, hit


def watcher_poll(cat, runs: int) -> tuple[float, float, int]:
    """ms of one poll with no new process, and of examining every running process once."""
    import psutil
    from agent.config import Settings
    from agent.watch.processes import ProcessWatcher
    from agent.watch.situation import Situation
    w = ProcessWatcher(cat, Situation(), Settings(), lambda t: None, threading.Event())
    w.check(baseline=True)
    poll = median_ms(w.check, runs)
    pids = psutil.pids()
    examine = median_ms(lambda: [w.examine(p, baseline=True) for p in pids], max(3, runs // 5))
    return poll, examine, len(pids)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=25)
    ap.add_argument("--old-catalogue", default=None, help="a git revision holding the former catalogue")
    args = ap.parse_args()
    from agent.respond.aftercare import snapshot
    from agent.watch import catalog
    snap = snapshot.take()
    sizes = {c: len(v["items"]) for c, v in snap["categories"].items()}
    print(f"snapshot: {median_ms(snapshot.take, args.runs):.1f} ms median over {args.runs} runs; "
          f"{len(json.dumps(snap)) / 1024:.0f} KB as JSON; entries {sizes}")
    cats = {"generated": catalog.load()}
    if args.old_catalogue:
        tmp = Path(tempfile.mkdtemp(prefix="vigie-bench-cat-"))
        for name in ("browsers.toml", "risky_sites.toml"):
            (tmp / name).write_bytes((ROOT / "assets" / name).read_bytes())
        old = subprocess.run(["git", "show", f"{args.old_catalogue}:assets/remote_tools.toml"], cwd=ROOT,
                             capture_output=True, check=True).stdout
        (tmp / "remote_tools.toml").write_bytes(old)
        cats["former"] = catalog.load(tmp)
    for label, cat in cats.items():
        miss, hit = matching(cat, args.runs)
        poll, examine, n = watcher_poll(cat, args.runs)
        print(f"{label} catalogue ({len(cat.tools)} tools): lookup {miss:.1f} µs (miss) / {hit:.1f} µs "
              f"(renamed-build hit); watcher poll {poll:.2f} ms; examining all {n} processes {examine:.1f} ms")


if __name__ == "__main__":
    main()
