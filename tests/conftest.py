"""Shared fixtures: isolated folders for every test, the real X11 desktop, the corpus."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
DESKTOP_SCRIPT = ROOT / "scripts" / "desktop-session.sh"
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
# One locale for the whole suite, whatever the developer's: with no config, Vigie speaks the
# system's language, and tests that expect English words must not depend on the machine.
# (Tests of the French texts set the config language or LANG themselves.)
for _var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_var, None)
os.environ["LANG"] = "C.UTF-8"


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path, monkeypatch):
    """Each test writes its data, config and logs under its own tmp_path."""
    monkeypatch.setenv("VIGIE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("VIGIE_CONFIG", str(tmp_path / "config" / "config.toml"))
    monkeypatch.setenv("VIGIE_LOG_DIR", str(tmp_path / "log"))
    from agent import i18n
    i18n.catalogue.cache_clear()
    return tmp_path


@pytest.fixture(scope="session")
def desktop():
    """A real X11 desktop (Xvfb + openbox + D-Bus + dunst) for the whole session.

    Uses display ``:$VIGIE_TEST_DISPLAY_NUM`` (default 99). Yields the environment
    (``DISPLAY``, ``DBUS_SESSION_BUS_ADDRESS``), which is also set in ``os.environ``.
    """
    if not shutil.which("Xvfb"):
        pytest.skip("Xvfb is not installed (scripts/setup.sh --test installs it)")
    num = os.environ.get("VIGIE_TEST_DISPLAY_NUM", "99")
    out = subprocess.run([str(DESKTOP_SCRIPT), "start", num], capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        pytest.fail(f"desktop session did not start: {out.stderr}")
    env = {}
    for line in out.stdout.splitlines():
        if line.startswith("export "):
            k, _, v = line[len("export "):].partition("=")
            env[k] = v.strip("'\"")
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    yield env
    subprocess.run([str(DESKTOP_SCRIPT), "stop", num], capture_output=True, timeout=60)
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(scope="session")
def corpus():
    """The shared labelled corpus (read-only, never copied into the project)."""
    if not (CORPUS / "labels.csv").is_file():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return CORPUS
