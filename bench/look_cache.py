#!/usr/bin/env python3
"""The look of the corpus screens (:func:`agent.detect.look.measure`: alarm colours, a dialog over
a dimmed page, a browser-check frame), per rendering variant, cached under bench/out/look/.

    .venv/bin/python bench/look_cache.py [CORPUS] [--variants base,1280x720,...]

Each variant is drawn from the corpus screen as ``bench/ocr_cache.py`` draws it (never stored
in the project) and measured with the OCR words cached for it (the checkbox's label). The
cache key is a hash of the look's modules: any change to them measures again. The CPU time
of each measure is kept (``--variants base`` prints the median and p95 per 1366x768 screen).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import ocr_cache  # noqa: E402
from agent.config import default_ocr_languages  # noqa: E402
from agent.detect import dialog, look, preprocess  # noqa: E402

MODULES = ("look.py", "colours.py", "dialog.py", "checkframe.py")
CACHE = ROOT / "bench" / "out" / "look"


def version() -> str:
    h = hashlib.sha1()
    for name in MODULES:
        h.update((ROOT / "agent" / "detect" / name).read_bytes())
    return h.hexdigest()[:12]


_MEMO: dict[str, dict] = {}


def _path(variant: str) -> Path:
    return CACHE / version() / f"{variant}.json"


def _table(variant: str) -> dict:
    if variant not in _MEMO:
        p = _path(variant)
        _MEMO[variant] = json.loads(p.read_text(encoding="utf-8")) if p.is_file() else {}
    return _MEMO[variant]


def get(corpus: Path, row: dict, variant: str, words) -> dict[str, float]:
    """The look features of corpus screen ``row`` under ``variant`` (measured and stored when new)."""
    return entry(corpus, row, variant, words)["f"]


def undimmed(corpus: Path, row: dict, variant: str, words) -> bool:
    """True when the OCR brightens this screen's dimmed page behind a dialog before reading it
    (:func:`agent.detect.dialog.undim`): its words of the OCR cache (read without) are stale."""
    return entry(corpus, row, variant, words)["undim"]


def entry(corpus: Path, row: dict, variant: str, words) -> dict:
    """The cached measure of a screen: ``f`` (features), ``cpu_ms``, ``size``, ``undim``."""
    table = _table(variant)
    known = table.get(row["id"])
    if known is None:
        from PIL import Image  # noqa: PLC0415
        with Image.open(corpus / row["file"]) as img:
            img.load()
            screen = ocr_cache.variant(img.convert("RGB"), variant)
        cpu = time.process_time()
        features = look.measure(screen, words)
        ms = (time.process_time() - cpu) * 1000
        found = table[row["id"]] = {"f": features, "cpu_ms": ms, "size": list(screen.size),
                                    "undim": dialog.undim(preprocess.to_gray(screen)) is not None}
        _path(variant).parent.mkdir(parents=True, exist_ok=True)
        _path(variant).write_text(json.dumps(table), encoding="utf-8")
        return found
    return known


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--variants", default=",".join(ocr_cache.VARIANTS))
    args = ap.parse_args()
    corpus = Path(args.corpus)
    for name in args.variants.split(","):
        seen = 0
        for row in ocr_cache.rows(corpus):
            data = ocr_cache.load(row["id"], name, default_ocr_languages(row["lang"]))
            if data is None:
                continue
            get(corpus, row, name, data["words"])
            seen += 1
        cpu = [e["cpu_ms"] for e in _table(name).values()]
        cpu.sort()
        print(f"{name}: {seen} screens ({sum(e['undim'] for e in _table(name).values())} undimmed); look CPU ms median {statistics.median(cpu):.1f}, "
              f"p95 {cpu[int(0.95 * (len(cpu) - 1))]:.1f}, max {cpu[-1]:.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
