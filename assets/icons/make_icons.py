"""Draw Vigie's tray icons once: a shield per state, clearly distinct in colour AND sign.

    python assets/icons/make_icons.py      # writes the PNGs beside this script

protecting = green shield with a tick, paused = grey with two bars, alert = red with
"!", degraded = orange with "?"; plus ``vigie.png`` (256 px application icon).
Drawn at 4x and scaled down for smooth edges. Needs only Pillow.
"""
from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
STATES = {
    "protecting": ((46, 157, 74), "tick"),
    "paused": ((128, 128, 128), "pause"),
    "alert": ((211, 47, 47), "bang"),
    "degraded": ((240, 140, 0), "question"),
}
SCALE = 4


def shield(size: int, colour: tuple[int, int, int], sign: str) -> Image.Image:
    big = size * SCALE
    img = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    s = big / 64.0  # drawing units: a 64x64 grid

    def P(x, y):
        return (x * s, y * s)

    outline = [P(32, 3), P(58, 12), P(56, 36), P(32, 61), P(8, 36), P(6, 12)]
    d.polygon(outline, fill=(255, 255, 255, 255))
    inner = [P(32, 7), P(54, 15), P(52, 35), P(32, 56), P(12, 35), P(10, 15)]
    d.polygon(inner, fill=colour + (255,))
    white, w = (255, 255, 255, 255), int(6 * s)
    if sign == "tick":
        d.line([P(20, 31), P(29, 40), P(45, 22)], fill=white, width=w, joint="curve")
    elif sign == "pause":
        d.rectangle([P(22, 19), P(29, 43)], fill=white)
        d.rectangle([P(35, 19), P(42, 43)], fill=white)
    elif sign == "bang":
        d.rectangle([P(28.5, 15), P(35.5, 36)], fill=white)
        d.ellipse([P(28, 40), P(36, 48)], fill=white)
    elif sign == "question":
        d.arc([P(22, 13), P(42, 31)], start=180, end=90, fill=white, width=w)
        d.line([P(32, 31), P(32, 38)], fill=white, width=w)
        d.ellipse([P(28, 41), P(36, 49)], fill=white)
    return img.resize((size, size), Image.LANCZOS)


def main() -> None:
    for state, (colour, sign) in STATES.items():
        shield(64, colour, sign).save(HERE / f"{state}.png", optimize=True)
    shield(256, STATES["protecting"][0], "tick").save(HERE / "vigie.png", optimize=True)


if __name__ == "__main__":
    main()
