"""What the detector accepts: bounded images and texts, whatever a file holds.

A scam is a screen: a few megapixels, a few thousand characters. Bigger inputs are cut
down to that before any work, so that no file can stall a scan or exhaust memory:

- :func:`open_image` reads the header first, refuses absurd images (over
  ``MAX_DECODE_PIXELS`` even after a JPEG's cheap draft reduction) with
  :class:`ImageTooLarge`, and decodes the rest;
- :func:`fit_image` scales a decoded image down to ``MAX_OCR_PIXELS`` (Tesseract reads a
  screen at its own size; an 8K screen already has big letters);
- :func:`cap_text` keeps the first ``HEAD_CHARS`` and the last ``TAIL_CHARS`` characters
  (blank runs squeezed first), with ``truncated`` saying whether anything was left out.

Pure functions, any thread (``agent.detect.pipeline.Detector`` and ``vigie scan`` call them).
"""
from __future__ import annotations

import re
import warnings
from pathlib import Path

from PIL import Image

from agent import safefile

# Decoded at most: 12,000 x 12,500 (RGBA: 600 MB for a moment; Pillow itself warns from 89 Mpx).
# Every real screen (8K: 33 Mpx) is far below; over this an image is refused, not decoded.
MAX_DECODE_PIXELS = 150_000_000
MAX_OCR_PIXELS = 3840 * 2160     # what is read: a 4K screen; bigger is scaled down (8K has big letters)
MAX_IMAGE_BYTES = 1 << 30       # a file bigger than this is no screenshot (checked before reading)
MAX_SIDE, MIN_SIDE = 30_000, 8     # Tesseract reads at most 32767 px a side; a line of text is > 8 px
HEAD_CHARS, TAIL_CHARS = 16_000, 4_000
MAX_TEXT_CHARS = HEAD_CHARS + TAIL_CHARS
MAX_TEXT_BYTES = MAX_TEXT_CHARS * 4 + 4   # the most UTF-8 bytes the kept characters can take
_BLANKS = re.compile(r"\s{2,}")


class ImageTooLarge(ValueError):
    """The image is too large to be a screen; ``megapixels`` says how large."""

    def __init__(self, pixels: int):
        self.megapixels = round(pixels / 1_000_000)
        self.limit = MAX_DECODE_PIXELS // 1_000_000
        super().__init__(f"the image has {self.megapixels} megapixels, more than any screen "
                         f"({self.limit} at most)")


class ImageBadShape(ValueError):
    """The image's sides are no screen's (1×100000: Tesseract cannot read it at all)."""

    def __init__(self, width: int, height: int):
        self.width, self.height = width, height
        super().__init__(f"the image is {width}×{height} pixels: no screen has that shape")


def check_shape(width: int, height: int) -> None:
    """Raise :class:`ImageBadShape` for sides Tesseract cannot read (over ``MAX_SIDE``) or an
    image thinner than a letter (``MIN_SIDE``)."""
    if max(width, height) > MAX_SIDE or min(width, height) < MIN_SIDE:
        raise ImageBadShape(width, height)


def open_image(path: str | Path) -> Image.Image:
    """Decode the image at ``path`` within the limits (the caller closes it).

    Raises :class:`ImageTooLarge`, ``OSError``/``PIL.UnidentifiedImageError`` (not an
    image, truncated) or ``ValueError``."""
    fh = safefile.open_regular(path, MAX_IMAGE_BYTES)   # a pipe never blocks, a device is refused
    with fh, warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            img = Image.open(fh)
        except Image.DecompressionBombError as exc:
            m = re.search(r"\((\d+) pixels", str(exc))
            raise ImageTooLarge(int(m.group(1)) if m else 2 * Image.MAX_IMAGE_PIXELS) from exc
        try:
            w, h = img.size
            if w * h > MAX_OCR_PIXELS and img.format == "JPEG":
                scale = (MAX_OCR_PIXELS / (w * h)) ** 0.5
                img.draft(None, (max(1, int(w * scale)), max(1, int(h * scale))))  # decodes at 1/2..1/8
            if img.size[0] * img.size[1] > MAX_DECODE_PIXELS:
                raise ImageTooLarge(w * h)
            check_shape(w, h)
            img.load()
        except BaseException:
            img.close()
            raise
    return img


def fit_image(image: Image.Image) -> Image.Image:
    """``image`` itself, or a copy scaled down to at most ``MAX_OCR_PIXELS``."""
    w, h = image.size
    if w * h <= MAX_OCR_PIXELS:
        return image
    scale = (MAX_OCR_PIXELS / (w * h)) ** 0.5
    return image.resize((max(1, int(w * scale)), max(1, int(h * scale))), Image.BOX)  # area average: fast


def cap_text(text: str) -> tuple[str, bool]:
    """``(text to score, truncated)``: blank runs squeezed, then the head and the tail."""
    if len(text) <= MAX_TEXT_CHARS:
        return text, False
    text = _BLANKS.sub(lambda m: "\n" if "\n" in m.group(0) else " ", text)
    if len(text) <= MAX_TEXT_CHARS:
        return text, False
    return text[:HEAD_CHARS] + "\n" + text[-TAIL_CHARS:], True
