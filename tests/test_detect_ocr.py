"""Real Tesseract on real rendered screens: framed numbers, white-on-dark text, both languages."""
import os
import subprocess
import sys

import pytest
from PIL import Image

from agent.detect import ocr, preprocess
from agent.detect.pipeline import Detector
from tests import render

pytestmark = pytest.mark.skipif(ocr.check_tesseract("fra+eng") != [], reason="Tesseract fra+eng not installed")


@pytest.mark.parametrize("lang,langs,e164", [("en", "eng", "+18005550199"), ("fr", "fra+eng", "+33800550199")])
def test_locker_screen_detected_with_its_boxed_number(lang, langs, e164):
    v = Detector(langs).scan_image(render.locker(lang))
    assert v.verdict == "scam" and v.family == "tss", (v.text, v.signals)
    assert e164 in v.phones_e164, v.text        # the framed, biggest number is read
    assert v.ms > 0


def test_white_text_on_dark_header_is_read():
    text = ocr.OcrEngine("eng").read(render.locker("en"))
    assert "Defender" in text and "Security" in text


def test_documentation_page_is_not_a_scam():
    for lang, langs in (("en", "eng"), ("fr", "fra+eng")):
        v = Detector(langs).scan_image(render.doc_page(lang))
        assert v.verdict == "ok", v.signals
        assert "firewall" in v.text.lower() or "pare-feu" in v.text.lower()


def test_prepare_makes_every_polarity_dark_on_light():
    img = Image.new("RGB", (400, 200), (0, 90, 190))
    out = preprocess.prepare(img)
    assert out.mode == "L" and out.getextrema()[0] > 200       # a flat background becomes white


def test_remove_lines_erases_frames_not_letters():
    img = render.locker("en")
    prepared = preprocess.prepare(img)
    frame = prepared.crop((470, 520, 900, 524))               # top border of the phone box
    assert frame.getextrema()[0] > 200
    digits = prepared.crop((495, 540, 880, 580))
    assert digits.getextrema()[0] < 60                          # the digits themselves remain


def test_bands_cut_on_blank_rows_and_match_the_whole_screen():
    import numpy as np
    for img in (render.doc_page("en"), render.locker("fr")):
        gray = preprocess.to_gray(img)
        ranges = preprocess.band_ranges(gray, 2)
        assert len(ranges) == 2 and ranges[0][0] == 0 and ranges[-1][1] == gray.height
        bands = preprocess.split_bands(gray, 2)
        whole = np.asarray(preprocess.prepare(img))
        assert (np.vstack([np.asarray(b) for b in bands]) == whole).all()   # prepared apart = together


def test_missing_language_pack_is_explained(tmp_path, monkeypatch):
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))
    problems = ocr.check_tesseract("fra+eng")
    assert len(problems) == 2 and "tesseract-ocr-fra" in problems[0]
    with pytest.raises(ocr.OcrUnavailable, match="language pack 'fra'"):
        ocr.OcrEngine("fra+eng").read(render.locker("fr"))


def test_missing_tesseract_is_explained():
    """No tesseract binary on PATH and no tesserocr: one clear message with the install command."""
    code = ("import sys; sys.modules['tesserocr'] = None\n"
            "from agent.detect import ocr\nprint(ocr.check_tesseract('eng')[0])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "PATH": "/nonexistent"}, timeout=60)
    assert "Tesseract OCR is not installed" in out.stdout and "apt-get install tesseract-ocr" in out.stdout


def test_run_detection_is_exact():
    """The shift-doubling run finder agrees with a plain loop on random images."""
    import numpy as np
    rng = np.random.default_rng(7)
    dark = rng.random((40, 257)) < 0.8

    def brute(a, length):
        out = np.zeros_like(a)
        for y in range(a.shape[0]):
            run = 0
            for x in range(a.shape[1] + 1):
                if x < a.shape[1] and a[y, x]:
                    run += 1
                    continue
                if run >= length:
                    out[y, x - run:x] = True
                run = 0
        return out

    for length in (1, 2, 3, 5, 8, 26, 45):
        assert (preprocess._runs(dark, length, axis=1) == brute(dark, length)).all(), length
        assert (preprocess._runs(dark.T, length, axis=0) == brute(dark, length).T).all(), length


def test_fallback_to_the_tesseract_command(tmp_path):
    """Without tesserocr the same pipeline reads through pytesseract (the CLI)."""
    png = render.save(render.locker("en"), tmp_path / "locker.png")
    code = ("import sys; sys.modules['tesserocr'] = None\n"
            "from PIL import Image\nfrom agent.detect.pipeline import Detector\n"
            f"d = Detector('eng'); v = d.scan_image(Image.open({str(png)!r}))\n"
            "print(d.engine.backend, v.verdict, v.phones_e164)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.split()[:2] == ["pytesseract", "scam"], out.stderr
    assert "+18005550199" in out.stdout


def test_big_bold_number_on_a_large_screen():
    """A 48 px bold red number on a 1920x1080 page: thick strokes must not bias the
    background estimate (a grey haze made Tesseract read +1-800 as +1-200)."""
    from PIL import ImageDraw
    img = render.Image.new("RGB", (1920, 1080), (10, 79, 176))
    d = ImageDraw.Draw(img)
    d.rectangle((400, 150, 1500, 800), fill="white")
    d.text((460, 220), "Your computer is blocked by a Trojan spyware.", font=render.font(30), fill=(17, 17, 17))
    d.text((460, 300), "Call Microsoft Support now:", font=render.font(30), fill=(17, 17, 17))
    d.text((460, 380), "Toll-free: +1-800-555-0142", font=render.font(48, True), fill=(187, 0, 0))
    v = Detector("eng").scan_image(img)
    assert "+18005550142" in v.phones_e164, v.text
    assert v.is_scam


def test_text_scale_follows_the_type_not_the_screen_size():
    for img in (render.doc_page("en"), render.locker("fr")):
        gray = preprocess.to_gray(img)
        assert preprocess.text_scale(gray) == 1.0
        w, h = img.size
        assert preprocess.text_scale(preprocess.to_gray(img.resize((w * 2, h * 2), Image.LANCZOS))) in (1.75, 2.0, 2.25)
        # a bigger screen with the same type (2560x1440 at 100 %): scale 1
        wide = Image.new("RGB", (w * 2, h * 2), "white")
        wide.paste(img, (0, 0))
        assert preprocess.text_scale(preprocess.to_gray(wide)) == 1.0


@pytest.mark.parametrize("lang,langs,e164", [("en", "eng", "+18005550199"), ("fr", "fra+eng", "+33800550199")])
def test_locker_drawn_at_200_percent_reads_the_same(lang, langs, e164):
    img = render.locker(lang)
    big = img.resize((img.width * 2, img.height * 2), Image.LANCZOS)   # 200 % display scaling
    v = Detector(langs).scan_image(big)
    assert v.verdict == "scam" and v.family == "tss", (v.text, v.signals)
    assert e164 in v.phones_e164, v.text
    gray = preprocess.to_gray(big)
    scale = preprocess.text_scale(gray)
    bands = preprocess.split_bands(gray, 2, scale)      # bands prepared apart = together, at any scale
    import numpy as np
    whole = np.asarray(preprocess.prepare(big, scale))
    assert (np.vstack([np.asarray(b) for b in bands]) == whole).all()
