"""Every message exists in French and English, with the same {placeholders}."""
from __future__ import annotations

import string
from pathlib import Path

import pytest

from agent import i18n, paths
from agent.tomlcompat import tomllib

I18N = Path(__file__).resolve().parent.parent / "assets" / "i18n"
DOMAINS = sorted({p.stem for lang in ("en", "fr") for p in (I18N / lang).glob("*.toml")})


def _load(lang: str, domain: str) -> dict:
    path = I18N / lang / f"{domain}.toml"
    assert path.is_file(), f"{path} is missing: every catalogue exists in en AND fr"
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_there_are_catalogues():
    assert {"config", "doctor", "tray"} <= set(DOMAINS)


@pytest.mark.parametrize("domain", DOMAINS)
def test_same_keys_in_both_languages(domain):
    en, fr = _load("en", domain), _load("fr", domain)
    assert sorted(set(en) - set(fr)) == [], f"{domain}: in English only"
    assert sorted(set(fr) - set(en)) == [], f"{domain}: in French only"


@pytest.mark.parametrize("domain", DOMAINS)
def test_same_placeholders_and_all_texts(domain):
    en, fr = _load("en", domain), _load("fr", domain)
    for key in en:
        assert isinstance(en[key], str) and isinstance(fr[key], str), f"{domain}.{key} is not a text"
        assert en[key].strip() and fr[key].strip(), f"{domain}.{key} is empty"
        assert _fields(en[key]) == _fields(fr[key]), f"{domain}.{key}: placeholders differ"
        # every text formats with its own placeholders (no stray braces)
        values = {name: "x" for name in _fields(en[key])}
        en[key].format(**values), fr[key].format(**values)


def test_t_falls_back_and_formats(monkeypatch):
    assert i18n.t("tray.menu_quit", "fr") == "Quitter"
    assert i18n.t("tray.menu_quit", "de") == "Quit"          # unknown language → English
    assert i18n.t("tray.no_such_key", "fr") == "tray.no_such_key"
    assert "Marie" in i18n.t("tray.helper_line", "fr", name="Marie", phone="01 99 00 12 34")
    # a missing value does not crash: the raw text comes back
    assert "{name}" in i18n.t("tray.helper_line", "en")  # no values: not formatted
    assert i18n.t("tray.helper_line", "en", phone="1") == i18n.catalogue("en")["tray.helper_line"]


@pytest.mark.parametrize("env, expected", [
    ({"LANG": "fr_FR.UTF-8"}, "fr"), ({"LANG": "en_GB.UTF-8"}, "en"),
    ({"LC_ALL": "fr_BE.UTF-8", "LANG": "en_US.UTF-8"}, "fr"), ({"LANG": "C.UTF-8"}, "en"),
    ({"LANG": "de_DE.UTF-8"}, "en"),
])
def test_language_follows_the_locale_unless_configured(monkeypatch, env, expected):
    for var in ("LC_ALL", "LC_MESSAGES", "LANGUAGE", "LANG"):
        monkeypatch.delenv(var, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setattr(i18n.locale, "getlocale", lambda *a: (None, None))
    assert i18n.resolve("auto") == expected
    assert i18n.resolve("fr") == "fr" and i18n.resolve("en") == "en"


def test_a_broken_catalogue_is_logged_not_fatal(tmp_path, monkeypatch, caplog):
    (tmp_path / "i18n" / "en").mkdir(parents=True)
    (tmp_path / "i18n" / "en" / "bad.toml").write_text("x = \n", encoding="utf-8")
    (tmp_path / "i18n" / "en" / "good.toml").write_text('y = "fine"\n', encoding="utf-8")
    monkeypatch.setenv("VIGIE_ASSETS", str(tmp_path))
    i18n.catalogue.cache_clear()
    assert paths.assets_dir() == tmp_path
    assert i18n.t("good.y", "en") == "fine"
    assert "bad.toml" in caplog.text
    i18n.catalogue.cache_clear()
