"""OCR-tolerant phrase matching, in time linear in the text. Pure functions, no I/O.

Text and phrases go through the same :func:`normalize` (lower case, accents and
punctuation removed, ``’`` → ``'``). A phrase matches when it stands between word
boundaries: the text's runs of 1-8 words are put in a set once, and each phrase is a
set lookup (longer phrases are searched in the text). Phrases of 10+ characters also
match approximately (rapidfuzz ratio ≥ 88 on a run of the same number of words, words
of up to 4 letters exact), which absorbs OCR slips such as ``infecte d`` or
``Micr0soft``; only the runs that share a word with the phrase (or, for a one-word
phrase, its first or last three letters) are compared, so the cost follows the text,
not the product of text and phrase list. Phrases in scripts without spaces (Japanese,
Chinese) match on the text with its spaces removed (approximately from 4 characters
on, around the places where the phrase's first or last two characters occur).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Sequence

from rapidfuzz import fuzz

from agent.detect import evasion
from agent.detect.phrases import Phrase

FUZZY_MIN_LEN = 10
FUZZY_CUTOFF = 88
CJK_FUZZY_MIN_LEN = 4      # CJK phrases of 4+ characters tolerate one misread character...
CJK_FUZZY_CUTOFF = 80      # ...(電話 read as 電語)
MAX_WORDS = 8              # runs of up to this many words are indexed
MAX_WINDOWS = 40           # fuzzy comparisons per phrase at most
_KEEP = set("'$€#")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")


def is_cjk(s: str) -> bool:
    return bool(_CJK.search(s))


_PUNCT = re.compile(r"[^\w'$€#]|_")
# OCR and spam obfuscation: a capital I read as "|" ("| have access"), "a" written "&" ("e&ch")
_OCR_I = re.compile(r"(?<!\S)\|(?=\s+[a-z])")
_AMP_A = re.compile(r"(?<=[a-z])[&4](?=[a-z])|(?<![\w&])[&4](?!th\b)(?=[a-z]{2})|(?<![\w&])4(?=n\b)")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u3099\u309a]")


def deobfuscate(lowered: str) -> str:
    """A lower-case text with "|" read back as "i" and an "a" written "&" or "4" ("e&ch",
    "4ccounts", "4n") read back as "a"."""
    if "|" in lowered or "&" in lowered or "4" in lowered:
        return _OCR_I.sub("i", _AMP_A.sub("a", lowered))
    return lowered


def normalize(text: str) -> str:
    """Lower case, look-alike letters of other scripts as the Latin ones they imitate
    (:func:`agent.detect.evasion.fold`), no accents, punctuation to spaces, one space
    between words."""
    text = deobfuscate(evasion.fold(unicodedata.normalize("NFKC", text).replace("’", "'").replace("`", "'").lower()))
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return " ".join(_PUNCT.sub(" ", text).split())


def compact(text: str) -> str:
    """The text without any white space (for CJK matching)."""
    return "".join(normalize(text).split())


@dataclass
class Prepared:
    """A text made ready for matching many phrases."""
    norm: str
    padded: str
    compact: str
    words: list[str]
    positions: dict[str, list[int]]      # word -> where it stands
    by_prefix: dict[str, set[str]]       # first / last three letters -> words
    has_cjk: bool


def prepare(text: str) -> Prepared:
    norm = normalize(text)
    words = norm.split()
    positions: dict[str, list[int]] = {}
    by_prefix: dict[str, set[str]] = {}
    for i, w in enumerate(words):
        positions.setdefault(w, []).append(i)
        if len(w) >= 6:
            by_prefix.setdefault("<" + w[:3], set()).add(w)
            by_prefix.setdefault(">" + w[-3:], set()).add(w)
    return Prepared(norm, f" {norm} ", "".join(words), words, positions, by_prefix, is_cjk(norm))


@dataclass(frozen=True)
class Hit:
    phrase: Phrase
    found: str       # what was read on screen
    exact: bool


@dataclass(frozen=True)
class _Entry:
    phrase: Phrase
    key: str
    words: tuple[str, ...]
    cjk: bool


@dataclass(frozen=True)
class _Index:
    entries: list[_Entry]
    first_words: frozenset[str]     # words a phrase of up to MAX_WORDS words starts with
    lengths: tuple[int, ...]        # how many words such phrases have


_INDEX: dict[tuple[int, int], tuple[object, _Index]] = {}


def _entries(phrases: Sequence[Phrase]) -> _Index:
    """Normalised phrases, computed once per phrase list (keyed by the list object)."""
    key = (id(phrases), len(phrases))
    cached = _INDEX.get(key)
    if cached is not None and cached[0] is phrases:
        return cached[1]
    out = []
    for p in phrases:
        norm = normalize(p.text)
        if norm:
            out.append(_Entry(p, norm, tuple(norm.split()), is_cjk(norm)))
    short = [e for e in out if not e.cjk and len(e.words) <= MAX_WORDS]
    index = _Index(out, frozenset(e.words[0] for e in short), tuple(sorted({len(e.words) for e in short})))
    if len(_INDEX) > 8:
        _INDEX.clear()
    _INDEX[key] = (phrases, index)
    return index


def _runs(prepared: Prepared, index: _Index) -> set[str]:
    """The text's runs of words that could be a phrase: starting with a word some phrase
    starts with, as long as some phrase is."""
    words, runs = prepared.words, set()
    for i, w in enumerate(words):
        if w in index.first_words:
            runs.update(" ".join(words[i:i + n]) for n in index.lengths if i + n <= len(words))
    return runs


def _fuzzy_word_runs(prepared: Prepared, e: _Entry) -> list[str]:
    """The runs of the text worth comparing with a phrase (see the module docstring)."""
    n = len(e.words)
    words = prepared.words
    if n == 1:
        w = e.words[0]
        return sorted(prepared.by_prefix.get("<" + w[:3], set()) | prepared.by_prefix.get(">" + w[-3:], set()))
    starts: set[int] = set()
    for j, w in enumerate(e.words):
        if len(w) >= 4:
            for i in prepared.positions.get(w, ())[:MAX_WINDOWS]:
                if 0 <= i - j <= len(words) - n:
                    starts.add(i - j)
    return [" ".join(words[s:s + n]) for s in sorted(starts)[:MAX_WINDOWS]]


def _cjk_fuzzy(prepared: Prepared, needle: str) -> str | None:
    text = prepared.compact
    starts: set[int] = set()
    for probe, offset in ((needle[:2], 0), (needle[-2:], len(needle) - 2)):
        at = text.find(probe)
        while at >= 0 and len(starts) < MAX_WINDOWS:
            starts.add(max(0, at - offset))
            at = text.find(probe, at + 1)
    for s in sorted(starts):
        window = text[s:s + len(needle)]
        if fuzz.ratio(needle, window) >= CJK_FUZZY_CUTOFF:
            return window
    return None


def find(prepared: Prepared, phrases: Sequence[Phrase], fuzzy: bool = True) -> list[Hit]:
    """Every phrase found in the text (each phrase at most once)."""
    hits: list[Hit] = []
    index = _entries(phrases)
    runs = _runs(prepared, index)
    for e in index.entries:
        if e.cjk:
            needle = e.key.replace(" ", "")
            if needle in prepared.compact:
                hits.append(Hit(e.phrase, e.phrase.text, True))
            elif fuzzy and len(needle) >= CJK_FUZZY_MIN_LEN and prepared.has_cjk:
                found = _cjk_fuzzy(prepared, needle)
                if found:
                    hits.append(Hit(e.phrase, found, False))
            continue
        if (e.key in runs) if len(e.words) <= MAX_WORDS else (f" {e.key} " in prepared.padded):
            hits.append(Hit(e.phrase, e.phrase.text, True))
            continue
        if fuzzy and len(e.key) >= FUZZY_MIN_LEN:
            for run in _fuzzy_word_runs(prepared, e):
                if fuzz.ratio(e.key, run) >= FUZZY_CUTOFF and _short_words_equal(e.key, run):
                    hits.append(Hit(e.phrase, run, False))
                    break
    return hits


def _short_words_equal(phrase: str, found: str) -> bool:
    """OCR slips are absorbed in long words only: short words carry the meaning
    (``all microsoft`` in a menu is not ``call microsoft``)."""
    return all(a == b for a, b in zip(phrase.split(), found.split()) if len(a) <= 4)


MAX_SUBRUN = 12   # a phrase inside a longer one is recognised up to this many words


def distinct(hits: Iterable[Hit]) -> list[Hit]:
    """Drop hits whose phrase is contained in a longer hit of the same kind
    (``virus`` inside ``virus detected`` counts once), repeats of one phrase, and a
    second phrase of the same kind read from the same words (another language's list).
    Linear: each hit lists the shorter runs of words it contains."""
    hits = list(hits)
    keyed = [(h, normalize(h.phrase.text)) for h in hits]
    inside: set[tuple[str, str]] = set()
    for h, key in keyed:
        w = key.split()
        for n in range(1, min(len(w), MAX_SUBRUN + 1)):
            for i in range(len(w) - n + 1):
                inside.add((h.phrase.kind, " ".join(w[i:i + n])))
    keep, seen, read = [], set(), set()
    for h, key in keyed:
        if (h.phrase.kind, key) in inside:
            continue
        ident = (key, h.phrase.kind, h.phrase.family)
        span = (normalize(h.found), h.phrase.kind)
        if ident in seen or span in read:     # one piece of screen text is one piece of evidence
            continue                          # (``immédiatement`` is not also ``immediatamente``)
        seen.add(ident)
        read.add(span)
        keep.append(h)
    return keep
