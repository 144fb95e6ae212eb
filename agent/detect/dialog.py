"""A dialog box drawn in the page over a darkened rest. Pure numpy on a small grey copy of the
screen (:func:`agent.detect.look.small`), no I/O, any thread.

Chromium draws a page's ``alert()``, ``confirm()`` and ``beforeunload`` prompts *inside* its
window, not as windows of their own (measured: tests/test_page_behaviour.py): a white box
with its OK/Cancel buttons at the top of the page while the whole page behind is dimmed to
about 40 %. Locker kits draw their own in the same look (a white "security warning" box
with buttons over a darkened or saturated page), in any language. :func:`find` looks for
it by its outline, not its words:

- a bright box (:data:`BRIGHT` and up, text and buttons inside allowed) of a dialog's size,
  with a long vertical edge on its left *and* right (bright inside, darker outside), and
  darker below it than inside (:data:`DARKER`): the browser's own toolbars above may stay
  bright;
- a **button row**: in the lower part of the box, a filled, evenly coloured block of a
  button's size that is not the box's white;
- the **dimmed** rest: around the box (left, right, below) the page is grey, darker than
  the box, of no strong colour, and not black (a dimmed page, not a dark theme).

The page behind a dimmed dialog is still read: Chromium's dimming (to 40 %) leaves its
text dark on grey, which the OCR's polarity normalisation reads; a kit that darkens its
page further (to 25 %) has it brightened back before OCR (:func:`undim`, called by
:meth:`agent.detect.ocr.OcrEngine.read_words`; tests/test_detect_look.py).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

EDGE = 40            # a step of grey this strong (0-255) between neighbours is an edge
BRIGHT = 185         # the box's own background is at least this bright
DARKER = 0.72        # the outside is at most this fraction of the box's brightness
MIN_W, MAX_W = 0.14, 0.75     # the box's width, as a share of the screen's
MIN_H, MAX_H = 0.08, 0.80     # ...and height
SIDE = 3             # strips this many (small) pixels wide are measured outside each side
DIM_MAX = 150        # a dimmed page around: grey level at most this...
DIM_MIN = 30         # ...and at least this (a black page is not a dimmed one)...
DIM_SAT = 60         # ...of no strong colour (mean saturation)
SMALL_WIDTH = 342    # the screen is measured about this wide (a quarter of 1366 pixels)
UNDIM_BELOW = 90     # the OCR brightens a dimmed page darker than this (Chromium's 40 %, ~100, is read as it is)


@dataclass(frozen=True)
class Box:
    """A dialog found on the small screen: its bounds (small pixels), and what it has."""
    left: int
    top: int
    right: int
    bottom: int
    button: bool
    dimmed: bool
    around: float = 0.0    # the brightest grey of the page around it (its white, dimmed)


def _edge_runs(mask: np.ndarray, min_len: int) -> list[tuple[int, int, int]]:
    """(column, first row, last row) of vertical runs of ``mask`` at least ``min_len`` long
    (gaps of one row bridged)."""
    bridged = mask.copy()
    bridged[1:-1] |= mask[:-2] & mask[2:]
    out = []
    padded = np.zeros((mask.shape[0] + 2, mask.shape[1]), np.int8)
    padded[1:-1] = bridged
    edges = np.diff(padded, axis=0)
    for x in np.flatnonzero(bridged.sum(axis=0) >= min_len):
        starts, ends = np.flatnonzero(edges[:, x] == 1), np.flatnonzero(edges[:, x] == -1)
        out += [(int(x), int(a), int(b) - 1) for a, b in zip(starts, ends) if b - a >= min_len]
    return out


def _has_button(gray: np.ndarray, sat: np.ndarray, bg: float) -> bool:
    """A filled, evenly coloured block of a button's size in the lower part of a box."""
    h, w = gray.shape
    lower = slice(h * 2 // 5, h)
    g, s = gray[lower].astype(np.float32), sat[lower].astype(np.float32)
    filled = (np.abs(g - bg) >= 40) | (s >= 90)
    bh, bw = 3, max(6, w // 14)            # a button: 3+ small rows (12 px), 6+ columns (24 px)
    if filled.shape[0] < bh or filled.shape[1] < bw:
        return False
    ii = np.pad(filled.astype(np.int32).cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    s1 = np.pad(g.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    s2 = np.pad((g * g).cumsum(0).cumsum(1), ((1, 0), (1, 0)))

    def box(a: np.ndarray) -> np.ndarray:
        return a[bh:, bw:] - a[:-bh, bw:] - a[bh:, :-bw] + a[:-bh, :-bw]
    n = bh * bw
    full = box(ii) >= n * 0.95
    if not full.any():
        return False
    mean = box(s1) / n
    var = box(s2) / n - mean * mean
    return bool((full & (var <= 20.0 ** 2)).any())


def find(gray: np.ndarray, sat: np.ndarray) -> Box | None:
    """The biggest dialog box on a small grey screen (``sat``: its saturation), or None."""
    h, w = gray.shape
    g = gray.astype(np.int16)
    gx = g[:, 1:] - g[:, :-1]              # gx[:, x]: from column x to x + 1
    min_len = max(4, int(MIN_H * h))
    lefts = _edge_runs(gx >= EDGE, min_len)          # dark -> bright: a left side
    rights = _edge_runs(gx <= -EDGE, min_len)        # bright -> dark: a right side
    best: Box | None = None
    for lx, la, lb in lefts:
        for rx, ra, rb in rights:
            width = rx - lx
            if not (MIN_W * w <= width <= MAX_W * w):
                continue
            top, bottom = max(la, ra), min(lb, rb)
            if bottom - top < min_len or bottom - top < 0.8 * min(lb - la, rb - ra):
                continue
            if best is not None and width * (bottom - top) <= (best.right - best.left) * (best.bottom - best.top):
                continue
            found = _check(gray, sat, lx + 1, top, rx + 1, bottom + 1)
            if found is not None:
                best = found
    return best


def _check(gray: np.ndarray, sat: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> Box | None:
    """A :class:`Box` if columns ``x0:x1``, rows ``y0:y1`` are a bright box on a darker rest."""
    h, w = gray.shape
    inside = gray[y0:y1, x0:x1].astype(np.float32)
    bg = float(np.median(inside))
    if bg < BRIGHT or (inside >= BRIGHT).mean() < 0.6 or y1 > h - 2 or not (MIN_H * h <= y1 - y0 <= MAX_H * h):
        return None
    # how far down the box goes: its bottom edge is where the bright rows end
    rows = (gray[y1:, x0:x1] >= BRIGHT).mean(axis=1)
    extra = int(np.argmax(rows < 0.5)) if (rows < 0.5).any() else rows.size
    y1 += extra
    if y1 > h - SIDE or (y1 - y0) > MAX_H * h:
        return None
    left = gray[y0:y1, max(0, x0 - 1 - SIDE):x0 - 1]
    right = gray[y0:y1, x1 + 1:x1 + 1 + SIDE]
    below = gray[y1 + 1:y1 + 1 + SIDE, x0:x1]
    if min(left.size, right.size, below.size) == 0:
        return None
    if max(float(left.mean()), float(right.mean()), float(below.mean())) > DARKER * bg:
        return None
    button = _has_button(gray[y0:y1, x0:x1], sat[y0:y1, x0:x1], bg)
    around = np.concatenate([gray[y0:, :max(1, x0 - 1)].ravel(), gray[y0:, x1 + 1:].ravel(),
                             gray[y1 + 1:, x0:x1].ravel()]).astype(np.float32)
    around_sat = np.concatenate([sat[y0:, :max(1, x0 - 1)].ravel(), sat[y0:, x1 + 1:].ravel(),
                                 sat[y1 + 1:, x0:x1].ravel()]).astype(np.float32)
    dimmed = bool(around.size and DIM_MIN <= around.mean() <= DIM_MAX and around_sat.mean() <= DIM_SAT)
    return Box(x0, y0, x1, y1, button, dimmed, float(np.quantile(around, 0.98)) if around.size else 0.0)


def measure(gray: np.ndarray, sat: np.ndarray) -> dict[str, float]:
    """``dialog`` (1: a box with a button row over a darker rest) and ``dialog_dimmed`` (such a
    box, the rest a dimmed page). A box without buttons is not a dialog: a white card on a
    coloured page, or the picture of a locker shown small in a slide about scams."""
    box = find(gray, sat)
    if box is None or not box.button:
        return {"dialog": 0.0, "dialog_dimmed": 0.0}
    return {"dialog": 1.0, "dialog_dimmed": float(box.dimmed)}


def undim(gray: Image.Image) -> Image.Image | None:
    """The grey screen with the dimmed page around a dialog brightened back (the dialog as it
    is), or None when there is no dialog over a page darkened under :data:`UNDIM_BELOW`. The
    OCR thread calls it on the whole grey screen before it is prepared and cut into bands."""
    factor = max(1, round(gray.width / SMALL_WIDTH))
    small = np.asarray(gray.reduce(factor) if factor > 1 else gray)
    box = find(small, np.zeros_like(small))
    if box is None or not box.dimmed or not 0 < box.around < UNDIM_BELOW:
        return None
    gain = min(4.0, 235.0 / box.around)
    a = np.asarray(gray, np.float32)
    out = np.minimum(255.0, a * gain)
    x0, y0, x1, y1 = (v * factor for v in (box.left, box.top, box.right, box.bottom))
    out[y0:y1, x0:x1] = a[y0:y1, x0:x1]
    return Image.fromarray(out.astype(np.uint8))
