"""What the page does and where it lives, as evidence (pure: no desktop). The observations
themselves are tested on a real desktop (tests/test_page_behaviour.py, test_page_address.py);
here: their prior weights (assets/model/behaviour.json) never make an alert alone, add to
a borderline page, never lift a page with no scam claim; and the address evidence."""
from __future__ import annotations

import math

import pytest

from agent.detect import address, behaviour, features, model, score
from agent.detect.behaviour import Behaviour
from agent.detect.pipeline import Detector

ONE_EACH = {
    "keyboard_lock": Behaviour(keyboard_lock=True), "audio_fullscreen": Behaviour(audio=True),
    "cursor_hidden": Behaviour(cursor_hidden=True), "fullscreen_reentered": Behaviour(fullscreen_entries=2),
    "url_ip_host": Behaviour(page_url="http://45.77.12.34/alert/"), "url_local": Behaviour(page_url="file:///C:/x/lock.hta"),
    "url_punycode": Behaviour(page_url="https://xn--mcrosoft-9za.com/"),
    "url_brand_free_host": Behaviour(page_url="https://microsoft-alert-77.web.app/"),
}


def logit(p: float) -> float:
    return math.log(p / (1 - p))


def test_every_prior_weight_is_one_feature_and_bounded():
    pri = behaviour.priors()
    assert set(pri.weights) == set(ONE_EACH), "a weight without a test, or a test without a weight"
    assert all(0 < w <= behaviour.MAX_WEIGHT for w in pri.weights.values())
    assert pri.max_total <= 2.5
    for name, b in ONE_EACH.items():
        f = behaviour.features(b)
        assert [k for k, v in f.items() if v] == [name], name


@pytest.mark.parametrize("name", sorted(ONE_EACH))
def test_none_alone_alerts_a_weak_page_and_each_lifts_a_borderline_one(name):
    """Whatever the scam model's weights (refitted by others), a page the words put at 0.25
    stays under the line with any one behaviour, and a page at 0.45 crosses it."""
    f = dict.fromkeys(features.NAMES, 0.0) | {"brand": 1.0, "phone": 1.0}
    extra = behaviour.logit(behaviour.features(ONE_EACH[name]))
    for base, crosses in ((0.25, False), (0.45, True)):
        m = model.Model(logit(base), {})
        p = score.probability(m, f, "normal", extra)
        assert p > base and (p >= 0.5) is crosses, (name, base, p)


def test_all_behaviours_together_never_lift_a_page_with_no_scam_claim():
    everything = Behaviour(keyboard_lock=True, audio=True, cursor_hidden=True, fullscreen_entries=3,
                           page_url="https://microsoft-alert.web.app/")
    d = Detector("eng")
    v = d.scan_text("Welcome to the recipe site. Today: apple pie with cinnamon.", source="web", behaviour=everything)
    assert not v.is_scam and v.score <= score.NO_CLAIM_CAP
    assert v.page_url == "https://microsoft-alert.web.app/"
    assert {s.text for s in v.signals if s.kind == "behaviour"} >= {"keyboard_lock", "url_brand_free_host"}


def test_behaviour_shows_in_the_verdict_of_a_scam():
    d = Detector("eng")
    text = "Windows Defender\nYour computer is blocked\nCall 1-800-555-0199"
    v = d.scan_text(text, source="web", behaviour=Behaviour(keyboard_lock=True, page_url="http://45.77.12.34/"))
    j = v.to_json()
    assert v.is_scam and j["page_url"] == "http://45.77.12.34/"
    assert "behaviour:*:keyboard_lock" in j["signals"] and j["features"]["url_ip_host"] == 1.0
    assert v.score >= d.scan_text(text, source="web").score
    assert "page_url" in d.scan_text(text).to_json(), "the field is there (empty) without an observation"


@pytest.mark.parametrize("url, found", [
    ("http://45.77.12.34/index.html", "url_ip_host"),
    ("http://[2001:db8::1]/", None), ("http://203.0.113.7/", None),   # documentation ranges: not public hosts
    ("http://8.8.4.4/x", "url_ip_host"),
    ("http://192.168.1.1/", None), ("http://127.0.0.1:8080/", None),   # the router, a local server
    ("file:///home/anne/Téléchargements/alerte.html", "url_local"), ("data:text/html,<h1>x</h1>", "url_local"),
    ("https://xn--micrsoft-i2g.com/support", "url_punycode"),
    ("https://paypal-secure-login.netlify.app/", "url_brand_free_host"),
    ("https://windowsdefender.blob.core.windows.net/x/index.html", "url_brand_free_host"),
    ("https://ing-login.pages.dev/", "url_brand_free_host"),
    ("https://swing-dance.pages.dev/", None),              # "ing" is only a brand as a whole word
    ("https://my-recipes.netlify.app/", None),
    ("https://www.microsoft.com/fr-fr/", None), ("https://support.microsoft.com/", None),
    ("", None), ("not a url at all", None), ("http://[broken/", None),
])
def test_address_evidence(url, found):
    pri = behaviour.priors()
    ev = address.evidence(url, pri.free_hosts, pri.brands)
    assert [k for k, v in ev.items() if v] == ([found] if found else [])


def test_an_unreadable_prior_file_counts_nothing(monkeypatch, tmp_path):
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "behaviour.json").write_text("{not json", encoding="utf-8")
    monkeypatch.setenv("VIGIE_ASSETS", str(tmp_path))
    behaviour.priors.cache_clear()
    try:
        assert behaviour.logit(behaviour.features(Behaviour(keyboard_lock=True))) == 0.0
    finally:
        behaviour.priors.cache_clear()
