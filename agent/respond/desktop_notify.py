"""The desktop notification shown beside the alert window.

Linux: ``notify-send`` (what plyer itself runs there) called directly, so a failure is
seen (plyer ignores its exit status); without notify-send, plyer. The notification goes
away by itself after ``MAX_SECONDS`` at most (the alert window carries the message; a
pop-up left for minutes would cover other windows' buttons): urgency ``normal``, because
notification daemons keep ``critical`` ones until they are clicked. Windows/macOS: plyer (toast / notification centre). No daemon, no display or no
backend → ``False`` and one log line per hour, never an exception. Takes a few
milliseconds: the Responder calls it from a short-lived thread.
"""
from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import warnings

from agent.log import Once

log = logging.getLogger(__name__)
_once = Once()
APP_NAME = "Vigie"
MAX_SECONDS = 15


def _notify_send(exe: str, title: str, message: str, timeout: int) -> bool:
    cmd = [exe, "--app-name", APP_NAME, "--urgency", "normal", "--expire-time", str(timeout * 1000),
           "--icon", "dialog-warning", "--", title, message]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as exc:
        _once.error(log, "notify", "desktop notification failed (%s); the alert window still shows", exc)
        return False
    if out.returncode != 0:
        _once.error(log, "notify", "desktop notification failed (notify-send: %s); the alert window still shows",
                    (out.stderr or out.stdout).strip()[:200] or out.returncode)
        return False
    return True


def _plyer(title: str, message: str, timeout: int) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from plyer import notification  # noqa: PLC0415 - plyer picks its backend lazily
            notification.notify(title=title, message=message, app_name=APP_NAME, timeout=timeout)
        return True
    except Exception as exc:  # noqa: BLE001 - any backend failure must not stop the alert
        _once.error(log, "notify", "desktop notification failed (%s: %s); the alert window still shows",
                    type(exc).__name__, exc)
        return False


def notify(title: str, message: str, timeout: int = MAX_SECONDS) -> bool:
    """Show one notification for ``timeout`` seconds (at most ``MAX_SECONDS``); True if
    the notification daemon accepted it."""
    timeout = max(1, min(int(timeout), MAX_SECONDS))
    exe = shutil.which("notify-send") if sys.platform.startswith("linux") else None
    ok = _notify_send(exe, title, message, timeout) if exe else _plyer(title, message, timeout)
    if ok:
        _once.reset("notify")
    return ok
