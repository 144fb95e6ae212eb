"""The Windows lane's tests (scripts/wine-lane.sh): run by a real Windows Python, under
Wine here, against the project's own Windows code. Not collected by the Linux suite.

Wine quirks stay in this harness, never in the product: see scripts/wine-lane.sh."""
import os
import shutil
import sys

import pytest

if sys.platform != "win32":
    collect_ignore_glob = ["test_*.py", "package"]


@pytest.fixture(scope="session")
def stand_ins():
    """chrome.exe and AnyDesk.exe: copies of python.exe, so that processes carry those names."""
    folder = os.path.dirname(sys.executable)
    out = {}
    for name in ("chrome.exe", "AnyDesk.exe"):
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            shutil.copy2(sys.executable, path)
        out[name] = path
    return out


@pytest.fixture
def page(stand_ins):
    """A stand-in browser window (Tk in a process named chrome.exe), closed afterwards."""
    from tests.windows.harness import Page
    p = Page(stand_ins["chrome.exe"])
    yield p
    p.close()


@pytest.fixture
def backend():
    from agent.platform.windows import WindowsBackend
    b = WindowsBackend()
    yield b
    b.close()
