"""Windows: the per-user Run key, ``HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run``.

One value, ``Vigie``, holds the command line that Explorer starts at each logon. Task
Manager's "Startup" tab can disable an entry without deleting it (a binary value under
``...\\Explorer\\StartupApproved\\Run`` whose first byte is odd); :func:`is_installed`
reports that as not installed and :func:`install` re-enables the entry (the helper asked
for it). All registry access goes through :func:`registry`, a seam where tests inject a
fake ``winreg`` module. Called from the CLI's main thread and by ``vigie doctor``.
"""
from __future__ import annotations

import logging
import subprocess

log = logging.getLogger(__name__)
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
APPROVED_KEY = r"Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run"
VALUE = "Vigie"
WINREG = None  # seam: a module with winreg's API; None = the real winreg


def registry():
    if WINREG is not None:
        return WINREG
    import winreg  # noqa: PLC0415 - Windows only
    return winreg


def entry_name() -> str:
    """How the value is named in the manifest and in messages."""
    return "HKCU\\" + RUN_KEY + "\\" + VALUE


def command_line(command: list[str]) -> str:
    """The argument list as one Windows command line (quoting as CreateProcess expects)."""
    return subprocess.list2cmdline(command)


def _query(reg, key_path: str, name: str):
    try:
        with reg.OpenKey(reg.HKEY_CURRENT_USER, key_path, 0, reg.KEY_READ) as key:
            return reg.QueryValueEx(key, name)
    except OSError:  # FileNotFoundError: no key or no value
        return None


def _delete(reg, key_path: str, name: str) -> bool:
    try:
        with reg.OpenKey(reg.HKEY_CURRENT_USER, key_path, 0, reg.KEY_SET_VALUE) as key:
            reg.DeleteValue(key, name)
        return True
    except FileNotFoundError:
        return False


def disabled_in_task_manager(reg=None) -> bool:
    reg = reg or registry()
    found = _query(reg, APPROVED_KEY, VALUE)
    if not found or not isinstance(found[0], (bytes, bytearray)) or not found[0]:
        return False
    return bool(found[0][0] & 1)


def install(command: list[str], undo=None) -> list[str]:
    """Set the Run value (only if it differs) and clear a Task-Manager "disabled" mark."""
    from agent.install import InstallError  # noqa: PLC0415
    reg = registry()
    line = command_line(command)
    old = _query(reg, RUN_KEY, VALUE)
    try:
        if old != (line, reg.REG_SZ):
            with reg.CreateKeyEx(reg.HKEY_CURRENT_USER, RUN_KEY, 0, reg.KEY_SET_VALUE) as key:
                reg.SetValueEx(key, VALUE, 0, reg.REG_SZ, line)
            if undo is not None:
                undo.on_rollback(lambda: _restore(reg, old))
        if disabled_in_task_manager(reg):
            _delete(reg, APPROVED_KEY, VALUE)
    except OSError as exc:
        raise InstallError("cannot_write", path=entry_name(), reason=str(exc)) from exc
    return [entry_name()]


def _restore(reg, old) -> None:
    if old is None:
        _delete(reg, RUN_KEY, VALUE)
    else:
        with reg.CreateKeyEx(reg.HKEY_CURRENT_USER, RUN_KEY, 0, reg.KEY_SET_VALUE) as key:
            reg.SetValueEx(key, VALUE, 0, old[1], old[0])


def uninstall() -> list[str]:
    """Delete the Run value and its Task-Manager mark; returns what was removed."""
    reg = registry()
    removed = [entry_name()] if _delete(reg, RUN_KEY, VALUE) else []
    _delete(reg, APPROVED_KEY, VALUE)
    return removed


def is_installed() -> bool:
    try:
        reg = registry()
        found = _query(reg, RUN_KEY, VALUE)
        return bool(found and found[0]) and not disabled_in_task_manager(reg)
    except (ImportError, OSError):
        return False


def command(reg=None) -> str | None:
    """The command line currently registered, or None."""
    found = _query(reg or registry(), RUN_KEY, VALUE)
    return found[0] if found else None
