"""Snapshot readers for Linux (verified here): dpkg, flatpak, snap and /opt programs,
XDG autostart, systemd user and system units, crontab and /etc/cron.d, browser
extensions, Downloads/Desktop (the XDG user folders, so "Téléchargements" too).
Plain file reads apart from ``crontab -l``; each reader returns ``{key: label}``.
"""
from __future__ import annotations

import re
from pathlib import Path

from agent.respond.aftercare import browsers
from agent.respond.aftercare.snapshot import Context, crontab, desktop_entry_name, list_dir, user_files


def dpkg(ctx: Context) -> dict[str, str]:
    """Installed Debian packages (``/var/lib/dpkg/status``; ~20 ms for 2,000 packages)."""
    path = ctx.sys("/var/lib/dpkg/status")
    if not path.exists():
        return {}
    out = {}
    for block in path.read_text(encoding="utf-8", errors="replace").split("\n\n"):
        if "Status: install ok installed" not in block:
            continue
        name = re.search(r"^Package: (.+)$", block, re.M)
        version = re.search(r"^Version: (.+)$", block, re.M)
        if name:
            out[f"dpkg:{name.group(1)}"] = f"{name.group(1)} {version.group(1) if version else ''}".strip()
    return out


def flatpak_snap_opt(ctx: Context) -> dict[str, str]:
    out = {}
    for folder in (ctx.home / ".local/share/flatpak/app", ctx.sys("/var/lib/flatpak/app")):
        out.update(list_dir(folder, "flatpak", label=lambda e: f"{e.name} (Flatpak)"))
    snaps = list_dir(ctx.sys("/snap"), "snap", label=lambda e: f"{e.name} (Snap)")
    out.update({k: v for k, v in snaps.items() if k not in ("snap:bin", "snap:README")})
    out.update(list_dir(ctx.sys("/opt"), "opt", label=lambda e: f"{e.name} (/opt)"))
    out.update(list_dir(ctx.home / ".local/share/applications", "app", (".desktop",),
                        label=lambda e: desktop_entry_name(Path(e.path))))
    return out


def xdg_autostart(ctx: Context) -> dict[str, str]:
    out = {}
    for folder, where in ((ctx.home / ".config/autostart", "user"), (ctx.sys("/etc/xdg/autostart"), "system")):
        out.update(list_dir(folder, f"xdg-{where}", (".desktop",), label=lambda e: desktop_entry_name(Path(e.path))))
    return out


UNIT_SUFFIXES = (".service", ".timer", ".socket", ".path")


def _units(folder: Path, prefix: str) -> dict[str, str]:
    """Unit files of a folder and the units its ``*.wants`` folders enable."""
    out = list_dir(folder, prefix, UNIT_SUFFIXES, label=lambda e: e.name)
    try:
        wants = [p for p in folder.iterdir() if p.name.endswith(".wants") and p.is_dir()]
    except OSError:
        wants = []
    for w in sorted(wants):
        out.update(list_dir(w, f"{prefix}-enabled", UNIT_SUFFIXES, label=lambda e, w=w: f"{e.name} ({w.name})"))
    return out


def systemd_units(ctx: Context) -> dict[str, str]:
    out = _units(ctx.home / ".config/systemd/user", "systemd-user")
    out.update(_units(ctx.sys("/etc/systemd/system"), "systemd"))
    out.update(_units(ctx.sys("/etc/systemd/user"), "systemd-alluser"))
    return out


def cron(ctx: Context) -> dict[str, str]:
    out = crontab(ctx)
    out.update(list_dir(ctx.sys("/etc/cron.d"), "cron.d"))
    return out


def extensions(ctx: Context) -> dict[str, str]:
    cfg = ctx.home / ".config"
    dirs = {"Chrome": cfg / "google-chrome", "Chromium": cfg / "chromium", "Edge": cfg / "microsoft-edge",
            "Brave": cfg / "BraveSoftware/Brave-Browser", "Vivaldi": cfg / "vivaldi", "Opera": cfg / "opera",
            "Chromium (Snap)": ctx.home / "snap/chromium/common/chromium"}
    out = browsers.chromium_family(dirs)
    out.update(browsers.firefox(ctx.home / ".mozilla/firefox"))
    out.update(browsers.firefox(ctx.home / "snap/firefox/common/.mozilla/firefox"))
    return out


def xdg_user_dir(ctx: Context, name: str, default: str) -> Path:
    """``XDG_<NAME>_DIR`` from ``~/.config/user-dirs.dirs`` (``$HOME/Téléchargements``...)."""
    try:
        text = (ctx.home / ".config/user-dirs.dirs").read_text(encoding="utf-8")
        m = re.search(rf'^XDG_{name}_DIR="(.+)"', text, re.M)
        if m:
            return Path(m.group(1).replace("$HOME", str(ctx.home)))
    except OSError:
        pass
    return ctx.home / default


def files(ctx: Context) -> dict[str, str]:
    return user_files(ctx, [xdg_user_dir(ctx, "DOWNLOAD", "Downloads"), xdg_user_dir(ctx, "DESKTOP", "Desktop")])


READERS = {"programs": [dpkg, flatpak_snap_opt], "autostart": [xdg_autostart], "services": [systemd_units],
           "scheduled": [cron], "extensions": [extensions], "files": [files]}
