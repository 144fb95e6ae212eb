"""Scoring: text (and word boxes) → :class:`Verdict`. Pure (no I/O once the phrase
lists and the model are loaded).

1. The text is capped to what a screen holds (:func:`agent.detect.limits.cap_text`) and Vigie's own
   messages (its alert and notification, read back from a capture) are dropped.
2. Evidence: phrase hits per signal kind, phone numbers (typed by libphonenumber, their
   type size from the word boxes), bitcoin addresses, fake error codes, and the shape
   of the page (:mod:`agent.detect.features`).
3. A logistic model (:mod:`agent.detect.model`) turns the evidence into P(scam); 0.5 is
   the line, the sensitivity moves it. No phrase list is a gate: a dashboard locker
   with no threat phrase is caught by its brand, big toll-free number and call to act;
   a news article that uses every scam word is let through by its shape.
4. The family is chosen by the shape each family has (a sextortion mail needs
   intimate material *and* a payment demand, a summons an accusation *and* an
   authority, a refund scam invoice words, an impersonated brand *and* a number,
   ClickFix its keyboard instructions); otherwise a scam is a tech-support scam. A
   Defender dashboard that says "payment" is not sextortion (no intimate material),
   a "Cancel" button is not a refund scam (one invoice word, no shape).
5. One cap of common sense (:func:`probability`).
"""
from __future__ import annotations

import re
from typing import Sequence

from rapidfuzz import fuzz

from agent.detect import behaviour as behaviourmod
from agent.detect import column
from agent.detect import evasion, features as feat, limits, look, match, model as modelmod, phones as phonemod, sender
from agent.detect.phrases import Phrase
from agent.detect.verdict import FAMILIES, Signal, Verdict
from agent.detect.words import Word

# A 4K screen full of small print holds about 15,000 characters; anything longer is not
# a screen (a pasted file): limits.cap_text keeps its head and tail, MAX_TEXT_CHARS in all.
MAX_TEXT_CHARS = limits.MAX_TEXT_CHARS
_ERROR_CODE = re.compile(
    r"(?:\b[0o]x[0-9a-f]{5,}\b)|(?:(?:error|erreur|fehler|errore|c[oó]digo|code)\s*(?:code|n[o°]\.?|#|:)\s*[:#]?\s*"
    r"(?=[a-z0-9-]*\d)[a-z0-9][a-z0-9-]{3,})", re.I)
FAMILY_KINDS = {
    "tss": ("brand", "threat", "call", "pressure", "error_code", "scan"),
    "refund": ("brand", "invoice", "call", "pressure"),
    "summons": ("accusation", "authority", "pressure", "payment"),
    "sextortion": ("intimate", "payment", "pressure", "threat"),
    "clickfix": ("clickfix", "brand", "pressure"),
}
# the model's evidence named as a signal of kind "layout" (its text is the feature name;
# `vigie scan` shows it in words: assets/i18n/*/scan.toml "layout_<name>")
LAYOUT_SIGNALS = ("charge", "charge_unasked", "crash", "crash_call", "exposure", "exposure_pressure", "dialog_loop",
                  "lockout", "phone_dominant", "clickfix_steps", "refund_mismatch", "intrusion", "web_claim", "sender_mismatch", "dispute", "phone_big", "phone_many", "words", "long_lines", "big_text", "you", "me", "narrative", "years",
                  "capitals", "claim_big", "short", "brand_short", "threat_short", "scan_screen", "letter", "shape_tss",
                  "shape_refund", "shape_summons", "shape_sextortion")


def strip_own(text: str, own_sentences: Sequence[str]) -> str:
    """``text`` without the lines that are Vigie's own messages (its alert or
    notification read back in a capture): a line goes when it is mostly one of them."""
    if not own_sentences:
        return text
    keys = [match.normalize(s) for s in own_sentences if len(s) >= 8]
    vocabulary = {w for k in keys for w in k.split()}
    kept = []
    for line in text.splitlines():
        norm = match.normalize(line)
        tokens = norm.split()
        if (len(norm) >= 8 and sum(t in vocabulary for t in tokens) >= 0.7 * len(tokens)
                and any(fuzz.partial_ratio(norm, k) >= 90 for k in keys if len(k) >= len(norm) * 0.6)):
            continue
        kept.append(line)
    return "\n".join(kept)


CLAIMS = ("brand", "threat", "error_code", "invoice", "accusation", "intimate", "clickfix", "pressure", "scan",
          "intrusion", "lockout", "phone_dominant", "clickfix_steps", "crash", "exposure", "dialog_loop")
