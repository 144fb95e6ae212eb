"""config: defaults, line-accurate problems, bad parts fall back, secrets masked; the CLI."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from agent import cli, config, config_write, paths

BROKEN = """\
language = "fr"
sensitivity = "max"

[helper]
name = "Nadia"
notify = ["mailtos://nadia:hunter2@mail.example.org", "nadia:pw@nowhere"]
heartbeat_hours = "often"

[remote_tools]
mode = "suspend"
colour = "blue"

[shop]
x = 1
"""


def test_no_file_means_defaults():
    assert config.load() == (config.Settings(), [])


def test_each_problem_names_file_line_and_keeps_the_rest():
    path = paths.config_file()
    path.parent.mkdir(parents=True)
    path.write_text(BROKEN, encoding="utf-8")
    s, problems = config.load(path)
    assert (s.language, s.helper_name, s.remote_tools_mode) == ("fr", "Nadia", "suspend")
    assert s.sensitivity == "normal" and s.helper_heartbeat_hours == 24.0
    assert s.helper_notify == ("mailtos://nadia:hunter2@mail.example.org",)
    where = {(p.line, p.message.split()[0]) for p in problems}
    assert where == {(2, "sensitivity"), (6, "helper.notify:"), (7, "helper.heartbeat_hours"),
                     (11, "unknown"), (13, "unknown")}
    assert all(p.file == str(path) for p in problems)
    assert all("pw" not in str(p) and "hunter2" not in str(p) for p in problems)


def test_bad_toml_gives_defaults_and_the_line():
    s, problems = config.parse('language = "fr"\nspeak = tru\n', "c.toml")
    assert s == config.Settings()
    assert len(problems) == 1 and problems[0].line == 2 and "not valid TOML" in problems[0].message
    assert "pas du TOML valide" in problems[0].text("fr")


@pytest.mark.parametrize("text, attr, expected", [
    ("scan_interval_seconds = 0.1", "scan_interval_seconds", 5.0),
    ("scan_interval_seconds = 3", "scan_interval_seconds", 3.0),
    ("speak = 1", "speak", True),
    ("language = \"français\"", "language", "auto"),
    ("country = \"FRA\"", "country", "auto"),
    ("ocr_languages = \"fra eng\"", "ocr_languages", "auto"),
    ("[evidence]\nretention_days = 1.5", "evidence_retention_days", 365),
    ("[remote_tools]\nallowlist = \"rustdesk\"", "remote_tools_allowlist", ("rustdesk",)),
])
def test_types_and_ranges(text, attr, expected):
    s, _problems = config.parse(text)
    assert getattr(s, attr) == expected


def test_a_section_written_as_a_value_is_reported():
    _s, problems = config.parse('helper = "Marie"\n')
    assert problems[0].line == 1 and "section" in problems[0].message


def test_unreadable_file_is_a_problem_not_a_crash(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes(b"language = \"\xff\xfe\"\n")
    s, problems = config.load(path)
    assert s == config.Settings() and "cannot be read" in problems[0].message


def test_as_dict_masks_secrets():
    s = config.Settings(helper_notify=("mailtos://u:s3cret@host.example.org",
                                       "tgram://123456789:AAAAAAAAAAAAAAAAAAAAAAAAAAAA/42"))
    shown = json.dumps(config.as_dict(s))
    assert "s3cret" not in shown and "AAAAAAAAAAAAAAAAAAAAAAAAAAAA" not in shown
    assert config.as_dict(s, mask_secrets=False)["helper"]["notify"][0].endswith("s3cret@host.example.org")


def test_validate_flags_settings_built_in_code():
    assert config.validate(config.Settings()) == []
    problems = config.validate(config.Settings(sensitivity="max", helper_heartbeat_hours=-3.0))
    assert sorted(p.values["name"] for p in problems) == ["helper.heartbeat_hours", "sensitivity"]


# -- vigie config show|path|check (real processes: the way a helper types them) ---------

def _vigie(*args):
    return subprocess.run([sys.executable, "-m", "agent", *args], capture_output=True, text=True, timeout=60)


def test_config_path_and_check_without_file():
    r = _vigie("config", "path")
    assert r.returncode == 0 and r.stdout.strip() == str(paths.config_file())
    r = _vigie("config", "check")
    assert r.returncode == 0 and "default settings" in r.stdout


def test_config_check_names_lines_and_exits_non_zero(monkeypatch):
    path = paths.config_file()
    path.parent.mkdir(parents=True)
    path.write_text(BROKEN, encoding="utf-8")  # language = "fr": the messages are French
    r = _vigie("config", "check")
    assert r.returncode == 1
    assert f"{path}:2: sensitivity doit être" in r.stderr
    assert f"{path}:7: helper.heartbeat_hours" in r.stderr
    assert "hunter2" not in r.stderr and "pw@" not in r.stderr
    assert "Vigie continue de protéger" in r.stderr


def test_config_check_ok_and_show_masks_secrets():
    config_write.save(config.Settings(language="en", helper_notify=("mailtos://bob:hunter2@mail.example.org",)))
    r = _vigie("config", "check")
    assert r.returncode == 0 and "is correct" in r.stdout
    r = _vigie("config", "show")
    assert r.returncode == 0 and "hunter2" not in r.stdout
    assert 'notify = ["mailtos://bob:***@mail.example.org"]' in r.stdout
    data = json.loads(_vigie("config", "show", "--json").stdout)
    assert data["settings"]["helper"]["notify"] == ["mailtos://bob:***@mail.example.org"]
    assert data["exists"] is True and data["problems"] == []


def test_config_show_in_process(capsys):
    assert cli.main(["config"]) == 0  # "show" is the default action
    assert "sensitivity = \"normal\"" in capsys.readouterr().out
