"""A desktop of our own around a page (the ``desktop`` variant of ``bench/ocr_cache.py``): what
``vigie scan`` of a whole screenshot sees when the page is in a normal browser window.

Drawn with Pillow, nothing copied: a wallpaper gradient, a taskbar with a start button, pinned
icons, the clock and the date; a sticky note (a shopping list with a date) and a file window
partly behind; the browser window with its tab strip, address bar and the page scaled into it.
"""
from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.render import font  # noqa: E402

SIZE = (1366, 768)
TASKBAR = 44
WINDOW = (150, 36, 1336, 716)   # the browser window on the screen
CHROME = 74                     # its tab strip and address bar


def compose(page: Image.Image) -> Image.Image:
    """``page`` (a 1366x768 screen) shown in a browser window on our desktop, at 1366x768."""
    w, h = SIZE
    img = Image.new("RGB", SIZE)
    d = ImageDraw.Draw(img)
    for y in range(h):                                           # wallpaper
        d.line((0, y, w, y), fill=(20 + y // 12, 60 + y // 10, 110 + y // 8))
    # a file window and a sticky note, partly behind the browser
    d.rectangle((20, 90, 420, 420), fill=(250, 250, 250), outline=(120, 120, 120))
    d.rectangle((20, 90, 420, 118), fill=(225, 225, 225))
    d.text((30, 96), "Documents", font=font(14), fill=(20, 20, 20))
    for i, name in enumerate(["Photos 2025", "Recettes", "Impots", "Lettre Marie.docx", "Budget.xlsx"]):
        d.text((40, 132 + 26 * i), name, font=font(14), fill=(30, 30, 30))
    d.rectangle((30, 470, 230, 650), fill=(255, 240, 140))
    for i, line in enumerate(["Courses 12/10", "- pain", "- lait", "- pharmacie", "Dentiste jeudi 14h"]):
        d.text((42, 482 + 30 * i), line, font=font(15), fill=(60, 50, 20))
    # the browser window
    x0, y0, x1, y1 = WINDOW
    d.rectangle((x0 - 1, y0 - 1, x1 + 1, y1 + 1), fill=(90, 90, 90))
    d.rectangle((x0, y0, x1, y0 + CHROME), fill=(222, 225, 230))
    d.rounded_rectangle((x0 + 8, y0 + 6, x0 + 230, y0 + 34), 6, fill=(255, 255, 255))
    d.text((x0 + 20, y0 + 12), "New tab", font=font(13), fill=(40, 40, 40))
    d.text((x1 - 80, y0 + 10), "_   []   X", font=font(14), fill=(40, 40, 40))
    d.rounded_rectangle((x0 + 90, y0 + 40, x1 - 60, y0 + 68), 12, fill=(255, 255, 255))
    d.text((x0 + 20, y0 + 44), "<  >  C", font=font(15), fill=(60, 60, 60))
    area = (x1 - x0, y1 - y0 - CHROME)
    img.paste(page.convert("RGB").resize(area, Image.LANCZOS), (x0, y0 + CHROME))
    # the taskbar
    d.rectangle((0, h - TASKBAR, w, h), fill=(32, 32, 36))
    d.rectangle((10, h - TASKBAR + 10, 34, h - 10), fill=(0, 120, 215))
    for i in range(5):
        d.rounded_rectangle((60 + 46 * i, h - TASKBAR + 8, 88 + 46 * i, h - 8), 4, fill=(80 + 30 * i, 90, 120))
    d.text((w - 110, h - TASKBAR + 6), "14:32", font=font(14), fill="white")
    d.text((w - 110, h - TASKBAR + 24), "12/10/2026", font=font(13), fill="white")
    return img
