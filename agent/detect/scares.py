"""The features of the scare shapes no phrase list holds: a charge never made, a crash screen,
"your data on the dark web", stacked dialogs. Pure, no I/O; called by
:func:`agent.detect.features.compute` once the phrase, phone and shape features are in ``f``.
"""
from __future__ import annotations

from agent.detect import charge, crash, exposure, sender

OWN_STORY = 0.3        # "me" at which a mail tells the writer's own story


def add(f: dict[str, float], text: str) -> None:
    """``charge``: an amount said to have been charged or renewed (:mod:`agent.detect.charge`);
    ``charge_unasked``: that charge in a brand's name, sent from another domain than the
    brand's (a personal mailbox whatever its name, unless the writer tells of their own charge)
    or asking to call to dispute it (a fake invoice, even before its number);
    ``crash``: the look of a system crash (:mod:`agent.detect.crash`); ``crash_call``: a crash
    screen that gives a way to call (a system that died shows no helpline); ``exposure``: "your
    data was found on the dark web" (``exposure_pressure``: said with urgency); ``dialog_loop``:
    the browser's line under a page's stacked dialogs (:mod:`agent.detect.exposure`)."""
    f["charge"] = charge.score(text)
    # (from a personal mailbox: unless written in the first person - a relative telling of a
    # charge on their own card, "McAfee m'a prélevé 49,99 €", asking for help)
    own_story = f["me"] >= OWN_STORY
    asked = max(f["sender_mismatch"], f["dispute"],
                float(sender.free_mailbox(text)) if f["charge"] and not own_story else 0.0)
    f["charge_unasked"] = f["charge"] * float(f["brand"] > 0) * asked
    f["crash"] = crash.score(text)
    f["crash_call"] = f["crash"] * float(f["phone"] > 0 or f["call"] > 0)
    f["exposure"] = exposure.exposure(text)
    f["exposure_pressure"] = f["exposure"] * float(f["pressure"] > 0)
    f["dialog_loop"] = exposure.dialog_loop(text)
