"""Can detection read at all? OCR languages that read text, and a fallback.

Some settings leave detection blind without any error: ``ocr_languages = "osd"`` (a
Tesseract model that finds the orientation of a page and reads no word), a language
whose pack is not installed, every pack missing. :func:`reading_langs` turns the
configured languages into the ones that can read text — dropping models that read none
and packs that are missing — and falls back to the user's default languages (``fra+eng``)
when nothing usable is left. Each change is a problem in plain English (the agent turns
it into its ``degraded`` state and event; ``doctor`` and ``config check`` name it too).

Pure apart from listing the installed packs (``ocr.available_languages``); any thread.
"""
from __future__ import annotations

NOT_TEXT = frozenset({"osd", "equ"})   # orientation/script detection, equations: no words


def blind(langs: str) -> bool:
    """True when ``langs`` names no model that reads words (``osd``, ``osd+equ``, ``""``); pure."""
    return not [x for x in langs.split("+") if x.strip() and x.strip() not in NOT_TEXT]


def reading_langs(langs: str, fallback: str, have: set[str] | None = None) -> tuple[str, list[str]]:
    """``(languages to read with, problems)``. ``have``: the installed packs (default:
    ask Tesseract; an empty set means Tesseract itself is missing, reported elsewhere)."""
    if have is None:
        from agent.detect.ocr import available_languages  # noqa: PLC0415
        have = available_languages()
    parts = [x.strip() for x in langs.split("+") if x.strip()]
    if not have:
        return langs, []                      # no Tesseract: check_tesseract says so
    problems = []
    not_text = [x for x in parts if x in NOT_TEXT]
    missing = [x for x in parts if x not in NOT_TEXT and x not in have]
    if not_text:
        problems.append(f"OCR language(s) {'+'.join(not_text)} read no words (page orientation or "
                        f"equations only); they are not used for reading")
    usable = [x for x in parts if x not in NOT_TEXT and x in have]
    if usable:
        return "+".join(usable), problems
    backup = [x for x in fallback.split("+") if x and x in have and x not in NOT_TEXT]
    if not backup:
        backup = sorted(have - NOT_TEXT)[:1]
    if not backup:
        problems.append(f"no installed OCR language can read text (installed: {', '.join(sorted(have))}); "
                        f"the screen cannot be read")
        return langs, problems
    used = "+".join(backup)
    problems.append(f"ocr_languages \"{langs}\" cannot read any text"
                    f"{' (missing: ' + ', '.join(missing) + ')' if missing else ''}; "
                    f"reading with {used} instead")
    return used, problems


def settings_langs(settings) -> tuple[str, list[str]]:
    """:func:`reading_langs` for a ``config.Settings``: its languages, its default as fallback."""
    from agent.config import default_ocr_languages  # noqa: PLC0415
    return reading_langs(settings.tess_langs(), default_ocr_languages(settings.lang()))
