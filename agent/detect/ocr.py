"""OCR: Tesseract through tesserocr (model kept loaded) or, failing that, the
``tesseract`` command through pytesseract.

Choices, measured on the shared corpus (see ``bench/detection.py`` and the README):
- sparse-text mode (``--psm 11``) at full resolution: it reads big phone numbers in
  boxes and buttons that the page mode (``--psm 3``) misses;
- polarity normalisation before OCR (:mod:`agent.detect.preprocess`) instead of
  Tesseract's per-line inversion retry (``tessedit_do_invert=0``), which doubled the time;
- the screen is cut into two bands at a blank row and both are prepared and read in
  parallel, one engine per band (tesserocr, numpy and Pillow release the GIL).

An :class:`OcrEngine` belongs to one thread (the worker); engines load lazily on the
first image, so an idle agent holds no model in memory.
"""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image

from agent.detect import dialog, preprocess, scripts, words

log = logging.getLogger(__name__)
os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # Tesseract's OpenMP is 3-4x slower on 2 cores

PSM_SPARSE = 11
DEFAULT_BANDS = 2


class OcrUnavailable(RuntimeError):
    """Tesseract or a language pack is missing; the message says how to install it."""


def tessdata_dir() -> str | None:
    """Where the language files are: ``TESSDATA_PREFIX`` first, then Tesseract's own answer."""
    prefix = os.environ.get("TESSDATA_PREFIX")
    if prefix:
        return prefix
    for candidate in ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata",
                      "/usr/share/tessdata", "/usr/local/share/tessdata", "/opt/homebrew/share/tessdata",
                      r"C:\Program Files\Tesseract-OCR\tessdata"):
        if Path(candidate, "eng.traineddata").is_file() or Path(candidate, "osd.traineddata").is_file():
            return candidate
    return None


def available_languages() -> set[str]:
    """Installed Tesseract languages (empty when Tesseract is missing)."""
    folder = tessdata_dir()
    if folder and Path(folder).is_dir():
        return {p.stem for p in Path(folder).glob("*.traineddata")}
    exe = shutil.which("tesseract")
    if not exe:
        return set()
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return set()
    return {line.strip() for line in out.stdout.splitlines()[1:] if line.strip()}


INSTALL_HINT = {
    "linux": "sudo apt-get install tesseract-ocr tesseract-ocr-{pack}",
    "win32": "reinstall Vigie (its installer includes Tesseract) or install Tesseract from the UB Mannheim build",
    "darwin": "brew install tesseract tesseract-lang",
}


def _hint(pack: str = "fra") -> str:
    import sys
    key = "linux" if sys.platform.startswith("linux") else sys.platform
    return INSTALL_HINT.get(key, INSTALL_HINT["linux"]).format(pack=pack)


def check_tesseract(langs: str) -> list[str]:
    """Problems, in plain words, that stop OCR in ``langs`` (``fra+eng``); empty = OK."""
    have_engine = shutil.which("tesseract") or _tesserocr() is not None
    if not have_engine:
        return [f"Tesseract OCR is not installed. Install it with: {_hint('eng')}"]
    have = available_languages()
    problems = []
    for lang in [x for x in langs.split("+") if x]:
        if lang not in have:
            pack = lang.lower().replace("_", "-")
            problems.append(f"The Tesseract language pack '{lang}' is missing "
                            f"(installed: {', '.join(sorted(have)) or 'none'}). Install it with: {_hint(pack)}")
    return problems


def _tesserocr():
    try:
        import tesserocr  # noqa: PLC0415 - optional fast path
        return tesserocr
    except ImportError:
        return None


