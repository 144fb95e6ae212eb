"""Small faults of issue 23: an image no screen has the shape of (1×100000) gets a clear
message, not Tesseract's internal RuntimeError; a missing assets folder is named plainly
(in English and French) instead of showing raw message keys."""
from __future__ import annotations

import os
import subprocess
import sys

from PIL import Image

from agent.detect.limits import ImageBadShape, open_image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def vigie(*args, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "agent", *args], env={**os.environ, **env}, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_an_image_of_no_screen_shape_is_refused_clearly(tmp_path):
    thin, wide, ok = tmp_path / "thin.png", tmp_path / "wide.png", tmp_path / "ok.png"
    Image.new("RGB", (1, 100000), "white").save(thin)
    Image.new("RGB", (40000, 20), "white").save(wide)
    Image.new("RGB", (640, 200), "white").save(ok)
    for path in (thin, wide):
        try:
            open_image(path).close()
            raise AssertionError("not refused")
        except ImageBadShape as exc:
            assert "no screen has that shape" in str(exc)
    open_image(ok).close()
    r = vigie("scan", str(thin), str(ok), LANG="fr_FR.UTF-8")
    assert r.returncode == 2 and "RuntimeError" not in r.stderr and "Traceback" not in r.stderr
    assert "1×100000 pixels : aucun écran" in r.stderr
    assert "ok.png: " in r.stdout                       # the next file is still scanned


def test_a_missing_assets_folder_is_named_not_raw_keys(tmp_path):
    r = vigie("scan", "--help", VIGIE_ASSETS=str(tmp_path / "gone"))
    assert r.returncode == 2
    assert str(tmp_path / "gone") in r.stderr and "reinstall" in r.stderr and "réinstallez" in r.stderr
    assert "cli.vigie_description" not in r.stdout + r.stderr
