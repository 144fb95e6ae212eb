"""Page background patterns that hide text from OCR but not from a person. Pure numpy, no I/O.

A locker can draw its normal dark text over a dotted, gridded, striped or checked page
background: a person reads it at once, but after :func:`agent.detect.preprocess.prepare`
every dot and grid line is as dark as a letter, and Tesseract's layout analysis takes the
whole page for a picture (such pages read as nothing and scored 0.0). Two cures, each
called by :mod:`agent.detect.preprocess` in the OCR thread:

- :func:`find` / :func:`flatten`: when *no* part of the screen is clean (the quietest tiles
  still hold marks), those quiet tiles show the paper and its pattern; the text drawn over
  it stands further from the paper than the pattern does (else a person could not read it
  either), so every pixel as close to the paper as the pattern is painted with the paper
  before the background is estimated. A page with clean margins, a full page of text (its
  quietest tiles hold text as dark as the rest) or a pattern as dark as the text is left
  as it is.
- :func:`wavy_lines`: a wavy (or dotted, dashed) line struck through the text: thin marks
  that, once each is smeared a few rows up and down, make a horizontal run longer than
  any letter; they are erased where they are thin (letters' stems cross them and stay).
"""
from __future__ import annotations

import numpy as np

TILE = 32           # screen pixels per side of the tiles the page is measured in
INK = 48            # a tile whose pixels differ this much is not clean
CLEAN_SHARE = 0.02  # a tile with less ink than this is clean
QUIET = 0.25        # the quietest quarter of the tiles shows the pattern
MIN_GAP = 40        # the text must be this much darker than the pattern to separate them
WAVE = 3            # rows a wavy line may wander up and down (times the scale)
STEM = 5            # a mark this tall (times the scale) is part of a letter


def _px(size: int, scale: float) -> int:
    return max(1, int(round(size * scale)))


def find(gray: np.ndarray, scale: float = 1.0) -> tuple[int, int] | None:
    """``(paper, cut)`` of the screen's background pattern (``gray``: 0-255 per pixel), or
    None when there is no pattern to drop (see the module docstring): pixels within ``cut``
    of the ``paper`` level are the pattern (and the paper), the text is further away."""
    t = _px(TILE, scale)
    h, w = gray.shape[0] // t * t, gray.shape[1] // t * t
    if h < 2 * t or w < 2 * t:
        return None
    tiles = gray[:h, :w].reshape(h // t, t, w // t, t).swapaxes(1, 2).reshape(-1, t * t)
    spread = tiles.max(axis=1).astype(np.int16) - tiles.min(axis=1)
    quiet_limit = np.quantile(spread, QUIET)
    if quiet_limit < INK:               # the page has clean parts: no background pattern
        return None
    quiet = tiles[spread <= quiet_limit].astype(np.int16)
    paper = int(np.median(quiet))
    pattern = int(np.quantile(np.abs(quiet - paper), 0.97))
    text = int(np.quantile(np.abs(tiles.astype(np.int16) - paper), 0.995))
    if text - pattern < MIN_GAP:        # as far from the paper as the text: cannot be told apart
        return None
    return paper, min(pattern + 12, text - MIN_GAP // 2)


def flatten(gray: np.ndarray, found: tuple[int, int] | None) -> np.ndarray:
    """``gray`` with the pattern :func:`find` found painted over with the paper's level."""
    if found is None:
        return gray
    paper, cut = found
    return np.where(np.abs(gray.astype(np.int16) - paper) <= cut, paper, gray).astype(np.uint8)


def _smear(dark: np.ndarray, k: int) -> np.ndarray:
    out = dark.copy()
    for d in range(1, k + 1):
        out[d:] |= dark[:-d]
        out[:-d] |= dark[d:]
    return out


def wavy_lines(dark: np.ndarray, length: int, runs, scale: float = 1.0) -> np.ndarray:
    """The thin pixels of ``dark`` (True = ink) on a long wavy horizontal line;
    ``runs(mask, length, axis)`` is :func:`agent.detect.preprocess._runs`."""
    smeared = _smear(dark, _px(WAVE, scale))
    along = runs(smeared, length, 1)
    if not along.any():
        return along
    stems = runs(dark, _px(STEM, scale), 0)
    return along & dark & ~stems
