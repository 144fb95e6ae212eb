"""Evidence about one screen as numbers: the inputs of the scam model. Pure, no I/O.

Three sources, each a few features in [0, 1]:

- **phrase hits** per signal kind (brand, threat, call, ...), capped: the phrase lists
  are evidence, not gates;
- **numbers**: a phone number (toll-free/premium types), its type size relative to the
  page's text (read from the OCR word boxes), bitcoin addresses;
- **shape** (what separates a locker or a scam mail from a page *about* scams): how
  much text and how long its lines, the share of big type, second-person address
  ("your computer", "vous") versus third-person narrative ("victims", "ils"), dates and
  years (bylines, news), shouting capitals.

Screens come with word boxes (:class:`agent.detect.words.Word`); plain texts have
none, and the box features are then 0 (plain texts have their own model, fitted on
the same evidence without layout: :mod:`agent.detect.model`).
"""
from __future__ import annotations

import math
import re
import statistics
from dataclasses import dataclass
from typing import Sequence

from agent.detect import dispute, intrusion, keycaps, lockout, look, scares
from agent.detect.words import Word

# kind (and family for family-restricted kinds) -> (feature name, cap on summed weights)
KIND_FEATURES = {
    ("brand", ""): ("brand", 2.0), ("threat", ""): ("threat", 3.0), ("call", ""): ("call", 3.0),
    ("pressure", ""): ("pressure", 2.4), ("error_code", ""): ("error_code", 2.0),
    ("invoice", "refund"): ("invoice", 3.6), ("accusation", "summons"): ("accusation", 4.0),
    ("authority", "summons"): ("authority", 2.0), ("intimate", "sextortion"): ("intimate", 3.0),
    ("payment", "sextortion"): ("payment", 3.0), ("payment", "summons"): ("fine", 2.0),
    ("threat", "sextortion"): ("intimate", 3.0), ("counter", ""): ("counter", 8.0),
    ("clickfix", "clickfix"): ("clickfix", 3.0), ("clickfix", ""): ("clickfix", 3.0),
    ("brand", "summons"): ("authority", 2.0), ("scan", ""): ("scan", 2.0),
}
KINDS = ("brand", "threat", "call", "pressure", "error_code", "invoice", "accusation", "authority",
         "intimate", "payment", "fine", "counter", "clickfix", "scan")
NAMES = KINDS + (
    "phone", "phone_special", "phone_big", "phone_many", "bitcoin",
    "shape_tss", "shape_refund", "shape_summons", "shape_sextortion",
    "words", "long_lines", "big_text", "you", "me", "narrative", "years", "capitals",
    "short", "brand_short", "threat_short", "letter", "claim_big", "scan_screen", "intrusion", "web_claim",
    "dispute", "sender_mismatch",
) + (
    # issue 21, evidence beyond word lists (agent/detect/lockout.py; the shape of a locker)
    "lockout", "phone_dominant", "clickfix_steps", "app_quiet", "refund_mismatch",
) + (
    # issue 21, fake invoices and crash screens (agent/detect/charge.py, crash.py)
    "charge", "charge_unasked", "crash", "crash_call",
    # ...your data "found on the dark web", a page stacking dialogs (agent/detect/exposure.py)
    "exposure", "exposure_pressure", "dialog_loop",
) + look.MODEL   # issue 21, the screen's look (agent/detect/look.py): alarm colours, a browser-check frame
# where the screen was read: "web" (a browser page: what the agent reads), "app" (a desktop
# application) or "" (unknown); only "web" adds evidence, the other two read alike
SOURCES = ("", "web", "app")

# Function words (not scam vocabulary): who the text speaks to, and about whom.
_YOU = set("you your yours yourself vous votre vos toi ton ta tes tu sie ihr ihre ihren ihrem ihnen dein deine "
           "usted ustedes su sus tu tus vostro vostra vostri tuo tua voi lei je jouw uw jij u "
           "você voce seu sua seus suas".split())
_THEY = set("they their them he she his her victims victim criminals fraudsters scammers people users "
            "ils elles leur leurs victimes escrocs fraudeurs arnaqueurs personnes utilisateurs "
            "opfer betrüger betruger täter tater nutzer kriminelle víctimas victimas estafadores delincuentes "
            "vittime truffatori slachtoffers oplichters criminelen vítimas vitimas golpistas criminosos".split())
_ME = set("i me my mine myself je j moi mon ma mes ich mich mir mein meine meinen yo mi mis me io mio mia ik mij "
          "mijn eu meu minha meus".split())
