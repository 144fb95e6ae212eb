"""User-visible text in French and English (and fallbacks), from catalogues in
``assets/i18n/<lang>/<domain>.toml``.

A key is ``domain.name`` (``alert.title``); a catalogue is a flat TOML table of
``name = "text"`` with ``{placeholders}`` for ``str.format``. Every key must exist in
both ``en`` and ``fr`` (a test checks it); other languages fall back to English.
Thread-safe, cached; the first call reads the files.
"""
from __future__ import annotations

import functools
import locale
import logging
import os
import sys

from agent import paths
from agent.tomlcompat import tomllib

log = logging.getLogger(__name__)
FIRST_CLASS = ("en", "fr")
FALLBACK = "en"


@functools.lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    """All keys of one language, ``{"domain.name": text}``; empty if unknown."""
    folder = paths.assets_dir() / "i18n" / lang
    out: dict[str, str] = {}
    for f in sorted(folder.glob("*.toml")):
        try:
            data = tomllib.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            log.error("message catalogue %s is unreadable: %s", f, exc)
            continue
        for name, text in data.items():
            if isinstance(text, str):
                out[f"{f.stem}.{name}"] = text
    return out


MISSING_ASSETS = (
    "Vigie cannot find its data folder {folder} (message texts, phrase lists, catalogues): "
    "reinstall Vigie, or set VIGIE_ASSETS to that folder.\n"
    "Vigie ne trouve pas son dossier de données {folder} (textes des messages, listes de phrases, "
    "catalogues) : réinstallez Vigie, ou indiquez ce dossier dans VIGIE_ASSETS.")


def assets_problem() -> str | None:
    """A clear sentence (English and French, written here: the catalogues are what is
    missing) when the shipped message catalogues cannot be found; None when they can."""
    if catalogue(FALLBACK):
        return None
    return MISSING_ASSETS.format(folder=paths.assets_dir())


def system_language() -> str:
    """Two-letter language of the user's session (``fr``, ``en``...), ``en`` if unknown."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANGUAGE", "LANG"):
        value = os.environ.get(var, "")
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return value.split(":")[0][:2].lower()
    if sys.platform == "win32":  # pragma: no cover - Windows only
        try:
            import ctypes
            lcid = ctypes.windll.kernel32.GetUserDefaultUILanguage()
            name = locale.windows_locale.get(lcid, "")
            if name:
                return name[:2].lower()
        except Exception:  # noqa: BLE001 - any failure means "unknown"
            pass
    try:
        name = locale.getlocale()[0] or ""
    except ValueError:
        name = ""
    return name[:2].lower() if name and name not in ("C", "POSIX") else FALLBACK


def system_country() -> str:
    """Two-letter country of the session's locale (``FR``), ``""`` if unknown."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if len(value) >= 5 and value[2] == "_":
            return value[3:5].upper()
    if any(os.environ.get(v, "").split(".")[0] in ("C", "POSIX") for v in ("LC_ALL", "LANG")):
        return ""      # Python maps C.UTF-8 to en_US: that names no country (a French user was sent to the FBI)
    try:
        name = locale.getlocale()[0] or ""
    except ValueError:
        name = ""
    return name[3:5].upper() if len(name) >= 5 and name[2] == "_" else ""


def resolve(lang: str | None) -> str:
    """``auto``/None → the system language; unknown languages → English."""
    lang = (lang or "auto").lower()
    if lang == "auto":
        lang = system_language()
    return lang if catalogue(lang) else FALLBACK


@functools.lru_cache(maxsize=256)
def _missing(key: str) -> None:
    """Logged once per key (a missing assets folder would log every text of every window)."""
    log.error("missing message %s%s", key, "" if catalogue(FALLBACK) else " (" + (assets_problem() or "") + ")")


def t(key: str, lang: str | None = None, **values) -> str:
    """The text for ``key`` in ``lang`` (falling back to English, then to the key)."""
    lang = resolve(lang)
    text = catalogue(lang).get(key) or catalogue(FALLBACK).get(key)
    if text is None:
        _missing(key)
        return key
    try:
        return text.format(**values) if values else text
    except (KeyError, IndexError, ValueError):
        log.error("message %s (%s) does not fit its values %s", key, lang, sorted(values))
        return text
