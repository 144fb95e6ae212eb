"""vigie doctor: real Tesseract, real screen grab, real sockets; exit status rules."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from agent import config, config_write
from agent.cli import doctor
from agent.detect import ocr


def _doctor(*args, env=None):
    r = subprocess.run([sys.executable, "-m", "agent", "doctor", *args], capture_output=True, text=True,
                       timeout=120, env={**os.environ, **(env or {})})
    return r


def _by_id(data):
    return {c["id"]: c for c in data["checks"]}


@pytest.fixture
def tessdata_eng_only(tmp_path):
    """A tessdata folder holding only English (TESSDATA_PREFIX points at it)."""
    real = ocr.tessdata_dir()
    if not real or not Path(real, "eng.traineddata").is_file():
        pytest.skip("Tesseract with the English pack is needed")
    folder = tmp_path / "tessdata"
    folder.mkdir()
    (folder / "eng.traineddata").symlink_to(Path(real, "eng.traineddata"))
    return folder


def test_missing_language_pack_is_a_problem(tessdata_eng_only):
    r = _doctor("--lang", "fra+eng", "--json", env={"TESSDATA_PREFIX": str(tessdata_eng_only), "LANG": "en_GB.UTF-8"})
    data = json.loads(r.stdout)
    checks = _by_id(data)
    assert r.returncode == 1 and data["ok"] is False
    assert checks["lang_fra"]["status"] == "problem"
    assert "missing" in checks["lang_fra"]["detail"] and "eng" in checks["lang_fra"]["detail"]
    assert "tesseract-ocr-fra" in checks["lang_fra"]["fix"]
    assert checks["lang_eng"]["status"] == "ok"
    assert str(tessdata_eng_only) in checks["tesseract"]["detail"]


def test_missing_pack_in_plain_french_words(tessdata_eng_only):
    config_write.save(config.Settings(language="fr", ocr_languages="fra+eng"))
    r = _doctor(env={"TESSDATA_PREFIX": str(tessdata_eng_only)})
    assert r.returncode == 1
    line = next(x for x in r.stdout.splitlines() if "fra" in x and "Paquet de langue" in x)
    assert line.startswith("PROBLÈME") and "absent" in line
    assert "NE PEUT PAS protéger" in r.stdout


def test_a_wrong_tessdata_prefix_is_named(tmp_path):
    r = _doctor("--lang", "eng", "--json", env={"TESSDATA_PREFIX": str(tmp_path / "nowhere")})
    checks = _by_id(json.loads(r.stdout))
    assert checks["tessdata"]["status"] == "problem" and "nowhere" in checks["tessdata"]["detail"]
    assert r.returncode == 1


def test_no_display_is_a_problem():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    r = subprocess.run([sys.executable, "-m", "agent", "doctor", "--lang", "eng", "--json"], capture_output=True,
                       text=True, timeout=120, env=env)
    checks = _by_id(json.loads(r.stdout))
    assert checks["capture"]["status"] == "problem" and checks["tray"]["status"] == "warning"
    assert r.returncode == 1


def test_unwritable_data_folder_is_a_problem(tmp_path):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    r = _doctor("--lang", "eng", "--json", env={"VIGIE_DATA_DIR": str(blocker / "data")})
    checks = _by_id(json.loads(r.stdout))
    assert checks["data_dir"]["status"] == "problem" and str(blocker) in checks["data_dir"]["detail"]
    assert r.returncode == 1


@pytest.mark.parametrize("url, expected", [
    ("mailtos://u:p@mail.example.org", ("mail.example.org", 587)),
    ("mailto://u:p@mail.example.org:2525", ("mail.example.org", 2525)),
    ("ntfy://vigie-topic", ("ntfy.sh", 80)),
    ("ntfys://ntfy.example.org/topic", ("ntfy.example.org", 443)),
    ("tgram://123456:ABCDEF/42", ("api.telegram.org", 443)),
    ("jsons://hooks.example.org/x", ("hooks.example.org", 443)),
    ("mailtos://user:{secret:smtp}@mail.example.org", ("mail.example.org", 587)),
    ("weird://thing", None),
])
def test_helper_endpoints(url, expected):
    assert doctor.endpoint(url) == expected


@pytest.mark.desktop
def test_everything_essential_works_on_the_desktop(desktop, tmp_path):
    """Real display + dunst + a live and a dead helper server: warnings only, but Vigie is
    not running, so the verdict says it does not protect now (exit 1)."""
    live = socket.socket()
    live.bind(("127.0.0.1", 0))
    live.listen()
    dead = socket.socket()
    dead.bind(("127.0.0.1", 0))
    dead_port = dead.getsockname()[1]
    dead.close()  # nothing listens there any more
    try:
        config_write.save(config.Settings(language="en", ocr_languages="eng", helper_notify=(
            f"json://127.0.0.1:{live.getsockname()[1]}/hook", f"json://127.0.0.1:{dead_port}/hook",
            "mailtos://u:hunter2@127.0.0.1:1")))
        r = _doctor("--json")
    finally:
        live.close()
    data = json.loads(r.stdout)
    checks = data["checks"]
    by = _by_id(data)
    assert r.returncode == 1 and data["ok"] is False and data["running"] is False, r.stdout
    assert [c["id"] for c in checks if c["status"] == "problem"] == ["agent"]
    assert "NOT protecting" in data["verdict"] and " run" in by["agent"]["fix"]
    assert by["capture"]["status"] == "ok" and by["data_dir"]["status"] == "ok"
    assert by["notifications"]["status"] == "ok"          # dunst owns org.freedesktop.Notifications
    assert by["tray"]["status"] == "warning"               # no tray host on this desktop
    helpers = [c for c in checks if c["id"] == "helper"]
    assert [c["status"] for c in helpers] == ["ok", "warning", "warning"]
    assert "hunter2" not in r.stdout


@pytest.mark.desktop
def test_plain_output_has_one_line_per_check_and_fixes(desktop):
    config_write.save(config.Settings(language="en", ocr_languages="eng", speak=False))
    r = _doctor()
    assert r.returncode == 1          # nothing runs: not protecting now
    lines = r.stdout.splitlines()
    assert any(x.startswith("OK") and "Screen capture" in x for x in lines)
    assert any(x.startswith("WARNING") and "Icon next to the clock" in x for x in lines)
    assert any(x.strip().startswith("→") and "vigie helper add" in x for x in lines)
    assert any("Spoken warning: turned off" in x for x in lines)
    assert lines[-1].startswith("Vigie is NOT protecting this computer now - start it with: ")


def test_macos_screen_recording_permission_refused(monkeypatch):
    """The one macOS call is faked (it cannot run here); the decision around it is real."""
    monkeypatch.setattr(doctor, "_mac_screen_permission", lambda: False)
    c = doctor.check_capture("fr", platform="darwin")[0]
    assert c.status == "problem" and "Enregistrement de l'écran" in c.fix


def test_other_systems_provide_notifications_and_speech():
    s = config.Settings()
    assert doctor.check_notifications("en", platform="win32").status == "ok"
    assert doctor.check_speech(s, "en", platform="darwin").status == "ok"
    assert doctor.check_speech(s.replace(speak=False), "en").detail == "turned off in the settings"


def test_speech_missing_is_only_a_warning(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    c = doctor.check_speech(config.Settings(), "en", platform="linux")
    assert c.status == "warning" and "espeak-ng" in c.fix


def test_a_silent_heartbeat_or_a_stuck_worker_is_not_protecting():
    """state/agent.json as a running agent writes it (this process is the 'agent'): fresh →
    protecting; its heartbeat 2 minutes old (SIGSTOP) or its worker stuck → NOT protecting."""
    import datetime as _dt
    import json as _json
    import os as _os

    import psutil

    from agent import agent_status
    from agent.cli import doctor as doctor_mod
    assert agent_status.write("protecting", "2026-12-07T10:00:00+00:00", alive_every=5.0)
    assert agent_status.read()["running"] and not agent_status.read()["stale"]
    assert doctor_mod.check_agent("en").status == "ok"
    old = (_dt.datetime.now().astimezone() - _dt.timedelta(minutes=2)).isoformat()
    data = {"state": "protecting", "pid": _os.getpid(), "started": old, "updated": old, "problems": [],
            "process_started": psutil.Process().create_time(), "alive_every": 5.0, "worker_ok": True}
    agent_status.path().write_text(_json.dumps(data))
    check = doctor_mod.check_agent("en")
    assert check.status == "problem" and "NOT protecting" in check.detail
    assert "ne protège pas" in doctor_mod.check_agent("fr").detail.lower()
    assert agent_status.write("protecting", old, alive_every=5.0, worker_ok=False)   # fresh, but stuck
    assert agent_status.read()["stale"] and doctor_mod.check_agent("en").status == "problem"


def test_the_sessions_language_pack_is_offered_not_installed(tessdata_eng_only):
    """A Polish session whose pack is missing: doctor names the apt package (a warning: English
    still reads the page), and installs nothing."""
    r = _doctor("--json", env={"TESSDATA_PREFIX": str(tessdata_eng_only), "LANG": "pl_PL.UTF-8", "LC_ALL": "",
                               "LC_MESSAGES": "", "LANGUAGE": ""})
    checks = _by_id(json.loads(r.stdout))
    assert checks["lang_pol"]["status"] == "warning", checks.get("lang_pol")
    assert "tesseract-ocr-pol" in checks["lang_pol"]["fix"]
    assert not Path(tessdata_eng_only, "pol.traineddata").exists()
