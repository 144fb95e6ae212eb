"""A browser-check frame ("verify you are human"): a checkbox square with its label beside it,
the first step of a ClickFix page. Pure numpy on a half-size grey copy of the screen
(:func:`agent.detect.look.half`) and the OCR word boxes, no I/O, any thread.

The frame every kit copies (and the real ones it imitates) is a light box holding an
empty square of 24-30 screen pixels with a line of text to its right. Its words are
garbled by OCR as often as not ("I am not a robot" in any language, or a logo), but the
square is a shape: four straight sides of the same length, an empty inside, nothing
touching it outside. Form checkboxes (13-16 px) are smaller than :data:`MIN_SIDE`; a
table cell or an input field is not square or not empty around. :func:`find` gives the
square whose right side has a line of text beside it: 1 for ``check_frame``.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from agent.detect.preprocess import rank_extreme, run_starts
from agent.detect.words import Word

CONTRAST = 30       # a side is a line of grey this different from its neighbours
MIN_SIDE, MAX_SIDE = 9, 22     # the square's side on the half-size screen (18-44 screen px at 1366 wide)
SIDE_FULL = 0.8     # each side covers this share of its length...
EMPTY = 0.04        # ...the inside is this empty...
RING = 0.30         # ...and so is a ring just outside (not a cell of a grid)...
SAME_GREY = 40      # ...whose grey is the inside's (the frame's paper: not a window's corner)


def _rect(ii: np.ndarray, y: np.ndarray, x: np.ndarray, hh: int, ww: int) -> np.ndarray:
    """Sums of the ``hh`` x ``ww`` rectangles whose top-left corners are (y, x) (arrays)."""
    return ii[y + hh, x + ww] - ii[y, x + ww] - ii[y + hh, x] + ii[y, x]


def lines(gray: np.ndarray) -> np.ndarray:
    """Thin lines of a grey screen: pixels darker than the brightest around them (lighter than
    the darkest, on a dark screen) by :data:`CONTRAST`; the background beside a line is not one."""
    g = gray.astype(np.int16)
    if float(np.median(gray)) >= 128:
        return (rank_extreme(g, 5, np.maximum) - g) >= CONTRAST
    return (g - rank_extreme(g, 5, np.minimum)) >= CONTRAST


def squares(gray: np.ndarray) -> list[tuple[int, int, int]]:
    """(x, y, side) of empty squares outlined by a thin line, on a half-size grey screen."""
    edge = lines(gray)
    first = int(SIDE_FULL * MIN_SIDE)
    corner = run_starts(edge, first, 1) & run_starts(edge, first, 0)
    corner[1:] &= ~edge[:-1]                  # the outline's own top-left corner: nothing above...
    corner[:, 1:] &= ~edge[:, :-1]            # ...nor left of it
    ys, xs = np.nonzero(corner)
    h, w = edge.shape
    pad = 3                                   # the ring: one pixel, two pixels outside the outline
    keep = (ys >= pad) & (xs >= pad)
    ys, xs = ys[keep], xs[keep]
    if ys.size == 0:
        return []
    ii = np.pad(edge.astype(np.int32).cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    gi = np.pad(gray.astype(np.int64).cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    found = []
    for s in range(MIN_SIDE, MAX_SIDE + 1):
        fit = (ys + s + pad < h) & (xs + s + pad < w)
        y, x = ys[fit], xs[fit]
        if y.size == 0:
            break
        need = SIDE_FULL * s
        ok = ((_rect(ii, y, x, 2, s) >= need) & (_rect(ii, y + s - 2, x, 2, s) >= need)
              & (_rect(ii, y, x, s, 2) >= need) & (_rect(ii, y, x + s - 2, s, 2) >= need))
        inner = s - 5
        if inner >= 2:
            ok &= _rect(ii, y + 2, x + 2, inner, inner) <= EMPTY * inner * inner
        ring = _rect(ii, y - pad, x - pad, s + 2 * pad, s + 2 * pad) - _rect(ii, y - pad + 1, x - pad + 1,
                                                                             s + 2 * pad - 2, s + 2 * pad - 2)
        ok &= ring <= RING * 4 * (s + 2 * pad - 1)
        if inner >= 2 and ok.any():
            # a checkbox sits on its frame: inside it, the frame's own grey (a window's corner is not one)
            y, x = y[ok], x[ok]
            inside = _rect(gi, y + 2, x + 2, inner, inner) / (inner * inner)
            n = s + 2 * pad
            outside = (_rect(gi, y - pad, x - pad, n, n) - _rect(gi, y - pad + 1, x - pad + 1, n - 2, n - 2)) / (4 * (n - 1))
            ok = np.abs(inside - outside) <= SAME_GREY
        found += [(int(a), int(b), s) for a, b in zip(x[ok], y[ok])]
    return found


def find(gray: np.ndarray, words: Sequence[Word], factor: float) -> tuple[int, int, int] | None:
    """The square (x, y, side in half-size pixels) with a line of text just right of it;
    ``factor``: screen pixels per half-size pixel (the word boxes are in screen pixels)."""
    boxes = squares(gray)
    if not boxes:
        return None
    for x, y, s in boxes:
        sx, sy, ss = x * factor, y * factor, s * factor
        for word in words:
            if not word.text.strip():
                continue
            cy = word.top + word.height / 2
            if (sx + ss * 1.1 <= word.left <= sx + ss * 4 and abs(cy - (sy + ss / 2)) <= ss * 0.5
                    and 0.25 * ss <= word.height <= 1.3 * ss):
                return x, y, s
    return None


def measure(gray: np.ndarray, words: Sequence[Word], factor: float) -> dict[str, float]:
    """``check_frame``: 1 when a checkbox square with a label beside it is on screen."""
    return {"check_frame": float(find(gray, words, factor) is not None)}
