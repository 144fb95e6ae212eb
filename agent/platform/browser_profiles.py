"""Which browser profile a browser process uses (pure file and process reading).

Read from its command line (``--user-data-dir`` and ``--profile-directory`` for
Chromium-family browsers, ``-profile`` for Firefox), else the browser's default folder
(Firefox: its ``profiles.ini``). Shared by the watcher (the page's address, read from the
profile's session files: :mod:`agent.watch.page_address`, worker thread) and the responder
(forgetting a closed scam page's session: :mod:`agent.respond.sessions`, alert process);
any thread may call it.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

CHROMIUM_DEFAULTS = {   # browser base name → default user-data folder, per OS
    "linux": {"chromium": "~/.config/chromium", "chrome": "~/.config/google-chrome",
              "brave": "~/.config/BraveSoftware/Brave-Browser", "msedge": "~/.config/microsoft-edge",
              "vivaldi": "~/.config/vivaldi", "opera": "~/.config/opera"},
    "win32": {"chrome": "%LOCALAPPDATA%/Google/Chrome/User Data", "msedge": "%LOCALAPPDATA%/Microsoft/Edge/User Data",
              "brave": "%LOCALAPPDATA%/BraveSoftware/Brave-Browser/User Data"},
    "darwin": {"chrome": "~/Library/Application Support/Google/Chrome",
               "msedge": "~/Library/Application Support/Microsoft Edge"},
}


FIREFOX_HOMES = {"linux": "~/.mozilla/firefox", "win32": "%APPDATA%/Mozilla/Firefox",
                 "darwin": "~/Library/Application Support/Firefox"}


def firefox_default(home: Path) -> Path | None:
    """The profile Firefox starts with, from ``home/profiles.ini``: the ``[Install…]``
    section's ``Default``, else the ``[Profile…]`` marked ``Default=1``. None if unknown."""
    import configparser  # noqa: PLC0415
    ini = configparser.ConfigParser(interpolation=None)
    try:
        ini.read(home / "profiles.ini", encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError):
        return None
    for name in ini.sections():
        if name.startswith("Install") and ini[name].get("Default"):
            return home / ini[name]["Default"]
    for name in ini.sections():
        sec = ini[name]
        if name.startswith("Profile") and sec.get("Default") == "1" and sec.get("Path"):
            return home / sec["Path"] if sec.get("IsRelative", "1") == "1" else Path(sec["Path"])
    return None


@dataclass(frozen=True)
class Profile:
    family: str          # "chromium" or "firefox"
    path: Path           # the profile folder (Chromium: user-data-dir/profile-directory)
    user_data: Path | None = None


def _flag(cmd: list[str], name: str) -> str | None:
    for i, arg in enumerate(cmd):
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
        if arg == name and i + 1 < len(cmd):
            return cmd[i + 1]
    return None


def profile_from_cmdline(name: str, cmd: list[str], platform: str | None = None) -> Profile | None:
    """The profile a browser process with this name and command line uses (pure)."""
    base = (name or "").lower().removesuffix(".exe")
    plat = "win32" if (platform or sys.platform).startswith("win") else (platform or sys.platform)
    plat = "linux" if plat.startswith("linux") else plat
    if base.startswith("firefox"):
        p = _flag(cmd, "-profile") or _flag(cmd, "--profile")
        if p:
            return Profile("firefox", Path(p))
        default = firefox_default(Path(os.path.expanduser(os.path.expandvars(FIREFOX_HOMES.get(plat, "")))))
        return Profile("firefox", default) if default else None
    key = next((k for k in CHROMIUM_DEFAULTS.get(plat, {}) if base.startswith(k)), None)
    if key is None and not base.startswith(("chrom", "brave", "msedge", "vivaldi", "opera")):
        return None
    data = _flag(cmd, "--user-data-dir")
    if not data and key:
        data = os.path.expanduser(os.path.expandvars(CHROMIUM_DEFAULTS[plat][key]))
    if not data:
        return None
    user_data = Path(data)
    return Profile("chromium", user_data / (_flag(cmd, "--profile-directory") or "Default"), user_data)


def profile_of(pid: int) -> Profile | None:
    """The profile of the running browser process ``pid`` (None when unknown)."""
    try:
        import psutil  # noqa: PLC0415

        from agent.platform import winproc  # noqa: PLC0415 - psutil cannot name it under Wine
        try:
            cmd = psutil.Process(pid).cmdline()
        except psutil.AccessDenied:
            cmd = []            # another user's or a protected process: its default profile
        return profile_from_cmdline(winproc.describe(pid)[0], cmd)
    except Exception:  # noqa: BLE001 - gone, denied
        return None
