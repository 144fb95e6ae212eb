#!/usr/bin/env python3
"""OCR word boxes of the corpus screens, cached under bench/out/ocr/ (gitignored).

    .venv/bin/python bench/ocr_cache.py [CORPUS] [--variants base,1280x720,...] [--ids a,b]

Each screen is read once per rendering variant with the Tesseract languages a user of
its language has by default (``agent.config.default_ocr_languages``); the words (text,
confidence, box, line and block ids), the OCR wall time and CPU time are kept as JSON
so that ``bench/detection.py`` can refit and re-evaluate the scorer in seconds. The
cache key holds the preprocessing/OCR version (``OCR_VERSION``): change it when
``agent/detect/preprocess.py`` or ``ocr.py`` change what is read. The preparation
depends on the text scale of the screen (``preprocess.text_scale``, cheap, kept in
``scales.json``): a screen read at another scale than 1 has its own entry.

Variants are produced here by image transforms of the corpus screens (never stored in
the project): ``1280x720`` and ``2560x1440`` rescale, ``scale150`` draws the screen at 150 %
(2049x1152: the same layout drawn with 1.5x the pixels, as 150 % display scaling does), ``dark``
inverts the luminance (forced dark mode), ``jpeg`` recompresses at quality 60, ``desktop`` draws the
page inside a normal (not fullscreen) browser window on a desktop of our own: wallpaper, a taskbar
with a clock and the date, a sticky note with a date and a file window behind (``bench/desktop_scene.py``).
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageOps  # noqa: E402

from agent.config import default_ocr_languages  # noqa: E402
from agent.detect import preprocess, words as wordmod  # noqa: E402
from agent.detect.ocr import OcrEngine  # noqa: E402

OCR_VERSION = "2"   # 2: page background patterns painted over, wavy lines through text erased
CACHE = ROOT / "bench" / "out" / "ocr"
VARIANTS = ("base", "1280x720", "2560x1440", "scale150", "dark", "jpeg", "desktop")


def variant(image: Image.Image, name: str) -> Image.Image:
    """``image`` (a 1366x768 screen) as drawn under rendering variant ``name``."""
    if name == "base":
        return image
    if "x" in name and name[0].isdigit():
        w, h = (int(v) for v in name.split("x"))
        return image.resize((w, h), Image.LANCZOS)
    if name == "scale150":
        w, h = image.size
        return image.resize((w * 3 // 2, h * 3 // 2), Image.LANCZOS)
    if name == "dark":
        return ImageOps.invert(image.convert("RGB"))
    if name == "desktop":
        import desktop_scene  # noqa: PLC0415 - bench/
        return desktop_scene.compose(image)
    if name == "jpeg":
        buf = io.BytesIO()
        image.convert("RGB").save(buf, "JPEG", quality=60)
        buf.seek(0)
        return Image.open(buf).convert("RGB")
    raise ValueError(f"unknown variant {name}")


def rows(corpus: Path):
    with open(corpus / "labels.csv", newline="", encoding="utf-8") as fh:
        yield from csv.DictReader(fh)


_SCALES: dict[str, float] = {}


def _scales_path() -> Path:
    return CACHE / OCR_VERSION / "scales.json"


def screen_scale(ident: str, name: str, image: Image.Image | None = None) -> float | None:
    """The text scale of screen ``ident`` under variant ``name`` (computed from the
    original ``image`` and remembered when not known yet; None if unknown)."""
    if not _SCALES and _scales_path().is_file():
        _SCALES.update(json.loads(_scales_path().read_text(encoding="utf-8")))
    key = f"{name}/{ident}"
    if key not in _SCALES and image is not None:
        _SCALES[key] = preprocess.text_scale(preprocess.to_gray(variant(image, name)))
        _scales_path().parent.mkdir(parents=True, exist_ok=True)
        _scales_path().write_text(json.dumps(_SCALES, indent=0), encoding="utf-8")
    return _SCALES.get(key)


def cache_path(ident: str, name: str, langs: str, scale: float = 1.0) -> Path:
    suffix = "" if scale == 1.0 else f"@{scale:g}"
    return CACHE / OCR_VERSION / name / langs / f"{ident}{suffix}.json"


def load(ident: str, name: str, langs: str, image: Image.Image | None = None) -> dict | None:
    """The cached words of a screen (None if not read yet, or its text scale is unknown
    and no ``image`` is given to compute it)."""
    scale = screen_scale(ident, name, image)
    if scale is None:
        return None
    path = cache_path(ident, name, langs, scale)
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    data["words"] = wordmod.from_json(data["words"])
    return data


def read_and_store(engine: OcrEngine, image: Image.Image, ident: str, name: str) -> dict:
    screen = variant(image, name)
    started, cpu = time.perf_counter(), time.process_time()
    found = engine.read_words(screen)
    data = {"ms": (time.perf_counter() - started) * 1000, "cpu_ms": (time.process_time() - cpu) * 1000,
            "size": list(screen.size), "words": wordmod.to_json(found)}
    path = cache_path(ident, name, engine.langs, screen_scale(ident, name, image))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    data["words"] = found
    return data


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--ids", default="")
    args = ap.parse_args()
    corpus = Path(args.corpus)
    wanted = set(filter(None, args.ids.split(",")))
    engines: dict[str, OcrEngine] = {}
    for name in args.variants.split(","):
        done = 0
        for row in rows(corpus):
            if wanted and row["id"] not in wanted:
                continue
            langs = default_ocr_languages(row["lang"])
            with Image.open(corpus / row["file"]) as img:
                img.load()
                image = img.convert("RGB")
            if load(row["id"], name, langs, image) is not None:
                continue
            engine = engines.setdefault(langs, OcrEngine(langs))
            read_and_store(engine, image, row["id"], name)
            done += 1
        print(f"{name}: {done} screens read", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
