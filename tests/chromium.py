"""Real Chromium for the end-to-end tests: the flags that work headful under Xvfb as root
with no network, and a launcher that ends what it started (each in its own session)."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--password-store=basic"]


def executable() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


class Browser:
    """Chromium started (and restarted) by a test. With ``profile`` every start uses that
    profile (the caller owns the folder); without, each start gets a new one, removed by
    :meth:`stop`."""

    def __init__(self, exe: str, profile: Path | None = None):
        self.exe, self.profile, self.procs, self._made = exe, profile, [], []

    def start(self, *args) -> subprocess.Popen:
        profile = self.profile
        if profile is None:
            profile = Path(tempfile.mkdtemp(prefix="vigie-chromium-"))
            self._made.append(profile)
        p = subprocess.Popen([self.exe, *FLAGS, f"--user-data-dir={profile}", *args],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        self.procs.append(p)
        return p

    def stop(self) -> None:
        for p in self.procs:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait(10)
        for profile in self._made:
            shutil.rmtree(profile, ignore_errors=True)


def screenshot(url: str, png: Path, size: tuple[int, int] = (1366, 768), timeout: float = 120) -> Path:
    """``url`` drawn by headless Chromium into ``png`` at ``size`` (a new profile, removed after)."""
    exe = executable()
    if exe is None:
        raise RuntimeError("Chromium is not installed")
    profile = Path(tempfile.mkdtemp(prefix="vigie-shot-"))
    try:
        png.unlink(missing_ok=True)
        subprocess.run([exe, "--headless", *FLAGS, "--hide-scrollbars", f"--user-data-dir={profile}",
                        f"--screenshot={png}", f"--window-size={size[0]},{size[1]}", url],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout, start_new_session=True)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    if not png.is_file():
        raise RuntimeError(f"Chromium drew nothing for {url}")
    return png
