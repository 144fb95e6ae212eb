"""The screen's own text column: the words of the page being read, without the labels of
the windows around it. Pure, no I/O; called by :func:`agent.detect.score.score_text` (on the
detector's thread, or `vigie scan`'s).

A page read from a whole-screen capture comes with what surrounds its window: a file window's
names, a sticky note with a date, the taskbar's clock. Those few words dilute the ratios that
tell a letter from an article ("I"/"you" per word, how short the screen is, how many dates): a
blackmail mail of 120 words reads as 160 words with two more dates. Here the OCR lines are
joined into blocks (lines stacked one under the other, close and overlapping sideways), the
block holding the most characters is the page's text, and every line that lies entirely beside
that block's horizontal span (in another window, to its left or right) is left out. Lines above
or below it (a mail's header, a locker's title, its number) are kept: they overlap the span.
Numbers and the sender are still read from the whole screen, phrases from both the screen and
the column (a phrase broken by a label read in between is whole in the column); the shape of the
text is measured on the column.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Sequence

from agent.detect.words import Word, to_text

CUT = 3.0          # a gap wider than this many word heights cuts an OCR line in two
GAP = 2.2          # lines at most this many line heights apart stack into one block
EDGE = 0.1         # the block's span leaves out the outermost tenth of its characters on each side
MIN_SHARE = 0.6    # the column must hold this share of the screen's characters to be trusted


@dataclass
class _Line:
    left: int
    top: int
    right: int
    bottom: int
    chars: int
    height: float


def _segments(words: Sequence[Word]) -> list[int]:
    """For each word, the id of its line segment: an OCR line cut where a wide gap separates
    two words (OCR joins a note's label to the page's line at the same height)."""
    order = sorted(range(len(words)), key=lambda i: (words[i].line, words[i].left))
    seg = [0] * len(words)
    current, last = -1, None
    for i in order:
        w = words[i]
        if last is None or w.line != last.line or w.left - (last.left + last.width) > CUT * max(w.height, last.height):
            current += 1
        seg[i] = current
        last = w
    return seg


def _lines(words: Sequence[Word], seg: list[int]) -> dict[int, _Line]:
    out: dict[int, _Line] = {}
    heights: dict[int, list[int]] = {}
    for w, key in zip(words, seg):
        ln = out.get(key)
        if ln is None:
            out[key] = _Line(w.left, w.top, w.left + w.width, w.bottom, len(w.text), 0.0)
        else:
            ln.left, ln.top = min(ln.left, w.left), min(ln.top, w.top)
            ln.right, ln.bottom = max(ln.right, w.left + w.width), max(ln.bottom, w.bottom)
            ln.chars += len(w.text)
        heights.setdefault(key, []).append(w.height)
    for key, ln in out.items():
        ln.height = float(statistics.median(heights[key]))
    return out


def _blocks(lines: dict[int, _Line]) -> list[list[int]]:
    """Lines stacked into blocks (union-find over close, sideways-overlapping lines)."""
    keys = sorted(lines, key=lambda k: lines[k].top)
    parent = {k: k for k in keys}

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for i, a in enumerate(keys):
        la = lines[a]
        for b in keys[i + 1:]:
            lb = lines[b]
            h = max(la.height, lb.height, 1.0)
            if lb.top - la.bottom > GAP * h * 3:
                break           # sorted by top: every later line is further down
            gap = max(lb.top - la.bottom, la.top - lb.bottom, 0)
            if gap <= GAP * h and min(la.right, lb.right) > max(la.left, lb.left):
                parent[root(b)] = root(a)
    groups: dict[int, list[int]] = {}
    for k in keys:
        groups.setdefault(root(k), []).append(k)
    return list(groups.values())


def _span(block: list[int], lines: dict[int, _Line]) -> tuple[int, int]:
    """The block's horizontal span: from the left edge most of its characters start at (a
    column's margin; a note's label that OCR glued to one of its lines starts further left)
    to the right edge its lines reach, past the outermost :data:`EDGE` of their characters."""
    h = statistics.median(lines[k].height for k in block)
    # the left edge with the most characters starting within a line height of it (a sliding window)
    lefts = sorted((lines[k].left, lines[k].chars) for k in block)
    best, margin, lo, hi, inside_chars = -1, lefts[0][0], 0, 0, 0
    for left, _ in lefts:
        while hi < len(lefts) and lefts[hi][0] <= left + h:
            inside_chars += lefts[hi][1]
            hi += 1
        while lefts[lo][0] < left - h:
            inside_chars -= lefts[lo][1]
            lo += 1
        if inside_chars > best:
            best, margin = inside_chars, left
    inside = sorted(((lines[k].right, lines[k].chars) for k in block if lines[k].left >= margin - h), reverse=True)
    chars, seen, right = sum(n for _, n in inside), 0, inside[0][0]
    for right, n in inside:
        seen += n
        if seen > EDGE * chars:
            break
    return int(margin - h), right


def main_words(words: Sequence[Word]) -> list[Word]:
    """The words of the page's own column (all of them when no block clearly is the page)."""
    if not words:
        return []
    seg = _segments(words)
    lines = _lines(words, seg)
    blocks = _blocks(lines)
    total = sum(ln.chars for ln in lines.values())
    main = max(blocks, key=lambda b: sum(lines[k].chars for k in b))
    left, right = _span(main, lines)
    keep = {k for k, ln in lines.items() if ln.right > left and ln.left < right}
    if sum(lines[k].chars for k in keep) < MIN_SHARE * total:
        return list(words)      # the text is spread over the screen: no column to speak of
    return [w for w, key in zip(words, seg) if key in keep]


def main_text(words: Sequence[Word]) -> str:
    """The reading text of :func:`main_words`."""
    return to_text(main_words(words))
