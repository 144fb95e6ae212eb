"""What the Windows tests share: the stand-in browser page, Wine's version, artefacts."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading

from tests.waiting import wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BLUE = (34, 85, 170)   # tkpage.py's background, #2255aa
ARTEFACTS = os.environ.get("VIGIE_WINE_ARTEFACTS") or os.path.join(tempfile.gettempdir(), "vigie-wine-artefacts")
os.makedirs(ARTEFACTS, exist_ok=True)


def wine_version() -> str:
    """Wine's version ("8.0"), or "" on a real Windows."""
    import ctypes
    try:
        f = ctypes.CDLL("ntdll").wine_get_version
    except (OSError, AttributeError):
        return ""
    f.restype = ctypes.c_char_p
    return f().decode()


WINE = wine_version()


def artefact(name: str) -> str:
    return os.path.join(ARTEFACTS, name)


class Page:
    """tkpage.py run by chrome.exe, driven by lines on its stdin (title/full/max/image/focus)."""

    def __init__(self, chrome: str, title: str = "Example page"):
        self.proc = subprocess.Popen([chrome, os.path.join(HERE, "tkpage.py"), title],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, bufsize=1)
        self.pid = self.proc.pid
        self.done: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.done.append(line.strip())

    def send(self, cmd: str, timeout: float = 20.0) -> bool:
        """Send a command; True once the page says it is done."""
        n = len(self.done)
        self.proc.stdin.write(cmd + "\n")
        self.proc.stdin.flush()
        return bool(wait_for(lambda: len(self.done) > n, timeout))

    def close(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(10)
        except Exception:  # noqa: BLE001
            self.proc.kill()


def in_front(backend, pid: int, timeout: float = 30.0):
    """The foreground window once it belongs to ``pid`` (None after ``timeout``)."""
    return wait_for(lambda: (lambda a: a if a and a.pid == pid else None)(backend.active_window()), timeout)


def share_of(img, colour, tol: int = 12) -> float:
    """Share of a 20x20 grid of sample points that have ``colour``."""
    hits = 0
    for i in range(20):
        for j in range(20):
            px = img.getpixel((int((i + 0.5) * img.width / 20), int((j + 0.5) * img.height / 20)))
            hits += all(abs(a - b) <= tol for a, b in zip(px[:3], colour))
    return hits / 400


def python_env(**extra) -> dict:
    """The environment for a child Windows Python running the project's code."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8", **extra)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [ROOT, env.get("PYTHONPATH")]))
    return env


def run_python(*args: str, timeout: float = 300, **env) -> subprocess.CompletedProcess:
    """``python.exe ARGS`` with pipes for its streams (Wine: never regular files)."""
    return subprocess.run([sys.executable, *args], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          encoding="utf-8", errors="replace", timeout=timeout, env=python_env(**env), cwd=ROOT)
