"""macOS: a per-user LaunchAgent, ``~/Library/LaunchAgents/org.vigie.agent.plist``.

launchd reads the folder at each login and starts ``ProgramArguments`` in the user's
graphical session (``LimitLoadToSessionType=Aqua``), restarting it if it crashes. The
plist is written with :mod:`plistlib` (sorted keys, so a second install writes the same
bytes). On uninstall the job is also unloaded with ``launchctl bootout``; the command
runner is a module attribute (``RUN``) so tests replace it. Main thread of the CLI.
"""
from __future__ import annotations

import logging
import os
import plistlib
import subprocess
from pathlib import Path

from agent.install import Undo, make_dirs, write_file

log = logging.getLogger(__name__)
LABEL = "org.vigie.agent"
RUN = subprocess.run  # seam: tests put a recorder here
SEARCH_PATH = "/opt/homebrew/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"


def agents_dir() -> Path:
    return Path.home() / "Library" / "LaunchAgents"


def plist_file() -> Path:
    return agents_dir() / f"{LABEL}.plist"


def job(command: list[str]) -> dict:
    """The LaunchAgent as a dict (what :func:`render` serialises)."""
    return {
        "Label": LABEL,
        "ProgramArguments": list(command),
        "RunAtLoad": True,
        "KeepAlive": {"SuccessfulExit": False},
        "LimitLoadToSessionType": "Aqua",
        "ProcessType": "Interactive",
        "ThrottleInterval": 30,
        # launchd's PATH is only /usr/bin:/bin:/usr/sbin:/sbin: add Homebrew's, for tesseract.
        "EnvironmentVariables": {"PATH": SEARCH_PATH},
    }


def render(command: list[str]) -> bytes:
    return plistlib.dumps(job(command), fmt=plistlib.FMT_XML, sort_keys=True)


def install(command: list[str], undo: Undo | None = None) -> list[Path]:
    """Write the plist (loaded by launchd at the next login); files written + folders created."""
    created = make_dirs(agents_dir())
    if undo:
        undo.created_dirs(created)
        undo.before_write(plist_file())
    write_file(plist_file(), render(command))
    return [plist_file(), *created]


def unload() -> None:
    """Stop and unload the job if launchd has it; errors only logged."""
    try:
        RUN(["launchctl", "bootout", f"gui/{os.getuid()}/{LABEL}"],
            capture_output=True, timeout=15, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        log.info("launchctl bootout failed: %s", exc)


def is_installed() -> bool:
    try:
        data = plistlib.loads(plist_file().read_bytes())
    except (OSError, ValueError, plistlib.InvalidFileException):
        return False
    return data.get("Label") == LABEL and bool(data.get("ProgramArguments")) and not data.get("Disabled")
