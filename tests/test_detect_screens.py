"""Real Tesseract on the project's own screens for the failure shapes of #11 and the
ClickFix page of #13: each asserts the verdict (and, where it matters, what was read)."""
import json
import os
import subprocess
import sys

import pytest

from agent.detect import ocr
from agent.detect.pipeline import Detector
from tests import render

pytestmark = pytest.mark.skipif(ocr.check_tesseract("fra+eng") != [], reason="Tesseract fra+eng not installed")


@pytest.fixture(scope="module")
def eng():
    d = Detector("eng")
    yield d
    d.close()


@pytest.fixture(scope="module")
def fra_eng():
    d = Detector("fra+eng")
    yield d
    d.close()


def test_dashboard_locker_without_a_threat_phrase_is_caught(eng):
    v = eng.scan_image(render.dashboard_locker())
    assert v.verdict == "scam" and v.family == "tss", v.signals
    assert not any(s.kind == "threat" for s in v.signals)       # no threat sentence was needed
    assert "+18445550123" in v.phones_e164
    assert v.score >= 0.65


def test_number_on_a_dimmed_background_is_read(eng):
    v = eng.scan_image(render.dimmed_number_locker())
    assert "+18775550163" in v.phones_e164, v.text
    assert v.verdict == "scam" and v.family == "tss"


def test_press_release_about_scam_call_centres_is_ok(fra_eng):
    v = fra_eng.scan_image(render.press_release_fr())
    assert v.verdict == "ok", v.signals
    assert v.score <= 0.35
    assert "escrocs" in v.text or "centres" in v.text          # it was read, and judged by its shape


def test_dates_times_and_case_numbers_are_not_phones(fra_eng):
    v = fra_eng.scan_image(render.dates_page())
    assert "2024/8812" in v.text.replace(" ", "") or "21/11/2026" in v.text, v.text
    assert v.phones == [] and v.verdict == "ok", (v.phones, v.signals)


@pytest.mark.parametrize("lang,langs", [("en", "eng"), ("fr", "fra+eng")])
def test_vigie_own_notification_does_not_hide_the_scam_behind_it(lang, langs):
    d = Detector(langs)
    v = d.scan_image(render.with_vigie_notification(render.locker(lang), lang))
    assert v.verdict == "scam" and v.family == "tss", v.signals
    assert not any(s.kind == "counter" for s in v.signals)     # its "do not call the number" is not read as the page's


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_clickfix_page_gives_the_clickfix_family_in_vigie_scan(tmp_path, lang):
    path = render.save(render.clickfix(lang), tmp_path / f"clickfix-{lang}.png")
    out = subprocess.run([sys.executable, "-m", "agent", "scan", "--json", "--lang",
                          "eng" if lang == "en" else "fra+eng", str(path)],
                         capture_output=True, text=True, timeout=180, env=dict(os.environ))
    row = json.loads(out.stdout.splitlines()[0])
    assert row["verdict"] == "scam" and row["family"] == "clickfix", row
    assert out.returncode == 1
    assert any(s.startswith("clickfix:") for s in row["signals"])


@pytest.mark.parametrize("title,lines", [
    ("Microsoft Defender Security Scan", ["Starting the scan...", "Loading virus definitions..."]),
    ("Windows Security", ["Quick scan running...", "Estimated time remaining: 2 minutes"]),
])
def test_a_web_page_drawing_the_systems_own_scan_is_caught_an_app_is_not(eng, title, lines):
    """Nothing on the screen but a security brand and a scan: in a browser page (what the
    agent reads) that is a locker's opening act; the same drawing read as a desktop app
    (the real Windows Security scanning) is not a scam."""
    image = render.security_template(title, lines)
    web = eng.scan_image(image)                 # source="web": the agent's and vigie scan's default
    app = eng.scan_image(image, source="app")
    assert web.verdict == "scam" and web.family == "tss", (web.score, web.text)
    assert any(s.kind == "layout" and s.text == "web_claim" for s in web.signals)
    assert app.verdict == "ok", (app.score, app.text)


def test_vigie_scan_source_option(tmp_path):
    path = render.save(render.security_template("Windows Security", ["Quick scan in progress...",
                                                                      "Checking your files..."]), tmp_path / "s.png")
    out = {}
    for source in ("web", "app"):
        r = subprocess.run([sys.executable, "-m", "agent", "scan", "--json", "--lang", "eng", "--source", source,
                            str(path)], capture_output=True, text=True, timeout=120,
                           env={**os.environ, "VIGIE_LANG": "en"})
        out[source] = json.loads(r.stdout.splitlines()[0])
        assert r.returncode == (1 if out[source]["verdict"] == "scam" else 0), r.stderr
    assert (out["web"]["verdict"], out["app"]["verdict"]) == ("scam", "ok"), out
