"""What the page does and where it lives, as evidence for the verdict (pure once the
prior weights are loaded; any thread).

The observations are made elsewhere (``agent.watch.behaviour`` with the platform backend:
keyboard lock, sound, hidden cursor, fullscreen re-entered, the page's address) and
passed in as a :class:`Behaviour`; this module knows no screen. Their weights are priors
set by hand in ``assets/model/behaviour.json`` (the scam model's corpus screens carry no
behaviour, so they cannot be fitted there): each at most 1.0 in log-odds and all together
at most ``max_total``, so none alone makes an alert, each adds to a borderline page, and
a page with no scam claim stays under the line (the cap in
:func:`agent.detect.score.probability`).
"""
from __future__ import annotations

import functools
import json
import logging
import math
from dataclasses import asdict, dataclass

from agent import paths
from agent.detect import address

log = logging.getLogger(__name__)
MAX_WEIGHT = 1.0


@dataclass(frozen=True)
class Behaviour:
    """What was observed of the page (None: could not be told on this system)."""
    keyboard_lock: bool | None = None      # the page holds the keyboard (Keyboard Lock API)
    audio: bool | None = None              # the browser plays sound while the page is fullscreen
    cursor_hidden: bool | None = None      # the pointer is over the page and invisible
    fullscreen_entries: int = 0            # times this window entered fullscreen (1: once)
    page_url: str = ""                     # the active tab's address (the browser's session files)

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Priors:
    weights: dict
    max_total: float
    free_hosts: tuple[str, ...]
    brands: tuple[str, ...]


@functools.lru_cache(maxsize=1)
def priors() -> Priors:
    """The shipped prior weights and address lists (empty, i.e. no effect, if unreadable)."""
    try:
        data = json.loads((paths.assets_dir() / "model" / "behaviour.json").read_text(encoding="utf-8"))
        weights = {str(k): min(MAX_WEIGHT, float(v)) for k, v in data["weights"].items()}
        return Priors(weights, float(data.get("max_total", 2.0)), tuple(data.get("free_hosts", ())),
                      tuple(data.get("brands", ())))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.error("assets/model/behaviour.json is unreadable (behaviour not counted): %s", exc)
        return Priors({}, 0.0, (), ())


def features(b: Behaviour | None) -> dict[str, float]:
    """The behaviour features (0/1) of ``b``; empty for None."""
    if b is None:
        return {}
    p = priors()
    f = {"keyboard_lock": float(b.keyboard_lock is True), "audio_fullscreen": float(b.audio is True),
         "cursor_hidden": float(b.cursor_hidden is True), "fullscreen_reentered": float(b.fullscreen_entries >= 2)}
    f.update(address.evidence(b.page_url, p.free_hosts, p.brands))
    return f


def logit(f: dict[str, float]) -> float:
    """How far the behaviour features move the log-odds (bounded by ``max_total``)."""
    p = priors()
    return min(p.max_total, sum(p.weights.get(k, 0.0) * v for k, v in f.items()))


def contributions(f: dict[str, float]) -> dict[str, float]:
    """Each present feature's weight (the explanation: signals of kind ``behaviour``)."""
    w = priors().weights
    return {k: w.get(k, 0.0) * v for k, v in f.items() if v and w.get(k, 0.0)}


def shift(p: float, extra: float) -> float:
    """``p`` moved by ``extra`` in log-odds."""
    if not extra or p <= 0.0 or p >= 1.0:
        return p
    z = math.log(p / (1 - p)) + extra
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))
