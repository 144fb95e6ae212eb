"""Words as Tesseract read them: text, confidence and box. Pure, no I/O.

The OCR returns Tesseract's TSV (``image_to_data``: one row per word with its block,
paragraph and line numbers, box and confidence); :func:`from_tsv` turns it into
:class:`Word` objects in screen coordinates, and :func:`to_text` gives the reading
text (one line of text per OCR line). Layout evidence (how big the phone number is,
how dense the page) comes from these boxes (:mod:`agent.detect.features`).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Word:
    text: str
    conf: float      # Tesseract's confidence, 0-100
    left: int
    top: int
    width: int
    height: int
    line: int        # one id per OCR line on the screen
    block: int       # one id per OCR block on the screen

    @property
    def bottom(self) -> int:
        return self.top + self.height


def from_tsv(tsv: str, dy: int = 0, first_line: int = 0, first_block: int = 0) -> list[Word]:
    """Words from Tesseract TSV; ``dy`` moves the boxes (a band's offset on the screen),
    ``first_line``/``first_block`` keep ids distinct between bands."""
    words: list[Word] = []
    lines: dict[tuple, int] = {}
    blocks: dict[str, int] = {}
    for row in tsv.splitlines():
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        text = cols[11].strip()
        if not text:
            continue
        try:
            left, top, width, height = (int(c) for c in cols[6:10])
            conf = float(cols[10])
        except ValueError:
            continue
        key = (cols[2], cols[3], cols[4])
        line = lines.setdefault(key, first_line + len(lines))
        block = blocks.setdefault(cols[2], first_block + len(blocks))
        words.append(Word(text, conf, left, top + dy, width, height, line, block))
    return words


def to_text(words: list[Word]) -> str:
    """The text: words of a line joined by spaces, one line per OCR line, a blank line
    between blocks."""
    out: list[str] = []
    last_line = last_block = None
    for w in words:
        if w.line != last_line:
            if out:
                out.append("\n\n" if w.block != last_block else "\n")
            last_line, last_block = w.line, w.block
        elif out:
            out.append(" ")
        out.append(w.text)
    return "".join(out)


def to_json(words: list[Word]) -> list[list]:
    return [[w.text, round(w.conf, 1), w.left, w.top, w.width, w.height, w.line, w.block] for w in words]


def from_json(rows: list[list]) -> list[Word]:
    return [Word(str(r[0]), float(r[1]), *(int(x) for x in r[2:8])) for r in rows]
