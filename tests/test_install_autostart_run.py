"""The installed autostart entry really starts `vigie run`: its Exec= line is executed on
a real X11 desktop, as the session would, and the agent records its `started` event."""
from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import time

import pytest

from agent import cli, events, paths
from agent.install import xdg


@pytest.mark.desktop
def test_autostart_entry_starts_vigie_run(desktop, tmp_path, monkeypatch, capsys):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("VIGIE_LAUNCHER", raising=False)
    assert cli.main(["install", "--silent", "--lang", "fr", "--helper-name", "Marie"]) == 0
    entry = xdg.read_entry(home / ".config" / "autostart" / "vigie.desktop")
    argv = shlex.split(entry["Exec"])  # a plain path: the shell's split must agree with ours
    assert argv == xdg.parse_exec(entry["Exec"]) and argv[-1] == "run"
    assert os.access(entry["TryExec"], os.X_OK)
    # The session starts it from HOME, with no terminal and only the session's environment.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    proc = subprocess.Popen(argv, cwd=home, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    started = None
    try:
        deadline = time.monotonic() + 90  # a generous limit, not a measured figure
        while time.monotonic() < deadline and proc.poll() is None:
            started = next((e for e in events.read() if e.get("type") == "started"), None)
            if started:
                break
            time.sleep(0.2)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            out, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
    assert started, f"no started event; exit {proc.returncode}; stderr: {err.decode()[-2000:]}"
    assert started.get("version")
    assert proc.returncode is not None  # ended by the session's SIGTERM
    print(json.dumps(started), "exit", proc.returncode, [e["type"] for e in events.read()])
    assert paths.events_file().is_file()
