"""`vigie scan` on hostile inputs (issue 15): absurd and huge images, odd file names under a
strict UTF-8 locale, huge and random texts. Each bad file is named with exit 2; the other
files are still scanned."""
from __future__ import annotations

import json
import os
import struct
import zlib
from pathlib import Path

from PIL import Image

from agent.detect import limits
from tests.test_scan_cli import FIX, vigie

STRICT = {"LC_ALL": "C.UTF-8", "PYTHONIOENCODING": "utf-8:strict", "PYTHONUTF8": "0"}


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_claiming(path: Path, w: int, h: int, real: bool = False) -> Path:
    """A grey PNG of w x h; with ``real`` False only the header is honest (the pixels are
    never reached: the size alone must stop the decoder)."""
    if real:
        z = zlib.compressobj(6)
        row = b"\x00" + b"\xff" * w
        data = b"".join(z.compress(row) for _ in range(h)) + z.flush()
    else:
        data = zlib.compress(b"\x00" * 64)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
                     + _chunk(b"IDAT", data) + _chunk(b"IEND", b""))
    return path


def test_absurd_image_is_refused_per_file_and_the_rest_is_scanned(tmp_path):
    bomb = png_claiming(tmp_path / "bomb.png", 30000, 30000)
    r = vigie("scan", "--json", str(bomb), str(FIX / "summons-fr.txt"), env=STRICT)
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert rows[0]["verdict"] is None and "900 megapixels" in rows[0]["error"]
    assert rows[1]["verdict"] == "scam"
    r = vigie("scan", str(bomb), env={"LANG": "fr_FR.UTF-8", "LC_ALL": "fr_FR.UTF-8"})
    assert r.returncode == 2


def test_large_image_is_scaled_down_not_refused(tmp_path):
    big = png_claiming(tmp_path / "big.png", 12000, 12000, real=True)
    img = limits.open_image(big)
    assert img.size == (12000, 12000)
    small = limits.fit_image(img)
    assert small.size[0] * small.size[1] <= limits.MAX_OCR_PIXELS and small.size[0] == small.size[1]
    r = vigie("scan", "--json", str(big))
    assert r.returncode == 0 and json.loads(r.stdout)["verdict"] == "ok"


def test_large_jpeg_is_decoded_reduced(tmp_path):
    path = tmp_path / "wide.jpg"
    Image.new("L", (9600, 5400), "white").save(path, quality=40)
    with limits.open_image(path) as img:
        assert img.size == (4800, 2700)          # JPEG draft: decoded at half size directly


def test_file_names_that_are_not_utf8(tmp_path):
    name = os.fsdecode(b"facture-caf\xe9.txt")
    (tmp_path / name).write_bytes((FIX / "refund-en.txt").read_bytes())
    bad = os.fsdecode(b"broken-\xff.png")
    (tmp_path / bad).write_bytes(b"not an image")
    for extra in ([], ["--json"]):
        r = vigie("scan", *extra, str(tmp_path / name), str(tmp_path / bad), str(FIX / "summons-fr.txt"), env=STRICT)
        assert "Traceback" not in r.stderr and r.returncode == 2
        assert "broken-\\xff.png" in r.stderr
        if not extra:
            assert "facture-caf\\xe9.txt" in r.stdout
        else:
            rows = [json.loads(line) for line in r.stdout.splitlines()]
            assert [row["verdict"] for row in rows] == ["scam", None, "scam"]
            assert rows[0]["path"].endswith("facture-caf\\xe9.txt")


def test_huge_and_random_texts_are_capped_and_said_so(tmp_path):
    huge = tmp_path / "huge.txt"
    with open(huge, "wb") as fh:
        fh.write(b"lorem ipsum dolor sit amet " * 2_000_000)     # 54 MB
    noise = tmp_path / "noise.txt"
    noise.write_bytes(os.urandom(1 << 20))
    r = vigie("scan", "--json", str(huge), str(noise))
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert r.returncode == 0 and [row["verdict"] for row in rows] == ["ok", "ok"]
    assert all(row["truncated"] for row in rows)
    assert "first 16000 and last 4000 characters" in r.stderr


def test_a_scam_padded_to_hide_its_end_is_still_read(tmp_path):
    """The head and the tail are scored: padding cannot push the phone number out."""
    mail = tmp_path / "mail.txt"
    text = (FIX / "refund-en.txt").read_text(encoding="utf-8")
    mail.write_text("Hello.\n" + "Regards, the team. " * 20000 + "\n" + text, encoding="utf-8")
    r = vigie("scan", "--json", str(mail))
    row = json.loads(r.stdout)
    assert r.returncode == 1 and row["verdict"] == "scam" and row["truncated"]


def test_cap_text_squeezes_blanks_before_cutting():
    text = "call now" + " " * 100_000 + "+1-800-555-0199"
    capped, cut = limits.cap_text(text)
    assert not cut and capped == "call now +1-800-555-0199"
    capped, cut = limits.cap_text("x" * 50_000)
    assert cut and len(capped) == limits.MAX_TEXT_CHARS + 1
