"""Keeping Vigie's own words out of what it reads.

Vigie's alert, its calm covering layer and its desktop notification ("do not call the
number") must never be read as part of a page: the notification's words would count
against a scam, and a page covered by the alert would read as harmless. The worker asks
the backend for the screen areas of Vigie's windows and of notification pop-ups
(``backend.own_areas``) and paints them out of a capture with :func:`mask` before OCR.
Worker thread.
"""
from __future__ import annotations

import logging
import os

log = logging.getLogger(__name__)


def mask(image, origin: tuple[int, int], areas) -> tuple[object, int]:
    """``image`` (captured at screen position ``origin``) with every screen rectangle in
    ``areas`` painted over in the picture's average colour. Returns (image, areas masked).
    Pure; the input image is not changed."""
    ox, oy = origin
    w, h = image.size
    boxes = []
    for (x, y, aw, ah) in areas:
        left, top = max(0, x - ox), max(0, y - oy)
        right, bottom = min(w, x - ox + aw), min(h, y - oy + ah)
        if right > left and bottom > top:
            boxes.append((left, top, right, bottom))
    if not boxes:
        return image, 0
    from PIL import ImageDraw  # noqa: PLC0415
    out = image.copy()
    fill = out.resize((1, 1)).getpixel((0, 0))
    draw = ImageDraw.Draw(out)
    for box in boxes:
        draw.rectangle((box[0], box[1], box[2] - 1, box[3] - 1), fill=fill)
    return out, len(boxes)


def own_areas(backend, pids=()) -> list:
    """Screen rectangles of Vigie's windows (this process and ``pids``) and notification
    pop-ups; empty when the backend cannot tell (never raises)."""
    try:
        return list(backend.own_areas({os.getpid(), *pids}))
    except Exception as exc:  # noqa: BLE001 - display gone, backend without the method
        log.debug("own windows not found: %s", exc)
        return []
