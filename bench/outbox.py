"""Measure the helper outbox: enqueue throughput, delivery rate to a local SMTP server
(aiosmtpd on 127.0.0.1), and the latency from ``notify()`` to the message's arrival.

    .venv/bin/python bench/outbox.py [--enqueue 1000] [--deliver 200] [--latency 40]

Prints figures; asserts nothing. Runs in a temporary data folder.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--enqueue", type=int, default=1000)
    ap.add_argument("--locked", type=int, default=5)
    ap.add_argument("--deliver", type=int, default=200)
    ap.add_argument("--latency", type=int, default=40)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="vigie-bench-outbox-")
    os.environ.update(VIGIE_DATA_DIR=f"{tmp}/data", VIGIE_CONFIG=f"{tmp}/config.toml", VIGIE_LOG_DIR=f"{tmp}/log")

    from agent.config import Settings  # noqa: PLC0415
    from agent.respond.helper.notifier import HelperNotifier  # noqa: PLC0415
    from agent.respond.helper.outbox import Outbox  # noqa: PLC0415
    from tests.test_helper_servers import SmtpServer, WebhookServer, wait_for  # noqa: PLC0415

    data = {"family": "tss", "title": "Security alert", "phones": ["+1 800-555-0142"], "process": "chromium",
            "score": 0.9, "signals": [{"text": "do not restart your computer"}]}
    srv = SmtpServer().start()
    arrivals: list[float] = []
    orig = srv.handle_DATA

    async def timed(server, session, envelope):
        arrivals.append(time.perf_counter())
        return await orig(server, session, envelope)
    srv.handle_DATA = timed
    url = srv.url()
    settings = Settings(language="en", helper_notify=(url,), helper_heartbeat_hours=0.0)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, SQLite WAL synchronous=FULL")

    # 1. enqueue: render + one transaction per message (what notify() costs the caller)
    box = Outbox(Path(tmp) / "enqueue.sqlite3")
    n = HelperNotifier(settings, outbox=box)
    t0 = time.perf_counter()
    for _ in range(args.enqueue):
        n.notify("scam", data)
    dt = time.perf_counter() - t0
    print(f"enqueue (notify, 1 channel): {args.enqueue / dt:.0f} messages/s "
          f"({dt / args.enqueue * 1000:.2f} ms per notify)")
    t0 = time.perf_counter()
    for i in range(args.enqueue):
        box.enqueue(f"raw{i}", "test", "t", "b", [url])
    dt = time.perf_counter() - t0
    print(f"enqueue (Outbox.enqueue only): {args.enqueue / dt:.0f} rows/s")

    # 2. delivery rate: flush a backlog to the local SMTP server
    n = HelperNotifier(settings, outbox=Outbox(Path(tmp) / "deliver.sqlite3"))
    n.notify("test", {})
    n.flush()  # warm-up: apprise loads its plugins once
    before = len(srv.messages)
    for _ in range(args.deliver):
        n.notify("scam", data)
    t0 = time.perf_counter()
    counts = n.flush()
    dt = time.perf_counter() - t0
    got = len(srv.messages) - before
    print(f"delivery (flush to aiosmtpd): {got}/{args.deliver} delivered, {got / dt:.1f} messages/s, "
          f"failed {counts['failed']}")

    hook = WebhookServer().start()
    n = HelperNotifier(settings.replace(helper_notify=(hook.url(),)),
                       outbox=Outbox(Path(tmp) / "deliver-hook.sqlite3"))
    for _ in range(args.deliver):
        n.notify("scam", data)
    t0 = time.perf_counter()
    counts = n.flush()
    dt = time.perf_counter() - t0
    hook.stop()
    print(f"delivery (flush to JSON webhook): {len(hook.received)}/{args.deliver} delivered, "
          f"{len(hook.received) / dt:.1f} messages/s, failed {counts['failed']}")

    # 3. latency: notify() with the sender thread running → message received by the server
    n = HelperNotifier(settings, outbox=Outbox(Path(tmp) / "latency.sqlite3"))
    n.start(announce=False)
    lat = []
    try:
        for _ in range(args.latency):
            k = len(arrivals)
            t0 = time.perf_counter()
            n.notify("scam", data)
            if wait_for(lambda: len(arrivals) > k, timeout=60, step=0.001):
                lat.append((arrivals[k] - t0) * 1000)
            time.sleep(0.02)
    finally:
        n.stop()
    # 4. another process holds the outbox's write lock: what notify() costs the caller, and
    #    the time until the message (kept in memory) reaches the server anyway
    import subprocess  # noqa: PLC0415
    path = Path(tmp) / "locked.sqlite3"
    n = HelperNotifier(settings, outbox=Outbox(path))
    holder = subprocess.Popen([sys.executable, "-c", "import sqlite3,sys; db=sqlite3.connect(sys.argv[1],"
                               " isolation_level=None); db.execute('BEGIN IMMEDIATE'); print('ok', flush=True);"
                               " sys.stdin.readline()", str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    holder.stdout.readline()
    n.start(announce=False)
    costs, reach = [], []
    try:
        for _ in range(args.locked):
            k = len(arrivals)
            t0 = time.perf_counter()
            n.notify("scam", data)
            costs.append(time.perf_counter() - t0)
            if wait_for(lambda: len(arrivals) > k, timeout=120, step=0.01):
                reach.append(arrivals[k] - t0)
    finally:
        holder.communicate("\n", timeout=30)
        n.stop()
        srv.stop()
    print(f"write lock held by another process ({len(costs)} samples): notify() returns in median "
          f"{statistics.median(costs):.2f} s (kept in memory); reaches the server in median "
          f"{statistics.median(reach) if reach else float('nan'):.2f} s; lost {args.locked - len(reach)}")
    lat.sort()
    p95 = lat[min(len(lat) - 1, int(round(0.95 * (len(lat) - 1))))]
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"latency notify() → SMTP server received ({len(lat)} samples): median {statistics.median(lat):.1f} ms, "
          f"p95 {p95:.1f} ms, max {lat[-1]:.1f} ms")


if __name__ == "__main__":
    main()
