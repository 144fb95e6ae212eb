"""The verdict: what the scorer decided about one screen or text, and why.

Plain data, safe to pass between threads and to write as JSON (``to_json``).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

FAMILIES = ("tss", "refund", "summons", "sextortion", "clickfix")


@dataclass(frozen=True)
class Signal:
    """One reason: ``kind`` (brand, threat, call, pressure, error_code, phone, ...),
    ``family`` it points to (or ``""`` for any), its ``weight`` and the matched ``text``."""
    kind: str
    family: str
    weight: float
    text: str
    lang: str = ""


@dataclass
class Verdict:
    verdict: str                      # "scam" or "ok"
    family: str | None                # one of FAMILIES when verdict == "scam", else best guess or None
    score: float                      # 0..1+, compared with the sensitivity threshold
    phones: list[str] = field(default_factory=list)        # as read on the screen
    phones_e164: list[str] = field(default_factory=list)   # normalised where possible
    signals: list[Signal] = field(default_factory=list)
    lang: str = ""                    # language of the text (best guess) or OCR languages
    ms: float = 0.0                   # time spent (OCR + score)
    text: str = ""                    # the text that was scored
    path: str = ""
    features: dict = field(default_factory=dict)             # the model's inputs (agent.detect.features)
    page_url: str = ""                # the page's address when the browser's session files gave it

    @property
    def is_scam(self) -> bool:
        return self.verdict == "scam"

    def to_json(self, with_text: bool = False) -> dict:
        d = asdict(self)
        d["signals"] = [f"{s.kind}:{s.family or '*'}:{s.text}" for s in self.signals]
        d["signal_details"] = [asdict(s) for s in self.signals]
        d["ms"] = round(self.ms, 1)
        d["score"] = round(self.score, 3)
        d["features"] = {k: round(v, 3) for k, v in self.features.items() if v}
        if not with_text:
            d.pop("text")
        return d
