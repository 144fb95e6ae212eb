"""Alarm colours: how much of a screen is painted in warning red or amber, and how. Pure
numpy on a small copy of the screen (:func:`agent.detect.look.small`), no I/O, any thread.

Lockers in every language look alike before a word is read: a big saturated red or amber
area (a full red page, a red title bar or banner across the page or across its dialog),
or the classic fake-Defender page: a saturated blue page with red title text. Articles,
docs and shops use red for a logo, a button or a line of text, not for a fifth of the
screen or a band across it. Three numbers in [0, 1] (:func:`measure`):

- ``alarm_area``: the share of the screen in saturated red/amber, 1 from :data:`AREA_FULL`;
- ``alarm_banner``: a red/amber band: rows where one run of alarm colour crosses at least
  :data:`BANNER_WIDTH` of the screen, for at least :data:`BANNER_ROWS` of its height;
- ``alarm_blue``: a page that is mostly saturated blue (:data:`BLUE_PAGE`) holding red.
"""
from __future__ import annotations

import numpy as np

# hue on PIL's 0-255 scale: red and amber from 0 to ~45 degrees and from ~340 degrees
RED_HUE_MAX = 32
RED_HUE_MIN_WRAP = 240
ALARM_SAT = 140            # saturation (0-255) of an alarm colour...
ALARM_VAL = 110            # ...and its brightness
BLUE_HUE = (130, 180)      # ~185-255 degrees: the blue of lockers and of Windows
BLUE_SAT, BLUE_VAL = 120, 90
AREA_FULL = 0.20           # this share of the screen in alarm colour counts as 1
BANNER_WIDTH = 0.25        # a run of alarm colour across a quarter of the screen...
BANNER_ROWS = 0.03         # ...on 3 % of its rows (about 23 rows of a 768-row screen)
BLUE_PAGE = 0.30           # a third of the screen in saturated blue is a blue page...
BLUE_RED = 0.0004     # ...and this share of red on it is a line of red text or a red frame


def masks(hsv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(alarm red/amber, saturated blue) pixel masks of an HSV array (PIL's ``HSV`` mode)."""
    h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    red = ((h <= RED_HUE_MAX) | (h >= RED_HUE_MIN_WRAP)) & (s >= ALARM_SAT) & (v >= ALARM_VAL)
    blue = (h >= BLUE_HUE[0]) & (h <= BLUE_HUE[1]) & (s >= BLUE_SAT) & (v >= BLUE_VAL)
    return red, blue


def longest_runs(mask: np.ndarray) -> np.ndarray:
    """The longest run of True in each row of ``mask``."""
    padded = np.zeros((mask.shape[0], mask.shape[1] + 2), np.int8)
    padded[:, 1:-1] = mask
    out = np.zeros(mask.shape[0], np.int32)
    edges = np.diff(padded, axis=1)
    for y in np.flatnonzero(mask.any(axis=1)):
        starts, ends = np.flatnonzero(edges[y] == 1), np.flatnonzero(edges[y] == -1)
        out[y] = int((ends - starts).max())
    return out


def measure(hsv: np.ndarray) -> dict[str, float]:
    """``alarm_area``, ``alarm_banner``, ``alarm_blue`` of a screen (see the module docstring)."""
    red, blue = masks(hsv)
    rows, width = red.shape
    share = float(red.mean())
    banner_rows = int((longest_runs(red) >= BANNER_WIDTH * width).sum())
    return {
        "alarm_area": min(1.0, share / AREA_FULL),
        "alarm_banner": min(1.0, banner_rows / max(1.0, BANNER_ROWS * rows)) if banner_rows >= 2 else 0.0,
        "alarm_blue": float(float(blue.mean()) >= BLUE_PAGE and share >= BLUE_RED),
    }
