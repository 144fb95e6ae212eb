"""Linux, optional: a systemd *user* unit instead of the XDG autostart entry.

``vigie install --systemd`` writes ``$XDG_CONFIG_HOME/systemd/user/vigie.service`` and
enables it the way ``systemctl --user enable`` does (a link in
``graphical-session.target.wants``), so nothing here needs a running user manager.
Desktops that start ``graphical-session.target`` (GNOME, KDE Plasma) then start Vigie
with the session and restart it if it crashes. Called from the CLI's main thread.
"""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path

from agent.i18n import t
from agent.install import InstallError, Undo, make_dirs, write_file
from agent.install.xdg import config_home

log = logging.getLogger(__name__)
UNIT_NAME = "vigie.service"
TARGET = "graphical-session.target"


def unit_dir() -> Path:
    return config_home() / "systemd" / "user"


def unit_file() -> Path:
    return unit_dir() / UNIT_NAME


def wants_link() -> Path:
    return unit_dir() / f"{TARGET}.wants" / UNIT_NAME


def quote_arg(arg: str) -> str:
    """One ``ExecStart=`` word: ``%`` and ``$`` doubled, quoted if it holds spaces/quotes."""
    arg = arg.replace("%", "%%").replace("$", "$$")
    if arg and not any(c in arg for c in " \t\"'\\;"):
        return arg
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(command: list[str]) -> str:
    """The unit file starting ``command``; pure and deterministic."""
    return "\n".join([
        "[Unit]",
        "Description=Vigie - " + t("install.desktop_comment", "en"),
        f"PartOf={TARGET}",
        f"After={TARGET}",
        "",
        "[Service]",
        "Type=simple",
        "ExecStart=" + " ".join(quote_arg(a) for a in command),
        "Restart=on-failure",
        "RestartSec=10",
        "",
        "[Install]",
        f"WantedBy={TARGET}",
        "",
    ])


def _reload() -> None:
    """Tell a running user manager about the change; absent or failing is fine."""
    exe = shutil.which("systemctl")
    if not exe or not os.environ.get("XDG_RUNTIME_DIR"):
        return
    try:
        subprocess.run([exe, "--user", "daemon-reload"], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        log.info("systemctl --user daemon-reload failed: %s", exc)


def install(command: list[str], undo: Undo | None = None) -> list[Path]:
    """Write and enable the unit; returns files/links written and folders created."""
    created = make_dirs(wants_link().parent)
    if undo:
        undo.created_dirs(created)
        undo.before_write(unit_file())
    write_file(unit_file(), render(command).encode("utf-8"))
    link = wants_link()
    target = Path("..") / UNIT_NAME
    try:
        if link.is_symlink() and Path(os.readlink(link)) == target:
            pass
        else:
            if undo:
                undo.on_rollback(lambda: link.unlink(missing_ok=True))
            if link.is_symlink() or link.exists():
                link.unlink()
            link.symlink_to(target)
    except OSError as exc:
        raise InstallError("cannot_write", path=str(link), reason=exc.strerror or str(exc)) from exc
    _reload()
    return [unit_file(), link, *created]


def is_installed() -> bool:
    return unit_file().is_file() and wants_link().is_symlink()


def after_uninstall() -> None:
    _reload()
