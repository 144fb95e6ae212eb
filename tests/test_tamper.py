"""Tampering with Vigie while it runs is told to the helper, for real: `vigie run --no-tray`
as a process, the scammer's moves made as another program would (files removed or
rewritten, `vigie helper remove`, a real flock(1) holding the lock), a JSON webhook on
127.0.0.1 as the helper's address."""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests.test_helper_live import Run
from tests.test_helper_servers import hook  # noqa: F401 - the fixture
from tests.waiting import wait_for

TITLE = "Vigie: its protection was changed on Jeanne's computer"


def _run(tmp_path, hook) -> Run:
    run = Run(tmp_path)
    run.config.write_text(run.config.read_text() + f'notify = ["{hook.url()}"]\n', encoding="utf-8")
    return run


def _told(hook, words: str):
    """The first tamper message whose text holds ``words``."""
    for _h, body in hook.received:
        if body.get("title") == TITLE and words in " ".join(body.get("message", "").split()):
            return body
    return None


def _tampered(run, what: str) -> list[dict]:
    return [e for e in run.events() if e["type"] == "tampered" and e["what"] == what]


def test_removing_every_helper_address_is_told_to_the_old_ones(tmp_path, hook):
    run = _run(tmp_path, hook)
    run.start()
    out = run.vigie("helper", "remove", "1")
    assert out.returncode == 0, out.stderr
    assert wait_for(lambda: _told(hook, "the helper addresses were changed"), 60)
    body = _told(hook, "the helper addresses were changed")
    assert f"Before: {hook.url()}" in body["message"] and "Now:" not in body["message"]   # now: none
    assert _tampered(run, "helper_changed")[0]["after"] == []
    run.stop()                             # the next move is still heard, by the old helper
    assert any(b.get("title", "").startswith("Vigie was stopped on Jeanne's computer") for _h, b in hook.received)


def test_a_broken_settings_file_keeps_the_last_good_helper_addresses(tmp_path, hook):
    run = _run(tmp_path, hook)
    run.start()
    text = run.config.read_text()
    run.config.write_text(text + "allowlist = [\"AnyDesk\"\n", encoding="utf-8")     # one broken line
    assert wait_for(lambda: _told(hook, "the settings file can no longer be read"), 60)
    run.stop()
    n = len(hook.received)
    run.start()                            # a start with the broken file: the helper still hears
    assert wait_for(lambda: len(hook.received) > n and _told(hook, "can no longer be read"), 60)
    assert len(_tampered(run, "settings_broken")) == 2
    run.stop()


def test_an_allow_list_line_added_by_another_program_is_told(tmp_path, hook):
    run = _run(tmp_path, hook)
    run.start()
    text = run.config.read_text()
    run.config.write_text(text + '[remote_tools]\nallowlist = ["AnyDesk"]\n', encoding="utf-8")
    assert wait_for(lambda: _told(hook, "Settings: [remote_tools] allowlist"), 60)
    assert _told(hook, "settings that weaken or change the protection were changed")
    run.stop()


def test_the_settings_file_deleted_keeps_the_helper(tmp_path, hook):
    run = _run(tmp_path, hook)
    run.start()
    run.config.unlink()
    assert wait_for(lambda: _told(hook, "the settings file was deleted"), 60)
    run.stop()


def test_the_autostart_entry_and_the_evidence_folder_removed_are_told(tmp_path, hook):
    run = _run(tmp_path, hook)
    entry = tmp_path / "autostart" / "vigie.desktop"
    entry.parent.mkdir()
    entry.write_text("[Desktop Entry]\nType=Application\nName=Vigie\nExec=vigie run\n")
    (run.data / "state").mkdir(parents=True)
    (run.data / "state" / "install.json").write_text(json.dumps({"version": 1, "backend": "xdg",
                                                                  "files": [str(entry)]}))
    incident = run.data / "evidence" / "2026-12-07T01-02-03_tss"
    incident.mkdir(parents=True)
    (incident / "manifest.json").write_text("{}")
    run.start()
    entry.write_text("[Desktop Entry]\nType=Application\nName=Vigie\nExec=true\nHidden=true\n")
    assert wait_for(lambda: _tampered(run, "autostart_rewritten"), 60)
    entry.unlink()
    assert wait_for(lambda: _told(hook, "the entry that starts Vigie with the computer was removed"), 60)
    shutil.rmtree(run.data / "evidence")
    assert wait_for(lambda: _told(hook, "the evidence folder (or a part of it) was deleted"), 60)
    assert _tampered(run, "evidence_removed")[0]["file"] == str(run.data / "evidence")
    run.stop()


def test_a_squatted_lock_does_not_keep_vigie_from_starting_and_is_told(tmp_path, hook):
    if not shutil.which("flock"):
        pytest.skip("flock(1) is not installed")
    run = _run(tmp_path, hook)
    lock = run.data / "state" / "vigie.lock"
    lock.parent.mkdir(parents=True)
    lock.touch()
    squatter = subprocess.Popen(["flock", str(lock), "sleep", "600"])
    try:
        assert wait_for(lambda: str(lock.stat().st_ino) in open("/proc/locks").read(), 30)
        run.start()                        # it starts: no "already running (process ?)"
        assert wait_for(lambda: _told(hook, "held Vigie's single-instance lock"), 60)
        body = _told(hook, "held Vigie's single-instance lock")
        assert f"process {squatter.pid}" in body["message"] and "sleep" in body["message"]
        second = run.vigie("run", "--no-tray")
        assert second.returncode == 3      # a second Vigie is still refused
        run.stop()
    finally:
        squatter.kill()
        squatter.wait()
