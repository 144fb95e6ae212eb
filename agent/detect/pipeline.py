"""The detection pipeline: image → preprocess → OCR → score → Verdict.

``Detector`` is created and used by one thread (the agent's worker, or the CLI). The
OCR engine loads on the first image; phrase lists load once per process.
"""
from __future__ import annotations

import functools
import logging
import time
from pathlib import Path

from PIL import Image

from agent import i18n
from agent.detect import limits, look, ocr, phrases, score, words
from agent.detect.verdict import Verdict

log = logging.getLogger(__name__)


@functools.lru_cache(maxsize=1)
def own_sentences() -> tuple[str, ...]:
    """Vigie's own alert and notification texts (en, fr): a capture taken while they are
    on screen must not read them as part of the page (they say "do not call the number",
    which would count against the scam behind them)."""
    out = []
    for lang in i18n.FIRST_CLASS:
        for key, text in i18n.catalogue(lang).items():
            if key.startswith("alert.") and "{" not in text:
                out += [s.strip() for s in text.replace("&", "").split(". ") if len(s.strip()) >= 8]
    return tuple(dict.fromkeys(out))


class Detector:
    """Scores screenshots and texts. Not shared between threads."""

    def __init__(self, langs: str = "fra+eng", sensitivity: str = "normal",
                 extra_phrase_dirs: tuple[Path, ...] | None = None):
        self.langs = langs
        self.sensitivity = sensitivity
        key = tuple(str(d) for d in extra_phrase_dirs) if extra_phrase_dirs is not None else None
        self.phrases, self.phrase_errors = phrases.cached(key)
        self._ocr: ocr.OcrEngine | None = None

    @property
    def engine(self) -> ocr.OcrEngine:
        if self._ocr is None:
            self._ocr = ocr.OcrEngine(self.langs)
        return self._ocr

    @property
    def is_warm(self) -> bool:
        """True while the OCR models are loaded."""
        return self._ocr is not None and self._ocr.loaded

    def warm(self) -> None:
        """Load the OCR models now rather than on the first image (the caller's thread)."""
        self.engine.load()

    def release(self) -> None:
        """Free the OCR models; the next image loads them again."""
        if self._ocr is not None:
            self._ocr.close()

    def scan_text(self, text: str, started: float | None = None, words=None, source: str = "",
                  behaviour=None, image=None) -> Verdict:
        """Score ``text`` (a screen's worth: see :func:`agent.detect.limits.cap_text`) and,
        for a screen, its OCR word boxes; ``source`` ``"web"`` for a browser page;
        ``behaviour``: an :class:`agent.detect.behaviour.Behaviour` (what the page does);
        ``image``: the screen's look (:func:`agent.detect.look.measure`)."""
        started = time.perf_counter() if started is None else started
        text, _cut = limits.cap_text(text)
        verdict = score.score_text(text, self.phrases, self.sensitivity, lang_hint=self.langs, words=words,
                                   own_sentences=own_sentences(), source=source, behaviour=behaviour,
                                   image=image)
        verdict.ms = (time.perf_counter() - started) * 1000
        return verdict

    def scan_image(self, image: Image.Image, source: str = "web", behaviour=None) -> Verdict:
        """OCR then score; raises :class:`agent.detect.ocr.OcrUnavailable` without Tesseract.
        ``source``: where the image was taken: ``"web"`` (a browser window, what the agent
        reads; the default), ``"app"`` (a desktop application) or ``""`` (unknown);
        ``behaviour``: see :meth:`scan_text`."""
        started = time.perf_counter()
        screen = limits.fit_image(image)
        found = self.engine.read_words(screen)
        return self.scan_text(words.to_text(found), started, words=found, source=source, behaviour=behaviour,
                              image=look.measure(screen, found))

    def close(self) -> None:
        if self._ocr is not None:
            self._ocr.close()
            self._ocr = None
