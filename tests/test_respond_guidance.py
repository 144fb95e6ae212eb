"""The steps and report channels (assets/guidance) and the alert/evidence catalogues."""
from __future__ import annotations

import logging
import shutil

import pytest

from agent import i18n, paths
from agent.respond import guidance
from agent.respond.gui.alert_window import mnemonic
from agent.tomlcompat import tomllib


@pytest.fixture(autouse=True)
def fresh_cache():
    guidance.clear_cache()
    yield
    guidance.clear_cache()


@pytest.fixture
def assets_copy(tmp_path, monkeypatch):
    """A private copy of the assets whose guidance files a test may break."""
    copy = tmp_path / "assets"
    shutil.copytree(paths.assets_dir(), copy)
    monkeypatch.setenv("VIGIE_ASSETS", str(copy))
    return copy


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("family", guidance.FAMILIES)
def test_every_family_has_steps_from_the_file(lang, family):
    g = guidance.load(family, lang, "FR")
    assert not g.builtin and len(g.steps) >= 4 and all(s.strip() for s in g.steps)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_report_channels_by_country(lang):
    fr = guidance.load("tss", lang, "FR")
    text = " ".join(fr.report)
    for channel in ("internet-signalement.gouv.fr", "17cyber.gouv.fr", "0 805 805 817", "cybermalveillance.gouv.fr",
                    "microsoft.com/reportascam"):
        assert channel in text
    assert "actionfraud.police.uk" in " ".join(guidance.load("tss", lang, "GB").report)
    us = " ".join(guidance.load("tss", lang, "US").report)
    assert "reportfraud.ftc.gov" in us and "ic3.gov" in us
    for country in guidance.COUNTRIES:
        g = guidance.load("summons", lang, country)
        assert g.country == country and g.report
        assert "microsoft.com/reportascam" not in " ".join(g.report)   # only for fake support
    other = guidance.load("tss", lang, "JP")
    assert other.country == "" and other.report[-1].startswith("Microsoft")


def test_the_key_facts_are_in_both_languages_in_everyday_words():
    """What the person reads: the key facts, in words an 80-year-old knows; the browser's
    clean-up (cache, cookies, profile) is the helper's job, named in the helper's message."""
    en = " ".join(guidance.load("tss", "en", "FR").steps).lower()
    fr = " ".join(guidance.load("tss", "fr", "FR").steps).lower()
    for text, words in ((en, ("do not call", "hang up", "off and on", "call your helper", "block the card")),
                        (fr, ("n'appelez pas", "raccrochez", "rallumez", "appelez votre aidant", "bloquer la carte"))):
        for w in words:
            assert w in text, w
        for jargon in ("cache", "cookies", "profil", "réinitialisez", "reset its settings"):
            assert jargon not in text, jargon
    from agent.respond.helper import messages
    for lang, words in (("en", ("cache", "cookies", "antivirus", "passwords")),
                        ("fr", ("cache", "cookies", "antivirus", "mots de passe"))):
        todo = " ".join(messages.render("scam", {"family": "tss"}, lang, msg_id="m").text.split())
        assert all(w in todo for w in words), lang


def test_other_languages_fall_back_to_english():
    assert guidance.load("tss", "de", "DE").lang == "en"
    assert guidance.load("unknown-family", "en", "").family == "tss"


def test_country_setting_resolution(monkeypatch):
    monkeypatch.setenv("LC_ALL", "fr_BE.UTF-8")
    assert guidance.resolve_country("auto") == "BE"
    assert guidance.resolve_country("ch") == "CH"


@pytest.mark.parametrize("content", ["not = [valid toml", "[family.tss]\nsteps = 3\n", None])
def test_corrupt_or_missing_file_falls_back_with_a_logged_error(assets_copy, caplog, content):
    target = assets_copy / "guidance" / "fr.toml"
    if content is None:
        target.unlink()
    else:
        target.write_text(content, encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="agent.respond.guidance"):
        g = guidance.load("tss", "fr", "FR")
    assert g.builtin and g.lang == "fr"
    assert any("redémarrez" in s.lower() for s in g.steps)
    assert "0 805 805 817" in " ".join(g.report)
    assert any("fr.toml" in r.getMessage() and "built-in" in r.getMessage() for r in caplog.records)
    assert not guidance.load("tss", "en", "FR").builtin          # the other language is untouched


@pytest.mark.parametrize("domain", ["alert", "evidence"])
def test_catalogues_have_the_same_keys_and_placeholders(domain):
    root = paths.assets_dir() / "i18n"
    en = tomllib.loads((root / "en" / f"{domain}.toml").read_text(encoding="utf-8"))
    fr = tomllib.loads((root / "fr" / f"{domain}.toml").read_text(encoding="utf-8"))
    assert set(en) == set(fr)
    import string
    for key in en:
        names = lambda s: sorted(f for _, f, _, _ in string.Formatter().parse(s) if f)  # noqa: E731
        assert names(en[key]) == names(fr[key]), key
        assert en[key].count("&") == fr[key].count("&"), key


def test_family_messages_exist_for_every_family():
    for lang in ("en", "fr"):
        for fam in (*guidance.FAMILIES, "risky"):
            for prefix in ("title_", "first_", "notify_"):
                assert i18n.t(f"alert.{prefix}{fam}", lang) != f"alert.{prefix}{fam}"
    assert "police" in i18n.t("alert.first_summons", "fr") and "e-mail" in i18n.t("alert.first_summons", "fr")
    assert "bluff" in i18n.t("alert.first_sextortion", "en")


def test_mnemonics():
    assert mnemonic("&Close it") == ("Close it", 0, "c")
    assert mnemonic("Call my &helper") == ("Call my helper", 8, "h")
    assert mnemonic("No marker") == ("No marker", -1, "")
    for lang in ("en", "fr"):
        main = [mnemonic(i18n.t(f"alert.{k}", lang))[2] for k in
                ("btn_close_page", "btn_call_helper", "btn_show_steps", "btn_safe")]
        assert len(set(main)) == 4, (lang, main)            # no two buttons share a key
        q = [mnemonic(i18n.t(f"alert.{k}", lang))[2] for k in ("btn_close_it", "btn_my_helper")]
        assert len(set(q)) == 2
