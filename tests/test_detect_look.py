"""Issue 21: the screen's look as evidence that needs no word list (agent/detect/look.py).

First the measures themselves on screens drawn here with Pillow (alarm colours, a dialog over
a dimmed page, a checkbox square), then the project's own pages (tests/pages/look_*.html)
drawn by real Chromium and read by real Tesseract: a locker in Hungarian (no phrase list) in
alarm colours, a locker's own dialog over its dimmed page whose number is only behind it, a
browser-check frame alone and as ClickFix's first step, and the quiet cases (a cookie dialog
over a news page, a training page showing a locker in a frame)."""
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from agent.detect import dialog, look, ocr, words as wordmod
from agent.detect.pipeline import Detector
from tests import chromium, render

PAGES = Path(__file__).parent / "pages"


def _word(text: str, left: int, top: int, height: int) -> wordmod.Word:
    return wordmod.Word(text, 90.0, left, top, 10 * len(text), height, 1, 1)


# -- the measures, on screens drawn here ---------------------------------------------------

def test_a_plain_page_has_no_alarm_look():
    f = look.measure(render.doc_page(), [])
    assert not any(f.values()), f


def test_alarm_colours_a_red_banner_and_red_on_blue():
    img = Image.new("RGB", (1366, 768), (11, 86, 192))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, 1366, 80), fill=(216, 15, 15))                     # a red banner across
    d.rectangle((300, 200, 1066, 600), fill="white")
    d.text((330, 230), "ALERT", font=render.font(40, True), fill=(216, 15, 15))
    f = look.measure(img, [])
    assert f["alarm_banner"] == 1.0 and f["alarm_blue"] == 1.0 and f["alarm_area"] > 0.3, f


def test_red_in_a_logo_or_a_line_of_text_is_no_alarm():
    img = render.doc_page()
    d = ImageDraw.Draw(img)
    d.rectangle((1200, 8, 1240, 42), fill=(220, 20, 20))                  # a red logo
    d.text((80, 400), "Sale ends tonight", font=render.font(20), fill=(200, 0, 0))
    f = look.measure(img, [])
    assert f["alarm_banner"] == 0.0 and f["alarm_blue"] == 0.0 and f["alarm_area"] < 0.1, f


def _dialog_over(page: Image.Image, dim: float, button: bool = True) -> Image.Image:
    img = Image.blend(page, Image.new("RGB", page.size, "black"), dim)
    d = ImageDraw.Draw(img)
    d.rectangle((433, 120, 933, 330), fill="white")
    d.text((460, 150), "This page says", font=render.font(20), fill=(30, 30, 30))
    if button:
        d.rounded_rectangle((820, 280, 900, 315), 14, fill=(11, 87, 208))
    return img


def test_a_dialog_with_a_button_over_a_dimmed_page():
    f = look.measure(_dialog_over(render.doc_page(), 0.6), [])
    assert f["dialog"] == 1.0 and f["dialog_dimmed"] == 1.0, f
    f = look.measure(_dialog_over(render.doc_page(), 0.6, button=False), [])
    assert f["dialog"] == 0.0 and f["dialog_dimmed"] == 0.0, f            # a box with no button row


def test_a_white_card_on_a_white_page_is_no_dialog():
    img = render.doc_page()
    ImageDraw.Draw(img).rectangle((433, 300, 933, 500), fill="white", outline=(200, 200, 200))
    assert look.measure(img, [])["dialog"] == 0.0


def test_undim_brightens_a_darkened_page_only_under_a_dialog():
    heavy = _dialog_over(render.doc_page(), 0.75).convert("L")
    out = dialog.undim(heavy)
    assert out is not None
    assert out.getpixel((40, 600)) > 2 * heavy.getpixel((40, 600))           # the page behind, brightened
    assert out.getpixel((600, 200)) == heavy.getpixel((600, 200))             # the dialog as it was
    assert dialog.undim(_dialog_over(render.doc_page(), 0.6).convert("L")) is None   # Chromium's 40 %: read as is
    assert dialog.undim(render.doc_page().convert("L")) is None


