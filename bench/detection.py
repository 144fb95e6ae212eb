#!/usr/bin/env python3
"""Detection quality and speed over a labelled folder (default: ../shared/corpus).

    .venv/bin/python bench/detection.py [CORPUS] [--langs fra+eng] [--sizes 1366x768,1920x1080]
                                        [--bands 2] [--misses] [--json OUT]

Prints recall and false-positive rate per family and per language, then OCR+score time
per screen (median, p95) for each screen size. Each screen is read with the Tesseract
languages a user of its language would have (fr → fra+eng, de → deu+eng, ja → jpn+eng,
en → eng) unless --langs forces one set. Sizes other than the native 1366x768 are the
same screens rescaled (larger text, more pixels: the slower case).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from agent.config import default_ocr_languages  # noqa: E402
from agent.detect.ocr import OcrEngine  # noqa: E402
from agent.detect.pipeline import Detector  # noqa: E402

# corpus/text has no labels file: its README gives these two.
TEXT_LABELS = {"sextortion-en-2019.txt": ("scam", "sextortion", "en"),
               "ms-docs-support-scams-en.md": ("ok", "docs", "en")}


def items(corpus: Path):
    with open(corpus / "labels.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            yield row["id"], corpus / row["file"], row["label"], row["family"], row["lang"]
    for name, (label, family, lang) in TEXT_LABELS.items():
        if (corpus / "text" / name).is_file():
            yield name, corpus / "text" / name, label, family, lang


def pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:5.1f}% ({part}/{whole})" if whole else "    -"


def p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]


def reference_seconds() -> float:
    """A fixed pure-Python workload: how fast this machine is right now (a VM's speed
    varies with its host's load; compare figures only with the same reference)."""
    started = time.perf_counter()
    x = 0
    for i in range(5_000_000):
        x += i
    return time.perf_counter() - started


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--langs", help="force one Tesseract language set for every screen")
    ap.add_argument("--sizes", default="1366x768,1920x1080")
    ap.add_argument("--bands", type=int, default=2)
    ap.add_argument("--misses", action="store_true", help="print every wrong verdict with its signals")
    ap.add_argument("--json", help="write every result to this file")
    args = ap.parse_args()
    corpus = Path(args.corpus)
    if not (corpus / "labels.csv").is_file():
        print(f"no labels.csv in {corpus}", file=sys.stderr)
        return 2
    sizes = [tuple(int(x) for x in s.split("x")) for s in args.sizes.split(",") if s]
    ref_before = reference_seconds()
    detectors: dict[str, Detector] = {}
    results = []
    times: dict[str, list[float]] = defaultdict(list)
    cpu_times: dict[str, list[float]] = defaultdict(list)
    for ident, path, label, family, lang in items(corpus):
        langs = args.langs or default_ocr_languages(lang)
        det = detectors.get(langs)
        if det is None:
            det = detectors[langs] = Detector(langs)
            det._ocr = OcrEngine(langs, bands=args.bands)
        if path.suffix in (".txt", ".md"):
            v = det.scan_text(path.read_text(encoding="utf-8"))
            results.append((ident, label, family, lang, v))
            continue
        with Image.open(path) as img:
            img.load()
            native = img.convert("RGB")
        for i, (w, h) in enumerate(sizes):
            screen = native if native.size == (w, h) else native.resize((w, h), Image.LANCZOS)
            started, cpu = time.perf_counter(), time.process_time()
            v = det.scan_image(screen)
            times[f"{w}x{h}"].append((time.perf_counter() - started) * 1000)
            cpu_times[f"{w}x{h}"].append((time.process_time() - cpu) * 1000)
            if i == 0:
                results.append((ident, label, family, lang, v))

    print(f"corpus: {corpus}  screens+texts: {len(results)}  OCR languages: {args.langs or 'per user language'}")
    print("\nRecall (scam screens that alert) and false positives (legitimate screens that alert)")
    for key_name, key in (("family", 2), ("language", 3)):
        groups = defaultdict(list)
        for r in results:
            groups[r[key]].append(r)
        print(f"  by {key_name}:")
        for g in sorted(groups):
            rows = groups[g]
            scams = [r for r in rows if r[1] == "scam"]
            oks = [r for r in rows if r[1] == "ok"]
            parts = []
            if scams:
                parts.append("recall " + pct(sum(r[4].is_scam for r in scams), len(scams)))
                parts.append("right family " + pct(sum(r[4].family == r[2] for r in scams if r[4].is_scam),
                                                    sum(r[4].is_scam for r in scams)))
            if oks:
                parts.append("false positives " + pct(sum(r[4].is_scam for r in oks), len(oks)))
            print(f"    {g:11s} " + "   ".join(parts))
    scams = [r for r in results if r[1] == "scam"]
    oks = [r for r in results if r[1] == "ok"]
    print(f"  overall: recall {pct(sum(r[4].is_scam for r in scams), len(scams))}"
          f"   false positives {pct(sum(r[4].is_scam for r in oks), len(oks))}")
    print("\nOCR + score time per screen (this machine, OMP_THREAD_LIMIT=1, "
          f"{args.bands} band(s) in parallel)")
    for size, values in times.items():
        cpu = cpu_times[size]
        print(f"  {size:10s} median {statistics.median(values):6.0f} ms   p95 {p95(values):6.0f} ms"
              f"   max {max(values):6.0f} ms   (n={len(values)})   CPU time (all threads) median "
              f"{statistics.median(cpu):6.0f} ms")
    sizes_seen = list(times)
    if len(sizes_seen) == 2:
        a, b = (statistics.median(times[k]) for k in sizes_seen)
        print(f"  ratio {sizes_seen[1]} / {sizes_seen[0]} (medians, same run): {b / a:.2f}")
    print(f"  load average while it ran: {os.getloadavg()[0]:.2f} (other work on the machine slows wall time)")
    print(f"  reference workload (5M-step Python loop): {ref_before:.2f} s before, "
          f"{reference_seconds():.2f} s after (this VM's speed varies with its host)")
    if args.misses:
        print("\nWrong verdicts:")
        for ident, label, family, lang, v in results:
            if v.is_scam != (label == "scam"):
                print(f"  {ident} ({label}/{family}/{lang}) → {v.verdict} {v.family} {v.score:.2f}: "
                      + ", ".join(f"{s.kind}:{s.text}" for s in v.signals[:12]))
    if args.json:
        Path(args.json).write_text(json.dumps([dict(id=i, label=l, family=f, lang=g, **v.to_json())
                                               for i, l, f, g, v in results], ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
