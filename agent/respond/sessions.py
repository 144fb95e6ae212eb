"""Keeping a browser from reopening a scam page after Vigie closed it.

Which profile a browser process uses is read by :mod:`agent.platform.browser_profiles`
(re-exported here: ``Profile``, ``profile_of``, ``profile_from_cmdline``,
``firefox_default``). Once that browser has ended, its session-restore files are
removed (Chromium: ``Sessions/``, ``Current Session``...; Firefox: ``sessionstore*``) and
Chromium's "exited normally" flag is set, so neither "continue where you left off" nor a
"restore pages?" prompt can bring the page back. The other tabs of that session are not
restored either (the alert says so). Pure file work; called from the alert process.
"""
from __future__ import annotations

import glob
import json
import logging
import os
import shutil
from pathlib import Path

from agent.platform.browser_profiles import (  # noqa: F401 - re-exported for closepage and tests
    Profile,
    firefox_default,
    profile_from_cmdline,
    profile_of,
)

log = logging.getLogger(__name__)
CHROMIUM_FILES = ("Current Session", "Current Tabs", "Last Session", "Last Tabs")
FIREFOX_FILES = ("sessionstore.jsonlz4", "sessionstore.js", "sessionstore-backups")


def forget(profile: Profile | None) -> list[str]:
    """Remove the session-restore files of a profile whose browser has ended. Returns
    what was removed (names); never raises."""
    if profile is None or not profile.path.is_dir():
        return []
    names = CHROMIUM_FILES + ("Sessions",) if profile.family == "chromium" else FIREFOX_FILES
    removed = []
    for name in names:
        for path in glob.glob(str(profile.path / name)):
            try:
                if os.path.isdir(path):
                    shutil.rmtree(path)
                else:
                    os.remove(path)
                removed.append(os.path.basename(path))
            except OSError as exc:
                log.warning("cannot remove %s: %s", path, exc)
    if profile.family == "chromium":
        _mark_clean_exit(profile.path / "Preferences")
    return removed


def _mark_clean_exit(prefs: Path) -> None:
    """Chromium offers "Restore pages?" after a crash; say it exited normally."""
    try:
        data = json.loads(prefs.read_text(encoding="utf-8"))
        data.setdefault("profile", {})["exit_type"] = "Normal"
        data["profile"]["exited_cleanly"] = True
        prefs.write_text(json.dumps(data), encoding="utf-8")
    except (OSError, ValueError, AttributeError) as exc:
        log.debug("cannot mark %s as a clean exit: %s", prefs, exc)
