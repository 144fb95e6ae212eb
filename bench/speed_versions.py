"""OCR and scoring time of two versions of Vigie on the same screens, one after the other.

    .venv/bin/python bench/speed_versions.py [N] ROOT [ROOT...]

Each ROOT is a checkout of the project (``git worktree add /tmp/old <commit>``); each is
measured in a process of its own (its ``agent`` package first on the path) on the same N
corpus screens (default 40), at 1366x768 with the default OCR languages of each screen's
language: median and p95 of the whole ``Detector.scan_image``, and medians of its OCR
(``read_words``) and of its scoring (``scan_text``), with the machine's load. Run on a quiet
machine; quote the figures of one run.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
ONE = r'''
import csv, os, random, statistics, sys, time
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
root, n, corpus = sys.argv[1], int(sys.argv[2]), sys.argv[3]
sys.path.insert(0, root)
from PIL import Image
from agent.config import default_ocr_languages
from agent.detect import limits, words
from agent.detect.pipeline import Detector
rows = random.Random(3).sample(list(csv.DictReader(open(os.path.join(corpus, "labels.csv"), newline="", encoding="utf-8"))), n)
dets, whole, ocr, score = {}, [], [], []
for row in rows:
    det = dets.setdefault(default_ocr_languages(row["lang"]), Detector(default_ocr_languages(row["lang"])))
    det.warm()
    with Image.open(os.path.join(corpus, row["file"])) as img:
        screen = img.convert("RGB")
    t = time.perf_counter(); det.scan_image(screen); whole.append((time.perf_counter() - t) * 1000)
    fitted = limits.fit_image(screen)
    t = time.perf_counter(); found = det.engine.read_words(fitted); ocr.append((time.perf_counter() - t) * 1000)
    t = time.perf_counter(); det.scan_text(words.to_text(found), None, words=found, source="web")
    score.append((time.perf_counter() - t) * 1000)
whole.sort()
print(f"{root}: scan_image median {statistics.median(whole):.0f} ms, p95 {whole[round(0.95 * (len(whole) - 1))]:.0f} ms; "
      f"OCR median {statistics.median(ocr):.0f} ms; scoring median {statistics.median(score):.1f} ms; "
      f"load {os.getloadavg()[0]:.2f}")
'''


def main() -> int:
    args = sys.argv[1:]
    n = int(args.pop(0)) if args and args[0].isdigit() else 40
    if not args:
        print(__doc__)
        return 2
    for root in args:
        subprocess.run([sys.executable, "-c", ONE, str(Path(root).resolve()), str(n), str(CORPUS)],
                       cwd="/", env={**os.environ, "OMP_THREAD_LIMIT": "1"}, check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