_OCR_I = re.compile(r"(?<!\S)\|(?=\s+[a-z4&@])")   # (4, &, @: a spam mail's "a": "| 4cquired")
_JA_YOU = re.compile(r"(お客様|あなた|ご利用|お使い)")
_YEAR = re.compile(r"\b(?:19[89]\d|20[0-4]\d)\b")
_DATE = re.compile(r"\b\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})\b|\b\d{4}-\d{2}-\d{2}\b")
_WORD = re.compile(r"[^\W\d_]+", re.U)
# a scan's findings with a count that is not zero ("Threats found: 5", "14 infected items",
# "Menaces détectées : 7"); a real scan that found nothing says 0 or "no threats"
_THREATS = (r"(?:threats?|viruses|virus|infections?|infected(?:\s+(?:items|files))?|malware|menaces?|[ée]l[ée]ments\s+infect[ée]s|"
            r"bedrohungen|amenazas|minacce|amea[çc]as|bedreigingen)")
_FINDINGS = re.compile(r"\b[1-9]\d{0,3}\s+" + _THREATS + r"|" + _THREATS + r"[^\n\d]{0,24}?[:=]\s*[1-9]", re.I)
# ...or a finding that is bad news ("Anomaly detected", "Integrity check failed", "at risk"),
# unless the line says there is none ("No threats detected", "0 menace détectée")
_BAD_FINDING = re.compile(r"\b(?:detected|failed|violation|corrupted|compromised|at risk|infected|breached|"
                          r"d[ée]tect[ée]e?s?|infect[ée]e?s?|compromise?|en danger|erkannt|infiziert|gef[äa]hrdet|"
                          r"detectad[oa]s?|infectad[oa]s?|rilevat[aeio]|infett[aeio]|detetad[oa]s?|infetad[oa]s?|em risco)\b",
                          re.I)
_NONE = re.compile(r"\b(?:no|not|0|zero|aucune?|pas|keine?|ning[uú]n[oa]?|nessun[oa]?|nenhum[oa]?|geen)\b[^\n]{0,30}$", re.I)


def _findings(text: str) -> bool:
    """A scan's bad findings on the page: a count of threats that is not zero, or a
    failure/detection line that does not say "none"."""
    if _FINDINGS.search(text):
        return True
    return any(not _NONE.search(text[text.rfind("\n", 0, m.start()) + 1:m.start()]) for m in _BAD_FINDING.finditer(text))


@dataclass(frozen=True)
class PhoneBox:
    """A phone number found in the text, with its type size on the screen (0 = unknown)."""
    special: bool
    height: float


def _capped(hits: Sequence[tuple[str, str, float]]) -> dict[str, float]:
    sums: dict[str, float] = {}
    caps: dict[str, float] = {}
    for kind, family, weight in hits:
        spec = KIND_FEATURES.get((kind, family)) or KIND_FEATURES.get((kind, ""))
        if spec is None:
            continue
        name, cap = spec
        sums[name] = sums.get(name, 0.0) + abs(weight)
        caps[name] = cap
    return {k: min(1.0, v / caps[k]) for k, v in sums.items()}


def median_height(words: Sequence[Word]) -> float:
    heights = [w.height for w in words if len(w.text) >= 2 and w.conf > 30]
    return float(statistics.median(heights)) if heights else 0.0


GARBLED_CONF = 40.0   # Tesseract's confidence (per character) under which a screen is not read as language


def read_well(words: Sequence[Word]) -> bool:
    """Whether the OCR read language rather than noise: its confidence per character (a script
    that no model in use reads comes back as confident-looking words at 30 or so, whose
    "me", "you" and "hacked" are chance)."""
    sized = [(len(w.text), w.conf) for w in words if len(w.text) >= 2]
    chars = sum(n for n, _ in sized)
    return not chars or sum(n * c for n, c in sized) / chars >= GARBLED_CONF


def phone_heights(words: Sequence[Word], digit_runs: Sequence[str]) -> list[float]:
    """For each phone (its digits), the tallest word on screen made of those digits."""
    out = []
    for digits in digit_runs:
        tallest = 0.0
        for w in words:
            d = re.sub(r"\D", "", w.text)
            if len(d) >= 2 and d in digits and len(d) * 2 >= min(len(digits), 6):
                tallest = max(tallest, float(w.height))
        out.append(tallest)
    return out


