#!/usr/bin/env python3
"""Scoring time (no OCR): 20 kB of screen text, with the built-in phrase lists and with
100,000 user phrases.

    .venv/bin/python bench/scoring.py [--runs 7]

Texts are made here: built-in phrases mixed with filler words (the worst case for the
matcher: every phrase is found, many times), and a 20 kB text of filler only. The user
phrases are generated three-to-five-word phrases. Scored texts are capped at
``score.MAX_TEXT_CHARS`` (what a screen holds); the 20 kB texts are just under it.
Prints the median of ``--runs`` runs; targets (#15): <= 50 ms with the built-in lists,
<= 1 s with 100k user phrases.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agent.detect import phrases as phrasemod, score  # noqa: E402
from agent.detect.phrases import Phrase  # noqa: E402

FILLER = ("the page shows a window with some text and a button for the reader who wants to continue "
          "la page affiche une fenêtre avec du texte et un bouton pour continuer die Seite zeigt ein Fenster").split()


def text_of(size: int, phrases: tuple[Phrase, ...], rnd: random.Random, with_phrases: bool) -> str:
    parts, length = [], 0
    while length < size:
        piece = (rnd.choice(phrases).text if with_phrases and rnd.random() < 0.3
                 else " ".join(rnd.choice(FILLER) for _ in range(rnd.randint(3, 9))))
        parts.append(piece + (".\n" if rnd.random() < 0.3 else " "))
        length += len(parts[-1])
    return "".join(parts)[:size]


def user_phrases(n: int, rnd: random.Random) -> list[Phrase]:
    vocab = [f"{a}{b}" for a in ("ka", "lo", "mi", "zu", "pe", "ro", "ti", "vu") for b in
             ("ran", "mel", "dos", "pik", "sut", "vor", "nal", "gex", "bri", "tho")]
    return [Phrase(" ".join(rnd.choice(vocab) for _ in range(rnd.randint(3, 5))), "threat", "", 1.0, "en")
            for _ in range(n)]


def timed(text: str, phrases, runs: int) -> float:
    score.score_text(text, phrases)          # warm-up: phrase index built once per list
    values = []
    for _ in range(runs):
        started = time.perf_counter()
        score.score_text(text, phrases)
        values.append((time.perf_counter() - started) * 1000)
    return statistics.median(values)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    rnd = random.Random(11)
    builtin, _ = phrasemod.load_all(())
    builtin = tuple(builtin)
    dense = text_of(20_000, builtin, rnd, True)
    plain = text_of(20_000, builtin, rnd, False)
    many = builtin + tuple(user_phrases(100_000, rnd))
    print(f"scoring time, median of {args.runs} runs (text capped at {score.MAX_TEXT_CHARS} characters)")
    print(f"  20 kB of built-in phrases and filler, {len(builtin)} built-in phrases: "
          f"{timed(dense, builtin, args.runs):7.1f} ms   (target <= 50 ms)")
    print(f"  20 kB of filler, built-in phrases:                      {timed(plain, builtin, args.runs):7.1f} ms")
    print(f"  20 kB of built-in phrases, + 100,000 user phrases:      "
          f"{timed(dense, many, args.runs):7.1f} ms   (target <= 1000 ms)")
    short = "Your computer is blocked. Call Microsoft support +1-800-555-0199."
    print(f"  a short locker text, + 100,000 user phrases:            {timed(short, many, args.runs):7.1f} ms")
    started = time.perf_counter()
    score.score_text(short, many[:-1])       # a new list object: the index is built again
    print(f"  first scoring with a new 100k list (builds its index):  {(time.perf_counter() - started) * 1000:7.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