ACTIONS = ("phone", "call", "payment", "bitcoin", "fine", "accusation", "clickfix", "clickfix_steps")
NO_CLAIM_CAP = 0.45
APP_QUIET_CAP = 0.3    # a desktop application that asks for nothing: well under the line, not near it
CLICKFIX_FLOOR = 0.9
CLICKFIX_PROSE = 0.35


def probability(m: modelmod.Model, f: dict[str, float], sensitivity: str = "normal", extra: float = 0.0) -> float:
    """P(scam) from the model, capped under the line (at :data:`NO_CLAIM_CAP`) for a page
    that makes no scam claim at all (no brand, threat, error, invoice, accusation,
    intimate material, ClickFix instruction or pressure) or that asks nothing of the
    reader (no number, call, payment, reply or paste)... ``extra``: log-odds added by what the
    page does (:mod:`agent.detect.behaviour`), before that cap."""
    p = behaviourmod.shift(m.probability(f, sensitivity), extra)
    no_claim = not any(f[k] > 0 for k in CLAIMS)
    # ...except a nearly empty screen whose title is a brand or threat in large type: the
    # "Windows Defender Alert — scanning..." first screen of a locker, before its number
    # and a blackmail letter whose first screen is still the "I hacked you, I recorded you"
    # story (its demand comes further down), and a fake scan: a security brand scanning
    # on a nearly empty screen (the scan *is* the act: the number comes when it "ends"), and a
    # charge in a brand's name sent from elsewhere (it asks by itself: the reader calls or replies)
    no_action = (not any(f[k] > 0 for k in ACTIONS) and not (f["claim_big"] >= 0.2 and f["short"] > 0)
                 and not ((f["intimate"] > 0 or f["intrusion"] > 0) and f["me"] >= 0.3) and not f["scan_screen"] > 0
                 and not f["web_claim"] >= 0.5 and not f.get("charge_unasked", 0.0) > 0)
    # the operating system's own security app reporting what it found asks for nothing: only a
    # browser page (or a window that asks to call, pay or paste) can be the scam
    p = min(p, NO_CLAIM_CAP) if (no_claim or no_action) else p
    p = min(p, APP_QUIET_CAP) if f.get("app_quiet", 0.0) > 0 else p
    # a screen that shows all three ClickFix steps (Run box, paste, Enter) as instructions,
    # not in prose and not warning about scams, is the attack itself (agent/detect/keycaps.py)
    if f.get("clickfix_steps", 0.0) >= 1.0 and f["long_lines"] < CLICKFIX_PROSE and f["counter"] == 0:
        p = max(p, CLICKFIX_FLOOR)
    return p


def choose_family(f: dict[str, float]) -> str:
    """The family whose shape the evidence has (tss when none other has it)."""
    strength = {"tss": f["threat"] + f["error_code"] + f["brand"] + f["phone_big"] + 0.5 * f["call"]}
    # ...or one step of it beside a "verify you are human" checkbox frame (agent/detect/checkframe.py)
    steps = max(f["clickfix"], f.get("clickfix_steps", 0.0))
    if f["clickfix"] >= 0.5 or f.get("clickfix_steps", 0.0) >= 2 / 3 or (f.get("check_frame", 0.0) > 0 and steps > 0):
        strength["clickfix"] = 3 * steps + f.get("check_frame", 0.0)
    if ((f["shape_sextortion"] > 0 or f["me"] >= 0.3) and f["intimate"] >= 0.3) or f["intrusion"] >= 0.6:
        # a demand, or "I recorded you", or a letter telling "I got into your devices"
        strength["sextortion"] = f["intimate"] + f["payment"] + f["bitcoin"] + f["me"] + f["intrusion"]
    if f["shape_summons"] > 0:
        strength["summons"] = f["accusation"] + f["authority"] + f["fine"]
    # an invoice in a brand's name with a number to call, or sent from another domain than the brand's
    # (or from a personal mailbox, for a charge)
    if (f["invoice"] >= 0.5 and f["brand"] > 0 and (f["phone"] > 0 or f["sender_mismatch"] > 0
                                                    or f.get("charge_unasked", 0.0) > 0)
            and f["invoice"] > f["threat"]):
        strength["refund"] = 2 * f["invoice"] + f["phone_special"]
    return max(strength, key=lambda k: strength[k])


def _prepared(text: str, own_sentences: Sequence[str]) -> str:
    """``text`` capped to a screen's length, its hiding tricks undone, Vigie's own lines out."""
    return strip_own(evasion.unhide(limits.cap_text(text)[0]), own_sentences)


