"""Text written to dodge word lists (issue 21): each trick alone, on a locker text of our own
that scores as a scam plainly, must still score as one, and the tricks must not lift a plain
text nor garble numbers, codes and other scripts (agent/detect/evasion.py)."""
import json
import subprocess
import sys

import pytest

from agent.detect import evasion
from agent.detect.pipeline import Detector
from tests.test_gen_remote_tools import ROOT

LOCKER = ("Windows Defender Security Warning\n"
          "Your computer has been blocked. Trojan spyware detected.\n"
          "Do not restart your computer.\n"
          "Call Microsoft Support now: +1-800-555-0199")


def _spaced(s: str) -> str:
    return "  ".join(" ".join(word) for word in s.split(" "))


CYRILLIC = str.maketrans({"o": "о", "e": "е", "a": "а", "c": "с", "p": "р", "i": "і"})
TRICKS = {
    "zero-width": lambda s: "\u200b".join(s[i:i + 3] for i in range(0, len(s), 3)),
    "soft hyphens": lambda s: " ".join(w[:2] + "\u00ad" + w[2:] if len(w) > 3 else w for w in s.split(" ")),
    "spaced letters": lambda s: "\n".join(_spaced(line) if "+1" not in line else line for line in s.splitlines()),
    "cyrillic look-alikes": lambda s: s.translate(CYRILLIC),
    "digits for letters": lambda s: s.replace("o", "0").replace("i", "1").replace("e", "3").replace("+1-800-555-0199",
                                                                                                        "+1-800-555-0199"),
    "direction marks": lambda s: s.replace(" ", " \u200e"),
}


@pytest.fixture(scope="module")
def det():
    d = Detector("eng")
    yield d
    d.close()


def test_the_plain_locker_text_is_a_scam(det):
    assert det.scan_text(LOCKER).score >= 0.9


@pytest.mark.parametrize("trick", sorted(TRICKS))
def test_each_trick_alone_still_scores_as_a_scam(det, trick):
    hidden = TRICKS[trick](LOCKER)
    assert hidden != LOCKER
    v = det.scan_text(hidden)
    assert v.verdict == "scam" and v.score >= 0.8, (trick, v.score, v.text)
    assert "+18005550199" in v.phones_e164, v.text


def test_all_tricks_together():
    v = Detector("eng").scan_text(TRICKS["zero-width"](TRICKS["cyrillic look-alikes"](LOCKER)))
    assert v.verdict == "scam", v.text


@pytest.mark.parametrize("text", [
    "Error 0x80072EE7 in Win32 on 24/06/2023, call 0800 123 456 or room 101",
    "Привет, это обычное письмо от бабушки. Позвони мне вечером.",
    "Bugün hava çok güzel, akşam yemeğe gelecek misin?",
    "Il y a un an, à la page 3, on a lu le 1er chapitre.",
])
def test_ordinary_texts_keep_their_numbers_and_letters(text):
    out = evasion.unhide(text)
    assert out == text or (text.startswith("Il y a") and "1er" not in out), out


def test_the_lookalike_table_is_generated_from_unicode_data():
    data = json.loads((ROOT / "assets" / "confusables.json").read_text(encoding="utf-8"))
    assert "UTS #39" in data["about"] and len(data["map"]) > 1000
    assert data["map"]["а"] == "a" and data["map"]["ο"] == "o"       # Cyrillic a, Greek omicron
    pytest.importorskip("confusable_homoglyphs")
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_confusables.py"), "--check"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout


def test_html_character_references_spliced_into_words_are_undone():
    out = evasion.unhide("a&#99;cess to your devi&#x63;es and servi&#someone@example9;e, &#xx;f course. Tom & Jerry")
    assert out == "access to your devices and servie, f course. Tom & Jerry"
