"""Cheap looks at a screenshot, before any OCR (pure functions, any thread).

- :func:`fingerprint` — a small hash of the picture, so an unchanged screen is not
  scanned again; :func:`nearly_same` — two thumbnails that differ only in a small spot;
- :func:`looks_locked` — the look of a screen-locker page: most of the window one
  saturated colour (the blue or red "security alert" background) or one very dark
  or very light colour around a dialog.
"""
from __future__ import annotations

import hashlib

THUMB = (48, 27)


def _small(image, size):
    """``image`` at ``size``: a fast box reduction first (a full-screen capture is shrunk
    in ~3 ms instead of ~18 ms; these looks run several times a second while a page loads)."""
    return image.resize(size, reducing_gap=2.0)


def thumbnail(image) -> bytes:
    """A 48x27 grey thumbnail at 5 bits a cell (a blinking cursor's noise is ignored)."""
    return bytes(v >> 3 for v in _small(image, THUMB).convert("L").tobytes())


def fingerprint(image) -> str:
    """A hash of :func:`thumbnail`: equal for the same picture (and tiny changes)."""
    return hashlib.blake2b(thumbnail(image), digest_size=12).hexdigest()


def nearly_same(a: bytes, b: bytes, share: float = 0.01) -> bool:
    """True when at most ``share`` of the cells of two thumbnails differ by more than one
    level: the same page with a small animation (the browser's "press Esc to exit full
    screen" bubble fading in, a blinking warning, a countdown)."""
    if len(a) != len(b) or not a:
        return False
    changed = sum(1 for x, y in zip(a, b) if abs(x - y) > 1)
    return changed <= share * len(a)


def dominant_share(image) -> tuple[float, tuple[int, int, int]]:
    """(share of the most common coarse colour, that colour)."""
    small = _small(image.convert("RGB") if image.mode != "RGB" else image, (64, 36)).quantize(colors=8)
    counts = sorted(small.getcolors() or [], reverse=True)
    if not counts:
        return 0.0, (0, 0, 0)
    n, index = counts[0]
    palette = small.getpalette()[3 * index: 3 * index + 3]
    return n / (64 * 36), tuple(palette)


def saturation(rgb: tuple[int, int, int]) -> float:
    hi, lo = max(rgb), min(rgb)
    return 0.0 if hi == 0 else (hi - lo) / hi


def looks_locked(image, share: float = 0.45) -> bool:
    """True for a screen that is mostly one strong colour (a locker page's background)."""
    part, colour = dominant_share(image)
    if part < share:
        return False
    return saturation(colour) > 0.5 or max(colour) < 40


def is_blank(image, share: float = 0.985) -> bool:
    """True for a picture that is (nearly) one colour: a page still loading."""
    return dominant_share(image)[0] >= share
