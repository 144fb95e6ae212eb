"""Who an e-mail on screen says it is from, against the brand it speaks for. Pure, no I/O.

A fake Norton renewal or PayPal receipt names the brand in its body but is sent from
a free-mail box (``…@gmail.com``), a hacked mailbox (``…@school.edu.pe``) or a
look-alike domain (``nortn-renewals.com``, ``paypal-resolution.info``); the brand's
own mail comes from the brand's own domain (``microsoft.com``, ``amazon.fr``). The
evidence here is that mismatch: a sender address shown on screen (after a "From" /
"De" / "Von" label, in the same line or one of the next two, as webmail and mail
views show it) whose registrable domain is not the brand's name. It is evidence for
the model, never a verdict on its own (a shop's newsletter may name Microsoft).
"""
from __future__ import annotations

import re
import unicodedata
from typing import Iterable

_FROM = re.compile(r"^\s*(?:from|de|von|da|van|remitente|exp[ée]diteur|absender|mittente|afzender|差出人|送信者)\b\s*:?",
                   re.I | re.M)
_ADDRESS = re.compile(r"[\w.+-]+@((?:[\w-]+\.)+[a-z]{2,})\b", re.I)
# second-level registries: the brand's label is one further left ("amazon.co.uk")
_SECOND_LEVEL = {"co", "com", "net", "org", "gov", "edu", "ac", "gouv", "ne", "or", "go"}
_LETTERS = re.compile(r"[^a-z0-9]")
# personal mailbox providers: a person writes from them under their own name
FREE_MAIL = frozenset("gmail googlemail hotmail outlook live msn yahoo aol icloud me gmx web orange free laposte sfr "
                      "wanadoo bbox protonmail proton yandex mail zoho t-online freenet libero virgilio tiscali "
                      "terra uol bol ziggo telenet skynet".split())
# words of a role or a department, not of a person's name ("Paid Customer", "Billing Team")
_ROLE = re.compile(r"\b(?:order|orders|customer|billing|bill|invoice|receipt|payment|paid|support|service|team|"
                   r"security|account|notification|notice|alert|help|desk|center|centre|department|update|renewal|"
                   r"subscription|membership|confirmation|no-?reply|admin|info|commande|facture|client|équipe|"
                   r"equipe|compte|paiement|abonnement|kunden|rechnung|konto|pedido|factura|cuenta|fatura|conta)\b",
                   re.I)


def sender(text: str) -> tuple[str, str] | None:
    """(display name, domain) of the first sender address shown after a "From" label
    (the name may be empty), or None."""
    for m in _FROM.finditer(text):
        # the label's own line, then the next two lines with text (blank lines, and a label of
        # another window read in between, are passed over); the name stands on the address's line
        rest = text[m.end():].split("\n")
        following = rest[:1] + [ln for ln in rest[1:12] if ln.strip()][:2]
        for line in following:
            found = _ADDRESS.search(line)
            if found:
                name = line[:found.start()].strip().strip("<\"'“”‘’ ").strip()
                return name, found.group(1).lower()
    return None


def _speaks_as_itself(name: str, label: str) -> bool:
    """A company writing in its own name: "Boutique Électro <…@boutique-electro.fr>"."""
    flat = unicodedata.normalize("NFKD", name.lower()).encode("ascii", "ignore").decode()
    compact, label = _LETTERS.sub("", flat), _LETTERS.sub("", label)
    return len(label) >= 4 and bool(compact) and (label in compact or compact in label)


def registrable_label(domain: str) -> str:
    """The name part of the registrable domain: ``mail.amazon.co.uk`` → ``amazon``."""
    labels = domain.lower().strip(".").split(".")
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL:
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else labels[0]


def brand_names(brands: Iterable[str]) -> set[str]:
    """Names a brand's own domain may carry, from the brand phrases found: the phrase
    written as one word ("geeksquad") and each of its words of 4+ letters ("microsoft")."""
    out: set[str] = set()
    for brand in brands:
        words = [_LETTERS.sub("", w) for w in brand.lower().split()]
        out.add("".join(words))
        out.update(w for w in words if len(w) >= 4)
    return {n for n in out if n}


def mismatch(text: str, brands: Iterable[str]) -> float:
    """1.0 when the page names a brand and its sender's domain is neither that brand's
    nor the sender's own name (a shop selling Microsoft software writes from its own
    domain, under its own name), else 0.0."""
    names = brand_names(brands)
    if not names:
        return 0.0
    found = sender(text)
    if found is None:
        return 0.0
    name, domain = found
    label = registrable_label(domain)
    if label in names or _speaks_as_itself(name, label):
        return 0.0
    if label in FREE_MAIL and _a_person(name, names):
        return 0.0      # a relative or a friend writing from their own mailbox
    return 1.0


def _a_person(name: str, brands: set[str]) -> bool:
    """A display name that reads as a person's ("Julie", "Anne Martin"): 1-3 words, no
    digits, no role word, no brand."""
    words = name.split()
    flat = {_LETTERS.sub("", w.lower()) for w in words}
    return (1 <= len(words) <= 3 and not re.search(r"\d", name) and not _ROLE.search(name)
            and not flat & brands)


def free_mailbox(text: str) -> bool:
    """Whether the e-mail on screen comes from a personal mailbox provider (gmail, outlook...),
    whatever name it shows: a brand's invoice or renewal never does."""
    found = sender(text)
    return found is not None and registrable_label(found[1]) in FREE_MAIL
