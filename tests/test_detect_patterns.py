"""Text hidden from OCR but not from a person (issue 21): a locker in normal dark text over a
dotted, gridded, striped, checked or noisy page background, or with a wavy line struck through
every line, drawn by real Chromium and read by real Tesseract, is caught as the plain page is."""
import numpy as np
import pytest
from PIL import Image

from agent.detect import ocr, preprocess
from agent.detect.pipeline import Detector
from tests import chromium, render

PAGE = render.Path(__file__).parent / "pages" / "patterned_locker.html"
pytestmark = [pytest.mark.skipif(ocr.check_tesseract("eng") != [], reason="Tesseract eng not installed"),
              pytest.mark.skipif(chromium.executable() is None, reason="Chromium not installed")]


@pytest.fixture(scope="module")
def eng():
    d = Detector("eng")
    yield d
    d.close()


@pytest.mark.parametrize("query", ["bg=dots", "bg=grid", "bg=stripes", "bg=checks", "bg=noise", "strike=wavy"])
def test_a_locker_over_a_patterned_background_is_read_and_caught(eng, tmp_path, query):
    png = chromium.screenshot(f"{PAGE.as_uri()}?{query}", tmp_path / "page.png")
    v = eng.scan_image(Image.open(png).convert("RGB"))
    assert v.verdict == "scam" and v.family == "tss", (v.score, v.text)
    assert any(p.endswith("8005550199") for p in v.phones_e164), v.text   # a "+" struck through may read "4"
    assert "Defender" in v.text and "unlock" in v.text, v.text


def test_a_plain_page_has_no_pattern_and_a_dotted_one_is_flattened(tmp_path):
    plain = preprocess.to_gray(Image.open(chromium.screenshot(PAGE.as_uri(), tmp_path / "plain.png")))
    dotted = preprocess.to_gray(Image.open(chromium.screenshot(f"{PAGE.as_uri()}?bg=dots", tmp_path / "dots.png")))
    assert preprocess.pattern(plain) is None
    assert preprocess.pattern(preprocess.to_gray(render.locker("en"))) is None
    assert preprocess.pattern(dotted) is not None
    flat = preprocess.without_pattern(dotted)
    assert np.asarray(flat.crop((0, 600, 300, 768))).min() > 200      # the dots of an empty corner are gone...
    assert np.asarray(preprocess.prepare(flat).crop((190, 40, 700, 80))).min() < 60   # ...the title's letters are not