def test_a_checkbox_square_with_its_label_is_a_check_frame():
    img = Image.new("RGB", (1366, 768), "white")
    d = ImageDraw.Draw(img)
    d.rectangle((400, 300, 700, 364), fill=(250, 250, 250), outline=(224, 224, 224))
    d.rectangle((416, 318, 443, 345), fill="white", outline=(106, 106, 106), width=2)
    label = _word("Verify", 456, 324, 16)
    assert look.measure(img, [label])["check_frame"] == 1.0
    assert look.measure(img, [])["check_frame"] == 0.0                      # no label beside it
    small = Image.new("RGB", (1366, 768), "white")                           # a form's 13-px checkbox
    ImageDraw.Draw(small).rectangle((416, 318, 429, 331), outline=(106, 106, 106), width=1)
    assert look.measure(small, [_word("Remember", 438, 318, 14)])["check_frame"] == 0.0


# -- own pages, real Chromium and real Tesseract -------------------------------------------

real = pytest.mark.skipif(ocr.check_tesseract("eng") != [] or chromium.executable() is None,
                          reason="Tesseract (eng) or Chromium not installed")


@pytest.fixture(scope="module")
def eng():
    d = Detector("eng")
    yield d
    d.close()


def _page(tmp_path: Path, name: str, query: str = "") -> Image.Image:
    url = (PAGES / name).as_uri() + (f"?{query}" if query else "")
    return Image.open(chromium.screenshot(url, tmp_path / "page.png")).convert("RGB")


def _image_signals(v) -> set[str]:
    return {s.text for s in v.signals if s.kind == "image"}


@real
def test_a_locker_in_alarm_colours_in_a_language_with_no_list(eng, tmp_path):
    v = eng.scan_image(_page(tmp_path, "look_locker_hu.html"))
    assert "06 80 555 019" in v.phones, v.text
    assert not any(s.kind in ("threat", "call", "brand") for s in v.signals)   # no list knows its words
    assert {"alarm_banner", "alarm_blue"} <= _image_signals(v), v.signals
    words = eng.engine.read_words(_page(tmp_path, "look_locker_hu.html"))
    blind = eng.scan_text(wordmod.to_text(words), words=words, source="web")   # the same words, no look
    assert v.verdict == "scam" and v.score > blind.score, (v.score, blind.score)


@real
@pytest.mark.parametrize("dim", ["0.6", "0.75"])
def test_a_dialog_over_a_dimmed_page_whose_number_is_only_behind(eng, tmp_path, dim):
    v = eng.scan_image(_page(tmp_path, "look_fake_alert.html", f"dim={dim}"))
    assert "+18775550163" in v.phones_e164, v.text                # read in the dimmed page behind
    assert v.features["dialog"] == 1.0 and v.features["dialog_dimmed"] == 1.0
    assert {"dialog", "dialog_dimmed"} <= _image_signals(v)
    assert v.verdict == "scam" and v.family == "tss", (v.score, v.signals)


@real
def test_a_browser_check_frame_alone_is_seen_but_no_alarm(eng, tmp_path):
    v = eng.scan_image(_page(tmp_path, "look_browser_check.html"))
    assert v.features["check_frame"] == 1.0 and "check_frame" in _image_signals(v)
    assert v.verdict == "ok", (v.score, v.signals)                # a real check looks just the same


@real
def test_a_browser_check_frame_with_clickfix_steps_is_clickfix(eng, tmp_path):
    v = eng.scan_image(_page(tmp_path, "look_browser_check.html", "steps"))
    assert v.features["check_frame"] == 1.0
    assert v.verdict == "scam" and v.family == "clickfix", (v.score, v.signals)


@real
@pytest.mark.parametrize("name", ["look_cookie_dialog.html", "look_training_locker.html"])
def test_quiet_pages_with_the_look_of_a_locker(eng, tmp_path, name):
    v = eng.scan_image(_page(tmp_path, name))
    seen = _image_signals(v)
    assert seen & {"dialog", "alarm_banner"}, (seen, v.features)   # the look is there...
    assert v.verdict == "ok" and v.score <= 0.35, (v.score, v.signals)   # ...and no alarm
