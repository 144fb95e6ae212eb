"""Phone numbers on screen: found, normalised (E.164) and typed. Pure, no I/O.

Candidates are runs of digits with the separators people and OCR use; each is parsed
with libphonenumber (``phonenumbers``) for the likely regions and kept only when it is
a valid number somewhere. Toll-free, premium-rate, shared-cost and universal numbers
are flagged: fake support lines are nearly always one of them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberType as T

REGIONS = ("FR", "US", "GB", "DE", "AT", "CH", "BE", "CA", "ES", "IT", "NL", "JP", "AU", "IE")
_CANDIDATE = re.compile(r"(?<![\w.])(?:\+|00)?\(?\d[\d \t\u00a0()\-.–/]{6,22}\d(?![\w])")
_IP = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
_DATE = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$")
# inside a candidate: a date (21/11/2026, 2026-11-21, 21.11.26), a case or ticket
# number written with a year (2024/8812) or a time: none of them is a phone number
_DATE_INSIDE = re.compile(r"(?<!\d[./])\b\d{1,2}[./]\d{1,2}[./](?:19|20)?\d{2}\b(?![./]\d)|\b(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}\b"
                          r"|^(?:19|20)\d{2}\s?/\s?\d{3,6}$")
# right before a candidate on its line: a label naming it an identifier ("Order number:",
# "Référence client :", "Invoice no.", "Transaction ID") — a receipt's order or customer
# number is not a number to call
_ID_LABEL = re.compile(
    r"(?:order|invoice|reference|ref|ticket|case|transaction|account|customer|client|membership|member|serial|"
    r"tracking|booking|policy|contract|commande|facture|r[ée]f[ée]rence|dossier|contrat|abonn[ée]|pedido|factura|"
    r"encomenda|fatura|refer[êe]ncia|bestellung|bestell|rechnung|kunden|vertrag|ordine|fattura|bestelling|factuur)"
    r"[\w .'-]{0,14}?(?:number|num[ée]ro|nummer|n[°ºo]\.?|no\.?|id|#)?\s*[:#]?\s*(?:[a-z]{1,5}-)?$", re.I)
# ...unless the label says it is one to call ("Customer service:", "Service client :")
_CALL_LABEL = re.compile(r"service|support|care|help|line|desk|team|phone|t[ée]l|appel|call|contact|ligne|servicio|"
                         r"atendimento|apoio|assistance|kundendienst|hotline", re.I)
SPECIAL = {T.TOLL_FREE: "toll_free", T.PREMIUM_RATE: "premium", T.SHARED_COST: "shared_cost", T.UAN: "uan"}


@dataclass(frozen=True)
class Phone:
    raw: str        # as read on the screen
    e164: str
    region: str
    kind: str       # toll_free, premium, shared_cost, uan, mobile, fixed, other

    @property
    def special(self) -> bool:
        return self.kind in ("toll_free", "premium", "shared_cost", "uan")


def _clean(raw: str) -> str:
    return raw.replace("–", "-").strip(" -./")


def _kind(num) -> str:
    t = phonenumbers.number_type(num)
    if t in SPECIAL:
        return SPECIAL[t]
    return {T.MOBILE: "mobile", T.FIXED_LINE: "fixed", T.FIXED_LINE_OR_MOBILE: "fixed"}.get(t, "other")


def parse_one(raw: str, regions: tuple[str, ...] = REGIONS) -> Phone | None:
    """A valid phone number from one candidate string, or None."""
    raw = _clean(raw)
    digits = re.sub(r"\D", "", raw)
    if not 8 <= len(digits) <= 15 or _IP.match(raw) or _DATE.match(raw) or _DATE_INSIDE.search(raw):
        return None
    if len(digits) < 9 and not re.search(r"[\s\-.()/]", raw):   # "20528280": a code, not a shown number
        return None
    if "." in raw and raw.count(".") not in (2, 3) and not re.fullmatch(r"0\d(\.\d\d){4}", raw):
        return None
    text = "+" + raw[2:] if raw.startswith("00") else raw
    tries = [None] if text.startswith("+") else list(regions)
    best = None
    for region in tries:
        try:
            num = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            continue
        if not phonenumbers.is_valid_number(num):
            continue
        kind = _kind(num)
        phone = Phone(raw, phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164),
                      phonenumbers.region_code_for_number(num) or (region or ""), kind)
        if phone.special:
            return phone
        best = best or phone
    return best


def find_phones(text: str, regions: tuple[str, ...] = REGIONS) -> list[Phone]:
    """Distinct valid phone numbers in ``text``, in reading order."""
    # OCR reads 0 as O inside long digit runs: "08OO 123" → "0800 123"
    fixed = re.sub(r"\b[\dOo]*\d[\dOo]*\b", lambda m: m.group(0).replace("O", "0").replace("o", "0"), text)
    seen: dict[str, Phone] = {}
    for m in _CANDIDATE.finditer(fixed):
        line_start = fixed.rfind("\n", 0, m.start()) + 1
        before = fixed[max(line_start, m.start() - 40):m.start()]
        label = _ID_LABEL.search(before)
        if label and not _CALL_LABEL.search(before):
            continue
        phone = parse_one(m.group(0), regions)
        if phone and phone.e164 not in seen:
            seen[phone.e164] = phone
    return list(seen.values())


_BTC = re.compile(r"\b(bc1[ac-hj-np-z02-9]{25,71}|[13][a-km-zA-HJ-NP-Z1-9]{25,34})\b")


def find_bitcoin_addresses(text: str) -> list[str]:
    """Bitcoin addresses (legacy and bech32) as written."""
    return list(dict.fromkeys(m.group(1) for m in _BTC.finditer(text)
                              if re.search(r"\d", m.group(1)) and re.search(r"[A-Za-z]", m.group(1))))