PROSE_LINES = 8
NARRATIVE_WORDS = 80   # "victims, they" per word is counted over at least this many words
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|[。！？]")


def prose_share(text: str) -> float:
    lines: list[int] = []
    for line in text.splitlines():
        n = len(line.split())
        if n > 20:
            lines += [len(x.split()) for x in _SENTENCE_END.split(line) if x.strip()]
        elif n:
            lines.append(n)
    if len(lines) < 3:      # a sentence or two: too little to call it prose
        return 0.0
    # lines of one or two words are not counted: labels (of other windows, a taskbar, a clock
    # around a browser window, menus) say nothing of whether the page is prose
    counted = [n for n in lines if n >= 3]
    # a share over a handful of lines is a coin toss (one sentence wrapped or not by OCR moved
    # a four-line alert from 0.4 to 0.75): it is trusted in full from PROSE_LINES lines on
    trust = min(1.0, len(counted) / PROSE_LINES)
    return trust * sum(n >= 10 for n in counted) / len(counted) if counted else 0.0


def compute(text: str, hits: Sequence[tuple[str, str, float]], phones: Sequence[PhoneBox],
            bitcoin: bool, words: Sequence[Word] | None, claim_words: frozenset[str] = frozenset(),
            source: str = "", sender_mismatch: float = 0.0, column: str | None = None,
            image: dict[str, float] | None = None) -> dict[str, float]:
    """Every feature in :data:`NAMES`, each in [0, 1]. ``claim_words``: the words of the
    brand, threat and error phrases found (normalised), to see how big they are drawn;
    ``source``: ``"web"`` for a browser page (see :data:`SOURCES`); ``sender_mismatch``:
    :func:`agent.detect.sender.mismatch` (it needs the brand phrases found); ``column``: the
    text of the page's own column (:mod:`agent.detect.column`, a screen only): the text's shape
    (length, who speaks to whom, dates, prose) is measured on it, not on the windows around;
    ``image``: the screen's look (:func:`agent.detect.look.measure`; None for a plain text)."""
    f = dict.fromkeys(NAMES, 0.0)
    if image and words:
        f.update({k: min(1.0, max(0.0, float(image.get(k, 0.0)))) for k in look.MODEL})
    f.update(_capped(hits))
    f["phone"] = 1.0 if phones else 0.0
    f["phone_special"] = 1.0 if any(p.special for p in phones) else 0.0
    f["phone_many"] = min(1.0, max(0, len(phones) - 1) / 3)
    f["bitcoin"] = 1.0 if bitcoin else 0.0
    # each family's shape, 1 when all its parts are there (the old gates, now evidence);
    # a refund scam impersonates a brand, a shop's own invoice does not need to
    callable_ = f["phone"] > 0 or f["call"] > 0
    f["shape_tss"] = float((f["threat"] + f["error_code"]) > 0 and callable_ and (f["brand"] + f["pressure"]) > 0)
    # a fake invoice: in a brand's name, sent from elsewhere or asking to dispute it, and
    # a way to call (a shop's own invoice for a brand's product is written in its own name)
    f["sender_mismatch"] = sender_mismatch
    f["dispute"] = dispute.score(text)
    f["shape_refund"] = float(f["invoice"] >= 0.5 and f["brand"] > 0 and callable_
                              and (sender_mismatch > 0 or f["dispute"] > 0))
    f["shape_summons"] = float(f["accusation"] > 0 and f["authority"] > 0)
    f["shape_sextortion"] = float(f["intimate"] > 0 and (f["payment"] > 0 or f["bitcoin"] > 0))
    shape = text if column is None else column
    tokens = [t.lower() for t in _WORD.findall(shape)]
    n = len(tokens)
    f["words"] = min(1.0, math.log1p(n) / math.log(1500))
    # pronoun shares mean something in language, not in garbage (random bytes, a binary
    # read as text, OCR of a picture: mostly one- and two-letter fragments)
    language = bool(n) and sum(len(t) <= 2 for t in tokens) <= 0.5 * n and (not words or read_well(words))
    if language:
        f["you"] = min(1.0, 8 * sum(t in _YOU for t in tokens) / n)
        f["narrative"] = min(1.0, 15 * sum(t in _THEY for t in tokens) / max(n, NARRATIVE_WORDS))
        # OCR reads a capital I as "|" ("| feel sad to tell you"): counted as "I"
        ocr_i = len(_OCR_I.findall(shape))
        f["me"] = min(1.0, 15 * (sum(t in _ME for t in tokens) + ocr_i) / n)
        caps = [t for t in _WORD.findall(shape) if len(t) >= 3]
        f["capitals"] = sum(t.isupper() for t in caps) / len(caps) if caps else 0.0
    ja_you = len(_JA_YOU.findall(shape))
    if ja_you:
        f["you"] = max(f["you"], min(1.0, ja_you / 4))
    f["years"] = min(1.0, (len(_YEAR.findall(shape)) + len(_DATE.findall(shape))) / 6)
    # a screen of a few dozen words that names a security brand or a threat: the
    # minimal "Windows Defender Alert / scanning..." locker (an article says more).
    # Screens only: a short plain text (a note, a snippet) says nothing by its length.
    f["short"] = max(0.0, 1.0 - n / 150) if (n and words) else 0.0
    f["brand_short"] = f["brand"] * f["short"]
    f["threat_short"] = min(1.0, f["threat"] + f["error_code"]) * f["short"]
    # a security brand whose scan finds threats on a nearly empty screen ("Windows Defender —
    # scanning... threats found: 5"): the fake-scan template of a locker, number or not (a
    # real scan in progress, or one that found nothing, is not this)
    findings = f["threat"] > 0 or f["error_code"] > 0 or _findings(text)
    f["scan_screen"] = f["short"] if (f["scan"] > 0 and f["brand"] > 0 and findings) else 0.0
    # prose: the share of lines of 10+ words (OCR lines on a screen; in a plain text, a
    # line of more than 20 words is a paragraph and is cut at its sentence ends first)
    f["long_lines"] = prose_share(shape)
    # prose written by "I" to "you" (a blackmail or summons letter), not about others
    f["letter"] = f["long_lines"] * min(1.0, f["me"] + f["you"]) * (1.0 - f["narrative"])
    # "I got into your devices, I installed a trojan, I watched you": a blackmail letter's
    # opening, told in the first person to "you" (an article tells it about others)
    f["intrusion"] = intrusion.score(text) if language else 0.0
    # a web page that is little more than a security brand, a threat, an error or a scan:
    # the operating system's own alerts and scans are never drawn inside a browser page
    # (the real Windows Security app, read as an app, is not this)
    if source == "web":
        f["web_claim"] = f["short"] * min(1.0, f["brand"] + f["threat"] + f["error_code"] + f["scan"])
    if words:
        med = median_height(words)
        if med:
            f["big_text"] = sum(w.height >= 1.6 * med for w in words if len(w.text) >= 2) / max(1, len(words))
            # a brand or threat in the page's largest type ("Windows Defender Alert" as a title)
            if claim_words:
                from agent.detect.match import normalize  # noqa: PLC0415 - pure helper
                claim = max((w.height for w in words if normalize(w.text) in claim_words), default=0.0)
                f["claim_big"] = min(1.0, max(0.0, claim / med - 1.0) / 1.5)
            tallest = max((p.height for p in phones), default=0.0)
            if tallest:
                f["phone_big"] = min(1.0, max(0.0, tallest / med - 1.0) / 1.5)
    _beyond_lists(f, text, source)
    return f


