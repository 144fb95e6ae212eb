"""Issue 21, text level: the open-world lock-out evidence (agent/detect/lockout.py) in several
languages and for organisations on no list, its limits (pages about locks that are not a
reader's lock-out), the bank list's generation, and the ClickFix steps however the keys read."""
import subprocess
import sys

import pytest

from agent.detect import keycaps, lockout
from agent.detect.pipeline import Detector
from tests.test_gen_remote_tools import ROOT


@pytest.mark.parametrize("text", [
    "We have temporarily blocked your Nordavia account access. Contact our customer service.",
    "Votre compte Crédit Agricole a été bloqué suite à une activité suspecte.",
    "Ihr Nordbank-Konto wurde gesperrt.",
    "Twoje konto w Banku Zorya zostało zablokowane.",
    "Ваш счет в Норд Банке заблокирован.",
    "Microsoft Windows: your computer has been locked",
])
def test_a_named_organisations_lockout_is_read_in_any_language(text):
    assert lockout.score(text) == 1.0


@pytest.mark.parametrize("text,expected", [
    ("Your account has been suspended. Call us.", 0.6),        # addressed to the reader, no name
    ("Accessibility features for disabled users from Apple", 0.0),
    ("The blockchain account of the company is in the news", 0.0),
    ("Le dépôt a été géré par la banque en 2024.", 0.0),
])
def test_what_is_not_a_named_lockout(text, expected):
    assert lockout.score(text) == expected


def test_the_bank_list_is_generated_from_the_registries_and_our_own_list():
    names, _ = lockout.known()
    assert {"bnp paribas", "deutsche bank", "barclays", "intesa sanpaolo", "belfius bank", "capital one",
            "desjardins", "paypal", "twint"} <= names
    pytest.importorskip("schwifty")
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_banks.py"), "--check"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout


@pytest.mark.parametrize("text,n", [
    ("1.\n\ni\n\n+\n\nR\n\n2 “ctrl + Vv\n\n3 “Enter”", 3),          # keycaps as OCR reads them
    ("Press Windows + R, then press Ctrl + V and press Enter", 3),
    ("Appuyez sur Windows + R puis Ctrl + V, puis appuyez sur Entrée", 3),
    ("Restart the router, then call your provider", 0),
])
def test_clickfix_steps_however_the_keys_are_drawn(text, n):
    assert keycaps.steps(text) == n


def test_a_text_with_all_clickfix_steps_as_instructions_is_a_clickfix_scam():
    v = Detector("eng").scan_text("Verification required\n1.\n+\nR\n2 Ctrl + V\n3 Enter\nChecking your browser")
    assert v.verdict == "scam" and v.family == "clickfix", (v.score, v.signals)
