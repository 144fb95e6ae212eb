"""The scam model: a logistic regression over :mod:`agent.detect.features`.

The weights are data (``assets/model/scam.json``), fitted by ``bench/detection.py
--fit`` with scikit-learn on the labelled corpus and the project's own fixtures;
inference here is a dot product in plain Python (~30 multiplications): no numpy or
scikit-learn is imported by the agent, so the idle memory budget is unchanged.

Two models with the same features: one for screens (OCR text with word boxes), one for
plain texts (no layout; a text's length and line breaks mean something else).
``probability`` is P(scam) with 0.5 as the line. The sensitivity moves the line by a
fixed amount in log-odds (``high`` alerts on weaker evidence, ``low`` asks for more);
the returned score is shifted the same way so that 0.5 stays the line.
"""
from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

from agent import paths

SENSITIVITY_SHIFT = {"low": -1.2, "normal": 0.0, "high": 1.2}


@dataclass(frozen=True)
class Model:
    bias: float
    weights: dict[str, float]
    about: str = ""

    def logit(self, features: dict[str, float]) -> float:
        return self.bias + sum(w * features.get(k, 0.0) for k, w in self.weights.items())

    def probability(self, features: dict[str, float], sensitivity: str = "normal") -> float:
        z = self.logit(features) + SENSITIVITY_SHIFT.get(sensitivity, 0.0)
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))

    def contributions(self, features: dict[str, float]) -> dict[str, float]:
        """How much each feature moved the log-odds (the explanation of a verdict)."""
        return {k: w * features.get(k, 0.0) for k, w in self.weights.items() if features.get(k, 0.0)}

    def to_json(self) -> dict:
        return {"about": self.about, "bias": self.bias, "weights": self.weights}


def model_path() -> Path:
    return paths.assets_dir() / "model" / "scam.json"


def from_json(data: dict) -> Model:
    return Model(float(data["bias"]), {str(k): float(v) for k, v in data["weights"].items()},
                 str(data.get("about", "")))


FORMS = ("screen", "text")


@functools.lru_cache(maxsize=2)
def shipped(form: str = "screen") -> Model:
    """The model shipped in ``assets/model/scam.json`` for a ``screen`` (OCR with word
    boxes) or a plain ``text`` (``vigie scan file.txt``); read once per process."""
    return from_json(json.loads(model_path().read_text(encoding="utf-8"))[form])
