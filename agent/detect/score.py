"""Scoring: text → :class:`Verdict`. Pure (no I/O once the phrase lists are loaded).

Every family adds up capped contributions of its signal kinds, then must pass a
*gate*, the shape every scam of that family has:

- ``tss``: a threat AND a way to call (a phone number or a call-to-action) AND an
  impersonation cue (brand, pressure or fake error code);
- ``refund``: invoice vocabulary (2+) AND a way to call;
- ``summons``: an accusation AND an authority;
- ``sextortion``: intimate material AND a payment demand (or a bitcoin address).

Counter-signals (pages *about* scams: guidance, news, "never call a number shown in a
pop-up") subtract from every family. The verdict is ``scam`` when the best gated family
reaches the threshold of the sensitivity; ``score`` is that total over twice the
threshold (so 0.5 is the line), capped at 1.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Sequence

from agent.detect import match, phones as phonemod
from agent.detect.phrases import Phrase
from agent.detect.verdict import FAMILIES, Signal, Verdict

THRESHOLDS = {"low": 6.5, "normal": 5.0, "high": 4.0}
CAPS = {"brand": 2.0, "threat": 4.5, "call": 3.0, "pressure": 2.4, "error_code": 1.5,
        "payment": 3.0, "accusation": 4.0, "authority": 2.0, "intimate": 3.0, "invoice": 3.6}
# Which kinds count for which family (generic phrases have family "").
FAMILY_KINDS = {
    "tss": ("brand", "threat", "call", "pressure", "error_code"),
    "refund": ("brand", "invoice", "call", "pressure"),
    "summons": ("accusation", "authority", "pressure", "payment"),
    "sextortion": ("intimate", "payment", "pressure", "threat"),
}
PHONE_WEIGHT, SPECIAL_PHONE_WEIGHT = 2.0, 3.0
_ERROR_CODE = re.compile(
    r"(?:\b[0o]x[0-9a-f]{5,}\b)|(?:(?:error|erreur|fehler|errore|c[oó]digo|code)\s*(?:code|n[o°]\.?|#|:)\s*[:#]?\s*"
    r"(?=[a-z0-9-]*\d)[a-z0-9][a-z0-9-]{3,})", re.I)


def _gate(family: str, kinds: Counter, has_phone: bool, has_btc: bool) -> bool:
    callable_ = has_phone or kinds["call"] > 0
    if family == "tss":
        return kinds["threat"] > 0 and callable_ and (kinds["brand"] + kinds["pressure"] + kinds["error_code"]) > 0
    if family == "refund":
        return kinds["invoice"] >= 2 and callable_
    if family == "summons":
        return kinds["accusation"] > 0 and kinds["authority"] > 0
    if family == "sextortion":
        return kinds["intimate"] > 0 and (kinds["payment"] > 0 or has_btc)
    return False


def score_text(text: str, phrases: Sequence[Phrase], sensitivity: str = "normal",
               lang_hint: str = "") -> Verdict:
    """The verdict for ``text`` against ``phrases``. Pure."""
    threshold = THRESHOLDS.get(sensitivity, THRESHOLDS["normal"])
    prepared = match.prepare(text)
    hits = match.distinct(match.find(prepared, phrases))
    found_phones = phonemod.find_phones(text)
    btc = phonemod.find_bitcoin_addresses(text)
    codes = list(dict.fromkeys(m.group(0) for m in _ERROR_CODE.finditer(text)))[:3]

    signals = [Signal(h.phrase.kind, h.phrase.family, h.phrase.weight, h.found, h.phrase.lang) for h in hits]
    signals += [Signal("error_code", "tss", 1.0, c) for c in codes]
    signals += [Signal("phone", "", SPECIAL_PHONE_WEIGHT if p.special else PHONE_WEIGHT, f"{p.raw} ({p.kind})")
                for p in found_phones]
    signals += [Signal("payment", "sextortion", 3.0, f"bitcoin address {a}") for a in btc]

    counter = sum(s.weight for s in signals if s.kind == "counter")
    phone_w = max((s.weight for s in signals if s.kind == "phone"), default=0.0)
    totals: dict[str, float] = {}
    gated: dict[str, bool] = {}
    for family in FAMILIES:
        per_kind: dict[str, float] = defaultdict(float)
        kinds: Counter = Counter()
        for s in signals:
            if s.kind in FAMILY_KINDS[family] and s.family in ("", family):
                per_kind[s.kind] += s.weight
                kinds[s.kind] += 1
        total = sum(min(CAPS.get(k, 3.0), v) for k, v in per_kind.items())
        if family in ("tss", "refund"):
            total += phone_w
        total += counter
        totals[family] = total
        gated[family] = _gate(family, kinds, bool(found_phones), bool(btc))

    passing = [f for f in FAMILIES if gated[f]]
    best = max(passing or FAMILIES, key=lambda f: totals[f])
    best_total = totals[best] if gated[best] else min(totals[best], threshold * 0.99)
    is_scam = gated[best] and best_total >= threshold
    langs = Counter(s.lang for s in signals if s.lang and s.kind != "counter")
    return Verdict(
        verdict="scam" if is_scam else "ok",
        family=best if (is_scam or best_total > 0) else None,
        score=max(0.0, min(1.0, best_total / (2 * threshold))),
        phones=[p.raw for p in found_phones],
        phones_e164=[p.e164 for p in found_phones],
        signals=[s for s in signals if s.kind in FAMILY_KINDS[best] + ("phone", "counter")
                 and s.family in ("", best)] if is_scam else signals,
        lang=langs.most_common(1)[0][0] if langs else lang_hint,
        text=text,
    )
