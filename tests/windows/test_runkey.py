"""`vigie install` / `uninstall`: the per-user Run key in (Wine's) real registry."""
import subprocess
import winreg

import pytest

from agent.install import winrun
from tests.windows.harness import run_python

RUN = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run"
APPROVED = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run"


def reg(*args) -> str:
    return subprocess.run(["reg", *args], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          errors="replace", timeout=120).stdout


@pytest.fixture
def clean_run_key():
    winrun.uninstall()
    yield
    winrun.uninstall()


def test_install_sets_the_run_key_and_uninstall_removes_it(clean_run_key):
    r = run_python("-m", "agent", "install", "--silent", "--lang", "en", "--country", "FR",
                   "--helper-name", "Julie", "--helper-phone", "06 12 34 56 78")
    assert r.returncode == 0, r.stdout + r.stderr
    line = winrun.command()
    assert line and line.endswith("-m agent run") and "pythonw.exe" in line.lower(), line
    assert "Vigie" in reg("query", RUN, "/v", "Vigie"), "reg.exe sees the value too"
    assert winrun.is_installed()
    # Task Manager's "disabled" mark: doctor warns, a new install re-enables
    with winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, winrun.APPROVED_KEY, 0, winreg.KEY_SET_VALUE) as key:
        winreg.SetValueEx(key, "Vigie", 0, winreg.REG_BINARY, bytes([3] + [0] * 11))
    assert not winrun.is_installed()
    r = run_python("-m", "agent", "install", "--silent")
    assert r.returncode == 0 and winrun.is_installed() and "REG_BINARY" not in reg("query", APPROVED, "/v", "Vigie")
    r = run_python("-m", "agent", "uninstall", "--silent")
    assert r.returncode == 0, r.stdout + r.stderr
    assert winrun.command() is None and "Vigie" not in reg("query", RUN)
