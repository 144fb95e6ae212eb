"""Snapshot readers for Windows — NOT YET VERIFIED on a real Windows machine: tested
here with a fake registry (``Context.reg``, the lowest call) and folders laid out as
Windows has them. Programs from the Uninstall keys, autostart from the Run/RunOnce keys
and Startup folders, services from ``HKLM\\SYSTEM\\CurrentControlSet\\Services``,
scheduled tasks from ``%WINDIR%\\System32\\Tasks``, Chrome/Edge/Brave/Firefox extensions,
Downloads and Desktop.
"""
from __future__ import annotations

import os
from pathlib import Path

from agent.respond.aftercare import browsers
from agent.respond.aftercare.snapshot import Context, list_dir, user_files

HKLM, HKCU = "HKLM", "HKCU"
UNINSTALL = (r"SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall",
             r"SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall")
RUN = (r"SOFTWARE\Microsoft\Windows\CurrentVersion\Run", r"SOFTWARE\Microsoft\Windows\CurrentVersion\RunOnce",
       r"SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Run")
SERVICES = r"SYSTEM\CurrentControlSet\Services"


class WinReg:
    """The real registry through ``winreg``: ``subkeys(hive, path)`` and
    ``values(hive, path)``; a missing key reads as empty."""

    def __init__(self):
        import winreg  # noqa: PLC0415 - Windows only
        self.w = winreg
        self.hives = {HKLM: winreg.HKEY_LOCAL_MACHINE, HKCU: winreg.HKEY_CURRENT_USER}

    def _open(self, hive, path):
        return self.w.OpenKey(self.hives[hive], path, 0, self.w.KEY_READ)

    def subkeys(self, hive: str, path: str) -> list[str]:
        try:
            with self._open(hive, path) as k:
                return [self.w.EnumKey(k, i) for i in range(self.w.QueryInfoKey(k)[0])]
        except FileNotFoundError:
            return []

    def values(self, hive: str, path: str) -> dict:
        try:
            with self._open(hive, path) as k:
                return {self.w.EnumValue(k, i)[0]: self.w.EnumValue(k, i)[1] for i in range(self.w.QueryInfoKey(k)[1])}
        except FileNotFoundError:
            return {}


def _reg(ctx: Context):
    if ctx.reg is None:
        ctx.reg = WinReg()
    return ctx.reg


def _env(ctx: Context, name: str, default: str = "") -> Path | None:
    value = ctx.env.get(name) or ctx.env.get(name.upper()) or default
    return Path(value) if value else None


def programs(ctx: Context) -> dict[str, str]:
    reg, out = _reg(ctx), {}
    for hive in (HKLM, HKCU):
        for base in UNINSTALL:
            for sub in reg.subkeys(hive, base):
                v = reg.values(hive, base + "\\" + sub)
                name = v.get("DisplayName")
                if name and not v.get("SystemComponent"):
                    out[f"uninstall:{hive}:{sub}"] = f"{name} {v.get('DisplayVersion') or ''}".strip()
    return out


def autostart(ctx: Context) -> dict[str, str]:
    reg, out = _reg(ctx), {}
    for hive in (HKCU, HKLM):
        for key in RUN:
            for name, command in reg.values(hive, key).items():
                out[f"run:{hive}:{key.rsplit(chr(92), 1)[-1]}:{name}"] = f"{name}: {command}"[:300]
    startup = r"Microsoft\Windows\Start Menu\Programs\Startup".split("\\")
    for base in (_env(ctx, "APPDATA"), _env(ctx, "ProgramData")):
        if base is not None:
            folder = base.joinpath(*startup)
            out.update(list_dir(folder, f"startup:{folder}", label=lambda e: f"{e.name} (Startup)"))
    return out


def services(ctx: Context) -> dict[str, str]:
    reg, out = _reg(ctx), {}
    for name in reg.subkeys(HKLM, SERVICES):
        v = reg.values(HKLM, SERVICES + "\\" + name)
        if v.get("ImagePath") and int(v.get("Type") or 0x10) & 0x30:     # a service, not a driver
            out[f"service:{name}"] = str(v.get("DisplayName") or name)
    return out


def scheduled_tasks(ctx: Context) -> dict[str, str]:
    root = (_env(ctx, "WINDIR", "C:\\Windows") or Path("C:/Windows")) / "System32" / "Tasks"
    out = {}
    for dirpath, _dirs, names in os.walk(root):
        for n in names:
            rel = os.path.relpath(os.path.join(dirpath, n), root)
            out[f"task:{rel}"] = rel
    return out


def extensions(ctx: Context) -> dict[str, str]:
    local, roaming = _env(ctx, "LOCALAPPDATA"), _env(ctx, "APPDATA")
    out = {}
    if local is not None:
        out.update(browsers.chromium_family({"Chrome": local / "Google/Chrome/User Data",
                                             "Edge": local / "Microsoft/Edge/User Data",
                                             "Brave": local / "BraveSoftware/Brave-Browser/User Data"}))
    if roaming is not None:
        out.update(browsers.firefox(roaming / "Mozilla/Firefox/Profiles"))
    return out


def files(ctx: Context) -> dict[str, str]:
    profile = _env(ctx, "USERPROFILE") or ctx.home
    return user_files(ctx, [profile / "Downloads", profile / "Desktop"])


READERS = {"programs": [programs], "autostart": [autostart], "services": [services],
           "scheduled": [scheduled_tasks], "extensions": [extensions], "files": [files]}
