"""`vigie scan` as a user runs it: real files, real Tesseract, JSON lines, clear errors."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import render

FIX = Path(__file__).parent / "fixtures"


def vigie(*args, env=None):
    return subprocess.run([sys.executable, "-m", "agent", *args], capture_output=True, text=True,
                          timeout=180, env={**os.environ, **(env or {})})


@pytest.fixture
def screens(tmp_path):
    scam = render.save(render.locker("en"), tmp_path / "locker.png")
    doc = render.save(render.doc_page("fr"), tmp_path / "doc.jpg")
    bad = tmp_path / "corrupt.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\nthis is not really a png")
    return scam, doc, bad


def test_scan_json_lines(screens):
    scam, doc, bad = screens
    missing = scam.parent / "missing.png"
    out = vigie("scan", "--json", "--lang", "fra+eng", str(scam), str(bad), str(missing), str(doc),
                str(FIX / "summons-fr.txt"))
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["path"] for r in rows] == [str(scam), str(bad), str(missing), str(doc), str(FIX / "summons-fr.txt")]
    first = rows[0]
    for key in ("path", "verdict", "family", "score", "phones", "signals", "lang", "ms"):
        assert key in first
    assert first["verdict"] == "scam" and first["family"] == "tss" and first["phones"]
    assert rows[1]["verdict"] is None and "cannot read" in rows[1]["error"]
    assert rows[2]["verdict"] is None and "not found" in rows[2]["error"]
    assert rows[3]["verdict"] == "ok"
    assert rows[4]["verdict"] == "scam" and rows[4]["family"] == "summons"
    assert out.returncode == 2                 # errors win over "scam found"
    assert "missing.png: file not found" in out.stderr


def test_scan_human_output_in_french(screens):
    scam, _, _ = screens
    out = vigie("scan", str(scam), "--lang", "eng", env={"LANG": "fr_FR.UTF-8", "LC_ALL": ""})
    assert out.returncode == 1
    assert "ARNAQUE" in out.stdout and "numéros de téléphone affichés" in out.stdout


def test_missing_language_pack_one_clear_message(screens, tmp_path):
    scam, doc, _ = screens
    out = vigie("scan", "--json", str(scam), str(doc), env={"TESSDATA_PREFIX": str(tmp_path)})
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert all(r["verdict"] is None for r in rows)
    assert "apt-get install tesseract-ocr tesseract-ocr-" in rows[0]["error"]
    assert out.returncode == 2


def test_text_scan_needs_no_ocr(tmp_path):
    out = vigie("scan", "--json", str(FIX / "sextortion-fr.txt"), env={"TESSDATA_PREFIX": str(tmp_path)})
    row = json.loads(out.stdout)
    assert row["verdict"] == "scam" and row["family"] == "sextortion"
