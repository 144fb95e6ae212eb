"""OCR-tolerant phrase matching. Pure functions, no I/O.

Text and phrases go through the same :func:`normalize` (lower case, accents and
punctuation removed, ``’`` → ``'``). A phrase matches when it stands between word
boundaries; phrases of 10+ characters also match approximately (rapidfuzz ratio ≥ 88
on a run of the same number of words, words of up to 4 letters exact), which absorbs
OCR slips such as
``infecte d`` or ``Micr0soft``. Phrases in scripts without spaces (Japanese, Chinese)
match on the text with its spaces removed (approximately from 4 characters on).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Sequence

from rapidfuzz import fuzz, process

from agent.detect.phrases import Phrase

FUZZY_MIN_LEN = 10
FUZZY_CUTOFF = 88
CJK_FUZZY_MIN_LEN = 4      # CJK phrases of 4+ characters tolerate one misread character...
CJK_FUZZY_CUTOFF = 80      # ...(電話 read as 電語)
_KEEP = set("'$€#")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")


def is_cjk(s: str) -> bool:
    return bool(_CJK.search(s))


def normalize(text: str) -> str:
    """Lower case, no accents, punctuation to spaces, one space between words."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("`", "'").lower()
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = "".join(c if (c.isalnum() or c in _KEEP or is_cjk(c)) else " " for c in text)
    return " ".join(text.split())


def compact(text: str) -> str:
    """The text without any white space (for CJK matching)."""
    return "".join(normalize(text).split())


@dataclass
class Prepared:
    """A text made ready for matching many phrases."""
    norm: str
    padded: str
    compact: str
    ngrams: dict[int, list[str]]
    has_cjk: bool


def prepare(text: str, max_words: int = 8) -> Prepared:
    norm = normalize(text)
    words = norm.split()
    ngrams = {n: [" ".join(words[i:i + n]) for i in range(0, max(0, len(words) - n + 1))]
              for n in range(1, max_words + 1)}
    return Prepared(norm, f" {norm} ", "".join(words), ngrams, is_cjk(norm))


@dataclass(frozen=True)
class Hit:
    phrase: Phrase
    found: str       # what was read on screen
    exact: bool


def _norm_phrase(p: Phrase) -> str:
    return normalize(p.text)


def find(prepared: Prepared, phrases: Sequence[Phrase], fuzzy: bool = True) -> list[Hit]:
    """Every phrase found in the text (each phrase at most once)."""
    hits: list[Hit] = []
    for p in phrases:
        key = _norm_phrase(p)
        if not key:
            continue
        if is_cjk(key):
            needle = key.replace(" ", "")
            if needle in prepared.compact:
                hits.append(Hit(p, p.text, True))
            elif fuzzy and len(needle) >= CJK_FUZZY_MIN_LEN and prepared.has_cjk:
                found = fuzz.partial_ratio_alignment(needle, prepared.compact, score_cutoff=CJK_FUZZY_CUTOFF)
                if found:
                    hits.append(Hit(p, prepared.compact[found.dest_start:found.dest_end], False))
            continue
        if f" {key} " in prepared.padded:
            hits.append(Hit(p, p.text, True))
            continue
        if fuzzy and len(key) >= FUZZY_MIN_LEN:
            n = key.count(" ") + 1
            choices = prepared.ngrams.get(n)
            if choices:
                best = process.extractOne(key, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
                if best and _short_words_equal(key, best[0]):
                    hits.append(Hit(p, best[0], False))
    return hits


def _short_words_equal(phrase: str, found: str) -> bool:
    """OCR slips are absorbed in long words only: short words carry the meaning
    (``all microsoft`` in a menu is not ``call microsoft``)."""
    return all(a == b for a, b in zip(phrase.split(), found.split()) if len(a) <= 4)


def distinct(hits: Iterable[Hit]) -> list[Hit]:
    """Drop hits whose phrase is contained in a longer hit of the same kind
    (``virus`` inside ``virus detected`` counts once)."""
    hits = list(hits)
    keep = []
    for h in hits:
        key = _norm_phrase(h.phrase)
        if any(o is not h and o.phrase.kind == h.phrase.kind and key != _norm_phrase(o.phrase)
               and f" {key} " in f" {_norm_phrase(o.phrase)} " for o in hits):
            continue
        if any(_norm_phrase(k.phrase) == key and k.phrase.kind == h.phrase.kind and k.phrase.family == h.phrase.family
               for k in keep):
            continue
        keep.append(h)
    return keep
