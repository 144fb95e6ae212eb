"""config: any file content (deep nesting, binary junk, huge, wrong encoding, a folder, no
permission) gives defaults and a named problem, in every command, `vigie run` included;
`config check` and `run` share one validation (issue 15)."""
from __future__ import annotations

import datetime as _dt
import json
import os
import signal
import subprocess
import sys

import pytest

from agent import config, config_write, paths
from agent.watch import allowlist
from tests.waiting import wait_event

DEEP_LIST = "x = " + "[" * 500 + "]" * 500 + "\n"
DEEP_TABLE = "x = " + "{a = " * 500 + "1" + "}" * 500 + "\n"

HOSTILE = {
    "deep list": DEEP_LIST.encode(),
    "deep inline tables": DEEP_TABLE.encode(),
    "deep under a section": ('language = "fr"\n[helper]\nnotify = ' + "[" * 300 + "]" * 300 + "\n").encode(),
    "binary junk": bytes(range(256)) * 8,
    "NUL bytes": b'language = "fr"\x00\x00\n',
    "cp1252": 'language = "fr"\nname = "Hélène"\n'.encode("cp1252"),
    "huge": b'language = "fr"\n' + b"# " + b"x" * (3 << 20) + b"\n",
    "many unknown keys": "".join(f"k{i} = {i}\n" for i in range(20000)).encode(),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_any_content_gives_defaults_and_a_named_problem(name):
    path = paths.config_file()
    path.parent.mkdir(parents=True)
    path.write_bytes(HOSTILE[name])
    settings, problems = config.load(path)
    assert isinstance(settings, config.Settings) and problems
    assert all(p.file == str(path) for p in problems)
    assert all(p.text("fr") and p.text("en") for p in problems[:3])


def test_deep_nesting_names_the_line_and_the_reason():
    _s, problems = config.parse('language = "fr"\n\n' + DEEP_LIST, "c.toml")
    assert [(p.line, p.key) for p in problems] == [(3, "problem_deep")]
    assert "nested" in problems[0].text("en") and "imbriqués" in problems[0].text("fr")
    # brackets inside strings and comments are not nesting
    s, problems = config.parse('# [[[[[[[[[[[[[[[[[[[[[[[[[\nlanguage = "fr"\nhelper = {name = "[[[[[[[[[[[[[[[[[[[[[[["}\n')
    assert s.language == "fr" and s.helper_name == "[[[[[[[[[[[[[[[[[[[[[[[" and problems == []


def test_wrong_encoding_names_the_line():
    path = paths.config_file()
    path.parent.mkdir(parents=True)
    path.write_bytes(HOSTILE["cp1252"])
    _s, problems = config.load(path)
    assert problems[0].line == 2 and "UTF-8" in problems[0].text("en")


def test_a_folder_and_an_unreadable_file(tmp_path):
    folder = tmp_path / "config.toml"
    folder.mkdir()
    s, problems = config.load(folder)
    assert s == config.Settings() and "cannot be read" in problems[0].message
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)              # nobody writes into it: reading it would block start-up forever
    s, problems = config.load(fifo)
    assert s == config.Settings() and "not a regular file" in problems[0].message
    link = tmp_path / "zero.toml"
    link.symlink_to("/dev/zero")
    assert "not a regular file" in config.load(link)[1][0].message
    if os.geteuid() == 0:
        return                   # root reads anything; the folder case above is the same path
    f = tmp_path / "locked.toml"
    f.write_text('language = "fr"\n')
    f.chmod(0)
    s, problems = config.load(f)
    assert s == config.Settings() and "cannot be read" in problems[0].message


def _vigie(*args, **kw):
    return subprocess.run([sys.executable, "-m", "agent", *args], capture_output=True, text=True,
                          timeout=120, **kw)


@pytest.mark.parametrize("content", [DEEP_LIST, DEEP_TABLE], ids=["list", "table"])
def test_every_command_survives_a_deep_file(tmp_path, content):
    path = paths.config_file()
    path.parent.mkdir(parents=True)
    path.write_text(content)
    r = _vigie("config", "check")
    assert r.returncode == 1 and "nested more than" in r.stderr and "Traceback" not in r.stderr
    r = _vigie("config", "show", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["problems"][0]["line"] == 1
    text = tmp_path / "page.txt"
    text.write_text("hello, this is a normal page")
    r = _vigie("scan", str(text))
    assert r.returncode == 0 and "Traceback" not in r.stderr
    r = _vigie("evidence", "list")
    assert r.returncode == 0 and "Traceback" not in r.stderr


def test_run_starts_degraded_with_a_deep_file(tmp_path):
    """`vigie run` with a 1 kB file nested 500 deep: protection starts, `started.problems`
    and a `degraded` event name the file."""
    path = paths.config_file()
    path.parent.mkdir(parents=True)
    path.write_text(DEEP_TABLE)
    proc = subprocess.Popen([sys.executable, "-m", "agent", "run", "--no-tray"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        started = wait_event(lambda e: e["type"] == "started")
        degraded = wait_event(lambda e: e["type"] == "degraded")
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
    assert any(str(path) in p and "nested" in p for p in started["problems"])
    assert any(str(path) in p for p in degraded["problems"])
    assert "Traceback" not in err and "RecursionError" not in err


def test_allow_hours_one_validation_for_check_and_run():
    path = paths.config_file()
    path.parent.mkdir(parents=True)
    path.write_text('[remote_tools]\nallowlist = ["rustdesk"]\nallow_hours = "25:00-99:99"\n')
    r = _vigie("config", "check")
    assert r.returncode == 1 and ":3: remote_tools.allow_hours" in r.stderr
    settings, problems = config.load(path)
    assert [p.key for p in problems] == ["problem_hours"]
    # what run does with it: no hour is allowed (a warning too many, never a tool let through)
    assert allowlist.hours_problem(settings.remote_tools_allow_hours) is None
    noon = _dt.datetime(2026, 1, 1, 12, 0)
    assert not allowlist.in_hours(settings.remote_tools_allow_hours, noon)
    with pytest.raises(config_write.ConfigWriteError):
        config_write.check_change("remote_tools_allow_hours", "25:00-99:99")
    assert config.validate(config.Settings(remote_tools_allow_hours="2pm")) != []
    assert config.parse('[remote_tools]\nallow_hours = "22:00-02:00"\n')[1] == []


def test_writing_over_a_damaged_file_keeps_its_bytes():
    path = paths.config_file()
    path.parent.mkdir(parents=True)
    path.write_bytes(HOSTILE["cp1252"] + HOSTILE["binary junk"])
    new = config_write.update(path, language="fr")
    assert new.language == "fr" and config.load(path) == (new, [])
    assert path.with_name("config.toml.bak").read_bytes() == HOSTILE["cp1252"] + HOSTILE["binary junk"]
