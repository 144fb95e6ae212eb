"""The throwaway X11 desktop the benchmarks run on (scripts/desktop-session.sh)."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "desktop-session.sh"


def start(num: str) -> dict | None:
    """Start display ``:num``; the environment to run programs on it (None: it did not
    start, the reason is printed)."""
    out = subprocess.run([str(SCRIPT), "start", num], capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        print(out.stderr)
        return None
    env = dict(os.environ)
    for line in out.stdout.splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        env[key] = value.strip("'\"")
    return env


def stop(num: str) -> None:
    subprocess.run([str(SCRIPT), "stop", num], capture_output=True, timeout=60)
