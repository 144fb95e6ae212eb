"""config_write: the commented template, atomic save, update, first run."""
from __future__ import annotations

import os
import stat
import sys

import pytest

from agent import config, config_write, paths


def _full_settings():
    return config.Settings(language="fr", country="BE", ocr_languages="fra+eng", sensitivity="high",
                           speak=False, scan_interval_seconds=2.5, helper_name='Marie "la grande" Éloïse',
                           helper_phone="+1-800-555-0142", helper_notify=("mailtos://u:s3cret@mail.example.org",),
                           helper_attach_screenshot=True, helper_heartbeat_hours=12.0,
                           remote_tools_mode="suspend", remote_tools_allowlist=("rustdesk", "a\\b"),
                           remote_tools_allow_hours="09:00-18:00", remote_tools_containment_minutes=10.0,
                           evidence_retention_days=30)


def test_render_round_trips_every_setting_with_both_languages_comments():
    s = _full_settings()
    text = config_write.render(s)
    back, problems = config.parse(text, "x.toml")
    assert problems == []
    assert back == s
    lines = text.splitlines()
    for section, key in config.SCHEMA:
        i = next(n for n, line in enumerate(lines) if line.startswith(f"{key} = "))
        # the two lines above each setting are its English and French comments
        assert lines[i - 2].startswith("# ") and lines[i - 1].startswith("# ")
        assert lines[i - 2] != lines[i - 1]
    assert "Réglages de Vigie" in text and "Vigie settings" in text


def test_render_of_defaults_parses_to_defaults():
    back, problems = config.parse(config_write.render(config.Settings()))
    assert problems == [] and back == config.Settings()


def test_save_is_private_and_creates_the_folder(tmp_path):
    target = tmp_path / "deep" / "er" / "config.toml"
    config_write.save(_full_settings(), target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert config.load(target) == (_full_settings(), [])
    assert [p.name for p in target.parent.iterdir()] == ["config.toml"]  # no temp file left


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="needs POSIX permissions, not root")
def test_read_only_folder_gives_clear_error_and_nothing_half_written(tmp_path):
    folder = tmp_path / "ro"
    target = folder / "config.toml"
    config_write.save(config.Settings(), target)
    before = target.read_bytes()
    folder.chmod(0o500)
    try:
        with pytest.raises(config_write.ConfigWriteError) as err:
            config_write.save(_full_settings(), target)
        assert str(target) in str(err.value)
        assert "Permission denied" in str(err.value)
        assert str(target) in err.value.text("fr") and "impossible d'enregistrer" in err.value.text("fr")
        assert target.read_bytes() == before
        assert [p.name for p in folder.iterdir()] == ["config.toml"]
    finally:
        folder.chmod(0o700)


def test_update_applies_validated_changes_and_keeps_the_rest():
    path = paths.config_file()
    config_write.save(config.Settings(helper_name="Paul"), path)
    new = config_write.update(helper_notify=["ntfy://ntfy.example.org/vigie-test"], language="fr",
                              helper_heartbeat_hours=6)
    assert new.helper_notify == ("ntfy://ntfy.example.org/vigie-test",)
    assert new.helper_heartbeat_hours == 6.0 and isinstance(new.helper_heartbeat_hours, float)
    loaded, problems = config.load(path)
    assert problems == [] and loaded == new and loaded.helper_name == "Paul"


@pytest.mark.parametrize("changes, word", [
    ({"sensitivity": "max"}, "sensitivity"),
    ({"helper_heartbeat_hours": -1}, "heartbeat_hours"),
    ({"helper_notify": ["not an address"]}, "helper.notify"),
    ({"no_such_thing": 1}, "no_such_thing"),
    ({"speak": "yes"}, "speak"),
])
def test_update_refuses_bad_changes_and_leaves_the_file(changes, word):
    path = paths.config_file()
    config_write.save(config.Settings(helper_name="Paul"), path)
    before = path.read_bytes()
    with pytest.raises(config_write.ConfigWriteError) as err:
        config_write.update(**changes)
    assert word in str(err.value)
    assert path.read_bytes() == before


def test_update_of_a_damaged_file_keeps_a_backup():
    path = paths.config_file()
    path.parent.mkdir(parents=True)
    path.write_text('language = "fr"\nsensitivity = 12\n', encoding="utf-8")
    new = config_write.update(helper_name="Nadia")
    assert new.language == "fr" and new.helper_name == "Nadia" and new.sensitivity == "normal"
    assert path.with_name("config.toml.bak").read_text(encoding="utf-8").endswith("sensitivity = 12\n")
    assert config.load(path)[1] == []


def test_ensure_exists_writes_defaults_once():
    path = paths.config_file()
    assert config_write.ensure_exists() is True
    assert config.load(path) == (config.Settings(), [])
    path.write_text('language = "en"\n', encoding="utf-8")
    assert config_write.ensure_exists() is False
    assert path.read_text(encoding="utf-8") == 'language = "en"\n'


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="needs POSIX permissions, not root")
def test_ensure_exists_never_raises_on_a_read_only_folder(tmp_path, caplog):
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o500)
    try:
        assert config_write.ensure_exists(folder / "config.toml") is False
        assert "cannot write the settings file" in caplog.text
    finally:
        folder.chmod(0o700)


def test_toml_value_escapes():
    assert config_write.toml_value('a"b\\c\n') == '"a\\"b\\\\c\\n"'
    assert config_write.toml_value(3.0) == "3.0" and config_write.toml_value(1e20) == "1e+20"
    with pytest.raises(TypeError):
        config_write.toml_value(object())


def test_unwritable_place_gives_clear_error_even_as_root(tmp_path):
    """A file where the folder should be fails for every user, root included."""
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    with pytest.raises(config_write.ConfigWriteError) as err:
        config_write.save(_full_settings(), blocker / "config.toml")
    assert str(blocker / "config.toml") in str(err.value)
    assert blocker.read_text() == "not a folder"
    assert config_write.ensure_exists(blocker / "config.toml") is False


def test_failed_rename_leaves_old_file_and_no_temp(tmp_path):
    """The target is a folder: the rename fails after the temp file was written."""
    target = tmp_path / "config.toml"
    target.mkdir()
    (target / "keep").write_text("x")
    with pytest.raises(config_write.ConfigWriteError):
        config_write.save(_full_settings(), target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]
    assert (target / "keep").read_text() == "x"
