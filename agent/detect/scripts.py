"""Text in a script that no model of the user's reads: which script it is, and the model
that reads it (when that model is installed). Called by :class:`agent.detect.ocr.OcrEngine`
in its (the worker's) thread.

A Russian or Arabic locker read with ``fra+eng`` comes out as low-confidence fragments
(``Baw komnbioTep 3a6nokupoBan``). When a good share of a screen's words are such
fragments, Tesseract's orientation-and-script detection (OSD, ``osd.traineddata``) is run
on the box around them only, and if it names a script whose model is installed but not in
use, the screen is read again with that model plus English; the reading with the better
confidence is kept. A clean page in the user's languages never pays for it. A missing
model is named by :func:`pack_for` (``vigie doctor`` offers it: never installed for the
user).
"""
from __future__ import annotations

import logging
import statistics
from typing import Sequence

from PIL import Image

from agent.detect import words as wordmod

log = logging.getLogger(__name__)

# OSD script name -> the Tesseract model that reads it
SCRIPT_MODELS = {"Cyrillic": "rus", "Arabic": "ara", "Greek": "ell", "Hebrew": "heb", "Han": "chi_sim",
                 "Hangul": "kor", "Japanese": "jpn", "Katakana": "jpn", "Hiragana": "jpn", "Thai": "tha",
                 "Devanagari": "hin", "Armenian": "hye", "Georgian": "kat", "Bengali": "ben", "Tamil": "tam"}
POOR_CONF = 60        # a word read with less confidence than this is a fragment
MIN_POOR = 6          # at least this many fragments...
POOR_SHARE = 0.4      # ...and this share of the screen's words
MIN_SCRIPT_CONF = 1.0


def poor_box(found: Sequence[wordmod.Word]) -> tuple[int, int, int, int] | None:
    """The box around the low-confidence fragments of a reading, or None when the reading
    is mostly confident (or too short to say)."""
    words = [w for w in found if len(w.text.strip()) >= 2]
    poor = [w for w in words if w.conf < POOR_CONF]
    if len(poor) < MIN_POOR or len(poor) < POOR_SHARE * len(words):
        return None
    return (min(w.left for w in poor), min(w.top for w in poor),
            max(w.left + w.width for w in poor), max(w.top + w.height for w in poor))


def confidence(found: Sequence[wordmod.Word]) -> float:
    confs = [w.conf for w in found if len(w.text.strip()) >= 2]
    return statistics.mean(confs) if confs else 0.0


def detect(image: Image.Image, tessdata: str) -> str | None:
    """The script OSD sees on ``image`` (``Cyrillic``, ``Arabic``...), None if unsure or unavailable."""
    try:
        import tesserocr  # noqa: PLC0415
    except ImportError:
        tesserocr = None
    try:
        if tesserocr is not None:
            with tesserocr.PyTessBaseAPI(path=tessdata.rstrip("/") + "/", lang="osd",
                                         psm=tesserocr.PSM.OSD_ONLY) as api:
                api.SetImage(image)
                found = api.DetectOrientationScript() or {}
            name, conf = found.get("script_name"), float(found.get("script_conf") or 0.0)
        else:
            import pytesseract  # noqa: PLC0415
            found = pytesseract.image_to_osd(image, output_type=pytesseract.Output.DICT)
            name, conf = found.get("script"), float(found.get("script_conf") or 0.0)
    except Exception as exc:  # noqa: BLE001 - OSD model missing, Tesseract error: no re-read
        log.info("script detection unavailable: %s", exc)
        return None
    return name if name and conf >= MIN_SCRIPT_CONF else None


def model_for(script: str | None, langs: str, installed: set[str]) -> str | None:
    """The installed model for ``script`` when ``langs`` lacks it (``rus``), else None."""
    model = SCRIPT_MODELS.get(script or "")
    if not model or model in langs.split("+") or model not in installed:
        return None
    return model


def pack_for(script: str | None) -> str | None:
    """The language pack that reads ``script`` (the apt name is ``tesseract-ocr-<pack>``)."""
    model = SCRIPT_MODELS.get(script or "")
    return model.replace("_", "-") if model else None