def score_text(text: str, phrases: Sequence[Phrase], sensitivity: str = "normal", lang_hint: str = "",
               words: Sequence[Word] | None = None, own_sentences: Sequence[str] = (),
               model: modelmod.Model | None = None, source: str = "",
               behaviour: behaviourmod.Behaviour | None = None, image: dict[str, float] | None = None) -> Verdict:
    """The verdict for ``text`` (and its word boxes, for a screen) against ``phrases``;
    ``source`` says where it was read (``"web"``: a browser page); ``behaviour`` what the
    page was seen doing and its address (None: not observed); ``image``: the screen's look
    (:func:`agent.detect.look.measure`: alarm colours, a dialog, a browser-check frame). Pure."""
    text = _prepared(text, own_sentences)
    if not text.strip():
        return Verdict(verdict="ok", family=None, score=0.0, lang=lang_hint, text=text)
    # the page's own column (a screen only): where other windows' labels, read in between its
    # lines, would break a phrase or dilute the text's shape (agent/detect/column.py)
    own_column = _prepared(column.main_text(words), own_sentences) if words else None
    found = match.find(match.prepare(text), phrases)
    if own_column and own_column != text:
        found += match.find(match.prepare(own_column), phrases)
    hits = match.distinct(found)
    found_phones = phonemod.find_phones(text)
    btc = phonemod.find_bitcoin_addresses(text)
    codes = list(dict.fromkeys(m.group(0) for m in _ERROR_CODE.finditer(text)))[:3]
    heights = feat.phone_heights(words or (), [re.sub(r"\D", "", p.raw) for p in found_phones])
    signals = [Signal(h.phrase.kind, h.phrase.family, h.phrase.weight, h.found, h.phrase.lang) for h in hits]
    signals += [Signal("error_code", "tss", 1.0, c) for c in codes]
    raw = [(s.kind, s.family, s.weight) for s in signals]
    claim_words = frozenset(w for s in signals if s.kind in ("brand", "threat", "error_code")
                            for w in match.normalize(s.text).split() if len(w) >= 4)
    # an accusation or a brand, sent from a domain that is none of the brands or authorities named
    mismatch = sender.mismatch(text, [s.text for s in signals if s.kind in ("brand", "authority", "accusation")])
    f = feat.compute(text, raw, [feat.PhoneBox(p.special, h) for p, h in zip(found_phones, heights)],
                     bool(btc), words, claim_words, source, mismatch, column=own_column, image=image)
    m = model or modelmod.shipped("screen" if words else "text")
    # -- what the page does and where it lives: hand-set priors (agent/detect/behaviour.py) --
    bf = behaviourmod.features(behaviour)
    p_scam = probability(m, f, sensitivity, behaviourmod.logit(bf))
    # -- end of behaviour --
    family = choose_family(f)
    is_scam = p_scam >= 0.5
    contrib = m.contributions(f)
    signals += [Signal("phone", "", round(contrib.get("phone_special" if p.special else "phone", 0.0), 2),
                       f"{p.raw} ({p.kind})") for p in found_phones]
    signals += [Signal("payment", "sextortion", 3.0, f"bitcoin address {a}") for a in btc]
    signals += [Signal("layout", "", round(v, 2), k) for k, v in sorted(contrib.items(), key=lambda kv: -abs(kv[1]))
                if k in LAYOUT_SIGNALS and abs(v) >= 0.3]
    signals += [Signal("behaviour", "", round(v, 2), k) for k, v in behaviourmod.contributions(bf).items()]
    # the screen's look, every part seen (weight: its contribution to the log-odds)
    seen = {k: min(1.0, max(0.0, float(image.get(k, 0.0)))) for k in look.NAMES} if image and words else {}
    signals += [Signal("image", "", round(contrib.get(k, 0.0), 2), k) for k in look.NAMES if seen.get(k, 0.0) > 0]
    if is_scam:
        keep = FAMILY_KINDS[family] + ("phone", "counter", "layout", "behaviour", "image")
        signals = [s for s in signals if s.kind in keep and s.family in ("", family)]
    langs = {}
    for s in signals:
        if s.lang and s.kind != "counter":
            langs[s.lang] = langs.get(s.lang, 0) + 1
    return Verdict(
        verdict="scam" if is_scam else "ok",
        family=family if (is_scam or p_scam >= 0.2) else None,
        score=round(p_scam, 4),
        phones=[p.raw for p in found_phones],
        phones_e164=[p.e164 for p in found_phones],
        signals=signals,
        lang=max(langs, key=langs.get) if langs else lang_hint,
        text=text,
        features={**f, **bf, **seen},      # and the look measured but not weighed (the dialog)
        page_url=behaviour.page_url if behaviour is not None else "",
    )


assert set(FAMILY_KINDS) == set(FAMILIES)
