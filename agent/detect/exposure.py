"""Two scare shapes that need no brand: "your data was found on the dark web", and the browser's
own line under a page's stacked dialogs. Pure, no I/O; called by :mod:`agent.detect.features`.

- **Exposure**: *your* identity number, passwords, card or personal data, *found / leaked /
  for sale* on *the dark web / in a breach / by hackers*, in one sentence (en, fr, de, es, it,
  nl, pt; our own word lists). A fake "dark web alert" opens with it, before it sells a fix or
  gives a number; a real monitoring service says it too, calmly, inside an account page, and an
  article tells it about others: the model weighs it with the pressure and the page's shape
  (``exposure_pressure`` is the two together).
- **Dialog loop**: the checkbox a browser adds under a page's second JS dialog ("Prevent this page
  from creating additional dialogs"; Firefox: "Don't allow … to prompt you again"), seen in a
  screenshot: a page that throws dialog after dialog to trap the person, whatever it says.
"""
from __future__ import annotations

import re

from agent.detect import match

_SENTENCE = re.compile(r"(?<=[.!?。！？])\s+")
CHUNK = 300
_YOURS = re.compile(
    r"\b(?:your|you'?re|vos|votre|ihre?n?|su|sus|tus?|i tuoi|il tuo|la tua|i suoi|jouw|uw|seus?|suas?)\b", re.I)
_DATA = re.compile(
    r"\b(?:ssn|social security|identity|personal (?:data|information|details|info)|passwords?|credit cards?|"
    r"card (?:details|numbers?)|bank (?:details|accounts?)|e-?mail address|login details|credentials|"
    r"donn[ée]es (?:personnelles|bancaires)|identit[ée]|mots? de passe|cartes? bancaires?|num[ée]ro de s[ée]curit[ée] sociale|"
    r"pers[öo]nliche\w* daten|daten|passw[öo]rter|passwort|kreditkarte\w*|bankdaten|identit[äa]t|"
    r"datos (?:personales|bancarios)|contrase[ñn]as?|tarjetas?|identidad|"
    r"dati (?:personali|bancari)|password|carte di credito|identit[àa]|"
    r"persoonsgegevens|gegevens|wachtwoorden|creditcard|"
    r"dados (?:pessoais|banc[áa]rios)|senhas?|cart[õo]es|identidade)\b", re.I)
_EXPOSED = re.compile(
    r"\b(?:detected|found|exposed|leaked|compromised|stolen|for sale|sold|published|listed|match|"
    r"d[ée]tect[ée]e?s?|trouv[ée]e?s?|expos[ée]e?s?|divulgu[ée]e?s?|vol[ée]e?s?|en vente|"
    r"gefunden|entdeckt|ver[öo]ffentlicht|gestohlen|geleakt|zum verkauf|"
    r"detectad[oa]s?|encontrad[oa]s?|expuest[oa]s?|filtrad[oa]s?|robad[oa]s?|a la venta|"
    r"rilevat[ieoa]|trovat[ieoa]|espost[ieoa]|rubat[ieoa]|in vendita|"
    r"gevonden|gelekt|gestolen|te koop|"
    r"detectad[oa]s?|encontrad[oa]s?|expost[oa]s?|vazad[oa]s?|roubad[oa]s?|[àa] venda)\b", re.I)
_DARK = re.compile(r"\b(?:dark ?web|darknet|deep ?web|black market|data breach(?:es)?|breach(?:es)?|leak|hackers?|"
                   r"march[ée] noir|fuite|pirates?|schwarzmarkt|datenleck|mercado negro|filtraci[óo]n|"
                   r"mercato nero|violazione|zwarte markt|datalek|mercado negro|vazamento)\b", re.I)
_DIALOG_LOOP = re.compile(
    r"(?:prevent|don'?t allow|do not allow|emp[êe]cher|ne plus autoriser|verhindern|nicht mehr erlauben|"
    r"impedir|no permitir|impedisci|non consentire|voorkom|niet meer toestaan|n[ãa]o permitir)"
    r"[^\n]{0,70}?(?:dialog|dialogue|bo[îi]tes? de dialogue|dialogfeld|di[áa]logo|dialoghi|dialoogvenster|"
    r"to prompt you|vous solliciter|nachfragen|preguntar|richiedere|vragen)", re.I)


def exposure(text: str) -> float:
    """1.0 when a sentence says the reader's data was found exposed somewhere dark, else 0.0."""
    flowing = " ".join(match.deobfuscate(text).split())
    for sentence in _SENTENCE.split(flowing):
        for i in range(0, len(sentence), CHUNK):
            part = sentence[i:i + CHUNK]
            if _YOURS.search(part) and _DATA.search(part) and _EXPOSED.search(part) and _DARK.search(part):
                return 1.0
    return 0.0


def dialog_loop(text: str) -> float:
    """1.0 when the browser's line against a page's repeated dialogs is on screen, else 0.0."""
    return 1.0 if _DIALOG_LOOP.search(" ".join(text.split())) else 0.0
