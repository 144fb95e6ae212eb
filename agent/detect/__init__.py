"""Detection: image → preprocessing → OCR → scoring (pure) → verdict.

Public entry points (any worker thread; not re-entrant per Detector instance):
``Detector(...).scan_image(img)``, ``Detector.scan_text(text)``, ``score.score_text(text)``.
"""
from agent.detect.verdict import Signal, Verdict

__all__ = ["Signal", "Verdict"]
