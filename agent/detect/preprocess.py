"""Image preparation for OCR: pure functions on Pillow images, no I/O.

- :func:`prepare`: grayscale, then *polarity normalisation*: every letter is drawn
  by how much it differs from its local background, so white text on a blue header,
  a black "BSOD" page or a dark footer reads as dark-on-light like the rest.
  Tesseract's own binarisation often returned nothing for white dialogs over a
  saturated blue page, and its per-line inversion retry doubled the OCR time.
- :func:`band_ranges` / :func:`prepare_band`: cut the screen into horizontal bands at
  the blankest rows near the cut points, so no text line is cut in half, and prepare
  each band in the thread that reads it (the preparation runs in parallel too).
- :func:`text_scale`: how big the text is drawn (the height of the text lines against
  a 1366x768 screen at 100 %), so that every size above, in screen pixels, follows the
  type: the same page at 2560x1440 or 150 % display scaling is prepared the same way
  (with fixed pixel sizes, the strokes of big titles counted as ruling lines and the
  background estimate fell inside the letters: titles were lost at high resolution).
"""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageChops, ImageFilter

from agent.detect import patterns

STEP = 4      # the background is estimated on a 1/STEP image: its polarity from a
MEDIAN = 7    # median of MEDIAN x MEDIAN pixels at 1/(2*STEP) (56 screen pixels)...
LEVEL = 5     # ...its level from the max or min of LEVEL x LEVEL pixels (20 screen pixels)
GAIN = 1.6    # contrast stretch of the text/background difference
H_LINE = 45   # a dark horizontal run this long is a ruling line, not a letter
V_LINE = 26   # a thin (<= 3 px wide) dark vertical run this long is a box border
LINE_REF = 16     # median text-line height (px) up to which the sizes above apply as they are
SCALE_STEP = 0.25  # the scale is rounded down to this step (stable for a page's small changes)
MAX_SCALE = 4.0
EDGE = 48         # a horizontal step of grey this strong is an edge of a letter (JPEG noise is not)
STRIPS = 4


def flatten(image: Image.Image) -> Image.Image:
    """``image`` with its transparency laid on white (modes RGBA, LA, P), else itself."""
    if image.mode in ("RGBA", "LA", "P"):
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.split()[-1])
        return background
    return image


def to_gray(image: Image.Image) -> Image.Image:
    return flatten(image).convert("L")


