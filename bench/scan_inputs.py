#!/usr/bin/env python3
"""`vigie scan` on oversized inputs: wall time, peak memory and exit code of each.

The inputs of issue 15's adversarial run, made here in a temporary folder: a PNG that
claims 30000x30000, a real 12000x12000 PNG and JPEG, a 54 MB text file and 1 MB of random
bytes. Each is scanned by a real `python -m agent scan` process, N times; the median wall
time and the largest peak RSS (children's ru_maxrss) are printed.

    .venv/bin/python bench/scan_inputs.py [runs=3]
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.test_scan_hostile import png_claiming as png  # noqa: E402 - the same inputs as the tests


def one(path: Path) -> tuple[float, int, int]:
    """(seconds, peak kB, exit code) of one scan in a fresh process (measured by a wrapper
    process so that each run's ru_maxrss is its own)."""
    code = ("import resource, subprocess, sys, time\n"
            "t = time.perf_counter()\n"
            "r = subprocess.run([sys.executable, '-m', 'agent', 'scan', sys.argv[1]], capture_output=True)\n"
            "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)\n")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, cwd=ROOT,
                         env={**os.environ, "OMP_THREAD_LIMIT": "1"}, timeout=900)
    secs, kb, rc = out.stdout.split()
    return float(secs), int(kb), int(rc)


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        os.environ.setdefault("VIGIE_CONFIG", str(tmp / "none.toml"))
        (tmp / "small.txt").write_text("A normal page about apple pie.\n")
        inputs = {"small text (baseline)": tmp / "small.txt",
                  "PNG claiming 30000x30000": png(tmp / "bomb.png", 30000, 30000, real=False),
                  "PNG 12000x12000": png(tmp / "big.png", 12000, 12000, real=True)}
        Image.new("RGB", (12000, 12000), "white").save(tmp / "big.jpg", quality=50)
        inputs["JPEG 12000x12000"] = tmp / "big.jpg"
        with open(tmp / "huge.txt", "wb") as fh:
            fh.write(b"lorem ipsum dolor sit amet " * 2_000_000)
        inputs["text 54 MB"] = tmp / "huge.txt"
        (tmp / "noise.txt").write_bytes(os.urandom(1 << 20))
        inputs["random bytes 1 MB (.txt)"] = tmp / "noise.txt"
        print(f"{'input':<28} {'median s':>9} {'peak MB':>8} {'exit':>5}   ({runs} runs, whole process)")
        for name, path in inputs.items():
            results = [one(path) for _ in range(runs)]
            print(f"{name:<28} {statistics.median(r[0] for r in results):>9.2f} "
                  f"{max(r[1] for r in results) / 1024:>8.0f} {results[0][2]:>5}")
    print(f"load average: {os.getloadavg()[0]:.2f} (the first line is the cost of starting a scan at all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
