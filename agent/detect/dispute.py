"""The call-to-cancel of a refund scam: "if you did not make this purchase, call us". Pure.

A fake invoice or renewal exists to make the reader *dispute* a charge they never made
(by calling the number, where a fake agent asks for remote access). A real receipt
thanks, itemises and points to the account; when it mentions a charge the reader may
not recognise, it sends them to their account, rarely to a phone line. What is counted
is the shape of that sentence in every language the project reads: a condition ("if",
"si", "falls"...), the reader not having made / recognised / expected the charge, and
an act of getting in touch, cancelling or being refunded - in one sentence; or, with no
condition, cancelling / a refund / a dispute by getting in touch ("to cancel, call us").
"""
from __future__ import annotations

import re

from agent.detect import match

_SENTENCE = re.compile(r"(?<=[.!?。！？])\s+")
_IF = re.compile(r"\b(?:if|jf|in case|should|unless|si|falls|wenn|sollten|se|caso|als|indien|mocht)\b")
_NOT_YOURS = re.compile(
    r"(?:n't|\bnot\b|\bnever\b|unexpected|unauthori[sz]ed|unrecogni[sz]ed|unsure|unaware|n'[eê]tes pas|n'avez pas|"
    r"pas [àa] l'origine|inattendu|\bnicht\b|\bkeine?\b|unbekannt|\bno\b|\bnão\b|\bnao\b|\bniet\b|\bgeen\b|"
    r"\bnon\b|sconosciut|desconoc|desconhec)")
_ACT = re.compile(
    r"\b(?:call|phone|dial|contact|reach|speak|cancel|refund|dispute|reverse|appel|t[ée]l[ée]phon|joindre|"
    r"annul|rembours|anruf|rufen|kontakt|storn|erstatt|widerruf|llam|reembols|lig|contat|"
    r"chiam|contatt|rimbors|bell|terugbetal)")   # (stems: "annul" also finds annull-, annuleer)
# ...or, without a condition: cancelling / a refund / a dispute, by getting in touch
_CANCEL = re.compile(r"\b(?:cancel|refund|dispute|discrepanc|annul|rembours|contest|storn|erstatt|widerruf|reembols|"
                     r"rimbors|terugbetal)")
_CONTACT = re.compile(r"\b(?:call|phone|dial|contact|reach|speak|helpline|hotline|helpdesk|appel|t[ée]l[ée]phon|joindre|"
                      r"anruf|rufen|kontakt|llam|contat|lig(?:ue|ar)|chiam|contatt|bell)")
CHUNK = 420   # characters: a "sentence" longer than this (a page without punctuation) is read in pieces


def sentences(text: str) -> int:
    """How many sentences of ``text`` say "if this was not you, call / cancel / get refunded"."""
    flowing = " ".join(match.deobfuscate(text.replace("’", "'").lower()).split())
    count = 0
    for sentence in _SENTENCE.split(flowing):
        for i in range(0, len(sentence), CHUNK):
            part = sentence[i:i + CHUNK]
            cond = _IF.search(part)
            if cond and _NOT_YOURS.search(part, cond.start()) and _ACT.search(part, cond.start()):
                count += 1
            elif _CANCEL.search(part) and _CONTACT.search(part):
                count += 1
    return count


def score(text: str) -> float:
    """The feature in [0, 1]: 1 when at least one such sentence is on screen."""
    return min(1.0, float(sentences(text)))
