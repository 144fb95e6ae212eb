"""Start Vigie at logon, whatever the OS: one interface, one backend per platform.

- Windows: the per-user Run key (:mod:`agent.install.winrun`)
- macOS: a LaunchAgent plist (:mod:`agent.install.launchagent`)
- Linux/BSD: an XDG autostart entry (:mod:`agent.install.xdg`), or with ``systemd=True``
  a systemd user unit (:mod:`agent.install.systemd`)

``install(command)`` writes the entry and records it in the manifest; ``uninstall()``
removes exactly what the manifest lists; ``is_installed()`` (used by ``vigie doctor``,
never raises) says whether the next logon will start Vigie; ``entry_command()`` is the
command line that starts the agent without a terminal. Main thread of the CLI.
"""
from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from agent import paths
from agent.install import (InstallError, Undo, load_manifest, make_dirs, manifest_bytes,
                           manifest_file, remove_empty_dirs, write_file)
from agent.install import launchagent, systemd, winrun, xdg

log = logging.getLogger(__name__)
MANIFEST_VERSION = 1


def platform_kind(platform: str | None = None) -> str:
    """``windows``, ``macos`` or ``linux`` (any other Unix uses the XDG entry)."""
    p = platform or sys.platform
    return "windows" if p.startswith("win") else "macos" if p == "darwin" else "linux"


def entry_command(platform: str | None = None) -> list[str]:
    """The absolute command that starts ``vigie run`` without a terminal.

    PyInstaller bundle: the bundled executable (on Windows its windowed twin
    ``vigiew.exe`` when present); Debian package: its ``/usr/bin/vigie`` launcher (which
    sets ``VIGIE_LAUNCHER``); otherwise this interpreter (``pythonw.exe`` on Windows)
    with ``-m agent``.
    """
    windows = platform_kind(platform) == "windows"
    exe = Path(sys.executable).absolute()
    if getattr(sys, "frozen", False):
        quiet = exe.with_name("vigiew.exe")
        return [str(quiet if windows and quiet.is_file() else exe), "run"]
    launcher = os.environ.get("VIGIE_LAUNCHER", "").strip()
    if launcher and os.path.isabs(launcher) and os.path.isfile(launcher):
        return [launcher, "run"]
    if windows and exe.name.lower() == "python.exe" and exe.with_name("pythonw.exe").is_file():
        exe = exe.with_name("pythonw.exe")
    return [str(exe), "-m", "agent", "run"]


def _backend(kind: str, use_systemd: bool) -> str:
    if kind == "windows":
        return "winrun"
    if kind == "macos":
        return "launchagent"
    return "systemd" if use_systemd else "xdg"


def install(command: list[str] | None = None, *, systemd_unit: bool = False, undo: Undo | None = None,
            platform: str | None = None, extra: dict | None = None, dirs=()) -> list[Path | str]:
    """Register ``command`` (default :func:`entry_command`) to start at logon.

    Returns the files, folders and registry values written or created. ``extra`` is
    merged into the manifest (the CLI records the config file there) and ``dirs`` are
    folders the caller created, removed on uninstall once empty. Raises
    :class:`InstallError`; with ``undo`` every change can be put back by the caller.
    """
    command = list(command or entry_command(platform))
    backend = _backend(platform_kind(platform), systemd_unit)
    old = load_manifest()
    undo = undo or Undo()
    state_dirs = make_dirs(paths.state_dir())
    undo.created_dirs(state_dirs)
    if backend == "winrun":
        written = winrun.install(command, undo)
    else:
        module = {"xdg": xdg, "systemd": systemd, "launchagent": launchagent}[backend]
        written = module.install(command, undo)
    files = sorted({str(p) for p in written if isinstance(p, Path) and not p.is_dir()})
    folders = {str(p) for p in written if isinstance(p, Path) and p.is_dir()}
    folders |= {str(d) for d in [*state_dirs, *dirs]} | set(old.get("dirs", []))
    registry = sorted({p for p in written if isinstance(p, str)} | set(old.get("registry", [])))
    for stale in set(old.get("files", [])) - set(files):  # e.g. switched XDG -> systemd
        undo.before_write(Path(stale))
        Path(stale).unlink(missing_ok=True)
    data = {**old, **(extra or {}), "version": MANIFEST_VERSION, "backend": backend,
            "command": command, "files": files, "dirs": sorted(folders), "registry": registry}
    undo.before_write(manifest_file())
    write_file(manifest_file(), manifest_bytes(data), 0o600)
    log.info("autostart registered (%s): %s", backend, command)
    return [*(Path(f) for f in files), *registry]


def _fallback_manifest(kind: str) -> dict:
    """No manifest (state folder wiped): our entries at their usual places."""
    if kind == "windows":
        return {"backend": "winrun", "registry": [winrun.entry_name()]}
    if kind == "macos":
        return {"backend": "launchagent", "files": [str(launchagent.plist_file())]}
    files = [str(systemd.unit_file()), str(systemd.wants_link())]
    if xdg.read_entry(xdg.user_entry()).get("X-Vigie-Managed") == "true":
        files.append(str(xdg.user_entry()))
    return {"backend": "xdg", "files": files}


def uninstall(platform: str | None = None) -> list[Path | str]:
    """Remove what install recorded (entries, registry values, the manifest, folders it
    created once empty); returns what was removed. Raises :class:`InstallError`."""
    kind = platform_kind(platform)
    data = load_manifest() or _fallback_manifest(kind)
    removed: list[Path | str] = []
    if data.get("backend") == "launchagent" or (kind == "macos" and launchagent.plist_file().exists()):
        launchagent.unload()
    if data.get("registry") or kind == "windows":
        try:
            removed += winrun.uninstall()
        except (ImportError, OSError) as exc:
            raise InstallError("cannot_remove", path=winrun.entry_name(), reason=str(exc)) from exc
    for f in [*data.get("files", []), str(manifest_file())]:
        p = Path(f)
        try:
            if p.is_symlink() or p.exists():
                p.unlink()
                removed.append(p)
        except OSError as exc:
            raise InstallError("cannot_remove", path=str(p), reason=exc.strerror or str(exc)) from exc
    if data.get("backend") == "systemd":
        systemd.after_uninstall()
    remove_empty_dirs(data.get("dirs", []))
    return removed


def is_installed(platform: str | None = None) -> bool:
    """Will the next logon start Vigie? Never raises (``vigie doctor`` calls it)."""
    try:
        kind = platform_kind(platform)
        if kind == "windows":
            return winrun.is_installed()
        if kind == "macos":
            return launchagent.is_installed()
        return xdg.is_installed() or systemd.is_installed()
    except Exception as exc:  # noqa: BLE001 - a diagnostic must not crash
        log.warning("cannot tell whether autostart is set up: %s", exc)
        return False
