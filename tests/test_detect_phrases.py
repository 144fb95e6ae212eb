"""Phrase lists are data: a malformed user list names its file and line, built-ins keep working."""
from agent.detect import phrases, score
from agent.detect.pipeline import Detector


def test_builtin_lists_cover_the_languages():
    loaded, errors = phrases.load_all(())
    assert not errors
    langs = {p.lang for p in loaded}
    assert {"en", "fr", "de", "es", "it", "nl", "ja"} <= langs
    for lang in ("en", "fr"):
        kinds = {(p.kind, p.family) for p in loaded if p.lang == lang}
        for needed in [("threat", ""), ("call", ""), ("brand", ""), ("counter", ""), ("invoice", "refund"),
                       ("accusation", "summons"), ("intimate", "sextortion"), ("payment", "sextortion")]:
            assert needed in kinds, (lang, needed)


def test_malformed_user_list_names_file_and_line(tmp_path):
    (tmp_path / "broken.toml").write_text('lang = "fr"\n[threat]\nphrases = ["a", \n', encoding="utf-8")
    (tmp_path / "badkind.toml").write_text('lang = "en"\n\n[nonsense]\nphrases = ["x"]\n', encoding="utf-8")
    (tmp_path / "good.toml").write_text('lang = "en"\n[threat]\nphrases = ["grandma alarm"]\n', encoding="utf-8")
    loaded, errors = phrases.load_all((tmp_path,))
    by_file = {e.file.name: e for e in errors}
    assert set(by_file) == {"broken.toml", "badkind.toml"}
    assert by_file["badkind.toml"].line == 3 and "nonsense" in str(by_file["badkind.toml"])
    assert by_file["broken.toml"].line is not None and "broken.toml" in str(by_file["broken.toml"])
    assert any(p.text == "grandma alarm" for p in loaded)          # the good user file is added
    v = score.score_text("Virus detected! Do not restart. Call Microsoft support +1-800-555-0199", loaded)
    assert v.verdict == "scam"                                      # built-ins still work


def test_detector_reports_phrase_errors(tmp_path):
    (tmp_path / "bad.toml").write_text("[threat]\nweight = 'heavy'\n", encoding="utf-8")
    d = Detector("eng", extra_phrase_dirs=(tmp_path,))
    assert len(d.phrase_errors) == 1 and "weight" in str(d.phrase_errors[0])
    assert d.scan_text("Your computer is blocked by a Trojan. Call support now +1-800-555-0199. "
                       "Do not restart.").is_scam


def test_wrong_field_types_are_reported_with_file_and_line(tmp_path):
    (tmp_path / "list_lang.toml").write_text('lang = ["en"]\n[threat]\nphrases = ["grandma alarm"]\n', encoding="utf-8")
    (tmp_path / "table_lang.toml").write_text('\nlang = {a=1}\n[threat]\nphrases = ["x y z"]\n', encoding="utf-8")
    (tmp_path / "fam.toml").write_text('lang = "en"\n[threat]\nfamily = ["tss"]\nphrases = ["abc"]\n', encoding="utf-8")
    (tmp_path / "field.toml").write_text('lang = "en"\n[threat]\nphrase = ["typo"]\n', encoding="utf-8")
    loaded, errors = phrases.load_all((tmp_path,))
    by_file = {e.file.name: e for e in errors}
    assert set(by_file) == {"list_lang.toml", "table_lang.toml", "fam.toml", "field.toml"}
    assert by_file["list_lang.toml"].line == 1 and "lang" in by_file["list_lang.toml"].message
    assert by_file["table_lang.toml"].line == 2
    assert by_file["fam.toml"].line == 2 and "family" in by_file["fam.toml"].message
    assert "phrase" in by_file["field.toml"].message
    # the files were skipped, and scoring a text with their phrases works
    assert not any(p.text in ("grandma alarm", "x y z") for p in loaded)
    assert score.score_text("grandma alarm x y z", loaded).verdict == "ok"


def test_skipped_phrase_file_reported_once_by_vigie_scan(tmp_path):
    import os
    import subprocess
    import sys
    conf = tmp_path / "conf"
    (conf / "phrases").mkdir(parents=True)
    (conf / "phrases" / "bad.toml").write_text('lang = ["en"]\n', encoding="utf-8")
    text = tmp_path / "t.txt"
    text.write_text("hello", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "agent", "scan", str(text)], capture_output=True, text=True,
                         timeout=120, env={**os.environ, "VIGIE_CONFIG": str(conf / "config.toml")})
    assert out.stderr.count("bad.toml") == 1, out.stderr
