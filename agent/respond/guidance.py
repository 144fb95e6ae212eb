"""What to do after a scam: the steps per family and where to report, per country.

Read from ``assets/guidance/<lang>.toml`` (``en`` and ``fr`` first-class, other
languages fall back to English). A missing or corrupt file never leaves the person
without guidance: the short built-in text below is used and the error is logged.
Pure apart from reading the file; cached; any thread (and the alert process).
"""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field

from agent import paths
from agent.tomlcompat import tomllib

log = logging.getLogger(__name__)
FAMILIES = ("tss", "refund", "summons", "sextortion", "clickfix")
COUNTRIES = ("FR", "BE", "CH", "CA", "GB", "US")

# The built-in fallback: short, but enough to act on.
BUILTIN: dict[str, dict] = {
    "en": {
        "family": {
            "tss": {"steps": [
                "Never call the number shown. Microsoft, Apple and your bank never show a phone number in an error message.",
                "If someone is on the phone with you, hang up.",
                "Restart the computer. That is often enough.",
                "If you gave your bank card details, call your bank now to block the card.",
                "If someone took control of the computer, uninstall the remote-control program and change your passwords.",
                "Keep the evidence and report the scam to the police."]},
            "summons": {"steps": [
                "Do not reply and do not pay: the police never summon you or ask for a fine by e-mail.",
                "In doubt, call the police on their official number, never the one in the e-mail."]},
            "sextortion": {"steps": [
                "Do not reply and do not pay: it is a bluff or blackmail.",
                "Keep the messages, block the sender, change your passwords, and report it."]},
        },
        "report": {"default": {"channels": ["Report it to your local police with the evidence"]},
                   "always": {"tss": ["Microsoft: microsoft.com/reportascam"]}},
    },
    "fr": {
        "family": {
            "tss": {"steps": [
                "N'appelez jamais le numéro affiché. Microsoft, Apple et votre banque n'affichent jamais de numéro dans un message d'erreur.",
                "Si quelqu'un est au téléphone avec vous, raccrochez.",
                "Redémarrez l'ordinateur. Cela suffit souvent.",
                "Si vous avez donné votre carte bancaire, appelez tout de suite votre banque pour faire opposition.",
                "Si quelqu'un a pris le contrôle de l'ordinateur, désinstallez le programme de prise en main à distance et changez vos mots de passe.",
                "Gardez les preuves et signalez l'arnaque à la police."]},
            "summons": {"steps": [
                "Ne répondez pas et ne payez pas : la police ne vous convoque jamais et ne demande jamais d'amende par e-mail.",
                "En cas de doute, appelez la police à son numéro officiel, jamais celui de l'e-mail."]},
            "sextortion": {"steps": [
                "Ne répondez pas et ne payez pas : c'est du bluff ou du chantage.",
                "Gardez les messages, bloquez l'expéditeur, changez vos mots de passe et signalez-le."]},
        },
        "report": {"default": {"channels": ["Le signaler à la police avec les preuves"]},
                   "always": {"tss": ["Microsoft : microsoft.com/reportascam"]}},
    },
}
BUILTIN["fr"]["report"]["FR"] = {"channels": [
    "Info Escroqueries : 0 805 805 817 (appel gratuit)", "17cyber.gouv.fr",
    "Porter plainte au commissariat ou à la gendarmerie"]}


@dataclass(frozen=True)
class Guidance:
    """The steps for one family and the report channels for one country."""
    family: str
    lang: str
    country: str
    steps: list[str] = field(default_factory=list)
    report: list[str] = field(default_factory=list)
    builtin: bool = False          # True when the file could not be used


def _valid(data: dict) -> bool:
    fam = data.get("family")
    rep = data.get("report")
    if not isinstance(fam, dict) or not isinstance(rep, dict):
        return False
    for table in list(fam.values()) + list(rep.values()):
        if not isinstance(table, dict):
            return False
        for value in table.values():
            if not (isinstance(value, list) and all(isinstance(s, str) for s in value)):
                return False
    return True


@functools.lru_cache(maxsize=None)
def _load_file(lang: str) -> tuple[dict, bool]:
    """(data, builtin) for a first-class language; errors are logged, not raised."""
    path = paths.assets_dir() / "guidance" / f"{lang}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        if not _valid(data):
            raise ValueError("expected [family.<id>] steps = [...] and [report.<country>] channels = [...]")
        return data, False
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        log.error("guidance file %s cannot be used (%s); using the built-in text", path, exc)
        return BUILTIN[lang], True


def clear_cache() -> None:
    _load_file.cache_clear()


def guidance_lang(lang: str | None) -> str:
    lang = (lang or "en").lower()[:2]
    return lang if lang in BUILTIN else "en"


def load(family: str | None, lang: str | None, country: str | None = "") -> Guidance:
    """The guidance for ``family`` in ``lang`` for ``country`` (two letters, may be empty)."""
    lang = guidance_lang(lang)
    family = family if family in FAMILIES else "tss"
    country = (country or "").upper()
    data, builtin = _load_file(lang)
    fams = data.get("family", {})
    steps = (fams.get(family) or fams.get("tss") or {}).get("steps") \
        or BUILTIN[lang]["family"].get(family, BUILTIN[lang]["family"]["tss"])["steps"]
    reports = data.get("report", {})
    chosen = reports.get(country) if country in COUNTRIES else None
    channels = list((chosen or reports.get("default") or BUILTIN[lang]["report"]["default"])
                    .get("channels", []))
    always = reports.get("always", {})
    # The refund scam is the tech-support scam's sibling: same vendor channel.
    channels += [c for c in always.get("tss" if family == "refund" else family, []) if c not in channels]
    return Guidance(family, lang, country if chosen else "", list(steps), channels, builtin)


def resolve_country(setting: str | None) -> str:
    """``auto``/empty → the locale's country (``agent.i18n.system_country``)."""
    if setting and setting.lower() != "auto":
        return setting.upper()[:2]
    from agent import i18n  # noqa: PLC0415
    return i18n.system_country()
