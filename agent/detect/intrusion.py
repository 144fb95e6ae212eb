"""First-person claims of a break-in: the opening of a blackmail letter. Pure, no I/O.

A sextortion mail's first screen rarely shows its demand yet: it tells a story, in the
first person, to "you": *I* got into *your* devices, *I* installed a trojan, *I* have
been watching *your* activity, *I* recorded *you*. News and guidance about these mails
tell the same story in the third person ("the criminals claim they…", "victims"),
or quote it once. What is counted here is the *shape* of that story, not its wording:
sentences in which a first-person subject, a second-person object and a word of
intrusion (hacking, access, malware, recording, watching) meet, in every language the
project reads. A quote in an article gives one such sentence; a letter gives several.
"""
from __future__ import annotations

import re

from agent.detect import match

# OCR reads a capital I as "|" or "!" ("| feel sad", "| gained"), also right after punctuation
# (match.deobfuscate handles "|" after a space only)
_OCR_I = re.compile(r"(?:(?<=^)|(?<=[\s.!?,;:]))[|!](?=\s+[a-z])")
_SENTENCE = re.compile(r"(?<=[.!?。！？])\s+")
LONGEST = 40   # a "sentence" longer than this (a page without punctuation) is read in pieces
_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.U)

_ME = frozenset("i i've i'm i'd me my myself je j'ai j'ai moi mon ma mes ich mich mir mein meine meinen "
                "yo mi mis me tengo eu meu minha tenho io mio mia ho ik mij mijn heb".split())
_YOU = frozenset("you your yours yourself vous votre vos toi ton ta tes te t'ai sie ihr ihre ihren ihrem ihnen dich "
                 "dein deine deinen deinem usted su sus tu tus te você voce seu sua seus suas lhe teu tua vostro "
                 "vostra vostri tuo tua tuoi ti jouw uw jij u".split())
# words of a break-in, as stems (a token starting with one counts)
_INTRUSION = tuple("""
hack hacked hacker access accessed gain infect trojan malware spyware virus keylogger install
record recorded recording film filmed webcam camera microphone monitor monitoring watch watching
observ spy spied track tracking control controlled compromis breach broke intrud
pirat accès acces accéd acced infect cheval logiciel espion enregistr filmé filme caméra camera
surveill observ contrôl control piég
zugriff zugang gehackt hack infiz trojaner schadsoftware spionage aufgenommen aufgezeichnet kamera
überwach uberwach beobacht kontroll
acceso accedí hackeado infect troyano grab cámara vigil espi control
acesso hackead infect cavalo gravad gravei câmera camara monitor espion vigi control
accesso hackerat infett trojan registr telecamera monitor spiat control
toegang gehackt geïnfecteerd trojaans opgenomen camera bespied controle
""".split())


def _normalise(text: str) -> str:
    return match.deobfuscate(_OCR_I.sub("I", text).lower())


def _intrusive(token: str) -> bool:
    return len(token) >= 3 and token.startswith(_INTRUSION)


def claim_sentences(text: str) -> int:
    """How many sentences of ``text`` say "I did something intrusive to you / yours"."""
    count = 0
    # OCR lines are not sentences: a sentence runs over several lines of a letter
    flowing = " ".join(_normalise(text).replace("’", "'").split())
    for sentence in _SENTENCE.split(flowing):
        tokens = _TOKEN.findall(sentence)      # lower case already (_normalise)
        for i in range(0, len(tokens), LONGEST):
            count += _is_claim(tokens[i:i + LONGEST])
    return count


def _is_claim(tokens: list[str]) -> bool:
    if len(tokens) < 4:
        return False
    me = any(t in _ME or t.startswith(("j'", "i'")) for t in tokens)
    return me and any(t in _YOU for t in tokens) and any(_intrusive(t) for t in tokens)


def score(text: str) -> float:
    """The feature in [0, 1]: 0 for none, 1 for three or more such sentences."""
    return min(1.0, claim_sentences(text) / 3)
