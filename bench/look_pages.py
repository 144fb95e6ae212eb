"""Own training pages for the screen's look (bench/pages/look/, labels.csv): drawn by real
Chromium (headless, 1366x768), read by the OCR of a user of their language, their look
measured (:func:`agent.detect.look.measure`). Training only, like the text fixtures.

The corpus has no legitimate page with a dialog over a dimmed page, a red banner or a
checkbox frame: alone, it would teach the model that these looks are scams. These pages are
the everyday ones that have them (a bank's cookie dialog with its phone number behind, a
shop's red sale, a webmail's "leave site?" prompt, a newsletter box, a sign-in page with a
human check, a red storm warning, a talk and an article showing a locker as an example),
with three scams of the same look in languages of no phrase list or none of these pages'
words. They train the screen model only (the text model is not about looks). Screens are cached under bench/out/look_pages/.
"""
from __future__ import annotations

import csv
import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import ocr_cache  # noqa: E402
from agent.config import default_ocr_languages  # noqa: E402
from agent.detect import look, words as wordmod  # noqa: E402

PAGES = ROOT / "bench" / "pages" / "look"
SHOTS = ROOT / "bench" / "out" / "look_pages"


def screen(name: str):
    """The page drawn by Chromium (cached by the page's hash)."""
    from PIL import Image  # noqa: PLC0415
    from tests import chromium  # noqa: PLC0415
    html = (PAGES / name).read_bytes()
    png = SHOTS / f"{Path(name).stem}-{hashlib.sha1(html).hexdigest()[:12]}.png"
    if not png.is_file():
        png.parent.mkdir(parents=True, exist_ok=True)
        chromium.screenshot((PAGES / name).as_uri(), png)
    with Image.open(png) as img:
        img.load()
        return img.convert("RGB"), png.stem


def samples(features_of, phrases, with_look: bool = True) -> list[dict]:
    """One training sample per page (the shape of ``bench/detection.py``'s fixture samples)."""
    out = []
    engines: dict = {}
    with open(PAGES / "labels.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        image, key = screen(row["file"])
        langs = default_ocr_languages(row["lang"])
        data = ocr_cache.load("lookpage-" + key, "base", langs, image)
        if data is None:
            from agent.detect.ocr import OcrEngine  # noqa: PLC0415
            data = ocr_cache.read_and_store(engines.setdefault(langs, OcrEngine(langs)), image,
                                            "lookpage-" + key, "base")
        text = wordmod.to_text(data["words"])
        image_f = look.measure(image, data["words"]) if with_look else None
        out.append(dict(id="lookpage:" + row["file"], group="fixtures", label=row["label"], family=row["family"],
                        lang=row["lang"], f=features_of(text, data["words"], phrases, "web", image_f),
                        ftext=features_of(text, None, phrases), text=text, ms=0.0, look_only=True))
    return out
