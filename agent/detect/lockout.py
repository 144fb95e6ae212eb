"""Open-world impersonation: "your ⟨Organisation⟩ account/card/computer is blocked/suspended/
locked" for any organisation, not only the brands of the phrase lists. Pure; the list of
known banks and payment services is read once per process (``assets/banks.txt``, generated
by ``scripts/gen_banks.py`` from national bank registries).

:func:`score` (any thread, from :func:`agent.detect.features.compute`) looks, in each
sentence (two OCR lines at a time: a sentence often wraps), for a thing of the reader's
(an account, a card, a computer, access...) and a state of lock-out (blocked, suspended,
locked, frozen, restricted, disabled) within a few words of each other, in 13 languages, then
for who it is said to belong to:

- 1.0: a known bank or payment service anywhere in the sentence, or a capitalised name that
  is not a common word right before the thing ("your *CapitalOne* account", "Ihr
  *Nordbank*-Konto") or after it ("account with *Banca X*");
- 0.6: no name, but addressed to the reader ("your account has been suspended").

The way to call is not part of it: the phone and call evidence are separate features, and
the model weighs them together (a bank's own "your card is blocked: call us" page on its
own site is told apart by the rest: the site, the prose, no alarm).
"""
from __future__ import annotations

import functools
import re

from agent import paths
from agent.detect.match import normalize

NEAR = 8            # the thing and its state within this many words
NAME_BEFORE = 3     # a name up to this many words before the thing

# stems (normalised: lower case, no accents), matched at the start of a word
_THINGS = ("account", "card", "computer", "device", "access", "banking", "login", "profile", "wallet", "subscription",
           "compte", "carte", "ordinateur", "appareil", "acces", "abonnement",
           "konto", "karte", "rechner", "gerat", "zugang", "zugriff",
           "cuenta", "tarjeta", "ordenador", "equipo", "acceso", "dispositivo",
           "conto", "carta", "accesso",
           "rekening", "kaart", "toegang", "apparaat",
           "conta", "cartao", "computador",
           "karta", "karty", "komputer", "dostep",
           "contul", "cardul", "computerul", "accesul",
           "hesab", "hesap", "kart", "bilgisayar", "erisim",
           "ucet", "uctu", "pocitac", "pristup",
           "счет", "сч", "карт", "компьютер", "доступ", "аккаунт", "кабинет",
           "حساب", "بطاق", "جهاز")
_EXACT_THINGS = {"pc", "id", "ordi", "mac"}
_EXACT_STATES = {"gele", "gelee", "geles", "gelees"}
LONGER = 4          # a word is a stem's when it has at most this many more letters (not "accessibility")
_STATES = ("block", "suspend", "lock", "frozen", "freez", "restrict", "disabled", "deactivat", "compromis",
           "bloqu", "suspendu", "verrouill", "restreint", "desactiv",
           "gesperrt", "sperr", "blockiert", "eingeschrank", "deaktiviert", "eingefroren",
           "suspendid", "restringid", "congelad", "inhabilitad",
           "bloccat", "sospes", "limitato", "limitata", "disattivat",
           "geblokkeerd", "opgeschort", "bevroren", "beperkt", "gedeactiveerd",
           "suspens",
           "zablokowan", "zawieszon", "blokad",
           "blocat", "suspendat", "restrictionat",
           "kilitlen", "engellen", "askiya", "bloke", "dondur",
           "zablokovan", "pozastaven",
           "заблокирован", "приостановлен", "заморожен", "ограничен",
           "حظر", "تعليق", "قفل", "ايقاف", "إيقاف")
_YOURS = {"your", "votre", "vos", "ton", "ta", "tes", "ihr", "ihre", "ihres", "dein", "deine", "su", "sus", "tu", "tuo",
          "tua", "vostro", "vostra", "uw", "je", "jouw", "seu", "sua", "twoje", "twoja", "twój", "twoj", "pana", "pani",
          "dvs", "tau", "ta", "vas", "vase", "vasi", "ваш", "ваша", "ваше", "вашего", "вашей", "вашу"}
