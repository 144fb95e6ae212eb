"""The look of a system crash drawn by a page: "your PC ran into a problem and needs to
restart", a stop code, "collecting error info … 40 % complete". Pure, no I/O; called by
:mod:`agent.detect.features`.

A fake blue screen is a locker's other face: the system itself seems to have died, and the
only line that works is the "helpdesk" number under it. What is counted here is the *shape*
of a crash screen in the languages the phrase lists read (en, fr, de, es, it, nl, pt), in our
own words, each marker once: the restart announcement, a stop code or a constant written
LIKE_THIS, a progress percentage, a memory dump, an error collection. A page *about* crashes
(a help article) has them too, in prose; the model weighs them with the page's shape, and a
crash screen asks for nothing but a call, which the features read separately.
"""
from __future__ import annotations

import re

_MARKERS = (
    # the announcement: the system hit a problem / must restart
    r"ran into a problem|has encountered a problem|needs to restart|will restart (?:soon|automatically|in)|"
    r"a rencontr[ée] un probl[èe]me|doit red[ée]marrer|va red[ée]marrer|"
    r"auf ein problem gesto[ßs]en|muss neu gestartet|wird neu gestartet|"
    r"(?:ha tenido|se ha producido|encontr[óo]) un problema|necesita reiniciar|se reiniciar[áa]|"
    r"riscontrato un problema|deve essere riavviato|verr[àa] riavviato|"
    r"heeft een probleem|moet opnieuw (?:worden )?opgestart|"
    r"encontrou um problema|precisa (?:ser )?reiniciad|ser[áa] reiniciad",
    # the stop code, or a constant written as an identifier (CRITICAL_PROCESS_DIED)
    r"stop ?code|code d'arr[êe]t|stoppcode|c[óo]digo de (?:detenci[óo]n|parada|erro)|codice di arresto|"
    r"\b[A-Z]{3,}(?:_[A-Z0-9]{2,}){1,}\b",
    # the progress of a dump or a collection
    r"\b\d{1,3}\s?%\s?(?:complete|completed|done|effectu[ée]|termin[ée]|abgeschlossen|completad[oa]|"
    r"completat[oa]|voltooid|conclu[íi]d[oa])",
    r"(?:collecting|gathering) (?:some )?error|memory dump|dump(?:ing)? (?:physical )?memory|"
    r"collecte (?:des |d')?(?:informations|erreurs)|vidage (?:de la )?m[ée]moire|"
    r"fehlerinformationen|speicherabbild|recopilando (?:informaci[óo]n|errores)|volcado de memoria|"
    r"raccolta (?:di )?(?:informazioni|errori)|dump della memoria|foutgegevens|geheugendump|"
    r"coletando (?:informa[çc][õo]es|erros)|despejo de mem[óo]ria",
    r"blue screen|[ée]cran bleu|bluescreen|pantalla azul|schermata blu|blauw scherm|tela azul",
)
_COMPILED = tuple(re.compile(p, re.I if i != 1 else 0) for i, p in enumerate(_MARKERS))
_STOP_WORDS = re.compile(r"stop ?code|code d'arr|stoppcode|c[óo]digo de|codice di arresto", re.I)


def markers(text: str) -> int:
    """How many kinds of crash-screen marker the text holds (0-5)."""
    flowing = " ".join(text.split())
    count = 0
    for i, pattern in enumerate(_COMPILED):
        if pattern.search(flowing) or (i == 1 and _STOP_WORDS.search(flowing)):
            count += 1
    return count


def score(text: str) -> float:
    """The feature in [0, 1]: two markers or more make a crash screen."""
    return min(1.0, markers(text) / 2)
