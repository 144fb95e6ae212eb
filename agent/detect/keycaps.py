"""ClickFix steps read off the screen, however the keys are drawn. Pure, any thread.

A fake "browser check" tells the person to open the Run box, paste and confirm. Kits write
the keys as words ("Press Windows + R") or draw them as keycap pictures: a Windows-logo key,
then ``R``; ``Ctrl`` then ``V``; ``Enter``. OCR reads keycaps as loose fragments on lines of
their own (``+`` / ``R``, ``ctrl + Vv``, ``“Enter”``) and the Windows logo as nothing or a
stray letter; the key labels themselves are the same on every keyboard, whatever the page's
language. :func:`steps` counts which of the three steps are on the screen (0-3):

- open Run: a capital ``R`` key after a ``+`` (the logo key before it read or not), or after
  the name of the Windows key (``Win``, ``Windows``, ``⊞``);
- paste: ``Ctrl`` (``Strg``, ``⌘``; ``Ctr1``/``Ctri`` as OCR reads it) then ``V``;
- confirm: a short line holding the Enter key's label (``Enter``, ``Entrée``, ``Eingabe``,
  ``Invio``, ``Intro``, ``⏎``).

The three together, on a screen that is not prose and does not warn about scams, make the
page a ClickFix attack whatever its words (:func:`agent.detect.score.probability`).
"""
from __future__ import annotations

import re

_RUN = re.compile(r"(?:\b(?:win|windows|wi?ndows?[- ]?key|super)\b|[⊞❖田])\s{0,3}\+?\s{0,6}R\b|\+\s{0,6}[\"“”'‘’|(\[]?R\b")
_PASTE = re.compile(r"\b(?:ctr[l1i]|strg|control|⌘|cmd)\W{0,6}v{1,2}\b", re.I)
_ENTER = re.compile(r"^\W*(?:\d\W{0,3})?\W*(?:enter|entr[ée]e|eingabe|eingabetaste|invio|intro|⏎|↵|return)\W*$", re.I)
_ENTER_STEP = re.compile(r"\b(?:press|appuyez sur|drücken sie|pulse|premi|druk op|pressione|naciśnij)\W{0,3}"
                         r"(?:the\s+|la\s+touche\s+|die\s+|la\s+tecla\s+|il\s+tasto\s+)?(?:enter|entr[ée]e|eingabe\w*|intro|invio)\b",
                         re.I)


def steps(text: str) -> int:
    """How many of the three ClickFix steps (Run box, paste, Enter) the screen shows."""
    run = bool(_RUN.search(text))
    paste = bool(_PASTE.search(text))
    enter = any(_ENTER.match(line.strip()) for line in text.splitlines() if line.strip()) or bool(
        _ENTER_STEP.search(text))
    return run + paste + enter
