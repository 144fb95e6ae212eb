"""Settings that would leave detection blind (issue 23): ``ocr_languages = "osd"`` (reads no
words), languages whose packs are missing, no phrase list — each a named problem (config
check, doctor, a ``degraded`` event) with a safe fallback that still sees a scam."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

from agent import config, events, paths
from agent.app import Agent
from agent.cli import doctor
from agent.config import Settings
from agent.detect import phrases, readable
from agent.platform.fake import FakeBackend
from tests.test_app import SCAM_TEXT, browser, picture
from tests.waiting import wait_event


def test_osd_alone_is_a_named_problem_and_falls_back():
    s, problems = config.parse('language = "fr"\nocr_languages = "osd"\n', "c.toml")
    assert [p.key for p in problems] == ["problem_ocr_blind"] and problems[0].line == 2
    assert "osd" in problems[0].text("fr") and "aucun mot" in problems[0].text("fr")
    assert s.ocr_languages == "auto" and s.tess_langs() == "fra+eng"
    for fine in ("fra+osd", "eng", "auto"):
        assert config.parse(f'ocr_languages = "{fine}"\n')[1] == []


def test_reading_langs_drops_what_cannot_read_and_falls_back():
    have = {"eng", "fra", "osd"}
    assert readable.reading_langs("fra+eng", "fra+eng", have) == ("fra+eng", [])
    langs, problems = readable.reading_langs("osd", "fra+eng", have)
    assert langs == "fra+eng" and any("osd" in p for p in problems)
    langs, problems = readable.reading_langs("fra+osd", "eng", have)
    assert langs == "fra" and problems
    langs, problems = readable.reading_langs("deu", "fra+eng", have)
    assert langs == "fra+eng" and "missing: deu" in problems[-1]
    langs, problems = readable.reading_langs("deu", "spa", {"osd", "eng"})
    assert langs == "eng" and problems                        # any reading pack rather than none
    langs, problems = readable.reading_langs("osd", "fra", {"osd"})
    assert "cannot be read" in problems[-1]                   # named, nothing to fall back to


def test_config_check_and_doctor_name_it(tmp_path):
    cfg = paths.config_file()
    cfg.parent.mkdir(parents=True)
    cfg.write_text('ocr_languages = "osd"\n')
    env = {**os.environ, "LANG": "en_US.UTF-8"}
    r = subprocess.run([sys.executable, "-m", "agent", "config", "check"], env=env, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 1 and "reads no words" in r.stderr
    settings, problems = config.load(cfg, quiet=True)
    check = doctor.check_config(problems, "fr")
    assert check.status == doctor.WARNING and "osd" in check.detail
    lines = doctor.check_tesseract("osd+eng", "en")
    assert [c.status for c in lines if c.id == "lang_osd"] == [doctor.PROBLEM]


def test_no_phrase_list_is_a_named_problem(tmp_path, monkeypatch):
    assets = tmp_path / "assets"
    shutil.copytree(paths.assets_dir(), assets, ignore=shutil.ignore_patterns("phrases"))
    monkeypatch.setenv("VIGIE_ASSETS", str(assets))
    found, errors = phrases.load_all(())
    assert not found and "built-in phrase lists are missing" in str(errors[0])
    check = doctor.check_phrases("fr")
    assert check.status == doctor.PROBLEM and "phrases" in check.detail


def test_agent_with_osd_is_degraded_and_still_sees_the_scam(tmp_path):
    fb = FakeBackend([browser(full=False)])
    fb.set_image(7, picture(SCAM_TEXT))
    a = Agent(Settings(language="en", ocr_languages="osd", scan_interval_seconds=1.0), [], backend=fb,
              downloads_dir=tmp_path / "dl")
    try:
        a.start()
        bad = wait_event(lambda e: e["type"] == "degraded")
        assert any("ocr_languages" in p and "osd" in p for p in bad["problems"])
        assert a.state == "degraded"
        fb.set_windows([browser(full=True, title="Security Warning - Chromium")])
        ev = wait_event(lambda e: e["type"] == "scam_screen")     # read with English instead
        assert ev["family"] == "tss"
    finally:
        a.stop()
    assert [e["type"] for e in events.read()][-1] == "stopped"
