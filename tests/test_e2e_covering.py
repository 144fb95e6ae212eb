"""End to end: a locker written as a desktop program, not a web page — a fullscreen Tk
window and a fullscreen xterm, both titled "Windows Defender" — is read as a page is and
gives a ``scam_screen`` event from the running agent (real X11 desktop, real Tesseract).
Vigie's own text, no kit. Number in the 555-01xx fiction range."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys

import pytest

from agent import platform
from agent.app import Agent
from agent.config import Settings
from tests import waiting

pytestmark = [pytest.mark.desktop]
LOCKER = ("WINDOWS DEFENDER - SECURITY ALERT\n\nYour computer has been blocked.\n"
          "A virus was found. Your bank details are at risk.\n"
          "Do not restart your computer.\n\nCall Microsoft Support now, toll free:\n+1-800-555-0199")
TK_LOCKER = f"""
import tkinter as tk
root = tk.Tk()
root.title("Windows Defender")
root.configure(bg="#b00000")
root.attributes("-fullscreen", True)
tk.Label(root, text={LOCKER!r}, bg="#b00000", fg="white", font=("DejaVu Sans", 30, "bold"),
         justify="center").pack(expand=True)
root.mainloop()
"""


@pytest.fixture
def agent(desktop, tmp_path, monkeypatch):
    monkeypatch.setenv("VIGIE_PLATFORM", "x11")
    platform.reset()
    a = Agent(Settings(language="en", ocr_languages="fra+eng"), [], downloads_dir=tmp_path / "dl")
    a.start()
    waiting.wait_event(lambda e: e["type"] == "started")
    yield a
    a.stop()
    platform.reset()


@pytest.fixture
def program(desktop):
    started = []

    def start(*cmd):
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        started.append(p)
        return p

    yield start
    for p in started:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait(10)


def test_fullscreen_tk_locker_is_read(agent, program):
    program(sys.executable, "-c", TK_LOCKER)
    ev = waiting.wait_event(lambda e: e["type"] == "scam_screen", 90)
    assert ev["title"] == "Windows Defender" and ev["fullscreen"] is True and not ev["browser"]
    assert ev["trigger"] == "title" and ev["family"] == "tss"
    assert any("555" in p and "0199" in p for p in ev["phones"])


def test_fullscreen_xterm_locker_is_read(agent, program, tmp_path):
    if not shutil.which("xterm"):
        pytest.skip("xterm is not installed")
    text = tmp_path / "locker.txt"
    text.write_text(LOCKER + "\n", encoding="utf-8")
    program("xterm", "-fullscreen", "-title", "Windows Defender", "-bg", "#b00000", "-fg", "white",
            "-fa", "DejaVu Sans Mono", "-fs", "22", "-e", "sh", "-c", f"cat {text}; sleep 600")
    ev = waiting.wait_event(lambda e: e["type"] == "scam_screen", 90)
    assert ev["title"] == "Windows Defender" and ev["process"].startswith("xterm")
