"""Waiting for a screen to hold still before reading it (worker thread).

A page switching to fullscreen is resized and drawn for a few hundred milliseconds, and
its title changes meanwhile; an OCR pass (~0.5-1 s) on such a frame is wasted and delays
the pass that matters. :func:`steady_capture` captures every ``gap`` seconds until two
successive captures are the same but for a small spot (:func:`agent.watch.look.nearly_same`:
the fullscreen bubble fading in, a blinking warning) and are not blank,
for at most ``limit`` seconds (a video never holds still), and returns the last capture.
A blank window (a page not painted yet) is watched longer, up to ``blank_limit``: it costs
no OCR, and the first painted frame is what matters.
"""
from __future__ import annotations

import time
from typing import Callable

from agent.watch import look

GAP = 0.12     # seconds between two captures
LIMIT = 1.2    # give up waiting after this long and read what is there
BLANK_LIMIT = 4.0  # ...but wait this long for a blank window to be painted


def steady_capture(capture: Callable[[], object], first=None, wait: Callable[[float], object] = time.sleep,
                   gap: float = GAP, limit: float = LIMIT, clock: Callable[[], float] = time.monotonic,
                   blank_limit: float = BLANK_LIMIT):
    """``(image, captures)``: the first capture equal to the one before it (and not
    blank), else the last one taken ``limit`` seconds after the first painted (non-blank)
    capture, or ``blank_limit`` seconds after the start if none was painted. ``first`` is a capture the
    caller already holds; ``wait`` sleeps (an Event's ``wait`` lets a stop cut it short,
    and a truthy return ends the wait)."""
    start = clock()
    image = capture() if first is None else first
    thumb, count = look.thumbnail(image), 1 if first is None else 0
    painted = None if look.is_blank(image) else start   # when the first painted frame came
    while clock() < (start + blank_limit if painted is None else painted + limit):
        if wait(gap):
            break
        newer = capture()
        count += 1
        newer_thumb = look.thumbnail(newer)
        blank = look.is_blank(newer)
        if look.nearly_same(newer_thumb, thumb) and not blank:
            return newer, count
        if painted is None and not blank:
            painted = clock()
        image, thumb = newer, newer_thumb
    return image, count
