"""A charge the reader is told was made: an amount of money next to the words of a charge or
a renewal ("Amount charged: $389.99", "la somme de 299,99 € a été prélevée", "Ihr Abonnement
wurde verlängert … 349,00 EUR"). Pure, no I/O; called by :mod:`agent.detect.features`.

A fake invoice or renewal needs such a line: the shock of a charge never made is what makes
the reader call (or reply) to get it back. A real receipt has one too; what tells them apart is
*who* says it (a sender that is not the brand) and *what it asks* (call to cancel, dispute),
which :mod:`agent.detect.sender` and :mod:`agent.detect.dispute` read: the model gets the charge
alone and the charge with either of those (``features.charge_unasked``). Languages: en, fr,
de, es, it, nl, pt (the phrase lists' languages with a Latin script).
"""
from __future__ import annotations

import re

from agent.detect import match

# an amount: a currency sign or code before or after a number with cents or of 2+ digits
_CUR = r"(?:[$€£¥]|usd|eur|gbp|cad|aud|chf|us\$|ca\$|dollars?|euros?|pounds?)"
_NUM = r"\d{1,3}(?:[ ,.'’]\d{3})*(?:[.,]\d{2})?|\d{2,6}(?:[.,]\d{2})?"
AMOUNT = re.compile(rf"(?:{_CUR}\s?(?:{_NUM})(?!\d)|(?<![\d.,])(?:{_NUM})\s?{_CUR})", re.I)
# the words of a charge, a debit or a renewal (stems: "renouvel" also finds renouvelé...)
_CHARGED = re.compile(
    r"\b(?:charg(?:ed|es?|ing)|debit(?:ed)?|billed|bill(?:ing)?|deducted|withdrawn|renew(?:ed|al|s)?|auto-?renew\w*|"
    r"subscription|purchase[sd]?|payment (?:of|received|processed)|processed|total (?:amount|paid|due)|amount|"
    r"pr[ée]lev\w*|d[ée]bit[ée]?e?s?|factur\w*|renouvel\w*|abonnement|montant|achat|"
    r"abgebucht|belastet|verl[äa]nger\w*|abbuchung|betrag|rechnung\w*|zahlung|"
    r"cobrad[oa]s?|cargo|cargad[oa]s?|renovaci[oó]n|renovad[oa]|suscripci[oó]n|importe|compra|"
    r"addebit\w*|rinnov\w*|abbonamento|importo|acquisto|"
    r"afgeschreven|verlengd|verlenging|bedrag|aankoop|"
    r"cobran[çc]a|renova[çc][ãa]o|renovad[oa]|assinatura|valor)\b", re.I)
NEAR = 90   # characters between the amount and the charge words


def claimed(text: str) -> bool:
    """True when an amount of money stands within :data:`NEAR` characters of a charge or
    renewal word (the same sentence or table row, read in either order)."""
    flowing = " ".join(match.deobfuscate(text).split())
    for m in AMOUNT.finditer(flowing):
        window = flowing[max(0, m.start() - NEAR):m.end() + NEAR]
        if _CHARGED.search(window):
            return True
    return False


def score(text: str) -> float:
    """The feature in [0, 1]: 1 when a charge is claimed on screen."""
    return 1.0 if claimed(text) else 0.0
