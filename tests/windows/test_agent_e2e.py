"""`vigie run --no-tray` end to end under the Windows Python, with no help from the harness:
the WinEvent hooks are set (and silent under Wine; the safety look sees the page), and
process names come from the backend's own fallback. A chrome.exe page shows a locker
fullscreen -> scam_screen, the alert in front, the evidence folder; AnyDesk.exe starts ->
remote_tool; the hooks that missed the page are reported: a `degraded` event (the screen
watcher asks the backend's problems every 30 s). The agent is stopped by ending its process tree (Wine has no
GenerateConsoleCtrlEvent, so a console CTRL_BREAK stop cannot be shown here)."""
import json
import os
import subprocess
import sys

import psutil
import pytest

from tests.waiting import wait_for
from tests.windows.harness import ROOT, artefact, in_front, python_env

LOCKER = os.path.join(ROOT, "assets", "samples", "locker-en.png")


def events(path):
    try:
        with open(path, encoding="utf-8") as fh:
            return [json.loads(x) for x in fh if x.strip()]
    except FileNotFoundError:
        return []


def first(path, kind, timeout):
    return wait_for(lambda: next((e for e in events(path) if e["type"] == kind), None), timeout)


def end_tree(proc):
    try:
        kids = psutil.Process(proc.pid).children(recursive=True)
    except psutil.Error:
        kids = []
    proc.kill()
    for c in kids:
        try:
            c.kill()
        except psutil.Error:
            pass


@pytest.fixture
def agent(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text('language = "en"\nocr_languages = "eng"\nspeak = false\n\n[helper]\nname = "Julie"\n'
                   'phone = "06 12 34 56 78"\n', encoding="utf-8")
    data = tmp_path / "data"
    log = open(artefact("e2e-agent.log"), "w", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "agent", "run", "--no-tray"], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT,
                            env=python_env(VIGIE_DATA_DIR=str(data), VIGIE_LOG_DIR=str(tmp_path / "log"),
                                           VIGIE_CONFIG=str(cfg)))
    import threading

    def copy():
        for line in proc.stdout:
            log.write(line.decode("utf-8", "replace"))
            log.flush()
    threading.Thread(target=copy, daemon=True).start()
    try:
        ev = str(data / "events.jsonl")
        assert first(ev, "started", 120), events(ev)
        yield ev, data
    finally:
        end_tree(proc)
        log.close()


def test_fullscreen_locker_then_anydesk(agent, backend, page, stand_ins):
    ev, data = agent
    assert in_front(backend, page.pid)
    assert page.send("image " + LOCKER)
    assert page.send("full")
    scam = first(ev, "scam_screen", 180)
    assert scam, [e["type"] for e in events(ev)]
    assert scam.get("family") == "tss" and "chrome" in str(scam.get("process", "")).lower(), scam
    shown = first(ev, "alert_shown", 60)
    assert shown and shown.get("incident"), [e["type"] for e in events(ev)]
    folder = data / "evidence" / shown["incident"]
    assert (folder / "manifest.json").is_file() and (folder / "screenshot.png").is_file(), list(folder.iterdir())
    fg = wait_for(lambda: (lambda a: a if a and a.title.startswith("Vigie") else None)(backend.active_window()), 60)
    assert fg is not None, backend.active_window()
    backend.capture().save(artefact("e2e-alert.png"))
    tool = subprocess.Popen([stand_ins["AnyDesk.exe"], "-c", "import time; time.sleep(120)"])
    try:
        rt = first(ev, "remote_tool", 90)
        assert rt and "anydesk" in json.dumps(rt).lower(), rt
    finally:
        tool.kill()
    hooks = wait_for(lambda: next((e for e in events(ev) if e["type"] == "degraded"
                                   and "WinEvent hooks" in str(e.get("problem"))), None), 90)
    assert hooks and hooks["part"].startswith("platform:"), [(e["type"], e.get("problem")) for e in events(ev)]
