"""What a screen looks like, before any word is understood: the language-free image evidence
of issue 21, measured once per screen. Pure (numpy and Pillow), no I/O; called by the
thread that read the screen (:meth:`agent.detect.pipeline.Detector.scan_image`: the
agent's worker, or the CLI) with the OCR's word boxes.

- alarm colours (:mod:`agent.detect.colours`): ``alarm_area``, ``alarm_banner``, ``alarm_blue``;
- a dialog box drawn in the page over a darkened rest (:mod:`agent.detect.dialog`):
  ``dialog``, ``dialog_dimmed``;
- a browser-check frame with its checkbox (:mod:`agent.detect.checkframe`): ``check_frame``.

Each is a signal of kind ``image`` in the verdict; the alarm colours and the check frame are
also features of the model (:data:`MODEL`, appended to :data:`agent.detect.features.NAMES`);
none alone makes an alert. The dialog is recorded, not weighed: measured on the corpus, a page
in a normal browser window on a desktop reads as a bright box over a darker rest, and with the
dialog in the model the "page on a desktop" variant lost a summons and a sextortion e-mail
(summons 4/4 -> 3/4, sextortion 12/12 -> 11/12, ``bench/detection.py --variants``). Cost: a few
milliseconds of CPU per 1366x768 screen (``bench/look_speed.py``).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from PIL import Image

from agent.detect import checkframe, colours, dialog, preprocess
from agent.detect.words import Word

NAMES = ("alarm_area", "alarm_banner", "alarm_blue", "dialog", "dialog_dimmed", "check_frame")
MODEL = ("alarm_area", "alarm_banner", "alarm_blue", "check_frame")    # weighed by the model (see above)
HALF_WIDTH = 683         # half of it: colours (red text stays red) and checkbox squares (24 px: 12 here)


def _reduced(image: Image.Image, width: int) -> Image.Image:
    """``image`` reduced by a whole factor (box averages: cheap) to about ``width`` pixels."""
    factor = max(1, round(image.width / width))
    return image.reduce(factor) if factor > 1 else image


def measure(image: Image.Image, words: Sequence[Word] = ()) -> dict[str, float]:
    """Every feature of :data:`NAMES` for a screenshot (any size and mode) and its OCR words."""
    if image.width < 64 or image.height < 64:
        return dict.fromkeys(NAMES, 0.0)
    rgb = preprocess.flatten(image).convert("RGB")
    half = _reduced(rgb, HALF_WIDTH)
    hsv = np.asarray(half.convert("HSV"))
    gray = half.convert("L")
    out = colours.measure(hsv)
    step = max(1, round(half.width / dialog.SMALL_WIDTH))
    small = np.asarray(gray.reduce(step) if step > 1 else gray)
    sat = hsv[::step, ::step, 1][:small.shape[0], :small.shape[1]]
    out.update(dialog.measure(small, sat))
    out.update(checkframe.measure(np.asarray(gray), words, rgb.width / half.width))
    return {k: float(out.get(k, 0.0)) for k in NAMES}