def text_scale(gray: Image.Image) -> float:
    """How many times bigger than a 1366x768 screen at 100 % the text is drawn (>= 1).

    The text lines are the runs of rows with strong edges between blank rows, counted in
    :data:`STRIPS` vertical strips (a picture or a frame in one strip does not merge the
    lines of the others); runs taller than an eighth of the screen are pictures, not
    lines. Their median height over :data:`LINE_REF`, rounded to :data:`SCALE_STEP`.
    Cheap, and independent of the screen's size: a 2560x1440 screen at 100 % has the
    text of a 1366x768 one (scale 1), the same page at 150 % display scaling ~1.5.
    """
    h = gray.height
    edges = ImageChops.difference(gray, gray.transform(gray.size, Image.AFFINE, (1, 0, 1, 0, 1, 0)))
    strong = edges.point(lambda v: 255 if v > EDGE else 0).resize((STRIPS, h), Image.BOX)
    active = np.asarray(strong) >= 3           # >= ~1 % of the strip's pixels are edges
    runs: list[int] = []
    for column in active.T:
        bounds = np.flatnonzero(np.diff(np.concatenate(([0], column.astype(np.int8), [0]))))
        lengths = bounds[1::2] - bounds[::2]
        runs += [int(n) for n in lengths if 3 <= n <= h // 8]
    if not runs:
        return 1.0
    ratio = float(np.median(runs)) / LINE_REF
    return min(MAX_SCALE, max(1.0, SCALE_STEP * round(ratio / SCALE_STEP)))


def _px(size: int, scale: float) -> int:
    return max(1, int(round(size * scale)))


def background(gray: Image.Image, scale: float = 1.0) -> Image.Image:
    """A smooth estimate of the background under every pixel.

    Polarity comes from a wide median (~56 px: the background outweighs the text);
    the level from the local maximum where the background is the lighter side (dark
    text) or the local minimum where it is the darker side (light text), over ~20 px.
    Unlike a plain median, thick strokes of big bold text (phone numbers) cannot pull
    the estimate towards the text colour and leave a grey haze around them.
    """
    w, h = gray.size
    step = _px(STEP, scale)
    small = np.asarray(gray.resize((max(1, w // step), max(1, h // step)), Image.BOX))
    tiny = gray.resize((max(1, w // (2 * step)), max(1, h // (2 * step))), Image.BOX)
    med = np.asarray(tiny.filter(ImageFilter.MedianFilter(MEDIAN)).resize((small.shape[1], small.shape[0]),
                                                                          Image.BILINEAR), np.int16)
    hi = rank_extreme(small, LEVEL, np.maximum).astype(np.int16)
    lo = rank_extreme(small, LEVEL, np.minimum).astype(np.int16)
    level = np.where(hi - med <= med - lo, hi, lo).astype(np.uint8)
    return Image.fromarray(level).resize((w, h), Image.BILINEAR)


def rank_extreme(a: np.ndarray, size: int, pick) -> np.ndarray:
    """Pillow's ``MaxFilter(size)``/``MinFilter(size)`` (``pick``: ``np.maximum`` or
    ``np.minimum``) of a 2-D uint8 array, the same values (edges repeated), as two passes
    of ``size - 1`` shifted comparisons: some 10x faster than Pillow's rank filter."""
    p = size // 2
    padded = np.pad(a, p, mode="edge")
    rows, cols = a.shape
    out = padded[:, 0:cols]
    for i in range(1, size):
        out = pick(out, padded[:, i:i + cols])
    cross = out[0:rows]
    for i in range(1, size):
        cross = pick(cross, out[i:i + rows])
    return cross


def pattern(gray: Image.Image, scale: float = 1.0) -> tuple[int, int] | None:
    """The page background pattern of a screen (see :func:`agent.detect.patterns.find`)."""
    return patterns.find(np.asarray(gray), scale)


def without_pattern(gray: Image.Image, scale: float = 1.0) -> Image.Image:
    """The grayscale screen with its background pattern painted over (itself when it has
    none): done once for the whole screen, before it is cut into bands (a pattern has no
    blank row to cut at) and prepared."""
    found = pattern(gray, scale)
    return gray if found is None else Image.fromarray(patterns.flatten(np.asarray(gray), found))


def prepare(image: Image.Image, scale: float = 1.0) -> Image.Image:
    """Dark text on white everywhere: ``255 - GAIN * |gray - background|`` (sizes
    times ``scale``: :func:`text_scale`).

    Whatever the polarity (black on white, white on blue, yellow on red), a letter
    differs from the background around it, so it comes out dark on a white page.
    A background pattern is the caller's (:func:`without_pattern`, for the whole screen).
    """
    gray = to_gray(image)
    diff = ImageChops.difference(gray, background(gray, scale))
    return remove_lines(diff.point(lambda v: 255 - min(255, int(v * GAIN))), scale)


def _along(a: np.ndarray, axis: int) -> tuple[np.ndarray, int]:
    """A view of ``a`` whose last axis is ``axis``, and that axis' length."""
    view = a if axis == 1 else a.T
    return view, view.shape[1]


def run_starts(mask: np.ndarray, length: int, axis: int) -> np.ndarray:
    """Pixels where a run of at least ``length`` True pixels starts along ``axis`` (a new
    array): erosion by doubling shifts, in place, about log2(length) boolean operations."""
    starts = mask.copy()
    view, n = _along(starts, axis)

    def erode(k: int) -> None:                     # a run of ``k`` more starts here
        if k >= n:
            view[:] = False
        else:
            view[:, :n - k] &= view[:, k:]
            view[:, n - k:] = False

    step = 1
    while step * 2 <= length:
        erode(step)
        step *= 2
    if length > step:
        erode(length - step)
    return starts


def _runs(dark: np.ndarray, length: int, axis: int) -> np.ndarray:
    """Pixels that belong to a run of at least ``length`` dark pixels along ``axis``:
    :func:`run_starts`, then dilation by doubling shifts, in place."""
    covered = run_starts(dark, length, axis)
    view, n = _along(covered, axis)

    def dilate(k: int) -> None:                    # each start covers ``k`` more pixels
        if k < n:
            view[:, k:] |= view[:, :n - k]

    step = 1
    while step * 2 <= length:
        dilate(step)
        step *= 2
    if length > step:
        dilate(length - step)
    return covered


def remove_lines(prepared: Image.Image, scale: float = 1.0) -> Image.Image:
    """Erase box borders and ruling lines (dark-on-white input).

    Tesseract's layout analysis takes a framed text (a phone number in a box or a
    button) for a table or picture and skips it: the biggest numbers on locker pages
    were lost that way. Long horizontal runs and thin long vertical runs are letters
    of no script at screen sizes, so they are whitened.
    """
    a = np.asarray(prepared)
    h_line, v_line = _px(H_LINE, scale), _px(V_LINE, scale)
    if a.shape[0] < v_line or a.shape[1] < h_line:
        return prepared
    dark = a < 128
    lines = _runs(dark, h_line, axis=1)
    vert = _runs(dark, v_line, axis=0)
    thick = _runs(dark, _px(4, scale), axis=1)   # part of a horizontal dark run of 4+ px
    lines |= vert & ~thick
    lines |= patterns.wavy_lines(dark & ~lines, h_line, _runs, scale)
    if not lines.any():
        return prepared
    out = a.copy()
    out[lines] = 255
    return Image.fromarray(out)


def _row_activity(gray: Image.Image) -> list[float]:
    """How much each row varies (edges): a blank row scores ~0."""
    edges = ImageChops.difference(gray, gray.transform(gray.size, Image.AFFINE, (1, 0, 1, 0, 1, 0)))
    narrow = edges.resize((1, gray.height), Image.BOX)
    return list(narrow.tobytes())  # mode L: one byte a row


def band_ranges(gray: Image.Image, bands: int, scale: float = 1.0) -> list[tuple[int, int]]:
    """``bands`` row ranges holding about the same amount of text, cut at blank rows.

    OCR time follows the amount of text, not the area: a locker page often has all its
    text in the top third, and cutting the screen in equal halves left one OCR thread
    idle. So each cut aims where the cumulative row activity (edges: text) reaches
    ``i / bands`` of the total, then moves to the quietest row within ±12% of the screen
    height (never through a line of text if a blank row is near). Works on the raw
    grayscale screen (a blank row is blank in any polarity); cuts are on multiples of
    ``2 * STEP`` so that bands prepared apart match the whole screen.
    """
    h = gray.height
    if bands <= 1 or h < 200:
        return [(0, h)]
    activity = _row_activity(gray)
    mean = sum(activity) / h or 1.0
    # a blank area still costs Tesseract a little (layout analysis): a floor per row
    cost = np.cumsum([a / mean + 0.15 for a in activity])
    grid = 2 * _px(STEP, scale)
    cuts = [0]
    for i in range(1, bands):
        target = int(np.searchsorted(cost, cost[-1] * i / bands))
        lo = max(cuts[-1] + 50, target - h * 12 // 100)
        hi = min(h - 50, target + h * 12 // 100)
        candidates = [y for y in range(lo - lo % grid + grid, hi, grid)]
        if not candidates:
            continue
        best = min(candidates, key=lambda y: (max(activity[max(0, y - 2):y + 3]), abs(y - target)))
        cuts.append(best)
    cuts.append(h)
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if b - a > 10]


MARGIN = 16 * STEP   # context above and below a band (times the scale): more than the background's reach


def prepare_band(gray: Image.Image, top: int, bottom: int, scale: float = 1.0) -> Image.Image:
    """:func:`prepare` of rows ``top:bottom`` of a grayscale screen, computed with a
    margin so that backgrounds and frame lines crossing the cut are seen whole."""
    margin = 16 * _px(STEP, scale)
    a, b = max(0, top - margin), min(gray.height, bottom + margin)
    out = prepare(gray.crop((0, a, gray.width, b)), scale)
    return out.crop((0, top - a, out.width, top - a + (bottom - top)))


def split_bands(gray: Image.Image, bands: int, scale: float = 1.0) -> list[Image.Image]:
    """The prepared bands of a grayscale screen (see :func:`band_ranges`)."""
    return [prepare_band(gray, a, b, scale) for a, b in band_ranges(gray, bands, scale)]