def _beyond_lists(f: dict[str, float], text: str, source: str) -> None:
    """Issue 21: evidence that needs no phrase list. ``lockout``: "your ⟨organisation⟩
    account/card/computer is blocked" for any organisation (:mod:`agent.detect.lockout`);
    ``phone_dominant``: a short screen dominated by one big phone number, in any language
    (a locker whose words no list knows); ``clickfix_steps``: the share of the three ClickFix
    steps (Run box, paste, Enter) on screen, however the keys are drawn (:mod:`agent.detect.keycaps`);
    ``app_quiet``: a desktop application that asks nothing of the reader; ``refund_mismatch``:
    the whole refund scam at once (an invoice in a brand's name, with a number to call, sent
    from another domain than the brand's)."""
    f["lockout"] = lockout.score(text)
    f["clickfix_steps"] = keycaps.steps(text) / 3
    f["refund_mismatch"] = f["shape_refund"] * f["sender_mismatch"]
    # a desktop application (not a browser page) that asks for nothing: no number, no call, no
    # payment, no paste (the real Windows Security app reporting a threat it found)
    f["app_quiet"] = float(source == "app" and not any(f[k] > 0 for k in ("phone", "call", "payment", "fine", "bitcoin",
                                                                        "clickfix", "clickfix_steps")))
    f["phone_dominant"] = f["short"] * f["phone_big"]
    scares.add(f, text)