class OcrEngine:
    """Reads text from screenshots. One instance per thread; not re-entrant."""

    def __init__(self, langs: str = "fra+eng", bands: int = DEFAULT_BANDS, psm: int = PSM_SPARSE,
                 reread: bool = True):
        self.langs = langs
        self.reread = reread          # read again a script no model in ``langs`` reads (agent.detect.scripts)
        self._others: dict[str, "OcrEngine"] = {}
        self.last_script = ""
        self.bands = max(1, bands)
        self.psm = psm
        self._apis: list = []
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self.backend = ""

    @property
    def loaded(self) -> bool:
        return bool(self.backend)

    def load(self) -> None:
        """Load the models now (else the first :meth:`read` does); raises OcrUnavailable."""
        with self._lock:
            self._ensure()

    def _ensure(self) -> None:
        if self.backend:
            return
        problems = check_tesseract(self.langs)
        if problems:
            raise OcrUnavailable("; ".join(problems))
        tesserocr = _tesserocr()
        if tesserocr is not None:
            try:
                path = tessdata_dir() or ""
                for _ in range(self.bands):
                    api = tesserocr.PyTessBaseAPI(path=path.rstrip("/") + "/", lang=self.langs, psm=self.psm)
                    api.SetVariable("tessedit_do_invert", "0")
                    self._apis.append(api)
                self.backend = "tesserocr"
            except RuntimeError as exc:
                log.warning("tesserocr could not load %s (%s); using the tesseract command", self.langs, exc)
                self._apis = []
        if not self.backend:
            self.backend = "pytesseract"
        if self.bands > 1:
            self._pool = ThreadPoolExecutor(max_workers=self.bands, thread_name_prefix="ocr")

    def _read_one(self, index: int, image: Image.Image) -> str:
        """Tesseract's TSV (one row per word with its box and confidence) for one band."""
        if self.backend == "tesserocr":
            api = self._apis[index]
            api.SetImage(image)
            api.Recognize()
            return api.GetTSVText(0)
        import pytesseract  # noqa: PLC0415
        try:
            return pytesseract.image_to_data(
                image, lang=self.langs, config=f"--psm {self.psm} -c tessedit_do_invert=0")
        except pytesseract.TesseractNotFoundError as exc:
            raise OcrUnavailable(f"Tesseract OCR is not installed. Install it with: {_hint('eng')}") from exc

    def read(self, image: Image.Image) -> str:
        """All the text on ``image`` (any mode/size), top band first."""
        return words.to_text(self.read_words(image))

    def read_words(self, image: Image.Image) -> list[words.Word]:
        """Every word on ``image`` with its box in screen pixels, top band first."""
        with self._lock:
            self._ensure()
            gray = preprocess.to_gray(image)
            undimmed = dialog.undim(gray)           # a page darkened behind a dialog, brightened back
            gray = gray if undimmed is None else undimmed
            scale = preprocess.text_scale(gray)
            gray = preprocess.without_pattern(gray, scale)
            ranges = preprocess.band_ranges(gray, self.bands, scale)

            def band(i: int, rows: tuple[int, int]) -> str:
                return self._read_one(i, preprocess.prepare_band(gray, *rows, scale))

            if len(ranges) == 1 or self._pool is None:
                tsvs = [band(0, r) for r in ranges]
            else:
                tsvs = [f.result() for f in [self._pool.submit(band, i, r) for i, r in enumerate(ranges)]]
            out: list[words.Word] = []
            for (top, _bottom), tsv in zip(ranges, tsvs):
                out += words.from_tsv(tsv, dy=top, first_line=1 + max((w.line for w in out), default=0),
                                      first_block=1 + max((w.block for w in out), default=0))
            return self._other_script(image, out) if self.reread else out

    def _other_script(self, image: Image.Image, found: list[words.Word]) -> list[words.Word]:
        """``found``, or the screen read again with the model of a script that the
        languages in use do not read (see :mod:`agent.detect.scripts`)."""
        self.last_script = ""
        box = scripts.poor_box(found)
        if box is None:
            return found
        script = scripts.detect(image.crop(box), tessdata_dir() or "")
        self.last_script = script or ""
        model = scripts.model_for(script, self.langs, available_languages())
        if model is None:
            return found
        other = self._others.get(model)
        if other is None:
            other = self._others[model] = OcrEngine(f"{model}+eng", self.bands, self.psm, reread=False)
        again = other.read_words(image)
        return again if scripts.confidence(again) > scripts.confidence(found) else found

    def close(self) -> None:
        """Free the models (the agent calls this after a long idle period)."""
        with self._lock:
            for api in self._apis:
                try:
                    api.End()
                except Exception:  # noqa: BLE001 - freeing must never raise
                    pass
            self._apis = []
            if self._pool:
                self._pool.shutdown(wait=False)
                self._pool = None
            self.backend = ""
            for other in self._others.values():
                other.close()
            self._others = {}