_COMMON = set("""your the this that our my its their his her a an we you it account card computer access dear
    votre vos le la les ce cette notre mon ma cher chère ihr ihre ihres dein der die das unser lieber liebe
    su sus el la este esta nuestro estimado tu il lo questo questa nostro caro gentile uw je de het dit deze ons
    beste seu sua o a este esta nosso caro prezado important urgent security safety alert warning notice attention
    online mobile internet web new""".split())
_SPLIT = re.compile(r"(?<=[.!?。])\s+|\n")
_RAW_WORD = re.compile(r"[^\W\d_][\w&'’]*", re.U)


@functools.lru_cache(maxsize=1)
def known() -> tuple[frozenset[str], int]:
    """The known banks and payment services (normalised names) and the longest one, in words."""
    try:
        lines = (paths.assets_dir() / "banks.txt").read_text(encoding="utf-8").splitlines()
    except OSError:
        return frozenset(), 0
    names = frozenset(normalize(x) for x in lines if x.strip() and not x.startswith("#"))
    return names, max((len(n.split()) for n in names), default=0)


def _stems(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(normalize(w) for w in words)


_YOURS_N = frozenset(_stems(tuple(_YOURS)))
_COMMON_N = frozenset(_stems(tuple(_COMMON))) | _YOURS_N


_THING_STEMS = _stems(_THINGS)
_STATE_STEMS = _stems(_STATES)


def _starts(w: str, stems: tuple[str, ...]) -> bool:
    return any(w.startswith(s) and len(w) <= len(s) + LONGER for s in stems)


@functools.lru_cache(maxsize=4096)
def _is_thing(w: str) -> bool:
    return w in _EXACT_THINGS or (len(w) >= 3 and _starts(w, _THING_STEMS))


@functools.lru_cache(maxsize=4096)
def _is_state(w: str) -> bool:
    return w in _EXACT_STATES or (len(w) >= 4 and _starts(w, _STATE_STEMS))


def _names_in(words: list[str]) -> bool:
    names, longest = known()
    for i in range(len(words)):
        for n in range(1, min(longest, 4) + 1):
            if i + n <= len(words) and " ".join(words[i:i + n]) in names:
                return True
    return False


def _capitalised_near(raw: str, thing: str) -> bool:
    """A capitalised name that is not a common word right before ``thing`` (or after it)."""
    tokens = _RAW_WORD.findall(raw)
    norms = [normalize(t) for t in tokens]
    for i, n in enumerate(norms):
        if not n.startswith(thing[:4]):
            continue
        near = tokens[max(0, i - NAME_BEFORE):i] + tokens[i + 1:i + 3]
        for t in near:
            n = normalize(t)
            if t[:1].isupper() and len(t) >= 3 and n not in _COMMON_N and not _is_thing(n) and not _is_state(n):
                return True
    return False


def score(text: str) -> float:
    """How strongly ``text`` says the reader's account, card or computer with some
    organisation is locked (see the module docstring), in [0, 1]."""
    lines = [x for x in _SPLIT.split(text) if x.strip()]
    best = 0.0
    for k in range(len(lines)):
        raw = " ".join(lines[k:k + 2])
        words = normalize(raw).split()
        things = [i for i, w in enumerate(words) if _is_thing(w)]
        if not things:
            continue
        states = [j for j, w in enumerate(words) if _is_state(w)]
        pairs = [(i, j) for i in things for j in states if abs(i - j) <= NEAR]
        if not pairs:
            continue
        if _names_in(words) or any(_capitalised_near(raw, words[i]) for i, _ in pairs):
            return 1.0
        if any(w in _YOURS_N for i, _ in pairs for w in words[max(0, i - NAME_BEFORE):i]):
            best = 0.6
    return best
